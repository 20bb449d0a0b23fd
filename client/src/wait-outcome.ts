// Waiting for the pass that decides a push (or a handed-over `run migrate`): polls the outcome
// records written since a known version of the record, and follows the command the trigger sent
// for the newest upload, so that a command that ended without recording anything (a host fault,
// a record that could not be written) ends the wait with its output instead of the timeout.

import type { OutcomeRecord } from '../../common/src/outcome';
import type { Aws } from './aws';
import { ClientError, EXIT } from './errors';
import { commandOutput, commandState, sleep, triggerVerdict } from './follow';
import type { OutcomeHistory } from './outcome-history';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';

/** A command that failed writes its record before it ends: wait this much longer for the record to be listed. */
const FAILED_COMMAND_GRACE_MS = 5_000;

export interface WaitSpec {
  /** The version of the outcome record before the upload: only records after it count (undefined: all). */
  baseline: string | undefined;
  /** The record that decides, among those since the baseline (oldest first); undefined: not yet. */
  judge(since: readonly OutcomeRecord[]): OutcomeRecord | undefined;
  /** The upload whose trigger command to follow (its tag names the command), if any. */
  follow?: { key: string; versionId: string | null };
  /** A command already known to run the request (aurora-flyway run). */
  commandId?: string;
  timeoutSeconds: number;
  pollMs?: number;
  /** What is waited for, in messages: "these uploads", "the bucket's files". */
  what: string;
}

export async function waitForOutcome(aws: Aws, pipeline: Pipeline, database: Database, history: OutcomeHistory, spec: WaitSpec, reporter: Reporter): Promise<{ outcome: OutcomeRecord; commandId?: string }> {
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  let commandId = spec.commandId;
  let finishedCommandAt: number | undefined;
  for (;;) {
    const outcome = spec.judge(await history.since(spec.baseline));
    if (outcome !== undefined) return { outcome, ...(commandId === undefined ? {} : { commandId }) };
    if (commandId === undefined && spec.follow !== undefined) {
      const verdict = await triggerVerdict(aws.s3, database.bucket, spec.follow.key, spec.follow.versionId ?? undefined);
      if (verdict.rejected !== undefined) throw new ClientError(`the trigger rejected ${spec.follow.key}: ${verdict.rejected}`, EXIT.failed, 'rename the file to a valid Flyway name and push again');
      commandId = verdict.commandId;
      reporter.progress(commandId === undefined ? `waiting for the trigger to pick up ${spec.follow.key}` : `command ${commandId} sent to ${pipeline.instanceId}`);
    }
    if (commandId !== undefined) {
      const state = await commandState(aws.ssm, commandId, pipeline.instanceId);
      reporter.progress(`command ${commandId}: ${state?.status ?? 'Pending'}`);
      // A command that ended Success without a deciding record handed its request over (queued):
      // the run that took it records later. One that failed recorded before it ended, or never will.
      if (state?.final === true && state.status !== 'Success') {
        finishedCommandAt ??= Date.now();
        if (Date.now() - finishedCommandAt > FAILED_COMMAND_GRACE_MS) {
          const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? state.stdout;
          throw new ClientError(
            `command ${commandId} ended ${state.status} without recording a result for ${spec.what}:\n${output.split('\n').slice(-15).join('\n')}`,
            EXIT.failed,
            'read the output above (the host or the database may be unreachable, or the outcome record could not be written), fix the cause, then push again or run `aurora-flyway run <database> migrate`',
          );
        }
      }
    }
    if (Date.now() > deadline) {
      throw new ClientError(`no result for ${database.key} after ${spec.timeoutSeconds} s${commandId === undefined ? '' : ` (command ${commandId})`}`, EXIT.timeout, 'the run may still finish: check `aurora-flyway status` and `aurora-flyway logs`, or raise --timeout');
    }
    await sleep(spec.pollMs ?? 1000);
  }
}
