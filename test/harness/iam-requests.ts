// What AWS authorizes for one API call: the IAM action(s) and the resource ARN(s) it checks, as
// AWS's Service Authorization Reference and the services' documentation define them. Pure: a
// recorded HTTP call (call-recorder.ts) in, authorization requests out. An operation this file
// does not know is an error, never an allowed call: teach it here when the code under test
// starts making a new kind of call.

import type { RecordedCall } from './call-recorder';

export interface Scope {
  partition: string;
  region: string;
  account: string;
}

/** Which customer managed key (if any) encrypts a resource: S3 buckets, SNS topics, SQS queues, secrets. */
export type KeyOf = (resourceArn: string) => string | undefined;

export interface AuthorizationRequest {
  /** The API operation, for messages: "s3 GetObject". */
  operation: string;
  action: string;
  /** An ARN, or "*" for actions that support no resource types. */
  resource: string;
  context: Record<string, string>;
}

/** Every call reaches AWS over HTTPS (the SDKs and the CLI refuse anything else). */
const SECURE = { 'aws:SecureTransport': 'true' };

function request(operation: string, action: string, resource: string, context: Record<string, string> = {}): AuthorizationRequest {
  return { operation, action, resource, context: { ...SECURE, ...context } };
}

/** A service that encrypts with the caller's permissions asks KMS on the caller's behalf. */
function keyRequests(operation: string, key: string | undefined, actions: readonly string[], viaService: string): AuthorizationRequest[] {
  if (key === undefined) return [];
  return actions.map((action) => request(operation, action, key, { 'kms:ViaService': viaService }));
}

// --- S3 (REST) ---------------------------------------------------------------------------------

function s3Requests(call: RecordedCall, scope: Scope, keyOf: KeyOf): AuthorizationRequest[] {
  const url = new URL(call.url, 'http://local');
  const [bucket = '', ...keyParts] = url.pathname.replace(/^\//, '').split('/');
  if (bucket === '') throw new Error(`s3 ${call.method} ${call.url}: no bucket in the path (the callers here use path-style addressing)`);
  const key = decodeURIComponent(keyParts.join('/'));
  const query = url.searchParams;
  const versioned = query.has('versionId');
  const bucketArn = `arn:${scope.partition}:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key}`;
  const via = `s3.${scope.region}.amazonaws.com`;
  const method = call.method.toUpperCase();
  const op = (name: string) => `s3 ${name} s3://${bucket}/${key}`;
  if (key === '') {
    if (method === 'GET' && query.has('versions')) return [request(`s3 ListObjectVersions s3://${bucket}`, 's3:ListBucketVersions', bucketArn)];
    if (method === 'GET' && query.has('uploads')) return [request(`s3 ListMultipartUploads s3://${bucket}`, 's3:ListBucketMultipartUploads', bucketArn)];
    if (method === 'GET' && query.has('location')) return [request(`s3 GetBucketLocation s3://${bucket}`, 's3:GetBucketLocation', bucketArn)];
    const subresources = [...query.keys()].filter((name) => !['list-type', 'prefix', 'delimiter', 'continuation-token', 'start-after', 'max-keys', 'encoding-type', 'marker', 'fetch-owner'].includes(name));
    if ((method === 'GET' || method === 'HEAD') && subresources.length === 0) return [request(`s3 ListObjects s3://${bucket}`, 's3:ListBucket', bucketArn)];
    throw new Error(`s3 ${method} ${call.url}: a bucket operation the IAM check does not know`);
  }
  if (query.has('tagging')) {
    const verb = { GET: 'Get', PUT: 'Put', DELETE: 'Delete' }[method];
    if (verb === undefined) throw new Error(`s3 ${method} ${call.url}: an object tagging operation the IAM check does not know`);
    return [request(op(`${verb}ObjectTagging`), `s3:${verb}Object${versioned ? 'Version' : ''}Tagging`, objectArn)];
  }
  const known = ['versionId', 'partNumber', 'uploadId', 'uploads', 'x-id', 'response-content-type'];
  const unknown = [...query.keys()].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`s3 ${method} ${call.url}: the subresource ${unknown.join(', ')} is unknown to the IAM check`);
  const bucketKey = keyOf(bucketArn);
  if (method === 'GET' || method === 'HEAD') {
    return [
      request(op(method === 'GET' ? 'GetObject' : 'HeadObject'), versioned ? 's3:GetObjectVersion' : 's3:GetObject', objectArn),
      ...keyRequests(op('GetObject'), bucketKey, ['kms:Decrypt'], via),
    ];
  }
  if (method === 'PUT' || method === 'POST') {
    if (call.headers['x-amz-copy-source'] !== undefined) throw new Error(`s3 CopyObject ${call.url}: unknown to the IAM check`);
    const tagging = call.headers['x-amz-tagging'] === undefined ? [] : [request(op('PutObject'), 's3:PutObjectTagging', objectArn)];
    return [request(op('PutObject'), 's3:PutObject', objectArn), ...tagging, ...keyRequests(op('PutObject'), bucketKey, ['kms:GenerateDataKey'], via)];
  }
  if (method === 'DELETE') {
    if (query.has('uploadId')) return [request(op('AbortMultipartUpload'), 's3:AbortMultipartUpload', objectArn)];
    return [request(op('DeleteObject'), versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn)];
  }
  throw new Error(`s3 ${method} ${call.url}: unknown to the IAM check`);
}

// --- RPC protocols (JSON with X-Amz-Target, and query) -------------------------------------------

type Params = Record<string, unknown>;

/** The operation and its parameters: JSON 1.0/1.1 (X-Amz-Target) or the query protocol (Action=...). */
function rpcOf(call: RecordedCall): { operation: string; params: Params } {
  const target = call.headers['x-amz-target'];
  if (target !== undefined) {
    const operation = target.slice(target.lastIndexOf('.') + 1);
    return { operation, params: call.body === '' ? {} : (JSON.parse(call.body) as Params) };
  }
  const form = new URLSearchParams(call.body);
  const operation = form.get('Action');
  if (operation === null) throw new Error(`${call.service} ${call.method} ${call.url}: neither X-Amz-Target nor Action, a protocol the IAM check does not know`);
  return { operation, params: Object.fromEntries(form.entries()) };
}

function text(params: Params, name: string, operation: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') throw new Error(`${operation}: no ${name} in the request`);
  return value;
}

const isArn = (value: string) => value.startsWith('arn:');

export function parameterArn(scope: Scope, name: string): string {
  return isArn(name) ? name : `arn:${scope.partition}:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, '')}`;
}

export function documentArn(scope: Scope, name: string): string {
  if (isArn(name)) return name;
  // Documents owned by AWS have no account in their ARN.
  return `arn:${scope.partition}:ssm:${scope.region}:${name.startsWith('AWS-') ? '' : scope.account}:document/${name}`;
}

export function instanceArn(scope: Scope, instanceId: string): string {
  return `arn:${scope.partition}:ec2:${scope.region}:${scope.account}:instance/${instanceId}`;
}

export function logGroupArn(scope: Scope, group: string): string {
  return `arn:${scope.partition}:logs:${scope.region}:${scope.account}:log-group:${group}`;
}

export function logStreamArn(scope: Scope, group: string, stream: string): string {
  return `${logGroupArn(scope, group)}:log-stream:${stream}`;
}

/** Operations whose actions support no resource types: AWS authorizes them on "*" only. */
const UNSCOPED = new Set(['logs:DescribeLogGroups', 'ssm:ListAssociations', 'ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation']);

function ssmRequests(operation: string, params: Params, scope: Scope): AuthorizationRequest[] {
  const action = `ssm:${operation}`;
  const op = `ssm ${operation}`;
  switch (operation) {
    case 'GetParameter':
    case 'DeleteParameter':
    case 'PutParameter':
      return [request(`${op} ${String(params.Name)}`, action, parameterArn(scope, text(params, 'Name', op)))];
    case 'GetParameters':
      return ((params.Names as string[] | undefined) ?? []).map((name) => request(`${op} ${name}`, action, parameterArn(scope, name)));
    case 'GetParametersByPath':
      return [request(`${op} ${String(params.Path)}`, action, parameterArn(scope, text(params, 'Path', op)))];
    case 'SendCommand': {
      if (params.Targets !== undefined) throw new Error(`${op}: Targets are unknown to the IAM check (InstanceIds only)`);
      const instances = ((params.InstanceIds as string[] | undefined) ?? []).map((id) => request(`${op} to ${id}`, action, instanceArn(scope, id)));
      const passRole = typeof params.ServiceRoleArn === 'string' ? [request(op, 'iam:PassRole', params.ServiceRoleArn)] : [];
      return [request(`${op} ${String(params.DocumentName)}`, action, documentArn(scope, text(params, 'DocumentName', op))), ...instances, ...passRole];
    }
    case 'GetDocument':
    case 'DescribeDocument':
      return [request(`${op} ${String(params.Name)}`, action, documentArn(scope, text(params, 'Name', op)))];
    case 'UpdateInstanceInformation':
    case 'ListInstanceAssociations':
      return [request(op, action, instanceArn(scope, text(params, 'InstanceId', op)))];
    default:
      if (UNSCOPED.has(action)) return [request(op, action, '*')];
      throw new Error(`${op}: unknown to the IAM check`);
  }
}

function logsRequests(operation: string, params: Params, scope: Scope): AuthorizationRequest[] {
  const action = `logs:${operation}`;
  const op = `logs ${operation}`;
  switch (operation) {
    case 'CreateLogGroup':
    case 'DescribeLogStreams':
    case 'PutRetentionPolicy':
    case 'DeleteLogGroup':
    case 'FilterLogEvents': {
      // The reference names the group's ARN, while AWS's denials of these calls name
      // "log-group:G:log-stream:": a policy must allow both forms to be sure, so both are checked.
      const group = text(params, 'logGroupName', op);
      return [request(`${op} ${group}`, action, logGroupArn(scope, group)), request(`${op} ${group}`, action, logStreamArn(scope, group, ''))];
    }
    case 'CreateLogStream':
    case 'PutLogEvents':
    case 'GetLogEvents': {
      const group = text(params, 'logGroupName', op);
      const stream = text(params, 'logStreamName', op);
      return [request(`${op} ${group} ${stream}`, action, logStreamArn(scope, group, stream))];
    }
    default:
      if (UNSCOPED.has(action)) return [request(op, action, '*')];
      throw new Error(`${op}: unknown to the IAM check`);
  }
}

function secretsRequests(operation: string, params: Params, responseBody: string, scope: Scope, keyOf: KeyOf): AuthorizationRequest[] {
  const op = `secretsmanager ${operation}`;
  if (operation !== 'GetSecretValue' && operation !== 'DescribeSecret') throw new Error(`${op}: unknown to the IAM check`);
  const id = text(params, 'SecretId', op);
  // A name or partial ARN is authorized as the secret's full ARN, which the answer names.
  const answered = responseBody === '' ? undefined : (JSON.parse(responseBody) as { ARN?: string }).ARN;
  const arn = answered ?? (isArn(id) ? id : undefined);
  if (arn === undefined) throw new Error(`${op} ${id}: the secret's ARN is unknown (the call failed and named it by name)`);
  const decrypt = operation === 'GetSecretValue' ? keyRequests(op, keyOf(arn), ['kms:Decrypt'], `secretsmanager.${scope.region}.amazonaws.com`) : [];
  return [request(`${op} ${id}`, `secretsmanager:${operation}`, arn), ...decrypt];
}

export function queueArnOfUrl(scope: Scope, queueUrl: string): string {
  const [, account, name] = new URL(queueUrl).pathname.split('/');
  return `arn:${scope.partition}:sqs:${scope.region}:${account}:${name}`;
}

function messagingRequests(service: 'sns' | 'sqs', operation: string, params: Params, scope: Scope, keyOf: KeyOf): AuthorizationRequest[] {
  const op = `${service} ${operation}`;
  if (service === 'sns' && operation === 'Publish') {
    const topic = text(params, 'TopicArn', op);
    return [request(`${op} ${topic}`, 'sns:Publish', topic), ...keyRequests(op, keyOf(topic), ['kms:GenerateDataKey', 'kms:Decrypt'], `sns.${scope.region}.amazonaws.com`)];
  }
  if (service === 'sqs' && operation === 'SendMessage') {
    const queue = queueArnOfUrl(scope, text(params, 'QueueUrl', op));
    return [request(`${op} ${queue}`, 'sqs:SendMessage', queue), ...keyRequests(op, keyOf(queue), ['kms:GenerateDataKey', 'kms:Decrypt'], `sqs.${scope.region}.amazonaws.com`)];
  }
  if (service === 'sqs' && operation === 'ReceiveMessage') {
    const queue = queueArnOfUrl(scope, text(params, 'QueueUrl', op));
    return [request(`${op} ${queue}`, 'sqs:ReceiveMessage', queue), ...keyRequests(op, keyOf(queue), ['kms:Decrypt'], `sqs.${scope.region}.amazonaws.com`)];
  }
  if (service === 'sqs' && (operation === 'DeleteMessage' || operation === 'ChangeMessageVisibility')) {
    const queue = queueArnOfUrl(scope, text(params, 'QueueUrl', op));
    return [request(`${op} ${queue}`, `sqs:${operation}`, queue)];
  }
  throw new Error(`${op}: unknown to the IAM check`);
}

/** Lambda's REST API: Invoke is POST /2015-03-31/functions/<name or ARN>/invocations. */
function lambdaRequests(call: RecordedCall, scope: Scope): AuthorizationRequest[] {
  const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(new URL(call.url, 'http://local').pathname);
  if (invoke === null || call.method !== 'POST') throw new Error(`lambda ${call.method} ${call.url}: unknown to the IAM check`);
  const name = decodeURIComponent(invoke[1]);
  const arn = isArn(name) ? name : `arn:${scope.partition}:lambda:${scope.region}:${scope.account}:function:${name}`;
  return [request(`lambda Invoke ${name}`, 'lambda:InvokeFunction', arn)];
}

/** The authorization requests of one recorded call. Calls that need no permission (sts:GetCallerIdentity) give none. */
export function authorizationRequests(call: RecordedCall, scope: Scope, keyOf: KeyOf): AuthorizationRequest[] {
  if (call.service === 's3') return s3Requests(call, scope, keyOf);
  if (call.service === 'lambda') return lambdaRequests(call, scope);
  const { operation, params } = rpcOf(call);
  switch (call.service) {
    case 'ssm':
      return ssmRequests(operation, params, scope);
    case 'logs':
      return logsRequests(operation, params, scope);
    case 'secretsmanager':
      return secretsRequests(operation, params, call.responseBody, scope, keyOf);
    case 'sns':
    case 'sqs':
      return messagingRequests(call.service, operation, params, scope, keyOf);
    case 'sts':
      if (operation === 'GetCallerIdentity') return [];
      break;
    case 'ec2':
      if (operation === 'StartInstances') {
        const ids = Object.keys(params).filter((name) => /^InstanceId\.\d+$/.test(name)).map((name) => text(params, name, operation));
        if (ids.length === 0) throw new Error('StartInstances: no InstanceId.N in the request');
        // EC2 decrypts a volume under a customer managed key with a grant the caller creates.
        return ids.flatMap((id) => {
          const key = keyOf(instanceArn(scope, id));
          const grant = key === undefined ? [] : [request(`ec2 StartInstances ${id} (grant on the volume's key)`, 'kms:CreateGrant', key, { 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': `ec2.${scope.region}.amazonaws.com`, 'kms:CallerAccount': scope.account })];
          return [request(`ec2 StartInstances ${id}`, 'ec2:StartInstances', instanceArn(scope, id)), ...grant];
        });
      }
      break;
    default:
      break;
  }
  throw new Error(`${call.service} ${operation}: a service the IAM check does not know`);
}
