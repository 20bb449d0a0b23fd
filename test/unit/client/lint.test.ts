import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintFiles, type Engine, type Finding, type LintFile } from '../../../client/src/lint';
import { splitMysqlStatements } from '../../../client/src/lint/mysql-statements';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'lint');

const folder = (path: string): LintFile[] => readdirSync(path).map((name) => ({ name, content: readFileSync(join(path, name)) }));
const sql = (name: string, text: string): LintFile => ({ name, content: Buffer.from(text, 'utf8') });
/** `file:line severity rule`, the part of a finding every assertion cares about. */
const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.file}:${f.line ?? '-'} ${f.severity} ${f.rule}`);
const lint = async (files: readonly LintFile[], engine: Engine, strict = false) => (await lintFiles(files, { engine, strict })).findings;

describe('lintFiles on PostgreSQL', () => {
  const fixture = folder(join(FIXTURES, 'postgresql-problems'));

  it('reports every problem of the fixture at its line, sorted by file then line, and nothing else', async () => {
    expect(brief(await lint(fixture, 'postgresql'))).toEqual([
      'R__refresh views.sql:- error duplicate-description',
      'R__refresh_views.sql:- error duplicate-description',
      'V01__same_version.sql:- error duplicate-version',
      // The module rejects the upper-case suffix: an error, never a silently ignored file.
      'V11__upper_case_suffix.SQL:- error name',
      // V1 indexes the table it creates: no require-concurrent-index-creation (squawk's finding dropped).
      'V1__create_accounts.sql:- error duplicate-version',
      // squawk's rules, at the line where each statement starts (squawk points at the clause, line 5).
      'V2__risky_changes.sql:2 warning require-concurrent-index-creation',
      'V2__risky_changes.sql:3 warning ban-drop-column',
      'V2__risky_changes.sql:4 warning changing-column-type',
      // Ours, for what squawk 2.66 lacks: a plain TRUNCATE, DROP SCHEMA.
      'V2__risky_changes.sql:6 warning truncate',
      'V2__risky_changes.sql:7 warning ban-drop-table',
      'V2__risky_changes.sql:8 warning drop',
      // V3 builds concurrently but inside BEGIN (squawk's rule; ours is covered by it); V4 builds concurrently alone: fine.
      'V3__concurrently_in_transaction.sql:2 warning ban-concurrent-index-creation-in-transaction',
      'V5__syntax_error.sql:3 error syntax',
      'V6__only_comments.sql:- error empty',
      'V7__byte_order_mark.sql:1 warning bom',
      'V8__mixed_line_endings.sql:3 warning line-endings',
      'V9__latin1.sql:2 error encoding',
      'afterMigrate.sql:- warning callback',
      'v10__lowercase_prefix.sql:- error name',
    ]);
  });

  it('says what is wrong and what to do instead, naming the other file and the parser\'s message', async () => {
    const findings = await lint(fixture, 'postgresql');
    const byRule = (rule: string) => findings.filter((f) => f.rule === rule);
    expect(byRule('duplicate-version')[0].message).toBe('Version 1 is also used by V1__create_accounts.sql.');
    expect(byRule('duplicate-description')[0].message).toMatch(/"refresh views" is also used by R__refresh_views\.sql/);
    expect(byRule('syntax')[0].message).toBe('The PostgreSQL parser reports: syntax error at or near "SELEC".');
    const named = (file: string) => findings.find((f) => f.rule === 'name' && f.file === file);
    expect(named('v10__lowercase_prefix.sql')).toMatchObject({ message: expect.stringMatching(/lowercase prefix/), fix: expect.stringMatching(/V<version>__<description>\.sql .* R__<description>\.sql/) });
    expect(named('V11__upper_case_suffix.SQL')).toMatchObject({
      message: expect.stringMatching(/^The module rejects this file, although Flyway itself would run it: upper-case or mixed-case suffix: .*sqlMigrationSuffixes/),
      fix: 'Rename it to V11__upper_case_suffix.sql.',
    });
    expect(byRule('callback')[0].message).toMatch(/afterMigrate callback, which only runs when the database enables callbacks/);
    // The placeholder's name, not the stand-in the parser saw.
    expect(byRule('drop').map((f) => f.message)).toEqual(['DROP SCHEMA ${old_schema} deletes the schema and everything in it.']);
    // squawk's message, our fix.
    expect(byRule('ban-drop-column')[0]).toMatchObject({ message: 'Dropping a column may break existing clients.', fix: 'Keep the old column until no code reads it, then drop it in a later release.' });
    expect(byRule('changing-column-type')[0].fix).toMatch(/^Add a new column, backfill/);
    expect(byRule('require-concurrent-index-creation')[0].fix).toMatch(/CREATE INDEX CONCURRENTLY, alone in a migration of its own/);
    expect(byRule('ban-concurrent-index-creation-in-transaction')[0].fix).toMatch(/alone in a migration of its own, without BEGIN or COMMIT/);
    for (const finding of findings) {
      expect(finding.message).toMatch(/^\S.*\.$/);
      expect(finding.fix).toMatch(/^\S.*\.$/);
    }
  });

  it('strict: every warning becomes an error and keeps its rule', async () => {
    const normal = await lint(fixture, 'postgresql');
    const strict = await lint(fixture, 'postgresql', true);
    expect(normal.some((f) => f.severity === 'warning')).toBe(true);
    expect(strict.every((f) => f.severity === 'error')).toBe(true);
    expect(strict.map(({ file, line, rule, message }) => ({ file, line, rule, message }))).toEqual(normal.map(({ file, line, rule, message }) => ({ file, line, rule, message })));
  });

  it('counts a table as new only when the same file created it earlier: one from an earlier migration is live', async () => {
    expect(await lint([sql('V9__create.sql', 'CREATE TABLE app.t (a INT);\nCREATE INDEX t_a ON t (a);\nUPDATE app.t SET a = 1;\n')], 'postgresql')).toEqual([]);
    const createThenIndex = [sql('V9__create.sql', 'CREATE TABLE app.t (a INT);\n'), sql('V10__index.sql', 'CREATE INDEX t_a ON t (a);\n')];
    expect(brief(await lint(createThenIndex, 'postgresql'))).toEqual(['V10__index.sql:1 warning require-concurrent-index-creation']);
    const otherSchema = [sql('V1__create.sql', 'CREATE TABLE a.t (x INT);\nCREATE INDEX t_x ON b.t (x);\n')];
    expect(brief(await lint(otherSchema, 'postgresql'))).toEqual(['V1__create.sql:2 warning require-concurrent-index-creation']);
  });

  it('flags a statement that cannot run in a transaction next to others (Flyway refuses the mix), and none that is alone', async () => {
    const shared = sql('V1__shared.sql', 'DROP INDEX CONCURRENTLY i;\nREINDEX INDEX CONCURRENTLY j;\nSELECT 1;\n');
    expect(brief(await lint([shared], 'postgresql'))).toEqual([
      'V1__shared.sql:1 warning non-transactional-mix',
      'V1__shared.sql:2 warning non-transactional-mix',
    ]);
    expect((await lint([shared], 'postgresql'))[1].message).toMatch(/^REINDEX CONCURRENTLY cannot run in a transaction, and the file has 1 other statement: Flyway refuses/);
    expect(brief(await lint([sql('V1__vacuum.sql', 'VACUUM orders;\nALTER TABLE orders ADD COLUMN x int;\n')], 'postgresql'))).toEqual(['V1__vacuum.sql:1 warning non-transactional-mix']);
    expect(await lint([sql('V1__alone.sql', 'DROP INDEX CONCURRENTLY i;\nREINDEX INDEX CONCURRENTLY j;\n')], 'postgresql')).toEqual([]);
  });

  it('finds lines after multi-byte text and comments (the parser counts bytes)', async () => {
    const text = '-- naïve café 😀\nSELECT \'€\';\n/* ü\n */\n\n  DROP TABLE t;\nSELEC 1;\n';
    expect(brief(await lint([sql('V1__a.sql', text)], 'postgresql'))).toEqual(['V1__a.sql:7 error syntax']);
    expect(brief(await lint([sql('V1__a.sql', text.replace('SELEC 1;\n', ''))], 'postgresql'))).toEqual(['V1__a.sql:6 warning ban-drop-table']);
  });

  it('reads placeholders as names or numbers, wherever they stand', async () => {
    const text = 'CREATE TABLE ${schema}.t (a VARCHAR(${length}), b TEXT DEFAULT \'${b}\');\nGRANT SELECT ON ${schema}.t TO ${reader};\n';
    expect(await lint([sql('V1__a.sql', text)], 'postgresql')).toEqual([]);
    const nowhere = await lint([sql('V1__a.sql', 'SELECT 1;\nCREATE ${kind} TABLE t (a INT);\n')], 'postgresql');
    expect(nowhere.map(({ line, message }) => ({ line, message }))).toEqual([{ line: 2, message: 'The PostgreSQL parser reports: syntax error at or near "${kind}".' }]);
  });

  it('looks at .sql files only', async () => {
    expect(await lint([sql('notes.txt', 'DROP TABLE t;'), sql('README.md', ''), sql('V1__x.SQL.bak', 'DROP TABLE t;')], 'postgresql')).toEqual([]);
  });

  it('reports an upper- or mixed-case .sql suffix as a name error whose fix names the right file name', async () => {
    for (const name of ['V1__create.SQL', 'R__views.Sql', 'afterMigrate.sQl']) {
      const findings = await lint([sql(name, 'SELECT 1;\n')], 'postgresql');
      const right = `${name.slice(0, -4)}.sql`;
      expect(findings).toEqual([{ file: name, severity: 'error', rule: 'name', message: expect.stringMatching(/lower-case \.sql/), fix: `Rename it to ${right}.` }]);
    }
    // Two files Flyway would see as one version stay apart: only the lower-case one is a migration.
    expect(brief(await lint([sql('V1__a.sql', 'SELECT 1;\n'), sql('V1__a.SQL', 'SELECT 1;\n')], 'postgresql'))).toEqual(['V1__a.SQL:- error name']);
  });

  it('says so when the lower-case name would still be rejected', async () => {
    const [finding] = await lint([sql('v1__create.SQL', 'SELECT 1;\n')], 'postgresql');
    expect(finding).toMatchObject({ file: 'v1__create.SQL', severity: 'error', rule: 'name', message: expect.stringMatching(/lower-case \.sql/) });
    expect(finding.fix).toMatch(/^Rename it to end in \.sql and fix the name too: v1__create\.sql would be rejected for lowercase prefix: .*\. Name it V<version>__<description>\.sql/);
  });
});

describe('lintFiles on MySQL / MariaDB', () => {
  const fixture = folder(join(FIXTURES, 'mysql-problems'));

  it('reports every problem of the fixture at its line, and nothing else', async () => {
    expect(brief(await lint(fixture, 'mysql'))).toEqual([
      'V1.0__same_version.sql:- error duplicate-version',
      // V1 sizes a column with a placeholder: no syntax error.
      'V1__create_products.sql:- error duplicate-version',
      'V2__risky_changes.sql:1 warning drop',
      'V2__risky_changes.sql:2 warning column-type',
      // Six DDL statements: reported once, at the second.
      'V2__risky_changes.sql:2 warning one-ddl-per-migration',
      'V2__risky_changes.sql:3 warning column-type',
      'V2__risky_changes.sql:3 warning rename',
      'V2__risky_changes.sql:4 warning truncate',
      'V2__risky_changes.sql:5 warning drop',
      'V2__risky_changes.sql:6 warning drop',
      // Statement by statement: the first error does not hide the second, inside a later statement.
      'V3__syntax_errors.sql:2 error syntax',
      'V3__syntax_errors.sql:6 error syntax',
      'V4__only_comments.sql:- error empty',
    ]);
  });

  it('names the changes it warns about and quotes the parser', async () => {
    const findings = await lint(fixture, 'mysql');
    expect(findings.filter((f) => f.rule === 'drop').map((f) => f.message)).toEqual([
      "DROP COLUMN products.name deletes the column's data and breaks code that still reads it.",
      'DROP TABLE legacy deletes the table and all its rows.',
      'DROP DATABASE old_shop deletes the whole database.',
    ]);
    expect(findings.filter((f) => f.rule === 'column-type').map((f) => f.message)).toEqual([
      'Redefining products.id with MODIFY or CHANGE COLUMN can copy the whole table while blocking writes.',
      'Redefining products.sku with MODIFY or CHANGE COLUMN can copy the whole table while blocking writes.',
    ]);
    expect(findings.find((f) => f.rule === 'syntax')?.message).toMatch(/grammar accepts the statement: Expected .* but "\*" found\.$/);
  });

  it('strict: every warning becomes an error', async () => {
    const strict = await lint(fixture, 'mysql', true);
    expect(brief(strict).filter((line) => line.includes('warning'))).toEqual([]);
    expect(brief(strict)).toContain('V2__risky_changes.sql:4 error truncate');
  });

  it('accepts valid MariaDB that node-sql-parser does not know: DELIMITER blocks, SET NAMES, foreign keys, placeholders', async () => {
    // No error; its six DDL statements are one hazard (a failure half-applies the file).
    expect(brief(await lint(folder(join(FIXTURES, 'mysql-valid')), 'mysql'))).toEqual(['V1__mariadb_specific.sql:7 warning one-ddl-per-migration']);
  });

  it('has no PostgreSQL-only warnings', async () => {
    expect(await lint([sql('V1__a.sql', 'CREATE INDEX i ON existing (a);\n')], 'mysql')).toEqual([]);
    expect(await lint([sql('V1__b.sql', 'VACUUM FULL existing;\n')], 'mysql')).toEqual(expect.not.arrayContaining([expect.objectContaining({ rule: 'vacuum-full' })]));
  });

  it('splits on the current delimiter, never inside quotes or comments', () => {
    const text = [
      "INSERT INTO t VALUES ('a;b', \"c\\\";d\", `e;f`, 'it''s');",
      '-- a comment; not a statement',
      '# another; also not',
      'SELECT 1--1;',
      '/* block; comment */',
      'DELIMITER $$',
      'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END $$',
      'DELIMITER ;',
      'SELECT 3',
    ].join('\n');
    const statements = splitMysqlStatements(text);
    expect(statements.map((s) => s.text)).toEqual([
      "INSERT INTO t VALUES ('a;b', \"c\\\";d\", `e;f`, 'it''s')",
      'SELECT 1--1',
      'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END ',
      'SELECT 3',
    ]);
    expect(statements.map((s) => text.slice(0, s.offset).split('\n').length)).toEqual([1, 4, 7, 9]);
    expect(statements[0].shape).toBe("INSERT INTO t VALUES ('   ', \"     \", `   `, '     ')");
  });
});

describe('the sample migrations', () => {
  // They are written to run on both engines (see test/integration/sample-migrations.test.ts).
  const samples = ['users', 'products'];
  const engines: Engine[] = ['postgresql', 'mysql'];

  it.each(engines.flatMap((engine) => samples.map((sample) => [sample, engine] as const)))('migrations/%s has no error on %s', async (sample, engine) => {
    const findings = await lint(folder(join(ROOT, 'migrations', sample)), engine);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
