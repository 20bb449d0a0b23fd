// Brings a local folder to exactly the accepted files of a bucket listing: downloads the object
// versions it does not have yet (by version id, so what is run is what was listed), deletes local
// files that are no longer accepted. An index of what each local file holds (key -> ETag) makes
// later passes download only what changed.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Ports } from './aws';
import type { MigrationFile } from './listing';

const INDEX = '.synced.json';
const PARALLEL_DOWNLOADS = 8;

type Index = Record<string, string>;

function readIndex(dir: string): Index {
  try {
    return JSON.parse(readFileSync(join(dir, INDEX), 'utf8')) as Index;
  } catch {
    return {};
  }
}

function localFiles(dir: string, base = dir): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return localFiles(path, base);
    return entry.name === INDEX ? [] : [relative(base, path)];
  });
}

function removeEmptyFolders(dir: string, root: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(join(dir, entry.name), root);
  }
  if (dir !== root && readdirSync(dir).length === 0) rmdirSync(dir);
}

/** A download that failed (past the SDK's retries): which object, and S3's error. */
export class DownloadFailed extends Error {
  override readonly name = 'DownloadFailed';
  constructor(
    readonly key: string,
    readonly versionId: string | null,
    override readonly cause: unknown,
  ) {
    super(`cannot download ${key}`);
  }
}

export interface SyncResult {
  downloaded: number;
  deleted: number;
  bytes: number;
}

export async function syncFiles(ports: Ports, bucket: string, files: readonly MigrationFile[], dir: string): Promise<SyncResult> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const index = readIndex(dir);
  const wanted = new Map(files.map((file) => [file.key, file]));
  let deleted = 0;
  for (const path of localFiles(dir)) {
    const file = wanted.get(path);
    if (file === undefined || index[path] !== file.etag) {
      rmSync(join(dir, path), { force: true });
      delete index[path];
      if (file === undefined) deleted += 1;
    }
  }
  removeEmptyFolders(dir, dir);
  const missing = files.filter((file) => index[file.key] !== file.etag);
  let bytes = 0;
  let next = 0;
  let failed: DownloadFailed | undefined;
  const worker = async () => {
    // After a failed download no other starts; those under way finish, so the index written
    // below matches the folder.
    while (failed === undefined && next < missing.length) {
      const file = missing[next];
      next += 1;
      let body: Buffer;
      try {
        body = await ports.getObject(bucket, file.key, file.versionId);
      } catch (error) {
        failed ??= new DownloadFailed(file.key, file.versionId, error);
        return;
      }
      const target = join(dir, file.key);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(`${target}.part`, body, { mode: 0o600 });
      renameSync(`${target}.part`, target);
      index[file.key] = file.etag;
      bytes += body.length;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, missing.length) }, worker));
  } finally {
    writeFileSync(join(dir, INDEX), JSON.stringify(index), { mode: 0o600 });
  }
  if (failed !== undefined) throw failed;
  return { downloaded: missing.length, deleted, bytes };
}
