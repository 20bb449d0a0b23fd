import type { RecordedCall } from '../../harness/call-recorder';
import { signerOf } from '../../harness/call-recorder';
import { authorizationRequests } from '../../harness/iam-requests';

const scope = { partition: 'aws', region: 'eu-central-1', account: '123456789012' };
const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/k1';
const keyOf = (arn: string) => (arn === 'arn:aws:s3:::keyed' || arn.endsWith(':sns:eu-central-1:123456789012:keyed') || arn.endsWith(':instance/i-0000000000000000e') ? KEY : undefined);

function call(service: string, method: string, url: string, extra: Partial<RecordedCall> = {}): RecordedCall {
  return { accessKeyId: 'AKIA', service, method, url, headers: {}, body: '', status: 200, responseBody: '', ...extra };
}

const json = (service: string, target: string, body: object, responseBody = '') =>
  call(service, 'POST', '/', { headers: { 'x-amz-target': target }, body: JSON.stringify(body), responseBody });

const actions = (c: RecordedCall) => authorizationRequests(c, scope, keyOf).map((r) => `${r.action} ${r.resource}`);

describe('authorizationRequests: what AWS authorizes for a recorded call', () => {
  it('reads the signer from SigV4 headers and presigned URLs', () => {
    expect(signerOf('/', 'AWS4-HMAC-SHA256 Credential=AKIAX/20261122/eu-central-1/s3/aws4_request, SignedHeaders=host, Signature=abc')).toEqual({ accessKeyId: 'AKIAX', service: 's3' });
    expect(signerOf('/b/k?X-Amz-Credential=AKIAY%2F20261122%2Feu-central-1%2Fs3%2Faws4_request', undefined)).toEqual({ accessKeyId: 'AKIAY', service: 's3' });
    expect(signerOf('/', undefined)).toBeUndefined();
  });

  it('names the version actions for S3 calls on a version: s3:GetObject does not allow GetObject?versionId', () => {
    expect(actions(call('s3', 'GET', '/b/V1__a.sql?versionId=v1&x-id=GetObject'))).toEqual(['s3:GetObjectVersion arn:aws:s3:::b/V1__a.sql']);
    expect(actions(call('s3', 'GET', '/b/runner/r.js'))).toEqual(['s3:GetObject arn:aws:s3:::b/runner/r.js']);
    expect(actions(call('s3', 'GET', '/b?versions'))).toEqual(['s3:ListBucketVersions arn:aws:s3:::b']);
    // ListMultipartUploads is authorized as s3:ListBucketMultipartUploads on the bucket (S3's Service Authorization Reference).
    expect(actions(call('s3', 'GET', '/b?uploads'))).toEqual(['s3:ListBucketMultipartUploads arn:aws:s3:::b']);
    expect(actions(call('s3', 'GET', '/b?list-type=2&prefix=a'))).toEqual(['s3:ListBucket arn:aws:s3:::b']);
    expect(actions(call('s3', 'GET', '/b/a%20b.sql?tagging&versionId=v'))).toEqual(['s3:GetObjectVersionTagging arn:aws:s3:::b/a b.sql']);
    expect(actions(call('s3', 'PUT', '/b/a.sql?tagging'))).toEqual(['s3:PutObjectTagging arn:aws:s3:::b/a.sql']);
    expect(actions(call('s3', 'PUT', '/b/.flyway/outcome.json', { headers: { 'x-amz-tagging': 'a=b' } }))).toEqual([
      's3:PutObject arn:aws:s3:::b/.flyway/outcome.json',
      's3:PutObjectTagging arn:aws:s3:::b/.flyway/outcome.json',
    ]);
  });

  it('adds the KMS calls S3, SNS and Secrets Manager make with the caller\'s permissions for a customer managed key', () => {
    expect(actions(call('s3', 'GET', '/keyed/V1__a.sql'))).toEqual(['s3:GetObject arn:aws:s3:::keyed/V1__a.sql', `kms:Decrypt ${KEY}`]);
    expect(actions(call('s3', 'PUT', '/keyed/x'))).toEqual(['s3:PutObject arn:aws:s3:::keyed/x', `kms:GenerateDataKey ${KEY}`]);
    const publish = call('sns', 'POST', '/', { body: 'Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-central-1%3A123456789012%3Akeyed&Message=m' });
    expect(actions(publish)).toEqual(['sns:Publish arn:aws:sns:eu-central-1:123456789012:keyed', `kms:GenerateDataKey ${KEY}`, `kms:Decrypt ${KEY}`]);
    expect(authorizationRequests(publish, scope, keyOf)[1].context).toEqual({ 'aws:SecureTransport': 'true', 'kms:ViaService': 'sns.eu-central-1.amazonaws.com' });
  });

  it('names the document and every instance of SendCommand, and the parameter of GetParameter', () => {
    expect(actions(json('ssm', 'AmazonSSM.SendCommand', { DocumentName: 'p-flyway-migrate', InstanceIds: ['i-1'] }))).toEqual([
      'ssm:SendCommand arn:aws:ssm:eu-central-1:123456789012:document/p-flyway-migrate',
      'ssm:SendCommand arn:aws:ec2:eu-central-1:123456789012:instance/i-1',
    ]);
    expect(actions(json('ssm', 'AmazonSSM.GetParameter', { Name: '/flyway/p/buckets/b' }))).toEqual(['ssm:GetParameter arn:aws:ssm:eu-central-1:123456789012:parameter/flyway/p/buckets/b']);
  });

  it('checks log group actions on both ARN forms AWS uses for them, and streams on the stream', () => {
    expect(actions(json('logs', 'Logs_20140328.CreateLogGroup', { logGroupName: '/flyway/p/commands' }))).toEqual([
      'logs:CreateLogGroup arn:aws:logs:eu-central-1:123456789012:log-group:/flyway/p/commands',
      'logs:CreateLogGroup arn:aws:logs:eu-central-1:123456789012:log-group:/flyway/p/commands:log-stream:',
    ]);
    expect(actions(json('logs', 'Logs_20140328.PutLogEvents', { logGroupName: 'g', logStreamName: 'c/i/s/stdout' }))).toEqual([
      'logs:PutLogEvents arn:aws:logs:eu-central-1:123456789012:log-group:g:log-stream:c/i/s/stdout',
    ]);
    expect(actions(json('logs', 'Logs_20140328.DescribeLogGroups', { logGroupNamePrefix: 'g' }))).toEqual(['logs:DescribeLogGroups *']);
  });

  it('names the queue of SQS calls and the function of a Lambda Invoke (the client\'s replay)', () => {
    const queueUrl = 'http://127.0.0.1:5000/123456789012/p-flyway-trigger-failures';
    expect(actions(json('sqs', 'AmazonSQS.ReceiveMessage', { QueueUrl: queueUrl }))).toEqual(['sqs:ReceiveMessage arn:aws:sqs:eu-central-1:123456789012:p-flyway-trigger-failures']);
    expect(actions(json('sqs', 'AmazonSQS.DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: 'r' }))).toEqual(['sqs:DeleteMessage arn:aws:sqs:eu-central-1:123456789012:p-flyway-trigger-failures']);
    expect(actions(call('lambda', 'POST', '/2015-03-31/functions/p-flyway-trigger/invocations'))).toEqual(['lambda:InvokeFunction arn:aws:lambda:eu-central-1:123456789012:function:p-flyway-trigger']);
  });

  it('authorizes a secret named by name as its full ARN, which the answer names', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-1-AbCdEf';
    expect(actions(json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'rds!cluster-1' }, JSON.stringify({ ARN: arn })))).toEqual([
      `secretsmanager:GetSecretValue ${arn}`,
    ]);
    expect(() => actions(json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'rds!cluster-1' }))).toThrow(/ARN is unknown/);
  });

  it('names the instance of StartInstances, and the grant EC2 needs of the caller for a volume under a customer managed key', () => {
    const start = (id: string) => call('ec2', 'POST', '/', { body: `Action=StartInstances&Version=2016-11-15&InstanceId.1=${id}` });
    expect(actions(start('i-0123456789abcdef0'))).toEqual(['ec2:StartInstances arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0']);
    const keyed = authorizationRequests(start('i-0000000000000000e'), scope, keyOf);
    expect(keyed.map((r) => `${r.action} ${r.resource}`)).toEqual(['ec2:StartInstances arn:aws:ec2:eu-central-1:123456789012:instance/i-0000000000000000e', `kms:CreateGrant ${KEY}`]);
    expect(keyed[1]?.context).toMatchObject({ 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': 'ec2.eu-central-1.amazonaws.com' });
  });

  it('refuses what it does not know instead of letting it pass', () => {
    expect(() => actions(json('ssm', 'AmazonSSM.DeleteDocument', { Name: 'd' }))).toThrow('ssm DeleteDocument: unknown to the IAM check');
    expect(() => actions(call('s3', 'PUT', '/b?policy'))).toThrow(/bucket operation the IAM check does not know/);
    expect(() => actions(call('s3', 'GET', '/b/k?acl'))).toThrow(/acl is unknown/);
    expect(() => actions(json('dynamodb', 'DynamoDB_20120810.GetItem', {}))).toThrow(/a service the IAM check does not know/);
  });
});
