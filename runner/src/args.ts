// The runner's command line. Pure: argv in, arguments or a usage error out. The SSM document
// passes every argument; people run it by hand as root on the host.

import { parseCaSource, type CaSource } from './ca-bundle';

export const ACTIONS = ['migrate', 'info', 'validate', 'repair'] as const;
export type Action = (typeof ACTIONS)[number];

export const DATABASE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const CONFIG_PREFIX_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;
const REQUESTED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ENDPOINT_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})):(\d{1,5})$/;

export const DEFAULT_MAX_PARALLEL = 2;
export const DEFAULT_SETTLE_SECONDS = 3;

export interface Endpoint {
  host: string;
  port: number;
}

/** A cluster the module's document names: its endpoint and, from the module, the secret of its login. */
export interface DbTarget extends Endpoint {
  secretId?: string;
}

export interface RunnerArgs {
  configPrefix: string;
  database: string;
  action: Action;
  requestedAt?: string;
  /** The clusters the module's document names; a database's settings must name one of them (and its secret). */
  dbEndpoints: DbTarget[];
  maxParallel: number;
  settleSeconds: number;
  /** Seconds left of the command's executionTimeout when the runner started (the document passes it). */
  secondsLeft?: number;
  /** Where the CA bundle comes from: AWS's trust store for the region (default), or the user's. */
  caBundle: CaSource;
  /** The module's failure topic: a tenant group's failed run names its tenants there. */
  notifyTopic?: string;
}

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'args'; args: RunnerArgs }
  | { kind: 'usage-error'; message: string; database?: string; action?: string };

export const USAGE = `Usage: flyway-runner --config-prefix /<prefix> --database <key> --action <action>
                     [--requested-at <time>] [--db-endpoint <host:port>[=<secret ARN>]]...
                     [--max-parallel <n>] [--settle-seconds <s>] [--seconds-left <s>]
                     [--ca-bundle aws|<https URL>|<s3:// URI>] [--notify-topic <SNS topic ARN>]

Migrates one database of the terraform-aws-aurora-flyway module with Flyway. The module's SSM
Command document runs it on the Flyway host (node flyway-runner.js ...); you can run it there by
hand too, as root.

Arguments
  --config-prefix /<prefix>  SSM Parameter Store prefix the module writes to, e.g. /shop/flyway
  --database <key>           the database key, e.g. users (pattern ^[a-z][a-z0-9_]{0,62}$)
  --action <action>          migrate | info | validate | repair   (clean is never allowed)
  --requested-at <time>      time of the newest upload behind this request (ISO-8601 UTC)
  --db-endpoint <host:port>[=<secret ARN>]
                             a cluster's endpoint as the module knows it, with the secret of its
                             login; once per cluster. A database's settings parameter must name
                             one of them, with that secret (a changed parameter cannot send a
                             password elsewhere). Without any, the settings' endpoint is used.
  --max-parallel <n>         host-wide limit of databases migrated at once (default ${DEFAULT_MAX_PARALLEL})
  --settle-seconds <s>       the bucket listing must stay unchanged this long before a migrate
                             pass starts, so that a multi-file upload is taken as a whole
                             (default ${DEFAULT_SETTLE_SECONDS}; 0 turns it off)
  --seconds-left <s>         what is left of the command's executionTimeout (the document passes
                             it): no pass starts without time to finish and record it; Flyway's
                             statements get a timeout that ends before it. Without it: no limit.
  --ca-bundle <source>       the CA bundle database certificates are verified against: aws
                             (default: AWS's bundle for the host's region, fetched daily, the
                             bundle shipped in the runner if it cannot be), or your own bundle
                             as an https:// URL or an s3://bucket/key object
  --notify-topic <arn>       the module's failure topic: a tenant group's run that leaves tenants
                             unmigrated publishes which ones, and why, there
  -h, --help                 this text

migrate: the request is handed to the database's run. If a run for the database is already
active, or the host already migrates --max-parallel databases, the command ends at once with
status "queued" (exit 0) and that run takes the request: an active run repeats until the bucket
is unchanged since its last pass, then takes queued requests of other databases. A taken request
stays on the host until the outcome record of the pass that ran it is written; a run that dies
leaves it to the next command. Every command (info, validate and repair too) runs, after its own
action, the requests that no run holds. A pass waits
until the listing settles, skips when its last pass succeeded on the same files with the same
settings, syncs the files the naming rules accept (rejected ones are listed, never downloaded),
reads the login from Secrets Manager into environment variables only, waits for the database,
creates a missing PostgreSQL database, and runs one Flyway process (migrate, then info). After
each pass it writes the outcome record s3://<bucket>/.flyway/outcome.json. When too little of
the command's time is left for another pass, it records the versions still waiting and exits 9.
info, validate: never wait for a run; they work on a private copy of the accepted files.
repair: waits for the database's active run (up to the settings' lock_timeout_seconds).

Output: progress lines, then one JSON summary line (always the last line):
  {"database","action","status":"success|failed|skipped|queued","reason","schema_version_before",
   "schema_version_after","migrations_applied","passes","rejected":[{"key","reason"}],
   "flyway_exit_code","duration_ms","requested_at","exit_code","also":[...]}

Exit codes
  0  success, skipped (nothing could have changed) or queued (handed to the active run)
  1  unexpected error in the runner itself
  2  usage: bad or missing argument
  3  configuration: settings parameter, secret or bucket missing, invalid or unreadable
  4  authentication failed: the database rejected the login from the secret
  5  database unreachable after the configured connection retries
  6  lock timeout: repair waited longer than lock_timeout_seconds for the active run
  7  migration or validation failed (Flyway's message and what to do are printed)
  8  the host is not ready (a program such as Java or psql is missing); not recorded as the
     database's outcome
  9  stopped with requests in hand: the command's time ran short (or the bucket kept changing);
     the outcome record names the versions still waiting, the requests stay for the next command

Environment
  FLYWAY_RUNNER_HOME         state directory (default /var/lib/flyway-runner)
  FLYWAY_RUNNER_FLYWAY       the Flyway CLI (default: flyway on PATH)
  FLYWAY_RUNNER_CA_BUNDLE    TEST ONLY: CA bundle file replacing the Amazon RDS bundle
  FLYWAY_RUNNER_TRUSTSTORE_URL  TEST ONLY: address of AWS's bundle for a region ({region} in it)
  FLYWAY_RUNNER_DB_ENDPOINT  TEST ONLY: "host:port" replacing every endpoint, or a comma list of
                             "<cluster host:port>=<host:port>" replacing each cluster's (the
                             local harness points them at local database servers)
  AWS_*                      the AWS SDK's usual settings (region, endpoint, credentials)`;

export function parseEndpoint(text: string): Endpoint | undefined {
  const match = ENDPOINT_PATTERN.exec(text);
  if (match === null) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1], port } : undefined;
}

const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

/** "host:port" or "host:port=<secret ARN>" (the secret's name may hold "=": split at the first; RDS names its secrets "rds!cluster-<id>"). */
export function parseDbTarget(text: string): DbTarget | undefined {
  const eq = text.indexOf('=');
  const endpoint = parseEndpoint(eq < 0 ? text : text.slice(0, eq));
  if (endpoint === undefined) return undefined;
  if (eq < 0) return endpoint;
  const secretId = text.slice(eq + 1);
  return SECRET_ARN_PATTERN.test(secretId) ? { ...endpoint, secretId } : undefined;
}

function integerIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const endpointTexts: string[] = [];
  const known = ['--config-prefix', '--database', '--action', '--requested-at', '--db-endpoint', '--max-parallel', '--settle-seconds', '--seconds-left', '--ca-bundle', '--notify-topic'];
  const error = (message: string): ParsedArgs => ({
    kind: 'usage-error',
    message,
    database: values.get('--database'),
    action: values.get('--action'),
  });
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.includes(name)) return error(`unknown argument ${JSON.stringify(arg)}`);
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i += 1;
    if (value === undefined) return error(`${name} needs a value`);
    if (name === '--db-endpoint') endpointTexts.push(value);
    else values.set(name, value);
    value = undefined;
  }

  const database = values.get('--database');
  if (database === undefined) return error('--database is required');
  if (!DATABASE_KEY_PATTERN.test(database)) return error(`--database must match ${DATABASE_KEY_PATTERN.source}`);
  const action = values.get('--action');
  if (action === undefined) return error(`--action is required (one of: ${ACTIONS.join(' ')})`);
  if (action === 'clean') return error('--action clean is never allowed (cleanDisabled=true): it would drop every object in the schemas');
  if (!(ACTIONS as readonly string[]).includes(action)) return error(`--action must be one of: ${ACTIONS.join(' ')}`);
  const configPrefix = values.get('--config-prefix');
  if (configPrefix === undefined) return error('--config-prefix is required');
  if (!CONFIG_PREFIX_PATTERN.test(configPrefix)) return error(`--config-prefix must match ${CONFIG_PREFIX_PATTERN.source}`);
  const requestedAt = values.get('--requested-at');
  if (requestedAt !== undefined && requestedAt !== '' && !REQUESTED_AT_PATTERN.test(requestedAt)) {
    return error('--requested-at must be an ISO-8601 UTC time like 2026-11-21T05:00:00.000Z');
  }
  const dbEndpoints: DbTarget[] = [];
  for (const text of endpointTexts) {
    const target = parseDbTarget(text);
    if (target === undefined) return error('--db-endpoint must be host:port, or host:port=<secret ARN>');
    dbEndpoints.push(target);
  }
  const maxParallelText = values.get('--max-parallel');
  const maxParallel = maxParallelText === undefined ? DEFAULT_MAX_PARALLEL : integerIn(maxParallelText, 1, 64);
  if (maxParallel === undefined) return error('--max-parallel must be an integer from 1 to 64');
  const settleText = values.get('--settle-seconds');
  const settleSeconds = settleText === undefined ? DEFAULT_SETTLE_SECONDS : integerIn(settleText, 0, 300);
  if (settleSeconds === undefined) return error('--settle-seconds must be an integer from 0 to 300');
  const secondsLeftText = values.get('--seconds-left');
  const secondsLeft = secondsLeftText === undefined ? undefined : integerIn(secondsLeftText, 0, 172800);
  if (secondsLeftText !== undefined && secondsLeft === undefined) return error('--seconds-left must be an integer from 0 to 172800');
  const notifyTopic = values.get('--notify-topic');
  if (notifyTopic !== undefined && !TOPIC_ARN_PATTERN.test(notifyTopic)) return error('--notify-topic must be an SNS topic ARN');
  const caBundle = parseCaSource(values.get('--ca-bundle') ?? 'aws');
  if (caBundle === undefined) return error('--ca-bundle must be aws, an https:// URL or an s3://bucket/key URI');

  return {
    kind: 'args',
    args: {
      configPrefix,
      database,
      action: action as Action,
      ...(requestedAt ? { requestedAt } : {}),
      dbEndpoints,
      maxParallel,
      settleSeconds,
      ...(secondsLeft === undefined ? {} : { secondsLeft }),
      caBundle,
      ...(notifyTopic === undefined ? {} : { notifyTopic }),
    },
  };
}
