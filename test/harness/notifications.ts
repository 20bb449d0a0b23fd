// The failure notification's path as AWS runs it: Run Command emits a status-change event for each
// command, EventBridge routes it by the applied rules (eventbridge.ts: the emulator's matcher and
// input transformer), and a service principal publishes to the SNS target only if AWS would let
// it: the topic's resource policy and the topic key's policy, decided by the same policy simulator
// as every other call (iam-check.ts). What reaches the topic is then delivered by the emulator's
// SNS to the harness's inbox, an SQS queue subscribed to every topic of the deployment, and the
// tests read that inbox: what a subscriber's e-mail would have said.

import { PublishCommand, ListTopicsCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sdkConfig, type AwsEnv } from './aws';
import { TAP_REGION, type AwsEvent, type EventBridgePlay, type Routed } from './eventbridge';
import { type AppliedIam, checkCalls, type DeclaredCall, servicePublish } from './iam-check';
import type { CommandRecord } from './records';
import { readAll, writeJson } from './records';

/** One message that arrived at the inbox: what the topic delivered to its subscribers. */
export interface InboxMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  receivedAt: string;
}

/** What became of one routed event's SNS target. */
export interface NotificationRecord {
  at: string;
  /** detail-type and status of the event, e.g. "EC2 Command Status-change Notification Failed". */
  event: string;
  commandId?: string;
  rule: string;
  topicArn: string;
  /** "published" (with the message id), or why not: the calls AWS would refuse. */
  outcome: 'published' | 'refused' | 'undecided';
  messageId?: string;
  denied?: string[];
  input: string;
  /** The SNS subject the service sets (CloudWatch does, EventBridge does not). */
  subject?: string;
}

const INBOX = 'inbox';
const NOTIFICATIONS = 'notifications';

/**
 * Run Command's events for one command on one instance reaching a status, as the Systems Manager
 * user guide shows them ("EC2 Command Status-change Notification" for the command, "EC2 Command
 * Invocation Status-change Notification" for its invocation on the instance). Pure.
 */
export function commandStatusEvents(record: CommandRecord, status: string, at: string, scope: { partition: string; region: string; account: string }): AwsEvent[] {
  const instanceArn = `arn:${scope.partition}:ec2:${scope.region}:${scope.account}:instance/${record.instanceId}`;
  const requested = record.startedAt;
  const parameters = Object.fromEntries(Object.entries(record.requestedParameters).map(([name, values]) => [name, values]));
  const envelope = { version: '0', source: 'aws.ssm', account: scope.account, region: scope.region, time: at.replace(/\.\d+Z$/, 'Z'), resources: [instanceArn] };
  return [
    {
      ...envelope,
      'detail-type': 'EC2 Command Status-change Notification',
      detail: {
        'command-id': record.commandId,
        'document-name': record.documentName,
        'expire-after': new Date(Date.parse(requested) + 2 * 3600_000).toISOString(),
        parameters,
        'requested-date-time': requested,
        status,
      },
    },
    {
      ...envelope,
      'detail-type': 'EC2 Command Invocation Status-change Notification',
      detail: { 'command-id': record.commandId, 'document-name': record.documentName, 'instance-id': record.instanceId, 'requested-date-time': requested, status },
    },
  ];
}

export interface NotificationPlayOptions {
  env: AwsEnv;
  stateDir: string;
  eventBridge: EventBridgePlay;
  /** The policies AWS would hold (from the Terraform state); without them no publish can be decided. */
  appliedIam?: () => Promise<AppliedIam>;
  /** Records a call AWS makes on the module's behalf (for the IAM check of the whole run). */
  declare(call: DeclaredCall): void;
  say(line: string): void;
}

export class NotificationPlay {
  private readonly sns: SNSClient;
  private readonly sqs: SQSClient;
  private inboxUrl?: string;
  private inboxArn?: string;
  private readonly subscribed = new Set<string>();

  constructor(private readonly options: NotificationPlayOptions) {
    this.sns = new SNSClient(sdkConfig(options.env, options.env.AWS_REGION ?? ''));
    this.sqs = new SQSClient(sdkConfig(options.env, TAP_REGION));
  }

  /** Subscribes the inbox to every topic the deployment has now (call after apply, before the first upload). */
  async subscribe(): Promise<void> {
    if (this.inboxUrl === undefined) {
      this.inboxUrl = (await this.sqs.send(new CreateQueueCommand({ QueueName: `harness-inbox-${randomUUID().slice(0, 8)}` }))).QueueUrl ?? '';
      const { Attributes } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.inboxUrl, AttributeNames: ['QueueArn'] }));
      this.inboxArn = Attributes?.QueueArn ?? '';
    }
    let nextToken: string | undefined;
    do {
      const page = await this.sns.send(new ListTopicsCommand({ NextToken: nextToken }));
      for (const { TopicArn: topicArn } of page.Topics ?? []) {
        if (topicArn === undefined || this.subscribed.has(topicArn)) continue;
        await this.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: this.inboxArn }));
        this.subscribed.add(topicArn);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  }

  /** Emits the command's status-change events and plays what the applied rules do with them. */
  async commandReached(record: CommandRecord, status: string, at: string, scope: { partition: string; region: string; account: string }): Promise<NotificationRecord[]> {
    const records: NotificationRecord[] = [];
    for (const event of commandStatusEvents(record, status, at, scope)) {
      for (const routed of await this.options.eventBridge.route(event)) {
        if (!routed.targetArn.includes(':sns:')) throw new Error(`rule ${routed.ruleName} sends Run Command's events to ${routed.targetArn}, which the harness does not play`);
        records.push(await this.publishFromRule(routed, `${event['detail-type']} ${status}`, record.commandId));
      }
    }
    return records;
  }

  /** EventBridge publishes a routed event to its SNS target, if the topic's and the key's policies let events.amazonaws.com do so. */
  private publishFromRule(routed: Routed, what: string, commandId: string | undefined): Promise<NotificationRecord> {
    const base = { at: new Date().toISOString(), event: what, ...(commandId === undefined ? {} : { commandId }), rule: routed.ruleName, topicArn: routed.targetArn, input: routed.input };
    return this.publishAs((iam) => servicePublish(iam, 'events.amazonaws.com', 'EventBridge rule target', routed.targetArn, { arn: routed.ruleArn, what: `rule ${routed.ruleName}, ${what}` }), base);
  }

  /** Publishes `base.input` to `base.topicArn` as the service call would, if AWS allows every request of it; records the outcome. */
  async publishAs(callOf: (iam: AppliedIam) => DeclaredCall, base: Omit<NotificationRecord, 'outcome'>): Promise<NotificationRecord> {
    let record: NotificationRecord;
    if (this.options.appliedIam === undefined) {
      record = { ...base, outcome: 'undecided', denied: ["the harness was given no applied state (appliedIam), so AWS's decision is unknown: not published"] };
    } else {
      const iam = await this.options.appliedIam();
      const call = callOf(iam);
      this.options.declare(call);
      const { denied } = await checkCalls(iam, [], [call]);
      if (denied.length > 0) {
        record = { ...base, outcome: 'refused', denied };
      } else {
        await this.subscribe();
        const sent = await this.sns.send(new PublishCommand({ TopicArn: base.topicArn, Message: base.input, ...(base.subject === undefined ? {} : { Subject: base.subject }) }));
        record = { ...base, outcome: 'published', ...(sent.MessageId === undefined ? {} : { messageId: sent.MessageId }) };
      }
    }
    this.options.say(`${base.rule}: ${base.event} -> ${base.topicArn}: ${record.outcome}${record.denied ? ` (${record.denied.join('; ')})` : ''}`);
    writeJson(join(this.options.stateDir, NOTIFICATIONS), `${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`, record);
    return record;
  }

  /** Every message the inbox received so far (drained from the queue into the state dir). */
  async received(): Promise<InboxMessage[]> {
    if (this.inboxUrl !== undefined) {
      for (;;) {
        const { Messages: messages = [] } = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (messages.length === 0) break;
        for (const message of messages) {
          const envelope = JSON.parse(message.Body ?? '{}') as { MessageId?: string; TopicArn?: string; Subject?: string; Message?: string };
          const inbox: InboxMessage = {
            messageId: envelope.MessageId ?? message.MessageId ?? '',
            topicArn: envelope.TopicArn ?? '',
            ...(envelope.Subject === undefined || envelope.Subject === null ? {} : { subject: envelope.Subject }),
            message: envelope.Message ?? '',
            receivedAt: new Date().toISOString(),
          };
          writeJson(join(this.options.stateDir, INBOX), `${inbox.receivedAt}-${inbox.messageId}.json`, inbox);
          await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.inboxUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
    }
    return listInbox(this.options.stateDir);
  }

  destroy(): void {
    this.sns.destroy();
    this.sqs.destroy();
  }
}

export function listInbox(stateDir: string): InboxMessage[] {
  return readAll<InboxMessage>(join(stateDir, INBOX)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

export function listNotificationRecords(stateDir: string): NotificationRecord[] {
  return readAll<NotificationRecord>(join(stateDir, NOTIFICATIONS)).sort((a, b) => a.at.localeCompare(b.at));
}
