// The harness's notification path against a real emulator: Run Command's events are routed by the
// emulator's EventBridge (its matcher and input transformer, on copies of the rule), published
// only when the topic's policy lets events.amazonaws.com publish (the policy simulator), and what
// the topic delivers arrives in the harness's inbox. The rule here is written like the module's;
// the e2e tests play the applied one.

import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AlarmPlay } from '../../harness/alarms';
import { cloudWatchCall } from '../../harness/cloudwatch';
import { awsClients } from '../../harness/aws';
import { EventBridgePlay } from '../../harness/eventbridge';
import { AppliedIam, type DeclaredCall } from '../../harness/iam-check';
import { NotificationPlay } from '../../harness/notifications';
import type { CommandRecord } from '../../harness/records';
import { startMoto, type MotoServer } from '../../support/moto';

const ACCOUNT = '123456789012';
const scope = { partition: 'aws', region: 'eu-central-1', account: ACCOUNT };
const DOCUMENT = 'p-flyway-migrate';

const command = (commandId: string, status: CommandRecord['status']): CommandRecord => ({
  commandId,
  instanceId: 'i-0123456789abcdef0',
  documentName: DOCUMENT,
  requestedParameters: { DatabaseKey: ['users'], Action: ['migrate'] },
  parameters: { DatabaseKey: 'users', Action: 'migrate' },
  status,
  exitCode: status === 'Success' ? 0 : 1,
  stdout: '',
  stderr: '',
  summary: null,
  migrateRuns: 1,
  startedAt: '2026-12-02T10:00:00.000Z',
  finishedAt: '2026-12-02T10:00:05.000Z',
});

/** A state with the topic and its policy (the part of the state the publish decision reads). */
function appliedIam(topicArn: string, ruleArn: string, allowEventBridge: boolean, alarmArn?: string): AppliedIam {
  const resource = (type: string, values: Record<string, unknown>) => ({ address: `${type}.x`, type, values });
  const statements = [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sns:Publish', Resource: topicArn },
    ...(allowEventBridge ? [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topicArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } } }] : []),
    ...(alarmArn === undefined
      ? []
      : [{ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: topicArn, Condition: { ArnEquals: { 'aws:SourceArn': alarmArn }, StringEquals: { 'aws:SourceAccount': ACCOUNT } } }]),
  ];
  return AppliedIam.fromState(
    {
      values: {
        root_module: {
          resources: [
            resource('aws_iam_role', { name: 'p-trigger', arn: `arn:aws:iam::${ACCOUNT}:role/p-trigger` }),
            resource('aws_sns_topic', { arn: topicArn, kms_master_key_id: null }),
            resource('aws_sns_topic_policy', { arn: topicArn, policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
          ],
        },
      },
    } as unknown as Parameters<typeof AppliedIam.fromState>[0],
    scope.region,
  );
}

jest.setTimeout(60_000);

describe('the failure notification path, played on the emulator', () => {
  let moto: MotoServer;
  let topicArn = '';
  let ruleArn = '';

  beforeAll(async () => {
    moto = await startMoto();
    const config = { endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const sns = new SNSClient(config);
    const events = new EventBridgeClient(config);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'p-failures' }))).TopicArn ?? '';
    ruleArn =
      (
        await events.send(
          new PutRuleCommand({
            Name: 'p-failures',
            EventPattern: JSON.stringify({ source: ['aws.ssm'], 'detail-type': ['EC2 Command Status-change Notification'], detail: { 'document-name': [DOCUMENT], status: ['Failed', 'TimedOut', 'Cancelled'] } }),
          }),
        )
      ).RuleArn ?? '';
    await events.send(
      new PutTargetsCommand({
        Rule: 'p-failures',
        Targets: [{ Id: 'sns', Arn: topicArn, InputTransformer: { InputPathsMap: { command: '$.detail.command-id', status: '$.detail.status' }, InputTemplate: '"Flyway run <command> ended with status <status>."' } }],
      }),
    );
    sns.destroy();
    events.destroy();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const play = async (allowEventBridge: boolean, alarmArn?: string) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'notifications-'));
    const eventBridge = new EventBridgePlay(moto.awsEnv);
    const declared: DeclaredCall[] = [];
    const notifications = new NotificationPlay({ env: moto.awsEnv, stateDir, eventBridge, appliedIam: async () => appliedIam(topicArn, ruleArn, allowEventBridge, alarmArn), declare: (call) => declared.push(call), say: () => undefined });
    await notifications.subscribe();
    return {
      notifications,
      declared,
      done: () => {
        eventBridge.destroy();
        notifications.destroy();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  };

  it('a failed, timed-out or cancelled command yields one message naming it; a success or a run in progress none', async () => {
    const { notifications, declared, done } = await play(true);
    try {
      for (const [id, status] of [['c-ok', 'Success'], ['c-failed', 'Failed'], ['c-timed-out', 'TimedOut'], ['c-cancelled', 'Cancelled']] as const) {
        await notifications.commandReached(command(id, status === 'Cancelled' ? 'Failed' : status), 'InProgress', '2026-12-02T10:00:01.000Z', scope);
        await notifications.commandReached(command(id, status === 'Cancelled' ? 'Failed' : status), status, '2026-12-02T10:00:05.000Z', scope);
      }
      const messages = (await notifications.received()).map((received) => received.message);
      expect(messages.sort()).toEqual(['"Flyway run c-cancelled ended with status Cancelled."', '"Flyway run c-failed ended with status Failed."', '"Flyway run c-timed-out ended with status TimedOut."']);
      // EventBridge's publishes are declared for the IAM check of the whole run.
      expect(declared.map((call) => call.caller)).toEqual(['EventBridge rule target', 'EventBridge rule target', 'EventBridge rule target']);
    } finally {
      done();
    }
  });

  it('a topic policy that does not let EventBridge publish: the event matches, nothing is published, and the record says why', async () => {
    const { notifications, done } = await play(false);
    try {
      const [record] = await notifications.commandReached(command('c-refused', 'Failed'), 'Failed', '2026-12-02T10:00:05.000Z', scope);
      expect(record).toMatchObject({ outcome: 'refused', rule: 'p-failures' });
      expect(record?.denied).toEqual([expect.stringContaining(`sns:Publish on ${topicArn} is ImplicitlyDenied`)]);
      expect((await notifications.received()).filter((received) => received.message.includes('c-refused'))).toEqual([]);
    } finally {
      done();
    }
  });

  it('the failure queue\'s alarm: a visible message breaches it, CloudWatch publishes once (if the topic lets cloudwatch.amazonaws.com), and an empty queue brings it back to OK', async () => {
    const aws = awsClients(moto.awsEnv);
    const sqs = new SQSClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'p-failures' }))).QueueUrl ?? '';
    const cloudWatch = <T>(operation: string, input: Record<string, unknown>) => cloudWatchCall<T>(moto.awsEnv, moto.region, operation, input);
    await cloudWatch('PutMetricAlarm', {
      AlarmName: 'p-failed-events',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'p-failures' }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicArn],
    });
    const { MetricAlarms } = await cloudWatch<{ MetricAlarms: { AlarmArn: string }[] }>('DescribeAlarms', { AlarmNames: ['p-failed-events'] });
    const alarmArn = MetricAlarms[0]?.AlarmArn ?? '';
    const refusing = await play(true);
    const allowing = await play(true, alarmArn);
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"requestContext":{"condition":"RetriesExhausted"}}' }));
      // A topic policy without CloudWatch's statement: the alarm changes state, nothing is published.
      const [refused] = await new AlarmPlay(aws, refusing.notifications, ACCOUNT, () => undefined).evaluate();
      expect(refused).toMatchObject({ outcome: 'refused', denied: [expect.stringContaining(`CloudWatch alarm action (cloudwatch.amazonaws.com) sns Publish ${topicArn}`)] });
      await cloudWatch('SetAlarmState', { AlarmName: 'p-failed-events', StateValue: 'OK', StateReason: 'reset by the test' });
      const alarms = new AlarmPlay(aws, allowing.notifications, ACCOUNT, () => undefined);
      expect((await alarms.evaluate()).map((record) => record.outcome)).toEqual(['published']);
      // Still breaching: no second message.
      expect(await alarms.evaluate()).toEqual([]);
      const alarmed = (await allowing.notifications.received()).filter((message) => message.subject !== undefined);
      expect(alarmed.map((message) => message.subject)).toEqual(['ALARM: "p-failed-events" in EU (Frankfurt)']);
      expect(JSON.parse(alarmed[0]?.message ?? '{}')).toMatchObject({ AlarmName: 'p-failed-events', NewStateValue: 'ALARM', OldStateValue: 'OK', AlarmArn: alarmArn, Trigger: { Threshold: 0 } });
      await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
      await alarms.evaluate();
      expect((await cloudWatch<{ MetricAlarms: { StateValue: string }[] }>('DescribeAlarms', { AlarmNames: ['p-failed-events'] })).MetricAlarms[0]?.StateValue).toBe('OK');
    } finally {
      refusing.done();
      allowing.done();
      aws.destroy();
      sqs.destroy();
    }
  });
});
