// The demo's command line (scripts/demo passes its arguments through). Pure.

export type DemoEngine = 'postgresql' | 'mysql';

export type DemoCommand =
  | { command: 'up'; keep: boolean; engine: DemoEngine }
  | { command: 'upload'; database: string; files: string[] }
  | { command: 'down' }
  | { command: 'status' }
  | { command: 'help' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const DATABASE_KEY = /^[a-z][a-z0-9_]{0,62}$/;

export function parseDemoArgs(argv: readonly string[]): DemoCommand {
  if (argv.includes('-h') || argv.includes('--help')) return { command: 'help' };
  const [first, ...rest] = argv;
  switch (first) {
    case 'upload': {
      const [database, ...files] = rest;
      if (database === undefined || files.length === 0) throw new UsageError('upload needs a database and at least one file: upload <database> <file.sql>...');
      if (!DATABASE_KEY.test(database)) throw new UsageError(`${JSON.stringify(database)} is not a database key (for example users)`);
      return { command: 'upload', database, files };
    }
    case 'down':
    case 'status':
      if (rest.length > 0) throw new UsageError(`${first} takes no arguments (got ${rest.join(' ')})`);
      return { command: first };
    default: {
      const args = first === 'up' ? rest : argv;
      let keep = false;
      let engine: DemoEngine = 'postgresql';
      for (let i = 0; i < args.length; i += 1) {
        const arg = args[i];
        if (arg === '--keep') keep = true;
        else if (arg === '--engine' || arg.startsWith('--engine=')) {
          const value = arg === '--engine' ? args[(i += 1)] : arg.slice('--engine='.length);
          if (value !== 'postgresql' && value !== 'mysql') throw new UsageError(`--engine must be postgresql or mysql (got ${value === undefined ? "nothing" : JSON.stringify(value)})`);
          engine = value;
        } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
      }
      return { command: 'up', keep, engine };
    }
  }
}

export const USAGE = `Usage: scripts/demo [--keep] [--engine postgresql|mysql]     (npm run demo [-- --keep ...])
       scripts/demo upload <database> <file.sql>...             (a stack kept with --keep)
       scripts/demo status | down | --help

Deploys the real Terraform module to a local AWS emulator (moto), uploads migrations/users and
migrations/products to their buckets and migrates a local database server (PostgreSQL, or MariaDB
with --engine mysql) through the real Lambda package, SSM document, runner and Flyway. A small
harness plays what only AWS does: S3 invoking the Lambda, the SSM agent running the document.
Then terraform destroy, a check that nothing is left, and every process stopped.

  --keep                     leave the stack running; prints how to upload more and tear down
  --engine postgresql|mysql  aurora-postgresql (default) on PostgreSQL, or aurora-mysql on MariaDB
  upload <db> <file>...      upload files to the kept stack's bucket of <db>, show what happened
  status                     show the kept stack (endpoints, pids, buckets)
  down                       terraform destroy the kept stack and stop its processes

Exit code 0 when everything worked, 1 when something failed (the last line says what), 2 usage.`;
