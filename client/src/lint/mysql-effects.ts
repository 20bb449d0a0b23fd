// What a MySQL or MariaDB statement does to existing tables, read from its shape (comments and
// quoted text blanked, so a word inside a string cannot match): the clauses and statements that
// make InnoDB copy or rebuild a table, or block writes, which node-sql-parser's tree does not
// carry (ALGORITHM=, LOCK=, ENGINE=, CONVERT TO, FULLTEXT, RENAME) or cannot parse at all
// (OPTIMIZE TABLE). Which ALTER TABLE operations copy is from the MySQL 8.0 Reference Manual,
// "Online DDL Operations".

import type { Effect } from './statements';

// A name, possibly qualified and `quoted` (blanked inside by the shape: names are read from the text).
const NAME = '(?:`[^`]*`|[\\w$]+)(?:\\s*\\.\\s*(?:`[^`]*`|[\\w$]+))?';
const ALTER_TABLE = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(${NAME})`, 'id');
const RENAME_TABLE = new RegExp(`^RENAME\\s+TABLES?\\s+(${NAME})`, 'id');
const CREATE_FULLTEXT = new RegExp(`^CREATE\\s+FULLTEXT\\s+INDEX\\s+${NAME}\\s+ON\\s+(${NAME})`, 'id');
const CREATE_TABLE = new RegExp(`^CREATE\\s+(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(${NAME})`, 'id');
const UPDATE = new RegExp(`^UPDATE\\s+(?:LOW_PRIORITY\\s+|IGNORE\\s+)*(${NAME})`, 'id');
const DELETE = new RegExp(`^DELETE\\s+(?:LOW_PRIORITY\\s+|QUICK\\s+|IGNORE\\s+)*FROM\\s+(${NAME})`, 'id');
const LOCK_TABLES = new RegExp(`^LOCK\\s+TABLES?\\s+(${NAME})`, 'id');
const OPTIMIZE = new RegExp(`^OPTIMIZE\\s+(?:NO_WRITE_TO_BINLOG\\s+|LOCAL\\s+)?TABLES?\\s+(${NAME})`, 'id');
// Statements that commit implicitly: each one is applied for good when it ends.
const DDL = /^(?:CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/i;
const NOT_A_COLUMN = '(?!INDEX\\b|KEY\\b|UNIQUE\\b|PRIMARY\\b|FULLTEXT\\b|SPATIAL\\b|CONSTRAINT\\b|FOREIGN\\b|CHECK\\b|PARTITION\\b)';

/**
 * Effects read from the statement's shape; `text` is the statement itself at the same offsets
 * (the shape only blanks characters), where names are read.
 */
export function mysqlShapeEffects(shape: string, text: string): Effect[] {
  const effects: Effect[] = [];
  const name = (match: RegExpExecArray, group: number, base = 0): string => {
    const [start, end] = match.indices?.[group] ?? [0, 0];
    return text.slice(base + start, base + end).replace(/`/g, '').replace(/\s*\.\s*/g, '.');
  };
  if (DDL.test(shape)) effects.push({ kind: 'ddl' });

  const created = CREATE_TABLE.exec(shape);
  if (created) effects.push({ kind: 'create-table', table: name(created, 1) });
  const update = UPDATE.exec(shape);
  if (update) effects.push({ kind: 'dml', operation: 'UPDATE', table: name(update, 1) });
  const deleted = DELETE.exec(shape);
  if (deleted) effects.push({ kind: 'dml', operation: 'DELETE', table: name(deleted, 1) });
  const locked = LOCK_TABLES.exec(shape);
  if (locked) effects.push({ kind: 'lock-table', table: name(locked, 1) });
  const optimize = OPTIMIZE.exec(shape);
  if (optimize) effects.push({ kind: 'rewrite', table: name(optimize, 1), operation: 'optimize' });
  const renameTable = RENAME_TABLE.exec(shape);
  if (renameTable) effects.push({ kind: 'rename', object: 'table', name: name(renameTable, 1) });
  const createFulltext = CREATE_FULLTEXT.exec(shape);
  if (createFulltext) effects.push({ kind: 'fulltext-index', table: name(createFulltext, 1) });

  const alter = ALTER_TABLE.exec(shape);
  if (alter === null) return effects;
  const table = name(alter, 1);
  const base = alter[0].length;
  const clauses = shape.slice(base);
  if (/\bALGORITHM\s*=?\s*COPY\b/i.test(clauses)) effects.push({ kind: 'alter-clause', table, clause: 'ALGORITHM=COPY' });
  const lock = /\bLOCK\s*=?\s*(SHARED|EXCLUSIVE)\b/i.exec(clauses);
  if (lock) effects.push({ kind: 'alter-clause', table, clause: lock[1].toUpperCase() === 'SHARED' ? 'LOCK=SHARED' : 'LOCK=EXCLUSIVE' });
  if (/(?:^|,)\s*ENGINE\s*=?\s*\w+/i.test(clauses)) effects.push({ kind: 'rewrite', table, operation: 'engine' });
  if (/(?:^|,)\s*FORCE\b/i.test(clauses)) effects.push({ kind: 'rewrite', table, operation: 'force' });
  if (/\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\b/i.test(clauses)) effects.push({ kind: 'rewrite', table, operation: 'convert' });
  if (/\bADD\s+(?:CONSTRAINT\s+(?:\S+\s+)?)?PRIMARY\s+KEY\b/i.test(clauses)) effects.push({ kind: 'add-primary-key', table });
  if (/\bADD\s+FULLTEXT\b/i.test(clauses)) effects.push({ kind: 'fulltext-index', table });
  if (/(?:^|,)\s*RENAME\s+(?:TO\s+|AS\s+)?(?!COLUMN\b|INDEX\b|KEY\b)\S/i.test(clauses)) effects.push({ kind: 'rename', object: 'table', name: table });
  const renameColumn = /\bRENAME\s+COLUMN\s+(`[^`]*`|\w+)/di.exec(clauses);
  if (renameColumn) effects.push({ kind: 'rename', object: 'column', name: `${table}.${name(renameColumn, 1, base)}` });
  const change = /\bCHANGE\s+(?:COLUMN\s+)?(`[^`]*`|\w+)\s+(`[^`]*`|\w+)/di.exec(clauses);
  if (change && name(change, 1, base).toLowerCase() !== name(change, 2, base).toLowerCase()) {
    effects.push({ kind: 'rename', object: 'column', name: `${table}.${name(change, 1, base)}` });
  }
  for (const added of clauses.matchAll(new RegExp(`\\bADD\\s+(?:COLUMN\\s+)?${NOT_A_COLUMN}(\`[^\`]*\`|\\w+)\\s`, 'dgi'))) {
    const definition = untilTopLevelComma(clauses, (added.index ?? 0) + added[0].length);
    effects.push({
      kind: 'add-column',
      table,
      column: name(added, 1, base),
      autoIncrement: /\bAUTO_INCREMENT\b/i.test(definition),
      notNull: /\bNOT\s+NULL\b/i.test(definition),
      hasDefault: /\bDEFAULT\b/i.test(definition) || /\bAS\s*\(/i.test(definition),
    });
  }
  return effects;
}

/** The clause from `from` to the next comma outside parentheses (DECIMAL(12,2) stays whole). */
function untilTopLevelComma(clauses: string, from: number): string {
  let depth = 0;
  for (let i = from; i < clauses.length; i += 1) {
    if (clauses[i] === '(') depth += 1;
    else if (clauses[i] === ')') depth -= 1;
    else if (clauses[i] === ',' && depth === 0) return clauses.slice(from, i);
  }
  return clauses.slice(from);
}
