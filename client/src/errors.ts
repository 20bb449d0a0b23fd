// Errors the client expects (missing credentials, an unknown database, access denied, a refused
// upload) end the command with a message that says what happened and what to do, and a
// documented exit code; anything else is a bug and keeps its stack.

export const EXIT = {
  ok: 0,
  /** The migration failed, or lint found errors. */
  failed: 1,
  /** Wrong usage: unknown option, missing argument. */
  usage: 2,
  /** The pipeline or the database could not be found, or AWS refused a call. */
  setup: 3,
  /** Waited longer than --timeout for the result. */
  timeout: 4,
  /** The upload was refused before anything was uploaded (a changed applied version). */
  refused: 5,
  /** A bug in the client (the stack trace is printed). */
  internal: 70,
} as const;

export class ClientError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What to do about it. */
    readonly todo?: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

const CREDENTIALS = ['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'];
const DENIED = ['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'UnauthorizedOperation'];

/** An AWS SDK error as a ClientError when its cause is the user's to fix; undefined otherwise. */
export function explainAwsError(error: unknown, doing: string): ClientError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (CREDENTIALS.includes(error.name)) {
    return new ClientError(`no valid AWS credentials while ${doing} (${error.name}: ${error.message})`, EXIT.setup, 'configure credentials (aws configure, AWS_PROFILE, or OIDC in CI) and try again');
  }
  // S3 answers HEAD requests (and some refusals) with a bare 403: the SDK cannot name the error.
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (DENIED.includes(error.name) || status === 403) {
    return new ClientError(`AWS refused ${doing}: ${error.message}`, EXIT.setup, 'ask for the permission named above on the pipeline\'s buckets, parameters and document');
  }
  if (error.name === 'NoSuchBucket') return new ClientError(`the bucket does not exist while ${doing}`, EXIT.setup, 'check --name-prefix and the region; terraform apply creates the buckets');
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(error.message)) {
    return new ClientError(`could not reach AWS while ${doing}: ${error.message}`, EXIT.setup, 'check the network, the region and --endpoint-url');
  }
  return undefined;
}

/** Runs an AWS step, turning the user's errors into ClientErrors that name the step. */
export async function step<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw explainAwsError(error, doing) ?? error;
  }
}
