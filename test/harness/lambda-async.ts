// What Lambda does with an asynchronous invocation (S3 notifications, EventBridge rules) that
// fails: it retries, then hands the event to the function's on-failure destination, or drops it
// when there is none. Pure: the function's event invoke configuration in, the plan and the record
// Lambda sends out. See "Asynchronous invocation" and "Invocation record" in the Lambda guide.

import { randomUUID } from 'node:crypto';
import type { InvocationRecord } from './records';

/** Lambda's default when a function has no event invoke configuration. */
export const DEFAULT_RETRY_ATTEMPTS = 2;

/** GetFunctionEventInvokeConfig's answer (the part that matters here), or null when none is set. */
export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  DestinationConfig?: { OnFailure?: { Destination?: string } };
}

export interface AsyncPolicy {
  retryAttempts: number;
  /** The on-failure destination's ARN; undefined: Lambda drops the event. */
  onFailure?: string;
}

export function asyncPolicy(config: EventInvokeConfig | null): AsyncPolicy {
  const destination = config?.DestinationConfig?.OnFailure?.Destination;
  return { retryAttempts: config?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS, ...(destination === undefined || destination === '' ? {} : { onFailure: destination }) };
}

/** The record Lambda sends to the destination once the retries are exhausted. */
export function onFailureRecord(functionArn: string, attempts: readonly InvocationRecord[], now: Date): Record<string, unknown> {
  const last = attempts[attempts.length - 1];
  return {
    version: '1.0',
    timestamp: now.toISOString(),
    requestContext: { requestId: randomUUID(), functionArn: `${functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: attempts.length },
    requestPayload: last?.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: last?.error?.name ?? 'Error', errorMessage: last?.error?.message ?? '' },
  };
}

/** The queue URL of an SQS ARN (the emulator's endpoint takes path-style queue URLs). */
export function queueUrlOf(queueArn: string, endpoint: string): string {
  const [, , service, , account, name] = queueArn.split(':');
  if (service !== 'sqs' || account === undefined || name === undefined) throw new Error(`the harness plays SQS on-failure destinations only, not ${queueArn}`);
  return `${endpoint.replace(/\/$/, '')}/${account}/${name}`;
}
