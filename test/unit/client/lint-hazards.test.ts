// The lock and data hazards: the corpus the bench scores (bench/lint-corpus) as a regression test,
// squawk's place in lint, silencing one statement, files already applied, and the rule list.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintFiles, RULES, type Engine, type LintFile, type LintOptions } from '../../../client/src/lint';
import { ruleById, squawkExclusions } from '../../../client/src/lint/rules';

const CORPUS = join(__dirname, '..', '..', '..', 'bench', 'lint-corpus');
const folder = (engine: Engine, kind: string): LintFile[] => readdirSync(join(CORPUS, engine, kind)).map((name) => ({ name, content: readFileSync(join(CORPUS, engine, kind, name)) }));
const sql = (name: string, text: string): LintFile => ({ name, content: Buffer.from(text, 'utf8') });
const hazardFiles = (findings: readonly { file: string; rule: string }[]) => new Set(findings.filter((f) => ['hazard', 'style'].includes(ruleById(f.rule)?.kind ?? '')).map((f) => f.file));

describe.each(['postgresql', 'mysql'] as const)('the hazard corpus on %s', (engine) => {
  it('flags every hazard file and no safe pattern (the setup file V1 aside)', async () => {
    const hazards = folder(engine, 'hazards');
    const flagged = hazardFiles((await lintFiles(hazards, { engine })).findings);
    expect(hazards.map((file) => file.name).filter((name) => name !== 'V1__tables.sql' && !flagged.has(name))).toEqual([]);
    const safe = folder(engine, 'safe');
    const falsePositives = [...hazardFiles((await lintFiles(safe, { engine })).findings)].filter((name) => name !== 'V1__tables.sql');
    expect(falsePositives).toEqual([]);
  });
});

describe('squawk inside lint', () => {
  it('runs with its safety rules only: style rules wait for --style, timeout rules are moot (the runner sets both timeouts)', async () => {
    expect(squawkExclusions(false)).toEqual(expect.arrayContaining(['prefer-bigint-over-int', 'prefer-robust-stmts', 'require-timeout-settings', 'require-lock-timeout']));
    expect(squawkExclusions(true)).not.toContain('prefer-bigint-over-int');
    const file = [sql('V2__qty.sql', 'ALTER TABLE orders ADD COLUMN quantity int;\n')];
    expect((await lintFiles(file, { engine: 'postgresql' })).findings).toEqual([]);
    expect((await lintFiles(file, { engine: 'postgresql', style: true })).findings.map((f) => f.rule)).toContain('prefer-bigint-over-int');
  });

  it('gives squawk the text with placeholders stood in for, so ${...} does not read as a syntax error', async () => {
    let seen = '';
    const options: LintOptions = { engine: 'postgresql', squawk: async (files) => { seen = files[0]?.text ?? ''; return []; } };
    await lintFiles([sql('V2__p.sql', 'CREATE INDEX i ON ${schema}.t (a);\n')], options);
    expect(seen).toBe('CREATE INDEX i ON flyway_placeholder_0_.t (a);\n');
  });

  it('says so once, as a warning, when squawk cannot run, and still checks with its own rules', async () => {
    const options: LintOptions = { engine: 'postgresql', squawk: async () => { throw new Error('no binary for this platform'); } };
    const { findings } = await lintFiles([sql('V2__t.sql', 'TRUNCATE orders;\nCREATE INDEX i ON orders (a);\n')], options);
    expect(findings.map((f) => `${f.file}:${f.line ?? '-'} ${f.rule}`)).toEqual(['(files):- squawk-unavailable'.replace('(files)', ''), 'V2__t.sql:1 truncate', 'V2__t.sql:2 index-without-concurrently']);
    expect(findings[0].message).toMatch(/no binary for this platform/);
  });

  it('passes the PostgreSQL version on to squawk', async () => {
    let version = '';
    await lintFiles([sql('V2__t.sql', 'SELECT 1;\n')], { engine: 'postgresql', postgresVersion: '13', squawk: async (_files, options) => { version = options.postgresVersion; return []; } });
    expect(version).toBe('13');
  });
});

describe('silencing a hazard for one statement', () => {
  const text = [
    'ALTER TABLE orders ADD COLUMN note text;',
    '-- aurora-flyway-ignore: backfill, require-concurrent-index-creation',
    "UPDATE orders SET note = '';",
    'CREATE INDEX orders_note ON orders (note);',
    '-- aurora-flyway-ignore: not-a-rule',
    'TRUNCATE orders;',
    '',
  ].join('\n');

  it('silences the named rules on the statement right after the comment, reports what it silenced, and nothing else', async () => {
    const result = await lintFiles([sql('V2__x.sql', text)], { engine: 'postgresql' });
    expect(result.silenced.map((f) => `${f.line} ${f.rule}`)).toEqual(['3 backfill']);
    // The index is two lines below the comment: still reported.
    expect(result.findings.map((f) => `${f.line} ${f.rule}`)).toEqual(['4 require-concurrent-index-creation', '6 truncate']);
    expect(result.notes).toEqual(['V2__x.sql:5: aurora-flyway-ignore names not-a-rule, which is no rule (see aurora-flyway lint --rules)']);
  });

  it('takes # comments on MySQL, and never silences an error', async () => {
    const mysql = await lintFiles([sql('V2__x.sql', "# aurora-flyway-ignore: backfill\nUPDATE t SET a = 1;\n")], { engine: 'mysql' });
    expect(mysql.silenced.map((f) => f.rule)).toEqual(['backfill']);
    const broken = await lintFiles([sql('V2__y.sql', '-- aurora-flyway-ignore: syntax\nSELEC 1;\n')], { engine: 'postgresql' });
    expect(broken.findings.map((f) => f.rule)).toEqual(['syntax']);
    expect(broken.notes).toEqual(['V2__y.sql:1: syntax cannot be silenced (the file would fail or be refused)']);
  });
});

describe('files already in the bucket', () => {
  it('count as applied: checked for names and syntax, not for hazards, and the report says so', async () => {
    const files = [sql('V1__a.sql', 'DROP TABLE old;\n'), sql('V2__b.sql', 'TRUNCATE orders;\n'), sql('V01__c.sql', 'SELECT 1;\n')];
    const result = await lintFiles(files, { engine: 'postgresql', applied: ['V1__a.sql'] });
    expect(result.findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['V01__c.sql duplicate-version', 'V1__a.sql duplicate-version', 'V2__b.sql truncate']);
    expect(result.notes).toEqual(['1 file(s) already in the bucket count as applied and are not checked for hazards: V1__a.sql']);
  });
});

describe('MySQL hazards', () => {
  const rulesOf = async (text: string) => (await lintFiles([sql('V2__x.sql', text)], { engine: 'mysql' })).findings.map((f) => f.rule);

  it.each([
    ['ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY;', 'algorithm-copy'],
    ['ALTER TABLE t ADD INDEX i (c), LOCK = EXCLUSIVE;', 'blocking-lock-clause'],
    ['ALTER TABLE t FORCE;', 'table-rebuild'],
    ['OPTIMIZE TABLE t;', 'table-rebuild'],
    ['ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (id);', 'add-primary-key'],
    ['CREATE FULLTEXT INDEX ft ON t (body);', 'fulltext-index'],
    ['ALTER TABLE t RENAME TO u;', 'rename'],
    ['ALTER TABLE t CHANGE COLUMN `a` `b` INT;', 'rename'],
    ['ALTER TABLE t ADD COLUMN c DECIMAL(12,2) NOT NULL;', 'not-null-without-default'],
    ['DELETE FROM t WHERE a = 1;', 'backfill'],
    ['LOCK TABLES t WRITE;', 'lock-table'],
  ])('%s is %s', async (text, rule) => {
    expect(await rulesOf(text)).toContain(rule);
  });

  it.each([
    'ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT;',
    'ALTER TABLE t ADD INDEX i (c), ALGORITHM=INPLACE, LOCK=NONE;',
    "ALTER TABLE t ADD COLUMN c DECIMAL(12,2) NOT NULL DEFAULT 0;",
    'ALTER TABLE t CHANGE COLUMN a a BIGINT;',
    "INSERT INTO t VALUES ('ALGORITHM=COPY');",
  ])('%s has no hazard of those', async (text) => {
    expect((await rulesOf(text)).filter((rule) => rule !== 'column-type')).toEqual([]);
  });

  it('warns about the first FULLTEXT index of a table only', async () => {
    const files = [sql('V2__a.sql', 'ALTER TABLE t ADD FULLTEXT INDEX a (x);\n'), sql('V3__b.sql', 'ALTER TABLE t ADD FULLTEXT INDEX b (y);\n')];
    expect((await lintFiles(files, { engine: 'mysql' })).findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['V2__a.sql fulltext-index']);
  });
});

describe('the rule list', () => {
  it('lists every rule once, each with engines, a kind, a severity and a summary', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.engines.length).toBeGreaterThan(0);
      expect(rule.summary).not.toBe('');
      for (const covering of rule.coveredBy ?? []) expect(ruleById(covering)?.by).toBe('squawk');
    }
  });
});
