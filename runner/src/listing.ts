// Which objects of a bucket a pass syncs and runs. Pure: the bucket's current object versions in,
// the accepted migration files (by the shared naming rules), the rejected keys with their reasons,
// and a digest of the accepted content out.

import { createHash } from 'node:crypto';
import { classifyKey } from '../../common/src/flyway-name';
import { runnerVerdict } from '../../common/src/runner-rules';
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

export function classifyListing(objects: readonly BucketObject[], options: { callbacks: boolean }): Listing {
  const accepted: MigrationFile[] = [];
  const rejected: Listing['rejected'] = [];
  for (const object of [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const verdict = runnerVerdict(object.key, options);
    if (!verdict.run) {
      if (!verdict.ignored) rejected.push({ key: object.key, versionId: object.versionId, reason: verdict.reason });
      continue;
    }
    const { classification } = verdict;
    if (classification.kind === 'versioned') accepted.push({ ...object, kind: 'versioned', version: classification.version, description: classification.description });
    else if (classification.kind === 'repeatable') accepted.push({ ...object, kind: 'repeatable', description: classification.description });
    else accepted.push({ ...object, kind: 'callback' });
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


/** A multipart upload S3 reports as begun and neither completed nor aborted. */
export interface UploadInProgress {
  key: string;
  uploadId: string;
  initiated: Date | undefined;
}

/** An upload begun longer ago than this is taken as abandoned (the bucket's lifecycle aborts it after 7 days). */
export const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Which uploads in progress a pass must wait for: those of keys the naming rules accept as
 * migrations, begun within the last hour. A pass that started without one of them could apply a
 * higher version first, after which Flyway refuses the lower one. Older ones are reported as
 * abandoned and not waited for. Pure.
 */
export function uploadsToWaitFor(uploads: readonly UploadInProgress[], nowMs: number): { waitFor: UploadInProgress[]; abandoned: UploadInProgress[] } {
  const migrations = uploads.filter((upload) => ['versioned', 'repeatable', 'callback'].includes(classifyKey(upload.key).kind));
  const isAbandoned = (upload: UploadInProgress) => upload.initiated !== undefined && nowMs - upload.initiated.getTime() > ABANDONED_AFTER_MS;
  return { waitFor: migrations.filter((upload) => !isAbandoned(upload)), abandoned: migrations.filter(isAbandoned) };
}
