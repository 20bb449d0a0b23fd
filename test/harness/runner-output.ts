// Reads what scripts/flyway-runner prints: progress lines, the `flyway info` table, and the JSON
// summary that is always its very last line (see `flyway-runner --help`). Pure.

export interface RunnerSummary {
  database: string | null;
  action: string | null;
  status: 'success' | 'failed' | 'skipped';
  reason: string | null;
  schema_version_before: string | null;
  schema_version_after: string | null;
  migrations_applied: number;
  duration_ms: number;
  flyway_exit_code: number | null;
  requested_at: string | null;
}

/** The line the runner prints right before every `flyway migrate`. */
export const MIGRATE_LINE = 'flyway-runner: running flyway migrate';

function lines(stdout: string): string[] {
  return stdout.split('\n').map((line) => line.replace(/\r$/, ''));
}

/** The summary from the last non-empty line, or undefined when that line is not the runner's JSON. */
export function parseRunnerSummary(stdout: string): RunnerSummary | undefined {
  const last = lines(stdout)
    .filter((line) => line.trim() !== '')
    .pop();
  if (last === undefined) return undefined;
  try {
    const parsed = JSON.parse(last) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'status' in parsed && 'database' in parsed) return parsed as RunnerSummary;
  } catch {
    // not JSON: the runner did not get to its summary
  }
  return undefined;
}

/** How many `flyway migrate` runs the output announces. */
export function countMigrateRuns(stdout: string): number {
  return lines(stdout).filter((line) => line === MIGRATE_LINE).length;
}

/** The rows the runner printed after "flyway-runner: flyway info:" (indented lines), without the indent. */
export function flywayInfoRows(stdout: string): string[] {
  const all = lines(stdout);
  const start = all.lastIndexOf('flyway-runner: flyway info:');
  if (start < 0) return [];
  const rows: string[] = [];
  for (const line of all.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    rows.push(line.trim());
  }
  return rows;
}
