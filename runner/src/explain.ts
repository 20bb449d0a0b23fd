// What a failed Flyway command means for the person who uploaded the files, and what they can do.
// Pure: Flyway's error and what the runner knows (engine, files, schema version) in, one sentence
// of each out.

import { basenameOf } from '../../common/src/flyway-name';
import type { Engine } from './settings';
import type { FlywayError } from './flyway';
import { blockersTodo, describeBlockers, type LockWait } from './lock-wait';
import { keyOfVersion, type MigrationFile } from './listing';

export interface Explanation {
  what: string;
  todo: string;
  /** Connection problems are reported with their own exit codes. */
  kind: 'migration' | 'auth' | 'unreachable';
}

export interface Context {
  action: string;
  /** The database's key, for commands in the advice. */
  database?: string;
  /** The migration gave up waiting for a lock, after its retries. */
  lockWait?: LockWait & { timeoutMs: number; retries: number };
  engine: Engine;
  files: readonly MigrationFile[];
  schemaVersion: string | null;
  host: string;
  port: number;
  username: string;
  connectRetries: number;
}

function detailOf(message: string): string {
  const detail =
    message
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .find((line) => line.trim() !== '' && !line.startsWith('Validate failed: Migrations have failed validation')) ?? message;
  return detail.trim().replace(/\.$/, '');
}

function fileOf(context: Context, version: string | undefined): string | undefined {
  return version === undefined ? undefined : keyOfVersion(context.files, version);
}

export function explainFlywayError(error: FlywayError, context: Context): Explanation {
  const message = error.message ?? '';
  const code = error.errorCode ?? '';
  const detail = detailOf(message);
  const current = context.schemaVersion ?? 'the current one';

  if (code === 'DB_CONNECTION' || /Unable to obtain connection from database/.test(message)) {
    if (/SQL State\s*: 28|Access denied for user|password authentication failed/.test(message)) {
      return {
        kind: 'auth',
        what: `authentication failed for user ${context.username} on ${context.host}:${context.port}: ${detail}`,
        todo: 'the password in the secret does not match the database: check the secret',
      };
    }
    return {
      kind: 'unreachable',
      what: `database ${context.host}:${context.port} unreachable after ${context.connectRetries} retries: ${detail}`,
      todo: 'check that the cluster is available, the endpoint and port are right, its certificate is signed by the CA bundle, and the security group admits the Flyway host; then run again',
    };
  }
  if ((code === 'FAILED_VERSIONED_MIGRATION' || code === 'FAILED_REPEATABLE_MIGRATION') && context.lockWait !== undefined) {
    return lockWaitExplanation(error.path ? basenameOf(error.path) : '?', context.lockWait, context);
  }
  if (code === 'FAILED_VERSIONED_MIGRATION' || code === 'FAILED_REPEATABLE_MIGRATION') {
    const file = error.path ? basenameOf(error.path) : '?';
    const sqlMessage = /^Message\s*:\s*(.*)$/m.exec(message)?.[1]?.trim();
    const line = /^Line\s*:\s*(\d+)/m.exec(message)?.[1];
    const statement = /^Statement\s*:\s*(.*)$/m.exec(message)?.[1]?.trim();
    const where = [line ? `line ${line}` : undefined, statement ? `statement: ${statement.slice(0, 200)}` : undefined].filter(Boolean).join(', ');
    return {
      kind: 'migration',
      what: `migration ${file} failed: ${sqlMessage ?? detail}${where ? ` (${where})` : ''}`,
      todo:
        context.engine === 'postgresql'
          ? `PostgreSQL rolled the failed migration back; fix ${file} and upload it again`
          : `MySQL cannot roll back DDL, so the failure is recorded in flyway_schema_history: undo what ${file} changed, run --action repair, then upload the fixed file (or run --action migrate if it is already uploaded)`,
    };
  }
  const checksum = /checksum mismatch for migration version (\S+)/i.exec(message);
  if (checksum) {
    const version = checksum[1];
    const file = fileOf(context, version) ?? `migration version ${version}`;
    return {
      kind: 'migration',
      what: `validation failed: ${file} (version ${version}) was changed after it was applied (checksum mismatch); nothing was applied`,
      todo: `applied migrations must not change: restore the original ${file} in the bucket and put the change in a new migration; if the database already matches the new file, run --action repair to accept it`,
    };
  }
  if (/Invalid SQL filenames found|Invalid (versioned|repeatable) migration name/.test(message)) {
    const bad = [...message.matchAll(/Invalid \w+ migration name format: (\S+)/g)].map((m) => m[1]).join(',');
    return {
      kind: 'migration',
      what: `migration naming validation failed: invalid file name ${bad || '(see above)'}; nothing was applied`,
      todo: 'rename or delete it in the bucket: versioned migrations are named V<version>__<description>.sql (two underscores), repeatable ones R__<description>.sql',
    };
  }
  const failed = /Detected failed migration to version (\S+)/.exec(message);
  if (failed) {
    const version = failed[1].replace(/[.,]$/, '');
    const file = fileOf(context, version) ?? `migration version ${version}`;
    return {
      kind: 'migration',
      what: `validation failed: the earlier failure of ${file} (version ${version}) is still recorded in flyway_schema_history; nothing was applied`,
      todo: 'undo any half-applied changes of that migration, run --action repair, then migrate again',
    };
  }
  const notApplied = [...message.matchAll(/Detected resolved migration not applied to database: (\S+?)\.?$/gm)].map((m) => m[1]);
  if (notApplied.length > 0) {
    const files = notApplied.map((version) => fileOf(context, version) ?? `version ${version}`).join(', ');
    return {
      kind: 'migration',
      what: `validation failed: ${files} ${notApplied.length === 1 ? 'has a version' : 'have versions'} below the schema's version ${current}, and out_of_order is off; nothing was applied`,
      todo: `either rename it to a version above ${current} (delete the old object), or set out_of_order = true for this database in the module to apply it as it is`,
    };
  }
  if (/applied migration not resolved locally|Detected applied migration not resolved/.test(message)) {
    return {
      kind: 'migration',
      what: `validation failed: ${detail}; nothing was applied`,
      todo: "an applied migration's file is missing from the bucket: upload it again (applied migrations must stay in the bucket)",
    };
  }
  return {
    kind: 'migration',
    what: `flyway ${context.action} failed: ${detail || `error ${code || 'unknown'}`}`,
    todo: `read Flyway's message above, fix the migration files in the bucket, then upload again or run --action ${context.action}`,
  };
}

function lockWaitExplanation(file: string, wait: LockWait & { timeoutMs: number; retries: number }, context: Context): Explanation {
  const attempts = wait.attempts ?? wait.retries + 1;
  const tries = `${attempts === 1 ? 'once' : `${attempts} times`}${wait.retries === 0 ? ' (retries are off)' : ''}`;
  const applied = wait.nothingApplied
    ? `nothing of it was applied (${context.engine === 'postgresql' ? 'rolled back, or its failed attempt undone' : 'it timed out on its first statement; the failed attempt was removed from the schema history'})`
    : wait.undoneByNextMigrate === true
      ? 'its failed attempt is recorded in flyway_schema_history'
      : `its failed attempt is recorded in flyway_schema_history${context.engine === 'mysql' ? ', and MySQL cannot roll back what ran before the statement that timed out' : ''}`;
  const manual = !wait.nothingApplied && wait.undoneByNextMigrate !== true ? `; before that, undo what ${file} applied and run --action repair` : '';
  return {
    kind: 'migration',
    what: `migration ${file} waited longer than the lock timeout (${wait.timeoutMs / 1000} s) for a lock held by another session${wait.line === undefined ? '' : ` (line ${wait.line})`}, tried ${tries}${wait.notRetried === undefined ? '' : `, not tried again: ${wait.notRetried}`}; ${applied}; blocked by: ${describeBlockers(wait.blockers)}`,
    todo: `${blockersTodo(wait.blockers, context.engine, context.database ?? '<database>')}${manual}`,
  };
}
