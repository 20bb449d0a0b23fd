// The pure parts of the notification and alarm play and of the CloudWatch protocol translation.
import { cbor, dateToTag } from '@smithy/core/cbor';
import { alarmMessage, breaches } from '../../harness/alarms';
import { commandStatusEvents } from '../../harness/notifications';
import type { CommandRecord } from '../../harness/records';
import { toCborValue, toJsonValue } from '../../support/cloudwatch-cbor';

const scope = { partition: 'aws', region: 'eu-central-1', account: '123456789012' };

describe('Run Command\'s status-change events', () => {
  it('are the command\'s and the invocation\'s events, as the Systems Manager user guide shows them', () => {
    const record = { commandId: 'c1', instanceId: 'i-1', documentName: 'p-migrate', requestedParameters: { DatabaseKey: ['users'] }, startedAt: '2026-12-02T10:00:00.000Z' } as unknown as CommandRecord;
    const [command, invocation] = commandStatusEvents(record, 'Failed', '2026-12-02T10:00:05.123Z', scope);
    expect(command).toMatchObject({
      source: 'aws.ssm',
      'detail-type': 'EC2 Command Status-change Notification',
      time: '2026-12-02T10:00:05Z',
      resources: ['arn:aws:ec2:eu-central-1:123456789012:instance/i-1'],
      detail: { 'command-id': 'c1', 'document-name': 'p-migrate', status: 'Failed', parameters: { DatabaseKey: ['users'] }, 'requested-date-time': '2026-12-02T10:00:00.000Z' },
    });
    expect(invocation).toMatchObject({ 'detail-type': 'EC2 Command Invocation Status-change Notification', detail: { 'command-id': 'c1', 'instance-id': 'i-1', status: 'Failed' } });
  });
});

describe('the alarm play', () => {
  it('compares a datapoint with the threshold as the alarm\'s operator says, and refuses operators it does not play', () => {
    expect(breaches({ AlarmName: 'a', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 }, 1)).toBe(true);
    expect(breaches({ AlarmName: 'a', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 }, 0)).toBe(false);
    expect(breaches({ AlarmName: 'a', ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 2 }, 2)).toBe(true);
    expect(() => breaches({ AlarmName: 'a', ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold', Threshold: 0 }, 1)).toThrow('not played');
  });

  it('publishes CloudWatch\'s alarm message: subject "ALARM: "<name>" in <region>", the state change and the trigger', () => {
    const { subject, message } = alarmMessage(
      { AlarmName: 'p-failed-events', AlarmArn: 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:p-failed-events', Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: 'p-failures' }], Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, Period: 300 },
      { from: 'OK', to: 'ALARM', value: 1, at: new Date('2026-12-02T10:00:00Z') },
      scope,
    );
    expect(subject).toBe('ALARM: "p-failed-events" in EU (Frankfurt)');
    expect(JSON.parse(message)).toMatchObject({ NewStateValue: 'ALARM', OldStateValue: 'OK', AWSAccountId: '123456789012', Trigger: { Statistic: 'MAXIMUM', Dimensions: [{ name: 'QueueName', value: 'p-failures' }], Threshold: 0 } });
  });
});

describe('CloudWatch between the CBOR and JSON 1.0 protocols', () => {
  const model = {
    operations: { DescribeAlarms: { output: { shape: 'Out' } } },
    shapes: {
      Out: { type: 'structure', members: { MetricAlarms: { shape: 'Alarms' }, NextToken: { shape: 'Str' } } },
      Alarms: { type: 'list', member: { shape: 'Alarm' } },
      Alarm: { type: 'structure', members: { AlarmName: { shape: 'Str' }, StateUpdatedTimestamp: { shape: 'Time' }, Threshold: { shape: 'Num' } } },
      Str: { type: 'string' },
      Num: { type: 'double' },
      Time: { type: 'timestamp' },
    },
  };

  it('turns a CBOR request into the same structure in JSON (timestamps as epoch seconds)', () => {
    const decoded = cbor.deserialize(cbor.serialize({ AlarmNames: ['a'], StartDate: dateToTag(new Date('2026-12-02T10:00:00Z')) }));
    expect(toJsonValue(decoded)).toEqual({ AlarmNames: ['a'], StartDate: 1796205600 });
  });

  it('tags the answer\'s timestamps where the service model says so, and nothing else', () => {
    const tagged = toCborValue(model, 'Out', { MetricAlarms: [{ AlarmName: 'a', StateUpdatedTimestamp: 1764669600, Threshold: 0 }] }) as { MetricAlarms: { AlarmName: string; StateUpdatedTimestamp: { tag: number; value: number }; Threshold: number }[] };
    expect(tagged.MetricAlarms[0]?.AlarmName).toBe('a');
    expect(tagged.MetricAlarms[0]?.Threshold).toBe(0);
    expect(tagged.MetricAlarms[0]?.StateUpdatedTimestamp).toMatchObject({ tag: 1, value: 1764669600 });
    const roundTrip = cbor.deserialize(cbor.serialize(tagged)) as { MetricAlarms: { StateUpdatedTimestamp: { tag: number } }[] };
    expect(roundTrip.MetricAlarms[0]?.StateUpdatedTimestamp).toMatchObject({ tag: 1 });
  });
});
