// The aurora-flyway bin offline: lint over the fixture sets and the sample migrations, with the
// exit codes the README documents, and usage errors.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const bin = join(root, 'client/dist/aurora-flyway.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH } });

describe('aurora-flyway lint', () => {
  it('passes the sample migrations on both engines (exit 0), warning about the one hazard each V2 keeps on purpose', () => {
    // Each V2 adds a column and indexes the table V1 created: on PostgreSQL a blocking CREATE INDEX,
    // on MySQL two DDL statements in one file.
    const hazard = { postgresql: 'require-concurrent-index-creation', mysql: 'one-ddl-per-migration' };
    for (const engine of ['postgresql', 'mysql'] as const) {
      for (const database of ['users', 'products']) {
        const result = cli('lint', '--engine', engine, join(root, 'migrations', database));
        expect(`${engine} ${database} ${result.status} ${result.stdout}`).toBe(`${engine} ${database} 0 lint: 2 file(s), 1 warning(s), no errors\n`);
        expect(result.stderr).toMatch(new RegExp(`^V2__\\w+\\.sql:3: warning \\[${hazard[engine]}\\] `, 'm'));
      }
    }
  });

  it('lists every rule with --rules, and says how to silence one', () => {
    const result = cli('lint', '--rules');
    expect(result.status).toBe(0);
    for (const rule of ['syntax', 'require-concurrent-index-creation', 'vacuum-full', 'backfill', 'one-ddl-per-migration', 'prefer-bigint-over-int', 'require-timeout-settings']) {
      expect(result.stdout).toMatch(new RegExp(`^${rule} `, 'm'));
    }
    expect(result.stdout).toMatch(/^prefer-bigint-over-int +postgresql +style \(--style\) +warning +squawk /m);
    expect(result.stdout).toContain('-- aurora-flyway-ignore: <rule>');
  });

  it('names every problem of a fixture set with file, line, rule and what to do, and exits 1', () => {
    const result = cli('lint', '--engine', 'postgresql', join(root, 'test/fixtures/lint/postgresql-problems'));
    expect(result.status).toBe(1);
    for (const rule of ['name', 'duplicate-version', 'empty', 'bom', 'line-endings', 'encoding', 'syntax', 'drop', 'truncate', 'changing-column-type', 'require-concurrent-index-creation', 'ban-concurrent-index-creation-in-transaction']) {
      expect(result.stderr).toMatch(new RegExp(`: (error|warning) \\[${rule}\\] `));
    }
    expect(result.stderr).toMatch(/^V2__risky_changes\.sql:\d+: warning \[drop\] /m);
    expect(result.stderr).toContain('aurora-flyway: lint found');
    expect(result.stderr).toContain('what to do: fix the files named above');
  });

  it('turns warnings into errors with --strict', () => {
    const dir = join(root, 'test/fixtures/lint/mysql-problems');
    expect(cli('lint', '--engine', 'mysql', '--strict', dir).stderr).toMatch(/: error \[drop\] /);
  });

  it('explains missing AWS credentials without a stack trace (exit 3)', () => {
    const home = mkdtempSync(join(tmpdir(), 'aurora-flyway-home-'));
    try {
      const result = spawnSync(process.execPath, [bin, '--name-prefix', 'shop', '--region', 'eu-central-1', 'status'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      expect(result.status).toBe(3);
      expect(result.stderr).toContain('aurora-flyway: no valid AWS credentials while reading /shop/flyway/pipeline from Parameter Store');
      expect(result.stderr).toContain('what to do: configure credentials');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('answers wrong usage with exit 2 and a pipeline command without a pipeline with what to do', () => {
    expect(cli('lint', '--engine', 'oracle').status).toBe(2);
    expect(cli('frobnicate').status).toBe(2);
    const status = cli('status');
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('which pipeline? neither --name-prefix nor --terraform-dir is given');
  });
});
