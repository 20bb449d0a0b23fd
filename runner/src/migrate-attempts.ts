// `flyway migrate info`, tried again when a migration gave up waiting for a lock and applied
// nothing (lock-wait.ts decides), a bounded number of times with growing pauses, never past the
// command's deadline. While an attempt runs on PostgreSQL, the runner looks every so often at which
// sessions block Flyway's (pg_blocking_pids), so that a migration that still times out can name them.
//
// A timed-out migration that ran outside a transaction (CREATE INDEX CONCURRENTLY) is undone before
// it runs again: its INVALID index dropped, its failed row removed (flyway repair). While the session
// that blocked it is still there, that undo times out too; it is then tried before each later
// attempt, and by the next command (a failed CONCURRENTLY file of its own blocks Flyway's
// validation: it is undone and run again), so a blocker that goes away leaves nothing to repair by hand.

import { readFileSync } from 'node:fs';
import { mustStopWaiting } from './deadline';
import type { DatabaseClient } from './database';
import { FLYWAY_APPLICATION_NAME, resultOf, runFlyway, type FlywayOptions, type FlywayRun } from './flyway';
import {
  backoffMs,
  failedVersionOf,
  firstStatementLine,
  lockTimeoutOf,
  retryPlan,
  soleConcurrentIndex,
  type Blocker,
  type LockTimeout,
  type LockWait,
} from './lock-wait';
import type { Say } from './output';

export interface Attempts {
  run: FlywayRun;
  /** Flyway migrate runs made (1 without retries). */
  attempts: number;
  /** Set when the last attempt still timed out on a lock. */
  lockWait?: LockWait;
}

export interface AttemptContext {
  options: FlywayOptions;
  client: DatabaseClient | undefined;
  say: Say;
  deadlineMs: number | undefined;
  /** Flyway's info after a failure (which versions it recorded as failed). */
  info: () => Promise<FlywayRun>;
  /** The local path of the file of a version, if the bucket holds one. */
  pathOfVersion: (version: string) => string | undefined;
}

interface Undo {
  repair: boolean;
  dropInvalidIndex?: string;
}

export async function migrateWithRetries(context: AttemptContext): Promise<Attempts> {
  const { options, say } = context;
  const { engine, dbLockTimeoutMs, lockRetries } = options.settings;
  let slowest = 0;
  let recovered = false;
  let pending: Undo | undefined;
  let last: { run: FlywayRun; timeout: LockTimeout } | undefined;
  // Every session seen blocking Flyway's in any attempt, latest sighting per pid.
  const seen = new Map<number, Blocker>();
  const blockers = () => [...seen.values()];
  for (let attempts = 1; ; attempts += 1) {
    if (pending !== undefined && last !== undefined) {
      const undone = await undo(pending, context);
      if (undone !== undefined) {
        if (mayRetry(attempts + 1, lockRetries, slowest, context.deadlineMs) !== undefined) {
          return { run: last.run, attempts: attempts - 1, lockWait: { ...last.timeout, blockers: blockers(), nothingApplied: false, notRetried: undone, undoneByNextMigrate: pending.dropInvalidIndex !== undefined } };
        }
        await pause(attempts, dbLockTimeoutMs, blockers(), say, lockRetries, 'undoing the timed-out attempt');
        continue;
      }
      pending = undefined;
    }
    const began = Date.now();
    const watch = engine === 'postgresql' && dbLockTimeoutMs > 0 && context.client !== undefined ? watchBlockers(context.client, dbLockTimeoutMs) : undefined;
    const run = await runFlyway(options, ['migrate', 'info']).finally(() => watch?.stop());
    slowest = Math.max(slowest, Date.now() - began);
    for (const blocker of (await watch?.seen()) ?? []) seen.set(blocker.pid, blocker);
    const timeout = run.error === undefined ? undefined : lockTimeoutOf(run.error, engine);
    if (timeout === undefined) {
      // An earlier command's CONCURRENTLY file that failed (a lock timeout whose undo could not run
      // then) stops Flyway's validation: undo it and run once more.
      const leftover = recovered || engine !== 'postgresql' ? undefined : failedConcurrentIndex(run, context);
      if (leftover === undefined) return { run, attempts };
      say(`version ${leftover.version} is recorded as failed and its file holds only CREATE INDEX CONCURRENTLY ${leftover.index}: undoing that attempt and running again`);
      recovered = true;
      const undone = await undo({ repair: true, dropInvalidIndex: leftover.index }, context);
      if (undone !== undefined) return { run, attempts };
      attempts -= 1;
      continue;
    }
    last = { run, timeout };
    const plan = retryPlan(timeout, { recordedFailed: recordedFailed(await context.info(), run), ...firstLine(timeout, engine) });
    if (!plan.retry) return { run, attempts, lockWait: { ...timeout, blockers: blockers(), nothingApplied: false, ...(attempts <= lockRetries ? { notRetried: plan.why } : {}) } };
    const needsUndo = plan.repair || plan.dropInvalidIndex !== undefined;
    const stop = mayRetry(attempts + 1, lockRetries, slowest, context.deadlineMs);
    if (stop !== undefined) {
      // Out of retries (or time): still leave the database as it was before the attempt, if the blocker lets us.
      const undone = needsUndo ? await undo(plan, context) : undefined;
      return {
        run,
        attempts,
        lockWait: {
          ...timeout,
          blockers: blockers(),
          nothingApplied: undone === undefined,
          ...(undone !== undefined ? { notRetried: undone, undoneByNextMigrate: plan.dropInvalidIndex !== undefined } : stop === 'time' ? { notRetried: "the command's time is running out" } : {}),
        },
      };
    }
    if (needsUndo) pending = plan;
    await pause(attempts, dbLockTimeoutMs, blockers(), say, lockRetries, 'nothing of it is applied');
  }
}

/** undefined when attempt number `next` may run; else why not. */
function mayRetry(next: number, lockRetries: number, slowestMs: number, deadlineMs: number | undefined): 'retries' | 'time' | undefined {
  if (next > lockRetries + 1) return 'retries';
  if (mustStopWaiting(Date.now() + backoffMs(next - 1) + slowestMs, deadlineMs)) return 'time';
  return undefined;
}

async function pause(attempt: number, lockTimeoutMs: number, blockers: readonly Blocker[], say: Say, lockRetries: number, state: string): Promise<void> {
  const wait = backoffMs(attempt);
  const by = blockers.length > 0 ? `, blocked by pid ${blockers.map((blocker) => blocker.pid).join(', ')}` : '';
  say(`a migration gave up waiting for a lock (lock timeout ${lockTimeoutMs} ms)${by}, ${state}; retry ${attempt} of ${lockRetries} in ${wait / 1000}s`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Undoes a timed-out attempt Flyway recorded as failed; the reason when it could not. */
async function undo(plan: Undo, context: AttemptContext): Promise<string | undefined> {
  if (plan.dropInvalidIndex !== undefined && context.client !== undefined) {
    const error = await context.client.dropInvalidIndex(plan.dropInvalidIndex, context.options.settings.dbLockTimeoutMs);
    if (error !== undefined) {
      return `its INVALID index ${plan.dropInvalidIndex} could not be dropped yet (${error}); the next migrate drops it and runs the migration again once the blocking session is gone (or: DROP INDEX CONCURRENTLY ${plan.dropInvalidIndex}; then run repair)`;
    }
    context.say(`dropped the INVALID index ${plan.dropInvalidIndex} that the failed CREATE INDEX CONCURRENTLY left`);
  }
  if (plan.repair) {
    const repaired = await runFlyway(context.options, ['repair']);
    if (repaired.exitCode !== 0) return 'flyway repair, which removes the failed attempt from the schema history, failed: run aurora-flyway run <database> repair';
    context.say('removed the failed attempt from flyway_schema_history (flyway repair)');
  }
  return undefined;
}

function failedConcurrentIndex(run: FlywayRun, context: AttemptContext): { version: string; index: string } | undefined {
  const version = failedVersionOf(run.error);
  const path = version === undefined ? undefined : context.pathOfVersion(version);
  if (version === undefined || path === undefined) return undefined;
  try {
    const index = soleConcurrentIndex(readFileSync(path, 'utf8'));
    return index === undefined ? undefined : { version, index };
  } catch {
    return undefined;
  }
}

/** Whether Flyway recorded the failing migration as failed (it ran outside a transaction, or on MySQL). */
function recordedFailed(info: FlywayRun, run: FlywayRun): boolean {
  const failedPath = run.error?.path;
  const migrations = resultOf(info, 'info')?.migrations ?? [];
  return migrations.some((migration) => migration.state === 'Failed' && (failedPath === undefined || migration.filepath === failedPath));
}

function firstLine(timeout: LockTimeout, engine: FlywayOptions['settings']['engine']): { firstStatementLine?: number } {
  if (timeout.path === undefined) return {};
  try {
    const line = firstStatementLine(readFileSync(timeout.path, 'utf8'), engine);
    return line === undefined ? {} : { firstStatementLine: line };
  } catch {
    return {};
  }
}

/**
 * Polls pg_blocking_pids for Flyway's sessions while an attempt runs: not before half the lock
 * timeout (a pass that waits less blocks nobody for long), then every quarter of it (at least
 * 0.5 s, at most 2 s), so a wait that ends in the timeout is seen at least once.
 */
function watchBlockers(client: DatabaseClient, lockTimeoutMs: number): { stop: () => void; seen: () => Promise<Blocker[]> } {
  const seen = new Map<number, Blocker>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  const interval = Math.min(2_000, Math.max(500, lockTimeoutMs / 4));
  const poll = () => {
    polling = client.lockBlockers(FLYWAY_APPLICATION_NAME).then((blockers) => {
      for (const blocker of blockers) seen.set(blocker.pid, blocker);
      if (!stopped) timer = setTimeout(poll, interval);
    });
  };
  timer = setTimeout(poll, Math.max(500, Math.min(lockTimeoutMs / 2, 5_000)));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    seen: async () => {
      await polling;
      return [...seen.values()];
    },
  };
}
