// The runner's progress lines (`flyway-runner: ...`, prefixed with `[database]` for other
// databases' queued requests that this command runs) and its closing JSON summary line.

import type { DatabaseSummary, RunnerSummary } from '../../common/src/runner-output';

export type Say = (line: string) => void;

export function sayer(write: (text: string) => void, database?: string): Say {
  const prefix = database === undefined ? '' : `[${database}] `;
  return (line) => write(`flyway-runner: ${prefix}${line}\n`);
}

export function emptySummary(database: string | null, action: string | null): DatabaseSummary {
  return {
    database,
    action,
    status: 'failed',
    reason: null,
    schema_version_before: null,
    schema_version_after: null,
    migrations_applied: 0,
    passes: 0,
    rejected: [],
    flyway_exit_code: null,
    flyway_ms: 0,
    settle_ms: 0,
  };
}

export function summaryLine(own: DatabaseSummary, extra: { durationMs: number; requestedAt: string | null; exitCode: number; also: DatabaseSummary[] }): string {
  const summary: RunnerSummary = {
    ...own,
    duration_ms: extra.durationMs,
    requested_at: extra.requestedAt,
    exit_code: extra.exitCode,
    also: extra.also,
  };
  return `${JSON.stringify(summary)}\n`;
}
