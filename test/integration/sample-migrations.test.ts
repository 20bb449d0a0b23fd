// The sample migrations in migrations/ are valid on both engines the module supports.
import { join } from 'node:path';
import { DatabaseServer } from '../support/database-server';
import { flyway, mariadb, psql } from '../support/flyway';
import { startMariadb } from '../support/mariadb';
import { startPostgres } from '../support/postgres';
import { PROJECT_ROOT } from '../support/terraform';

jest.setTimeout(300_000);

const SAMPLES = ['users', 'products'];

describe.each([
  ['PostgreSQL', startPostgres],
  ['MariaDB', startMariadb],
] as const)('sample migrations on %s', (engine, start) => {
  let server: DatabaseServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => server?.stop());

  it.each(SAMPLES)('applies migrations/%s', async (sample) => {
    const locations = join(PROJECT_ROOT, 'migrations', sample);
    let history: string;
    if (engine === 'PostgreSQL') {
      await psql(server, 'postgres', `CREATE DATABASE ${sample}`);
      const result = await flyway(server, `jdbc:postgresql://${server.host}:${server.port}/${sample}`, locations, 'migrate');
      expect(result.stdout).toMatch(/Successfully applied 2 migrations/);
      history = (await psql(server, sample, 'SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank')).stdout;
    } else {
      const result = await flyway(server, `jdbc:mariadb://${server.host}:${server.port}/`, locations, 'migrate', `-schemas=${sample}`);
      expect(result.stdout).toMatch(/Successfully applied 2 migrations/);
      history = (await mariadb(server, sample, 'SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank')).stdout;
    }
    expect(history.trim().split('\n')).toEqual(['1', '2']);
  });
});
