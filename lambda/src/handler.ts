// The Lambda entry point: parse, plan, then do the I/O the plan asks for and log one line per
// decision. Every failed AWS call is collected and the invocation throws once at the end, after
// all other work is done, so one failing database never costs another its run and Lambda's
// retries / on-failure queue keep the event.

import type { Context } from 'aws-lambda';
import { ConfigError, DATABASE_KEY_PATTERN, parseConfig, type Config } from './config';
import { createAwsPorts, type Ports } from './aws';
import { createLogger, type Fields, type Logger } from './log';
import { parseS3Event, type UploadRecord } from './s3-event';
import { planInvocation, type DatabaseRun, type Plan } from './plan';
import { buildSendCommandInput } from './command';
import { buildReport } from './report';
import { COMMAND_ID_TAG, REJECTED_TAG, toTagValue } from './tags';
import { describeError, failure, sendCommandAdvice, TriggerError, type Failure } from './failures';
import { parseInstanceStateChange } from './host';
import { ensureHostRunning, wakeForWaitingCommands, type WakeResult } from './wake';
import { realClock, type Clock } from '../../common/src/host-start';

export interface Dependencies {
  /** Throws ConfigError when the environment is incomplete. */
  config: () => Config;
  ports: () => Ports;
  logger: Logger;
  /** Time for the bounded waits on a stopping host (tests pass a fake one). */
  clock?: Clock;
}

export interface CommandSent {
  database: string;
  commandId: string;
  keys: string[];
}

export interface Result {
  commands: CommandSent[];
  rejected: number;
  ignored: number;
  invalid: number;
  unknownBuckets: string[];
  /** For the host's "stopped" event: the commands still waiting for it, and whether it was started. */
  host?: WakeResult;
}

// The object was deleted (all versions) between upload and tagging: nothing left to label,
// and retrying cannot change that.
const OBJECT_GONE = new Set(['NoSuchKey', 'NoSuchVersion']);

function recordFields(record: UploadRecord): Fields {
  return {
    bucket: record.bucket,
    key: record.key,
    versionId: record.versionId,
    sequencer: record.sequencer,
    eventTime: record.eventTime,
  };
}

async function tag(ports: Ports, log: Logger, record: UploadRecord, tagKey: string, tagValue: string): Promise<Failure | undefined> {
  const fields = { ...recordFields(record), tag: `${tagKey}=${tagValue}` };
  try {
    const tagged = await ports.tagObject({ bucket: record.bucket, key: record.key, versionId: record.versionId, tagKey, tagValue });
    if (tagged) log.info('object tagged', fields);
    else log.warn('object not tagged: it already has the 10 tags S3 allows, and the uploader\'s own tags are kept', fields);
    return undefined;
  } catch (error) {
    const { errorName, errorMessage } = describeError(error);
    if (OBJECT_GONE.has(errorName)) {
      log.warn('object no longer exists; not tagged', { ...fields, errorName, errorMessage });
      return undefined;
    }
    log.error('tagging failed', { ...fields, errorName, errorMessage });
    return failure(
      `PutObjectTagging ${tagKey} on s3://${record.bucket}/${record.key}`,
      error,
      "Check the function's s3:PutObjectTagging / s3:PutObjectVersionTagging permission on the bucket.",
    );
  }
}

async function runDatabase(config: Config, ports: Ports, log: Logger, run: DatabaseRun): Promise<{ sent?: CommandSent; failures: Failure[] }> {
  const input = buildSendCommandInput(config, run);
  const fields = { database: run.database, requestedAt: run.requestedAt, keys: run.records.map((r) => r.key), comment: input.Comment };
  let commandId: string;
  try {
    commandId = await ports.sendCommand(input);
  } catch (error) {
    const { errorName, errorMessage } = describeError(error);
    const advice = sendCommandAdvice(errorName, config.instanceId);
    log.error('SendCommand failed', { ...fields, instanceId: config.instanceId, errorName, errorMessage, advice });
    return { failures: [failure(`SendCommand for database ${run.database}`, error, advice)] };
  }
  log.info('command sent', { ...fields, commandId, documentName: config.documentName, instanceId: config.instanceId });
  const failures: Failure[] = [];
  for (const record of run.records) {
    const failed = await tag(ports, log.child({ database: run.database, commandId }), record, COMMAND_ID_TAG, toTagValue(commandId));
    if (failed !== undefined) failures.push(failed);
  }
  return { sent: { database: run.database, commandId, keys: run.records.map((r) => r.key) }, failures };
}

/**
 * The database of each bucket in the records, from the module's per-bucket parameters (one
 * parameter per bucket scales to any number of databases; the function's environment holds 4 KB).
 * A lookup that fails for another reason than a missing parameter throws before anything is sent,
 * so the whole event is retried.
 */
async function databasesOf(config: Config, ports: Ports, log: Logger, records: readonly UploadRecord[]): Promise<Map<string, string>> {
  const databases = new Map<string, string>();
  for (const bucket of new Set(records.map((record) => record.bucket))) {
    const parameterName = `${config.bucketParameterPrefix}/${bucket}`;
    let database: string | undefined;
    try {
      database = await ports.databaseOfBucket(parameterName);
    } catch (error) {
      const { errorName, errorMessage } = describeError(error);
      log.error('cannot look up the database of a bucket; event kept for retry', { bucket, parameterName, errorName, errorMessage });
      throw new TriggerError([failure(`GetParameter ${parameterName}`, error, `Check that SSM is reachable and the function's ssm:GetParameter permission on ${config.bucketParameterPrefix}/*.`)]);
    }
    if (database === undefined) continue;
    if (!DATABASE_KEY_PATTERN.test(database)) {
      log.error('configuration error: a bucket parameter does not hold a database key; event kept for retry', { bucket, parameterName });
      throw new ConfigError(`Configuration error: parameter ${parameterName} holds ${JSON.stringify(database)}, which is not a database key matching ${DATABASE_KEY_PATTERN.source}. Re-apply the Terraform module, which writes it.`);
    }
    databases.set(bucket, database);
  }
  return databases;
}

function logPlan(log: Logger, plan: Plan): void {
  for (const { record, reason } of plan.ignored) {
    log.info('ignored: not a migration file', { ...recordFields(record), reason });
  }
  for (const { record, database, code, reason } of plan.rejections) {
    log.warn('rejected: not a valid Flyway migration name; no run for this key', { ...recordFields(record), database, code, reason });
  }
  for (const { bucket, records } of plan.unknownBuckets) {
    for (const record of records) {
      log.error('configuration error: bucket is not mapped to a database; not migrated, reported, not retried', {
        ...recordFields(record),
        bucket,
      });
    }
  }
}

export function createHandler(deps: Dependencies): (event: unknown, context?: Pick<Context, 'awsRequestId'>) => Promise<Result> {
  return async (event, context) => {
    const log = deps.logger.child({ requestId: context?.awsRequestId });
    const result: Result = { commands: [], rejected: 0, ignored: 0, invalid: 0, unknownBuckets: [] };

    let config: Config;
    try {
      config = deps.config();
    } catch (error) {
      // Throwing keeps the event (retries, then the on-failure queue) until the config is fixed.
      log.error('configuration error; event kept for retry', describeError(error));
      throw error;
    }

    const clock = deps.clock ?? realClock;
    const stateChange = parseInstanceStateChange(event);
    if (stateChange !== undefined) {
      if (!config.startStoppedHost || stateChange.instanceId !== config.instanceId || stateChange.state !== 'stopped') {
        log.info('ignored: instance state change that is not this sleeping host stopping', { ...stateChange });
        return result;
      }
      const woken = await wakeForWaitingCommands(config, deps.ports(), log, clock);
      result.host = woken.result;
      if (woken.failure !== undefined) throw new TriggerError([woken.failure]);
      return result;
    }

    const parsed = parseS3Event(event);
    if (parsed.kind === 's3:TestEvent') {
      log.info('ignored: s3:TestEvent (sent by S3 when the notification is configured)', { bucket: parsed.bucket });
      return result;
    }
    if (parsed.kind === 'unrecognised') {
      // Not an upload notification; retrying it could never help.
      log.error('rejected: not an S3 event notification', { reason: parsed.reason });
      return result;
    }
    for (const invalid of parsed.invalid) {
      log.error('rejected: not an S3 ObjectCreated record', { ...invalid });
    }

    const ports = deps.ports();
    const plan = planInvocation(parsed.records, await databasesOf(config, ports, log, parsed.records));
    logPlan(log, plan);
    if (plan.runs.length > 0 && config.startStoppedHost) {
      // Nothing is sent before the host can take it: a failure here retries the whole event.
      const hostFailure = await ensureHostRunning(config, ports, log, clock);
      if (hostFailure !== undefined) throw new TriggerError([hostFailure]);
    }
    const failures: Failure[] = [];

    for (const run of plan.runs) {
      const outcome = await runDatabase(config, ports, log, run);
      if (outcome.sent !== undefined) result.commands.push(outcome.sent);
      failures.push(...outcome.failures);
    }
    for (const rejection of plan.rejections) {
      const failed = await tag(ports, log.child({ database: rejection.database }), rejection.record, REJECTED_TAG, toTagValue(rejection.reason));
      if (failed !== undefined) failures.push(failed);
    }
    const report = buildReport(plan);
    if (report !== undefined) {
      try {
        await ports.publish({ topicArn: config.notificationTopicArn, ...report });
        log.info('reported to notification topic', { topicArn: config.notificationTopicArn, subject: report.subject });
      } catch (error) {
        log.error('notification failed', { topicArn: config.notificationTopicArn, ...describeError(error) });
        failures.push(failure(`Publish to ${config.notificationTopicArn}`, error, "Check the function's sns:Publish permission on the topic."));
      }
    }

    result.rejected = plan.rejections.length;
    result.ignored = plan.ignored.length;
    result.invalid = parsed.invalid.length;
    result.unknownBuckets = plan.unknownBuckets.map((u) => u.bucket);
    if (failures.length > 0) {
      const error = new TriggerError(failures);
      log.error('invocation failed; event kept for retry', { failures: failures.map((f) => `${f.operation}: ${f.errorName}`), error: error.message });
      throw error;
    }
    log.info('done', { commands: result.commands.map((c) => `${c.database}=${c.commandId}`), rejected: result.rejected, ignored: result.ignored });
    return result;
  };
}

/** Caches a successful result for the life of the container (one cold start). */
function once<T>(make: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => (cached ??= { value: make() }).value;
}

export const handler = createHandler({
  config: once(() => parseConfig(process.env)),
  ports: once(createAwsPorts),
  logger: createLogger(),
});
