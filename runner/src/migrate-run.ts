// A database's migrate run, while its command holds the database's lock: passes until the bucket
// is unchanged since the last one and no request waits. Each pass: settle, list, decide (skip only
// when nothing could have changed), sync the accepted files, credentials, database, one Flyway
// process, then the outcome record, which lists the requests the pass ran; only once it is written
// are those requests deleted (requests.ts), or once the pass failed on settings or a bucket that no
// later command could read either (the command fails loudly; keeping them would fail every later
// command on the host too). A run that is short of the command's time, or past the
// pass limit, stops instead of starting a pass it cannot finish: it records the versions still
// waiting, keeps the requests for the next command and fails the command.

import { join } from 'node:path';
import type { CoveredObject, TenantOutcome } from '../../common/src/outcome';
import type { BucketListing } from './aws';
import { Bucket } from './bucket';
import { asFailure, EXIT, RunnerFailure } from './failure';
import type { DatabaseResult, RunnerContext } from './context';
import { DatabaseAccess } from './database-access';
import { decidePass } from './deadline';
import { canSkip, readLastPass, writeLastPass } from './last-pass';
import { classifyListing, conflicts, sameObjects, type Listing } from './listing';
import { emptySummary, type Say } from './output';
import { outcomeRecord, writeOutcome, type PassFacts } from './outcome-writer';
import { completeRequests, takeRequests, type HeldRequest } from './requests';
import { migrateTarget, type TargetMigrate } from './target-migrate';
import { groupFailureMessage, notifyGroupFailure } from './notify';
import { migrateTenants } from './tenant-run';

/** More passes than this in one run means the bucket never settles: the run stops and leaves the rest to the next command. */
export const MAX_PASSES = 20;

interface PassResult extends DatabaseResult {
  /** The listing the pass worked on (undefined when it failed before listing). */
  objects?: BucketListing['objects'];
  /**
   * The pass's requests must stay for the next command: its result is known to nobody (the record
   * could not be written) or the host itself failed. A pass that could not record because its
   * settings or bucket are broken has failed the command loudly; its requests go, or every later
   * command on the host would fail on them too.
   */
  keepRequests: boolean;
}

export interface RunOutcome {
  result: DatabaseResult;
  /** True when the run ended with requests it did not record (stopped, or the record unwritable): this command leaves the database alone from then on. */
  leftRequests: boolean;
}

export function covered(objects: BucketListing['objects'], listing: Listing): CoveredObject[] {
  const accepted = new Set(listing.accepted.map((file) => file.key));
  return objects.filter((object) => accepted.has(object.key)).map((object) => ({ key: object.key, version_id: object.versionId, etag: object.etag }));
}

export class MigrateRun {
  private readonly access: DatabaseAccess;
  private readonly dir: string;
  private readonly held = new Set<string>();
  private longestPassMs = 0;
  /** A tenant group's pass: each tenant's part, for the pass's record (undefined for a database). */
  private tenants: TenantOutcome[] | undefined;
  /** The run's last pass left tenants of the group unmigrated: told to the failure topic once, when the run ends. */
  private groupFailure: { tenants: TenantOutcome[]; todo: string } | undefined;

  constructor(
    private readonly context: RunnerContext,
    readonly database: string,
    private readonly say: Say,
  ) {
    this.access = new DatabaseAccess(context, database, say);
    this.dir = join(context.home, database);
  }

  /** The database's requests not yet in this run's hands (just submitted, or left by a run that died). */
  take(): HeldRequest[] {
    const requests = takeRequests(this.context.home, this.database, this.held);
    for (const request of requests) this.held.add(request.name);
    return requests;
  }

  private bucket(): Bucket {
    return new Bucket(this.context.ports, this.access.settings.bucket, this.database, this.say, this.context.deadlineMs);
  }

  async run(first: HeldRequest[]): Promise<RunOutcome> {
    const summary: DatabaseResult = { ...emptySummary(this.database, 'migrate'), exitCode: EXIT.ok };
    let inHand = first;
    let leftRequests = false;
    for (let pass = 1; ; pass += 1) {
      const decision = decidePass(Date.now(), this.context.deadlineMs, this.longestPassMs);
      if (!decision.start || pass > MAX_PASSES) {
        const why = decision.start
          ? `stopped after ${MAX_PASSES} passes: the bucket kept changing`
          : `stopped: ${Math.max(0, Math.round(decision.leftMs / 1000))}s of the command's executionTimeout are left, and a pass needs about ${Math.round(decision.neededMs / 1000)}s`;
        const stopped = await this.stop(inHand, why, !decision.start);
        Object.assign(summary, { status: 'failed', reason: stopped.reason, exitCode: stopped.exitCode, schema_version_after: stopped.schema_version_after });
        if (pass === 1) summary.schema_version_before = stopped.schema_version_before;
        leftRequests = true;
        break;
      }
      const began = Date.now();
      const result = await this.pass(inHand, decision.statementTimeoutMs);
      this.longestPassMs = Math.max(this.longestPassMs, Date.now() - began);
      // A pass that finds nothing left to do after one that migrated does not hide that success.
      const keepEarlierStatus = result.status === 'skipped' && summary.passes > 0;
      Object.assign(summary, {
        status: keepEarlierStatus ? summary.status : result.status,
        reason: keepEarlierStatus ? summary.reason : result.reason,
        schema_version_after: result.schema_version_after,
        rejected: result.rejected,
        flyway_exit_code: keepEarlierStatus ? summary.flyway_exit_code : result.flyway_exit_code,
        exitCode: result.exitCode,
      });
      if (pass === 1) summary.schema_version_before = result.schema_version_before;
      summary.migrations_applied += result.migrations_applied;
      summary.passes += result.passes;
      summary.flyway_ms += result.flyway_ms;
      summary.settle_ms += result.settle_ms;
      if (result.keepRequests) {
        leftRequests = true;
        break;
      }
      completeRequests(this.context.home, this.database, inHand);

      const more = this.take();
      let changed = false;
      if (result.objects !== undefined) {
        try {
          changed = !sameObjects(result.objects, (await this.bucket().list()).objects);
        } catch (error) {
          // Another pass decides what the bucket holds, and records it (or fails doing so).
          this.say(`could not list the bucket after the pass (${asFailure(error).what}); running another pass`);
          changed = true;
        }
      }
      if (more.length === 0 && !changed) break;
      this.say(`${more.length > 0 ? `${more.length} more request(s)` : 'the bucket changed'} during the pass: running another pass`);
      inHand = more;
    }
    const topic = this.context.args.notifyTopic;
    if (this.groupFailure !== undefined && topic !== undefined) {
      const pipeline = this.context.args.configPrefix.split('/')[1] ?? '';
      await notifyGroupFailure(this.context.ports, topic, groupFailureMessage(pipeline, this.database, this.groupFailure.tenants, this.groupFailure.todo), this.say);
    }
    return { result: summary, leftRequests };
  }

  /** Writes the pass's record; when that fails, the pass fails saying so (its requests are kept). */
  private async record(result: PassResult, facts: Omit<PassFacts, 'database' | 'action' | 'exitCode' | 'flywayExitCode' | 'finishedAt' | 'settingsDigest'>): Promise<void> {
    const record = outcomeRecord({
      ...facts,
      database: this.database,
      action: 'migrate',
      exitCode: result.exitCode,
      flywayExitCode: result.flyway_exit_code,
      finishedAt: new Date(),
      settingsDigest: this.access.settingsDigest(),
      ...(this.tenants === undefined ? {} : { tenants: this.tenants }),
    });
    const error = await writeOutcome(this.context.ports, this.access.settings.bucket, record, this.say);
    if (error === undefined) return;
    result.keepRequests = true;
    const what = `the outcome record s3://${this.access.settings.bucket}/.flyway/outcome.json could not be written (${error.name}: ${error.message})`;
    Object.assign(result, { status: 'failed', exitCode: result.exitCode === EXIT.ok ? EXIT.config : result.exitCode, reason: result.reason === null ? what : `${result.reason}; ${what}` });
    this.say(
      `error: ${what}; the pass itself ${facts.failed ? 'failed' : `succeeded (${result.migrations_applied} migration(s) applied)`} -- pushers cannot see it until it is recorded: check the host's s3:PutObject permission on that key; its requests stay on the host and the next command records the result`,
    );
  }

  private async pass(requests: readonly HeldRequest[], statementTimeoutMs: number | undefined): Promise<PassResult> {
    const startedAt = new Date();
    const result: PassResult = { ...emptySummary(this.database, 'migrate'), exitCode: EXIT.ok, keepRequests: false };
    this.tenants = undefined;
    this.groupFailure = undefined;
    let listing: Listing | undefined;
    let objects: BucketListing['objects'] | undefined;
    try {
      const settings = await this.access.loadSettings();
      const bucket = this.bucket();
      this.say(`listing s3://${settings.bucket}`);
      const settleStarted = Date.now();
      objects = (await bucket.settled(this.context.args.settleSeconds * 1000)).objects;
      result.settle_ms = Date.now() - settleStarted;
      result.objects = objects;
      listing = classifyListing(objects, { callbacks: settings.callbacks });
      result.rejected = listing.rejected.map(({ key, reason }) => ({ key, reason }));
      this.say(`bucket holds ${listing.accepted.length} accepted migration file(s)${listing.rejected.length > 0 ? `, ${listing.rejected.length} not run` : ''}`);
      bucket.reportRejected(listing);

      const settingsDigest = this.access.settingsDigest();
      const last = readLastPass(this.dir);
      const coveredNow = covered(objects, listing);
      const base = { objects: coveredNow, rejected: result.rejected, requests, startedAt, contentDigest: listing.contentDigest };
      if (canSkip(last, listing.contentDigest, settingsDigest)) {
        Object.assign(result, { status: 'skipped', schema_version_before: last.schema_version, schema_version_after: last.schema_version });
        result.reason = `nothing could have changed: the last pass (${last.finished_at}) succeeded on the same files with the same settings`;
        this.say(`skipped: ${result.reason}`);
        // Same content, maybe new object versions (a re-upload): the record covers these, and names this pass's requests.
        writeLastPass(this.dir, { ...last, objects: coveredNow });
        await this.record(result, { ...base, failed: false, schemaVersion: last.schema_version, schemaVersionBefore: last.schema_version, migrationsApplied: 0 });
        return result;
      }
      const clashes = conflicts(listing.accepted);
      if (clashes.length > 0) {
        const text = clashes.map((clash) => `${clash.what}: ${clash.keys.join(' and ')}`).join('; ');
        throw new RunnerFailure(EXIT.migration, `two files claim the same migration (${text}); nothing was applied`, 'Flyway runs each version once: delete or rename all but one of them in the bucket');
      }

      const migrationsDir = join(this.dir, 'migrations');
      await bucket.sync(listing, migrationsDir);
      const place = { migrationsDir, workRoot: this.dir, listing, statementTimeoutMs, deadlineMs: this.context.deadlineMs };
      if (settings.tenants !== undefined) {
        const group = await migrateTenants(this.context, this.database, settings, place, this.say);
        this.tenants = group.tenants;
        Object.assign(result, group.sum);
        if (group.failure !== undefined) throw group.failure;
      } else {
        const partial: Partial<TargetMigrate> = {};
        try {
          const done = await migrateTarget({ ...place, access: this.access, say: this.say }, partial);
          Object.assign(result, { passes: 1, migrations_applied: done.migrationsApplied, schema_version_before: done.schemaVersionBefore, schema_version_after: done.schemaVersionAfter, flyway_exit_code: done.flywayExitCode, flyway_ms: done.flywayMs });
        } catch (error) {
          // Refused before Flyway ran (no pass): the catch below takes the versions from the last pass.
          Object.assign(result, {
            passes: partial.started === true ? 1 : 0,
            flyway_ms: partial.flywayMs ?? 0,
            migrations_applied: partial.migrationsApplied ?? 0,
            schema_version_before: partial.schemaVersionBefore ?? null,
            schema_version_after: partial.schemaVersionAfter ?? null,
            flyway_exit_code: partial.flywayExitCode ?? null,
          });
          throw error;
        }
      }
      result.status = 'success';
      this.say(`success: ${result.migrations_applied} migration(s) applied; schema version ${result.schema_version_before ?? '<none>'} -> ${result.schema_version_after ?? '<none>'}`);
      writeLastPass(this.dir, {
        status: 'success',
        content_digest: listing.contentDigest,
        settings_digest: settingsDigest,
        schema_version: result.schema_version_after,
        finished_at: new Date().toISOString(),
        objects: coveredNow,
      });
      await this.record(result, { ...base, failed: false, schemaVersion: result.schema_version_after, schemaVersionBefore: result.schema_version_before, migrationsApplied: result.migrations_applied });
      return result;
    } catch (error) {
      const failure = asFailure(error);
      Object.assign(result, { status: 'failed', reason: failure.what, exitCode: failure.code });
      if (failure.extra.flywayExitCode !== undefined) result.flyway_exit_code = failure.extra.flywayExitCode;
      if (failure.hostFault) {
        result.keepRequests = true;
        this.say("the host itself is at fault: the database's outcome record is left as it was, and the requests stay for the next command");
      } else {
        // Refused before Flyway ran: the schema is where the last pass left it.
        if (result.passes === 0) {
          const known = readLastPass(this.dir)?.schema_version ?? null;
          Object.assign(result, { schema_version_before: known, schema_version_after: known });
        }
        const coveredNow = listing !== undefined && objects !== undefined ? covered(objects, listing) : [];
        if (this.access.loaded) {
          // A failed pass is never skipped: the next request runs again.
          writeLastPass(this.dir, {
            status: 'failed',
            content_digest: listing?.contentDigest ?? '',
            settings_digest: this.access.settingsDigest(),
            schema_version: result.schema_version_after,
            finished_at: new Date().toISOString(),
            objects: coveredNow,
          });
        }
        if (this.access.loaded && listing !== undefined) {
          await this.record(result, {
            failed: true,
            reason: failure.what,
            todo: failure.todo,
            schemaVersion: result.schema_version_after,
            schemaVersionBefore: result.schema_version_before,
            migrationsApplied: result.migrations_applied,
            objects: coveredNow,
            rejected: result.rejected,
            requests,
            startedAt,
            contentDigest: listing.contentDigest,
            ...(failure.extra.flywayError === undefined ? {} : { flywayError: failure.extra.flywayError }),
          });
        }
      }
      if (this.tenants !== undefined && !failure.hostFault) this.groupFailure = { tenants: this.tenants, todo: failure.todo };
      // The error line is the last line before the summary: what happened and what to do.
      this.say(`error: ${failure.what} -- ${failure.todo}`);
      return result;
    }
  }

  /** Stops the run with requests in hand: records what is still waiting and keeps them for the next command. */
  private async stop(requests: readonly HeldRequest[], why: string, outOfTime: boolean): Promise<PassResult> {
    const startedAt = new Date();
    const result: PassResult = { ...emptySummary(this.database, 'migrate'), exitCode: EXIT.stopped, keepRequests: true };
    const last = readLastPass(this.dir);
    Object.assign(result, { schema_version_before: last?.schema_version ?? null, schema_version_after: last?.schema_version ?? null });
    const todo = `run them now with \`aurora-flyway run ${this.database} migrate\` (or upload again)${outOfTime ? '; if single passes take this long, raise command_execution_timeout_seconds' : ''}`;
    try {
      const settings = await this.access.loadSettings();
      const objects = (await this.bucket().list()).objects;
      const listing = classifyListing(objects, { callbacks: settings.callbacks });
      const done = new Set((last?.status === 'success' ? last.objects : []).map((object) => `${object.key}\u0000${object.version_id ?? ''}`));
      const coveredNow = covered(objects, listing);
      const waiting = coveredNow.filter((object) => !done.has(`${object.key}\u0000${object.version_id ?? ''}`)).map((object) => object.key);
      result.reason = `${why}; ${waiting.length > 0 ? `${waiting.join(', ')} not migrated yet` : 'no migration is waiting'}; ${requests.length} request(s) stay on the host for the next command`;
      result.rejected = listing.rejected.map(({ key, reason }) => ({ key, reason }));
      await this.record(result, {
        failed: true,
        reason: result.reason,
        todo,
        schemaVersion: result.schema_version_after,
        schemaVersionBefore: result.schema_version_before,
        migrationsApplied: 0,
        objects: coveredNow,
        rejected: result.rejected,
        requests,
        startedAt,
        contentDigest: listing.contentDigest,
        waiting,
      });
    } catch (error) {
      result.reason = `${why}; ${requests.length} request(s) stay on the host for the next command (the versions waiting could not be listed: ${asFailure(error).what})`;
    }
    result.status = 'failed';
    this.say(`error: ${result.reason} -- ${todo}`);
    return result;
  }
}
