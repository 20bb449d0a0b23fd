// The real Flyway CLI (Maven Central, from setup) migrates real PostgreSQL and MariaDB servers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseServer } from '../support/database-server';
import { startMariadb } from '../support/mariadb';
import { startPostgres } from '../support/postgres';
import { flyway, mariadb, psql } from '../support/flyway';
import { runOk } from '../support/run';
import { toolchain, toolEnv } from '../support/toolchain';

jest.setTimeout(300_000);

const MIGRATIONS: Record<string, string> = {
  'V1__create_table_persons.sql': 'CREATE TABLE persons (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n',
  'V2__add_email.sql':
    "ALTER TABLE persons ADD COLUMN email VARCHAR(200);\nINSERT INTO persons (id, name, email) VALUES (1, 'Ada', 'ada@example.com');\n",
};

function writeMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-migrations-'));
  for (const [name, sql] of Object.entries(MIGRATIONS)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('Flyway CLI', () => {
  it('is the version that setup pinned', async () => {
    const version = await runOk('flyway', ['-v'], { env: toolEnv() });
    expect(version.stdout).toContain(`Flyway OSS Edition ${toolchain().flywayVersion} by Redgate`);
  });
});

describe('Flyway migrates PostgreSQL', () => {
  let server: DatabaseServer;
  let migrations: string;
  const query = (sql: string) => psql(server, 'smoke', sql);

  beforeAll(async () => {
    server = await startPostgres();
    migrations = writeMigrations();
    await psql(server, 'postgres', 'CREATE DATABASE smoke');
  });
  afterAll(async () => {
    await server?.stop();
    if (migrations) rmSync(migrations, { recursive: true, force: true });
  });

  it('applies V1 and V2', async () => {
    const result = await flyway(server, `jdbc:postgresql://${server.host}:${server.port}/smoke`, migrations, 'migrate');
    expect(result.stdout).toMatch(/Successfully applied 2 migrations/);
    expect((await query('SELECT id, name, email FROM persons')).stdout.trim()).toBe('1|Ada|ada@example.com');
    expect((await query('SELECT version, script, success FROM flyway_schema_history ORDER BY installed_rank')).stdout.trim()).toBe(
      '1|V1__create_table_persons.sql|t\n2|V2__add_email.sql|t',
    );
  });
});

describe('Flyway migrates MariaDB', () => {
  let server: DatabaseServer;
  let migrations: string;
  const query = (sql: string) => mariadb(server, 'smoke', sql);

  beforeAll(async () => {
    server = await startMariadb();
    migrations = writeMigrations();
  });
  afterAll(async () => {
    await server?.stop();
    if (migrations) rmSync(migrations, { recursive: true, force: true });
  });

  it('creates the schema (recorded as a version-less row) and applies V1 and V2', async () => {
    const result = await flyway(server, `jdbc:mariadb://${server.host}:${server.port}/`, migrations, 'migrate', '-schemas=smoke');
    expect(result.stdout).toMatch(/Successfully applied 2 migrations/);
    expect((await query('SELECT id, name, email FROM persons')).stdout.trim()).toBe('1\tAda\tada@example.com');
    expect((await query('SELECT version, script, success FROM flyway_schema_history ORDER BY installed_rank')).stdout.trim()).toBe(
      'NULL\t`smoke`\t1\n1\tV1__create_table_persons.sql\t1\n2\tV2__add_email.sql\t1',
    );
  });
});
