// A database's settings, as the module writes them to Parameter Store
// (<config_prefix>/databases/<key>). Pure: the parameter's text in, settings or every problem out.

export type Engine = 'postgresql' | 'mysql';

export interface Settings {
  key: string;
  bucket: string;
  database: string;
  engine: Engine;
  host: string;
  port: number;
  secretId: string;
  schemas: string[];
  placeholders: Record<string, string>;
  baselineOnMigrate: boolean;
  outOfOrder: boolean;
  /** Sync and run Flyway SQL callbacks (afterMigrate.sql, ...); off by default. */
  callbacks: boolean;
  connectRetries: number;
  /** Cap of the doubling wait between connection attempts, in seconds. */
  connectRetriesInterval: number;
  /** How long repair waits for the database's active run. */
  lockTimeoutSeconds: number;
  /**
   * The database's lock_timeout for every migration session (MySQL: lock_wait_timeout and
   * innodb_lock_wait_timeout), in milliseconds; 0: off (waits are bounded by the command's time only).
   */
  dbLockTimeoutMs: number;
  /** The database's statement_timeout for every migration session, in milliseconds; 0: off (only the command's time bounds it). */
  dbStatementTimeoutMs: number;
  /** How often a migration that failed on the lock timeout, having applied nothing, is tried again. */
  lockRetries: number;
  /**
   * A tenant group: its tenants, each with its own database (and cluster, login and schemas), in
   * the group's order, all sharing the group's bucket and Flyway options. The group's own
   * connection fields are its first tenant's; a pass connects to each tenant with the tenant's.
   */
  tenants?: TenantSettings[];
  /** canary: the first N tenants migrate first, the rest only if they all succeeded; onError stop: no tenant starts after a failure. */
  group?: { canary: number; onError: 'stop' | 'continue' };
}

export interface TenantSettings extends Settings {
  tenant: string;
  cluster: string;
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; problems: string[] };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@:!-]{1,2048}$/;
const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const TENANT = /^[a-z][a-z0-9_]{0,62}$/;
const TARGET_FIELDS = ['database', 'engine', 'host', 'port', 'secret_id'] as const;

/** A tenant group's settings: every tenant is checked as a database of its own with the group's bucket and Flyway options. */
function parseGroup(s: Json, expectedKey: string): SettingsResult {
  const tenants = s.tenants as unknown[];
  const group = isObject(s.group) ? s.group : {};
  const problems: string[] = [];
  if (tenants.length === 0) problems.push('tenants must name at least one tenant');
  if (!isIntegerIn(group.canary ?? 0, 0, 1000)) problems.push('group.canary must be an integer from 0 to 1000');
  if (!['stop', 'continue', undefined].includes(group.on_error as string | undefined)) problems.push('group.on_error must be stop or continue');
  const flyway = isObject(s.flyway) ? s.flyway : {};
  const clusters = isObject(s.clusters) ? s.clusters : {};
  const parsed: TenantSettings[] = [];
  tenants.forEach((tenant, index) => {
    if (!isObject(tenant) || typeof tenant.tenant !== 'string' || !TENANT.test(tenant.tenant)) {
      problems.push(`tenants[${index}] must be an object whose tenant matches ${TENANT.source}`);
      return;
    }
    const name = tenant.tenant;
    // The cluster's connection (engine, host, port, secret_id) is written once per cluster.
    const cluster = typeof tenant.cluster === 'string' && isObject(clusters[tenant.cluster]) ? (clusters[tenant.cluster] as Json) : {};
    const own = Object.fromEntries(TARGET_FIELDS.map((field) => [field, tenant[field] ?? cluster[field]]));
    const result = parseSettings(JSON.stringify({ key: expectedKey, bucket: s.bucket, ...own, flyway: { ...flyway, schemas: tenant.schemas ?? [] } }), expectedKey);
    if (!result.ok) problems.push(...result.problems.map((problem) => `tenant ${name}: ${problem}`));
    else parsed.push({ ...result.settings, tenant: name, cluster: typeof tenant.cluster === 'string' ? tenant.cluster : 'default' });
  });
  const names = parsed.map((tenant) => tenant.tenant);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) problems.push(`tenants ${[...new Set(twice)].join(', ')} appear more than once`);
  if (problems.length > 0 || parsed.length === 0) return { ok: false, problems };
  const onError = group.on_error === 'continue' ? 'continue' : 'stop';
  const { tenant: _tenant, cluster: _cluster, ...first } = parsed[0];
  return { ok: true, settings: { ...first, tenants: parsed, group: { canary: (group.canary as number | undefined) ?? 0, onError } } };
}

export function parseSettings(text: string, expectedKey: string): SettingsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['is not a JSON object'] };
  }
  if (!isObject(parsed)) return { ok: false, problems: ['is not a JSON object'] };
  const s = parsed;
  if (Array.isArray(s.tenants)) return parseGroup(s, expectedKey);
  const problems: string[] = [];
  const problem = (condition: boolean, message: string) => {
    if (condition) problems.push(message);
  };
  problem(s.key !== expectedKey, `key is ${JSON.stringify(s.key)}, expected ${JSON.stringify(expectedKey)}`);
  problem(!(typeof s.bucket === 'string' && BUCKET.test(s.bucket)), `bucket ${JSON.stringify(s.bucket)} is not a valid S3 bucket name`);
  problem(!(typeof s.database === 'string' && IDENTIFIER.test(s.database)), `database ${JSON.stringify(s.database)} must match ${IDENTIFIER.source}`);
  problem(s.engine !== 'postgresql' && s.engine !== 'mysql', `engine ${JSON.stringify(s.engine)} is not postgresql or mysql`);
  problem(!(typeof s.host === 'string' && HOST.test(s.host)), `host ${JSON.stringify(s.host)} is not a host name`);
  problem(!isIntegerIn(s.port, 1, 65535), `port ${JSON.stringify(s.port)} is not an integer from 1 to 65535`);
  problem(!(typeof s.secret_id === 'string' && SECRET_ID.test(s.secret_id)), `secret_id ${JSON.stringify(s.secret_id)} is not a secret name or ARN`);
  const f = s.flyway ?? {};
  if (!isObject(f)) {
    problems.push('flyway must be an object');
    return { ok: false, problems };
  }
  const schemas = f.schemas ?? [];
  problem(!(Array.isArray(schemas) && schemas.every((name) => typeof name === 'string' && IDENTIFIER.test(name))), `flyway.schemas must be a list of names matching ${IDENTIFIER.source}`);
  const placeholders = f.placeholders ?? {};
  const placeholdersOk =
    isObject(placeholders) &&
    Object.entries(placeholders).every(([name, value]) => PLACEHOLDER_NAME.test(name) && ['string', 'number', 'boolean'].includes(typeof value));
  problem(!placeholdersOk, 'flyway.placeholders must map names (^[A-Za-z_][A-Za-z0-9_]*$) to strings, numbers or booleans');
  problem(placeholdersOk && Object.values(placeholders).some((value) => String(value).includes('\u0000')), 'flyway.placeholders values must not contain NUL');
  for (const flag of ['baseline_on_migrate', 'out_of_order', 'callbacks']) {
    problem(f[flag] !== undefined && typeof f[flag] !== 'boolean', `flyway.${flag} must be true or false`);
  }
  problem(f.connect_retries !== undefined && !isIntegerIn(f.connect_retries, 0, 10000), 'flyway.connect_retries must be an integer from 0 to 10000');
  problem(f.connect_retries_interval !== undefined && !isIntegerIn(f.connect_retries_interval, 1, 120), 'flyway.connect_retries_interval must be an integer from 1 to 120');
  problem(f.lock_timeout_seconds !== undefined && !isIntegerIn(f.lock_timeout_seconds, 0, 86400), 'flyway.lock_timeout_seconds must be an integer from 0 to 86400');
  problem(f.db_lock_timeout_ms !== undefined && !isIntegerIn(f.db_lock_timeout_ms, 0, 86_400_000), 'flyway.db_lock_timeout_ms must be an integer from 0 to 86400000');
  problem(f.db_statement_timeout_ms !== undefined && !isIntegerIn(f.db_statement_timeout_ms, 0, 172_800_000), 'flyway.db_statement_timeout_ms must be an integer from 0 to 172800000');
  problem(f.lock_retries !== undefined && !isIntegerIn(f.lock_retries, 0, 20), 'flyway.lock_retries must be an integer from 0 to 20');
  if (problems.length > 0) return { ok: false, problems };

  const schemaList = schemas as string[];
  const engine = s.engine as Engine;
  if (engine === 'mysql' && schemaList.length > 0 && schemaList[0] !== s.database) {
    return {
      ok: false,
      problems: [`for engine mysql the first of flyway.schemas must be the database ${JSON.stringify(s.database)} (it is the schema Flyway creates)`],
    };
  }
  return {
    ok: true,
    settings: {
      key: expectedKey,
      bucket: s.bucket as string,
      database: s.database as string,
      engine,
      host: s.host as string,
      port: s.port as number,
      secretId: s.secret_id as string,
      // For MySQL the database is a schema, which Flyway creates: it is the first (default) schema.
      schemas: engine === 'mysql' && schemaList.length === 0 ? [s.database as string] : schemaList,
      placeholders: Object.fromEntries(Object.entries(placeholders as Json).map(([name, value]) => [name, String(value)])),
      baselineOnMigrate: f.baseline_on_migrate === true,
      outOfOrder: f.out_of_order === true,
      callbacks: f.callbacks === true,
      connectRetries: (f.connect_retries as number | undefined) ?? 120,
      connectRetriesInterval: (f.connect_retries_interval as number | undefined) ?? 10,
      lockTimeoutSeconds: (f.lock_timeout_seconds as number | undefined) ?? 900,
      // Settings written before these existed keep the old behaviour: no session timeouts, no retries.
      dbLockTimeoutMs: (f.db_lock_timeout_ms as number | undefined) ?? 0,
      dbStatementTimeoutMs: (f.db_statement_timeout_ms as number | undefined) ?? 0,
      lockRetries: (f.lock_retries as number | undefined) ?? 0,
    },
  };
}
