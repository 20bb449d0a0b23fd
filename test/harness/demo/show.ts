// Prints what an upload burst caused, per Lambda invocation: the uploads, the trigger's decisions,
// each command with the host's outcome and the runner's summary; then `flyway info`.

import type { CommandRecord } from '../records';
import type { Burst, Harness } from '../harness';
import { commandLines, commandSucceeded, flywayInfoLines, invocationLines } from './report';

export type Out = (line: string) => void;

export interface BurstOutcome {
  ok: boolean;
  commands: number;
  migrateRuns: number;
  /** The schema version `flyway info` reports, when it ran. */
  schemaVersion: string | null;
  problems: string[];
}

function indent(out: Out): Out {
  return (line) => out(`  ${line}`);
}

export function showBurst(out: Out, burst: Burst): void {
  const say = indent(out);
  for (const { object, targets } of burst.uploads) {
    say(
      `upload   s3://${object.bucket}/${object.key}  version ${object.versionId ?? '-'}  ${object.size} bytes  eTag ${object.eTag}  ` +
        `sequencer ${object.sequencer}${targets.length === 0 ? '  (no notification matches: nothing invoked)' : ''}`,
    );
  }
  for (const delivery of burst.deliveries) {
    invocationLines(delivery.invocation).forEach(say);
    for (const command of delivery.commands) commandLines(command).forEach(say);
  }
}

export function showInfo(out: Out, info: CommandRecord): void {
  const say = indent(out);
  say(`flyway info (command ${info.commandId}, Action=info): ${info.status}`);
  flywayInfoLines(info).forEach(say);
}

/** Runs `flyway info` through the document, as an operator would, and judges the burst. */
export async function showAndJudge(out: Out, harness: Harness, documentName: string, database: string, burst: Burst): Promise<BurstOutcome> {
  showBurst(out, burst);
  const info = await harness.sendCommand(documentName, { DatabaseKey: database, Action: 'info' }, `demo: flyway info ${database}`);
  showInfo(out, info);
  const problems: string[] = [];
  for (const delivery of burst.deliveries) {
    if (!delivery.invocation.ok) problems.push(`the Lambda invocation failed: ${delivery.invocation.error?.message ?? '?'}`);
  }
  for (const command of [...burst.commands, info]) {
    if (!commandSucceeded(command)) problems.push(`command ${command.commandId} ${command.status}: ${command.summary?.reason ?? command.error ?? 'see its output above'}`);
  }
  if (burst.commands.length === 0) problems.push('no command was sent');
  const migrateRuns = burst.commands.reduce((sum, command) => sum + command.migrateRuns, 0);
  out(`  => ${burst.uploads.length} upload(s), ${burst.deliveries.length} Lambda invocation(s), ${burst.commands.length} command(s), ${migrateRuns} flyway migrate run(s)`);
  return { ok: problems.length === 0, commands: burst.commands.length, migrateRuns, schemaVersion: info.summary?.schema_version_after ?? null, problems };
}
