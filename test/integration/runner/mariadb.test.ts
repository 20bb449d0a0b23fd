// The built runner with the real Flyway CLI against a real MariaDB server (engine "mysql") over
// verified TLS: Flyway creates the schema; a failed migration stays recorded until `repair`; a
// migration cannot read the host's files.
import { startMariadb } from '../../support/mariadb';
import { startMoto, MotoServer } from '../../support/moto';
import { DatabaseServer } from '../../support/database-server';
import { endOpenSessions, openMariadbSession } from '../../support/pg-session';
import { ChildArgvRecorder, EXIT, Flyway, installFlyway, RunnerWorld, expectExit } from './support';

jest.setTimeout(600_000);

const V1 = 'CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n';
const V2 = "INSERT INTO products (id, name) VALUES (1, '${first_product}');\n";
const BROKEN_V3 = 'INSERT INTO no_such_table VALUES (1);\n';
const FIXED_V3 = 'CREATE TABLE prices (product_id INT PRIMARY KEY, cents INT NOT NULL);\n';

let moto: MotoServer;
let server: DatabaseServer;
let flyway: Flyway;
let world: RunnerWorld;
let children: ChildArgvRecorder;

beforeAll(async () => {
  [moto, server, flyway] = await Promise.all([startMoto(), startMariadb(), installFlyway()]);
  world = new RunnerWorld(moto, server, 'mysql', flyway);
  // Every program any run of this file starts goes through a shim that records its arguments.
  children = ChildArgvRecorder.create(flyway);
  world.runnerEnv = children.env;
});

afterAll(async () => {
  endOpenSessions();
  children?.remove();
  await world?.close();
  await Promise.all([moto?.stop(), server?.stop()]);
  flyway?.remove();
});


describe('engine mysql on MariaDB', () => {
  const key = 'products';
  const history = () => world.query(key, 'SELECT version, script, success FROM flyway_schema_history ORDER BY installed_rank');

  beforeAll(async () => {
    await world.addDatabase(key, { flyway: { placeholders: { first_product: 'Teapot' } } });
    await world.upload(key, 'V1__create_table_products.sql', V1);
    await world.upload(key, 'V2__first_product.sql', V2);
  });

  it('fresh: Flyway creates the schema, V1 and V2 are applied', async () => {
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.migrateRuns).toBe(1);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_before: null, schema_version_after: '2', migrations_applied: 2, flyway_exit_code: 0 });
    expect(await history()).toBe('NULL\t`products`\t1\n1\tV1__create_table_products.sql\t1\n2\tV2__first_product.sql\t1');
    expect(await world.query(key, 'SELECT name FROM products')).toBe('Teapot');
  });

  it('broken SQL in V3: migration exit code, and the failure is recorded', async () => {
    await world.upload(key, 'V3__create_table_prices.sql', BROKEN_V3);
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.summary).toMatchObject({ status: 'failed', schema_version_before: '2', schema_version_after: '2', migrations_applied: 0, flyway_exit_code: 1 });
    expect(result.summary.reason).toMatch(/^migration V3__create_table_prices\.sql failed: .*no_such_table/);
    expect(result.errorLine).toMatch(/-- MySQL cannot roll back DDL, .*run --action repair, then upload the fixed file/);
    expect(await history()).toMatch(/\n3\tV3__create_table_prices\.sql\t0$/);
  });

  it('a fixed V3 alone is refused while the failure is recorded', async () => {
    await world.upload(key, 'V3__create_table_prices.sql', FIXED_V3);
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.errorLine).toMatch(/^flyway-runner: error: validation failed: the earlier failure of V3__create_table_prices\.sql \(version 3\) is still recorded in flyway_schema_history; nothing was applied -- .*run --action repair/);
  });

  it('repair, then the fixed V3 succeeds', async () => {
    const repair = await world.runner(key, 'repair');
    expectExit(repair, EXIT.ok);
    expect(repair.summary).toMatchObject({ action: 'repair', status: 'success', schema_version_after: '2' });
    expect(await history()).not.toContain('V3__');

    // repair forgets the last migrate's bucket listing, so an unchanged bucket migrates again.
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.migrateRuns).toBe(1);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_before: '2', schema_version_after: '3', migrations_applied: 1 });
    expect(await history()).toMatch(/\n3\tV3__create_table_prices\.sql\t1$/);
  });

  it('a wrong password: authentication exit code, checked with the MariaDB client before Flyway starts', async () => {
    await world.addDatabase('wrongpw', { secret: { username: server.user, password: 'not-the-password' } });
    const result = await world.runner('wrongpw');
    expectExit(result, EXIT.auth);
    expect(result.errorLine).toMatch(/^flyway-runner: error: authentication failed for user flyway_admin on 127\.0\.0\.1:\d+: .*Access denied/);
    expect(result.stdout + result.stderr).not.toContain(server.password);
  });

  it('a migration cannot read the host\'s files: LOAD DATA LOCAL INFILE is refused by the runner\'s connection', async () => {
    // The server allows it, so the refusal can only come from the client side (allowLocalInfile=false).
    await world.query('mysql', 'SET GLOBAL local_infile = 1');
    expect(await world.query('mysql', "SELECT @@GLOBAL.local_infile")).toBe('1');
    const key = 'leaky';
    await world.addDatabase(key);
    await world.upload(key, 'V1__leak.sql', "CREATE TABLE leak (line TEXT);\nLOAD DATA LOCAL INFILE '/proc/self/environ' INTO TABLE leak;\n");
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.errorLine).toMatch(/^flyway-runner: error: migration V1__leak\.sql failed: .*(LOCAL INFILE|local infile|Local infile)/i);
    expect(await world.query(key, 'SELECT count(*) FROM leak')).toBe('0');
    expect(result.stdout).not.toContain(server.password);
  });

  it('no password in the arguments of any program the runs above started: the MariaDB client and Flyway\'s JVM among them', () => {
    const starts = children.starts();
    expect(children.startsWith(server.password, 'not-the-password')).toEqual([]);
    const of = (tool: string) => starts.filter((start) => start.tool === tool).map((start) => start.args.join(' '));
    // The readiness check, with the login's user only; the wrong password's run stopped there.
    expect(of('mariadb')).toContainEqual(expect.stringMatching(new RegExp(`-h 127\\.0\\.0\\.1 -P \\d+ -u ${server.user} .*--ssl-verify-server-cert -N -B -e SELECT 1$`)));
    expect(of('java')).toContainEqual(expect.stringMatching(/ org\.flywaydb\.commandline\.Main -outputType=json -skipCheckForUpdate migrate info$/));
    expect(of('java').length).toBe(of('flyway').length);
  });
});

describe('a migration behind a long transaction on MariaDB', () => {
  const key = 'held';
  const history = () => world.query(key, "SELECT group_concat(concat(version, ':', success) ORDER BY installed_rank) FROM flyway_schema_history WHERE version IS NOT NULL");

  beforeAll(async () => {
    // A 1 s lock_wait_timeout and two retries keep the case short; the module's defaults are 10 s and 3.
    await world.addDatabase(key, { flyway: { db_lock_timeout_ms: 1_000, db_statement_timeout_ms: 60_000, lock_retries: 2 } });
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT PRIMARY KEY);\n');
    expectExit(await world.runner(key), EXIT.ok);
    await world.upload(key, 'V2__add_c.sql', '-- one DDL statement, so a timeout applies nothing\nALTER TABLE t ADD COLUMN c INT;\n');
  });

  it('times out on its metadata lock, is undone (repair) and retried, and fails with nothing applied and no failed row left', async () => {
    const holder = openMariadbSession(server, key, 'holder');
    holder.send("BEGIN; SELECT 'holding', COUNT(*) FROM t;");
    await holder.waitFor('holding');
    const result = await world.runner(key);
    await holder.close();
    expectExit(result, EXIT.migration);
    expect(result.stdout.match(/removed the failed attempt from flyway_schema_history/g)).toHaveLength(3);
    expect(result.summary.reason).toMatch(/^migration V2__add_c\.sql waited longer than the lock timeout \(1 s\) for a lock held by another session \(line 2\), tried 3 times; nothing of it was applied \(it timed out on its first statement; the failed attempt was removed from the schema history\)/);
    expect(await history()).toBe('1:1');
    expect(await world.query(key, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'held' AND table_name = 't' AND column_name = 'c'")).toBe('0');
  });

  it('runs once the transaction is gone, with no repair by hand', async () => {
    const result = await world.runner(key);
    expectExit(result, EXIT.ok);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_after: '2' });
    expect(await history()).toBe('1:1,2:1');
  });
});
