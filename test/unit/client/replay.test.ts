// aurora-flyway replay against in-memory fakes of SQS (visibility timeouts, receipt handles that
// change with every receive) and of the trigger (an event that fails every time, or succeeds):
// each message is re-driven at most once per call, and the ones that failed again are back in
// the queue, visible, when the call returns.

import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Aws } from '../../../client/src/aws';
import type { Reporter } from '../../../client/src/output';
import type { Pipeline } from '../../../client/src/pipeline';
import { replay } from '../../../client/src/replay';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-flyway-trigger-failures';
const FUNCTION_NAME = 'shop-flyway-trigger';

const pipeline: Pipeline = {
  configPrefix: '/shop/flyway',
  namePrefix: 'shop',
  engine: 'postgresql',
  documentName: 'shop-flyway',
  instanceId: 'i-1',
  commandLogGroup: '/flyway/shop-flyway/commands',
  failureQueueUrl: QUEUE_URL,
  triggerFunctionName: FUNCTION_NAME,
  hostSleeps: false,
  databases: [],
};

interface QueuedMessage {
  messageId: string;
  body: string;
  /** Seconds on the fake clock from which a receive returns it. */
  visibleAt: number;
  /** Only the latest receipt handle may change or delete it, as in SQS. */
  receiptHandle?: string;
  receives: number;
}

/** SQS's visibility semantics for one queue, on a clock the test moves. */
class FakeQueue {
  now = 0;
  readonly messages = new Map<string, QueuedMessage>();
  readonly visibilityChanges: { messageId: string; receiptHandle: string; timeout: number }[] = [];
  private handles = 0;

  add(messageId: string, event: unknown): void {
    const body = JSON.stringify({ requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: event });
    this.messages.set(messageId, { messageId, body, visibleAt: 0, receives: 0 });
  }

  visible(): string[] {
    return [...this.messages.values()].filter((message) => message.visibleAt <= this.now).map((message) => message.messageId);
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ReceiveMessageCommand) {
      expect(command.input.QueueUrl).toBe(QUEUE_URL);
      const taken = [...this.messages.values()].filter((message) => message.visibleAt <= this.now).slice(0, command.input.MaxNumberOfMessages ?? 1);
      for (const message of taken) {
        message.visibleAt = this.now + (command.input.VisibilityTimeout ?? 30);
        message.receiptHandle = `${message.messageId}#${(this.handles += 1)}`;
        message.receives += 1;
      }
      return { Messages: taken.length === 0 ? undefined : taken.map((message) => ({ MessageId: message.messageId, ReceiptHandle: message.receiptHandle, Body: message.body })) };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      const message = this.byHandle(command.input.ReceiptHandle);
      message.visibleAt = this.now + (command.input.VisibilityTimeout ?? 0);
      this.visibilityChanges.push({ messageId: message.messageId, receiptHandle: command.input.ReceiptHandle ?? '', timeout: command.input.VisibilityTimeout ?? 0 });
      return {};
    }
    if (command instanceof DeleteMessageCommand) {
      this.messages.delete(this.byHandle(command.input.ReceiptHandle).messageId);
      return {};
    }
    throw new Error(`the fake SQS does not know ${String((command as object).constructor.name)}`);
  }

  private byHandle(receiptHandle: string | undefined): QueuedMessage {
    const message = [...this.messages.values()].find((candidate) => candidate.receiptHandle === receiptHandle);
    if (message === undefined) throw Object.assign(new Error(`The receipt handle ${receiptHandle ?? ''} is not the latest of any message.`), { name: 'ReceiptHandleIsInvalid' });
    return message;
  }
}

/** The trigger: events whose `fail` is set throw every time; the others send one command. */
class FakeTrigger {
  readonly invocations: string[] = [];
  /** Seconds each invocation takes on the queue's clock. */
  constructor(
    private readonly queue: FakeQueue,
    private readonly secondsPerInvocation = 1,
  ) {}

  async send(command: unknown): Promise<unknown> {
    if (!(command instanceof InvokeCommand)) throw new Error('the fake Lambda only invokes');
    expect(command.input).toMatchObject({ FunctionName: FUNCTION_NAME, InvocationType: 'RequestResponse' });
    const event = JSON.parse(Buffer.from(command.input.Payload as Uint8Array).toString('utf8')) as { id: string; fail?: boolean };
    this.invocations.push(event.id);
    this.queue.now += this.secondsPerInvocation;
    if (event.fail === true) {
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: `the host cannot take ${event.id}` })) };
    }
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify({ commands: [{ database: 'users', commandId: `command-${event.id}`, extra: 'ignored' }] })) };
  }
}

function world(secondsPerInvocation = 1) {
  const queue = new FakeQueue();
  const trigger = new FakeTrigger(queue, secondsPerInvocation);
  const aws = { sqs: { send: (command: unknown) => queue.send(command) }, lambda: { send: (command: unknown) => trigger.send(command) } } as unknown as Aws;
  const lines: string[] = [];
  const reporter: Reporter = { progress: () => undefined, line: (text) => lines.push(text), note: (text) => lines.push(text), result: () => undefined, done: () => undefined };
  return { queue, trigger, aws, lines, reporter };
}

describe('aurora-flyway replay', () => {
  it('re-drives a message that keeps failing once per call, reports it and leaves it visible in the queue', async () => {
    const { queue, trigger, aws, lines, reporter } = world();
    queue.add('m-broken', { id: 'broken', fail: true });

    const results = await replay(aws, pipeline, reporter);

    expect(trigger.invocations).toEqual(['broken']);
    expect(results).toEqual([{ messageId: 'm-broken', ok: false, commands: [], error: 'the host cannot take broken' }]);
    expect(queue.visible()).toEqual(['m-broken']);
    expect(lines).toEqual(['message m-broken: failed again, kept in the queue: the host cannot take broken', 'replay: 1 message(s) re-driven, 1 failed again and kept in the queue: m-broken']);

    // The next call re-drives it again, once.
    await replay(aws, pipeline, reporter);
    expect(trigger.invocations).toEqual(['broken', 'broken']);
    expect(queue.visible()).toEqual(['m-broken']);
  });

  it('deletes a message whose re-drive succeeded', async () => {
    const { queue, trigger, aws, lines, reporter } = world();
    queue.add('m-fixed', { id: 'fixed' });

    const results = await replay(aws, pipeline, reporter);

    expect(trigger.invocations).toEqual(['fixed']);
    expect(results).toEqual([{ messageId: 'm-fixed', ok: true, commands: [{ database: 'users', commandId: 'command-fixed' }] }]);
    expect(queue.messages.size).toBe(0);
    expect(lines).toEqual(['message m-fixed: re-driven, users -> command command-fixed; deleted from the queue', 'replay: 1 message(s) re-driven, none failed']);
  });

  it('with a mix, re-drives each once, deletes the good ones and returns the failed ones, even when the call outlasts the visibility timeout', async () => {
    // 25 messages (three receives of up to 10) at 30 s per invocation: the call takes 750 s, so the
    // failed ones come back from their 120 s visibility while it goes on.
    const { queue, trigger, aws, lines, reporter } = world(30);
    const ids = Array.from({ length: 25 }, (_, index) => index);
    for (const index of ids) queue.add(`m-${index}`, { id: `e-${index}`, fail: index % 4 === 0 });
    const failing = ids.filter((index) => index % 4 === 0).map((index) => `m-${index}`);

    const results = await replay(aws, pipeline, reporter);

    expect([...trigger.invocations].sort()).toEqual(ids.map((index) => `e-${index}`).sort());
    expect(results).toHaveLength(25);
    expect(results.filter((result) => !result.ok).map((result) => result.messageId)).toEqual(failing);
    expect([...queue.messages.keys()]).toEqual(failing);
    expect(queue.visible()).toEqual(failing);
    expect(failing.some((id) => (queue.messages.get(id)?.receives ?? 0) > 1)).toBe(true);
    // Made visible at the end, each with its latest receipt handle (an older one would be refused).
    const atTheEnd = queue.visibilityChanges.filter((change) => change.timeout === 0);
    expect(atTheEnd.map((change) => change.messageId).sort()).toEqual([...failing].sort());
    expect(atTheEnd.every((change) => change.receiptHandle === queue.messages.get(change.messageId)?.receiptHandle)).toBe(true);
    expect(lines.filter((line) => line.includes('failed again, kept in the queue:'))).toHaveLength(failing.length);
    expect(lines.at(-1)).toBe(`replay: 25 message(s) re-driven, ${failing.length} failed again and kept in the queue: ${failing.join(', ')}`);
  });

  it('returns the failed messages to the queue also when the call stops on an error', async () => {
    const { queue, trigger, aws, reporter } = world();
    queue.add('m-broken', { id: 'broken', fail: true });
    queue.add('m-denied', { id: 'denied' });
    const send = trigger.send.bind(trigger);
    trigger.send = async (command) => {
      const event = JSON.parse(Buffer.from((command as InvokeCommand).input.Payload as Uint8Array).toString('utf8')) as { id: string };
      if (event.id === 'denied') throw Object.assign(new Error('not allowed to invoke'), { name: 'AccessDeniedException' });
      return send(command);
    };

    await expect(replay(aws, pipeline, reporter)).rejects.toThrow('AWS refused invoking shop-flyway-trigger');
    expect(queue.visible()).toEqual(['m-broken']);
  });

  it('says so when the queue is empty', async () => {
    const { aws, lines, reporter, trigger } = world();
    expect(await replay(aws, pipeline, reporter)).toEqual([]);
    expect(trigger.invocations).toEqual([]);
    expect(lines).toEqual(['the failure queue is empty: nothing to replay']);
  });
});
