// With a customer managed key, AWS services write to the module's encrypted resources with that
// key, and only the key's policy can let them: CloudWatch Logs for every log group, EventBridge
// and the trigger's CloudWatch alarm (both through SNS) for the failure topic. The emulator checks
// no key policy. This test takes every encrypted destination a service principal writes to from a
// real plan of the root module, and asks AWS's policy evaluation (iam-simulate) whether the key
// policy lets that principal use the key: the policy of the key the module creates
// (create_kms_key), and for your own key (kms_key_arn) the account's default statement plus the
// module's kms_key_policy_json output; and that the default statement alone would not (what a
// user who skips the README gets).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate, type Policy } from '../harness/iam-check';
import { logGroupArn } from '../harness/iam-requests';
import { keysInState, type StateKey } from '../harness/state-keys';
import { prepareLocalStack, type LocalStack } from '../support/local-stack';
import { startMoto, type MotoServer } from '../support/moto';
import { allResources, type ShownModule, type ShownResource } from '../support/terraform';

jest.setTimeout(900_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-central-1';
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const scope = { partition: 'aws', region: REGION, account: ACCOUNT };

/** The statement of every new key's default policy: the account's IAM policies decide. */
const DEFAULT_STATEMENT = { Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

interface ConfigModule {
  resources?: { address: string; type: string; expressions?: Record<string, { references?: string[] }> }[];
  module_calls?: Record<string, { expressions?: Record<string, { references?: string[] }>; module: ConfigModule }>;
  outputs?: Record<string, { expression?: { references?: string[] } }>;
}

/** A module of the configuration, where it sits (address prefix) and who calls it (to follow its variables). */
interface ConfigScope {
  module: ConfigModule;
  prefix: string;
  caller?: { scope: ConfigScope; call: string };
}

interface Plan {
  planned_values: { root_module: ShownModule; outputs: Record<string, { value?: unknown }> };
  resource_changes: { address: string; change: { after_unknown?: Record<string, unknown> } }[];
  configuration: { root_module: ConfigModule };
}

/** Planned address of each resource an EventBridge target sends to (from the configuration's references: the topic's ARN is unknown until apply). */
function eventTargetDestinations(module: ConfigModule, prefix = ''): string[] {
  const here = (module.resources ?? [])
    .filter((resource) => resource.type === 'aws_cloudwatch_event_target')
    .flatMap((resource) => (resource.expressions?.arn?.references ?? []).filter((reference) => !reference.endsWith('.arn')).map((reference) => `${prefix}${reference}`));
  const below = Object.entries(module.module_calls ?? {}).flatMap(([name, call]) => eventTargetDestinations(call.module, `${prefix}module.${name}.`));
  return [...here, ...below];
}

/** The resources an expression's reference ends up at, through variables (to the caller) and module outputs (into the callee). */
function resolveReference(reference: string, scope: ConfigScope): string[] {
  const [head, name, attribute] = reference.split('.');
  if (head === 'var') {
    if (scope.caller === undefined) return [];
    const { scope: callerScope, call } = scope.caller;
    const references = callerScope.module.module_calls?.[call]?.expressions?.[name]?.references ?? [];
    return references.flatMap((next) => resolveReference(next, callerScope));
  }
  if (head === 'module') {
    const callee = scope.module.module_calls?.[name];
    if (callee === undefined || attribute === undefined) return [];
    const inner: ConfigScope = { module: callee.module, prefix: `${scope.prefix}module.${name}.`, caller: { scope, call: name } };
    return (callee.module.outputs?.[attribute]?.expression?.references ?? []).flatMap((next) => resolveReference(next, inner));
  }
  return /^aws_/.test(head) && name !== undefined ? [`${scope.prefix}${head}.${name}`] : [];
}

/** Each CloudWatch alarm's configuration address and the resources its alarm actions name (the topic's ARN is unknown until apply). */
function alarmActionDestinations(scope: ConfigScope): { alarm: string; destinations: string[] }[] {
  const here = (scope.module.resources ?? [])
    .filter((resource) => resource.type === 'aws_cloudwatch_metric_alarm')
    .map((resource) => ({
      alarm: `${scope.prefix}${resource.address}`,
      destinations: [...new Set((resource.expressions?.alarm_actions?.references ?? []).flatMap((reference) => resolveReference(reference, scope)))],
    }));
  const below = Object.entries(scope.module.module_calls ?? {}).flatMap(([name, call]) =>
    alarmActionDestinations({ module: call.module, prefix: `${scope.prefix}module.${name}.`, caller: { scope, call: name } }),
  );
  return [...here, ...below];
}

class PlannedKey {
  readonly planned: ShownResource[];

  constructor(readonly plan: Plan) {
    this.planned = allResources(plan.planned_values.root_module);
  }

  byType(type: string): ShownResource[] {
    return this.planned.filter((resource) => resource.type === type);
  }

  /** The one key the module creates (held by its CloudFormation stack by default). */
  createdKey(): StateKey {
    const keys = keysInState(this.planned);
    expect(keys).toHaveLength(1);
    return keys[0];
  }

  /** The key a resource is encrypted with: its ARN, "(unknown until apply)" for the key the module creates, or null. */
  keyOf(resource: ShownResource, attribute: string): unknown {
    const unknown = this.plan.resource_changes.find((change) => change.address === resource.address)?.change.after_unknown?.[attribute] === true;
    return unknown ? '(unknown until apply)' : (resource.values[attribute] ?? null);
  }

  /** The key uses each service principal makes, per encrypted destination it writes to. */
  serviceUses(): { destination: string; principal: string; actions: string[]; context: Record<string, string> }[] {
    const logs = this.byType('aws_cloudwatch_log_group').map((group) => ({
      destination: group.address,
      principal: `logs.${REGION}.amazonaws.com`,
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(scope, String(group.values.name)) },
    }));
    const targets = eventTargetDestinations(this.plan.configuration.root_module);
    const topics = this.byType('aws_sns_topic')
      .filter((topic) => targets.includes(topic.address))
      .map((topic) => ({ destination: topic.address, principal: 'events.amazonaws.com', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], context: { 'aws:SourceAccount': ACCOUNT } }));
    // A CloudWatch alarm publishes to its topics as cloudwatch.amazonaws.com; SNS uses the key on
    // its behalf with the alarm as the source (aws:SourceArn) and its account (aws:SourceAccount).
    const configured = alarmActionDestinations({ module: this.plan.configuration.root_module, prefix: '' });
    const alarms = this.byType('aws_cloudwatch_metric_alarm').flatMap((alarm) => {
      const destinations = configured.find((entry) => alarm.address.replace(/\[[^\]]*\]$/, '') === entry.alarm)?.destinations ?? [];
      return this.byType('aws_sns_topic')
        .filter((topic) => destinations.includes(topic.address))
        .map((topic) => ({
          destination: topic.address,
          principal: 'cloudwatch.amazonaws.com',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${String(alarm.values.alarm_name)}` },
        }));
    });
    return [...logs, ...topics, ...alarms];
  }

  async denials(policy: Policy): Promise<string[]> {
    const denied: string[] = [];
    for (const use of this.serviceUses()) {
      for (const action of use.actions) {
        const result = await simulate({
          principal: use.principal,
          account: ACCOUNT,
          request: { operation: use.destination, action, resource: KEY, context: { 'aws:SecureTransport': 'true', ...use.context } },
          identityPolicies: [],
          resourcePolicy: policy,
        });
        if (result !== 'Allowed') denied.push(`${use.principal} ${action} for ${use.destination}: ${result}`);
      }
    }
    return denied;
  }
}

const statements = (json: unknown) => (JSON.parse(String(json)) as { Statement: object[] }).Statement;

let moto: MotoServer;
const stacks: LocalStack[] = [];
const plans: Record<'yours' | 'created' | 'createdMysql', PlannedKey> = {} as never;

async function planWith(name: string, variables: Record<string, string>): Promise<PlannedKey> {
  const stack = prepareLocalStack(moto.awsEnv, { name_prefix: name, ...variables });
  stacks.push(stack);
  // The local stack may leave the failure alarm out (moto 5.2.5 cannot create it); a plan creates
  // nothing, so these plans have it, as on AWS (the module's default). The destinations test
  // below fails if the alarm is missing from a plan.
  const main = join(stack.dir, 'main.tf');
  writeFileSync(main, readFileSync(main, 'utf8').replace(/create_failure_alarm\s*=\s*false/, 'create_failure_alarm = true'));
  await stack.terraform('init', '-input=false', '-no-color');
  await stack.terraform('plan', '-input=false', '-no-color', '-out=keyed.tfplan');
  return new PlannedKey(JSON.parse((await stack.terraform('show', '-json', 'keyed.tfplan')).stdout) as Plan);
}

beforeAll(async () => {
  moto = await startMoto();
  plans.yours = await planWith('yourkey', { kms_key_arn: KEY });
  plans.created = await planWith('ownkey', { create_kms_key: 'true' });
  plans.createdMysql = await planWith('ownkeymy', { create_kms_key: 'true', engine: 'aurora-mysql' });
});

afterAll(async () => {
  for (const stack of stacks) stack.remove();
  await moto?.stop();
});

const EXPORTS = { postgresql: ['postgresql'], mysql: ['audit', 'error', 'slowquery'] };

describe.each([
  ['your key (kms_key_arn)', 'yours', KEY, EXPORTS.postgresql] as const,
  ['the key the module creates (create_kms_key)', 'created', '(unknown until apply)', EXPORTS.postgresql] as const,
  ['the key the module creates, on aurora-mysql', 'createdMysql', '(unknown until apply)', EXPORTS.mysql] as const,
])('a customer managed key: %s, from the plan', (_, which, expectedKey, exports) => {
  const planned = () => plans[which];
  const policy = (): Policy => {
    if (which !== 'yours') return { Version: '2012-10-17', Statement: statements(planned().createdKey().policy) };
    return { Version: '2012-10-17', Statement: [DEFAULT_STATEMENT, ...statements(planned().plan.planned_values.outputs.kms_key_policy_json?.value)] };
  };

  it('encrypts every log group, the topic and the failure queue with the key', () => {
    const keyed = (type: string, attribute: string) => planned().byType(type).map((resource) => [resource.address, planned().keyOf(resource, attribute)]);
    const all = [...keyed('aws_cloudwatch_log_group', 'kms_key_id'), ...keyed('aws_sns_topic', 'kms_master_key_id'), ...keyed('aws_sqs_queue', 'kms_master_key_id')];
    expect(all).toEqual(all.map(([address]) => [address, expectedKey]));
    // The command log group, the trigger's, and one per export of the cluster's logs.
    expect(planned().byType('aws_cloudwatch_log_group')).toHaveLength(2 + exports.length);
  });

  it('finds the destinations services write to: each log group (CloudWatch Logs) and the topic EventBridge and the failure alarm publish to', () => {
    expect(planned().serviceUses().map((use) => `${use.principal} ${use.destination}`).sort()).toEqual([
      'cloudwatch.amazonaws.com module.pipeline.module.notifications.aws_sns_topic.this',
      'events.amazonaws.com module.pipeline.module.notifications.aws_sns_topic.this',
      ...exports.map((log) => `logs.${REGION}.amazonaws.com module.pipeline.module.aurora[0].aws_cloudwatch_log_group.exports["${log}"]`),
      `logs.${REGION}.amazonaws.com module.pipeline.module.flyway_host.aws_cloudwatch_log_group.commands`,
      `logs.${REGION}.amazonaws.com module.pipeline.module.trigger.aws_cloudwatch_log_group.this`,
    ]);
  });

  it('S3 notifies only the trigger function: no encrypted queue or topic receives S3 events', () => {
    for (const notification of planned().byType('aws_s3_bucket_notification')) {
      expect([notification.values.queue ?? [], notification.values.topic ?? []]).toEqual([[], []]);
    }
  });

  it('the default key policy alone lets none of those services use the key', async () => {
    const uses = planned().serviceUses().reduce((count, use) => count + use.actions.length, 0);
    expect(await planned().denials({ Version: '2012-10-17', Statement: [DEFAULT_STATEMENT] })).toHaveLength(uses);
  });

  it('the key policy lets each of them use it', async () => {
    expect(await planned().denials(policy())).toEqual([]);
  });
});

describe('the key the module creates', () => {
  it('rotates, keeps the account in charge through IAM, holds its policy from creation on (known at plan), and outlives the stack', () => {
    const key = plans.created.createdKey();
    expect(key).toMatchObject({ rotation: true, deletionWindowDays: 30, retainedOnDelete: true });
    expect(typeof key.policy).toBe('string');
    expect(statements(key.policy)).toContainEqual(expect.objectContaining({ Sid: 'AccountIamPoliciesGrantUse', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }));
  });

  it('refuses create_kms_key together with kms_key_arn', async () => {
    const stack = prepareLocalStack(moto.awsEnv, { name_prefix: 'bothkeys', kms_key_arn: KEY, create_kms_key: 'true' });
    stacks.push(stack);
    await stack.terraform('init', '-input=false', '-no-color');
    await expect(stack.terraform('plan', '-input=false', '-no-color')).rejects.toThrow(/Set either create_kms_key = true \(the module creates the key\) or kms_key_arn/);
  });
});
