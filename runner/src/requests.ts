// Migrate requests for a database's run, one small file each, durable until the pass that ran
// them is recorded:
//   <home>/<key>/requests/<name>.json         submitted by a command, not taken yet
//   <home>/<key>/requests/taken/<name>.json   taken by the database's run (moved, not deleted)
// A taken request is deleted only after the outcome record of the pass that ran it is written
// (completeRequests), or after a pass that failed before it could record anything because the
// database's settings or bucket are unusable (that command fails and says so). A run that dies (SIGKILL at the command's executionTimeout, a crash, a
// reboot) leaves its taken requests behind; only the holder of the database's lock takes requests,
// and the lock dies with its holder, so whoever holds the lock next takes those over too.
// A command writes its request BEFORE it tries the locks, and a run releases its locks BEFORE it
// looks for requests a last time, so that of any two that race, at least one sees the other: no
// request is ever left behind without a run that will take it.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_KEY_PATTERN } from './args';

export interface MigrateRequest {
  requestedAt: string | null;
  submittedAt: string;
  pid: number;
}

/** A request in the hands of a run: its file name under taken/, and what it asks. */
export interface HeldRequest extends MigrateRequest {
  name: string;
}

let sequence = 0;

function requestsDir(home: string, database: string): string {
  return join(home, database, 'requests');
}

function takenDir(home: string, database: string): string {
  return join(requestsDir(home, database), 'taken');
}

const requestFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
};

export function submitRequest(home: string, database: string, request: MigrateRequest): void {
  const dir = requestsDir(home, database);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  sequence += 1;
  // Time first, zero-padded: names sort in submission order.
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${sequence}`;
  // Written aside, then renamed: a reader never sees half a request.
  const temp = join(dir, `.${name}.tmp`);
  writeFileSync(temp, JSON.stringify(request), { mode: 0o600 });
  renameSync(temp, join(dir, `${name}.json`));
}

/**
 * Takes the database's requests; call it only while holding the database's lock. Moves every
 * submitted request into taken/ and returns every request there that `held` does not name: the
 * ones just taken and those a dead run left behind (taken over). Oldest first. An unreadable
 * file is taken as a request to run (what it asked for is always "run a pass").
 */
export function takeRequests(home: string, database: string, held: ReadonlySet<string> = new Set()): HeldRequest[] {
  const taken = takenDir(home, database);
  const submitted = requestFiles(requestsDir(home, database));
  if (submitted.length > 0) mkdirSync(taken, { recursive: true, mode: 0o700 });
  for (const name of submitted) {
    try {
      renameSync(join(requestsDir(home, database), name), join(taken, name));
    } catch {
      // Gone in between: another run took it (it cannot, without the lock) or it was cleaned up.
    }
  }
  return requestFiles(taken)
    .filter((name) => !held.has(name))
    .map((name) => {
      try {
        return { ...(JSON.parse(readFileSync(join(taken, name), 'utf8')) as MigrateRequest), name };
      } catch {
        return { requestedAt: null, submittedAt: '', pid: 0, name };
      }
    });
}

/** Deletes taken requests once the outcome record of the pass that ran them is written. */
export function completeRequests(home: string, database: string, requests: readonly Pick<HeldRequest, 'name'>[]): void {
  for (const { name } of requests) rmSync(join(takenDir(home, database), name), { force: true });
}

/** Whether the database has requests waiting: submitted ones, or taken ones whose pass was never recorded. */
export function hasRequests(home: string, database: string): boolean {
  return requestFiles(requestsDir(home, database)).length > 0 || requestFiles(takenDir(home, database)).length > 0;
}

/** Databases that have requests waiting (see hasRequests). */
export function databasesWithRequests(home: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(home);
  } catch {
    return [];
  }
  return entries.filter((database) => DATABASE_KEY_PATTERN.test(database) && hasRequests(home, database));
}
