// The outcome record: what a migrate (or repair) pass of a database did, written by the host
// runner into the database's own bucket after every pass, so that anyone who may read the bucket
// (the client, CI, a person with the console) learns the result through the AWS API instead of
// from logs. Its key does not end in `.sql`, so writing it triggers nothing. The bucket is
// versioned, so the record's versions are the database's history of passes: a client judges its
// own upload by the oldest migrate record written after it that covers it, never by whatever the
// latest pass wrote (see selectOutcome).

import type { RejectedObject } from './runner-output';

export const OUTCOME_KEY = '.flyway/outcome.json';
/**
 * 2: adds requests, waiting and flyway_error (a version-1 record reads as having none of them), and
 * later tenants (a tenant group's record; readers that know nothing of groups read the group's sum).
 */
export const OUTCOME_SCHEMA = 2;

/** One tenant database of a tenant group, as the group's pass left it. */
export interface TenantOutcome {
  tenant: string;
  /** The database (MySQL: schema) name on its cluster. */
  database: string;
  cluster: string;
  /** not_started: a canary or an earlier tenant failed (on_error = stop), so it was not touched. */
  status: 'success' | 'failed' | 'not_started';
  reason: string | null;
  schema_version_before: string | null;
  schema_version: string | null;
  migrations_applied: number;
  duration_ms: number;
  flyway_error?: string[];
}

/** An object version a pass covered: the exact bytes Flyway saw (or would have seen). */
export interface CoveredObject {
  key: string;
  version_id: string | null;
  etag: string;
}

export interface OutcomeRecord {
  schema: 1 | typeof OUTCOME_SCHEMA;
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
  /** The RequestedAt of every command request this pass ran (a handed-over `run migrate` finds its own here). */
  requests?: string[];
  /** Keys of accepted objects the run stopped without migrating (the command's time ran out). */
  waiting?: string[];
  /** Flyway's and the database's error lines of a failed pass (the failing statement, SQL state, message). */
  flyway_error?: string[];
  /** A tenant group's pass: each tenant's part, in the group's order (the record's own fields sum them up). */
  tenants?: TenantOutcome[];
}

/** True when the record's pass saw every one of these object versions (the client waits for this). */
export function coversVersions(record: OutcomeRecord, versions: readonly { key: string; versionId: string | null }[]): boolean {
  const seen = new Set(record.objects.map((object) => `${object.key}\u0000${object.version_id ?? ''}`));
  return versions.every((version) => seen.has(`${version.key}\u0000${version.versionId ?? ''}`));
}

const bareEtag = (etag: string) => etag.replace(/"/g, '');

/** True when the record's pass saw exactly these contents (key and ETag, whatever the object version). */
export function coversContent(record: OutcomeRecord, objects: readonly { key: string; etag: string }[]): boolean {
  const seen = new Set(record.objects.map((object) => `${object.key}\u0000${bareEtag(object.etag)}`));
  return objects.every((object) => seen.has(`${object.key}\u0000${bareEtag(object.etag)}`));
}

/**
 * The record that judges a push: the oldest migrate record among those written after the upload
 * (`since`, oldest first) that covers every uploaded object version. A repair, or a later pass
 * that also covers them (and may have failed on someone else's file), never decides it.
 */
export function selectOutcome(since: readonly OutcomeRecord[], uploaded: readonly { key: string; versionId: string | null }[]): OutcomeRecord | undefined {
  return since.find((record) => record.action === 'migrate' && coversVersions(record, uploaded));
}

/** The newest migrate record of a history (oldest first), or undefined. */
export function newestMigrate(history: readonly OutcomeRecord[]): OutcomeRecord | undefined {
  return [...history].reverse().find((record) => record.action === 'migrate');
}

/** The record a handed-over command request was run by: the oldest migrate record that lists its RequestedAt. */
export function recordOfRequest(since: readonly OutcomeRecord[], requestedAt: string): OutcomeRecord | undefined {
  return since.find((record) => record.action === 'migrate' && (record.requests ?? []).includes(requestedAt));
}
