// aurora-flyway replay: re-drives the upload events the trigger gave up on (its on-failure
// queue), after their cause is fixed. Each event is invoked again synchronously; a message is
// deleted only once the invocation succeeded, so nothing is lost when it fails again.
//
// Each message is re-driven at most once per call: a re-drive may send an SSM command, and an
// event that still fails would otherwise come straight back from the queue and be re-driven
// again and again. A message that failed again stays invisible (the receive's visibility
// timeout) while the call goes on; if it comes back anyway (a long call), it is recognised by its
// MessageId. At the end every failed message is made visible again, for the next replay or a look
// in the console.

import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Aws } from './aws';
import { step } from './errors';
import type { Reporter } from './output';
import type { Pipeline } from './pipeline';

/** What Lambda sends to an on-failure destination: the original event is requestPayload. */
interface DestinationRecord {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
}

export interface Replayed {
  messageId: string;
  ok: boolean;
  commands: { database: string; commandId: string }[];
  error?: string;
}

/** Seconds a received message stays invisible to other receives while this call handles it. */
const VISIBILITY_TIMEOUT_S = 120;

export async function replay(aws: Aws, pipeline: Pipeline, reporter: Reporter, maxMessages = 100): Promise<Replayed[]> {
  const results: Replayed[] = [];
  // The latest receipt handle of each message that failed again: SQS changes the visibility of a
  // message received more than once only through the handle of its latest receive.
  const failed = new Map<string, string | undefined>();
  const succeeded = new Set<string>();
  try {
    while (results.length < maxMessages) {
      const received = await step(`reading ${pipeline.failureQueueUrl}`, () =>
        aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.failureQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: VISIBILITY_TIMEOUT_S, WaitTimeSeconds: 1 })),
      );
      const fresh: Message[] = [];
      for (const message of received.Messages ?? []) {
        const messageId = message.MessageId ?? '';
        if (failed.has(messageId)) failed.set(messageId, message.ReceiptHandle);
        // A second copy (a standard queue delivers at least once) of an event re-driven already.
        else if (succeeded.has(messageId)) await deleteMessage(aws, pipeline, message);
        else fresh.push(message);
      }
      // Done when the queue holds nothing this call has not handled yet.
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const result = await redrive(aws, pipeline, reporter, message);
        results.push(result);
        if (result.ok) succeeded.add(result.messageId);
        else failed.set(result.messageId, message.ReceiptHandle);
      }
    }
  } finally {
    await returnToQueue(aws, pipeline, reporter, failed);
  }
  reporter.line(results.length === 0 ? 'the failure queue is empty: nothing to replay' : summary(results));
  return results;
}

/** Invokes the trigger with the message's event; deletes the message when that succeeded. */
async function redrive(aws: Aws, pipeline: Pipeline, reporter: Reporter, message: Message): Promise<Replayed> {
  const messageId = message.MessageId ?? '';
  const record = JSON.parse(message.Body ?? '{}') as DestinationRecord;
  const event = record.requestPayload ?? record;
  reporter.progress(`re-driving message ${messageId} (${record.requestContext?.condition ?? 'failed event'})`);
  const invoked = await step(`invoking ${pipeline.triggerFunctionName}`, () =>
    aws.lambda.send(new InvokeCommand({ FunctionName: pipeline.triggerFunctionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) })),
  );
  const payload = invoked.Payload === undefined ? 'null' : Buffer.from(invoked.Payload).toString('utf8');
  if (invoked.FunctionError !== undefined) {
    const error = (JSON.parse(payload) as { errorMessage?: string }).errorMessage ?? payload;
    reporter.line(`message ${messageId}: failed again, kept in the queue: ${error}`);
    return { messageId, ok: false, commands: [], error };
  }
  const commands = ((JSON.parse(payload) as { commands?: { database: string; commandId: string }[] } | null)?.commands ?? []).map(({ database, commandId }) => ({ database, commandId }));
  await deleteMessage(aws, pipeline, message);
  reporter.line(`message ${messageId}: re-driven, ${commands.map((c) => `${c.database} -> command ${c.commandId}`).join(', ') || 'no command needed'}; deleted from the queue`);
  return { messageId, ok: true, commands };
}

async function deleteMessage(aws: Aws, pipeline: Pipeline, message: Message): Promise<void> {
  await step('deleting the re-driven message', () => aws.sqs.send(new DeleteMessageCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: message.ReceiptHandle })));
}

/**
 * Makes the failed messages visible again at once. Runs also when the call stopped on an error;
 * a message it cannot return comes back by itself when its visibility timeout ends, so a
 * failure here is a note, not an error that would hide the call's results or its own error.
 */
async function returnToQueue(aws: Aws, pipeline: Pipeline, reporter: Reporter, failed: ReadonlyMap<string, string | undefined>): Promise<void> {
  for (const [messageId, receiptHandle] of failed) {
    try {
      await step('returning the message to the queue', () => aws.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })));
    } catch (error) {
      reporter.note(`message ${messageId}: could not make it visible again now (${(error as Error).message}); it is back in the queue within ${VISIBILITY_TIMEOUT_S} s`);
    }
  }
}

/** The closing line: how many were re-driven, and which failed again (pure). */
function summary(results: readonly Replayed[]): string {
  const failedAgain = results.filter((result) => !result.ok).map((result) => result.messageId);
  const outcome = failedAgain.length === 0 ? 'none failed' : `${failedAgain.length} failed again and kept in the queue: ${failedAgain.join(', ')}`;
  return `replay: ${results.length} message(s) re-driven, ${outcome}`;
}
