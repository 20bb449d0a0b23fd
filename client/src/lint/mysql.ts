// MySQL and MariaDB files, parsed statement by statement with node-sql-parser. The parser is
// not the server's: a statement counts as valid when either its MariaDB or its MySQL grammar
// accepts it (each knows constructs the other lacks), and failures on constructs neither
// grammar knows are left unchecked (mysql-parser-gaps.ts) instead of reported.

import { Parser } from 'node-sql-parser';
import { mysqlShapeEffects } from './mysql-effects';
import { isKnownParserGap } from './mysql-parser-gaps';
import { splitMysqlStatements } from './mysql-statements';
import { parseWithStandIns, type Attempt } from './placeholders';
import { renameIn, type Effect, type ParsedSql, type Statement, type SyntaxProblem } from './statements';
import { lineLocator } from './text';

const GRAMMARS = ['MariaDB', 'MySQL'] as const;
const EXPECTED_LIMIT = 120;

const parser = new Parser();

export function parseMysql(text: string): ParsedSql {
  const lineOf = lineLocator(text);
  const statements: Statement[] = [];
  const syntaxErrors: SyntaxProblem[] = [];
  for (const piece of splitMysqlStatements(text)) {
    const line = lineOf(piece.offset);
    const parsed = astify(piece.text);
    const fromShape = mysqlShapeEffects(piece.shape, piece.text);
    if (parsed.ok) {
      statements.push({ line, effects: [...parsed.value, ...fromShape] });
      continue;
    }
    statements.push({ line, effects: fromShape });
    if (!isKnownParserGap(piece.shape)) {
      syntaxErrors.push({ line: line + (parsed.line ?? 1) - 1, message: parsed.message });
    }
  }
  return { statements, syntaxErrors };
}

function astify(statement: string): Attempt<Effect[]> {
  return parseWithStandIns(statement, (candidate) => {
    const failures: (Attempt<never> & { ok: false })[] = [];
    for (const database of GRAMMARS) {
      try {
        const tree: unknown = parser.astify(candidate.text, { database });
        const effects = (Array.isArray(tree) ? tree : [tree]).flatMap(effectsOf);
        return { ok: true, value: effects.map((effect) => renameIn(effect, candidate.restore)) };
      } catch (error) {
        failures.push(failure(error));
      }
    }
    // The grammar that read furthest says the most about what is wrong.
    return failures.reduce((furthest, next) => ((next.offset ?? -1) > (furthest.offset ?? -1) ? next : furthest));
  });
}

function failure(error: unknown): Attempt<never> & { ok: false } {
  const start = field(field(error, 'location'), 'start');
  const line = field(start, 'line');
  const offset = field(start, 'offset');
  return {
    ok: false,
    message: shortened(error instanceof Error ? error.message : String(error)),
    ...(typeof line === 'number' ? { line } : {}),
    ...(typeof offset === 'number' ? { offset } : {}),
  };
}

// The parser lists every token it would have accepted, which can run to hundreds of characters;
// what it found is the useful end.
function shortened(message: string): string {
  const parts = /^Expected (.*) but (.*) found\.$/s.exec(message);
  if (parts === null || parts[1].length <= EXPECTED_LIMIT) return message;
  return `Expected ${parts[1].slice(0, EXPECTED_LIMIT)}... but ${parts[2]} found.`;
}

function effectsOf(tree: unknown): Effect[] {
  const type = field(tree, 'type');
  const keyword = field(tree, 'keyword');
  if (type === 'drop' && (keyword === 'table' || keyword === 'database' || keyword === 'schema')) {
    return [{ kind: 'drop', object: keyword, name: tableNames(field(tree, 'name')) }];
  }
  if (type === 'truncate') return [{ kind: 'truncate', table: tableNames(field(tree, 'name')) }];
  if (type === 'alter') {
    const table = tableNames(field(tree, 'table'));
    const actions = field(tree, 'expr');
    return (Array.isArray(actions) ? actions : []).flatMap((action): Effect[] => {
      if (field(action, 'resource') !== 'column') return [];
      const kind = field(action, 'action');
      if (kind === 'drop') return [{ kind: 'drop', object: 'column', name: `${table}.${columnName(field(action, 'column'))}` }];
      if (kind === 'modify') return [{ kind: 'column-type', table, column: columnName(field(action, 'column')) }];
      if (kind === 'change') return [{ kind: 'column-type', table, column: columnName(field(action, 'old_column')) }];
      return [];
    });
  }
  return [];
}

/** `a`, `db.b` or `a, db.b` from the parser's name forms: a string or a list of {db, table}. */
function tableNames(names: unknown): string {
  if (typeof names === 'string') return names;
  if (!Array.isArray(names)) return '';
  return names.map((name) => [field(name, 'db'), field(name, 'table')].filter((part) => typeof part === 'string').join('.')).join(', ');
}

function columnName(reference: unknown): string {
  const column = field(reference, 'column');
  if (typeof column === 'string') return column;
  // Newer node-sql-parser versions wrap the name: { expr: { value: 'a' } }.
  const value = field(field(column, 'expr'), 'value');
  return typeof value === 'string' ? value : '';
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
