// What a reliability world leaves for the report, saved before its emulator stops: the harness's
// records (uploads, invocations, commands, notifications and the topic's messages) and what only
// the emulator still knows then (every object version of every bucket with its tags, every
// version of each outcome record, the messages waiting in the deployment's queues). The report
// (trace.ts) traces each event from these alone, never from what a test wrote about itself.

import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { OUTCOME_KEY, type OutcomeRecord } from '../../common/src/outcome';
import { writeJson } from '../harness/records';
import { PROJECT_ROOT } from '../support/terraform';
import type { World } from '../e2e/support';

export const EVIDENCE_DIR = join(PROJECT_ROOT, 'build', 'reliability', 'evidence');

export interface ObjectVersionEvidence {
  key: string;
  versionId: string | null;
  deleteMarker: boolean;
  tags: Record<string, string>;
}

export interface BucketEvidence {
  bucket: string;
  versions: ObjectVersionEvidence[];
  /** Every version of the bucket's outcome record, oldest first. */
  outcomes: OutcomeRecord[];
}

export interface QueueMessageEvidence {
  queueUrl: string;
  body: string;
}

/** The harness's record folders copied as they are. */
const RECORD_FOLDERS = ['uploads', 'invocations', 'commands', 'notifications', 'inbox'];

async function bucketEvidence(world: World, bucket: string): Promise<BucketEvidence> {
  const versions: ObjectVersionEvidence[] = [];
  const outcomeVersions: { versionId: string; at: string }[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await world.aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const version of page.Versions ?? []) {
      const key = version.Key ?? '';
      if (key === OUTCOME_KEY) {
        outcomeVersions.push({ versionId: version.VersionId ?? 'null', at: version.LastModified?.toISOString() ?? '' });
        continue;
      }
      const { TagSet = [] } = await world.aws.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: version.VersionId }));
      versions.push({ key, versionId: version.VersionId ?? null, deleteMarker: false, tags: Object.fromEntries(TagSet.map((tag) => [tag.Key ?? '', tag.Value ?? ''])) });
    }
    for (const marker of page.DeleteMarkers ?? []) versions.push({ key: marker.Key ?? '', versionId: marker.VersionId ?? null, deleteMarker: true, tags: {} });
    if (page.IsTruncated !== true) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  const outcomes: OutcomeRecord[] = [];
  for (const { versionId } of outcomeVersions.sort((a, b) => a.at.localeCompare(b.at))) {
    const object = await world.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: OUTCOME_KEY, VersionId: versionId }));
    outcomes.push(JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('{}'))) as OutcomeRecord);
  }
  return { bucket, versions, outcomes };
}

/**
 * The messages waiting in the deployment's queues (its region: the on-failure queue), read and
 * left there: each is received with a short visibility timeout and told apart by its id, so a
 * message that becomes visible again is not counted twice.
 */
export async function peekQueueMessages(world: World): Promise<QueueMessageEvidence[]> {
  const env = world.moto.awsEnv;
  const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const messages = new Map<string, QueueMessageEvidence>();
    for (const queueUrl of (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 5 }));
        const fresh = Messages.filter((message) => !messages.has(message.MessageId ?? ''));
        if (fresh.length === 0) break;
        for (const message of fresh) messages.set(message.MessageId ?? '', { queueUrl, body: message.Body ?? '' });
      }
    }
    return [...messages.values()];
  } finally {
    sqs.destroy();
  }
}

/** The text of every object version of a bucket (outcome record versions included). */
export async function objectTexts(world: World, bucket: string): Promise<string[]> {
  const texts: string[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await world.aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const version of page.Versions ?? []) {
      const object = await world.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: version.Key, VersionId: version.VersionId }));
      texts.push(Buffer.from((await object.Body?.transformToByteArray()) ?? []).toString('latin1'));
    }
    if (page.IsTruncated !== true) return texts;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

/** Saves the world's evidence under EVIDENCE_DIR/<prefix>; call before world.stop(). */
export async function saveEvidence(world: World): Promise<void> {
  const dir = join(EVIDENCE_DIR, world.prefix);
  mkdirSync(dir, { recursive: true });
  await world.harness?.notificationsReceived();
  for (const folder of RECORD_FOLDERS) {
    const from = join(world.stateDir, folder);
    if (existsSync(from)) cpSync(from, join(dir, folder), { recursive: true });
  }
  const outputs = await world.outputs();
  const buckets = await Promise.all(Object.values(outputs.buckets).map((bucket) => bucketEvidence(world, bucket)));
  writeJson(dir, 'buckets.json', buckets);
  writeJson(dir, 'queues.json', await peekQueueMessages(world));
  writeJson(dir, 'world.json', { prefix: world.prefix, testPath: expect.getState().testPath ?? '' });
}
