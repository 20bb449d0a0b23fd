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
  /** BEGIN / START TRANSACTION written in the file. */
  | { kind: 'transaction-control' };

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
}

export function isConcurrent(effect: Effect): boolean {
  return effect.kind === 'concurrent' || (effect.kind === 'create-index' && effect.concurrently);
}

/** The effect with `rename` applied to every name in it (to put placeholders back). */
export function renameIn(effect: Effect, rename: (name: string) => string): Effect {
  switch (effect.kind) {
    case 'drop':
      return { ...effect, name: rename(effect.name) };
    case 'column-type':
      return { ...effect, table: rename(effect.table), column: rename(effect.column) };
    case 'truncate':
    case 'create-table':
    case 'create-index':
      return { ...effect, table: rename(effect.table) };
    default:
      return effect;
  }
}
