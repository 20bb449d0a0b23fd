// EventBridge as the harness plays it: which of the applied rules match an event AWS emits, and
// what each of their targets receives. Neither answer is computed here. The emulator's own
// EventBridge does both (moto's event-pattern matcher and its input transformer), on copies of
// the applied rules: moto cannot deliver to an SNS or Lambda target itself (its PutEvents raises
// for them), so each applied (rule, target) pair gets a copy of the rule, with the same event
// pattern and the target's input transformer, on a bus of the harness's own in a region of its
// own (TAP_REGION: nothing of it shows among the deployment's resources), whose target is an SQS
// queue. An event is put on that bus; a message in a tap's queue means that the applied rule
// matched, and its body is what the applied target would receive.
//
// Emulator differences, kept rather than corrected (see test/harness/README.md): moto keeps the
// event's `time` as the epoch seconds PutEvents carried, so `$.time` renders as a number where AWS
// renders ISO 8601; moto transforms only InputTransformer targets (an `Input` or `InputPath`
// target is refused here, the module has none). moto's SQS delivery also looks for a "time" key
// in what the transformer made and, for a string, takes a substring "time" for one and fails
// (500), so the tap wraps the target's template in an object ({"input": <template>}) and unwraps
// the result: the same output, and only templates that are JSON, as moto requires anyway.

import { createHash, randomUUID } from 'node:crypto';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkConfig, type AwsEnv } from './aws';

/** The key under which a tap's template carries the target's (see the header). */
const WRAP = 'harness-input';

/** The harness's own region in the emulator: its taps and its notification inbox live there, apart from the deployment's resources. */
export const TAP_REGION = 'ap-southeast-2';

/** An event as AWS services emit it (the envelope EventBridge rules match). */
export interface AwsEvent {
  version?: string;
  id?: string;
  account?: string;
  region?: string;
  'detail-type': string;
  source: string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** An applied rule matched an event: its target, and what that target receives. */
export interface Routed {
  ruleName: string;
  ruleArn: string;
  targetArn: string;
  targetId: string;
  /** The target's input: the input transformer's output (as text), or the whole event. */
  input: string;
}

interface Tap {
  ruleName: string;
  ruleArn: string;
  target: Target;
  queueUrl: string;
}

const tapName = (bus: string, ruleName: string, targetId: string, pattern: string, transformer: string) =>
  `tap-${createHash('sha256').update(JSON.stringify([bus, ruleName, targetId, pattern, transformer])).digest('hex').slice(0, 24)}`;

export class EventBridgePlay {
  private readonly applied: EventBridgeClient;
  private readonly taps: EventBridgeClient;
  private readonly sqs: SQSClient;
  private busReady?: Promise<void>;
  /** A bus (and taps) of this play's own: two harnesses on one emulator do not read each other's taps. */
  private readonly bus = `harness-taps-${randomUUID().slice(0, 8)}`;
  /** One event at a time: the taps' queues are read after each put. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(env: AwsEnv) {
    this.applied = new EventBridgeClient(sdkConfig(env, env.AWS_REGION ?? ''));
    this.taps = new EventBridgeClient(sdkConfig(env, TAP_REGION));
    this.sqs = new SQSClient(sdkConfig(env, TAP_REGION));
  }

  /** The applied rules (default bus) whose pattern matches the event, once per target, with what the target receives. */
  route(event: AwsEvent): Promise<Routed[]> {
    const next = this.queue.then(() => this.routeNow(event));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async routeNow(event: AwsEvent): Promise<Routed[]> {
    const taps = await this.syncTaps();
    if (taps.length === 0) return [];
    const put = await this.taps.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: this.bus, Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail), Resources: event.resources, Time: new Date(event.time) },
        ],
      }),
    );
    if ((put.FailedEntryCount ?? 0) > 0) throw new Error(`the emulator's EventBridge refused the event: ${JSON.stringify(put.Entries)}`);
    const routed: Routed[] = [];
    for (const tap of taps) {
      for (const body of await this.drain(tap.queueUrl)) {
        const transformed = tap.target.InputTransformer !== undefined;
        const input = transformed ? JSON.stringify((JSON.parse(body) as { [WRAP]?: unknown })[WRAP]) : JSON.stringify(event);
        routed.push({
          ruleName: tap.ruleName,
          ruleArn: tap.ruleArn,
          targetArn: tap.target.Arn ?? '',
          targetId: tap.target.Id ?? '',
          input,
        });
      }
    }
    return routed;
  }

  /** A tap for every (rule, target) applied now: a terraform apply may have changed them since the last event. */
  private async syncTaps(): Promise<Tap[]> {
    this.busReady ??= this.taps.send(new CreateEventBusCommand({ Name: this.bus })).then(() => undefined);
    await this.busReady;
    const taps: Tap[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.applied.send(new ListRulesCommand({ NextToken: nextToken }));
      for (const rule of page.Rules ?? []) {
        if (rule.EventPattern === undefined || rule.State === 'DISABLED' || rule.Name === undefined) continue;
        const { Targets: targets = [] } = await this.applied.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
        for (const target of targets) taps.push(await this.tap(rule.Name, rule.Arn ?? '', rule.EventPattern, target));
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return taps;
  }

  private readonly made = new Map<string, string>();

  private async tap(ruleName: string, ruleArn: string, pattern: string, target: Target): Promise<Tap> {
    if (target.Input !== undefined || target.InputPath !== undefined) {
      throw new Error(`rule ${ruleName} target ${target.Id}: Input and InputPath targets are not played by the harness (the emulator transforms only InputTransformer)`);
    }
    const name = tapName(this.bus, ruleName, target.Id ?? '', pattern, JSON.stringify(target.InputTransformer ?? null));
    let queueUrl = this.made.get(name);
    if (queueUrl === undefined) {
      queueUrl = (await this.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
      const { Attributes } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      await this.taps.send(new PutRuleCommand({ Name: name, EventBusName: this.bus, EventPattern: pattern, State: 'ENABLED' }));
      await this.taps.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: this.bus,
          Targets: [{ Id: 'tap', Arn: Attributes?.QueueArn, ...(target.InputTransformer === undefined ? {} : { InputTransformer: { ...target.InputTransformer, InputTemplate: `{"${WRAP}": ${target.InputTransformer.InputTemplate ?? '<aws.events.event.json>'}}` } }) }],
        }),
      );
      this.made.set(name, queueUrl);
    }
    return { ruleName, ruleArn, target, queueUrl };
  }

  private async drain(queueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages: messages = [] } = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (messages.length === 0) return bodies;
      for (const message of messages) {
        bodies.push(message.Body ?? '');
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  destroy(): void {
    this.applied.destroy();
    this.taps.destroy();
    this.sqs.destroy();
  }
}
