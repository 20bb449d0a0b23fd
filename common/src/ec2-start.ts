// ec2:StartInstances as one signed EC2 Query request. The SDK's EC2 client would double the
// package (its serializer holds the schema of every EC2 operation, about 560 KB minified, which
// does not tree-shake), for the one call the trigger makes. Signing, credentials and the SHA-256
// are the SDK's own packages, which the other clients bundle anyway; the request and the answer
// are EC2's documented Query shapes. Parsing is pure. Brief faults are retried with the SDK's own
// retry strategy and error classification, as the SDK retries every other call the trigger makes.

import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { DEFAULT_MAX_ATTEMPTS, isServerError, isThrottlingError, isTransientError, StandardRetryStrategy, type StandardRetryStrategyOptions } from '@smithy/core/retry';
import { defaultProvider } from '@aws-sdk/credential-provider-node';

const API_VERSION = '2016-11-15';
const REQUEST_TIMEOUT_MS = 10_000;

/** The error EC2 answered (Code and Message of its XML error), thrown with its code as name. */
export class Ec2Error extends Error {
  /** Where the SDK's error classification reads the status, as on the SDK's own errors. */
  readonly $metadata: { httpStatusCode: number };

  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.$metadata = { httpStatusCode: status };
  }
}

const decodeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? '');

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match === null ? undefined : match[1];
}

/** The previous and current state names of a StartInstances answer, or the error it holds (pure). */
export function parseStartInstancesResponse(status: number, xml: string): { previous: string; current: string } | Ec2Error {
  const error = element(xml, 'Error');
  if (status >= 300 || error !== undefined) {
    const code = element(error ?? xml, 'Code') ?? `HTTP${status}`;
    return new Ec2Error(decodeXml(code), decodeXml(element(error ?? xml, 'Message') ?? `EC2 answered HTTP ${status}`), status);
  }
  const item = element(xml, 'item') ?? '';
  const previous = element(element(item, 'previousState') ?? '', 'name');
  const current = element(element(item, 'currentState') ?? '', 'name');
  if (previous === undefined || current === undefined) return new Ec2Error('UnreadableResponse', `StartInstances answered without instance states: ${xml.slice(0, 200)}`, status);
  return { previous, current };
}

/** EC2's endpoint: the SDK's endpoint variables first (the local emulator), else the region's. */
export function ec2Endpoint(env: Readonly<Record<string, string | undefined>>, region: string): string {
  const configured = env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL;
  if (configured !== undefined && configured !== '') return configured.replace(/\/+$/, '');
  return `https://ec2.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

/**
 * An error as the SDK's retry middleware classifies it (its own getRetryErrorType is not
 * exported; the predicates are the SDK's): throttling codes such as RequestLimitExceeded and 429;
 * timeouts, refused or reset connections and 500/502/503/504; other 5xx; anything else, such as
 * IncorrectInstanceState or UnauthorizedOperation, is the caller's to decide. One addition: a
 * network error of Node's fetch ("fetch failed", e.g. a connection closed without an answer) is
 * transient, as the SDK counts a browser fetch's network errors; the SDK's own HTTP handler would
 * see ECONNRESET there (pure).
 */
export function retryErrorType(error: unknown): RetryErrorType {
  if (typeof error !== 'object' || error === null) return 'CLIENT_ERROR';
  const sdkError = error as Parameters<typeof isTransientError>[0];
  if (isThrottlingError(sdkError)) return 'THROTTLING';
  if (isTransientError(sdkError) || isFetchNetworkError(sdkError)) return 'TRANSIENT';
  if (isServerError(sdkError)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

// By name, not instanceof: fetch's TypeError may come from another realm (a test's VM context).
const isFetchNetworkError = (error: Error) => error.name === 'TypeError' && error.message === 'fetch failed';

export interface StartRetryOptions {
  /** Attempts per call, the first one included (the SDK's standard mode: 3). */
  maxAttempts?: number;
  /** How long the strategy waits before a retry; the SDK's jittered doubling by default. Tests wait 0 ms. */
  backoff?: StandardRetryStrategyOptions['backoff'];
}

/**
 * StartInstances, retried like an SDK call. One strategy per function, as an SDK client holds
 * one, so its retry quota is shared by the calls of a warm Lambda.
 */
export function createStartInstances(
  env: Readonly<Record<string, string | undefined>> = process.env,
  { maxAttempts = DEFAULT_MAX_ATTEMPTS, backoff }: StartRetryOptions = {},
): (instanceId: string) => Promise<{ previous: string; current: string }> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = new URL(ec2Endpoint(env, region));
  const signer = new SignatureV4({ service: 'ec2', region, credentials: defaultProvider(), sha256: Sha256 });
  const strategy = new StandardRetryStrategy({ maxAttempts, backoff });
  return (instanceId) =>
    withRetries(strategy, async () => {
      const body = new URLSearchParams({ Action: 'StartInstances', Version: API_VERSION, 'InstanceId.1': instanceId }).toString();
      // Signed per attempt, as the SDK does: the signature holds the time.
      const signed = await signer.sign({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
        path: endpoint.pathname === '' ? '/' : endpoint.pathname,
        headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      });
      // fetch sets Host itself (from the same URL that was signed) and refuses to be given one.
      const { host: _host, ...headers } = signed.headers;
      const response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const parsed = parseStartInstancesResponse(response.status, await response.text());
      if (parsed instanceof Ec2Error) throw parsed;
      return parsed;
    });
}

/**
 * Runs `attempt` as the SDK's retry middleware runs a request: again while the strategy grants a
 * retry for the error's type (it waits its backoff before it grants one); when it refuses (not
 * retryable, attempts or quota used up) the last error is thrown as it was, so the caller still
 * sees EC2's code.
 */
async function withRetries<T>(strategy: StandardRetryStrategy, attempt: () => Promise<T>): Promise<T> {
  let token = await strategy.acquireInitialRetryToken('');
  for (;;) {
    try {
      const result = await attempt();
      strategy.recordSuccess(token);
      return result;
    } catch (error) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType: retryErrorType(error) });
      } catch {
        throw error;
      }
      // This SDK's strategy has waited already (the token says 0); the middleware still honours a
      // token's delay, as strategies before it left the wait to the caller.
      const delay = token.getRetryDelay();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
