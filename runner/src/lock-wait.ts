// A migration that gave up waiting for a lock (the database's lock timeout): whether trying it
// again is safe, what must be undone first, and what to tell the person when it still fails. Pure.
//
// Safe means nothing of it was applied:
// - PostgreSQL ran it in a transaction and rolled it back (Flyway recorded nothing);
// - otherwise (PostgreSQL CONCURRENTLY, which runs outside a transaction, or any MySQL migration,
//   whose DDL commits at once) only when the statement that timed out is the file's first: Flyway
//   then recorded the migration as failed, which a repair removes. A CREATE INDEX CONCURRENTLY that
//   timed out leaves an INVALID index of its name behind, which is dropped before the retry.

import type { FlywayError } from './flyway';
import type { Engine } from './settings';

/** A session that held what a migration waited for, as pg_stat_activity shows it. */
export interface Blocker {
  pid: number;
  user: string;
  application: string;
  state: string;
  /** Seconds since its transaction (or, outside one, its query) began. */
  seconds: number;
  /** The first characters of its current or last query. */
  query: string;
}

export interface LockTimeout {
  /** The failing statement's line in its file. */
  line?: number;
  statement?: string;
  path?: string;
}

/** PostgreSQL's lock_not_available (55P03), MySQL/MariaDB's ER_LOCK_WAIT_TIMEOUT (1205). */
export function lockTimeoutOf(error: FlywayError | undefined, engine: Engine): LockTimeout | undefined {
  const message = error?.message ?? '';
  const timedOut = engine === 'postgresql'
    ? /SQL State\s*:\s*55P03/.test(message) || /canceling statement due to lock timeout/.test(message)
    : /Error Code\s*:\s*1205\b/.test(message) || /Lock wait timeout exceeded/.test(message);
  if (!timedOut) return undefined;
  const line = /^Line\s*:\s*(\d+)/m.exec(message)?.[1];
  const statement = /^Statement\s*:\s*(.*)$/m.exec(message)?.[1]?.trim();
  return {
    ...(line === undefined ? {} : { line: Number(line) }),
    ...(statement === undefined ? {} : { statement }),
    ...(error?.path === undefined ? {} : { path: error.path }),
  };
}

export interface LockWait extends LockTimeout {
  blockers: Blocker[];
  /** Nothing of the migration stayed applied (rolled back, or the failed attempt undone). */
  nothingApplied: boolean;
  /** Flyway migrate attempts made. */
  attempts?: number;
  /** What it left (a failed CONCURRENTLY attempt) is undone by the next migrate, once the blocker is gone. */
  undoneByNextMigrate?: boolean;
  /** Why it was not tried again, when retries were left. */
  notRetried?: string;
}

export type RetryPlan =
  | { retry: true; repair: boolean; dropInvalidIndex?: string }
  | { retry: false; why: string };

/**
 * `recordedFailed`: Flyway recorded the migration as failed (it ran outside a transaction);
 * `firstStatementLine`: the line of the file's first statement.
 */
export function retryPlan(timeout: LockTimeout, facts: { recordedFailed: boolean; firstStatementLine?: number }): RetryPlan {
  if (!facts.recordedFailed) return { retry: true, repair: false };
  if (timeout.line === undefined || facts.firstStatementLine === undefined || timeout.line > facts.firstStatementLine) {
    return { retry: false, why: 'statements before the one that timed out were applied (they ran outside a transaction), so the migration cannot simply run again' };
  }
  const index = invalidIndexLeftBy(timeout.statement ?? '');
  return { retry: true, repair: true, ...(index === undefined ? {} : { dropInvalidIndex: index }) };
}

/** The index a CREATE INDEX CONCURRENTLY statement names (PostgreSQL leaves it INVALID when it fails part way). */
export function invalidIndexLeftBy(statement: string): string | undefined {
  const match = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)/i.exec(statement);
  // Blanks around the dot go; blanks inside a "quoted" name stay.
  return match?.[1]?.replace(/("[^"]*")|\s+/g, (_blank, quoted: string | undefined) => quoted ?? '');
}

/** The version in Flyway's "Detected failed migration to version 3 (...)" (validation refuses to migrate past it). */
export function failedVersionOf(error: FlywayError | undefined): string | undefined {
  return /Detected failed migration to version (\S+?)[.,]?(?:\s|$)/.exec(error?.message ?? '')?.[1];
}

/**
 * The index a file creates when it holds exactly one CREATE INDEX CONCURRENTLY and nothing else
 * (comments aside): such a migration, failed, left at most that INVALID index and its failed row,
 * so undoing both restores the state before it.
 */
export function soleConcurrentIndex(text: string): string | undefined {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ').trim();
  if (!/^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b[^;]*;?$/i.test(code)) return undefined;
  return invalidIndexLeftBy(code);
}

/** The line of a file's first statement: after blanks, line comments (`--`, on MySQL `#` too) and block comments. */
export function firstStatementLine(text: string, engine: Engine): number | undefined {
  let line = 1;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\n') {
      line += 1;
      i += 1;
    } else if (/\s/.test(text[i])) {
      i += 1;
    } else if (text.startsWith('--', i) || (engine === 'mysql' && text[i] === '#')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      line += (text.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop;
    } else {
      return line;
    }
  }
  return undefined;
}

/** Waits before each retry: 2 s, 4 s, 8 s, ... at most 30 s. */
export function backoffMs(retry: number): number {
  return Math.min(30_000, 2_000 * 2 ** (retry - 1));
}

/** One line per blocker, for the outcome record and the command output. */
export function describeBlockers(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'the sessions holding the lock could not be named (gone before the runner looked, or not visible to the login)';
  return blockers
    .map((blocker) => `pid ${blocker.pid} (user ${blocker.user || '?'}, application ${blocker.application || '(none)'}, ${blocker.state || 'state unknown'} for ${blocker.seconds} s${blocker.query === '' ? '' : `, query: ${JSON.stringify(blocker.query)}`})`)
    .join('; ');
}

/** What to do about them. */
export function blockersTodo(blockers: readonly Blocker[], engine: Engine, database: string): string {
  const pids = blockers.map((blocker) => blocker.pid);
  const end = engine === 'postgresql' && pids.length > 0
    ? `let those sessions finish, or end them (SELECT pg_terminate_backend(pid) for ${pids.join(', ')})`
    : `find the long transactions on the table (${engine === 'postgresql' ? 'pg_stat_activity, pg_locks' : 'SHOW PROCESSLIST, information_schema.INNODB_TRX'}) and let them finish or end them`;
  return `${end}; then run the migration again (aurora-flyway run ${database} migrate, or upload again). Raise lock_timeout_seconds only if the queries queued behind the migration can wait that long`;
}
