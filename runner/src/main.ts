// flyway-runner: the Flyway host's runner, started by the module's SSM Command document
// (`node flyway-runner.js --help` for the contract). Parses the arguments, hands a migrate request
// to the database's run (or becomes it), runs info/validate/repair, prints one JSON summary line
// last and exits with the code of what happened.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseSummary } from '../../common/src/runner-output';
import { parseArgs, parseEndpoint, USAGE, type RunnerArgs } from './args';
import { createAwsPorts } from './aws';
import { rdsCaBundle } from './ca-bundle';
import { DatabaseRun, type DatabaseResult, type RunnerContext } from './database-run';
import { EXIT, type ExitCode } from './failure';
import { databaseLockName, Locks } from './locks';
import { emptySummary, sayer, summaryLine } from './output';
import { databasesWithRequests, submitRequest, takeRequests } from './requests';

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

/**
 * migrate: submit the request, then run databases with pending requests while a host slot and the
 * database's lock can be had. Requests are written before locks are tried and checked again after
 * locks are released, so a request is always left to a run that will see it.
 */
async function migrate(context: RunnerContext): Promise<{ own?: DatabaseResult; also: DatabaseResult[] }> {
  const { args, home, locks } = context;
  submitRequest(home, args.database, { requestedAt: args.requestedAt ?? null, submittedAt: new Date().toISOString(), pid: process.pid });
  const results = new Map<string, DatabaseResult>();
  for (;;) {
    const slot = await locks.trySlot(args.maxParallel);
    if (slot === undefined) break;
    try {
      const candidates = [args.database, ...databasesWithRequests(home).filter((database) => database !== args.database)];
      for (const database of candidates) {
        const lock = await locks.tryLock(databaseLockName(database));
        if (lock === undefined) continue;
        try {
          const requests = takeRequests(home, database);
          if (requests.length === 0) continue;
          const say = sayer(write, database === args.database ? undefined : database);
          if (database !== args.database) say(`running the queued request(s) of ${database}`);
          const result = await new DatabaseRun(context, database, say).migrateUntilStable(requests);
          const earlier = results.get(database);
          results.set(database, earlier === undefined ? result : { ...result, schema_version_before: earlier.schema_version_before, migrations_applied: earlier.migrations_applied + result.migrations_applied, passes: earlier.passes + result.passes });
        } finally {
          await lock.release();
        }
      }
    } finally {
      await slot.release();
    }
    // Locks are released: a request written meanwhile for a database nobody runs is ours to take.
    let unattended = false;
    for (const database of databasesWithRequests(home)) {
      if (!(await locks.isHeld(databaseLockName(database)))) {
        unattended = true;
        break;
      }
    }
    if (!unattended) break;
  }
  const own = results.get(args.database);
  results.delete(args.database);
  return { ...(own === undefined ? {} : { own }), also: [...results.values()] };
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
  const endpointOverride = overrideText ? parseEndpoint(overrideText) : undefined;
  if (overrideText && endpointOverride === undefined) {
    say('error: FLYWAY_RUNNER_DB_ENDPOINT must be host:port -- it is a test-only override; unset it on a real host');
    finish({ ...emptySummary(args.database, args.action), reason: 'FLYWAY_RUNNER_DB_ENDPOINT must be host:port' }, started, args.requestedAt ?? null, EXIT.config);
  }
  const caOverride = process.env.FLYWAY_RUNNER_CA_BUNDLE;
  if (caOverride) say(`test override: CA bundle ${caOverride} (FLYWAY_RUNNER_CA_BUNDLE)`);
  const context: RunnerContext = {
    args,
    home,
    flyway: process.env.FLYWAY_RUNNER_FLYWAY ?? 'flyway',
    caFile: caOverride || rdsCaBundle(home),
    ports: createAwsPorts(),
    locks: new Locks(home),
    env: { ...process.env, LANG: process.env.LANG ?? 'C.UTF-8' },
    ...(endpointOverride ? { endpointOverride } : {}),
  };

  let own: DatabaseResult | undefined;
  let also: DatabaseResult[] = [];
  switch (args.action) {
    case 'migrate': {
      ({ own, also } = await migrate(context));
      break;
    }
    case 'info':
    case 'validate':
      own = await new DatabaseRun(context, args.database, say).readOnly(args.action);
      break;
    case 'repair':
      own = await new DatabaseRun(context, args.database, say).repair();
      break;
  }
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

