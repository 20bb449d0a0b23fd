// PostgreSQL files, parsed by PostgreSQL's own parser (libpg-query), so a syntax error here is
// one the database would report too. The tree is reduced to the effects the risk rules need.

import { loadModule, parseSync, type AlterTableCmd, type Node, type RangeVar, type RawStmt, type VacuumStmt } from 'libpg-query';
import { parseWithStandIns, type Attempt } from './placeholders';
import { renameIn, type Effect, type ParsedSql, type Statement } from './statements';
import { byteToCharOffset, lineLocator } from './text';

export async function parsePostgresql(text: string): Promise<ParsedSql> {
  // libpg-query throws on an empty string instead of returning no statements.
  if (text.trim() === '') return { statements: [], syntaxErrors: [] };
  await loadModule();
  const parsed = parseWithStandIns(text, (candidate): Attempt<{ statements: Statement[]; text: string }> => {
    let rawStatements: RawStmt[];
    try {
      rawStatements = parseSync(candidate.text).stmts ?? [];
    } catch (error) {
      return syntaxFailure(candidate.text, error);
    }
    const statements = statementsOf(candidate.text, rawStatements);
    return {
      ok: true,
      value: { text: candidate.text, statements: statements.map(({ line, effects }) => ({ line, effects: effects.map((effect) => renameIn(effect, candidate.restore)) })) },
    };
  });
  if (parsed.ok) return { statements: parsed.value.statements, syntaxErrors: [], parsedText: parsed.value.text };
  return { statements: [], syntaxErrors: [parsed.line === undefined ? { message: parsed.message } : { line: parsed.line, message: parsed.message }] };
}

function syntaxFailure(text: string, error: unknown): Attempt<never> {
  const details = typeof error === 'object' && error !== null
    ? (error as { sqlDetails?: { message?: unknown; cursorPosition?: unknown } }).sqlDetails
    : undefined;
  // Anything without sqlDetails is the parser failing, not the SQL: let it surface.
  if (details === undefined) throw error;
  const message = typeof details.message === 'string' ? details.message : String(error);
  if (typeof details.cursorPosition !== 'number') return { ok: false, message };
  // PostgreSQL counts characters as code points; JavaScript strings count UTF-16 units.
  const offset = Array.from(text).slice(0, details.cursorPosition).join('').length;
  return { ok: false, offset, line: lineLocator(text)(offset), message };
}

function statementsOf(text: string, rawStatements: readonly RawStmt[]): Statement[] {
  const charOffset = byteToCharOffset(text);
  const lineOf = lineLocator(text);
  return rawStatements.map((raw) => ({
    // Protobuf JSON leaves out a zero location, and locations are UTF-8 byte offsets.
    line: lineOf(firstCodeCharacter(text, charOffset(raw.stmt_location ?? 0))),
    effects: raw.stmt === undefined ? [] : effectsOf(raw.stmt),
  }));
}

function effectsOf(node: Node): Effect[] {
  if ('CreateStmt' in node) return [{ kind: 'create-table', table: relationName(node.CreateStmt.relation) }];
  if ('CreateTableAsStmt' in node && node.CreateTableAsStmt.objtype === 'OBJECT_TABLE') {
    return [{ kind: 'create-table', table: relationName(node.CreateTableAsStmt.into?.rel) }];
  }
  if ('IndexStmt' in node) {
    return [{ kind: 'create-index', table: relationName(node.IndexStmt.relation), concurrently: node.IndexStmt.concurrent === true }];
  }
  if ('DropStmt' in node) {
    const { removeType, objects = [], concurrent } = node.DropStmt;
    const name = objects.map(objectName).join(', ');
    if (removeType === 'OBJECT_TABLE') return [{ kind: 'drop', object: 'table', name }];
    if (removeType === 'OBJECT_SCHEMA') return [{ kind: 'drop', object: 'schema', name }];
    if (removeType === 'OBJECT_INDEX' && concurrent === true) return [{ kind: 'concurrent', operation: 'DROP INDEX CONCURRENTLY' }];
    return [];
  }
  if ('DropdbStmt' in node) return [{ kind: 'drop', object: 'database', name: node.DropdbStmt.dbname ?? '' }, { kind: 'non-transactional', operation: 'DROP DATABASE' }];
  if ('TruncateStmt' in node) {
    const tables = (node.TruncateStmt.relations ?? []).map((relation) => ('RangeVar' in relation ? relationName(relation.RangeVar) : ''));
    return [{ kind: 'truncate', table: tables.join(', ') }];
  }
  if ('AlterTableStmt' in node && node.AlterTableStmt.objtype === 'OBJECT_TABLE') {
    const table = relationName(node.AlterTableStmt.relation);
    return (node.AlterTableStmt.cmds ?? []).flatMap((command) => ('AlterTableCmd' in command ? alterTableEffects(table, command.AlterTableCmd) : []));
  }
  if ('ReindexStmt' in node) {
    const concurrently = (node.ReindexStmt.params ?? []).some((param) => 'DefElem' in param && param.DefElem.defname === 'concurrently');
    return concurrently ? [{ kind: 'concurrent', operation: 'REINDEX CONCURRENTLY' }] : [];
  }
  if ('VacuumStmt' in node) return vacuumEffects(node.VacuumStmt);
  if ('ClusterStmt' in node) return [{ kind: 'rewrite', table: relationName(node.ClusterStmt.relation), operation: 'cluster' }];
  if ('UpdateStmt' in node) return [{ kind: 'dml', operation: 'UPDATE', table: relationName(node.UpdateStmt.relation) }];
  if ('DeleteStmt' in node) return [{ kind: 'dml', operation: 'DELETE', table: relationName(node.DeleteStmt.relation) }];
  if ('LockStmt' in node) {
    return (node.LockStmt.relations ?? []).map((relation): Effect => ({ kind: 'lock-table', table: 'RangeVar' in relation ? relationName(relation.RangeVar) : '' }));
  }
  if ('CreatedbStmt' in node) return [{ kind: 'non-transactional', operation: 'CREATE DATABASE' }];
  if ('CreateTableSpaceStmt' in node) return [{ kind: 'non-transactional', operation: 'CREATE TABLESPACE' }];
  if ('DropTableSpaceStmt' in node) return [{ kind: 'non-transactional', operation: 'DROP TABLESPACE' }];
  if ('AlterSystemStmt' in node) return [{ kind: 'non-transactional', operation: 'ALTER SYSTEM' }];
  if ('TransactionStmt' in node) {
    const kind = node.TransactionStmt.kind;
    return kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START' ? [{ kind: 'transaction-control' }] : [];
  }
  return [];
}

const AUTO_INCREMENT_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

function alterTableEffects(table: string, command: AlterTableCmd): Effect[] {
  const column = command.name ?? '';
  if (command.subtype === 'AT_DropColumn') return [{ kind: 'drop', object: 'column', name: `${table}.${column}` }];
  if (command.subtype === 'AT_AlterColumnType') return [{ kind: 'column-type', table, column }];
  if (command.subtype === 'AT_AddColumn' && command.def !== undefined && 'ColumnDef' in command.def) {
    const definition = command.def.ColumnDef;
    const typeName = (definition.typeName?.names ?? []).map(objectName).pop() ?? '';
    const constraints = (definition.constraints ?? []).flatMap((constraint) => ('Constraint' in constraint ? [constraint.Constraint.contype] : []));
    return [{
      kind: 'add-column',
      table,
      column: definition.colname ?? '',
      autoIncrement: AUTO_INCREMENT_TYPES.has(typeName.toLowerCase()) || constraints.includes('CONSTR_IDENTITY'),
      notNull: definition.is_not_null === true || constraints.includes('CONSTR_NOTNULL'),
      hasDefault: constraints.includes('CONSTR_DEFAULT'),
    }];
  }
  return [];
}

function vacuumEffects(vacuum: VacuumStmt): Effect[] {
  const operation = vacuum.is_vacuumcmd === false ? 'ANALYZE' : 'VACUUM';
  // ANALYZE alone runs in a transaction; VACUUM never does.
  const effects: Effect[] = operation === 'VACUUM' ? [{ kind: 'non-transactional', operation }] : [];
  const full = (vacuum.options ?? []).some((option) => 'DefElem' in option && option.DefElem.defname === 'full');
  if (full) {
    const tables = (vacuum.rels ?? []).map((rel) => ('VacuumRelation' in rel ? relationName(rel.VacuumRelation.relation) : ''));
    effects.push({ kind: 'rewrite', table: tables.join(', ') || '(every table)', operation: 'vacuum-full' });
  }
  return effects;
}

function relationName(relation: RangeVar | undefined): string {
  return [relation?.schemaname, relation?.relname].filter((part) => part !== undefined).join('.');
}

function objectName(node: Node): string {
  if ('String' in node) return node.String.sval ?? '';
  if ('List' in node) return (node.List.items ?? []).map(objectName).join('.');
  return '';
}

// A statement's location may point at blanks or comments before it; its line is that of its first word.
function firstCodeCharacter(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    if (/\s/.test(text[i])) i += 1;
    else if (text.startsWith('--', i)) i = endOfLine(text, i);
    else if (text.startsWith('/*', i)) i = endOfBlockComment(text, i);
    else break;
  }
  return i;
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline + 1;
}

// PostgreSQL block comments nest.
function endOfBlockComment(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith('/*', i)) [depth, i] = [depth + 1, i + 2];
    else if (text.startsWith('*/', i)) [depth, i] = [depth - 1, i + 2];
    else i += 1;
    if (depth === 0) return i;
  }
  return text.length;
}
