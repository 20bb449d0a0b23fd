// Following a run through the AWS API, as on AWS: the trigger tags each accepted upload with the
// command it sent, Run Command reports the command's status, the runner writes the outcome
// record into the database's bucket, and the command's whole output is in CloudWatch Logs.

import { DescribeLogStreamsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, GetObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { OUTCOME_KEY, type OutcomeRecord } from '../../common/src/outcome';
import { step } from './errors';

export const COMMAND_ID_TAG = 'flyway-command-id';
export const REJECTED_TAG = 'flyway-rejected';
const FINAL_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated'];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readOutcome(s3: S3Client, bucket: string): Promise<OutcomeRecord | undefined> {
  return step(`reading s3://${bucket}/${OUTCOME_KEY}`, async () => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: OUTCOME_KEY }));
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as OutcomeRecord;
    } catch (error) {
      if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) return undefined;
      throw error;
    }
  });
}

/** The trigger's verdict on an upload: the command it sent, or why it rejected the file (undefined: not handled yet). */
export async function triggerVerdict(s3: S3Client, bucket: string, key: string, versionId: string | undefined): Promise<{ commandId?: string; rejected?: string }> {
  const tags = await step(`reading the tags of s3://${bucket}/${key}`, () => s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId })));
  const value = (name: string) => tags.TagSet?.find((tag) => tag.Key === name)?.Value;
  const commandId = value(COMMAND_ID_TAG);
  const rejected = value(REJECTED_TAG);
  return { ...(commandId === undefined ? {} : { commandId }), ...(rejected === undefined ? {} : { rejected }) };
}

export interface CommandState {
  status: string;
  final: boolean;
  stdout: string;
  stderr: string;
  responseCode: number;
}

/** The command's state on the host; undefined while Run Command does not know the invocation yet. */
export async function commandState(ssm: SSMClient, commandId: string, instanceId: string): Promise<CommandState | undefined> {
  return step(`reading command ${commandId}`, async () => {
    try {
      const invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      const status = invocation.Status ?? 'Pending';
      return {
        status,
        final: FINAL_STATUSES.includes(status),
        stdout: invocation.StandardOutputContent ?? '',
        stderr: invocation.StandardErrorContent ?? '',
        responseCode: invocation.ResponseCode ?? -1,
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'InvocationDoesNotExist') return undefined;
      throw error;
    }
  });
}

/** The command's whole standard output from its log group (GetCommandInvocation cuts it at 24,000 characters). */
export async function commandOutput(logs: CloudWatchLogsClient, group: string, commandId: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string | undefined> {
  const streams = await step(`listing the log streams of command ${commandId}`, () => logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${commandId}/` })));
  const names = (streams.logStreams ?? []).map((candidate) => candidate.logStreamName ?? '').filter((name) => name.endsWith(`/${stream}`));
  if (names.length === 0) return undefined;
  const parts: string[] = [];
  for (const name of names) {
    let token: string | undefined;
    for (;;) {
      const page = await step(`reading ${group} ${name}`, () => logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: name, startFromHead: true, nextToken: token })));
      parts.push(...(page.events ?? []).map((event) => event.message ?? ''));
      if (page.nextForwardToken === undefined || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
  }
  return parts.join('');
}

/** The lines of a run's output that carry the database's and Flyway's error (the failing statement, SQL state, message). */
export function flywayErrorLines(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^(ERROR|Caused by|SQL State|Error Code|Message|Location|Line|Statement)\b/.test(line.trim()));
  if (start < 0) return [];
  return lines
    .slice(start)
    .filter((line) => line.trim() !== '' && !line.startsWith('{'))
    .slice(0, 30);
}
