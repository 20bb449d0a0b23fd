// What the host runner prints, shared by the runner (which writes it), the harness, the tests and
// the client (which read it): progress lines, the `flyway info` table, and the JSON summary that is
// always its very last line (see `flyway-runner --help`). Pure.

/** A command's outcome for its database; `queued`: handed to the run already active for it. */
export type RunnerStatus = 'success' | 'failed' | 'skipped' | 'queued';

/** A key the shared naming rules refuse: not synced, not run. */
export interface RejectedObject {
  key: string;
  reason: string;
}

/** One database's part of a command's work (a command may also run other databases' queued requests). */
export interface DatabaseSummary {
  database: string | null;
  action: string | null;
  status: RunnerStatus;
  reason: string | null;
  schema_version_before: string | null;
  schema_version_after: string | null;
  migrations_applied: number;
  /** flyway migrate passes run for this database by this command (a run repeats until the bucket is unchanged). */
  passes: number;
  rejected: RejectedObject[];
  flyway_exit_code: number | null;
  /** Wall time of the Flyway processes (the rest of duration_ms is the runner's own overhead and the settle wait). */
  flyway_ms: number;
  /** Time spent listing the bucket and waiting for it to settle. */
  settle_ms: number;
}

export interface RunnerSummary extends DatabaseSummary {
  duration_ms: number;
  requested_at: string | null;
  exit_code: number;
  /** Databases whose queued requests this command ran after its own. */
  also: DatabaseSummary[];
}

/** The line the runner prints right before every `flyway migrate`. */
export const MIGRATE_LINE = 'flyway-runner: running flyway migrate';
/** The line before the `flyway info` rows (indented by two spaces). */
export const INFO_HEADER = 'flyway-runner: flyway info:';

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

/** The rows the runner printed after the last "flyway-runner: flyway info:" (indented lines), without the indent. */
export function flywayInfoRows(stdout: string): string[] {
  const all = lines(stdout);
  const start = all.lastIndexOf(INFO_HEADER);
  if (start < 0) return [];
  const rows: string[] = [];
  for (const line of all.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    rows.push(line.trim());
  }
  return rows;
}
