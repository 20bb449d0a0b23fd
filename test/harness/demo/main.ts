// Entry of scripts/demo (bundled with esbuild to build/demo/demo.js and run with node).

import { parseDemoArgs, USAGE, UsageError } from './args';
import { down, status, upload } from './kept';
import { runInterruptCleanup } from './interrupt';
import { up } from './up';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  // scripts/demo measures from before setup, so the total includes it.
  const startedAt = Number(process.env.DEMO_STARTED_AT_MS) || Date.now();
  switch (command.command) {
    case 'help':
      out(USAGE);
      return 0;
    case 'up':
      return up({ keep: command.keep, engine: command.engine, startedAt }, out);
    case 'upload':
      return upload(command.database, command.files, out);
    case 'status':
      return status(out);
    case 'down':
      return down(out);
  }
}

// Ctrl-C: stop what this run started (services without --keep are also stopped by their reapers).
process.once('SIGINT', () => {
  out('demo: interrupted; stopping what this run started');
  void runInterruptCleanup().finally(() => process.exit(130));
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
