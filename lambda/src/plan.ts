// Decides, without I/O, what one invocation does with its upload records: which databases get
// a run (and for which records), which keys are rejected or ignored, and which records came
// from a bucket the configuration does not know.

import type { UploadRecord } from './s3-event';
import { classifyKey, type RejectionCode } from '../../common/src/flyway-name';

export interface DatabaseRun {
  database: string;
  /** Accepted records, in event order; each gets the command id tag. */
  records: UploadRecord[];
  /** Newest eventTime among `records` (the runner's coalescing input). */
  requestedAt: string;
  /** The newest record: named in the command comment. */
  newest: UploadRecord;
}

export interface Rejection {
  record: UploadRecord;
  database: string;
  code: RejectionCode;
  reason: string;
}

export interface Ignored {
  record: UploadRecord;
  reason: string;
}

export interface UnknownBucket {
  bucket: string;
  records: UploadRecord[];
}

export interface Plan {
  runs: DatabaseRun[];
  rejections: Rejection[];
  ignored: Ignored[];
  unknownBuckets: UnknownBucket[];
}

export function planInvocation(records: readonly UploadRecord[], databasesByBucket: ReadonlyMap<string, string>): Plan {
  const runs = new Map<string, DatabaseRun>();
  const unknown = new Map<string, UnknownBucket>();
  const plan: Plan = { runs: [], rejections: [], ignored: [], unknownBuckets: [] };

  for (const record of records) {
    // The bucket notification already filters on the suffix, in each of its cases; the shared rules
    // decide the rest: a key not ending in .sql in any case is a stray, one ending in .SQL is rejected.
    const classification = classifyKey(record.key);
    if (classification.kind === 'ignored') {
      plan.ignored.push({ record, reason: classification.reason });
      continue;
    }
    const database = databasesByBucket.get(record.bucket);
    if (database === undefined) {
      const entry = unknown.get(record.bucket) ?? { bucket: record.bucket, records: [] };
      entry.records.push(record);
      unknown.set(record.bucket, entry);
      continue;
    }
    if (classification.kind === 'rejected') {
      plan.rejections.push({ record, database, code: classification.code, reason: classification.reason });
      continue;
    }
    const run = runs.get(database);
    if (run === undefined) {
      runs.set(database, { database, records: [record], requestedAt: record.eventTime, newest: record });
    } else {
      run.records.push(record);
      // ISO-8601 UTC strings of equal shape compare correctly as text; ties go to the later record.
      if (record.eventTime >= run.requestedAt) {
        run.requestedAt = record.eventTime;
        run.newest = record;
      }
    }
  }
  plan.runs = [...runs.values()];
  plan.unknownBuckets = [...unknown.values()];
  return plan;
}
