// The outcome record of a pass (common/src/outcome.ts), built from what the pass knows (pure) and
// written into the database's bucket. A write that fails past the SDK's own retries is tried again
// with a pause, because a pusher can only learn the result from the record: until it is written,
// the requests the pass ran are kept (see requests.ts) and the command fails saying so.

import { OUTCOME_KEY, OUTCOME_SCHEMA, type CoveredObject, type OutcomeRecord, type TenantOutcome } from '../../common/src/outcome';
import type { RejectedObject } from '../../common/src/runner-output';
import { awsErrorOf, type Ports } from './aws';
import { sleep } from './context';
import { firstLine } from './failure';
import type { Say } from './output';

/** Pauses between whole write attempts (each one is the SDK's own three tries). */
const WRITE_PAUSES_MS = [1_000, 3_000];

export interface PassFacts {
  database: string;
  action: 'migrate' | 'repair';
  failed: boolean;
  /** What failed, and what to do, for a failed pass. */
  reason?: string;
  todo?: string;
  schemaVersion: string | null;
  schemaVersionBefore: string | null;
  migrationsApplied: number;
  objects: CoveredObject[];
  rejected: RejectedObject[];
  requests: readonly { requestedAt: string | null }[];
  startedAt: Date;
  finishedAt: Date;
  exitCode: number;
  flywayExitCode: number | null;
  contentDigest: string;
  settingsDigest: string;
  waiting?: string[];
  flywayError?: string[];
  /** A tenant group's pass: each tenant's part. */
  tenants?: TenantOutcome[];
}

export function outcomeRecord(facts: PassFacts): OutcomeRecord {
  const requestedAt = facts.requests.map((request) => request.requestedAt).filter((at): at is string => typeof at === 'string' && at !== '');
  return {
    schema: OUTCOME_SCHEMA,
    database: facts.database,
    action: facts.action,
    status: facts.failed ? 'failed' : 'success',
    reason: facts.failed ? `${facts.reason ?? 'failed'}${facts.todo ? ` -- ${facts.todo}` : ''}` : null,
    schema_version: facts.schemaVersion,
    schema_version_before: facts.schemaVersionBefore,
    migrations_applied: facts.migrationsApplied,
    objects: facts.objects,
    rejected: facts.rejected,
    requested_at: [...requestedAt].sort().pop() ?? null,
    started_at: facts.startedAt.toISOString(),
    finished_at: facts.finishedAt.toISOString(),
    exit_code: facts.exitCode,
    flyway_exit_code: facts.flywayExitCode,
    content_digest: facts.contentDigest,
    settings_digest: facts.settingsDigest,
    requests: [...new Set(requestedAt)].sort(),
    ...(facts.waiting === undefined ? {} : { waiting: facts.waiting }),
    ...(facts.flywayError === undefined || facts.flywayError.length === 0 ? {} : { flyway_error: facts.flywayError }),
    ...(facts.tenants === undefined ? {} : { tenants: facts.tenants }),
  };
}

/** Writes the record; the error (after the retries) when it could not be written. */
export async function writeOutcome(ports: Ports, bucket: string, record: OutcomeRecord, say: Say, pauses: readonly number[] = WRITE_PAUSES_MS): Promise<{ name: string; message: string } | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await ports.putObject(bucket, OUTCOME_KEY, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
      say(`outcome recorded in s3://${bucket}/${OUTCOME_KEY}`);
      return undefined;
    } catch (error) {
      const { name, message } = awsErrorOf(error);
      const pause = pauses[attempt];
      if (pause === undefined) {
        say(`could not write the outcome record s3://${bucket}/${OUTCOME_KEY}: ${name}: ${firstLine(message)}`);
        return { name, message: firstLine(message) };
      }
      say(`writing the outcome record failed (${name}: ${firstLine(message)}); trying again in ${pause / 1000}s`);
      await sleep(pause);
    }
  }
}
