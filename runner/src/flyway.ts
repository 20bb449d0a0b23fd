// Runs the Flyway CLI: configuration only through FLYWAY_* variables (an empty config file
// replaces Flyway's default ones; nothing else from the caller's environment configures it), JSON
// output, and as few JVMs as possible: `migrate info` is one process.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFO_HEADER } from '../../common/src/runner-output';
import { classDataFor } from './class-data';
import { maxVersion } from '../../common/src/version';
import { EXIT, firstLine, RunnerFailure } from './failure';
import { runProcess } from './processes';
import type { Login, Target } from './database';
import type { Settings } from './settings';

const SAFE_PATH = /^\/[A-Za-z0-9/._-]+$/;

export interface FlywayMigration {
  category?: string;
  version?: string | null;
  description?: string;
  type?: string;
  filepath?: string;
  executionTime?: number;
  state?: string;
  installedOnUTC?: string;
}

export interface FlywayError {
  errorCode?: string;
  message?: string;
  path?: string;
}

export interface FlywayResult {
  operation?: string;
  migrations?: FlywayMigration[];
  schemaVersion?: string | null;
  initialSchemaVersion?: string | null;
  targetSchemaVersion?: string | null;
  migrationsExecuted?: number;
  validationSuccessful?: boolean;
  allErrorMessages?: string;
  error?: FlywayError;
  errorDetails?: { errorCode?: string; errorMessage?: string };
}

export interface FlywayRun {
  exitCode: number;
  /** One result per operation, in order (a failed operation ends the list). */
  results: FlywayResult[];
  error?: FlywayError;
  stderr: string;
}

export interface FlywayOptions {
  flyway: string;
  workDir: string;
  migrationsDir: string;
  target: Target;
  login: Login;
  settings: Settings;
  baseEnv: NodeJS.ProcessEnv;
  /** Where the class-data archive of Flyway's JVM lives (class-data.ts); undefined: none. */
  classDataHome?: string;
  /** Each statement's bound from the command's deadline (less the reserve); undefined: none. The database's own statement_timeout applies too. */
  statementTimeoutMs?: number;
}

/** The name every Flyway session of the runner carries (PostgreSQL application_name), so the runner can find what blocks it. */
export const FLYWAY_APPLICATION_NAME = 'aurora-flyway-runner';

/**
 * SQL Flyway runs on each connection it opens (initSql), as one statement (MySQL's driver runs one
 * per call): the database's lock timeout, so a migration that queues behind a long transaction gives
 * up instead of stalling every query on the table behind its own lock request; and a statement
 * timeout, the smaller of the database's setting and what the command's deadline leaves, so a
 * statement is stopped by the database (and rolled back on PostgreSQL) before Run Command kills the
 * run. 0 or undefined turns one off. MySQL has no statement timeout for DDL (max_execution_time
 * covers SELECT only): there the deadline bounds the waits for metadata and row locks instead.
 */
export function sessionBounds(engine: Settings['engine'], bounds: { lockTimeoutMs?: number; statementTimeoutMs?: number }): string | undefined {
  const positive = (value: number | undefined) => (value !== undefined && value > 0 ? Math.max(1, Math.floor(value)) : undefined);
  const lock = positive(bounds.lockTimeoutMs);
  const statement = positive(bounds.statementTimeoutMs);
  if (engine === 'postgresql') {
    const settings = [
      ...(lock === undefined ? [] : [`set_config('lock_timeout', '${lock}', false)`]),
      ...(statement === undefined ? [] : [`set_config('statement_timeout', '${statement}', false)`]),
    ];
    return settings.length === 0 ? undefined : `SELECT ${settings.join(', ')}`;
  }
  const waits = [lock, statement].filter((value): value is number => value !== undefined);
  if (waits.length === 0) return undefined;
  const seconds = Math.max(1, Math.floor(Math.min(...waits) / 1000));
  return `SET SESSION lock_wait_timeout = ${seconds}, SESSION innodb_lock_wait_timeout = ${Math.min(seconds, 1_073_741_824)}`;
}

/** The JDBC URL: TLS with the server certificate verified against the CA bundle, no local file reads. */
export function jdbcUrl(target: Target): string {
  const { host, port, database, caFile } = target;
  // Neither driver decodes URL escapes in these options, so the path goes in as it is (checked safe).
  if (!SAFE_PATH.test(caFile)) throw new RunnerFailure(EXIT.config, `the CA bundle path ${JSON.stringify(caFile)} has characters a JDBC URL cannot carry`, 'keep FLYWAY_RUNNER_HOME (or the test CA override) to letters, digits and / . _ -');
  if (target.engine === 'postgresql') {
    return `jdbc:postgresql://${host}:${port}/${database}?sslmode=verify-full&sslrootcert=${caFile}&ApplicationName=${FLYWAY_APPLICATION_NAME}`;
  }
  // jdbc:mysql works against MySQL and MariaDB: Flyway uses its bundled MariaDB Connector/J (2.7)
  // when MySQL Connector/J (GPL, not bundled) is absent. allowLocalInfile=false: a migration must
  // not read the host's files (LOAD DATA LOCAL INFILE '/proc/self/environ' would hold the password).
  // useSsl=true is required: with serverSslCert alone Connector/J 2.7 silently connects in plain text.
  return `jdbc:mysql://${host}:${port}/?useSsl=true&serverSslCert=${caFile}&disableSslHostnameVerification=false&trustServerCertificate=false&allowLocalInfile=false`;
}

/** Flyway's environment; pure apart from reading nothing. `extraJavaArgs`: the class-data archive's. */
export function flywayEnvironment(options: FlywayOptions, configFile: string, command: string, extraJavaArgs: readonly string[] = []): NodeJS.ProcessEnv {
  const { settings, target, login } = options;
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(options.baseEnv)) {
    if (!name.startsWith('FLYWAY_')) env[name] = value;
  }
  Object.assign(env, {
    FLYWAY_URL: jdbcUrl(target),
    FLYWAY_USER: login.username,
    FLYWAY_PASSWORD: login.password,
    FLYWAY_LOCATIONS: `filesystem:${options.migrationsDir}`,
    FLYWAY_CONFIG_FILES: configFile,
    FLYWAY_CLEAN_DISABLED: 'true',
    FLYWAY_VALIDATE_MIGRATION_NAMING: command === 'info' ? 'false' : 'true',
    FLYWAY_CONNECT_RETRIES: String(settings.connectRetries),
    FLYWAY_CONNECT_RETRIES_INTERVAL: String(settings.connectRetriesInterval),
    FLYWAY_BASELINE_ON_MIGRATE: String(settings.baselineOnMigrate),
    FLYWAY_OUT_OF_ORDER: String(settings.outOfOrder),
    // validate checks what was applied; files not applied yet are not an error there.
    FLYWAY_IGNORE_MIGRATION_PATTERNS: command === 'validate' ? '*:future,*:pending' : '*:future',
    REDGATE_DISABLE_TELEMETRY: 'true',
    // Flyway runs are short: the C1 compiler and the serial collector start the JVM about a third
    // faster (the Flyway launcher passes JAVA_ARGS to java). An explicit JAVA_ARGS wins.
    JAVA_ARGS: options.baseEnv.JAVA_ARGS ?? ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...extraJavaArgs].join(' '),
  });
  const statementTimeoutMs = [settings.dbStatementTimeoutMs > 0 ? settings.dbStatementTimeoutMs : undefined, options.statementTimeoutMs]
    .filter((value): value is number => value !== undefined)
    .reduce<number | undefined>((smallest, value) => (smallest === undefined ? value : Math.min(smallest, value)), undefined);
  const initSql = sessionBounds(settings.engine, { lockTimeoutMs: settings.dbLockTimeoutMs, statementTimeoutMs });
  if (initSql !== undefined) env.FLYWAY_INIT_SQL = initSql;
  // Flyway 9.1.2 and later take their PostgreSQL lock inside a transaction, which CREATE INDEX
  // CONCURRENTLY then waits for forever (Flyway issue 3508); the session-level advisory lock
  // serialises runs just as well.
  if (settings.engine === 'postgresql') env.FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK = 'false';
  if (settings.schemas.length > 0) env.FLYWAY_SCHEMAS = settings.schemas.join(',');
  // Flyway lower-cases FLYWAY_PLACEHOLDERS_<NAME> and matches names case-insensitively.
  for (const [name, value] of Object.entries(settings.placeholders)) env[`FLYWAY_PLACEHOLDERS_${name.toUpperCase()}`] = value;
  return env;
}

/** The JSON Flyway printed: one result, or several under individualResults. */
export function parseFlywayOutput(stdout: string): { results: FlywayResult[]; error?: FlywayError } | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const object = parsed as FlywayResult & { individualResults?: FlywayResult[] };
  const results = Array.isArray(object.individualResults) ? object.individualResults : [object];
  const error =
    object.error ??
    (object.errorDetails ? { errorCode: object.errorDetails.errorCode, message: object.errorDetails.errorMessage } : undefined) ??
    results.find((result) => result.error !== undefined)?.error;
  return { results, ...(error ? { error } : {}) };
}

/** Runs `flyway <commands...>`; the password only in Flyway's environment. */
export async function runFlyway(options: FlywayOptions, commands: readonly string[]): Promise<FlywayRun> {
  const configFile = join(options.workDir, 'flyway.conf');
  writeFileSync(configFile, '', { mode: 0o600 });
  // An explicit JAVA_ARGS (the caller's) is left alone, class-data archive included.
  const classData = options.classDataHome === undefined || options.baseEnv.JAVA_ARGS !== undefined ? undefined : classDataFor(options.classDataHome, options.flyway, options.baseEnv);
  const result = await runProcess(options.flyway, ['-outputType=json', '-skipCheckForUpdate', ...commands], {
    env: flywayEnvironment(options, configFile, commands[0], classData?.javaArgs),
    cwd: options.workDir,
  }).finally(() => classData?.done());
  const parsed = parseFlywayOutput(result.stdout);
  if (parsed === undefined) {
    // No JSON at all: Flyway did not get to the database (Java missing, a broken install).
    throw new RunnerFailure(
      EXIT.host,
      `flyway printed no result (exit code ${result.code}): ${firstLine(result.stderr + result.stdout) || 'no output'}`,
      'the host is not ready to run Flyway (is Java installed? see /var/log/flyway-host-setup.log); the database was not touched, run again once the host is fixed',
      { flywayExitCode: result.code },
    );
  }
  return { exitCode: result.code, results: parsed.results, ...(parsed.error ? { error: parsed.error } : {}), stderr: result.stderr };
}

export function resultOf(run: FlywayRun, operation: string): FlywayResult | undefined {
  return run.results.find((result) => result.operation === operation);
}

// States of an applied migration that did not fail (Flyway's MigrationState display names).
const APPLIED_STATES = new Set(['Success', 'Baseline', 'Out of Order', 'Future', 'Outdated', 'Superseded', 'Ignored']);

/**
 * The schema's version: the highest applied version that did not fail. (Flyway's own schemaVersion
 * counts a failed MySQL migration, which stays recorded until repair.)
 */
export function currentVersion(info: FlywayResult): string | null {
  const applied = (info.migrations ?? [])
    .filter((migration) => migration.version && migration.installedOnUTC && APPLIED_STATES.has(migration.state ?? ''))
    .map((migration) => migration.version as string);
  return maxVersion(applied) ?? null;
}

/** Prints the `flyway info` rows of a run (when it has them) and returns the schema's version; undefined without an info result. */
export function printInfo(run: FlywayRun, write: (text: string) => void): string | null | undefined {
  const info = resultOf(run, 'info');
  if (info === undefined) return undefined;
  write(`${INFO_HEADER}\n`);
  for (const row of infoRows(info)) write(`${row}\n`);
  return currentVersion(info);
}

/** `  V1  create table persons  Success  2026-...` rows, as people read `flyway info`. */
export function infoRows(info: FlywayResult): string[] {
  return (info.migrations ?? []).map((migration) => {
    const id = migration.version ? `V${migration.version}` : migration.type === 'SCHEMA' ? 'schema' : migration.category === 'Callback' ? 'callback' : 'R';
    return `  ${id}  ${migration.description ?? ''}  ${migration.state ?? ''}${migration.installedOnUTC ? `  ${migration.installedOnUTC}` : ''}`;
  });
}
