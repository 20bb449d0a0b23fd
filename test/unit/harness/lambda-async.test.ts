import { asyncPolicy, DEFAULT_RETRY_ATTEMPTS, onFailureRecord, queueUrlOf } from '../../harness/lambda-async';
import type { InvocationRecord } from '../../harness/records';

const attempt = (message: string): InvocationRecord => ({
  functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:p-trigger',
  at: '2026-11-22T08:00:00.000Z',
  event: { Records: [{ s3: { object: { key: 'V1__a.sql' } } }] },
  ok: false,
  error: { name: 'TriggerError', message },
  logs: [],
  commandIds: [],
  durationMs: 5,
});

describe('asyncPolicy (what Lambda does with a failed asynchronous invocation)', () => {
  it('without an event invoke configuration: Lambda\'s two retries, then the event is dropped', () => {
    expect(asyncPolicy(null)).toEqual({ retryAttempts: DEFAULT_RETRY_ATTEMPTS });
    expect(DEFAULT_RETRY_ATTEMPTS).toBe(2);
  });

  it('takes the configured retries and on-failure destination', () => {
    expect(asyncPolicy({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:p-failures' } } })).toEqual({
      retryAttempts: 0,
      onFailure: 'arn:aws:sqs:eu-west-1:123456789012:p-failures',
    });
  });
});

describe('onFailureRecord', () => {
  it('is the invocation record Lambda sends: the original event as requestPayload, the last error as responsePayload', () => {
    const record = onFailureRecord(attempt('first').functionArn, [attempt('first'), attempt('second'), attempt('last')], new Date('2026-11-22T08:03:00Z'));
    expect(record).toMatchObject({
      version: '1.0',
      timestamp: '2026-11-22T08:03:00.000Z',
      requestContext: { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:p-trigger:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { Records: [{ s3: { object: { key: 'V1__a.sql' } } }] },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorType: 'TriggerError', errorMessage: 'last' },
    });
  });
});

describe('queueUrlOf', () => {
  it('turns a queue ARN into the emulator\'s queue URL', () => {
    expect(queueUrlOf('arn:aws:sqs:eu-west-1:123456789012:p-failures', 'http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000/123456789012/p-failures');
  });

  it('refuses destinations the harness does not play', () => {
    expect(() => queueUrlOf('arn:aws:sns:eu-west-1:123456789012:topic', 'http://x')).toThrow('SQS on-failure destinations only');
  });
});
