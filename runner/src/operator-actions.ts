// The actions an operator runs by hand (aurora-flyway run): info and validate on a private copy
// of the accepted files, never waiting for a run; repair, which takes the database's lock (it
// waits for the active run) and records a repair outcome. After any of them the command runs the
// requests no run holds (main.ts), so a migrate handed over meanwhile is never stranded.

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Bucket } from './bucket';
import type { DatabaseResult, RunnerContext } from './context';
import { DatabaseAccess } from './database-access';
import { asFailure, EXIT, RunnerFailure } from './failure';
import { printInfo, resultOf, runFlyway, type FlywayOptions } from './flyway';
import { readLastPass, writeLastPass } from './last-pass';
import { classifyListing } from './listing';
import { databaseLockName } from './locks';
import { covered } from './migrate-run';
import { outcomeRecord, writeOutcome } from './outcome-writer';
import { emptySummary, type Say } from './output';
import type { Settings } from './settings';

const write = (text: string) => process.stdout.write(text);

export class OperatorActions {
  private readonly access: DatabaseAccess;

  constructor(
    private readonly context: RunnerContext,
    readonly database: string,
    private readonly say: Say,
  ) {
    this.access = new DatabaseAccess(context, database, say);
  }

  private bucket(): Bucket {
    return new Bucket(this.context.ports, this.access.settings.bucket, this.database, this.say, this.context.deadlineMs);
  }

  /** info and validate: on a private copy of the accepted files, never waiting for a run. */
  async readOnly(action: 'info' | 'validate'): Promise<DatabaseResult> {
    const result: DatabaseResult = { ...emptySummary(this.database, action), exitCode: EXIT.ok };
    const workDir = mkdtempSync(join(this.context.home, `.${action}-${this.database}-`));
    try {
      const settings = await this.access.loadSettings();
      refuseGroup(settings, this.database, action);
      const bucket = this.bucket();
      const listing = classifyListing((await bucket.list()).objects, { callbacks: settings.callbacks });
      result.rejected = listing.rejected.map(({ key, reason }) => ({ key, reason }));
      bucket.reportRejected(listing);
      const migrationsDir = join(workDir, 'migrations');
      await bucket.sync(listing, migrationsDir);
      const options = await this.access.flywayOptions(migrationsDir, workDir, { create: false });
      if (options === undefined) {
        // info and validate change nothing, not even by creating the database.
        result.status = 'success';
        this.say(`success: database ${settings.database} does not exist yet (no migration has run); schema version <none>`);
        return result;
      }
      this.say(`running flyway ${action}`);
      const run = await runFlyway(options, action === 'info' ? ['info'] : ['validate', 'info']);
      result.flyway_exit_code = run.exitCode;
      const schemaVersion = printInfo(run, write) ?? null;
      Object.assign(result, { schema_version_before: schemaVersion, schema_version_after: schemaVersion });
      const validate = resultOf(run, 'validate');
      if (validate?.validationSuccessful === false && run.error === undefined) {
        // flyway validate -outputType=json exits 0 even when validation fails.
        run.error = { errorCode: 'VALIDATE_ERROR', message: validate.allErrorMessages ?? 'validation failed' };
      }
      if (run.error !== undefined || run.exitCode !== 0) throw this.access.explain(run, action, listing, schemaVersion);
      result.status = 'success';
      this.say(
        action === 'info'
          ? `success: schema version ${schemaVersion ?? '<none>'}`
          : `success: the applied migrations match the files in the bucket; schema version ${schemaVersion ?? '<none>'}`,
      );
      return result;
    } catch (error) {
      return this.failed(result, error);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  /** repair: exclusive, so it waits for the database's active run (lock_timeout_seconds). */
  async repair(): Promise<DatabaseResult> {
    const result: DatabaseResult = { ...emptySummary(this.database, 'repair'), exitCode: EXIT.ok };
    const startedAt = new Date();
    try {
      const settings = await this.access.loadSettings();
      refuseGroup(settings, this.database, 'repair');
      let lock = await this.context.locks.tryLock(databaseLockName(this.database));
      if (lock === undefined) {
        this.say(`a run for ${this.database} is active; waiting up to ${settings.lockTimeoutSeconds}s for it to finish`);
        lock = await this.context.locks.waitForLock(databaseLockName(this.database), settings.lockTimeoutSeconds * 1000);
      }
      if (lock === undefined) {
        throw new RunnerFailure(
          EXIT.lockTimeout,
          `lock timeout: the run for ${this.database} was still active after ${settings.lockTimeoutSeconds}s`,
          'check for a hung flyway process on the host (ps -ef | grep flyway), or raise lock_timeout_seconds; then run repair again',
        );
      }
      const dir = join(this.context.home, this.database);
      try {
        const bucket = this.bucket();
        const objects = (await bucket.list()).objects;
        const listing = classifyListing(objects, { callbacks: settings.callbacks });
        const migrationsDir = join(dir, 'migrations');
        await bucket.sync(listing, migrationsDir);
        const workDir = mkdtempSync(join(dir, '.work-'));
        try {
          const options = (await this.access.flywayOptions(migrationsDir, workDir)) as FlywayOptions;
          this.say('running flyway repair');
          const run = await runFlyway(options, ['repair', 'info']);
          result.flyway_exit_code = run.exitCode;
          const schemaVersion = printInfo(run, write) ?? null;
          Object.assign(result, { schema_version_before: schemaVersion, schema_version_after: schemaVersion });
          if (run.error !== undefined || run.exitCode !== 0) throw this.access.explain(run, 'repair', listing, schemaVersion);
          // The next migrate must run even if the bucket did not change.
          writeLastPass(dir, { ...(readLastPass(dir) ?? { content_digest: '', settings_digest: '', objects: [] }), status: 'repaired', schema_version: schemaVersion, finished_at: new Date().toISOString() });
          result.status = 'success';
          this.say(`success: schema history repaired; schema version ${schemaVersion ?? '<none>'}`);
          const record = outcomeRecord({
            database: this.database,
            action: 'repair',
            failed: false,
            schemaVersion,
            schemaVersionBefore: schemaVersion,
            migrationsApplied: 0,
            objects: covered(objects, listing),
            rejected: listing.rejected.map(({ key, reason }) => ({ key, reason })),
            requests: [],
            startedAt,
            finishedAt: new Date(),
            exitCode: EXIT.ok,
            flywayExitCode: run.exitCode,
            contentDigest: listing.contentDigest,
            settingsDigest: this.access.settingsDigest(),
          });
          // A repair record decides no push (they wait for migrate records): a failed write is only reported.
          if ((await writeOutcome(this.context.ports, settings.bucket, record, this.say)) !== undefined) this.say('warning: the repair is not recorded in the outcome record; the next migrate pass records the database again');
        } finally {
          rmSync(workDir, { recursive: true, force: true });
        }
      } finally {
        await lock.release();
      }
      return result;
    } catch (error) {
      return this.failed(result, error);
    }
  }

  private failed(result: DatabaseResult, error: unknown): DatabaseResult {
    const failure = asFailure(error);
    this.say(`error: ${failure.what} -- ${failure.todo}`);
    Object.assign(result, { status: 'failed', reason: failure.what, exitCode: failure.code });
    if (failure.extra.flywayExitCode !== undefined) result.flyway_exit_code = failure.extra.flywayExitCode;
    return result;
  }
}

/**
 * info, validate and repair act on one schema history; a tenant group has one per tenant, and
 * acting on one of them (or repairing all at once) is not what anyone asking for the group means.
 */
function refuseGroup(settings: Settings, group: string, action: string): void {
  if (settings.tenants === undefined) return;
  throw new RunnerFailure(
    EXIT.usage,
    `${action} is not available for the tenant group ${group}: each of its ${settings.tenants.length} tenants has a schema history of its own`,
    `see every tenant's version with aurora-flyway status ${group}; migrate with aurora-flyway run ${group} migrate (tenants already migrated are not touched)`,
  );
}
