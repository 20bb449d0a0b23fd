// One target's migrate within a pass: a database, or one tenant of a tenant group. The files are
// synced already; this connects (waiting for a paused cluster, creating a missing PostgreSQL
// database), runs one Flyway process (migrate, then info; retried on a lock timeout) and reports
// what it applied, or throws the RunnerFailure that explains why it failed.

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATE_LINE } from '../../common/src/runner-output';
import type { DatabaseAccess } from './database-access';
import { printInfo, resultOf, runFlyway, type FlywayOptions } from './flyway';
import { keyOfVersion, type Listing } from './listing';
import { migrateWithRetries } from './migrate-attempts';
import type { Say } from './output';

export interface TargetMigrate {
  /** Flyway was started (the database was reached): a pass, whatever it ended with. */
  started: boolean;
  migrationsApplied: number;
  schemaVersionBefore: string | null;
  schemaVersionAfter: string | null;
  flywayExitCode: number | null;
  flywayMs: number;
}

export interface TargetPlace {
  access: DatabaseAccess;
  migrationsDir: string;
  /** Where this target's work directory is made (and removed). */
  workRoot: string;
  listing: Listing;
  statementTimeoutMs: number | undefined;
  deadlineMs: number | undefined;
  say: Say;
}

/**
 * Migrates one target; on a failure throws the explained RunnerFailure, and `partial` holds what
 * is known (the versions before and after, Flyway's exit code) for the record.
 */
export async function migrateTarget(place: TargetPlace, partial: Partial<TargetMigrate> = {}): Promise<TargetMigrate> {
  const { access, migrationsDir, listing, say } = place;
  const workDir = mkdtempSync(join(place.workRoot, '.work-'));
  try {
    const options = (await access.flywayOptions(migrationsDir, workDir, { ...(place.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: place.statementTimeoutMs }) })) as FlywayOptions;
    process.stdout.write(`${MIGRATE_LINE}\n`);
    partial.started = true;
    const flywayStarted = Date.now();
    const info = () => runFlyway(options, ['info']);
    const accepted = listing.accepted;
    const pathOfVersion = (version: string) => {
      const key = keyOfVersion(accepted, version);
      return key === undefined ? undefined : join(migrationsDir, key);
    };
    const { run, lockWait, attempts } = await migrateWithRetries({ options, client: access.client, say, deadlineMs: place.deadlineMs, info, pathOfVersion });
    partial.flywayMs = Date.now() - flywayStarted;
    const migrate = resultOf(run, 'migrate');
    for (const migration of migrate?.migrations ?? []) {
      const id = migration.version ? `V${migration.version}` : 'R';
      say(`applied ${id} ${migration.description ?? ''} (${(migration.filepath ?? '').split('/').pop()}) in ${migration.executionTime ?? 0} ms`);
    }
    partial.flywayExitCode = run.exitCode;
    partial.migrationsApplied = migrate?.migrationsExecuted ?? migrate?.migrations?.length ?? 0;
    partial.schemaVersionBefore = migrate?.initialSchemaVersion ?? null;
    const write = (text: string) => process.stdout.write(text);
    let schemaVersion = printInfo(run, write);
    if (run.error !== undefined || run.exitCode !== 0) {
      // One more JVM, on failures only: the schema's version and what it holds now.
      if (schemaVersion === undefined) schemaVersion = printInfo(await info().catch(() => ({ exitCode: 1, results: [], stderr: '' })), write);
      partial.schemaVersionAfter = schemaVersion ?? null;
      if (migrate?.initialSchemaVersion === undefined) partial.schemaVersionBefore = schemaVersion ?? null;
      throw access.explain(run, 'migrate', listing, schemaVersion ?? null, lockWait === undefined ? undefined : { ...lockWait, attempts });
    }
    partial.schemaVersionAfter = schemaVersion ?? migrate?.targetSchemaVersion ?? partial.schemaVersionBefore;
    return {
      started: true,
      migrationsApplied: partial.migrationsApplied,
      schemaVersionBefore: partial.schemaVersionBefore,
      schemaVersionAfter: partial.schemaVersionAfter ?? null,
      flywayExitCode: partial.flywayExitCode,
      flywayMs: partial.flywayMs,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
