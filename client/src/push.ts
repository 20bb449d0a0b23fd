// aurora-flyway push <database> [dir]: lint, compare with the bucket, refuse what the runner would
// not run, upload only what is new (one file after another, in Flyway's version order), then wait
// for the migrate pass that covers exactly the uploaded object versions, found in the outcome
// record's history, and end with that pass's result. With nothing new to upload, the newest
// migrate pass decides: success only if it covered these files and succeeded.

import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { classifyKey } from '../../common/src/flyway-name';
import { uploadOrder } from '../../common/src/migration-order';
import { coversContent, recordOfRequest, selectOutcome, type OutcomeRecord } from '../../common/src/outcome';
import { compareVersions } from '../../common/src/version';
import type { Aws } from './aws';
import { ClientError, EXIT, step } from './errors';
import { commandOutput, commandState, flywayErrorLines } from './follow';
import { asApplied, lintFiles } from './lint';
import { hasErrors, reportLint } from './lint-report';
import { readMigrationFolder, type LocalFile } from './local-files';
import { OutcomeHistory } from './outcome-history';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';
import { planPush, runnerRefusals, type RemoteObject } from './push-plan';
import { sendCommand, wakeHost } from './run';
import { tenantTable, unmigratedLine } from './tenants';
import { waitForOutcome } from './wait-outcome';

export interface PushOptions {
  dir: string;
  allowModify: boolean;
  dryRun: boolean;
  wait: boolean;
  timeoutSeconds: number;
  strict: boolean;
  /** Lint with the style rules too. */
  style?: boolean;
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

interface Remote extends RemoteObject {
  etag: string;
}

const md5 = (content: Buffer) => createHash('md5').update(content).digest('hex');

/** The bucket's current top-level objects, compared by MD5 ETag when S3 gives one, else by their bytes (SSE-KMS). */
async function remoteObjects(aws: Aws, bucket: string): Promise<Map<string, Remote>> {
  const objects = new Map<string, Remote>();
  let token: string | undefined;
  do {
    const page = await step(`listing s3://${bucket}`, () => aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', ContinuationToken: token })));
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const etag = (object.ETag ?? '').replace(/"/g, '');
      objects.set(key, {
        key,
        etag,
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

/** A tenant group's pass: a row per tenant, then the tenants that did not migrate. */
function reportTenants(outcome: OutcomeRecord, reporter: Reporter): void {
  if (outcome.tenants === undefined) return;
  for (const line of tenantTable(outcome.tenants)) reporter.line(`  ${line}`);
  const unmigrated = unmigratedLine(outcome.tenants);
  if (unmigrated !== undefined) reporter.line(`tenants not migrated: ${unmigrated}`);
}

/** A failed pass's reason and the database's error lines: from the record, else from the command's output. */
export async function reportFailure(aws: Aws, pipeline: Pipeline, outcome: OutcomeRecord, commandId: string | undefined, reporter: Reporter): Promise<void> {
  if (outcome.reason !== null) reporter.line(`reason: ${outcome.reason}`);
  let lines = outcome.flyway_error ?? [];
  if (lines.length === 0 && commandId !== undefined) {
    const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? (await commandState(aws.ssm, commandId, pipeline.instanceId))?.stdout ?? '';
    lines = flywayErrorLines(output);
  }
  for (const line of lines) reporter.line(`  ${line}`);
}

export async function push(aws: Aws, pipeline: Pipeline, database: Database, options: PushOptions, reporter: Reporter): Promise<PushResult> {
  const files = readMigrationFolder(options.dir);
  if (files.length === 0) throw new ClientError(`no .sql files in ${options.dir}`, EXIT.usage, 'pass the folder that holds the migrations');
  // Lint first, so that an error stops the push before any call to AWS; report after comparing
  // with the bucket, whose unchanged files count as applied (their hazards are history).
  // A tenant group's files run on every tenant's engine: each engine's rules apply.
  const targets = database.tenants ?? [database];
  const engines = [...new Map(targets.map((target) => [target.engine, target])).values()];
  let linted: Awaited<ReturnType<typeof lintFiles>> | undefined;
  for (const target of engines) {
    reporter.progress(`linting ${files.length} file(s) as ${target.engine}`);
    const result = await lintFiles(files, {
      engine: target.engine,
      strict: options.strict,
      style: options.style === true,
      // The version of the database's own cluster: an existing cluster may run another than the module's.
      ...(target.engine === 'postgresql' && target.engineVersion !== undefined ? { postgresVersion: target.engineVersion.split('.')[0] } : {}),
    });
    if (hasErrors(result)) reportLint(result, files.length, reporter);
    linted ??= result;
  }
  if (linted === undefined) throw new Error('no engine to lint for');

  reporter.progress(`comparing ${files.length} file(s) with s3://${database.bucket}`);
  const remote = await remoteObjects(aws, database.bucket);
  const plan = await planPush(files, remote, options.allowModify);
  const unchanged = plan.files.filter((file) => file.action === 'unchanged').map((file) => file.name);
  reportLint(asApplied(linted, unchanged), files.length, reporter);
  for (const file of plan.files) reporter.line(`${file.action.padEnd(16)} ${file.name}`);
  if (plan.refused.length > 0) {
    throw new ClientError(
      `refused: ${plan.refused.join(', ')} differ(s) from the version already in s3://${database.bucket}; nothing was uploaded`,
      EXIT.refused,
      'Flyway stores each applied migration\'s checksum and fails when the file changes: put the change into a new V<next>__... file. Only if that version never reached the database, use --allow-modify',
    );
  }
  const refusals = runnerRefusals(plan.uploads, [...remote.keys()], { callbacks: database.callbacks });
  if (refusals.length > 0) {
    throw new ClientError(
      `refused: the runner would not run ${refusals.map((refusal) => `${refusal.name} (${refusal.reason})`).join('; ')}; nothing was uploaded`,
      EXIT.failed,
      'fix or remove the file(s) named above, then push again',
    );
  }
  const base = { database: database.key, unchanged };
  if (options.dryRun) return { ...base, uploaded: [], status: 'dry-run' };
  const history = new OutcomeHistory(aws.s3, database.bucket);
  if (plan.uploads.length === 0) return nothingNew(aws, pipeline, database, history, remote, files, options, reporter, base);

  // Only records written after this one can judge the upload.
  const baseline = await history.newestVersionId();
  const uploaded: PushResult['uploaded'] = [];
  for (const name of uploadOrder(plan.uploads)) {
    reporter.progress(`uploading ${name}`);
    uploaded.push(await upload(aws, database.bucket, files.find((file) => file.name === name) as LocalFile));
  }
  reporter.line(`uploaded ${uploaded.length} file(s) to s3://${database.bucket}`);
  if (!options.wait) return { ...base, uploaded, status: 'uploaded' };

  const { outcome, commandId } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => selectOutcome(since, uploaded),
    ...(uploaded.length === 0 ? {} : { follow: uploaded[uploaded.length - 1] }),
    timeoutSeconds: options.timeoutSeconds,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    what: `the uploads to ${database.key}`,
  }, reporter);
  reporter.line(describeOutcome(outcome, uploaded.map((file) => file.key)));
  reportTenants(outcome, reporter);
  if (outcome.status === 'failed') await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded, outcome, ...(commandId === undefined ? {} : { commandId }), status: outcome.status };
}

/**
 * Nothing to upload: the bucket already holds these files. The newest migrate pass decides, if it
 * covered exactly their contents: its success is success, its failure is a failure (a re-run of a
 * failed job must not go green). If no pass has covered them yet, a run is in flight (or the
 * upload's event is still on its way): wait for it like any push.
 */
async function nothingNew(
  aws: Aws,
  pipeline: Pipeline,
  database: Database,
  history: OutcomeHistory,
  remote: ReadonlyMap<string, Remote>,
  files: readonly LocalFile[],
  options: PushOptions,
  reporter: Reporter,
  base: Pick<PushResult, 'database' | 'unchanged'>,
): Promise<PushResult> {
  const contents = files.map((file) => ({ key: file.name, etag: remote.get(file.name)?.etag ?? '' }));
  let outcome = await history.newest((record) => record.action === 'migrate');
  let commandId: string | undefined;
  if (outcome === undefined || !coversContent(outcome, contents)) {
    reporter.line(`nothing to upload: s3://${database.bucket} already holds these files; waiting for the pass that migrates them`);
    const newestKey = uploadOrder(files.map((file) => file.name)).pop() as string;
    ({ outcome, commandId } = await waitForOutcome(aws, pipeline, database, history, {
      baseline: await history.newestVersionId(),
      judge: (since) => since.find((record) => record.action === 'migrate' && coversContent(record, contents)),
      follow: { key: newestKey, versionId: null },
      timeoutSeconds: options.timeoutSeconds,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      what: `the files of ${database.key}`,
    }, reporter));
  }
  if (outcome.status === 'success') {
    reporter.line(`nothing new to push: ${database.key} is migrated to these files (schema version ${outcome.schema_version ?? 'none'}, pass of ${outcome.finished_at})`);
    return { ...base, uploaded: [], outcome, status: 'nothing-to-do' };
  }
  reporter.line(`nothing new to push, but the last pass on these files failed: ${describeOutcome(outcome, [])}`);
  reportTenants(outcome, reporter);
  // A tenant may fail for reasons of its own database (fixed since): a group's re-push runs the
  // group again, and the migrated tenants are not migrated twice. (A database's failed file needs
  // a new file: its re-push runs nothing.)
  if (database.tenants !== undefined && options.wait) return rerunGroup(aws, pipeline, database, history, options, reporter, base);
  await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded: [], outcome, ...(commandId === undefined ? {} : { commandId }), status: 'failed' };
}

/** Runs a tenant group's migrate again (as `aurora-flyway run <group> migrate`) and ends with the pass that ran it. */
async function rerunGroup(
  aws: Aws,
  pipeline: Pipeline,
  database: Database,
  history: OutcomeHistory,
  options: PushOptions,
  reporter: Reporter,
  base: Pick<PushResult, 'database' | 'unchanged'>,
): Promise<PushResult> {
  reporter.line(`running the group ${database.key} again: tenants already migrated are not migrated twice`);
  await wakeHost(aws, pipeline, reporter);
  const baseline = await history.newestVersionId();
  const requestedAt = new Date().toISOString();
  const commandId = await sendCommand(aws, pipeline, database, 'migrate', requestedAt, `aurora-flyway push ${database.key} (the group again)`);
  reporter.progress(`command ${commandId} sent`);
  const { outcome } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => recordOfRequest(since, requestedAt),
    timeoutSeconds: options.timeoutSeconds,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    what: `the group ${database.key}`,
  }, reporter);
  reporter.line(describeOutcome(outcome, []));
  reportTenants(outcome, reporter);
  if (outcome.status === 'failed') await reportFailure(aws, pipeline, outcome, commandId, reporter);
  return { ...base, uploaded: [], outcome, commandId, status: outcome.status === 'success' ? 'success' : 'failed' };
}
