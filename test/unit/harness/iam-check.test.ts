// The IAM check on a small, hand-written state: what it allows, and that each defect of issue 10
// it exists for (an agent that may not create its log group, EventBridge publishing to a topic
// under the AWS managed key, a key policy without CloudWatch Logs, a version read with only
// s3:GetObject) is a denial.
import type { RecordedCall } from '../../harness/call-recorder';
import { AppliedIam, awsServiceCalls, checkCalls, servicePublish, HOST_ACCESS_KEY_ID, TRIGGER_ACCESS_KEY_ID, type DeclaredCall } from '../../harness/iam-check';
import type { InvocationRecord } from '../../harness/records';

const ACCOUNT = '123456789012';
const R = `eu-central-1:${ACCOUNT}`;
const FUNCTION = `arn:aws:lambda:${R}:function:p-trigger`;
const TOPIC = `arn:aws:sns:${R}:p-failures`;
const RULE = `arn:aws:events:${R}:rule/p-failures`;
const KEY = `arn:aws:kms:${R}:key/k1`;
const COMMANDS = `arn:aws:logs:${R}:log-group:/flyway/p/commands`;

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource: string | string[]) => ({ Effect: 'Allow', Action: action, Resource: resource });

interface Options {
  agentPolicy?: string;
  hostPolicy?: string;
  topicKey?: string | null;
  keyPolicy?: string;
  logGroupKey?: string | null;
}

const rootKeyPolicy = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' });

function state(options: Options = {}) {
  const resource = (type: string, values: Record<string, unknown>) => ({ address: `${type}.x`, type, values });
  const resources = [
    resource('aws_iam_role', { name: 'p-trigger', arn: `arn:aws:iam::${ACCOUNT}:role/p-trigger` }),
    resource('aws_iam_role', { name: 'p-host', arn: `arn:aws:iam::${ACCOUNT}:role/p-host` }),
    resource('aws_lambda_function', { arn: FUNCTION, function_name: 'p-trigger', role: `arn:aws:iam::${ACCOUNT}:role/p-trigger`, logging_config: [{ log_group: '/aws/lambda/p-trigger' }] }),
    resource('aws_lambda_permission', { function_name: 'p-trigger', statement_id: 's3', action: 'lambda:InvokeFunction', principal: 's3.amazonaws.com', source_account: ACCOUNT, source_arn: null }),
    resource('aws_instance', { iam_instance_profile: 'p-host' }),
    resource('aws_iam_instance_profile', { name: 'p-host', role: 'p-host' }),
    resource('aws_iam_role_policy', {
      role: 'p-trigger',
      name: 'p-trigger',
      policy: doc(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], `arn:aws:logs:${R}:log-group:/aws/lambda/p-trigger:*`), allow('ssm:SendCommand', '*')),
    }),
    resource('aws_iam_role_policy', {
      role: 'p-host',
      name: 'p-host-agent',
      policy:
        options.agentPolicy ??
        doc(
          allow(['logs:CreateLogGroup', 'logs:DescribeLogStreams', 'logs:CreateLogStream', 'logs:PutLogEvents'], [COMMANDS, `${COMMANDS}:*`]),
          allow(['ec2messages:GetMessages', 'logs:DescribeLogGroups'], '*'),
        ),
    }),
    resource('aws_iam_role_policy', { role: 'p-host', name: 'p-host', policy: options.hostPolicy ?? doc(allow(['s3:GetObject', 's3:GetObjectVersion'], 'arn:aws:s3:::b/*')) }),
    resource('aws_s3_bucket_policy', {
      bucket: 'b',
      policy: doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    }),
    resource('aws_sns_topic', { arn: TOPIC, kms_master_key_id: options.topicKey ?? null }),
    resource('aws_sns_topic_policy', {
      arn: TOPIC,
      policy: doc({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC, Condition: { ArnEquals: { 'aws:SourceArn': RULE } } }),
    }),
    resource('aws_cloudwatch_event_rule', {
      name: 'p-failures',
      arn: RULE,
      event_pattern: JSON.stringify({ detail: { 'document-name': ['p-migrate'], status: ['Failed', 'TimedOut', 'Cancelled'] } }),
    }),
    resource('aws_cloudwatch_event_target', { rule: 'p-failures', arn: TOPIC }),
    resource('aws_cloudwatch_log_group', { name: '/flyway/p/commands', kms_key_id: options.logGroupKey ?? null }),
    resource('aws_kms_key', { arn: KEY, key_id: 'k1', policy: options.keyPolicy ?? rootKeyPolicy }),
  ];
  return { values: { root_module: { resources } } };
}

const iamOf = (options: Options = {}) => AppliedIam.fromState(state(options), 'eu-central-1');

const json = (accessKeyId: string, service: string, target: string, body: object): RecordedCall => ({
  accessKeyId,
  service,
  method: 'POST',
  url: '/',
  headers: { 'x-amz-target': target },
  body: JSON.stringify(body),
  status: 200,
  responseBody: '',
});

const s3Get = (url: string): RecordedCall => ({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', method: 'GET', url, headers: {}, body: '', status: 200, responseBody: '' });

const agentStreams: RecordedCall[] = [
  json(HOST_ACCESS_KEY_ID, 'logs', 'Logs_20140328.CreateLogGroup', { logGroupName: '/flyway/p/commands' }),
  json(HOST_ACCESS_KEY_ID, 'logs', 'Logs_20140328.CreateLogStream', { logGroupName: '/flyway/p/commands', logStreamName: 'c1/i-1/runFlyway/stdout' }),
  json(HOST_ACCESS_KEY_ID, 'logs', 'Logs_20140328.PutLogEvents', { logGroupName: '/flyway/p/commands', logStreamName: 'c1/i-1/runFlyway/stdout' }),
];

const invocation = (ok: boolean): InvocationRecord => ({
  functionArn: FUNCTION,
  at: '2026-11-22T00:00:00.000Z',
  event: { Records: [{ s3: { bucket: { name: 'b' } } }] },
  ok,
  logs: [],
  commandIds: [],
  durationMs: 1,
});

/** EventBridge publishing a failed command's event for the rule p-failures, as the harness declares it when the rule matched (notifications.ts). */
const rulePublish = (iam: AppliedIam) => servicePublish(iam, 'events.amazonaws.com', 'EventBridge rule target', TOPIC, { arn: RULE, what: 'rule p-failures, command Failed' });

describe('checkCalls: the calls of the pipeline against the applied policies', () => {
  it('allows what the policies grant, and reports each action it checked', async () => {
    const iam = iamOf();
    const declared: DeclaredCall[] = [
      { by: { accessKeyId: TRIGGER_ACCESS_KEY_ID }, caller: 'trigger', requests: [{ operation: 'send', action: 'ssm:SendCommand', resource: `arn:aws:ssm:${R}:document/p-migrate`, context: {} }] },
    ];
    const verdict = await checkCalls(iam, [...agentStreams, s3Get('/b/V1__a.sql?versionId=v1')], [...declared, rulePublish(iam), ...awsServiceCalls(iam, [invocation(true)])]);
    expect(verdict.denied).toEqual([]);
    expect([...verdict.checked].sort()).toEqual(
      ['lambda:InvokeFunction', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObjectVersion', 'sns:Publish', 'ssm:SendCommand'].sort(),
    );
  });

  it('denies the agent\'s output streaming without logs:CreateLogGroup (item 2 of issue 10)', async () => {
    const iam = iamOf({ agentPolicy: doc(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], `${COMMANDS}:*`)) });
    const { denied } = await checkCalls(iam, agentStreams, []);
    expect(denied).toEqual([
      `Flyway host (arn:aws:iam::${ACCOUNT}:role/p-host) logs CreateLogGroup /flyway/p/commands: logs:CreateLogGroup on ${COMMANDS} is ImplicitlyDenied`,
      `Flyway host (arn:aws:iam::${ACCOUNT}:role/p-host) logs CreateLogGroup /flyway/p/commands: logs:CreateLogGroup on ${COMMANDS}:log-stream: is ImplicitlyDenied`,
    ]);
  });

  it('denies reading an object version with only s3:GetObject', async () => {
    const { denied } = await checkCalls(iamOf({ hostPolicy: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*')) }), [s3Get('/b/V1__a.sql?versionId=v1')], []);
    expect(denied).toEqual([expect.stringContaining('s3:GetObjectVersion on arn:aws:s3:::b/V1__a.sql is ImplicitlyDenied')]);
  });

  it('denies EventBridge publishing to a topic under the AWS managed key alias/aws/sns (item 1 of issue 10)', async () => {
    const iam = iamOf({ topicKey: 'alias/aws/sns' });
    const { denied } = await checkCalls(iam, [], [rulePublish(iam)]);
    expect(denied).toEqual([
      expect.stringMatching(/^EventBridge rule target \(events.amazonaws.com\) .*kms:GenerateDataKey on arn:aws:kms:eu-central-1:123456789012:alias\/aws\/sns is ImplicitlyDenied$/),
      expect.stringMatching(/kms:Decrypt on arn:aws:kms:eu-central-1:123456789012:alias\/aws\/sns is ImplicitlyDenied$/),
    ]);
  });

  it('denies EventBridge a customer key whose policy does not name it, and allows it once it does', async () => {
    const forEvents = { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' };
    const without = iamOf({ topicKey: KEY });
    expect((await checkCalls(without, [], [rulePublish(without)])).denied).toHaveLength(2);
    const withIt = iamOf({ topicKey: KEY, keyPolicy: doc(JSON.parse(rootKeyPolicy).Statement[0], forEvents) });
    expect((await checkCalls(withIt, [], [rulePublish(withIt)])).denied).toEqual([]);
  });

  it('denies CloudWatch Logs a customer key for an encrypted log group unless the key policy grants its service principal (item 4)', async () => {
    const iam = iamOf({ logGroupKey: KEY });
    const { denied } = await checkCalls(iam, [], awsServiceCalls(iam, []));
    expect(denied).toContain(`CloudWatch Logs (encrypted log group) (logs.eu-central-1.amazonaws.com) logs writes /flyway/p/commands: kms:GenerateDataKey on ${KEY} is ImplicitlyDenied`);
    const forGroup = (group: string) =>
      iamOf({
        logGroupKey: KEY,
        keyPolicy: doc({
          Effect: 'Allow',
          Principal: { Service: 'logs.eu-central-1.amazonaws.com' },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${R}:log-group:${group}` } },
        }),
      });
    const granted = forGroup('/flyway/p/commands');
    expect((await checkCalls(granted, [], awsServiceCalls(granted, []))).denied).toEqual([]);
    const otherGroup = forGroup('/flyway/other/commands');
    expect((await checkCalls(otherGroup, [], awsServiceCalls(otherGroup, []))).denied).toHaveLength(4);
  });

  it('refuses a call signed by none of the harness\'s parts', async () => {
    await expect(checkCalls(iamOf(), [{ ...s3Get('/b/k'), accessKeyId: 'test' }], [])).rejects.toThrow('a call was signed with test, which is none of the harness\'s parts');
  });
});
