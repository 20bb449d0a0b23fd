// aurora-flyway logs <database> [--follow]: the runner's output of the database's latest
// commands, from the command log group (the agent writes <command>/<instance>/<step>/stdout).

import { ListCommandsCommand, type Command } from '@aws-sdk/client-ssm';
import type { Aws } from './aws';
import { step } from './errors';
import { commandOutput, sleep } from './follow';
import type { Reporter } from './output';
import type { Database, Pipeline } from './pipeline';

/** The database's commands of the module's document, newest first. */
export async function commandsOf(aws: Aws, pipeline: Pipeline, database: Database): Promise<Command[]> {
  const commands: Command[] = [];
  let token: string | undefined;
  do {
    const page = await step('listing the pipeline\'s commands', () =>
      aws.ssm.send(new ListCommandsCommand({ InstanceId: pipeline.instanceId, Filters: [{ key: 'DocumentName', value: pipeline.documentName }], NextToken: token })),
    );
    commands.push(...(page.Commands ?? []));
    token = page.NextToken === '' ? undefined : page.NextToken;
  } while (token !== undefined);
  return commands
    .filter((command) => command.DocumentName === pipeline.documentName && command.Parameters?.DatabaseKey?.[0] === database.key)
    .sort((a, b) => (b.RequestedDateTime?.getTime() ?? 0) - (a.RequestedDateTime?.getTime() ?? 0));
}

export async function showLogs(aws: Aws, pipeline: Pipeline, database: Database, options: { limit: number; follow: boolean; pollMs?: number }, reporter: Reporter): Promise<void> {
  const shown = new Map<string, number>();
  for (;;) {
    const latest = (await commandsOf(aws, pipeline, database)).slice(0, options.limit).reverse();
    for (const command of latest) {
      const id = command.CommandId ?? '';
      const output = (await commandOutput(aws.logs, pipeline.commandLogGroup, id)) ?? '';
      const already = shown.get(id);
      if (already === undefined) reporter.line(`=== command ${id} (${command.Parameters?.Action?.[0] ?? '?'}, requested ${command.RequestedDateTime?.toISOString() ?? '?'}) ===`);
      if (already === undefined && output === '') reporter.line('(no output yet)');
      const fresh = output.slice(already ?? 0);
      if (fresh !== '') reporter.line(fresh.trimEnd());
      shown.set(id, output.length);
    }
    if (!options.follow) return;
    await sleep(options.pollMs ?? 2000);
  }
}
