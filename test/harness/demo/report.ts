// What the demo prints about uploads, the trigger's decisions and the host's runs. Pure: data in,
// lines out.

import type { CommandRecord, InvocationRecord } from '../records';
import { flywayInfoRows } from '../../../common/src/runner-output';

/** 3m12s, 48s, 1h02m. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

// The fields of the trigger's JSON log lines worth showing, in this order.
const SHOWN_FIELDS = ['database', 'key', 'keys', 'commandId', 'tag', 'code', 'reason', 'errorName', 'errorMessage', 'advice', 'commands'];

/** One of the trigger's JSON log lines, condensed: `info  command sent  database=users commandId=...`. */
export function condenseLogLine(line: Readonly<Record<string, unknown>>): string {
  const fields = SHOWN_FIELDS.filter((name) => line[name] !== undefined).map((name) => {
    const value = line[name];
    return `${name}=${Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : JSON.stringify(value)}`;
  });
  return [String(line.level ?? '?').padEnd(5), String(line.message ?? ''), ...fields].join('  ').trimEnd();
}

/** The decisions of one invocation; `done` lines are left out (they repeat the command lines). */
export function invocationLines(invocation: InvocationRecord): string[] {
  const lines = invocation.logs.filter((line) => line.message !== 'done').map((line) => `lambda   ${condenseLogLine(line)}`);
  if (!invocation.ok) lines.push(`lambda   FAILED: ${invocation.error?.name}: ${invocation.error?.message}`);
  return lines;
}

export function parametersText(parameters: Readonly<Record<string, string>>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${name}=${value === '' ? "''" : value}`)
    .join(' ');
}

/** The command, its outcome and the runner's summary line. */
export function commandLines(record: CommandRecord): string[] {
  const lines = [
    `command  ${record.commandId}  ${record.documentName} on ${record.instanceId}  ${parametersText(record.parameters)}`,
    `host     ${record.status}${record.exitCode === null ? '' : ` (exit code ${record.exitCode})`} in ${formatDuration(record.durationMs ?? 0)}` +
      `${record.migrateRuns > 0 ? `, ${record.migrateRuns} flyway migrate run(s)` : ''}`,
  ];
  if (record.error !== undefined) lines.push(`host     ${record.error}`);
  if (record.summary !== null) lines.push(`runner   ${JSON.stringify(record.summary)}`);
  else if (record.exitCode !== null) lines.push(`runner   (no summary line) last output: ${lastLines(record.stdout + record.stderr, 5).join(' | ')}`);
  return lines;
}

function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count);
}

/** `flyway info` as the runner printed it (the rows after "flyway info:"). */
export function flywayInfoLines(record: CommandRecord): string[] {
  const rows = flywayInfoRows(record.stdout);
  return rows.length === 0 ? ['  (no flyway info in the output)'] : rows.map((row) => `  ${row}`);
}

/** Whether a command did what it should: ran to Success and the runner did not report a failure. */
export function commandSucceeded(record: CommandRecord): boolean {
  return record.status === 'Success' && record.summary !== null && record.summary.status !== 'failed';
}
