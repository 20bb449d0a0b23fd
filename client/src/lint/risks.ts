// Our own rules on valid statements that are risky on a live database: they delete data, lock or
// rewrite a table for long, or fail at run time. On PostgreSQL these are what squawk lacks (its
// rules run apart, squawk.ts); on MySQL they are all there is. Each warning says what to do instead.
//
// A table counts as new (empty, unknown to running code) only when the same file created it
// earlier: a table created by an earlier migration has been live since that migration ran.

import { isConcurrent, isNonTransactional, sameTable, type Effect, type Statement } from './statements';
import type { Engine, Finding } from './types';
import type { ParsedSql } from './statements';

export interface ParsedFile {
  name: string;
  parsed: ParsedSql;
}

interface Risk {
  rule: string;
  message: string;
  fix: string;
}

const LATER_DROP = 'Keep it until no code uses it, take a backup, then drop it in a later release.';
const NEW_COLUMN = 'Add a new column, backfill it in batches, switch the code to it, then drop the old column.';
const BATCHES = 'Backfill in batches from the application or a job (a few thousand rows per transaction), not in a schema migration.';

/** Warnings for a set of files given in the order Flyway applies them (see flywayOrder in common/src/migration-order.ts). */
export function riskFindings(filesInOrder: readonly ParsedFile[], engine: Engine): Finding[] {
  const findings: Finding[] = [];
  // Tables that already have a FULLTEXT index (MySQL rebuilds a table for its first one only).
  const withFulltext = new Set<string>();
  for (const { name, parsed } of filesInOrder) {
    const warn = (line: number, risk: Risk) => findings.push({ file: name, line, severity: 'warning', ...risk });
    const createdHere: string[] = [];
    for (const statement of parsed.statements) {
      for (const effect of statement.effects) {
        const isNew = 'table' in effect && createdHere.some((table) => sameTable(table, effect.table));
        const risk = isNew ? undefined : riskOf(effect, engine, withFulltext);
        if (risk !== undefined) warn(statement.line, risk);
        if (effect.kind === 'create-table') createdHere.push(effect.table);
        if (effect.kind === 'fulltext-index') withFulltext.add(effect.table.toLowerCase());
      }
    }
    const fileRisks = engine === 'postgresql' ? transactionRisks(parsed.statements) : oneDdlPerMigration(parsed.statements);
    for (const risk of fileRisks) warn(risk.line, risk);
  }
  return findings;
}

function riskOf(effect: Effect, engine: Engine, withFulltext: ReadonlySet<string>): Risk | undefined {
  switch (effect.kind) {
    case 'drop':
      return {
        rule: 'drop',
        message: {
          table: `DROP TABLE ${effect.name} deletes the table and all its rows.`,
          column: `DROP COLUMN ${effect.name} deletes the column's data and breaks code that still reads it.`,
          schema: `DROP SCHEMA ${effect.name} deletes the schema and everything in it.`,
          database: `DROP DATABASE ${effect.name} deletes the whole database.`,
        }[effect.object],
        fix: effect.object === 'column' ? 'Keep the old column until no code reads it, then drop it in a later release.' : LATER_DROP,
      };
    case 'truncate':
      return { rule: 'truncate', message: `TRUNCATE ${effect.table} deletes every row at once, under an exclusive lock.`, fix: 'Take a backup first, or delete only the rows meant with DELETE ... WHERE, in batches.' };
    case 'column-type':
      return {
        rule: 'column-type',
        message: engine === 'postgresql'
          ? `Changing the type of ${effect.table}.${effect.column} rewrites the table under an exclusive lock.`
          : `Redefining ${effect.table}.${effect.column} with MODIFY or CHANGE COLUMN can copy the whole table while blocking writes.`,
        fix: NEW_COLUMN,
      };
    case 'create-index':
      if (engine !== 'postgresql' || effect.concurrently) return undefined;
      return {
        rule: 'index-without-concurrently',
        message: `CREATE INDEX on the existing table ${effect.table} blocks writes to it while the index builds.`,
        fix: 'Use CREATE INDEX CONCURRENTLY, in a migration of its own.',
      };
    case 'rewrite':
      return rewriteRisk(effect);
    case 'add-column':
      return addColumnRisk(effect, engine);
    case 'dml':
      return {
        rule: 'backfill',
        message: `${effect.operation} of the existing table ${effect.table} runs as one transaction that locks every row it touches until the migration ends.`,
        fix: BATCHES,
      };
    case 'lock-table':
      return {
        rule: 'lock-table',
        message: `LOCK TABLE ${effect.table} blocks its readers and writers until the migration ends.`,
        fix: 'Remove the explicit lock: each statement takes the lock it needs, for as short as it can.',
      };
    case 'alter-clause':
      return effect.clause === 'ALGORITHM=COPY'
        ? { rule: 'algorithm-copy', message: `ALGORITHM=COPY copies ${effect.table} row by row and blocks writes until the copy ends.`, fix: 'Leave ALGORITHM out (or ask for INPLACE or INSTANT, which MySQL refuses rather than copy); for a change that must copy, use an online schema change tool (gh-ost, pt-online-schema-change).' }
        : { rule: 'blocking-lock-clause', message: `${effect.clause} blocks ${effect.clause === 'LOCK=SHARED' ? 'writes to' : 'reads and writes of'} ${effect.table} until the ALTER ends.`, fix: 'Leave LOCK out or use LOCK=NONE, which MySQL refuses rather than block.' };
    case 'add-primary-key':
      return { rule: 'add-primary-key', message: `Adding a primary key to ${effect.table} rebuilds the table (InnoDB clusters rows by it).`, fix: 'Create the table with its primary key; on a large live table use an online schema change tool.' };
    case 'fulltext-index':
      if (withFulltext.has(effect.table.toLowerCase())) return undefined;
      return { rule: 'fulltext-index', message: `The first FULLTEXT index of ${effect.table} rebuilds the table and blocks writes while it builds.`, fix: 'Add it while the table is small, in a migration of its own, at a quiet hour.' };
    case 'rename':
      if (engine !== 'mysql') return undefined;
      return {
        rule: 'rename',
        message: `Renaming the ${effect.object} ${effect.name} breaks the code that still uses the old name.`,
        fix: effect.object === 'column' ? 'Add the new column, write both, switch the code, then drop the old one.' : 'Create the new table (or a view with the new name), switch the code, then drop the old one.',
      };
    default:
      return undefined;
  }
}

function rewriteRisk(effect: Effect & { kind: 'rewrite' }): Risk {
  switch (effect.operation) {
    case 'vacuum-full':
      return { rule: 'vacuum-full', message: `VACUUM FULL ${effect.table} rewrites the table under ACCESS EXCLUSIVE: no reads or writes until it ends.`, fix: 'Use plain VACUUM (no lock on reads and writes), or pg_repack to reclaim space online.' };
    case 'cluster':
      return { rule: 'cluster', message: `CLUSTER ${effect.table} rewrites the table under ACCESS EXCLUSIVE: no reads or writes until it ends.`, fix: 'Use pg_repack --order-by to reorder online, or leave the order to new rows.' };
    default: {
      const what = { engine: 'ENGINE=', force: 'FORCE', convert: 'CONVERT TO CHARACTER SET', optimize: 'OPTIMIZE TABLE' }[effect.operation];
      return { rule: 'table-rebuild', message: `${what} rebuilds ${effect.table}${effect.operation === 'convert' ? ', copying every row and blocking writes' : ''}.`, fix: 'Do it at a quiet hour with an online schema change tool (gh-ost, pt-online-schema-change), not from a migration.' };
    }
  }
}

function addColumnRisk(effect: Effect & { kind: 'add-column' }, engine: Engine): Risk | undefined {
  if (effect.autoIncrement && engine === 'postgresql') {
    return {
      rule: 'add-auto-increment-column',
      message: `Adding the serial or identity column ${effect.table}.${effect.column} fills every existing row, rewriting the table under ACCESS EXCLUSIVE.`,
      fix: 'Add a plain nullable bigint column, fill it in batches from a sequence, then attach the default.',
    };
  }
  if (engine === 'mysql' && effect.notNull && !effect.hasDefault && !effect.autoIncrement) {
    return {
      rule: 'not-null-without-default',
      message: `The NOT NULL column ${effect.table}.${effect.column} has no default: inserts of the code that runs now fail, and strict mode refuses existing rows.`,
      fix: 'Give it a DEFAULT, or add it nullable, backfill it, then make it NOT NULL.',
    };
  }
  return undefined;
}

// Flyway runs a PostgreSQL file in one transaction unless all its statements must run outside
// one; a file that mixes both is refused ("Detected both transactional and non-transactional
// statements"), and PostgreSQL refuses CONCURRENTLY inside a BEGIN the file opens itself.
function transactionRisks(statements: readonly Statement[]): (Risk & { line: number })[] {
  const outside = statements.filter((statement) => statement.effects.some(isNonTransactional));
  const others = statements.length - outside.length;
  if (outside.length === 0 || others === 0) return [];
  const opensTransaction = statements.some((statement) => statement.effects.some((effect) => effect.kind === 'transaction-control'));
  return outside.map((statement) => {
    const operation = operationOf(statement);
    return opensTransaction && statement.effects.some(isConcurrent)
      ? { line: statement.line, rule: 'concurrently-in-transaction', message: `PostgreSQL refuses ${operation} inside a transaction block, and the file opens a transaction with BEGIN or START TRANSACTION.`, fix: 'Put the CONCURRENTLY statement alone in a migration of its own, without BEGIN or COMMIT.' }
      : {
        line: statement.line,
        rule: 'non-transactional-mix',
        message: `${operation} cannot run in a transaction, and the file has ${others} other statement${others === 1 ? '' : 's'}: Flyway refuses a migration that mixes both (or, with mixed = true, leaves it half-applied when a later statement fails).`,
        fix: `Put ${operation} alone in a migration of its own.`,
      };
  });
}

function operationOf(statement: Statement): string {
  for (const effect of statement.effects) {
    if (effect.kind === 'concurrent' || effect.kind === 'non-transactional') return effect.operation;
    if (effect.kind === 'create-index' && effect.concurrently) return 'CREATE INDEX CONCURRENTLY';
  }
  return 'CONCURRENTLY';
}

// MySQL commits every DDL statement at once: when the second fails, the first stays applied and
// Flyway records the migration as failed, which takes a manual undo and a repair.
function oneDdlPerMigration(statements: readonly Statement[]): (Risk & { line: number })[] {
  const ddl = statements.filter((statement) => statement.effects.some((effect) => effect.kind === 'ddl'));
  if (ddl.length < 2) return [];
  return [{
    line: ddl[1].line,
    rule: 'one-ddl-per-migration',
    message: `The file holds ${ddl.length} DDL statements, and MySQL commits each at once: if a later one fails, the earlier ones stay applied and Flyway records the migration as failed.`,
    fix: 'Give each DDL statement a migration of its own, so a failure leaves nothing half-applied.',
  }];
}
