// What the engine-specific parsers tell the rest of the linter about a file: its statements,
// reduced to the few effects the risk rules look at, and the syntax errors the parser found.
// Both engines map onto this model so the risk rules are written once.

export type DroppedObject = 'table' | 'column' | 'schema' | 'database';

export type Effect =
  | { kind: 'drop'; object: DroppedObject; name: string }
  | { kind: 'truncate'; table: string }
  | { kind: 'column-type'; table: string; column: string }
  | { kind: 'create-table'; table: string }
  | { kind: 'create-index'; table: string; concurrently: boolean }
  /** A CONCURRENTLY operation other than CREATE INDEX (DROP INDEX, REINDEX), e.g. `DROP INDEX CONCURRENTLY`. */
  | { kind: 'concurrent'; operation: string }
  /** Another statement PostgreSQL refuses inside a transaction block (VACUUM, CREATE DATABASE, ...). */
  | { kind: 'non-transactional'; operation: string }
  /** BEGIN / START TRANSACTION written in the file. */
  | { kind: 'transaction-control' }
  /** A table rewritten in place: VACUUM FULL, CLUSTER, MySQL's ENGINE= / FORCE / CONVERT TO / OPTIMIZE TABLE. */
  | { kind: 'rewrite'; table: string; operation: 'vacuum-full' | 'cluster' | 'engine' | 'force' | 'convert' | 'optimize' }
  | { kind: 'add-column'; table: string; column: string; autoIncrement: boolean; notNull: boolean; hasDefault: boolean }
  /** UPDATE or DELETE: a backfill when the table was not created in the same file. */
  | { kind: 'dml'; operation: 'UPDATE' | 'DELETE'; table: string }
  | { kind: 'lock-table'; table: string }
  /** MySQL ALTER TABLE clauses that copy the table or block writes. */
  | { kind: 'alter-clause'; table: string; clause: 'ALGORITHM=COPY' | 'LOCK=SHARED' | 'LOCK=EXCLUSIVE' }
  | { kind: 'add-primary-key'; table: string }
  | { kind: 'fulltext-index'; table: string }
  | { kind: 'rename'; object: 'table' | 'column'; name: string }
  /** A MySQL statement that commits implicitly (DDL), for the one-DDL-per-migration rule. */
  | { kind: 'ddl' };

export interface Statement {
  /** 1-based line of the statement's first character that is not blank or comment. */
  line: number;
  effects: readonly Effect[];
}

export interface SyntaxProblem {
  line?: number;
  message: string;
}

export interface ParsedSql {
  statements: readonly Statement[];
  syntaxErrors: readonly SyntaxProblem[];
  /** The text the parser accepted (placeholders as stand-ins, lines kept), for squawk. */
  parsedText?: string;
}

export function isConcurrent(effect: Effect): boolean {
  return effect.kind === 'concurrent' || (effect.kind === 'create-index' && effect.concurrently);
}

/** Statements PostgreSQL refuses in a transaction block, which Flyway runs outside one. */
export function isNonTransactional(effect: Effect): boolean {
  return isConcurrent(effect) || effect.kind === 'non-transactional';
}

/** The effect with `rename` applied to every name in it (to put placeholders back). */
export function renameIn(effect: Effect, rename: (name: string) => string): Effect {
  switch (effect.kind) {
    case 'drop':
      return { ...effect, name: rename(effect.name) };
    case 'column-type':
      return { ...effect, table: rename(effect.table), column: rename(effect.column) };
    case 'add-column':
      return { ...effect, table: rename(effect.table), column: rename(effect.column) };
    case 'rename':
      return { ...effect, name: rename(effect.name) };
    case 'truncate':
    case 'create-table':
    case 'create-index':
    case 'rewrite':
    case 'dml':
    case 'lock-table':
    case 'alter-clause':
    case 'add-primary-key':
    case 'fulltext-index':
      return { ...effect, table: rename(effect.table) };
    default:
      return effect;
  }
}

// `t` and `app.t` may be the same table (the schema depends on the search path); two different
// schemas are not. Unquoted names compare without case (both engines fold or ignore it by default).
export function sameTable(a: string, b: string): boolean {
  const [schemaA, tableA] = splitQualified(a.toLowerCase());
  const [schemaB, tableB] = splitQualified(b.toLowerCase());
  return tableA === tableB && (schemaA === undefined || schemaB === undefined || schemaA === schemaB);
}

function splitQualified(name: string): [string | undefined, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
}
