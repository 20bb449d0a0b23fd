// Migrate requests waiting for a database's run: one small file each in <home>/<key>/requests/.
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

let sequence = 0;

function requestsDir(home: string, database: string): string {
  return join(home, database, 'requests');
}

export function submitRequest(home: string, database: string, request: MigrateRequest): void {
  const dir = requestsDir(home, database);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  sequence += 1;
  const name = `${Date.now()}-${process.pid}-${sequence}`;
  // Written aside, then renamed: a reader never sees half a request.
  const temp = join(dir, `.${name}.tmp`);
  writeFileSync(temp, JSON.stringify(request), { mode: 0o600 });
  renameSync(temp, join(dir, `${name}.json`));
}

/** Removes and returns the database's pending requests, oldest first. */
export function takeRequests(home: string, database: string): MigrateRequest[] {
  const dir = requestsDir(home, database);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const taken: MigrateRequest[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      const request = JSON.parse(readFileSync(path, 'utf8')) as MigrateRequest;
      rmSync(path);
      taken.push(request);
    } catch {
      // Taken by another run in between, or unreadable: either way not ours to run twice.
      rmSync(path, { force: true });
    }
  }
  return taken;
}

/** Databases that have pending requests. */
export function databasesWithRequests(home: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(home);
  } catch {
    return [];
  }
  return entries.filter((database) => {
    if (!DATABASE_KEY_PATTERN.test(database)) return false;
    try {
      return readdirSync(requestsDir(home, database)).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
}
