// Runner v2's contract, each point of it against the real built runner, real Flyway and a real
// PostgreSQL server over verified TLS (S3, SSM and Secrets Manager on moto):
//   no command waits for another run (it hands its request over: "queued"), the active run repeats
//   until the bucket is unchanged, databases run in parallel up to --max-parallel, a multi-file
//   upload is taken whole (settle), rejected files are never run, a failed pass is never skipped,
//   the outcome is recorded in the bucket, TLS is verified, the endpoint comes from the module,
//   and a host fault is never recorded as the database's outcome.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, MotoServer } from '../../support/moto';
import { startPostgres } from '../../support/postgres';
import { createTestCa } from '../../support/tls';
import { DatabaseServer } from '../../support/database-server';
import { ChildArgvRecorder, EXIT, Flyway, installFlyway, RunnerResult, RunnerWorld, SAMPLE_SEPARATOR, samplePs, expectExit } from './support';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(600_000);

let moto: MotoServer;
let server: DatabaseServer;
let flyway: Flyway;
let world: RunnerWorld;
let scratch: string;

beforeAll(async () => {
  [moto, server, flyway] = await Promise.all([startMoto(), startPostgres(), installFlyway()]);
  world = new RunnerWorld(moto, server, 'postgresql', flyway);
  scratch = mkdtempSync(join(tmpdir(), 'aurora-flyway-coordination-'));
});

afterAll(async () => {
  await world?.close();
  await Promise.all([moto?.stop(), server?.stop()]);
  flyway?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const versions = (database: string) => world.query(database, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success AND version IS NOT NULL");


describe('an upload during a long migration (item 1 of the issue)', () => {
  it('is handed to the active run at once and migrated right after the long one', async () => {
    const key = 'longrun';
    await world.addDatabase(key);
    await world.upload(key, 'V1__slow.sql', 'CREATE TABLE slow (id INT);\nSELECT pg_sleep(6);\n');
    const first = world.startRunner(key);
    // The long migration is running once the file is on the host and Flyway holds a session.
    await waitFor('the long migration to start', async () => existsSync(join(world.migrationsDir(key), 'V1__slow.sql')) && (await world.query('postgres', "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(6)%' AND pid <> pg_backend_pid()")) === '1');
    await world.upload(key, 'V2__after.sql', 'CREATE TABLE after_slow (id INT);\n');
    const second = await world.runner(key, 'migrate', { args: ['--requested-at', '2026-11-21T05:00:01.000Z'] });
    const active = await first;

    expectExit(second, EXIT.ok);
    expect(second.summary).toMatchObject({ status: 'queued', passes: 0, migrations_applied: 0 });
    expect(second.summary.reason).toMatch(/^handed to the run already active for longrun/);
    expect(second.elapsedMs).toBeLessThan(3_000);
    expect(second.migrateRuns).toBe(0);

    expectExit(active, EXIT.ok);
    expect(active.summary).toMatchObject({ status: 'success', passes: 2, migrations_applied: 2, schema_version_before: null, schema_version_after: '2' });
    expect(active.stdout).toContain('flyway-runner: 1 more request(s) during the pass: running another pass');
    expect(await versions(key)).toBe('1,2');
  });
});

describe('many databases at once (item 2)', () => {
  it('20 databases triggered together all end migrated, never more than --max-parallel Flyway processes at a time', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `fan_${String(i).padStart(2, '0')}`);
    for (const key of keys) {
      await world.addDatabase(key);
      await world.upload(key, 'V1__table.sql', 'CREATE TABLE t (id INT);\nSELECT pg_sleep(0.5);\n');
    }
    const ps = samplePs(100);
    const results = await Promise.all(keys.map((key) => world.startRunner(key, 'migrate', { args: ['--max-parallel', '2'] })));
    const samples = (await ps.stop()).split(SAMPLE_SEPARATOR);
    // This file's own Flyway (its install prefix is unique): other test files run Flyway meanwhile.
    const ours = (line: string) => line.includes('org.flywaydb.commandline.Main') && line.includes(flyway.prefix);
    const mostAtOnce = Math.max(...samples.map((sample) => sample.split('\n').filter(ours).length));
    console.log(`fan-out: 20 databases, at most ${mostAtOnce} Flyway processes at once; statuses ${results.map((r) => r.summary.status).join(',')}`);

    for (const result of results) expectExit(result, EXIT.ok);
    expect(mostAtOnce).toBeGreaterThanOrEqual(1);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    const migrated = results.flatMap((r) => [r.summary, ...r.summary.also]).filter((s) => s.status === 'success').map((s) => s.database);
    expect([...migrated].sort()).toEqual(keys);
    // Commands that found no free slot ended at once, holding nothing.
    const queued = results.filter((r) => r.summary.status === 'queued');
    expect(queued.length).toBeGreaterThan(0);
    for (const result of queued) expect(result.elapsedMs).toBeLessThan(10_000);
    for (const key of keys) expect(await versions(key)).toBe('1');
  });
});

describe('a multi-file upload is taken as a whole (item 3)', () => {
  it('waits for the bucket to settle, so files uploaded one after the other go in one pass', async () => {
    const key = 'settle';
    await world.addDatabase(key);
    await world.upload(key, 'V1__one.sql', 'CREATE TABLE one (id INT);\n');
    const run = world.startRunner(key, 'migrate', { args: ['--settle-seconds', '2'] });
    await sleep(1_000);
    await world.upload(key, 'V2__two.sql', 'CREATE TABLE two (id INT);\n');
    const result = await run;
    expectExit(result, EXIT.ok);
    expect(result.stdout).toMatch(/waiting [\d.]+s for it to settle/);
    expect(result.summary).toMatchObject({ status: 'success', passes: 1, migrations_applied: 2, schema_version_after: '2' });
  });

  it('a lower version that arrives later fails with out_of_order off, naming the file and both ways out; turning out_of_order on applies it', async () => {
    const key = 'late_low';
    await world.addDatabase(key);
    await world.upload(key, 'V1__one.sql', 'CREATE TABLE one (id INT);\n');
    await world.upload(key, 'V3__three.sql', 'CREATE TABLE three (id INT);\n');
    expectExit(await world.runner(key), EXIT.ok);
    await world.upload(key, 'V2__two.sql', 'CREATE TABLE two (id INT);\n');
    const refused = await world.runner(key);
    expectExit(refused, EXIT.migration);
    expect(refused.errorLine).toBe(
      "flyway-runner: error: validation failed: V2__two.sql has a version below the schema's version 3, and out_of_order is off; nothing was applied -- either rename it to a version above 3 (delete the old object), or set out_of_order = true for this database in the module to apply it as it is",
    );
    expect(await versions(key)).toBe('1,3');

    // Same files, new settings: not skipped (item 5).
    await world.putSettings(key, { ...(await settingsOf(key)), flyway: { ...(await settingsOf(key)).flyway, out_of_order: true } });
    const applied = await world.runner(key);
    expectExit(applied, EXIT.ok);
    expect(applied.summary).toMatchObject({ status: 'success', migrations_applied: 1, schema_version_after: '3' });
    expect(await versions(key)).toBe('1,3,2');
  });
});

async function settingsOf(key: string): Promise<Record<string, any>> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const output = await world.ssm.send(new GetParameterCommand({ Name: `/itest/flyway/databases/${key}` }));
  return JSON.parse(output.Parameter?.Value ?? '{}') as Record<string, any>;
}

describe('only what the rules accept is synced and run (item 4)', () => {
  it('an afterMigrate.sql callback is not run while callbacks are off, and runs once they are on', async () => {
    const key = 'callbacks';
    await world.addDatabase(key);
    await world.upload(key, 'V1__audit.sql', 'CREATE TABLE audit (note TEXT);\n');
    await world.upload(key, 'afterMigrate.sql', "INSERT INTO audit VALUES ('after migrate');\n");
    const off = await world.runner(key);
    expectExit(off, EXIT.ok);
    expect(off.summary.rejected).toEqual([{ key: 'afterMigrate.sql', reason: expect.stringContaining('callbacks are off for this database') }]);
    expect(world.localFiles(key)).toEqual(['V1__audit.sql']);
    expect(await world.query(key, 'SELECT count(*) FROM audit')).toBe('0');

    await world.putSettings(key, { ...(await settingsOf(key)), flyway: { ...(await settingsOf(key)).flyway, callbacks: true } });
    const on = await world.runner(key);
    expectExit(on, EXIT.ok);
    expect(on.summary.rejected).toEqual([]);
    expect(world.localFiles(key)).toEqual(['V1__audit.sql', 'afterMigrate.sql']);
    expect(await world.query(key, 'SELECT note FROM audit')).toBe('after migrate');
  });

  it('two files with one version (V1 and V1.0) stop the pass with both names; nothing is applied', async () => {
    const key = 'twins';
    await world.addDatabase(key);
    await world.upload(key, 'V1__a.sql', 'CREATE TABLE a (id INT);\n');
    await world.upload(key, 'V1.0__b.sql', 'CREATE TABLE b (id INT);\n');
    const result = await world.runner(key);
    expectExit(result, EXIT.migration);
    expect(result.errorLine).toBe('flyway-runner: error: two files claim the same migration (version 1: V1.0__b.sql and V1__a.sql); nothing was applied -- Flyway runs each version once: delete or rename all but one of them in the bucket');
    expect(result.migrateRuns).toBe(0);
  });
});

describe('a skip only when nothing could have changed (item 5)', () => {
  it('V1 fails for a missing table; once the table exists, re-uploading the identical V1 migrates it', async () => {
    const key = 'retry_same';
    await world.addDatabase(key);
    const v1 = 'CREATE TABLE child (id INT REFERENCES dep (id));\n';
    await world.upload(key, 'V1__child.sql', v1);
    const failed = await world.runner(key);
    expectExit(failed, EXIT.migration);
    expect(failed.errorLine).toMatch(/relation "dep" does not exist/);

    await world.query(key, 'CREATE TABLE dep (id INT PRIMARY KEY)');
    await world.upload(key, 'V1__child.sql', v1);
    const fixed = await world.runner(key);
    expectExit(fixed, EXIT.ok);
    expect(fixed.summary).toMatchObject({ status: 'success', migrations_applied: 1, schema_version_after: '1' });
  });

  it('changed placeholders run again although the files are the same', async () => {
    const key = 'new_settings';
    await world.addDatabase(key);
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    expectExit(await world.runner(key), EXIT.ok);
    expect((await world.runner(key)).summary.status).toBe('skipped');
    await world.putSettings(key, { ...(await settingsOf(key)), flyway: { ...(await settingsOf(key)).flyway, placeholders: { owner: 'someone' } } });
    const again = await world.runner(key);
    expectExit(again, EXIT.ok);
    expect(again.summary).toMatchObject({ status: 'success', migrations_applied: 0 });
    expect(again.migrateRuns).toBe(1);
  });
});

describe('the outcome record (item 6)', () => {
  it('names the status, the schema version and exactly the object versions the pass covered', async () => {
    const key = 'recorded';
    await world.addDatabase(key);
    const v1 = await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    await world.upload(key, 'notes.sql', 'not a migration');
    expectExit(await world.runner(key, 'migrate', { args: ['--requested-at', '2026-11-21T05:00:00.000Z'] }), EXIT.ok);
    expect(await world.outcome(key)).toMatchObject({
      schema: 2,
      database: key,
      action: 'migrate',
      status: 'success',
      reason: null,
      schema_version: '1',
      migrations_applied: 1,
      objects: [{ key: 'V1__t.sql', version_id: v1 }],
      rejected: [{ key: 'notes.sql', reason: expect.stringContaining('not a Flyway migration name') }],
      requested_at: '2026-11-21T05:00:00.000Z',
      requests: ['2026-11-21T05:00:00.000Z'],
      exit_code: 0,
    });

    // Re-uploading the same content skips the pass, and the record then covers the new version.
    const again = await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    expect((await world.runner(key)).summary.status).toBe('skipped');
    expect((await world.outcome(key))?.objects).toEqual([expect.objectContaining({ key: 'V1__t.sql', version_id: again })]);

    const broken = await world.upload(key, 'V2__broken.sql', 'INSERT INTO missing VALUES (1);\n');
    expectExit(await world.runner(key), EXIT.migration);
    const record = await world.outcome(key);
    expect(record).toMatchObject({ status: 'failed', schema_version: '1', exit_code: EXIT.migration, flyway_exit_code: 1 });
    expect(record?.reason).toMatch(/^migration V2__broken\.sql failed: ERROR: relation "missing" does not exist.* -- PostgreSQL rolled the failed migration back/);
    expect(record?.objects).toContainEqual(expect.objectContaining({ key: 'V2__broken.sql', version_id: broken }));
  });
});

describe('safer connections (item 7)', () => {
  it('refuses a server whose certificate the CA bundle does not vouch for', async () => {
    const key = 'wrong_ca';
    await world.addDatabase(key, { flyway: { connect_retries: 0 } });
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    const other = await createTestCa(join(scratch, 'other-ca'));
    const result = await world.runner(key, 'migrate', { env: { FLYWAY_RUNNER_CA_BUNDLE: other.caFile } });
    expectExit(result, EXIT.unreachable);
    expect(result.errorLine).toMatch(/unreachable after 0 retries: .*certificate verify failed/);
    expect(await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${key}'`)).toBe('0');
  });

  it('refuses settings that name another endpoint than the module (the password is never sent there)', async () => {
    const key = 'elsewhere';
    await world.addDatabase(key);
    const result = await world.runner(key, 'migrate', { args: ['--db-endpoint', 'shop-aurora.cluster-abc.eu-central-1.rds.amazonaws.com:5432'] });
    expectExit(result, EXIT.config);
    expect(result.errorLine).toMatch(/names the database endpoint 127\.0\.0\.1:\d+, but the module's document names shop-aurora\.cluster-abc\.eu-central-1\.rds\.amazonaws\.com:5432; the login is not sent to an endpoint the module did not configure/);
  });

  it("refuses settings that pair the endpoint with another cluster's secret (one cluster's login is never sent to another)", async () => {
    const key = 'crossed';
    await world.addDatabase(key);
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    const legacySecret = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-legacy-AbCdEf';
    const local = `${world.server.host}:${world.server.port}`;
    const result = await world.runner(key, 'migrate', { args: ['--db-endpoint', `${local}=${legacySecret}`] });
    expectExit(result, EXIT.config);
    expect(result.errorLine).toContain(`names the secret rds!cluster-itest-${key} for ${local}, but the module's document pairs that endpoint with ${legacySecret}; one cluster's login is not sent to another`);
    expect(await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${key}'`)).toBe('0');
  });
});

describe('host readiness (item 8)', () => {
  it('Java missing on the host: exit 8, and the database\'s outcome record is left as it was', async () => {
    const key = 'no_java';
    await world.addDatabase(key);
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    expectExit(await world.runner(key), EXIT.ok);
    const before = await world.outcome(key);
    await world.upload(key, 'V2__u.sql', 'CREATE TABLE u (id INT);\n');
    const result = await world.runner(key, 'migrate', { env: { JAVA_HOME: '/nonexistent/jdk' } });
    expectExit(result, EXIT.host);
    expect(result.errorLine).toMatch(/^flyway-runner: error: flyway printed no result \(exit code 127\): .*\/nonexistent\/jdk\/bin\/java.* -- the host is not ready to run Flyway/);
    expect(result.stdout).toContain("the host itself is at fault: the database's outcome record is left as it was");
    expect(await world.outcome(key)).toEqual(before);
    // Once the host is fixed, the next command runs (nothing was recorded as skippable).
    const fixed = await world.runner(key);
    expectExit(fixed, EXIT.ok);
    expect(fixed.summary).toMatchObject({ status: 'success', migrations_applied: 1, schema_version_after: '2' });
  });
});

describe('a burst (item 9)', () => {
  it('ten invocations within one second: one Flyway run, nine hand-overs, and the password in no argument of any program the runners start, nor in their output', async () => {
    const key = 'burst';
    await world.addDatabase(key);
    await Promise.all(Array.from({ length: 10 }, (_, i) => world.upload(key, `V${i + 1}__step_${i + 1}.sql`, `CREATE TABLE step_${i + 1} (id INT);\n`)));
    // Every program the ten runners start, each start recorded by a shim on their PATH.
    const children = ChildArgvRecorder.create(flyway);
    const started = Date.now();
    let results: RunnerResult[];
    let starts: ReturnType<ChildArgvRecorder['starts']>;
    let leaked: string[];
    try {
      results = await Promise.all(Array.from({ length: 10 }, () => world.startRunner(key, 'migrate', { env: children.env })));
      starts = children.starts();
      leaked = children.startsWith(server.password);
    } finally {
      children.remove();
    }
    for (const result of results) expectExit(result, EXIT.ok);
    const migrateRuns = results.reduce((sum, result) => sum + result.migrateRuns, 0);
    const handedOver = results.filter((r) => r.summary.status === 'queued');
    console.log(`burst: 10 invocations -> ${migrateRuns} flyway migrate run(s); hand-overs took ${handedOver.map((r) => r.elapsedMs).join(',')} ms; all done after ${Date.now() - started} ms; programs started: ${starts.map((s) => s.tool).sort().join(',')}`);
    expect(migrateRuns).toBe(1);
    expect(results.filter((r) => r.summary.status === 'success')).toHaveLength(1);
    expect(handedOver).toHaveLength(9);
    expect(results.reduce((sum, r) => sum + r.summary.migrations_applied, 0)).toBe(10);
    expect(await world.query(key, 'SELECT count(*), max(version::int) FROM flyway_schema_history WHERE success')).toBe('10\t10');
    // The password in none of the arguments of any program started, and the shims did see them:
    // psql's readiness check and its database check, Flyway's launcher and its JVM (one migrate run).
    expect(leaked).toEqual([]);
    const of = (tool: string) => starts.filter((start) => start.tool === tool).map((start) => start.args.join(' '));
    expect(of('psql')).toContainEqual(expect.stringMatching(/-h 127\.0\.0\.1 -p \d+ -d postgres -c SELECT 1$/));
    expect(of('psql')).toContainEqual(expect.stringMatching(/-d postgres -v dbname=burst$/));
    expect(of('flyway')).toEqual(['-outputType=json -skipCheckForUpdate migrate info']);
    expect(of('java')).toEqual([expect.stringMatching(/ org\.flywaydb\.commandline\.Main -outputType=json -skipCheckForUpdate migrate info$/)]);
    for (const result of results) expect(result.stdout + result.stderr).not.toContain(server.password);
  });
});

describe("the command's time (--seconds-left, what is left of its executionTimeout)", () => {
  const takenRequests = (key: string) => {
    try {
      return readdirSync(join(world.home, key, 'requests', 'taken')).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
  };

  it('too little time for a pass: exit 9, the record names the versions waiting, the request stays and the next command runs it', async () => {
    const key = 'short_of_time';
    await world.addDatabase(key);
    await world.upload(key, 'V1__t.sql', 'CREATE TABLE t (id INT);\n');
    const stopped = await world.runner(key, 'migrate', { args: ['--seconds-left', '20', '--requested-at', '2026-12-02T06:00:00.000Z'] });
    expectExit(stopped, EXIT.stopped);
    expect(stopped.errorLine).toMatch(/^flyway-runner: error: stopped: \d+s of the command's executionTimeout are left, and a pass needs about 30s; V1__t\.sql not migrated yet; 1 request\(s\) stay on the host for the next command -- run them now with `aurora-flyway run short_of_time migrate`/);
    expect(await world.outcome(key)).toMatchObject({ action: 'migrate', status: 'failed', waiting: ['V1__t.sql'], requests: ['2026-12-02T06:00:00.000Z'], exit_code: EXIT.stopped });
    expect(await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${key}'`)).toBe('0');
    expect(takenRequests(key)).toHaveLength(1);

    // The next command takes the request over with its own, and records both.
    const next = await world.runner(key, 'migrate', { args: ['--requested-at', '2026-12-02T06:00:05.000Z'] });
    expectExit(next, EXIT.ok);
    expect(await world.outcome(key)).toMatchObject({ status: 'success', schema_version: '1', requests: ['2026-12-02T06:00:00.000Z', '2026-12-02T06:00:05.000Z'] });
    expect(takenRequests(key)).toEqual([]);
  });

  it("a statement that would run into the command's deadline is stopped by the database (statement_timeout), rolled back, and the run says so", async () => {
    const key = 'statement_bound';
    await world.addDatabase(key);
    await world.upload(key, 'V1__forever.sql', 'CREATE TABLE forever (id INT);\nSELECT pg_sleep(120);\n');
    const started = Date.now();
    // 31 s left: the pass starts (it needs 30), its statements get 16 s.
    const result = await world.runner(key, 'migrate', { args: ['--seconds-left', '31'] });
    expectExit(result, EXIT.migration);
    expect(Date.now() - started).toBeLessThan(31_000);
    expect(result.stdout).toContain('canceling statement due to statement timeout');
    expect(await world.query(key, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'forever'")).toBe('0');
    expect(await world.outcome(key)).toMatchObject({ status: 'failed', flyway_error: expect.arrayContaining([expect.stringContaining('statement timeout')]) });
  });
});
