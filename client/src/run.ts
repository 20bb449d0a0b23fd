// aurora-flyway run <database> info|validate|repair|migrate: sends the module's document to the
// host as the trigger does, follows the command to its end, prints the runner's output (for
// info: the schema history) and ends with its result.

import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { recordOfRequest, type OutcomeRecord } from '../../common/src/outcome';
import { parseRunnerSummary, type RunnerSummary } from '../../common/src/runner-output';
import type { Aws } from './aws';
import { ClientError, EXIT, step } from './errors';
import { commandOutput, commandState, sleep, type CommandState } from './follow';
import { OutcomeHistory } from './outcome-history';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';
import { describeOutcome, reportFailure } from './push';
import { waitForOutcome } from './wait-outcome';
import { bringHostUp } from '../../common/src/host-start';

export const ACTIONS = ['info', 'validate', 'repair', 'migrate'] as const;
export type Action = (typeof ACTIONS)[number];

export interface RunResult {
  database: string;
  action: Action;
  commandId: string;
  status: string;
  summary: RunnerSummary | null;
  /** For a migrate the runner handed to the active run (queued): the pass that ran it. */
  outcome?: OutcomeRecord;
}

export async function followCommand(aws: Aws, pipeline: Pipeline, commandId: string, timeoutSeconds: number, reporter: Reporter, pollMs = 2000): Promise<CommandState> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const state = await commandState(aws.ssm, commandId, pipeline.instanceId);
    reporter.progress(`command ${commandId}: ${state?.status ?? 'Pending'}`);
    if (state?.final === true) return state;
    if (Date.now() > deadline) throw new ClientError(`command ${commandId} has not ended after ${timeoutSeconds} s`, EXIT.timeout, 'follow it with `aurora-flyway logs <database> --follow`, or raise --timeout');
    await sleep(pollMs);
  }
}

/** Starts the sleeping host (when the pipeline has one) so that the command is delivered once it is up. */
export async function wakeHost(aws: Aws, pipeline: Pipeline, reporter: Reporter): Promise<void> {
  if (!pipeline.hostSleeps) return;
  const { decision } = await bringHostUp(pipeline.instanceId, (id) => aws.startInstance(id), (reason) => reporter.progress(`${reason}; waiting to start it`));
  if (decision.kind === 'fail') throw new ClientError(decision.reason, EXIT.setup, decision.advice);
  if (decision.host === 'started') reporter.progress(`the host ${pipeline.instanceId} was asleep; started it (the command runs once it is up, in a minute or two)`);
  if (decision.host === 'booting') reporter.progress(`the host ${pipeline.instanceId} is booting; the command runs once it is up`);
}

/** Sends the module's document for a database, as the trigger does; the command's id. */
export async function sendCommand(aws: Aws, pipeline: Pipeline, database: Database, action: Action, requestedAt: string, comment: string): Promise<string> {
  const sent = await step(`sending ${action} for ${database.key} to ${pipeline.instanceId}`, () =>
    aws.ssm.send(
      new SendCommandCommand({
        DocumentName: pipeline.documentName,
        InstanceIds: [pipeline.instanceId],
        Parameters: { DatabaseKey: [database.key], Action: [action], RequestedAt: [requestedAt] },
        Comment: comment,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: pipeline.commandLogGroup },
      }),
    ),
  );
  const commandId = sent.Command?.CommandId;
  if (commandId === undefined) throw new Error('SendCommand returned no command id');
  return commandId;
}

export async function runAction(aws: Aws, pipeline: Pipeline, database: Database, action: Action, timeoutSeconds: number, reporter: Reporter): Promise<RunResult> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  await wakeHost(aws, pipeline, reporter);
  // A migrate may be handed to the database's active run: the pass that runs it lists this time.
  const history = new OutcomeHistory(aws.s3, database.bucket);
  const baseline = action === 'migrate' ? await history.newestVersionId() : undefined;
  const requestedAt = new Date().toISOString();
  const commandId = await sendCommand(aws, pipeline, database, action, requestedAt, `aurora-flyway run ${database.key} ${action}`);
  reporter.progress(`command ${commandId} sent`);
  const state = await followCommand(aws, pipeline, commandId, timeoutSeconds, reporter);
  const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? state.stdout;
  for (const line of output.trimEnd().split('\n')) reporter.line(line);
  if (state.stderr.trim() !== '') reporter.note(state.stderr.trimEnd());
  const summary = parseRunnerSummary(output) ?? null;
  const result: RunResult = { database: database.key, action, commandId, status: state.status, summary };
  if (action !== 'migrate' || summary?.status !== 'queued') return result;
  // Queued is not migrated: follow the pass that takes this request, and end with it.
  reporter.line(`${database.key}: handed to the active run; waiting for the pass that runs this request`);
  const { outcome } = await waitForOutcome(aws, pipeline, database, history, {
    baseline,
    judge: (since) => recordOfRequest(since, requestedAt),
    timeoutSeconds: Math.max(1, Math.round((deadline - Date.now()) / 1000)),
    what: `the request of ${database.key}`,
  }, reporter);
  reporter.line(describeOutcome(outcome, []));
  if (outcome.status === 'failed') await reportFailure(aws, pipeline, outcome, undefined, reporter);
  return { ...result, outcome };
}
