// CloudWatch alarms as the harness plays them: the applied alarms are read back from the emulator
// (DescribeAlarms), their metric is measured where it comes from (an SQS queue's visible messages,
// the only metric the module's alarm watches), compared with the alarm's threshold, and a change
// of state is written to the emulator (SetAlarmState) and sent to the alarm's actions the way
// CloudWatch sends it: as cloudwatch.amazonaws.com, through the topic's and the key's policies
// (notifications.ts), with CloudWatch's JSON message. What is not played: time. An alarm sees one
// datapoint, now, for all of its evaluation periods (CloudWatch waits for the period to pass).

import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkConfig, type AwsClients } from './aws';
import { cloudWatchCall } from './cloudwatch';
import { servicePublish } from './iam-check';
import type { NotificationPlay, NotificationRecord } from './notifications';

export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: string }[];
  Statistic?: string;
  Period?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  StateValue?: string;
  ActionsEnabled?: boolean;
  AlarmActions?: string[];
  OKActions?: string[];
  InsufficientDataActions?: string[];
}

/** Whether a datapoint breaches the alarm's threshold (pure). */
export function breaches(alarm: Pick<MetricAlarm, 'ComparisonOperator' | 'Threshold' | 'AlarmName'>, value: number): boolean {
  const threshold = alarm.Threshold ?? 0;
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new Error(`alarm ${alarm.AlarmName}: comparison ${alarm.ComparisonOperator} is not played by the harness`);
  }
}

const REGION_NAMES: Record<string, string> = { 'eu-central-1': 'EU (Frankfurt)', 'us-east-1': 'US East (N. Virginia)', 'eu-west-1': 'EU (Ireland)' };

/** The message and subject CloudWatch publishes for an alarm's state change (the SNS notification of an alarm). Pure. */
export function alarmMessage(alarm: MetricAlarm, change: { from: string; to: string; value: number; at: Date }, scope: { region: string; account: string }): { subject: string; message: string } {
  const region = REGION_NAMES[scope.region] ?? scope.region;
  const relation = alarm.ComparisonOperator?.replace(/Threshold$/, '').replace(/([A-Z])/g, ' $1').trim().toLowerCase() ?? '?';
  const reason = `Threshold Crossed: 1 out of the last ${alarm.EvaluationPeriods ?? 1} datapoints [${change.value.toFixed(1)}] was ${change.to === 'ALARM' ? '' : 'not '}${relation} the threshold (${(alarm.Threshold ?? 0).toFixed(1)}).`;
  const message = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: scope.account,
    NewStateValue: change.to,
    NewStateReason: reason,
    StateChangeTime: change.at.toISOString().replace('Z', '+0000'),
    Region: region,
    AlarmArn: alarm.AlarmArn,
    OldStateValue: change.from,
    OKActions: alarm.OKActions ?? [],
    AlarmActions: alarm.AlarmActions ?? [],
    InsufficientDataActions: alarm.InsufficientDataActions ?? [],
    Trigger: {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: 'Statistic',
      Statistic: alarm.Statistic?.toUpperCase(),
      Unit: null,
      Dimensions: (alarm.Dimensions ?? []).map((dimension) => ({ value: dimension.Value, name: dimension.Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: alarm.TreatMissingData ?? '',
    },
  };
  return { subject: `${change.to}: "${alarm.AlarmName}" in ${region}`.slice(0, 100), message: JSON.stringify(message) };
}

export class AlarmPlay {
  constructor(
    private readonly aws: AwsClients,
    private readonly notifications: NotificationPlay,
    private readonly account: string,
    private readonly say: (line: string) => void,
  ) {}

  /** One evaluation of every applied alarm, now; each state change goes to its actions. */
  async evaluate(): Promise<NotificationRecord[]> {
    const { MetricAlarms: alarms = [] } = await cloudWatchCall<{ MetricAlarms?: MetricAlarm[] }>(this.aws.env, this.aws.region, 'DescribeAlarms', {});
    const records: NotificationRecord[] = [];
    for (const alarm of alarms) {
      const value = await this.measure(alarm);
      const to = breaches(alarm, value) ? 'ALARM' : 'OK';
      const from = alarm.StateValue ?? 'INSUFFICIENT_DATA';
      if (to === from) continue;
      const at = new Date();
      const { subject, message } = alarmMessage(alarm, { from, to, value, at }, { region: this.aws.region, account: this.account });
      await cloudWatchCall(this.aws.env, this.aws.region, 'SetAlarmState', { AlarmName: alarm.AlarmName, StateValue: to, StateReason: (JSON.parse(message) as { NewStateReason: string }).NewStateReason });
      this.say(`alarm ${alarm.AlarmName}: ${from} -> ${to} (${alarm.MetricName} = ${value})`);
      if (alarm.ActionsEnabled === false) continue;
      const actions = to === 'ALARM' ? (alarm.AlarmActions ?? []) : (alarm.OKActions ?? []);
      for (const topicArn of actions.filter((action) => action.includes(':sns:'))) {
        records.push(
          await this.notifications.publishAs((iam) => servicePublish(iam, 'cloudwatch.amazonaws.com', 'CloudWatch alarm action', topicArn, { arn: alarm.AlarmArn, what: `alarm ${alarm.AlarmName} ${to}` }), {
            at: at.toISOString(),
            event: `alarm ${alarm.AlarmName} ${from} -> ${to}`,
            rule: alarm.AlarmName,
            topicArn,
            input: message,
            subject,
          }),
        );
      }
    }
    return records;
  }

  /** The alarm's metric as CloudWatch would read it now. */
  private async measure(alarm: MetricAlarm): Promise<number> {
    const queueName = alarm.Dimensions?.find((dimension) => dimension.Name === 'QueueName')?.Value;
    if (alarm.Namespace !== 'AWS/SQS' || alarm.MetricName !== 'ApproximateNumberOfMessagesVisible' || queueName === undefined) {
      throw new Error(`alarm ${alarm.AlarmName} watches ${alarm.Namespace}/${alarm.MetricName}, which the harness does not measure`);
    }
    const sqs = new SQSClient(sdkConfig(this.aws.env, this.aws.region));
    try {
      const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    } finally {
      sqs.destroy();
    }
  }
}
