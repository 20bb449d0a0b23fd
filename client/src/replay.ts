// aurora-flyway replay: re-drives the upload events the trigger gave up on (its on-failure
// queue), after their cause is fixed. Each event is invoked again synchronously; a message is
// deleted only once the invocation succeeded, so nothing is lost when it fails again.

import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
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

export async function replay(aws: Aws, pipeline: Pipeline, reporter: Reporter, maxMessages = 100): Promise<Replayed[]> {
  const results: Replayed[] = [];
  while (results.length < maxMessages) {
    const received = await step(`reading ${pipeline.failureQueueUrl}`, () =>
      aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.failureQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: 1 })),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      const messageId = message.MessageId ?? '';
      const record = JSON.parse(message.Body ?? '{}') as DestinationRecord;
      const event = record.requestPayload ?? record;
      reporter.progress(`re-driving message ${messageId} (${record.requestContext?.condition ?? 'failed event'})`);
      const invoked = await step(`invoking ${pipeline.triggerFunctionName}`, () =>
        aws.lambda.send(new InvokeCommand({ FunctionName: pipeline.triggerFunctionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) })),
      );
      const payload = invoked.Payload === undefined ? 'null' : Buffer.from(invoked.Payload).toString('utf8');
      if (invoked.FunctionError !== undefined) {
        // Visible again at once, for the next replay or a look in the console.
        await step('returning the message to the queue', () => aws.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })));
        const error = (JSON.parse(payload) as { errorMessage?: string }).errorMessage ?? payload;
        reporter.line(`message ${messageId}: failed again, kept in the queue: ${error}`);
        results.push({ messageId, ok: false, commands: [], error });
        continue;
      }
      const commands = ((JSON.parse(payload) as { commands?: { database: string; commandId: string }[] } | null)?.commands ?? []).map(({ database, commandId }) => ({ database, commandId }));
      await step('deleting the re-driven message', () => aws.sqs.send(new DeleteMessageCommand({ QueueUrl: pipeline.failureQueueUrl, ReceiptHandle: message.ReceiptHandle })));
      reporter.line(`message ${messageId}: re-driven, ${commands.map((c) => `${c.database} -> command ${c.commandId}`).join(', ') || 'no command needed'}; deleted from the queue`);
      results.push({ messageId, ok: true, commands });
    }
  }
  if (results.length === 0) reporter.line('the failure queue is empty: nothing to replay');
  return results;
}
