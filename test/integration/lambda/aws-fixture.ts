// The AWS side of the trigger's integration tests, created with the real SDK on a moto server:
// versioned buckets, the Command document, the notification topic with an HTTP subscriber
// (moto really POSTs each published message to it), and the function's environment.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateDocumentCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { ObjectSpec } from '../../unit/lambda/support/s3-events';

export const DOCUMENT_NAME = 'itest-flyway-run';
export const INSTANCE_ID = 'i-0123456789abcdef0';
export const LOG_GROUP = '/itest/flyway/commands';
export const BUCKET_PARAMETER_PREFIX = '/itest/flyway/buckets';
export const BUCKETS = { users: 'itest-users-123', products: 'itest-products-123', stranger: 'itest-stranger-123' } as const;

// A minimal document with the same parameters (and validation) as the module's.
const DOCUMENT = {
  schemaVersion: '2.2',
  description: 'Runs Flyway for one database (integration test stand-in)',
  parameters: {
    DatabaseKey: { type: 'String', allowedPattern: '^[a-z][a-z0-9_]{0,62}$' },
    Action: { type: 'String', allowedValues: ['migrate', 'info', 'validate', 'repair'] },
    RequestedAt: { type: 'String', allowedPattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' },
  },
  mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo "{{ DatabaseKey }} {{ Action }} {{ RequestedAt }}"'] } }],
};

export interface SnsMessage {
  Type: string;
  Subject?: string;
  Message: string;
}

export interface Fixture {
  s3: S3Client;
  ssm: SSMClient;
  functionEnv: Record<string, string>;
  notifications: SnsMessage[];
  /** Uploads an object (with the uploader's own `tagging`, e.g. team=data&x=y) and returns the spec of the S3 event record it causes. */
  upload(bucket: string, key: string, body?: string, tagging?: string): Promise<ObjectSpec>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function createFixture(): Promise<Fixture> {
  const s3 = new S3Client({});
  const ssm = new SSMClient({});
  const sns = new SNSClient({});

  for (const bucket of Object.values(BUCKETS)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  // What the module writes: the database of each bucket, one parameter per bucket.
  for (const [database, bucket] of [['users', BUCKETS.users], ['products', BUCKETS.products]]) {
    await ssm.send(new PutParameterCommand({ Name: `${BUCKET_PARAMETER_PREFIX}/${bucket}`, Type: 'String', Value: database }));
  }
  await ssm.send(new CreateDocumentCommand({ Name: DOCUMENT_NAME, DocumentType: 'Command', DocumentFormat: 'JSON', Content: JSON.stringify(DOCUMENT) }));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'itest-flyway' }))).TopicArn ?? '';

  const notifications: SnsMessage[] = [];
  const subscriber = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      notifications.push(JSON.parse(body) as SnsMessage);
      response.end();
    });
  });
  const port = await listen(subscriber);
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/` }));

  let sequence = 0;
  return {
    s3,
    ssm,
    notifications,
    functionEnv: {
      DOCUMENT_NAME,
      INSTANCE_ID,
      BUCKET_PARAMETER_PREFIX,
      COMMAND_LOG_GROUP: LOG_GROUP,
      COMMAND_TIMEOUT_SECONDS: '600',
      NOTIFICATION_TOPIC_ARN: topicArn,
    },
    async upload(bucket, key, body = 'select 1;\n', tagging) {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(tagging === undefined ? {} : { Tagging: tagging }) }));
      sequence += 1;
      return {
        bucket,
        key,
        versionId: put.VersionId,
        eTag: (put.ETag ?? '').replace(/"/g, ''),
        size: Buffer.byteLength(body),
        sequencer: `0066F0A1B2C3D4E5${String(sequence).padStart(2, '0')}`,
        eventTime: new Date().toISOString(),
      };
    },
    async close() {
      s3.destroy();
      ssm.destroy();
      sns.destroy();
      await new Promise((resolve) => subscriber.close(resolve));
    },
  };
}
