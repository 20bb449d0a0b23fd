// The run's local memory of a database's last migrate pass (<home>/<key>/last-pass.json): what the
// skip decision compares (a pass that succeeded on the same files with the same settings changes
// nothing), and the schema version Flyway last reported, for passes that stop before Flyway runs.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoveredObject } from '../../common/src/outcome';

export interface LastPass {
  /** Only `success` lets a later pass be skipped; after a failure or a repair the next one always runs. */
  status: 'success' | 'failed' | 'repaired';
  content_digest: string;
  settings_digest: string;
  schema_version: string | null;
  finished_at: string;
  objects: CoveredObject[];
}

const pathOf = (dir: string) => join(dir, 'last-pass.json');

export function readLastPass(dir: string): LastPass | undefined {
  try {
    return JSON.parse(readFileSync(pathOf(dir), 'utf8')) as LastPass;
  } catch {
    return undefined;
  }
}

export function writeLastPass(dir: string, lastPass: LastPass): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(pathOf(dir), JSON.stringify(lastPass), { mode: 0o600 });
}

/** Whether a pass on these files and settings can be skipped: the last one succeeded on exactly them. */
export function canSkip(last: LastPass | undefined, contentDigest: string, settingsDigest: string): last is LastPass {
  return last?.status === 'success' && last.content_digest === contentDigest && last.settings_digest === settingsDigest;
}
