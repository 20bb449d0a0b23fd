// aurora-flyway status [database]: each database's last pass from its outcome record.

import type { OutcomeRecord } from '../../common/src/outcome';
import type { Aws } from './aws';
import { readOutcome } from './follow';
import { table } from './output';
import type { Database } from './pipeline';

export interface DatabaseStatus {
  database: string;
  bucket: string;
  outcome: OutcomeRecord | null;
}

export async function readStatuses(aws: Aws, databases: readonly Database[]): Promise<DatabaseStatus[]> {
  return Promise.all(databases.map(async (db) => ({ database: db.key, bucket: db.bucket, outcome: (await readOutcome(aws.s3, db.bucket)) ?? null })));
}

export function statusTable(statuses: readonly DatabaseStatus[]): string[] {
  return table(
    ['DATABASE', 'LAST PASS', 'ACTION', 'STATUS', 'SCHEMA VERSION', 'APPLIED', 'REASON'],
    statuses.map(({ database, outcome }) =>
      outcome === null
        ? [database, 'never', '', '', '', '', '']
        : [database, outcome.finished_at, outcome.action, outcome.status, outcome.schema_version ?? 'none', String(outcome.migrations_applied), outcome.reason ?? ''],
    ),
  );
}
