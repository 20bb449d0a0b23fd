// What a push must do, decided from the local files and the bucket's current objects (pure).
// An applied versioned migration must never change: Flyway stores each one's checksum and fails
// validation when the file differs. So a changed V file is refused unless --allow-modify (for a
// version that never reached the database). Repeatable and callback files are meant to change.

import { classifyKey } from '../../common/src/flyway-name';
import { runnerVerdict } from '../../common/src/runner-rules';
import { normalizeVersion } from '../../common/src/version';

export interface RemoteObject {
  key: string;
  /** Whether the object holds exactly the local bytes. */
  sameAs(content: Buffer): Promise<boolean>;
}

export type FileAction = 'upload-new' | 'upload-changed' | 'unchanged' | 'refused-modified';

export interface PlannedFile {
  name: string;
  action: FileAction;
}

export interface PushPlan {
  files: PlannedFile[];
  /** Versioned files whose bucket copy differs (refused without --allow-modify). */
  refused: string[];
  uploads: string[];
}

export async function planPush(local: readonly { name: string; content: Buffer }[], remote: ReadonlyMap<string, RemoteObject>, allowModify: boolean): Promise<PushPlan> {
  const files: PlannedFile[] = [];
  for (const file of local) {
    const existing = remote.get(file.name);
    if (existing === undefined) {
      files.push({ name: file.name, action: 'upload-new' });
      continue;
    }
    if (await existing.sameAs(file.content)) {
      files.push({ name: file.name, action: 'unchanged' });
      continue;
    }
    const versioned = classifyKey(file.name).kind === 'versioned';
    files.push({ name: file.name, action: versioned && !allowModify ? 'refused-modified' : 'upload-changed' });
  }
  return {
    files,
    refused: files.filter((file) => file.action === 'refused-modified').map((file) => file.name),
    uploads: files.filter((file) => file.action === 'upload-new' || file.action === 'upload-changed').map((file) => file.name),
  };
}

/** A file push will not upload because the runner would not run it (its reason is the runner's). */
export interface Refusal {
  name: string;
  reason: string;
}

/**
 * Files the runner would leave out or refuse, decided by the runner's own rules before anything is
 * uploaded: a name or a callback it does not run, and a version that another key in the bucket
 * already claims (the runner stops the pass for two files with one version). Pure.
 */
export function runnerRefusals(uploads: readonly string[], remoteKeys: readonly string[], options: { callbacks: boolean }): Refusal[] {
  const refusals: Refusal[] = [];
  const claimed = new Map<string, string>();
  for (const key of remoteKeys) {
    const classification = classifyKey(key);
    if (classification.kind === 'versioned') claimed.set(normalizeVersion(classification.version), key);
  }
  for (const name of uploads) {
    const verdict = runnerVerdict(name, options);
    if (!verdict.run) {
      refusals.push({ name, reason: verdict.reason });
      continue;
    }
    if (verdict.classification.kind !== 'versioned') continue;
    const holder = claimed.get(normalizeVersion(verdict.classification.version));
    if (holder !== undefined && holder !== name) refusals.push({ name, reason: `version ${verdict.classification.version} is already claimed by ${holder} in the bucket, and the runner stops a pass for two files with one version: delete one of them or give this one the next version` });
  }
  return refusals;
}
