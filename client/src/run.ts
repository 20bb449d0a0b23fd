// aurora-flyway run <database> info|validate|repair|migrate: sends the module's document to the
// host as the trigger does, follows the command to its end, prints the runner's output (for
// info: the schema history) and ends with its result.

import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { parseRunnerSummary, type RunnerSummary } from '../../common/src/runner-output';
import type { Aws } from './aws';
import { ClientError, EXIT, step } from './errors';
import { commandOutput, commandState, sleep, type CommandState } from './follow';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';
import { bringHostUp } from '../../common/src/host-start';

export const ACTIONS = ['info', 'validate', 'repair', 'migrate'] as const;
export type Action = (typeof ACTIONS)[number];

export interface RunResult {
  database: string;
  action: Action;
  commandId: string;
  status: string;
  summary: RunnerSummary | null;
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

export async function runAction(aws: Aws, pipeline: Pipeline, database: Database, action: Action, timeoutSeconds: number, reporter: Reporter): Promise<RunResult> {
  await wakeHost(aws, pipeline, reporter);
  const sent = await step(`sending ${action} for ${database.key} to ${pipeline.instanceId}`, () =>
    aws.ssm.send(
      new SendCommandCommand({
        DocumentName: pipeline.documentName,
        InstanceIds: [pipeline.instanceId],
        Parameters: { DatabaseKey: [database.key], Action: [action], RequestedAt: [new Date().toISOString()] },
        Comment: `aurora-flyway run ${database.key} ${action}`,
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: pipeline.commandLogGroup },
      }),
    ),
  );
  const commandId = sent.Command?.CommandId;
  if (commandId === undefined) throw new Error('SendCommand returned no command id');
  reporter.progress(`command ${commandId} sent`);
  const state = await followCommand(aws, pipeline, commandId, timeoutSeconds, reporter);
  const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, commandId).catch(() => undefined)) ?? state.stdout;
  for (const line of output.trimEnd().split('\n')) reporter.line(line);
  if (state.stderr.trim() !== '') reporter.note(state.stderr.trimEnd());
  const summary = parseRunnerSummary(output) ?? null;
  return { database: database.key, action, commandId, status: state.status, summary };
}
