// The only module that talks to AWS. Clients use SDK defaults so the environment decides
// region, credentials, endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, ...) and retries
// (throttling and transient errors, AWS_MAX_ATTEMPTS). The handler depends on the `Ports`
// interface, so unit tests can substitute fakes.

import { GetParameterCommand, ListCommandInvocationsCommand, SSMClient, SendCommandCommand, type SendCommandCommandInput } from '@aws-sdk/client-ssm';
import { createStartInstances } from '../../common/src/ec2-start';
import { S3Client, GetObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { mergeTag } from './tags';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { invokedAfterValue, type HostInvocation } from './host';

export interface TagRequest {
  bucket: string;
  key: string;
  versionId?: string;
  tagKey: string;
  tagValue: string;
}

export interface Publication {
  topicArn: string;
  subject: string;
  message: string;
}

export interface Ports {
  /**
   * The database key a bucket's parameter holds, or undefined when there is no such parameter
   * (the bucket is not one of the module's). Other errors are thrown.
   */
  databaseOfBucket(parameterName: string): Promise<string | undefined>;
  /** Resolves to the command id. */
  sendCommand(input: SendCommandCommandInput): Promise<string>;
  /** Sets one tag, keeping the object's other tags; resolves to false when the object already has 10 other tags. */
  tagObject(request: TagRequest): Promise<boolean>;
  publish(publication: Publication): Promise<void>;
  /** StartInstances on one instance: its state before and after (errors are thrown). */
  startInstance(instanceId: string): Promise<{ previous: string; current: string }>;
  /** The instance's command invocations requested after `after` (up to a few hundred, newest first). */
  listInvocations(instanceId: string, after: Date): Promise<HostInvocation[]>;
}

/** Pages of ListCommandInvocations read at most (50 each): a host has far fewer recent commands. */
const MAX_INVOCATION_PAGES = 6;

export function createAwsPorts(): Ports {
  const ssm = new SSMClient({});
  const s3 = new S3Client({});
  const sns = new SNSClient({});
  const startInstances = createStartInstances();
  // Buckets do not change their database: looked up once per container.
  const databases = new Map<string, string>();
  return {
    async databaseOfBucket(parameterName) {
      const cached = databases.get(parameterName);
      if (cached !== undefined) return cached;
      try {
        const output = await ssm.send(new GetParameterCommand({ Name: parameterName }));
        const value = output.Parameter?.Value ?? '';
        databases.set(parameterName, value);
        return value;
      } catch (error) {
        if (error instanceof Error && error.name === 'ParameterNotFound') return undefined;
        throw error;
      }
    },
    async sendCommand(input) {
      const output = await ssm.send(new SendCommandCommand(input));
      const commandId = output.Command?.CommandId;
      if (commandId === undefined) {
        throw new Error('SendCommand returned no command id');
      }
      return commandId;
    },
    async tagObject({ bucket, key, versionId, tagKey, tagValue }) {
      // Tags the exact version that was uploaded, not whatever is current by now.
      const current = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      const merged = mergeTag((current.TagSet ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })), { Key: tagKey, Value: tagValue });
      if (merged === undefined) return false;
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId, Tagging: { TagSet: merged } }));
      return true;
    },
    async publish({ topicArn, subject, message }) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    },
    startInstance: (instanceId) => startInstances(instanceId),
    async listInvocations(instanceId, after) {
      const found: HostInvocation[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_INVOCATION_PAGES; page += 1) {
        const output = await ssm.send(
          new ListCommandInvocationsCommand({ InstanceId: instanceId, Filters: [{ key: 'InvokedAfter', value: invokedAfterValue(after) }], MaxResults: 50, NextToken: nextToken }),
        );
        for (const invocation of output.CommandInvocations ?? []) {
          found.push({ commandId: invocation.CommandId ?? '', status: invocation.Status ?? '', statusDetails: invocation.StatusDetails ?? '' });
        }
        nextToken = output.NextToken;
        if (nextToken === undefined || nextToken === '') break;
      }
      return found;
    },
  };
}
