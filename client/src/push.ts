// aurora-flyway push <database> [dir]: lint, compare with the bucket, upload only what is new,
// then wait for the runner's outcome record to cover exactly the uploaded object versions, and
// end with the database's result.

import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { classifyKey } from '../../common/src/flyway-name';
import { coversVersions, type OutcomeRecord } from '../../common/src/outcome';
import { compareVersions } from '../../common/src/version';
import type { Aws } from './aws';
import { ClientError, EXIT, step } from './errors';
import { commandOutput, commandState, flywayErrorLines, readOutcome, sleep, triggerVerdict } from './follow';
import { lintAndReport } from './lint-report';
import { readMigrationFolder, type LocalFile } from './local-files';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';
import { planPush, type RemoteObject } from './push-plan';

export interface PushOptions {
  dir: string;
  allowModify: boolean;
  dryRun: boolean;
  wait: boolean;
  timeoutSeconds: number;
  strict: boolean;
  pollMs?: number;
}

export interface PushResult {
  database: string;
  uploaded: { key: string; versionId: string | null }[];
  unchanged: string[];
  outcome?: OutcomeRecord;
  commandId?: string;
  status: 'success' | 'failed' | 'nothing-to-do' | 'dry-run' | 'uploaded';
}

const md5 = (content: Buffer) => createHash('md5').update(content).digest('hex');

/** The bucket's current top-level objects, compared by MD5 ETag when S3 gives one, else by their bytes (SSE-KMS). */
async function remoteObjects(aws: Aws, bucket: string): Promise<Map<string, RemoteObject>> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await step(`listing s3://${bucket}`, () => aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', ContinuationToken: token })));
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const etag = (object.ETag ?? '').replace(/"/g, '');
      objects.set(key, {
        key,
        async sameAs(content) {
          if (/^[0-9a-f]{32}$/.test(etag) && etag === md5(content)) return true;
          const body = await step(`reading s3://${bucket}/${key}`, () => aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
          return Buffer.from((await body.Body?.transformToByteArray()) ?? []).equals(content);
        },
      });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

async function upload(aws: Aws, bucket: string, file: LocalFile): Promise<{ key: string; versionId: string | null }> {
  const put = await step(`uploading ${file.name} to s3://${bucket}`, () =>
    aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.name, Body: file.content, ContentType: 'text/plain; charset=utf-8' })),
  );
  return { key: file.name, versionId: put.VersionId ?? null };
}

/** The pushed versions the pass took the schema through: above the version before, up to the one after. */
export function appliedVersions(outcome: OutcomeRecord, pushed: readonly string[]): string[] {
  if (outcome.schema_version === null) return [];
  const after = outcome.schema_version;
  const before = outcome.schema_version_before;
  return pushed
    .map((key) => classifyKey(key))
    .flatMap((file) => (file.kind === 'versioned' ? [file.version] : []))
    .filter((version) => (before === null || compareVersions(version, before) > 0) && compareVersions(version, after) <= 0)
    .sort(compareVersions)
    .map((version) => `V${version}`);
}

export function describeOutcome(outcome: OutcomeRecord, pushed: readonly string[]): string {
  const seconds = ((new Date(outcome.finished_at).getTime() - new Date(outcome.started_at).getTime()) / 1000).toFixed(1);
  const versions = `schema version ${outcome.schema_version_before ?? 'none'} -> ${outcome.schema_version ?? 'none'}`;
  const applied = appliedVersions(outcome, pushed);
  const which = applied.length === 0 ? '' : ` (${applied.join(', ')})`;
  return `${outcome.database}: ${outcome.status === 'success' ? 'migrated' : 'FAILED'}, ${outcome.migrations_applied} migration(s) applied${which}, ${versions}, in ${seconds} s`;
}

/** Waits for an outcome record that covers exactly these versions, showing where the run is. */
async function waitForOutcome(aws: Aws, pipeline: Pipeline, database: Database, uploaded: PushResult['uploaded'], options: PushOptions, reporter: Reporter): Promise<{ outcome: OutcomeRecord; commandId?: string }> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const newest = uploaded[uploaded.length - 1];
  let commandId: string | undefined;
  let finishedCommandAt: number | undefined;
  for (;;) {
    const outcome = await readOutcome(aws.s3, database.bucket);
    if (outcome !== undefined && coversVersions(outcome, uploaded)) return { outcome, ...(commandId === undefined ? {} : { commandId }) };
    if (commandId === undefined && newest !== undefined) {
      const verdict = await triggerVerdict(aws.s3, database.bucket, newest.key, newest.versionId ?? undefined);
      if (verdict.rejected !== undefined) throw new ClientError(`the trigger rejected ${newest.key}: ${verdict.rejected}`, EXIT.failed, 'rename the file to a valid Flyway name and push again');
      commandId = verdict.commandId;
      reporter.progress(commandId === undefined ? `waiting for the trigger to pick up ${newest.key}` : `command ${commandId} sent to ${pipeline.instanceId}`);
    }
    if (commandId !== undefined) {
      const state = await commandState(aws.ssm, commandId, pipeline.instanceId);
      reporter.progress(`command ${commandId}: ${state?.status ?? 'Pending'}`);
      // A command that ended without a covering record: its run may have handed over to an active
      // one (status queued), which records later; a host fault records nothing, so stop after a grace.
      if (state?.final === true) {
        finishedCommandAt ??= Date.now();
        if (state.status !== 'Success' && Date.now() - finishedCommandAt > 30_000) {
          const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? state.stdout;
          throw new ClientError(`command ${commandId} ended ${state.status} without recording a result for ${database.key}:\n${output.split('\n').slice(-15).join('\n')}`, EXIT.failed, 'read the output above (the host or the database may be unreachable), fix the cause, then push again or run `aurora-flyway run <database> migrate`');
        }
      }
    }
    if (Date.now() > deadline) {
      throw new ClientError(`no result for ${database.key} after ${options.timeoutSeconds} s${commandId === undefined ? '' : ` (command ${commandId})`}`, EXIT.timeout, 'the run may still finish: check `aurora-flyway status` and `aurora-flyway logs`, or raise --timeout');
    }
    await sleep(options.pollMs ?? 1000);
  }
}

export async function push(aws: Aws, pipeline: Pipeline, database: Database, options: PushOptions, reporter: Reporter): Promise<PushResult> {
  const files = readMigrationFolder(options.dir);
  if (files.length === 0) throw new ClientError(`no .sql files in ${options.dir}`, EXIT.usage, 'pass the folder that holds the migrations');
  await lintAndReport(files, { engine: database.engine, strict: options.strict }, reporter);

  reporter.progress(`comparing ${files.length} file(s) with s3://${database.bucket}`);
  const plan = await planPush(files, await remoteObjects(aws, database.bucket), options.allowModify);
  const unchanged = plan.files.filter((file) => file.action === 'unchanged').map((file) => file.name);
  for (const file of plan.files) reporter.line(`${file.action.padEnd(16)} ${file.name}`);
  if (plan.refused.length > 0) {
    throw new ClientError(
      `refused: ${plan.refused.join(', ')} differ(s) from the version already in s3://${database.bucket}; nothing was uploaded`,
      EXIT.refused,
      'Flyway stores each applied migration\'s checksum and fails when the file changes: put the change into a new V<next>__... file. Only if that version never reached the database, use --allow-modify',
    );
  }
  const base = { database: database.key, unchanged };
  if (options.dryRun) return { ...base, uploaded: [], status: 'dry-run' };
  if (plan.uploads.length === 0) {
    reporter.line(`nothing to push: s3://${database.bucket} already holds these files`);
    return { ...base, uploaded: [], status: 'nothing-to-do' };
  }
  const uploaded: PushResult['uploaded'] = [];
  for (const name of plan.uploads) {
    reporter.progress(`uploading ${name}`);
    uploaded.push(await upload(aws, database.bucket, files.find((file) => file.name === name) as LocalFile));
  }
  reporter.line(`uploaded ${uploaded.length} file(s) to s3://${database.bucket}`);
  if (!options.wait) return { ...base, uploaded, status: 'uploaded' };

  const { outcome, commandId } = await waitForOutcome(aws, pipeline, database, uploaded, options, reporter);
  reporter.line(describeOutcome(outcome, uploaded.map((file) => file.key)));
  const result: PushResult = { ...base, uploaded, outcome, ...(commandId === undefined ? {} : { commandId }), status: outcome.status };
  if (outcome.status === 'failed') {
    if (outcome.reason !== null) reporter.line(`reason: ${outcome.reason}`);
    if (commandId !== undefined) {
      const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? (await commandState(aws.ssm, commandId, pipeline.instanceId))?.stdout ?? '';
      for (const line of flywayErrorLines(output)) reporter.line(`  ${line}`);
    }
  }
  return result;
}
