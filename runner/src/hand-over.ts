// The host-wide hand-over: a command runs the databases that have requests (its own first) while
// a host slot and the database's lock can be had, so that at most --max-parallel databases migrate
// at once and a command that finds its database's run active ends at once ("queued"), its request
// taken by that run. Requests are written before locks are tried and checked again after locks are
// released, so a request is always left to a run that will see it; requests that a dead run left
// behind are taken over the same way (requests.ts). Every command does this after its own action:
// a migrate handed over while info, validate or repair ran is run by the same command right after.

import type { DatabaseResult, RunnerContext } from './context';
import { databaseLockName } from './locks';
import { MigrateRun } from './migrate-run';
import { sayer } from './output';
import { databasesWithRequests } from './requests';

const write = (text: string) => process.stdout.write(text);

/** Runs the requests no run holds (`own`'s first); the results by database. */
export async function runRequests(context: RunnerContext, own?: string): Promise<Map<string, DatabaseResult>> {
  const { args, home, locks } = context;
  const results = new Map<string, DatabaseResult>();
  // A database whose run ended with requests it could not record is left to the next command.
  const leftAlone = new Set<string>();
  for (;;) {
    const slot = await locks.trySlot(args.maxParallel);
    if (slot === undefined) break;
    try {
      const candidates = [...(own === undefined ? [] : [own]), ...databasesWithRequests(home).filter((database) => database !== own)].filter((database) => !leftAlone.has(database));
      for (const database of candidates) {
        const lock = await locks.tryLock(databaseLockName(database));
        if (lock === undefined) continue;
        try {
          const say = sayer(write, database === own ? undefined : database);
          const run = new MigrateRun(context, database, say);
          const requests = run.take();
          if (requests.length === 0) continue;
          if (database !== own) say(`running the queued request(s) of ${database}`);
          const { result, leftRequests } = await run.run(requests);
          if (leftRequests) leftAlone.add(database);
          const earlier = results.get(database);
          results.set(
            database,
            earlier === undefined
              ? result
              : { ...result, schema_version_before: earlier.schema_version_before, migrations_applied: earlier.migrations_applied + result.migrations_applied, passes: earlier.passes + result.passes, exitCode: earlier.exitCode !== 0 ? earlier.exitCode : result.exitCode },
          );
        } finally {
          await lock.release();
        }
      }
    } finally {
      await slot.release();
    }
    // Locks are released: a request written meanwhile for a database nobody runs is ours to take.
    let unattended = false;
    for (const database of databasesWithRequests(home).filter((candidate) => !leftAlone.has(candidate))) {
      if (!(await locks.isHeld(databaseLockName(database)))) {
        unattended = true;
        break;
      }
    }
    if (!unattended) break;
  }
  return results;
}
