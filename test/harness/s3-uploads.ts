// Plays S3's side of an upload: stores the object in the emulator's bucket (PutObject), reads
// back what S3 knows about that version (HeadObject), and works out which functions the bucket's
// notification configuration sends the event to.

import { GetBucketNotificationConfigurationCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from './aws';
import { buildS3EventRecord, nextSequencer, type EventContext, type S3EventRecord, type StoredObject } from './s3-event';
import { lambdaTargets, type LambdaTarget, type NotificationConfiguration } from './s3-notifications';

export interface Upload {
  object: StoredObject;
  /** The notification targets this upload's event goes to (empty: S3 sends nothing). */
  targets: LambdaTarget[];
}

export interface S3Side {
  put(bucket: string, key: string, body: string | Buffer): Promise<Upload>;
  /** What S3 knows of a version someone else stored (through the call recorder), and where its event goes. */
  observed(bucket: string, key: string, versionId: string | undefined, eventName?: string): Promise<Upload>;
  /** The record S3 sends to `target` for this upload. */
  record(upload: Upload, target: LambdaTarget): S3EventRecord;
}

export function s3Side(aws: AwsClients): S3Side {
  let sequencer: string | undefined;
  const context = (target: LambdaTarget): EventContext => ({
    region: aws.region,
    configurationId: target.configurationId,
    principalId: `AWS:${aws.env.AWS_ACCESS_KEY_ID}`,
    ownerPrincipalId: 'HARNESSOWNER',
    sourceIPAddress: '127.0.0.1',
  });
  const stored = async (bucket: string, key: string, versionId: string | undefined, meta: { requestId?: string; hostId?: string; eTag?: string; size: number }, eventName = 'ObjectCreated:Put'): Promise<Upload> => {
    const eventTime = new Date().toISOString();
    sequencer = nextSequencer(sequencer, Date.now());
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    const notification = (await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))) as NotificationConfiguration;
    const object: StoredObject = {
      bucket,
      key,
      ...(head.VersionId === undefined ? {} : { versionId: head.VersionId }),
      eTag: (head.ETag ?? meta.eTag ?? '').replace(/"/g, ''),
      size: head.ContentLength ?? meta.size,
      eventTime,
      eventName,
      sequencer,
      ...(meta.requestId === undefined ? {} : { requestId: meta.requestId }),
      ...(meta.hostId === undefined ? {} : { hostId: meta.hostId }),
    };
    return { object, targets: lambdaTargets(notification, eventName, key) };
  };
  return {
    async put(bucket, key, body) {
      const put = await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return stored(bucket, key, put.VersionId, {
        ...(put.ETag === undefined ? {} : { eTag: put.ETag }),
        size: Buffer.byteLength(body),
        ...(put.$metadata.requestId === undefined ? {} : { requestId: put.$metadata.requestId }),
        ...(put.$metadata.extendedRequestId === undefined ? {} : { hostId: put.$metadata.extendedRequestId }),
      });
    },
    observed: (bucket, key, versionId, eventName) => stored(bucket, key, versionId, { size: 0 }, eventName),
    record: (upload, target) => buildS3EventRecord(upload.object, context(target)),
  };
}
