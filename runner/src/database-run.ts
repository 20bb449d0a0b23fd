// One database's work on the host: a migrate run that repeats passes until the bucket is
// unchanged, and the operator actions info, validate and repair. Each pass: settle, list, decide
// (skip only when nothing could have changed), sync the accepted files, credentials, database,
// one Flyway process, then the outcome record.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQL_SUFFIX } from '../../common/src/flyway-name';
import { OUTCOME_KEY, OUTCOME_SCHEMA, type CoveredObject, type OutcomeRecord } from '../../common/src/outcome';
import { INFO_HEADER, MIGRATE_LINE, type DatabaseSummary } from '../../common/src/runner-output';
import type { Action, Endpoint, RunnerArgs } from './args';
import { awsErrorOf, type BucketListing, type Ports } from './aws';
import { DatabaseClient, type Login, type Target } from './database';
import { explainFlywayError } from './explain';
import { EXIT, firstLine, RunnerFailure, type ExitCode } from './failure';
import { currentVersion, infoRows, resultOf, runFlyway, type FlywayOptions, type FlywayRun } from './flyway';
import { classifyListing, conflicts, sameObjects, type Listing } from './listing';
import { databaseLockName, type Locks } from './locks';
import { takeRequests, type MigrateRequest } from './requests';
import { emptySummary, type Say } from './output';
import { parseSettings, type Settings } from './settings';
import { DownloadFailed, syncFiles } from './sync';

/** S3 and KMS errors that say the host may not read, as opposed to a failing service. */
const DENIED = /AccessDenied|Forbidden|KMS|InvalidObjectState/i;

export interface RunnerContext {
  args: RunnerArgs;
  home: string;
  flyway: string;
  caFile: string;
  ports: Ports;
  locks: Locks;
  env: NodeJS.ProcessEnv;
  /** TEST ONLY (FLYWAY_RUNNER_DB_ENDPOINT): where the local database server listens. */
  endpointOverride?: Endpoint;
}

export interface DatabaseResult extends DatabaseSummary {
  exitCode: ExitCode;
}

/** The local memory of the last migrate pass: what the skip decision compares. */
interface LastPass {
  status: 'success' | 'failed';
  content_digest: string;
  settings_digest: string;
  schema_version: string | null;
  finished_at: string;
  objects: CoveredObject[];
}

interface PassResult extends DatabaseResult {
  /** The listing the pass worked on (undefined when it failed before listing). */
  objects?: BucketListing['objects'];
}

/** More passes than this in one run means the bucket never settles; the next upload starts a new run. */
const MAX_PASSES = 20;
/** Longest a pass waits for a changing bucket to settle. */
const MAX_SETTLE_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function covered(objects: BucketListing['objects'], listing: Listing): CoveredObject[] {
  const accepted = new Set(listing.accepted.map((file) => file.key));
  return objects.filter((object) => accepted.has(object.key)).map((object) => ({ key: object.key, version_id: object.versionId, etag: object.etag }));
}

export class DatabaseRun {
  private settings?: Settings;
  private login?: Login;
  private readonly dir: string;

  constructor(
    private readonly context: RunnerContext,
    readonly database: string,
    private readonly say: Say,
  ) {
    this.dir = join(context.home, database);
  }

  private get parameterName(): string {
    return `${this.context.args.configPrefix}/databases/${this.database}`;
  }

  // ---- settings, endpoint, login ---------------------------------------------------------------

  private async loadSettings(): Promise<Settings> {
    if (this.settings !== undefined) return this.settings;
    const name = this.parameterName;
    this.say(`reading settings from SSM parameter ${name}`);
    let text: string;
    try {
      text = await this.context.ports.getParameter(name);
    } catch (error) {
      const { name: errorName, message } = awsErrorOf(error);
      if (errorName === 'ParameterNotFound') {
        throw new RunnerFailure(
          EXIT.config,
          `settings parameter ${name} not found`,
          `is "${this.database}" one of the module's databases (terraform apply writes this parameter), and is the prefix right?`,
        );
      }
      throw new RunnerFailure(EXIT.config, `cannot read settings parameter ${name}: ${errorName}: ${firstLine(message)}`, "check the host's IAM role (ssm:GetParameter) and region");
    }
    const parsed = parseSettings(text, this.database);
    if (!parsed.ok) {
      for (const problem of parsed.problems) this.say(`settings problem: ${problem}`);
      throw new RunnerFailure(EXIT.config, `settings parameter ${name} is invalid: ${parsed.problems[0]}`, 're-apply the Terraform module, which writes it; do not edit it by hand');
    }
    const settings = parsed.settings;
    const fromModule = this.context.args.dbEndpoint;
    if (fromModule !== undefined && (fromModule.host !== settings.host || fromModule.port !== settings.port)) {
      throw new RunnerFailure(
        EXIT.config,
        `settings parameter ${name} names the database endpoint ${settings.host}:${settings.port}, but the module's document names ${fromModule.host}:${fromModule.port}; the login is not sent to an endpoint the module did not configure`,
        're-apply the Terraform module, which writes both; do not edit the parameter by hand',
      );
    }
    this.settings = settings;
    const endpoint = this.endpoint();
    if (this.context.endpointOverride !== undefined) this.say(`test override: database endpoint ${endpoint.host}:${endpoint.port} (FLYWAY_RUNNER_DB_ENDPOINT)`);
    this.say(`settings: engine ${settings.engine}, database ${settings.database} on ${endpoint.host}:${endpoint.port}, bucket ${settings.bucket}`);
    return settings;
  }

  private endpoint(): Endpoint {
    const settings = this.settings as Settings;
    return this.context.endpointOverride ?? { host: settings.host, port: settings.port };
  }

  private target(): Target {
    const settings = this.settings as Settings;
    return { engine: settings.engine, database: settings.database, caFile: this.context.caFile, ...this.endpoint() };
  }

  private async loadLogin(): Promise<Login> {
    if (this.login !== undefined) return this.login;
    const { secretId } = this.settings as Settings;
    this.say(`reading the database login from Secrets Manager (${secretId})`);
    let text: string;
    try {
      text = await this.context.ports.getSecretString(secretId);
    } catch (error) {
      const { name, message } = awsErrorOf(error);
      if (name === 'ResourceNotFoundException') {
        throw new RunnerFailure(EXIT.config, `secret ${secretId} not found in Secrets Manager`, "check secret_id in the settings (the cluster's managed master secret) and the region");
      }
      // What Secrets Manager answers while a deleted secret waits out its recovery window.
      if (name === 'InvalidRequestException' && /marked (for )?delet/i.test(message)) {
        throw new RunnerFailure(EXIT.config, `secret ${secretId} is scheduled for deletion`, `restore it (aws secretsmanager restore-secret --secret-id ${secretId}), then upload again or run aurora-flyway run`);
      }
      throw new RunnerFailure(EXIT.config, `cannot read secret ${secretId}: ${name}: ${firstLine(message)}`, "check the host's IAM role (secretsmanager:GetSecretValue, kms:Decrypt) and the region");
    }
    let login: unknown;
    try {
      login = JSON.parse(text);
    } catch {
      login = undefined;
    }
    const { username, password } = (login ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
      throw new RunnerFailure(
        EXIT.config,
        `secret ${secretId} is not JSON with a non-empty username and password`,
        'store {"username":"...","password":"..."} (the RDS-managed master secret has this form)',
      );
    }
    this.login = { username, password, secretId };
    return this.login;
  }

  private settingsDigest(): string {
    return createHash('sha256')
      .update(JSON.stringify({ settings: this.settings, endpoint: this.endpoint(), flyway: this.context.flyway }))
      .digest('hex');
  }

  // ---- bucket ---------------------------------------------------------------------------------

  private async list(bucket: string): Promise<BucketListing> {
    try {
      // Only .sql keys matter: the outcome record the runner writes into the bucket is no change.
      return await this.context.ports.listObjects(bucket, (key) => key.endsWith(SQL_SUFFIX));
    } catch (error) {
      const { name, message } = awsErrorOf(error);
      throw new RunnerFailure(EXIT.config, `cannot list s3://${bucket}: ${name}: ${firstLine(message)}`, "check that the bucket exists and that the host's IAM role may list it (s3:ListBucketVersions)");
    }
  }

  /** The listing once no object changed for settle_seconds, so that a multi-file upload is taken whole. */
  private async settledListing(bucket: string): Promise<BucketListing> {
    const settleMs = this.context.args.settleSeconds * 1000;
    const started = Date.now();
    let listing = await this.list(bucket);
    if (settleMs === 0) return listing;
    for (;;) {
      // S3 reports LastModified in whole seconds: count a change as made at the end of its second.
      const quietFor = listing.newestChange === undefined ? Number.POSITIVE_INFINITY : Date.now() - (listing.newestChange.getTime() + 1000);
      if (quietFor >= settleMs) return listing;
      if (Date.now() - started > MAX_SETTLE_MS) {
        this.say(`the bucket is still changing after ${Math.round(MAX_SETTLE_MS / 1000)}s; going ahead with what it holds now`);
        return listing;
      }
      const wait = Math.max(100, settleMs - Math.max(0, quietFor));
      this.say(`bucket changed ${Math.max(0, Math.round(quietFor / 100) / 10)}s ago; waiting ${Math.round(wait / 100) / 10}s for it to settle`);
      await sleep(wait);
      listing = await this.list(bucket);
    }
  }

  private async sync(bucket: string, listing: Listing, dir: string): Promise<void> {
    try {
      const result = await syncFiles(this.context.ports, bucket, listing.accepted, dir);
      this.say(`synced ${listing.accepted.length} file(s): ${result.downloaded} downloaded (${result.bytes} bytes), ${result.deleted} deleted`);
    } catch (error) {
      if (!(error instanceof DownloadFailed)) {
        const { name, message } = awsErrorOf(error);
        throw new RunnerFailure(EXIT.config, `cannot sync s3://${bucket}: ${name}: ${firstLine(message)}; nothing was run`, 'check the disk of the host (df -h) and the error above');
      }
      const { name, message } = awsErrorOf(error.cause);
      const version = error.versionId === null ? '' : ` (version ${error.versionId})`;
      throw new RunnerFailure(
        EXIT.config,
        `cannot download s3://${bucket}/${error.key}${version}: ${name}: ${firstLine(message)}; nothing was run`,
        DENIED.test(name)
          ? "check that the host's IAM role may read the bucket (s3:GetObject, s3:GetObjectVersion) and its KMS key"
          : `S3 failed past the runner's retries; run again (upload again, or aurora-flyway run ${this.database} migrate): the files already downloaded are kept`,
      );
    }
  }

  private reportRejected(listing: Listing): void {
    for (const rejected of listing.rejected) this.say(`not run: ${rejected.key}: ${rejected.reason}`);
  }

  // ---- the database ---------------------------------------------------------------------------

  /** Connects (waiting for the database), creates a missing PostgreSQL database unless `create` is false (then undefined when it is missing). */
  private async flywayOptions(migrationsDir: string, workDir: string, create = true): Promise<FlywayOptions | undefined> {
    const settings = this.settings as Settings;
    const login = await this.loadLogin();
    const target = this.target();
    const client = await DatabaseClient.create(target, login, this.context.env);
    if (client.canProbe) {
      this.say(`connecting to ${target.host}:${target.port} as ${login.username} over verified TLS (up to ${settings.connectRetries} retries)`);
      await client.waitUntilReady(settings.connectRetries, settings.connectRetriesInterval, this.say);
    } else {
      this.say('no mariadb/mysql client installed: Flyway itself waits for the database');
    }
    if (settings.engine === 'postgresql') {
      if (!create) {
        if (!(await client.postgresDatabaseExists())) return undefined;
      } else if (await client.ensurePostgresDatabase()) this.say(`created database ${settings.database}`);
      else this.say(`database ${settings.database} exists`);
    }
    return { flyway: this.context.flyway, workDir, migrationsDir, target, login, settings, baseEnv: this.context.env };
  }

  private explain(run: FlywayRun, action: Action, listing: Listing, schemaVersion: string | null): RunnerFailure {
    const settings = this.settings as Settings;
    const endpoint = this.endpoint();
    const error = run.error ?? { message: firstLine(run.stderr) || `flyway exited ${run.exitCode}` };
    const explanation = explainFlywayError(error, {
      action,
      engine: settings.engine,
      files: listing.accepted,
      schemaVersion,
      host: endpoint.host,
      port: endpoint.port,
      username: this.login?.username ?? '?',
      connectRetries: settings.connectRetries,
    });
    for (const line of (error.message ?? '').split('\n')) if (line.trim() !== '') process.stdout.write(`  | ${line.replace(/\r$/, '')}\n`);
    const code = explanation.kind === 'auth' ? EXIT.auth : explanation.kind === 'unreachable' ? EXIT.unreachable : EXIT.migration;
    return new RunnerFailure(code, explanation.what, explanation.todo, { flywayExitCode: run.exitCode });
  }

  private printInfo(run: FlywayRun): string | null | undefined {
    const info = resultOf(run, 'info');
    if (info === undefined) return undefined;
    process.stdout.write(`${INFO_HEADER}\n`);
    for (const row of infoRows(info)) process.stdout.write(`${row}\n`);
    return currentVersion(info);
  }

  // ---- state and the outcome record -------------------------------------------------------------

  private readLastPass(): LastPass | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'last-pass.json'), 'utf8')) as LastPass;
    } catch {
      return undefined;
    }
  }

  private writeLastPass(lastPass: LastPass | undefined): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, 'last-pass.json');
    if (lastPass === undefined) rmSync(path, { force: true });
    else writeFileSync(path, JSON.stringify(lastPass), { mode: 0o600 });
  }

  private async writeOutcome(record: OutcomeRecord): Promise<void> {
    const { bucket } = this.settings as Settings;
    try {
      await this.context.ports.putObject(bucket, OUTCOME_KEY, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
      this.say(`outcome recorded in s3://${bucket}/${OUTCOME_KEY}`);
    } catch (error) {
      const { name, message } = awsErrorOf(error);
      this.say(`warning: could not write the outcome record s3://${bucket}/${OUTCOME_KEY}: ${name}: ${firstLine(message)} (check the host's s3:PutObject permission on it)`);
    }
  }

  // ---- migrate ----------------------------------------------------------------------------------

  /** Passes until the bucket is unchanged since the last one and no request is pending. */
  async migrateUntilStable(requests: MigrateRequest[]): Promise<DatabaseResult> {
    const summary: DatabaseResult = { ...emptySummary(this.database, 'migrate'), exitCode: EXIT.ok };
    let requestedAt = newestRequest(requests);
    for (let pass = 1; ; pass += 1) {
      const result = await this.migratePass(requestedAt ?? null);
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

      const more = takeRequests(this.context.home, this.database);
      requestedAt = newestRequest(more) ?? requestedAt;
      let changed = false;
      if (result.objects !== undefined && this.settings !== undefined) {
        changed = !sameObjects(result.objects, (await this.list(this.settings.bucket)).objects);
      }
      if (more.length === 0 && !changed) break;
      if (pass >= MAX_PASSES) {
        this.say(`stopping after ${MAX_PASSES} passes: the bucket keeps changing; the next upload starts a new run`);
        break;
      }
      this.say(`${more.length > 0 ? `${more.length} more request(s)` : 'the bucket changed'} during the pass: running another pass`);
    }
    return summary;
  }

  private async migratePass(requestedAt: string | null): Promise<PassResult> {
    const startedAt = new Date();
    const result: PassResult = { ...emptySummary(this.database, 'migrate'), exitCode: EXIT.ok };
    let listing: Listing | undefined;
    let objects: BucketListing['objects'] | undefined;
    try {
      const settings = await this.loadSettings();
      this.say(`listing s3://${settings.bucket}`);
      const settleStarted = Date.now();
      objects = (await this.settledListing(settings.bucket)).objects;
      result.settle_ms = Date.now() - settleStarted;
      result.objects = objects;
      listing = classifyListing(objects, { callbacks: settings.callbacks });
      result.rejected = listing.rejected.map(({ key, reason }) => ({ key, reason }));
      this.say(`bucket holds ${listing.accepted.length} accepted migration file(s)${listing.rejected.length > 0 ? `, ${listing.rejected.length} not run` : ''}`);
      this.reportRejected(listing);

      const settingsDigest = this.settingsDigest();
      const last = this.readLastPass();
      const coveredNow = covered(objects, listing);
      if (last?.status === 'success' && last.content_digest === listing.contentDigest && last.settings_digest === settingsDigest) {
        Object.assign(result, { status: 'skipped', schema_version_before: last.schema_version, schema_version_after: last.schema_version });
        result.reason = `nothing could have changed: the last pass (${last.finished_at}) succeeded on the same files with the same settings`;
        this.say(`skipped: ${result.reason}`);
        if (JSON.stringify(last.objects) !== JSON.stringify(coveredNow)) {
          // Same content, new object versions (a re-upload): the record now covers these too.
          this.writeLastPass({ ...last, objects: coveredNow });
          await this.writeOutcome(this.outcome(result, 'migrate', listing, coveredNow, settingsDigest, requestedAt, startedAt, last.schema_version));
        }
        return result;
      }
      const clashes = conflicts(listing.accepted);
      if (clashes.length > 0) {
        const text = clashes.map((clash) => `${clash.what}: ${clash.keys.join(' and ')}`).join('; ');
        throw new RunnerFailure(EXIT.migration, `two files claim the same migration (${text}); nothing was applied`, 'Flyway runs each version once: delete or rename all but one of them in the bucket');
      }

      const migrationsDir = join(this.dir, 'migrations');
      await this.sync(settings.bucket, listing, migrationsDir);
      const workDir = mkdtempSync(join(this.dir, '.work-'));
      try {
        const options = (await this.flywayOptions(migrationsDir, workDir)) as FlywayOptions;
        process.stdout.write(`${MIGRATE_LINE}\n`);
        result.passes = 1;
        const flywayStarted = Date.now();
        const run = await runFlyway(options, ['migrate', 'info']);
        result.flyway_ms = Date.now() - flywayStarted;
        const migrate = resultOf(run, 'migrate');
        for (const migration of migrate?.migrations ?? []) {
          const id = migration.version ? `V${migration.version}` : 'R';
          this.say(`applied ${id} ${migration.description ?? ''} (${(migration.filepath ?? '').split('/').pop()}) in ${migration.executionTime ?? 0} ms`);
        }
        result.flyway_exit_code = run.exitCode;
        result.migrations_applied = migrate?.migrationsExecuted ?? migrate?.migrations?.length ?? 0;
        result.schema_version_before = migrate?.initialSchemaVersion ?? null;
        let schemaVersion = this.printInfo(run);
        if (run.error !== undefined || run.exitCode !== 0) {
          // One more JVM, on failures only: the schema's version and what it holds now.
          if (schemaVersion === undefined) schemaVersion = this.printInfo(await runFlyway(options, ['info']).catch(() => ({ exitCode: 1, results: [], stderr: '' })));
          result.schema_version_after = schemaVersion ?? null;
          if (migrate?.initialSchemaVersion === undefined) result.schema_version_before = schemaVersion ?? null;
          throw this.explain(run, 'migrate', listing, schemaVersion ?? null);
        }
        result.schema_version_after = schemaVersion ?? migrate?.targetSchemaVersion ?? result.schema_version_before;
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
      result.status = 'success';
      this.say(`success: ${result.migrations_applied} migration(s) applied; schema version ${result.schema_version_before ?? '<none>'} -> ${result.schema_version_after ?? '<none>'}`);
      this.writeLastPass({
        status: 'success',
        content_digest: listing.contentDigest,
        settings_digest: settingsDigest,
        schema_version: result.schema_version_after,
        finished_at: new Date().toISOString(),
        objects: coveredNow,
      });
      await this.writeOutcome(this.outcome(result, 'migrate', listing, coveredNow, settingsDigest, requestedAt, startedAt, result.schema_version_after));
      return result;
    } catch (error) {
      const failure = asFailure(error);
      Object.assign(result, { status: 'failed', reason: failure.what, exitCode: failure.code });
      if (failure.extra.flywayExitCode !== undefined) result.flyway_exit_code = failure.extra.flywayExitCode;
      if (failure.hostFault) {
        this.say("the host itself is at fault: the database's outcome record is left as it was");
      } else {
        // A failed pass is never skipped: the next request runs again.
        this.writeLastPass(undefined);
        if (this.settings !== undefined && listing !== undefined && objects !== undefined) {
          await this.writeOutcome(this.outcome(result, 'migrate', listing, covered(objects, listing), this.settingsDigest(), requestedAt, startedAt, result.schema_version_after, failure.todo));
        }
      }
      // The error line is the last line before the summary: what happened and what to do.
      this.say(`error: ${failure.what} -- ${failure.todo}`);
      return result;
    }
  }

  private outcome(
    result: DatabaseResult,
    action: 'migrate' | 'repair',
    listing: Listing,
    objects: CoveredObject[],
    settingsDigest: string,
    requestedAt: string | null,
    startedAt: Date,
    schemaVersion: string | null,
    todo?: string,
  ): OutcomeRecord {
    const finished = new Date();
    return {
      schema: OUTCOME_SCHEMA,
      database: this.database,
      action,
      status: result.status === 'failed' ? 'failed' : 'success',
      reason: result.status === 'failed' ? `${result.reason ?? 'failed'}${todo ? ` -- ${todo}` : ''}` : null,
      schema_version: schemaVersion,
      schema_version_before: result.schema_version_before,
      migrations_applied: result.migrations_applied,
      objects,
      rejected: result.rejected,
      requested_at: requestedAt,
      started_at: startedAt.toISOString(),
      finished_at: finished.toISOString(),
      exit_code: result.exitCode,
      flyway_exit_code: result.flyway_exit_code,
      content_digest: listing.contentDigest,
      settings_digest: settingsDigest,
    };
  }

  // ---- info, validate, repair -------------------------------------------------------------------

  /** info and validate: on a private copy of the accepted files, never waiting for a run. */
  async readOnly(action: 'info' | 'validate'): Promise<DatabaseResult> {
    const result: DatabaseResult = { ...emptySummary(this.database, action), exitCode: EXIT.ok };
    const workDir = mkdtempSync(join(this.context.home, `.${action}-${this.database}-`));
    try {
      const settings = await this.loadSettings();
      const listing = classifyListing((await this.list(settings.bucket)).objects, { callbacks: settings.callbacks });
      result.rejected = listing.rejected.map(({ key, reason }) => ({ key, reason }));
      this.reportRejected(listing);
      const migrationsDir = join(workDir, 'migrations');
      await this.sync(settings.bucket, listing, migrationsDir);
      const options = await this.flywayOptions(migrationsDir, workDir, false);
      if (options === undefined) {
        // info and validate change nothing, not even by creating the database.
        result.status = 'success';
        this.say(`success: database ${settings.database} does not exist yet (no migration has run); schema version <none>`);
        return result;
      }
      this.say(`running flyway ${action}`);
      const run = await runFlyway(options, action === 'info' ? ['info'] : ['validate', 'info']);
      result.flyway_exit_code = run.exitCode;
      const schemaVersion = this.printInfo(run) ?? null;
      Object.assign(result, { schema_version_before: schemaVersion, schema_version_after: schemaVersion });
      const validate = resultOf(run, 'validate');
      if (validate?.validationSuccessful === false && run.error === undefined) {
        // flyway validate -outputType=json exits 0 even when validation fails.
        run.error = { errorCode: 'VALIDATE_ERROR', message: validate.allErrorMessages ?? 'validation failed' };
      }
      if (run.error !== undefined || run.exitCode !== 0) throw this.explain(run, action, listing, schemaVersion);
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
      const settings = await this.loadSettings();
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
      try {
        const objects = (await this.list(settings.bucket)).objects;
        const listing = classifyListing(objects, { callbacks: settings.callbacks });
        const migrationsDir = join(this.dir, 'migrations');
        await this.sync(settings.bucket, listing, migrationsDir);
        const workDir = mkdtempSync(join(this.dir, '.work-'));
        try {
          const options = (await this.flywayOptions(migrationsDir, workDir)) as FlywayOptions;
          this.say('running flyway repair');
          const run = await runFlyway(options, ['repair', 'info']);
          result.flyway_exit_code = run.exitCode;
          const schemaVersion = this.printInfo(run) ?? null;
          Object.assign(result, { schema_version_before: schemaVersion, schema_version_after: schemaVersion });
          if (run.error !== undefined || run.exitCode !== 0) throw this.explain(run, 'repair', listing, schemaVersion);
          // The next migrate must run even if the bucket did not change.
          this.writeLastPass(undefined);
          result.status = 'success';
          this.say(`success: schema history repaired; schema version ${schemaVersion ?? '<none>'}`);
          await this.writeOutcome(this.outcome(result, 'repair', listing, covered(objects, listing), this.settingsDigest(), null, startedAt, schemaVersion));
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

function newestRequest(requests: readonly MigrateRequest[]): string | undefined {
  return requests
    .map((request) => request.requestedAt)
    .filter((at): at is string => typeof at === 'string' && at !== '')
    .sort()
    .pop();
}

function asFailure(error: unknown): RunnerFailure {
  if (error instanceof RunnerFailure) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new RunnerFailure(EXIT.unexpected, `unexpected error in flyway-runner: ${firstLine(message)}`, 'see the lines above; please report it', { hostFault: true });
}
