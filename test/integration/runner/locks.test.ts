// Lock safety with the built runner, the real Flyway CLI and a real PostgreSQL server: CREATE
// INDEX CONCURRENTLY runs (Flyway's own lock no longer waits for it), every migration session has
// the database's lock timeout, a migration that times out is tried again and, when it still
// cannot get its lock, fails naming the session that holds it, with nothing applied.

import { startMoto, type MotoServer } from '../../support/moto';
import { startPostgres } from '../../support/postgres';
import type { DatabaseServer } from '../../support/database-server';
import { endOpenSessions, openPsqlSession } from '../../support/pg-session';
import { EXIT, installFlyway, RunnerWorld, type Flyway, expectExit } from './support';

jest.setTimeout(600_000);

let moto: MotoServer;
let server: DatabaseServer;
let flyway: Flyway;
let world: RunnerWorld;

beforeAll(async () => {
  [moto, server, flyway] = await Promise.all([startMoto(), startPostgres(), installFlyway()]);
  world = new RunnerWorld(moto, server, 'postgresql', flyway);
});

afterAll(async () => {
  endOpenSessions();
  await world?.close();
  await Promise.all([moto?.stop(), server?.stop()]);
  flyway?.remove();
});


const versions = (key: string) => world.query(key, "SELECT string_agg(version || ':' || success, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE version IS NOT NULL");
// A 1 s lock timeout and two retries keep the cases short; the module's defaults are 10 s and 3.
const TIMEOUTS = { db_lock_timeout_ms: 1_000, db_statement_timeout_ms: 60_000, lock_retries: 2 };

describe('CREATE INDEX CONCURRENTLY', () => {
  const key = 'cic';

  it('runs outside a transaction and does not wait for Flyway itself', async () => {
    await world.addDatabase(key, { flyway: TIMEOUTS });
    await world.upload(key, 'V1__persons.sql', "CREATE TABLE persons (id int PRIMARY KEY, name text);\nINSERT INTO persons SELECT g, 'n' || g FROM generate_series(1, 5000) g;\n");
    await world.upload(key, 'V2__index.sql', 'CREATE INDEX CONCURRENTLY persons_name_idx ON persons (name);\n');
    const result = await world.runner(key);
    // Before the fix this run never returned: CONCURRENTLY waited for Flyway's own lock transaction.
    expectExit(result, EXIT.ok);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_after: '2', migrations_applied: 2 });
    expect(await world.query(key, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'persons_name_idx'::regclass")).toBe('t');
  });

  it('that times out behind an old transaction: the INVALID index it leaves and its failed row are undone, by the run itself or the next one once the transaction ends', async () => {
    await world.upload(key, 'V3__index.sql', 'CREATE INDEX CONCURRENTLY persons_id_name_idx ON persons (id, name);\n');
    const holder = await openWriter(key, 'old-writer', 1);
    const failed = await world.runner(key);
    // While the writer stays, even dropping the INVALID index waits for it: the run says so and leaves it to the next.
    expectExit(failed, EXIT.migration);
    expect(failed.summary.reason).toMatch(/^migration V3__index\.sql waited longer than the lock timeout \(1 s\) for a lock held by another session \(line 1\), tried \d times, not tried again: its INVALID index persons_id_name_idx could not be dropped yet .*; its failed attempt is recorded in flyway_schema_history; blocked by: pid \d+ \(user flyway_admin, application old-writer, idle in transaction for \d+ s, query: "SELECT 'holding';"\)$/);
    expect(await world.query(key, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'persons_id_name_idx'::regclass")).toBe('f');
    await holder.close();
    // The next command finds the failed CONCURRENTLY attempt, undoes it and runs the migration.
    const later = await world.runner(key);
    expectExit(later, EXIT.ok);
    expect(later.stdout).toContain('version 3 is recorded as failed and its file holds only CREATE INDEX CONCURRENTLY persons_id_name_idx');
    expect(later.summary).toMatchObject({ status: 'success', schema_version_after: '3' });
    expect(await versions(key)).toBe('1:true,2:true,3:true');
    expect(await world.query(key, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'persons_id_name_idx'::regclass")).toBe('t');
  });

  it('that times out and whose blocker ends between attempts is undone and retried within the same run', async () => {
    await world.upload(key, 'V4__index.sql', 'CREATE INDEX CONCURRENTLY persons_name_id_idx ON persons (name, id);\n');
    const holder = await openWriter(key, 'short-writer', 2);
    const running = world.runner(key);
    await waitForFlywayToGiveUp(key);
    holder.send('COMMIT;');
    await holder.close();
    const result = await running;
    expectExit(result, EXIT.ok);
    expect(result.stdout).toContain('dropped the INVALID index persons_name_id_idx');
    expect(result.stdout).toMatch(/retry 1 of 2/);
    expect(await versions(key)).toBe('1:true,2:true,3:true,4:true');
  });
});

/** A writer's open transaction on persons: CONCURRENTLY waits for every writer that started before it. */
async function openWriter(database: string, application: string, id: number) {
  const holder = openPsqlSession(server, database, application);
  holder.send(`BEGIN; UPDATE persons SET name = name WHERE id = ${id}; SELECT 'holding';`);
  await holder.waitFor('holding');
  return holder;
}

/** Resolves once one of the runner's Flyway sessions has waited for a lock and stopped waiting (its lock timeout). */
async function waitForFlywayToGiveUp(database: string): Promise<void> {
  const waiting = async () => (await world.query('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'aurora-flyway-runner' AND wait_event_type = 'Lock'`)) !== '0';
  const until = Date.now() + 60_000;
  while (!(await waiting())) {
    if (Date.now() > until) throw new Error('the runner never waited for the lock');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  while (await waiting()) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('a migration behind a long transaction', () => {
  const key = 'locked';

  beforeAll(async () => {
    await world.addDatabase(key, { flyway: TIMEOUTS });
    await world.upload(key, 'V1__persons.sql', 'CREATE TABLE persons (id int PRIMARY KEY, name text);\n');
    expectExit(await world.runner(key), EXIT.ok);
    await world.upload(key, 'V2__add_city.sql', 'ALTER TABLE persons ADD COLUMN city text;\nALTER TABLE persons ADD COLUMN country text;\n');
  });

  it('gives up after its retries, names the session that holds the lock, and applies nothing', async () => {
    const holder = openPsqlSession(server, key, 'billing-job');
    holder.send("BEGIN; SELECT 'holding ' || count(*) FROM persons;");
    await holder.waitFor('holding 0');
    const result = await world.runner(key);
    await holder.close();
    expectExit(result, EXIT.migration);
    expect(result.stdout.match(/gave up waiting for a lock .*retry \d of 2/g)).toHaveLength(2);
    expect(result.summary.reason).toMatch(/^migration V2__add_city\.sql waited longer than the lock timeout \(1 s\) for a lock held by another session \(line 1\), tried 3 times; nothing of it was applied \(rolled back, or its failed attempt undone\); blocked by: pid \d+ \(user flyway_admin, application billing-job, idle in transaction/);
    expect(result.stdout).toMatch(/pg_terminate_backend\(pid\) for \d+/);
    expect(await versions(key)).toBe('1:true');
    expect(await world.query(key, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'persons' AND column_name = 'city'")).toBe('0');
    const record = await world.outcome(key);
    expect(record).toMatchObject({ status: 'failed', schema_version: '1' });
    expect(record?.reason).toContain('application billing-job');
  });

  it('succeeds on a retry when the transaction ends while the runner waits', async () => {
    const holder = openPsqlSession(server, key, 'short-job');
    holder.send("BEGIN; SELECT 'holding ' || count(*) FROM persons;");
    await holder.waitFor('holding 0');
    const running = world.runner(key);
    // The first attempt gives up after its 1 s lock timeout; the retry comes 2 s later.
    await waitForFlywayToGiveUp(key);
    holder.send('COMMIT;');
    await holder.close();
    const result = await running;
    expectExit(result, EXIT.ok);
    expect(result.stdout).toMatch(/retry 1 of 2/);
    expect(result.summary).toMatchObject({ status: 'success', schema_version_after: '2' });
    expect(await versions(key)).toBe('1:true,2:true');
  });

  it('waits without a bound when the lock timeout is off', async () => {
    await world.addDatabase('unbounded', { flyway: { ...TIMEOUTS, db_lock_timeout_ms: 0 } });
    await world.upload('unbounded', 'V1__t.sql', 'CREATE TABLE t (id int);\n');
    expectExit(await world.runner('unbounded'), EXIT.ok);
    await world.upload('unbounded', 'V2__c.sql', 'ALTER TABLE t ADD COLUMN c int;\n');
    const holder = openPsqlSession(server, 'unbounded', 'holder');
    holder.send("BEGIN; SELECT 'holding ' || count(*) FROM t;");
    await holder.waitFor('holding 0');
    const running = world.runner('unbounded');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    holder.send('COMMIT;');
    await holder.close();
    const result = await running;
    expectExit(result, EXIT.ok);
    expect(result.stdout).not.toMatch(/gave up waiting for a lock/);
  });
});
