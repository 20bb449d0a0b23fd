// flyway-runner: the Flyway host's runner, started by the module's SSM Command document
// (`node flyway-runner.js --help` for the contract). Parses the arguments, hands a migrate request
// to the database's run (or becomes it), runs info/validate/repair, prints one JSON summary line
// last and exits with the code of what happened.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseSummary } from '../../common/src/runner-output';
import { parseArgs, USAGE, type RunnerArgs } from './args';
import { parseEndpointOverride } from './endpoints';
import { createAwsPorts } from './aws';
import { httpsText, regionOfEndpoint, resolveCaBundle } from './ca-bundle';
import type { DatabaseResult, RunnerContext } from './context';
import { EXIT, type ExitCode } from './failure';
import { runRequests } from './hand-over';
import { Locks } from './locks';
import { OperatorActions } from './operator-actions';
import { emptySummary, sayer, summaryLine } from './output';
import { submitRequest } from './requests';

const write = (text: string) => process.stdout.write(text);

function finish(own: DatabaseSummary, started: number, requestedAt: string | null, exitCode: ExitCode, also: DatabaseSummary[] = []): never {
  write(summaryLine(own, { durationMs: Date.now() - started, requestedAt, exitCode, also }));
  process.exitCode = exitCode;
  // Pending socket handles of the SDK must not keep a finished runner alive.
  setImmediate(() => process.exit(exitCode));
  throw new Finished();
}

class Finished extends Error {}

function strip({ exitCode: _exitCode, ...summary }: DatabaseResult): DatabaseSummary {
  return summary;
}

async function main(): Promise<void> {
  const started = Date.now();
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'usage-error') {
    sayer(write)(`usage error: ${parsed.message} -- run flyway-runner --help`);
    finish({ ...emptySummary(parsed.database ?? null, parsed.action ?? null), reason: `usage: ${parsed.message}` }, started, null, EXIT.usage);
  }
  const args: RunnerArgs = parsed.args;
  const say = sayer(write);
  say(`database ${args.database}, action ${args.action}${args.requestedAt ? `, requested at ${args.requestedAt}` : ''}`);

  const home = resolve(process.env.FLYWAY_RUNNER_HOME ?? '/var/lib/flyway-runner');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const overrideText = process.env.FLYWAY_RUNNER_DB_ENDPOINT;
  const endpointOverride = overrideText ? parseEndpointOverride(overrideText) : undefined;
  if (overrideText && endpointOverride === undefined) {
    say('error: FLYWAY_RUNNER_DB_ENDPOINT must be host:port or a list of cluster=host:port -- it is a test-only override; unset it on a real host');
    finish({ ...emptySummary(args.database, args.action), reason: 'FLYWAY_RUNNER_DB_ENDPOINT must be host:port or a list of cluster=host:port' }, started, args.requestedAt ?? null, EXIT.config);
  }
  const caOverride = process.env.FLYWAY_RUNNER_CA_BUNDLE;
  if (caOverride) say(`test override: CA bundle ${caOverride} (FLYWAY_RUNNER_CA_BUNDLE)`);
  const ports = createAwsPorts();
  const caFile =
    caOverride ||
    (await resolveCaBundle({
      home,
      source: args.caBundle,
      // The clusters' region (their endpoints' names, which the document passes; the host's VPC is in one region), else the host's.
      region: args.dbEndpoints.map((target) => regionOfEndpoint(target.host)).find((region) => region !== undefined) ?? process.env.AWS_REGION ?? '',
      fetchers: { https: httpsText, s3: async (bucket, key) => (await ports.getObject(bucket, key, null)).toString('utf8') },
      say,
      ...(process.env.FLYWAY_RUNNER_TRUSTSTORE_URL ? { urlTemplate: process.env.FLYWAY_RUNNER_TRUSTSTORE_URL } : {}),
    }));
  const context: RunnerContext = {
    args,
    home,
    flyway: process.env.FLYWAY_RUNNER_FLYWAY ?? 'flyway',
    caFile,
    ports,
    locks: new Locks(home),
    env: { ...process.env, LANG: process.env.LANG ?? 'C.UTF-8' },
    ...(args.secondsLeft === undefined ? {} : { deadlineMs: started + args.secondsLeft * 1000 }),
    ...(endpointOverride ? { endpointOverride } : {}),
  };

  let own: DatabaseResult | undefined;
  if (args.action === 'migrate') {
    submitRequest(home, args.database, { requestedAt: args.requestedAt ?? null, submittedAt: new Date().toISOString(), pid: process.pid });
  } else {
    const actions = new OperatorActions(context, args.database, say);
    own = args.action === 'repair' ? await actions.repair() : await actions.readOnly(args.action);
  }
  // After its own action every command runs the requests no run holds (for migrate: its own first).
  const ran = await runRequests(context, args.action === 'migrate' ? args.database : undefined);
  if (args.action === 'migrate') {
    own = ran.get(args.database);
    ran.delete(args.database);
  }
  const also = [...ran.values()];
  context.ports.destroy();
  if (own === undefined) {
    const reason = `handed to the run already active for ${args.database} or waiting for a free slot (--max-parallel ${args.maxParallel}); that run takes this request`;
    say(`queued: ${reason}`);
    own = { ...emptySummary(args.database, args.action), status: 'queued', reason, exitCode: EXIT.ok };
  }
  const exitCode = [own, ...also].map((result) => result.exitCode).find((code) => code !== EXIT.ok) ?? EXIT.ok;
  finish(strip(own), started, args.requestedAt ?? null, exitCode, also.map(strip));
}

main().catch((error: unknown) => {
  if (error instanceof Finished) return;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  write(`flyway-runner: error: unexpected failure in flyway-runner: ${message} -- see the lines above; please report it\n`);
  try {
    finish({ ...emptySummary(null, null), reason: 'unexpected error in flyway-runner' }, Date.now(), null, EXIT.unexpected);
  } catch {
    // finished
  }
});

