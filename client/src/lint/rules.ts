// Every rule `aurora-flyway lint` knows, in one table: what it is about, how severe, which engine,
// and whether it is ours or squawk's (squawk-cli, run on PostgreSQL files for the lock rules it
// already knows well). `lint --rules` prints this table; the rule modules take their ids from it.

import type { Engine, Severity } from './types';

/**
 * file: names, encoding, syntax (what makes Flyway or the module refuse a file);
 * hazard: valid SQL that locks, rewrites, loses data or breaks running code on a live database;
 * style: schema conventions (off unless --style);
 * off: squawk rules the pipeline makes moot (the runner sets the timeouts on every session).
 */
export type RuleKind = 'file' | 'hazard' | 'style' | 'off';

export interface Rule {
  id: string;
  engines: readonly Engine[];
  kind: RuleKind;
  severity: Severity;
  by: 'aurora-flyway' | 'squawk';
  summary: string;
  /** For squawk's rules: what to do, in this tool's words (squawk's own help is kept when this is absent). */
  fix?: string;
  /** Our rule is dropped on a statement where squawk already reported one of these. */
  coveredBy?: readonly string[];
}

const BOTH: readonly Engine[] = ['postgresql', 'mysql'];
const PG: readonly Engine[] = ['postgresql'];
const MY: readonly Engine[] = ['mysql'];

const file = (id: string, severity: Severity, summary: string): Rule => ({ id, engines: BOTH, kind: 'file', severity, by: 'aurora-flyway', summary });
const ours = (id: string, engines: readonly Engine[], summary: string, coveredBy?: readonly string[]): Rule => ({
  id, engines, kind: 'hazard', severity: 'warning', by: 'aurora-flyway', summary, ...(coveredBy === undefined ? {} : { coveredBy }),
});
const squawk = (id: string, summary: string, fix: string): Rule => ({ id, engines: PG, kind: 'hazard', severity: 'warning', by: 'squawk', summary, fix });
const squawkStyle = (id: string, summary: string): Rule => ({ id, engines: PG, kind: 'style', severity: 'warning', by: 'squawk', summary });
const squawkOff = (id: string, summary: string): Rule => ({ id, engines: PG, kind: 'off', severity: 'warning', by: 'squawk', summary });

export const RULES: readonly Rule[] = [
  file('name', 'error', 'a file name Flyway (or the module) would not run'),
  file('callback', 'warning', 'a Flyway SQL callback, which runs only when the database enables callbacks'),
  file('duplicate-version', 'error', 'two files claim one version (V1, V01, V1.0)'),
  file('duplicate-description', 'error', 'two repeatable migrations share one description'),
  file('empty', 'error', 'a file without any statement'),
  file('encoding', 'error', 'a file that is not UTF-8'),
  file('bom', 'warning', 'a UTF-8 byte-order mark'),
  file('line-endings', 'warning', 'mixed CRLF and LF line endings'),
  file('syntax', 'error', "a statement the engine's parser rejects"),
  { id: 'squawk-unavailable', engines: PG, kind: 'file', severity: 'warning', by: 'aurora-flyway', summary: "squawk could not run, so its PostgreSQL lock rules were not checked" },

  // PostgreSQL, squawk's safety rules (squawk-cli 2.66).
  squawk('adding-field-with-default', 'a column with a volatile default, or a generated or identity column, rewrites the table', 'Add the column without the default (or as a plain column), then fill it in batches and set the default afterwards.'),
  squawk('adding-foreign-key-constraint', 'a foreign key checks every row while both tables are locked against writes', 'Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration.'),
  squawk('adding-not-nullable-field', 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE', 'Add a CHECK (column IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL.'),
  squawk('adding-required-field', 'a NOT NULL column without a default fails on a table with rows and breaks inserts of running code', 'Give the column a default, or add it nullable and backfill it first.'),
  squawk('adding-serial-primary-key-field', 'adding a primary key builds its index under ACCESS EXCLUSIVE', 'Build a unique index CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX.'),
  squawk('ban-alter-domain-with-add-constraint', 'a domain constraint checks every column of the domain under lock', 'Use a table CHECK constraint (NOT VALID, then VALIDATE) instead.'),
  squawk('ban-concurrent-index-creation-in-transaction', 'CONCURRENTLY inside a transaction block fails', 'Put the CONCURRENTLY statement alone in a migration of its own, without BEGIN or COMMIT.'),
  squawk('ban-create-domain-with-constraint', 'domain constraints cannot be added or changed online later', 'Use table CHECK constraints instead.'),
  squawk('ban-drop-column', 'DROP COLUMN deletes data and breaks code that still reads it', 'Keep the old column until no code reads it, then drop it in a later release.'),
  squawk('ban-drop-database', 'DROP DATABASE deletes the whole database', 'Drop databases by hand, never from a migration.'),
  squawk('ban-drop-not-null', 'code that reads the column may not expect NULL', 'Make sure every reader handles NULL before dropping the constraint.'),
  squawk('ban-drop-table', 'DROP TABLE deletes the table and its rows', 'Keep it until no code uses it, take a backup, then drop it in a later release.'),
  squawk('ban-truncate-cascade', 'TRUNCATE ... CASCADE empties every table that references it too', 'Truncate the tables you mean by name, without CASCADE.'),
  squawk('ban-uncommitted-transaction', 'a BEGIN without COMMIT leaves the migration open', 'Remove BEGIN: Flyway runs each migration in a transaction of its own.'),
  squawk('changing-column-type', 'a type change rewrites the table and its indexes under ACCESS EXCLUSIVE', 'Add a new column, backfill it in batches, switch the code to it, then drop the old column.'),
  squawk('constraint-missing-not-valid', 'a new constraint checks every row while writes wait', 'Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration.'),
  squawk('disallowed-unique-constraint', 'a UNIQUE constraint builds its index under ACCESS EXCLUSIVE', 'Build a unique index CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX.'),
  squawk('identifier-too-long', 'PostgreSQL silently truncates names longer than 63 bytes', 'Shorten the name to 63 bytes.'),
  squawk('renaming-column', 'renaming a column breaks code that uses the old name', 'Add the new column, write both, switch the code, then drop the old one.'),
  squawk('renaming-table', 'renaming a table breaks code that uses the old name', 'Create a view with the old name while the code moves, or rename in a release that switches the code.'),
  squawk('require-concurrent-index-creation', 'CREATE INDEX without CONCURRENTLY blocks writes while it builds', 'Use CREATE INDEX CONCURRENTLY, alone in a migration of its own.'),
  squawk('require-concurrent-index-deletion', 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table', 'Use DROP INDEX CONCURRENTLY, alone in a migration of its own.'),
  squawk('require-concurrent-partition-detach', 'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent', 'Use DETACH PARTITION ... CONCURRENTLY, alone in a migration of its own.'),
  squawk('require-concurrent-reindex', 'REINDEX without CONCURRENTLY blocks writes (and reads through the index)', 'Use REINDEX ... CONCURRENTLY, alone in a migration of its own.'),
  squawk('transaction-nesting', 'BEGIN or COMMIT inside a migration Flyway already runs in a transaction', 'Remove BEGIN and COMMIT: Flyway runs each migration in a transaction of its own.'),
  squawk('ban-duplicate-column-assignments', 'an UPDATE that assigns one column twice', 'Assign each column once.'),
  squawkStyle('prefer-bigint-over-int', 'int ids run out; bigint does not'),
  squawkStyle('prefer-bigint-over-smallint', 'smallint ids run out; bigint does not'),
  squawkStyle('prefer-identity', 'identity columns instead of serial'),
  squawkStyle('prefer-text-field', 'text with a CHECK instead of varchar(n)'),
  squawkStyle('prefer-timestamp-tz', 'timestamptz instead of timestamp'),
  squawkStyle('ban-char-field', 'text instead of char(n)'),
  squawkStyle('prefer-robust-stmts', 'IF [NOT] EXISTS so a half-run migration can be re-run'),
  squawkStyle('require-enum-value-ordering', 'ALTER TYPE ... ADD VALUE with BEFORE or AFTER'),
  squawkOff('require-timeout-settings', 'the runner sets lock_timeout and statement_timeout on every migration session'),
  squawkOff('require-lock-timeout', 'the runner sets lock_timeout on every migration session'),
  squawkOff('require-statement-timeout', 'the runner sets statement_timeout on every migration session'),

  // PostgreSQL, what squawk lacks, and what is about Flyway (ours).
  ours('drop', BOTH, 'DROP TABLE, COLUMN, SCHEMA or DATABASE deletes data', ['ban-drop-table', 'ban-drop-column', 'ban-drop-database']),
  ours('truncate', BOTH, 'TRUNCATE deletes every row under an exclusive lock'),
  ours('column-type', BOTH, 'changing a column type rewrites or copies the table', ['changing-column-type']),
  ours('index-without-concurrently', PG, 'CREATE INDEX on an existing table blocks writes while it builds', ['require-concurrent-index-creation']),
  ours('vacuum-full', PG, 'VACUUM FULL rewrites the table under ACCESS EXCLUSIVE'),
  ours('cluster', PG, 'CLUSTER rewrites the table under ACCESS EXCLUSIVE'),
  ours('add-auto-increment-column', PG, 'a serial or identity column fills every row, rewriting the table', ['adding-field-with-default']),
  ours('backfill', BOTH, 'UPDATE or DELETE of existing rows in a schema migration holds row locks for the whole migration'),
  ours('lock-table', BOTH, 'an explicit LOCK TABLE blocks readers and writers until the migration ends'),
  ours('concurrently-in-transaction', PG, 'CONCURRENTLY in a file that opens a transaction fails', ['ban-concurrent-index-creation-in-transaction']),
  ours('non-transactional-mix', PG, 'a statement that cannot run in a transaction shares its file with others: Flyway refuses the migration'),

  // MySQL and Aurora MySQL (ours).
  ours('algorithm-copy', MY, 'ALGORITHM=COPY copies the table and blocks writes'),
  ours('blocking-lock-clause', MY, 'LOCK=SHARED or LOCK=EXCLUSIVE blocks writes (or reads) for the whole ALTER'),
  ours('table-rebuild', MY, 'ENGINE=, FORCE, CONVERT TO CHARACTER SET or OPTIMIZE TABLE rebuilds the table'),
  ours('add-primary-key', MY, 'adding a primary key rebuilds the table (its clustered index)'),
  ours('fulltext-index', MY, 'the first FULLTEXT index of a table rebuilds it and blocks writes'),
  ours('rename', MY, 'renaming a table or column breaks code that uses the old name'),
  ours('not-null-without-default', MY, 'a NOT NULL column without a default breaks inserts of running code'),
  ours('one-ddl-per-migration', MY, 'MySQL commits each DDL statement: a failure half-applies the file and needs a repair'),
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** Squawk rules that are not passed to squawk: style ones unless asked for, and those the runner makes moot. */
export function squawkExclusions(style: boolean): string[] {
  return RULES.filter((rule) => rule.by === 'squawk' && (rule.kind === 'off' || (rule.kind === 'style' && !style))).map((rule) => rule.id);
}

/** `lint --rules`: one line per rule: id, engines, kind (default on or off), severity, summary. */
export function rulesTable(): string[][] {
  return RULES.map((rule) => [
    rule.id,
    rule.engines.join(', '),
    rule.kind === 'style' ? 'style (--style)' : rule.kind === 'off' ? 'off (moot here)' : rule.kind,
    rule.severity,
    rule.by,
    rule.summary,
  ]);
}
