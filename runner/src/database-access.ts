// One database as the runner reaches it: its settings (checked against the endpoint the module's
// document names), its login from Secrets Manager, the connection (waiting for a paused cluster,
// creating a missing PostgreSQL database) that Flyway's options come from, and what a failed
// Flyway run means in the runner's terms (exit code, what happened, what to do).

import { createHash } from 'node:crypto';
import type { Action, Endpoint } from './args';
import { awsErrorOf } from './aws';
import type { RunnerContext } from './context';
import { DatabaseClient, type Login, type Target } from './database';
import { overriddenEndpoint, unconfiguredTarget } from './endpoints';
import { explainFlywayError } from './explain';
import { EXIT, firstLine, RunnerFailure } from './failure';
import type { FlywayOptions, FlywayRun } from './flyway';
import type { Listing } from './listing';
import type { LockWait } from './lock-wait';
import type { Say } from './output';
import { parseSettings, type Settings } from './settings';

/** At most this many of Flyway's error lines go into the outcome record. */
const MAX_ERROR_LINES = 30;

export class DatabaseAccess {
  private settingsRead?: Settings;
  private login?: Login;
  private databaseClient?: DatabaseClient;

  constructor(
    private readonly context: RunnerContext,
    readonly database: string,
    private readonly say: Say,
  ) {}

  get parameterName(): string {
    return `${this.context.args.configPrefix}/databases/${this.database}`;
  }

  /** The settings once loaded (loadSettings first). */
  get settings(): Settings {
    if (this.settingsRead === undefined) throw new Error('settings not loaded yet');
    return this.settingsRead;
  }

  get loaded(): boolean {
    return this.settingsRead !== undefined;
  }

  async loadSettings(): Promise<Settings> {
    if (this.settingsRead !== undefined) return this.settingsRead;
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
    this.adopt(settings, `settings parameter ${name}`);
    const endpoint = this.endpoint();
    if (overriddenEndpoint(this.context.endpointOverride, settings) !== undefined) this.say(`test override: database endpoint ${endpoint.host}:${endpoint.port} (FLYWAY_RUNNER_DB_ENDPOINT)`);
    if (settings.tenants !== undefined) {
      const group = settings.group ?? { canary: 0, onError: 'stop' };
      this.say(`settings: tenant group of ${settings.tenants.length} tenant(s) (${settings.tenants.map((tenant) => tenant.tenant).join(', ')}), canary ${group.canary}, on_error ${group.onError}, bucket ${settings.bucket}`);
    } else this.say(`settings: engine ${settings.engine}, database ${settings.database} on ${endpoint.host}:${endpoint.port}, bucket ${settings.bucket}`);
    return settings;
  }

  /**
   * Takes settings read elsewhere (a tenant of a group: the group's parameter names it), once the
   * endpoint and secret are those of a cluster the module's document names.
   */
  adopt(settings: Settings, source: string): void {
    const problem = unconfiguredTarget(settings, this.context.args.dbEndpoints);
    if (problem !== undefined) {
      throw new RunnerFailure(EXIT.config, `${source} ${problem}`, 're-apply the Terraform module, which writes both; do not edit the parameter by hand');
    }
    this.settingsRead = settings;
  }

  endpoint(): Endpoint {
    const { host, port } = this.settings;
    return overriddenEndpoint(this.context.endpointOverride, { host, port }) ?? { host, port };
  }

  private target(): Target {
    return { engine: this.settings.engine, database: this.settings.database, caFile: this.context.caFile, ...this.endpoint() };
  }

  /** What a pass's outcome depends on besides the files: equal digests, equal settings. */
  settingsDigest(): string {
    return createHash('sha256')
      .update(JSON.stringify({ settings: this.settingsRead, endpoint: this.endpoint(), flyway: this.context.flyway }))
      .digest('hex');
  }

  private async loadLogin(): Promise<Login> {
    if (this.login !== undefined) return this.login;
    const { secretId } = this.settings;
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

  /**
   * Connects (waiting for the database), creates a missing PostgreSQL database unless `create` is
   * false (then undefined when it is missing), and gives Flyway's options; `statementTimeoutMs`
   * bounds each statement Flyway runs (the command's deadline).
   */
  async flywayOptions(migrationsDir: string, workDir: string, options: { create?: boolean; statementTimeoutMs?: number } = {}): Promise<FlywayOptions | undefined> {
    const settings = this.settings;
    const login = await this.loadLogin();
    const target = this.target();
    const client = await DatabaseClient.create(target, login, this.context.env);
    this.databaseClient = client;
    if (client.canProbe) {
      this.say(`connecting to ${target.host}:${target.port} as ${login.username} over verified TLS (up to ${settings.connectRetries} retries)`);
      await client.waitUntilReady(settings.connectRetries, settings.connectRetriesInterval, this.say, this.context.deadlineMs);
    } else {
      this.say('no mariadb/mysql client installed: Flyway itself waits for the database');
    }
    if (settings.engine === 'postgresql') {
      if (options.create === false) {
        if (!(await client.postgresDatabaseExists())) return undefined;
      } else if (await client.ensurePostgresDatabase()) this.say(`created database ${settings.database}`);
      else this.say(`database ${settings.database} exists`);
    }
    return {
      flyway: this.context.flyway,
      workDir,
      migrationsDir,
      target,
      login,
      settings,
      baseEnv: this.context.env,
      classDataHome: this.context.home,
      ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
    };
  }

  /** The database client of the last flywayOptions (to look at blockers, undo a timed-out attempt); undefined before. */
  get client(): DatabaseClient | undefined {
    return this.databaseClient;
  }

  /** A failed Flyway run as the runner reports it: exit code, what happened, what to do, and Flyway's own lines (printed too). */
  explain(run: FlywayRun, action: Action, listing: Listing, schemaVersion: string | null, lockWait?: LockWait): RunnerFailure {
    const settings = this.settings;
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
      database: this.database,
      ...(lockWait === undefined ? {} : { lockWait: { ...lockWait, timeoutMs: settings.dbLockTimeoutMs, retries: settings.lockRetries } }),
    });
    const lines = (error.message ?? '').split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
    for (const line of lines) process.stdout.write(`  | ${line}\n`);
    const code = explanation.kind === 'auth' ? EXIT.auth : explanation.kind === 'unreachable' ? EXIT.unreachable : EXIT.migration;
    return new RunnerFailure(code, explanation.what, explanation.todo, { flywayExitCode: run.exitCode, flywayError: lines.slice(0, MAX_ERROR_LINES).map((line) => line.slice(0, 500)) });
  }
}
