// A tenant group on the real runner: one bucket, five tenant databases on a real PostgreSQL, each
// with its own schema history. One tenant is broken on purpose (a table that clashes with the
// migration). canary and on_error decide which tenants are touched; the outcome record lists every
// tenant; after the fix the next run brings the broken tenant to the group's version, and a tenant
// added later is brought there by the next run too.

import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { OutcomeRecord } from '../../../common/src/outcome';
import { startMoto, type MotoServer } from '../../support/moto';
import { startPostgres } from '../../support/postgres';
import type { DatabaseServer } from '../../support/database-server';
import { EXIT, expectExit, installFlyway, RunnerWorld, type Flyway } from './support';

jest.setTimeout(600_000);

const V1 = 'CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n';
const V2 = 'ALTER TABLE accounts ADD COLUMN plan VARCHAR(20);\n';
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

let moto: MotoServer;
let server: DatabaseServer;
let flyway: Flyway;
let world: RunnerWorld;
let secretId: string;

beforeAll(async () => {
  [moto, server, flyway] = await Promise.all([startMoto(), startPostgres(), installFlyway()]);
  world = new RunnerWorld(moto, server, 'postgresql', flyway);
  const secret = await world.secrets.send(new CreateSecretCommand({ Name: 'rds!cluster-itest-groups', SecretString: JSON.stringify({ username: server.user, password: server.password }) }));
  secretId = secret.ARN ?? '';
});

afterAll(async () => {
  await world?.close();
  await Promise.all([moto?.stop(), server?.stop()]);
  flyway?.remove();
});

async function addGroup(key: string, tenants: readonly string[], group: { canary?: number; on_error?: string }): Promise<void> {
  const bucket = world.bucketOf(key);
  await world.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  await world.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await world.putSettings(key, {
    key,
    bucket,
    group,
    clusters: { default: { engine: 'postgresql', host: server.host, port: server.port, secret_id: secretId } },
    tenants: tenants.map((tenant) => ({ tenant, database: `${key}_${tenant}`, cluster: 'default', schemas: ['public'] })),
    flyway: { connect_retries: 2, lock_timeout_seconds: 120 },
  });
}

/** A tenant whose database already holds a table the group's V1 creates: its migrate fails on V1. */
async function breakTenant(database: string): Promise<void> {
  await world.query('postgres', `CREATE DATABASE ${database}`);
  await world.query(database, 'CREATE TABLE accounts (id INT PRIMARY KEY)');
}

const versionOf = async (database: string) => world.query(database, "SELECT COALESCE(MAX(version), 'none') FROM flyway_schema_history WHERE success").catch(() => 'no history');
const statuses = (record: OutcomeRecord | undefined) => Object.fromEntries((record?.tenants ?? []).map((tenant) => [tenant.tenant, tenant.status]));

describe('on_error = continue: every tenant but the broken one migrates', () => {
  const key = 'shop';

  beforeAll(async () => {
    await addGroup(key, TENANTS, { on_error: 'continue' });
    await breakTenant(`${key}_initech`);
    await world.upload(key, 'V1__create_table_accounts.sql', V1);
    await world.upload(key, 'V2__add_plan.sql', V2);
  });

  it('migrates four tenants, fails naming the fifth, and records every tenant', async () => {
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    // Flyway refuses a schema that holds tables but no history: the clashing table.
    expect(result.summary.reason).toMatch(/^group shop: tenant\(s\) initech failed \(initech: flyway migrate failed: Found non-empty schema\(s\) "public" but no schema history table.*\); 4 of 5 migrated$/);
    for (const tenant of TENANTS.filter((name) => name !== 'initech')) expect(await versionOf(`${key}_${tenant}`)).toBe('2');
    expect(await versionOf(`${key}_initech`)).toBe('no history');
    const record = await world.outcome(key);
    expect(record).toMatchObject({ status: 'failed', migrations_applied: 8 });
    expect(statuses(record)).toEqual({ acme: 'success', globex: 'success', initech: 'failed', umbrella: 'success', hooli: 'success' });
    expect(record?.tenants?.map((tenant) => tenant.tenant)).toEqual(TENANTS);
    expect(record?.tenants?.find((tenant) => tenant.tenant === 'acme')).toMatchObject({ schema_version_before: null, schema_version: '2', migrations_applied: 2, database: 'shop_acme', cluster: 'default' });
    expect(record?.tenants?.find((tenant) => tenant.tenant === 'initech')?.reason).toMatch(/non-empty schema/);
  });

  it('after the fix, the next run brings the broken tenant to the group version and touches no other', async () => {
    await world.query(`${key}_initech`, 'DROP TABLE accounts');
    const result = await world.runner(key, 'migrate', { args: ['--requested-at', new Date().toISOString()] });
    expectExit(result, EXIT.ok);
    const record = await world.outcome(key);
    expect(record).toMatchObject({ status: 'success', schema_version: '2', migrations_applied: 2 });
    expect(Object.values(statuses(record))).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(record?.tenants?.filter((tenant) => tenant.migrations_applied > 0).map((tenant) => tenant.tenant)).toEqual(['initech']);
  });

  it('a tenant added later is brought to the group version by the next run (the settings changed: no skip)', async () => {
    await addGroup(key, [...TENANTS, 'stark'], { on_error: 'continue' });
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(await versionOf(`${key}_stark`)).toBe('2');
    expect(statuses(await world.outcome(key)).stark).toBe('success');
  });
});

describe('canary = 1 with the broken tenant first: no other tenant is touched', () => {
  const key = 'canary';
  const order = ['initech', ...TENANTS.filter((name) => name !== 'initech')];

  beforeAll(async () => {
    await addGroup(key, order, { canary: 1, on_error: 'continue' });
    await breakTenant(`${key}_initech`);
    await world.upload(key, 'V1__create_table_accounts.sql', V1);
  });

  it('fails the canary and starts no other tenant, saying so for each', async () => {
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.summary.reason).toMatch(/^group canary: tenant\(s\) initech failed \(initech: .*\); acme, globex, umbrella, hooli not started; 0 of 5 migrated$/);
    const record = await world.outcome(key);
    expect(statuses(record)).toEqual({ initech: 'failed', acme: 'not_started', globex: 'not_started', umbrella: 'not_started', hooli: 'not_started' });
    expect(record?.tenants?.find((tenant) => tenant.tenant === 'acme')?.reason).toBe('not started: the canary tenant(s) initech failed');
    // Not even created: nothing connected to the other tenants' databases.
    for (const tenant of order.slice(1)) expect(await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${key}_${tenant}'`)).toBe('0');
  });
});

describe('on_error = stop: no tenant starts after a failure', () => {
  const key = 'stop';

  beforeAll(async () => {
    await addGroup(key, TENANTS, { on_error: 'stop' });
    await breakTenant(`${key}_globex`);
    await world.upload(key, 'V1__create_table_accounts.sql', V1);
  });

  it('runs the tenants before the failure (and those running beside it), then starts none', async () => {
    // --max-parallel 1: one tenant at a time, so "after the failure" is exactly the rest of the list.
    const result = await world.runner(key, 'migrate', { args: ['--max-parallel', '1'] });
    expectExit(result, EXIT.migration);
    expect(statuses(await world.outcome(key))).toEqual({ acme: 'success', globex: 'failed', initech: 'not_started', umbrella: 'not_started', hooli: 'not_started' });
    expect(result.summary.reason).toMatch(/globex failed .*; initech, umbrella, hooli not started; 1 of 5 migrated$/);
  });
});

describe('info, validate and repair on a group', () => {
  it.each(['info', 'validate', 'repair'])('%s is refused, saying what to use instead, and nothing is touched', async (action) => {
    const result = await world.runner('shop', action);
    expectExit(result, EXIT.usage);
    expect(result.errorLine).toContain(`${action} is not available for the tenant group shop: each of its 6 tenants has a schema history of its own -- see every tenant's version with aurora-flyway status shop`);
  });
});
