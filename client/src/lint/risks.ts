// Statements that are valid but risky on a live database: they destroy data, lock tables for a
// long time, or fail at run time on PostgreSQL. Each warning says what to do instead.

import { isConcurrent, type Effect, type ParsedSql, type Statement } from './statements';
import type { Engine, Finding } from './types';

export interface ParsedFile {
  name: string;
  parsed: ParsedSql;
}

const LATER_DROP = 'Keep it until no code uses it, take a backup, then drop it in a later release.';
const NEW_COLUMN = 'Add a new column, backfill it in batches, switch the code to it, then drop the old column.';

/** Warnings for a set of files given in the order Flyway applies them (see flywayOrder in common/src/migration-order.ts). */
export function riskFindings(filesInOrder: readonly ParsedFile[], engine: Engine): Finding[] {
  const findings: Finding[] = [];
  // Tables created by the files applied so far: indexing them blocks nobody, they are new.
  const createdTables: string[] = [];
  for (const { name, parsed } of filesInOrder) {
    const warn = (line: number, rule: string, message: string, fix: string) => findings.push({ file: name, line, severity: 'warning', rule, message, fix });
    for (const statement of parsed.statements) {
      for (const effect of statement.effects) {
        const risk = riskOf(effect, engine, createdTables);
        if (risk !== undefined) warn(statement.line, risk.rule, risk.message, risk.fix);
        if (effect.kind === 'create-table') createdTables.push(effect.table);
      }
    }
    if (engine === 'postgresql') {
      for (const risk of concurrentlyInTransaction(parsed.statements)) warn(risk.line, risk.rule, risk.message, risk.fix);
    }
  }
  return findings;
}

interface Risk {
  rule: string;
  message: string;
  fix: string;
}

function riskOf(effect: Effect, engine: Engine, createdTables: readonly string[]): Risk | undefined {
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
      return { rule: 'truncate', message: `TRUNCATE ${effect.table} deletes every row at once.`, fix: 'Take a backup first, or delete only the rows meant with DELETE ... WHERE.' };
    case 'column-type':
      return {
        rule: 'column-type',
        message: engine === 'postgresql'
          ? `Changing the type of ${effect.table}.${effect.column} rewrites the table under an exclusive lock.`
          : `Redefining ${effect.table}.${effect.column} with MODIFY or CHANGE COLUMN can copy the whole table while blocking writes.`,
        fix: NEW_COLUMN,
      };
    case 'create-index':
      if (engine !== 'postgresql' || effect.concurrently || createdTables.some((table) => sameTable(table, effect.table))) return undefined;
      return {
        rule: 'index-without-concurrently',
        message: `CREATE INDEX on the existing table ${effect.table} blocks writes to it while the index builds.`,
        fix: 'Use CREATE INDEX CONCURRENTLY, in a migration of its own.',
      };
    default:
      return undefined;
  }
}

// Flyway runs a file in one transaction unless all its statements must run outside one, and
// PostgreSQL refuses CONCURRENTLY inside a transaction block, so such a statement must be alone.
function concurrentlyInTransaction(statements: readonly Statement[]): (Risk & { line: number })[] {
  const concurrent = statements.filter((statement) => statement.effects.some(isConcurrent));
  const others = statements.length - concurrent.length;
  if (concurrent.length === 0 || others === 0) return [];
  const opensTransaction = statements.some((statement) => statement.effects.some((effect) => effect.kind === 'transaction-control'));
  const reason = opensTransaction
    ? 'the file opens a transaction with BEGIN or START TRANSACTION'
    : `Flyway runs it in one transaction with the file's ${others} other statement${others === 1 ? '' : 's'}`;
  return concurrent.map((statement) => ({
    line: statement.line,
    rule: 'concurrently-in-transaction',
    message: `PostgreSQL refuses ${operationOf(statement)} inside a transaction block, and ${reason}.`,
    fix: 'Put the CONCURRENTLY statement alone in a migration of its own, without BEGIN or COMMIT.',
  }));
}

function operationOf(statement: Statement): string {
  for (const effect of statement.effects) {
    if (effect.kind === 'concurrent') return effect.operation;
    if (effect.kind === 'create-index' && effect.concurrently) return 'CREATE INDEX CONCURRENTLY';
  }
  return 'CONCURRENTLY';
}

// `t` and `app.t` may be the same table (the schema depends on the search path); two different
// schemas are not.
function sameTable(a: string, b: string): boolean {
  const [schemaA, tableA] = splitQualified(a);
  const [schemaB, tableB] = splitQualified(b);
  return tableA === tableB && (schemaA === undefined || schemaB === undefined || schemaA === schemaB);
}

function splitQualified(name: string): [string | undefined, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
}
