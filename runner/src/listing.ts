// Which objects of a bucket a pass syncs and runs. Pure: the bucket's current object versions in,
// the accepted migration files (by the shared naming rules), the rejected keys with their reasons,
// and a digest of the accepted content out.

import { createHash } from 'node:crypto';
import { classifyKey } from '../../common/src/flyway-name';
import type { RejectedObject } from '../../common/src/runner-output';
import { normalizeVersion } from '../../common/src/version';

export interface BucketObject {
  key: string;
  versionId: string | null;
  etag: string;
  size: number;
}

export interface MigrationFile extends BucketObject {
  kind: 'versioned' | 'repeatable' | 'callback';
  /** Versioned migrations only. */
  version?: string;
  description?: string;
}

export interface Listing {
  accepted: MigrationFile[];
  rejected: (RejectedObject & { versionId: string | null })[];
  /** Hash of the accepted keys and their content (ETags): equal digests, equal files. */
  contentDigest: string;
}

export const CALLBACKS_OFF_REASON = 'SQL callback, and callbacks are off for this database: set callbacks = true for it in the module, or delete the object';
const FIX = 'delete or rename the object';

export function classifyListing(objects: readonly BucketObject[], options: { callbacks: boolean }): Listing {
  const accepted: MigrationFile[] = [];
  const rejected: Listing['rejected'] = [];
  for (const object of [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const classification = classifyKey(object.key);
    switch (classification.kind) {
      case 'ignored':
        break;
      case 'rejected':
        rejected.push({ key: object.key, versionId: object.versionId, reason: `${classification.reason}; ${FIX}` });
        break;
      case 'callback':
        if (options.callbacks) accepted.push({ ...object, kind: 'callback' });
        else rejected.push({ key: object.key, versionId: object.versionId, reason: CALLBACKS_OFF_REASON });
        break;
      case 'versioned':
        accepted.push({ ...object, kind: 'versioned', version: classification.version, description: classification.description });
        break;
      case 'repeatable':
        accepted.push({ ...object, kind: 'repeatable', description: classification.description });
        break;
    }
  }
  const contentDigest = createHash('sha256')
    .update(JSON.stringify(accepted.map((file) => [file.key, file.etag])))
    .digest('hex');
  return { accepted, rejected, contentDigest };
}

/** The same object versions (the settle check: nothing was added, replaced or deleted). */
export function sameObjects(a: readonly BucketObject[], b: readonly BucketObject[]): boolean {
  const text = (objects: readonly BucketObject[]) =>
    JSON.stringify(objects.map((o) => [o.key, o.versionId, o.etag]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)));
  return a.length === b.length && text(a) === text(b);
}

export interface Conflict {
  what: string;
  keys: string[];
}

/**
 * Files Flyway would refuse together: two versioned migrations with the same version (V1, V01 and
 * V1.0 are one version to Flyway) or two repeatables with the same description.
 */
export function conflicts(files: readonly MigrationFile[]): Conflict[] {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const id =
      file.kind === 'versioned' ? `version ${normalizeVersion(file.version ?? '')}` : file.kind === 'repeatable' ? `repeatable "${file.description}"` : undefined;
    if (id === undefined) continue;
    groups.set(id, [...(groups.get(id) ?? []), file.key]);
  }
  return [...groups.entries()].filter(([, keys]) => keys.length > 1).map(([what, keys]) => ({ what, keys }));
}

/** The key of the accepted file with this version, for messages that name files. */
export function keyOfVersion(files: readonly MigrationFile[], version: string): string | undefined {
  const wanted = normalizeVersion(version);
  return files.find((file) => file.kind === 'versioned' && normalizeVersion(file.version ?? '') === wanted)?.key;
}

