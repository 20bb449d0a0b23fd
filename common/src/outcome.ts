// The outcome record: what the last migrate (or repair) pass of a database did, written by the
// host runner into the database's own bucket after every pass, so that anyone who may read the
// bucket (the client, CI, a person with the console) learns the result through the AWS API
// instead of from logs. Its key does not end in `.sql`, so writing it triggers nothing.

import type { RejectedObject } from './runner-output';

export const OUTCOME_KEY = '.flyway/outcome.json';
export const OUTCOME_SCHEMA = 1;

/** An object version a pass covered: the exact bytes Flyway saw (or would have seen). */
export interface CoveredObject {
  key: string;
  version_id: string | null;
  etag: string;
}

export interface OutcomeRecord {
  schema: typeof OUTCOME_SCHEMA;
  database: string;
  action: 'migrate' | 'repair';
  /** `success` also for a pass that found nothing to do (the database already matched). */
  status: 'success' | 'failed';
  /** What failed and what to do, for a failed pass. */
  reason: string | null;
  schema_version: string | null;
  schema_version_before: string | null;
  migrations_applied: number;
  /** Every accepted migration object of the bucket at the time of the pass. */
  objects: CoveredObject[];
  rejected: RejectedObject[];
  requested_at: string | null;
  started_at: string;
  finished_at: string;
  exit_code: number;
  flyway_exit_code: number | null;
  /** Content hash of the accepted listing and of the settings the pass ran with. */
  content_digest: string;
  settings_digest: string;
}

/** True when the record's pass saw every one of these object versions (the client waits for this). */
export function coversVersions(record: OutcomeRecord, versions: readonly { key: string; versionId: string | null }[]): boolean {
  const seen = new Set(record.objects.map((object) => `${object.key}\u0000${object.version_id ?? ''}`));
  return versions.every((version) => seen.has(`${version.key}\u0000${version.versionId ?? ''}`));
}
