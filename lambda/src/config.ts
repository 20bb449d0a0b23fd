// The function's configuration, set by Terraform as environment variables. Parsed once per
// cold start; anything missing or malformed is a ConfigError naming the variable and the fix,
// because a trigger that guesses would send commands to the wrong place.

export interface Config {
  documentName: string;
  instanceId: string;
  /** Parameter Store path under which `<path>/<bucket name>` holds each bucket's database key. */
  bucketParameterPrefix: string;
  commandLogGroup: string;
  commandTimeoutSeconds: number;
  notificationTopicArn: string;
  /** The module's host sleeps when idle (host_idle_stop_minutes > 0): start it before sending. */
  startStoppedHost: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Database keys are also the runner's directory and database names; the document enforces the same pattern. */
export const DATABASE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

// Patterns below are the ones the AWS APIs enforce, so a bad value fails here, at cold start,
// with a message about the variable instead of later as an opaque ValidationException.
const DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const INSTANCE_ID_PATTERN = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;
const PARAMETER_PATH_PATTERN = /^(\/[A-Za-z0-9_.-]+){1,14}$/;
const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const TOPIC_ARN_PATTERN = /^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
// SendCommand accepts TimeoutSeconds in this range.
const MIN_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 2_592_000;

type Env = Readonly<Record<string, string | undefined>>;

const HINT = 'The Terraform module sets it on the function; re-apply the module (or fix the value in the function configuration).';

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Configuration error: environment variable ${name} is missing or empty. ${HINT}`);
  }
  return value.trim();
}

function matching(env: Env, name: string, pattern: RegExp, expected: string): string {
  const value = required(env, name);
  if (!pattern.test(value)) {
    throw new ConfigError(`Configuration error: ${name}=${JSON.stringify(value)} is not ${expected}. ${HINT}`);
  }
  return value;
}

function parseTimeout(env: Env): number {
  const raw = required(env, 'COMMAND_TIMEOUT_SECONDS');
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < MIN_TIMEOUT_SECONDS || value > MAX_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Configuration error: COMMAND_TIMEOUT_SECONDS=${JSON.stringify(raw)} must be an integer from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}. ${HINT}`,
    );
  }
  return value;
}

function parseFlag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return false;
  if (raw.trim() === 'true') return true;
  if (raw.trim() === 'false') return false;
  throw new ConfigError(`Configuration error: ${name}=${JSON.stringify(raw)} must be true or false. ${HINT}`);
}

export function parseConfig(env: Env): Config {
  return {
    documentName: matching(env, 'DOCUMENT_NAME', DOCUMENT_NAME_PATTERN, 'an SSM document name'),
    instanceId: matching(env, 'INSTANCE_ID', INSTANCE_ID_PATTERN, 'an EC2 or managed instance id (i-... / mi-...)'),
    bucketParameterPrefix: matching(env, 'BUCKET_PARAMETER_PREFIX', PARAMETER_PATH_PATTERN, 'a Parameter Store path such as /myproj/flyway/buckets'),
    commandLogGroup: matching(env, 'COMMAND_LOG_GROUP', LOG_GROUP_PATTERN, 'a CloudWatch log group name'),
    commandTimeoutSeconds: parseTimeout(env),
    notificationTopicArn: matching(env, 'NOTIFICATION_TOPIC_ARN', TOPIC_ARN_PATTERN, 'an SNS topic ARN'),
    startStoppedHost: parseFlag(env, 'START_STOPPED_HOST'),
  };
}
