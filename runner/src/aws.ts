// The only module of the runner that talks to AWS, in-process with the SDK v3 (no AWS CLI
// processes). Clients use SDK defaults, so the environment decides region, credentials, endpoint
// (AWS_ENDPOINT_URL) and retries; on the host that is the instance profile through IMDSv2.

import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { BucketObject, UploadInProgress } from './listing';

export interface Ports {
  /** The parameter's value; throws the SDK's ParameterNotFound when missing. */
  getParameter(name: string): Promise<string>;
  /** The current version of every object whose key is `relevant` (delete markers hide their keys) and the time of the newest change among them. */
  listObjects(bucket: string, relevant: (key: string) => boolean): Promise<BucketListing>;
  getObject(bucket: string, key: string, versionId: string | null): Promise<Buffer>;
  /** Multipart uploads begun and neither completed nor aborted: objects still being uploaded. */
  listMultipartUploads(bucket: string): Promise<UploadInProgress[]>;
  putObject(bucket: string, key: string, body: string, contentType: string): Promise<void>;
  getSecretString(secretId: string): Promise<string>;
  /** Publishes to an SNS topic (the module's failure topic). */
  publish(topicArn: string, subject: string, message: string): Promise<void>;
  destroy(): void;
}

export interface BucketListing {
  objects: BucketObject[];
  /** Newest LastModified of any current version or delete marker (undefined for an empty bucket). */
  newestChange: Date | undefined;
}

/** The SDK error's name (ParameterNotFound, NoSuchBucket, AccessDenied, ...) and message. */
export function awsErrorOf(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function createAwsPorts(): Ports {
  const ssm = new SSMClient({});
  // Path-style addressing only where an endpoint override asks for it (the local emulator).
  const s3 = new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined || process.env.AWS_ENDPOINT_URL_S3 !== undefined });
  const secrets = new SecretsManagerClient({});
  const sns = new SNSClient({});
  return {
    async getParameter(name) {
      const output = await ssm.send(new GetParameterCommand({ Name: name }));
      return output.Parameter?.Value ?? '';
    },
    async listObjects(bucket, relevant) {
      const current: BucketObject[] = [];
      let newestChange: Date | undefined;
      const seen = (at: Date | undefined) => {
        if (at !== undefined && (newestChange === undefined || at > newestChange)) newestChange = at;
      };
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      do {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        for (const marker of page.DeleteMarkers ?? []) if (marker.IsLatest === true && relevant(marker.Key ?? '')) seen(marker.LastModified);
        for (const version of page.Versions ?? []) {
          if (version.IsLatest !== true || version.Key === undefined || !relevant(version.Key)) continue;
          seen(version.LastModified);
          current.push({
            key: version.Key,
            versionId: version.VersionId === undefined || version.VersionId === 'null' ? null : version.VersionId,
            etag: version.ETag ?? '',
            size: version.Size ?? 0,
          });
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker !== undefined);
      return { objects: current, newestChange };
    },
    async getObject(bucket, key, versionId) {
      const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId === null ? {} : { VersionId: versionId }) }));
      if (output.Body === undefined) return Buffer.alloc(0);
      return Buffer.from(await output.Body.transformToByteArray());
    },
    async listMultipartUploads(bucket) {
      const uploads: UploadInProgress[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
        for (const upload of page.Uploads ?? []) uploads.push({ key: upload.Key ?? '', uploadId: upload.UploadId ?? '', initiated: upload.Initiated });
        keyMarker = page.IsTruncated === true ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated === true ? page.NextUploadIdMarker : undefined;
      } while (keyMarker !== undefined);
      return uploads;
    },
    async putObject(bucket, key, body, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async getSecretString(secretId) {
      const output = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      return output.SecretString ?? '';
    },
    async publish(topicArn, subject, message) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    },
    destroy() {
      sns.destroy();
      ssm.destroy();
      s3.destroy();
      secrets.destroy();
    },
  };
}
