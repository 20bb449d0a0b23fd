// Builds S3 event notifications shaped like the ones S3 really sends (eventVersion 2.1), for
// unit and integration tests. Keys are encoded the way S3 encodes them.

import type { S3Event, S3EventRecord } from 'aws-lambda';

/** S3's notification key encoding: form-style, space as `+`, `/` left as is. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface ObjectSpec {
  bucket: string;
  key: string;
  versionId?: string;
  eventTime?: string;
  eventName?: string;
  size?: number;
  eTag?: string;
  sequencer?: string;
}

let sequence = 0;

export function s3Record(spec: ObjectSpec): S3EventRecord {
  sequence += 1;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: spec.eventTime ?? '2026-11-21T05:00:00.000Z',
    eventName: spec.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'flyway-trigger',
      bucket: { name: spec.bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${spec.bucket}` },
      object: {
        key: encodeS3Key(spec.key),
        size: spec.size ?? 42,
        eTag: spec.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e',
        ...(spec.versionId === undefined ? {} : { versionId: spec.versionId }),
        sequencer: spec.sequencer ?? `0066A1B2C3D4E5F6${String(sequence).padStart(4, '0')}`,
      },
    },
  };
}

export function s3Event(...specs: ObjectSpec[]): S3Event {
  return { Records: specs.map(s3Record) };
}

export function testEvent(bucket: string): Record<string, string> {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: '2026-11-21T05:00:00.000Z',
    Bucket: bucket,
    RequestId: '5582815E1AEA5ADF',
    HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
  };
}
