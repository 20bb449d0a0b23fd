// The database's outcome record as a history: the bucket is versioned, so every pass's record is
// kept as a version of .flyway/outcome.json. A push judges its upload by the records written after
// it (selectOutcome in common/src/outcome.ts), so a later pass can neither hide nor blame it; the
// record versions already read are cached (a version never changes).

import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { OUTCOME_KEY, type OutcomeRecord } from '../../common/src/outcome';
import { step } from './errors';

export interface RecordVersion {
  versionId: string;
  record: OutcomeRecord;
}

export class OutcomeHistory {
  private readonly records = new Map<string, OutcomeRecord>();

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The record's version ids, newest first, up to (not including) `stopAt`. */
  private async versionIds(stopAt?: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    const ids: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await step(`listing the outcome records of s3://${this.bucket}`, () =>
        this.s3.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: OUTCOME_KEY, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker })),
      );
      for (const version of page.Versions ?? []) {
        if (version.Key !== OUTCOME_KEY || version.VersionId === undefined) continue;
        if (version.VersionId === stopAt) return ids;
        ids.push(version.VersionId);
        if (ids.length >= limit) return ids;
      }
      keyMarker = page.IsTruncated === true ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated === true ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return ids;
  }

  private async read(versionId: string): Promise<OutcomeRecord> {
    const cached = this.records.get(versionId);
    if (cached !== undefined) return cached;
    const record = await step(`reading s3://${this.bucket}/${OUTCOME_KEY} (version ${versionId})`, async () => {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: OUTCOME_KEY, VersionId: versionId }));
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as OutcomeRecord;
    });
    this.records.set(versionId, record);
    return record;
  }

  /** The version id of the newest record now (undefined: none yet); records after it are "since" it. */
  async newestVersionId(): Promise<string | undefined> {
    return (await this.versionIds(undefined, 1))[0];
  }

  /** The records written after the version `after` (all when undefined), oldest first. */
  async since(after: string | undefined): Promise<OutcomeRecord[]> {
    const ids = await this.versionIds(after);
    const records: OutcomeRecord[] = [];
    for (const id of ids.reverse()) records.push(await this.read(id));
    return records;
  }

  /** The newest record that satisfies `wanted`, reading back from the newest (undefined: none). */
  async newest(wanted: (record: OutcomeRecord) => boolean): Promise<OutcomeRecord | undefined> {
    for (const id of await this.versionIds()) {
      const record = await this.read(id);
      if (wanted(record)) return record;
    }
    return undefined;
  }
}
