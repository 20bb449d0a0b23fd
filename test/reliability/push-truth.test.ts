// aurora-flyway push is what a CI job gates a deploy on, so its exit code must be the truth, and
// no upload the pipeline took over may be dropped. Each case forces one interleaving through the
// real pipeline (the module applied on the emulator, the harness, the real trigger bundle, the
// real runner bundle, Flyway, PostgreSQL), records what it read back for RELIABILITY.md, then
// asserts it:
// - a re-run of a push after a failed (or timed-out) run;
// - an upload while `repair` holds the database;
// - twelve files with one slow upload in the middle, and a multipart upload still in progress;
// - a run killed by the command's executionTimeout with handed-over requests in hand;
// - two pushers whose passes follow each other (one succeeds, the next fails);
// - a migration behind a session that holds its table (lock timeout, retries, the blocker named);
// - `run migrate` handed over, replay of a persistently failing event, a failing outcome write,
//   a callback the runner would not run, StartInstances failing briefly, a `.SQL` suffix, and two
//   files claiming one version.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { OutcomeRecord } from '../../common/src/outcome';
import type { Burst, Harness } from '../harness/harness';
import { World } from '../e2e/support';
import { saveEvidence } from './evidence';
import { recordCase } from './cases';

import { HOST_ACCESS_KEY_ID, TRIGGER_ACCESS_KEY_ID, UPLOADER_ACCESS_KEY_ID } from '../harness/iam-check';
import { listInvocationRecords } from '../harness/records';
import { runClient } from '../harness/client';
import type { IncomingCall } from '../harness/call-recorder';
import type { RunResult } from '../support/run';
import { toolEnv } from '../support/toolchain';
import { waitFor } from '../support/wait-for';

jest.setTimeout(900_000);

const PREFIX = 'reltruth';
const DATABASES = [
  'rerun',
  'rerun_timeout',
  'repair_race',
  'twelve',
  'multipart',
  'killed_run',
  'bystander',
  'two_pushers',
  'run_queued',
  'replayed',
  'record_write',
  'callbacks_off',
  'wake_retry',
  'upper_suffix',
  'clash',
  'lock_wait',
] as const;
type Key = (typeof DATABASES)[number];

const S3_INTERNAL_ERROR = { status: 500, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>harness</RequestId></Error>' };
/** EC2's answer while its API is briefly unavailable (Query API error shape, HTTP 503). */
const EC2_UNAVAILABLE = { status: 503, headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>Unavailable</Code><Message>The server is overloaded and can\'t handle the request.</Message></Error></Errors><RequestID>harness</RequestID></Response>' };
const PUSH_WHERE = "aurora-flyway push's output and exit code (the CI job's gate)";
const OUTCOME_KEY = '.flyway/outcome.json';

describe('push and the runner tell the truth and drop nothing', () => {
  let world: World;
  let harness: Harness;
  let buckets: Record<string, string>;

  beforeAll(async () => {
    // lock_wait: a 1 s lock timeout and two retries (the module's defaults are 10 s and 3).
    const databases = Object.fromEntries(DATABASES.map((key) => [key, key === 'lock_wait' ? { lock_timeout_seconds: 1, lock_retries: 2 } : {}]));
    // A one-second settle time keeps the cases short; a 60 s executionTimeout (the module's
    // minimum) lets the timeout case run into it for real.
    world = await World.start('postgresql', PREFIX, async () => ({ databases: JSON.stringify(databases), settle_seconds: '1', command_execution_timeout_seconds: '60' }));
    await world.applyNew({ args: ['-parallelism=64'] });
    harness = await world.connect();
    buckets = (await world.outputs()).buckets;
  });
  afterAll(async () => {
    if (world !== undefined) await saveEvidence(world);
    await world?.stop();
  });

  const bucketOf = (database: Key): string => buckets[database] ?? '';

  /** A local folder holding these migration files (what the CI job checks out). */
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(world.stateDir, 'checkout-'));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    return dir;
  };

  const push = (database: Key, dir: string, ...more: string[]): Promise<RunResult> => runClient(harness, PREFIX, ['push', database, dir, '--timeout', '150', ...more]);

  /** The line of a push's output that gives its verdict (the result line or the error), for the report. */
  const verdict = (result: RunResult): string => {
    const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((line) => line.trim());
    const said = lines.filter((line) => /: (migrated|FAILED)|nothing (new )?to push|^aurora-flyway: |^reason: |queued|re-driven|failed again|refused/.test(line));
    return `exit ${result.code}: ${said.join(' / ').slice(0, 600) || lines.filter((line) => line !== '').slice(-2).join(' / ')}`;
  };

  const databaseExists = async (database: Key): Promise<boolean> => (await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${database}'`))[0] === '1';

  /** The applied versions, in the order Flyway applied them, with their success flag: "1|t, 2|t". */
  const history = async (database: Key): Promise<string> => {
    if (!(await databaseExists(database))) return 'no database yet';
    const [exists] = await world.query(database, "SELECT to_regclass('flyway_schema_history') IS NOT NULL");
    if (exists !== 't') return 'no schema history';
    return (await world.query(database, 'SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank')).join(', ') || 'empty';
  };

  const sqlActive = async (database: Key, fragment: string) =>
    (await world.query('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${database}' AND state = 'active' AND query LIKE '%${fragment}%' AND pid <> pg_backend_pid()`))[0] === '1';

  /** Every outcome record the runner wrote for a database, oldest first (the bucket keeps each version). */
  const outcomes = async (database: Key): Promise<OutcomeRecord[]> => {
    const listed = await world.aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucketOf(database), Prefix: OUTCOME_KEY }));
    const versions = (listed.Versions ?? []).filter((version) => version.Key === OUTCOME_KEY).reverse();
    const records: OutcomeRecord[] = [];
    for (const version of versions) {
      const object = await world.aws.s3.send(new GetObjectCommand({ Bucket: bucketOf(database), Key: OUTCOME_KEY, VersionId: version.VersionId }));
      records.push(JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('{}'))) as OutcomeRecord);
    }
    return records;
  };
  const describeRecord = (record: OutcomeRecord | undefined) =>
    record === undefined ? 'no record' : `${record.action} ${record.status} at ${record.schema_version ?? 'none'}${record.reason === null ? '' : ` (${record.reason.slice(0, 160)})`}`;

  /** What the uploader's uploads and commands caused since the last call (after runClient, which waits for them). */
  const observed = (): Burst => harness.takeObservedBurst();

  const s3Path = (call: IncomingCall) => decodeURIComponent(new URL(call.url, 'http://local').pathname);
  const isOutcomeRead = (database: Key) => (call: IncomingCall) => call.method === 'GET' && s3Path(call) === `/${bucketOf(database)}/${OUTCOME_KEY}` && !new URL(call.url, 'http://local').searchParams.has('versionId');
  const isPutOf = (database: Key, key: string) => (call: IncomingCall) => call.method === 'PUT' && s3Path(call) === `/${bucketOf(database)}/${key}` && [...new URL(call.url, 'http://local').searchParams.keys()].every((name) => name === 'x-id');
  const isListingOf = (database: Key) => (call: IncomingCall) => call.method === 'GET' && s3Path(call).replace(/\/$/, '') === `/${bucketOf(database)}` && new URL(call.url, 'http://local').searchParams.has('versions');

  /** A session that holds an ACCESS EXCLUSIVE lock on a table until release() (a long transaction someone left open). */
  const holdTableLock = async (database: Key, table: string): Promise<{ release(): Promise<void> }> => {
    const master = world.master;
    if (master === undefined) throw new Error('connect() first');
    const session: ChildProcess = spawn('psql', ['-X', '-q', '-h', master.host, '-p', String(master.port), '-U', master.user, '-d', database, '-c', `BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);`], {
      env: toolEnv({ PGPASSWORD: master.password, PGAPPNAME: 'lock-holder' }),
      stdio: 'ignore',
    });
    await waitFor(`the lock on ${table}`, async () => (await world.query(database, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '${table}' AND l.mode = 'AccessExclusiveLock' AND l.granted`))[0] === '1');
    return {
      async release() {
        // The server notices a vanished client only when it next talks to it: end the session itself.
        await world.query('postgres', "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lock-holder'");
        session.kill('SIGKILL');
        await waitFor(`the lock on ${table} to go`, async () => (await world.query(database, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lock-holder'`))[0] === '0');
      },
    };
  };

  // --- 1. a re-run after a failure -----------------------------------------------------------

  it('a push whose migration failed, pressed "re-run": exits 1 again with the reason, never "nothing to push" and 0; the same after a push that timed out and whose run then failed', async () => {
    // Valid SQL (lint passes) that fails when it runs: the table it fills does not exist.
    const files = { 'V1__init.sql': 'CREATE TABLE rerun_base (id int);\n', 'V2__broken.sql': 'INSERT INTO rerun_missing VALUES (1);\n' };
    const first = await push('rerun', folder(files));
    const rerun = await push('rerun', folder(files));
    const rerunHistory = await history('rerun');

    // A run that outlives the push's --timeout, then fails: the re-run comes while it is still in flight.
    const slow = { 'V1__slow_then_broken.sql': 'SELECT pg_sleep(6);\nINSERT INTO never_made VALUES (1);\n' };
    const timedOut = await push('rerun_timeout', folder(slow), '--timeout', '2');
    const rerunAfterTimeout = await push('rerun_timeout', folder(slow));
    const afterTimeoutHistory = await history('rerun_timeout');
    observed();
    recordCase({
      category: 'fault',
      input: 'push of a failing V2, then the same push again (CI "re-run"); a push that timed out (--timeout 2) on a run that then failed, pushed again while it was still running',
      where: PUSH_WHERE,
      says: `first: ${verdict(first)}; re-run: ${verdict(rerun)}; timed out: ${verdict(timedOut)}; re-run: ${verdict(rerunAfterTimeout)}`,
      database: `rerun: ${rerunHistory}; rerun_timeout: ${afterTimeoutHistory}`,
    });
    expect(first.code).toBe(1);
    expect(rerun.code).toBe(1);
    expect(rerun.stdout).toContain('rerun: FAILED');
    expect(`${rerun.stdout}${rerun.stderr}`).toContain('V2__broken.sql');
    expect(rerunHistory).toBe('1|t');
    expect(timedOut.code).toBe(4);
    expect(rerunAfterTimeout.code).toBe(1);
    expect(rerunAfterTimeout.stdout).toContain('rerun_timeout: FAILED');
    expect(afterTimeoutHistory).toMatch(/^(no schema history|empty)$/);
  });

  // --- 2. an upload during repair ------------------------------------------------------------

  it('an upload while `repair` holds the database: migrated right after the repair by the same command, and push reports it only after that migrate pass', async () => {
    const v1 = { 'V1__init.sql': 'CREATE TABLE repaired (id int);\n' };
    const before = await push('repair_race', folder(v1));
    // The repair's listing is held for 6 s: it holds the database's lock meanwhile, and the push lands then.
    const held = harness.holdCalls({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: isListingOf('repair_race'), times: 1, delayMs: 6_000 });
    const repair = runClient(harness, PREFIX, ['run', 'repair_race', 'repair']);
    await held.arrived;
    const pushed = await push('repair_race', folder({ ...v1, 'V2__during_repair.sql': 'CREATE TABLE during_repair (id int);\n' }));
    const repaired = await repair;
    const records = await outcomes('repair_race');
    const afterwards = await history('repair_race');
    observed();
    recordCase({
      category: 'concurrency',
      input: 'aurora-flyway push of V2 while `aurora-flyway run repair` holds the database (its bucket listing held 6 s)',
      where: `${PUSH_WHERE}; the repair command's output`,
      says: `push: ${verdict(pushed)}; repair: exit ${repaired.code}; records in order: ${records.map(describeRecord).join(' -> ')}`,
      database: afterwards,
    });
    expect(before.code).toBe(0);
    expect(repaired.code).toBe(0);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain('repair_race: migrated, 1 migration(s) applied (V2)');
    expect(afterwards).toBe('1|t, 2|t');
    const repairAt = records.findIndex((record) => record.action === 'repair');
    expect(repairAt).toBeGreaterThan(0);
    expect(records.slice(repairAt + 1).some((record) => record.action === 'migrate' && record.status === 'success' && record.migrations_applied === 1)).toBe(true);
  });

  // --- 3. order of uploads ---------------------------------------------------------------------

  it('twelve files V1..V12 pushed to a fresh database with one slow upload in the middle (V6 lands only after a pass has run) are applied in version order', async () => {
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`V${i + 1}__step_${i + 1}.sql`, `CREATE TABLE twelve_${i + 1} (id int);\n`]));
    // The upload of V6 is held until a pass has applied what the bucket held without it.
    const held = harness.holdCalls({ accessKeyId: UPLOADER_ACCESS_KEY_ID, service: 's3', matches: isPutOf('twelve', 'V6__step_6.sql'), times: 1 });
    const pushing = push('twelve', folder(files));
    try {
      await held.arrived;
      await waitFor('a pass to apply the first files', async () => (await history('twelve')).includes('|t'), 120_000);
    } finally {
      held.release();
    }
    const pushed = await pushing;
    const afterwards = await history('twelve');
    const burst = observed();
    recordCase({
      category: 'concurrency',
      input: 'push of V1..V12 to a fresh database; the upload of V6 lands only after a pass has applied the files before it',
      where: PUSH_WHERE,
      says: `${verdict(pushed)}; upload order ${burst.uploads.map((upload) => upload.object.key.replace(/__.*$/, '')).join(' ')}`,
      database: afterwards,
    });
    expect(held.held).toBe(1);
    expect(pushed.code).toBe(0);
    expect(afterwards).toBe(Array.from({ length: 12 }, (_, i) => `${i + 1}|t`).join(', '));
  });

  it('a multipart upload of a lower version still in progress: the pass waits for it instead of applying the higher one first, and both are applied in order', async () => {
    const env = harness.uploaderEnv();
    const uploader = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } });
    const bucket = bucketOf('multipart');
    try {
      // What `aws s3 sync` does for a file over its 8 MB multipart threshold, next to a small one it sends in parallel.
      const big = 'V1__big_seed.sql';
      const started = await uploader.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: big }));
      const part = await uploader.send(new UploadPartCommand({ Bucket: bucket, Key: big, UploadId: started.UploadId, PartNumber: 1, Body: 'CREATE TABLE big_seed (id int);\n' }));
      const small = harness.uploadBurst(bucket, [{ key: 'V2__small.sql', body: 'CREATE TABLE small_after_big (id int);\n' }]);
      // Today's runner applies V2 within a few seconds here; give it the chance to.
      await waitFor('V2 to be applied', async () => (await history('multipart')).includes('2|t'), 8_000).catch(() => undefined);
      const meanwhile = await history('multipart');
      await uploader.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: big, UploadId: started.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      const smallBurst = await small;
      await harness.settled();
      observed();
      const afterwards = await history('multipart');
      const records = await outcomes('multipart');
      recordCase({
        category: 'concurrency',
        input: 'V1 still being uploaded in parts (multipart upload in progress) while V2 is uploaded and its event runs',
        where: 'the command output of the pass that waited; the outcome record',
        says: `${(smallBurst.commands[0]?.stdout ?? '').split('\n').find((line) => line.includes('in progress')) ?? '(no line about the upload in progress)'}; records: ${records.map(describeRecord).join(' -> ')}`,
        database: `while V1 was in progress: ${meanwhile}; afterwards: ${afterwards}`,
      });
      expect(meanwhile).toMatch(/^(no database yet|no schema history|empty)$/);
      expect(afterwards).toBe('1|t, 2|t');
      expect(records.every((record) => record.status === 'success')).toBe(true);
    } finally {
      uploader.destroy();
    }
  });

  // --- 4. a run killed by the command's timeout ----------------------------------------------

  it("a run killed by its command's executionTimeout with a handed-over request in hand: the killed command fails, the request is left on the host, and the next command (for another database) runs it", async () => {
    const v1 = { 'V1__guarded.sql': 'CREATE TABLE guarded (id int);\n' };
    expect((await push('killed_run', folder(v1))).code).toBe(0);
    const lock = await holdTableLock('killed_run', 'guarded');
    let first: Burst | undefined;
    let pushed: Promise<RunResult> | undefined;
    let nextCommand: RunResult | undefined;
    try {
      // The first command's run: a short pass (V2), then the pass it takes over from the push (V3),
      // which waits for the lock with every timeout turned off, until Run Command kills it at 60 s.
      const running = harness.uploadBurst(bucketOf('killed_run'), [{ key: 'V2__pause.sql', body: 'SELECT pg_sleep(6);\n' }]);
      await waitFor('V2 to be running', () => sqlActive('killed_run', 'pg_sleep(6)'));
      pushed = push('killed_run', folder({ ...v1, 'V2__pause.sql': 'SELECT pg_sleep(6);\n', 'V3__reads_guarded.sql': 'SET lock_timeout = 0;\nSET statement_timeout = 0;\nSELECT count(*) FROM guarded;\n' }), '--timeout', '240');
      first = await running;
    } finally {
      await lock.release();
    }
    const afterKill = await history('killed_run');
    // The next command on the host, for another database: it finds the request nobody holds.
    nextCommand = await runClient(harness, PREFIX, ['run', 'bystander', 'info']);
    const pushedResult = await pushed;
    const afterwards = await history('killed_run');
    const killed = first.commands[0];
    recordCase({
      category: 'fault',
      input: "the run killed by Run Command at the command's executionTimeout (60 s) while it ran a request it had taken over from a push (V3 waiting for a lock with its timeouts off)",
      where: "Run Command (the killed command TimedOut: failure notification); the pusher's output",
      says: `killed command: ${killed?.status ?? '?'}; next command (bystander info): exit ${nextCommand.code}; push of V3: ${verdict(pushedResult)}`,
      database: `after the kill: ${afterKill}; after the next command: ${afterwards}`,
    });
    expect(killed?.status).toBe('TimedOut');
    expect(afterKill).toBe('1|t, 2|t');
    expect(nextCommand.code).toBe(0);
    expect(afterwards).toBe('1|t, 2|t, 3|t');
    expect(pushedResult.code).toBe(0);
    expect(pushedResult.stdout).toContain('killed_run: migrated');
  });

  // --- 5. two pushers, two passes --------------------------------------------------------------

  it("pass N applies A's V2, pass N+1 fails on B's V3: push A exits 0 and push B exits 1, each with its own pass's reason", async () => {
    const v1 = { 'V1__base.sql': 'CREATE TABLE two_base (id int);\n' };
    expect((await push('two_pushers', folder(v1))).code).toBe(0);
    // Reads of the current record only (not of its versions) wait until pass N+1 is recorded: a
    // pusher that polls the one record reads whatever the last pass wrote.
    const late = harness.holdCalls({ accessKeyId: UPLOADER_ACCESS_KEY_ID, service: 's3', matches: isOutcomeRead('two_pushers'), times: Number.POSITIVE_INFINITY });
    let pushes: Promise<RunResult[]>;
    try {
      const a = push('two_pushers', folder({ ...v1, 'V2__a_slow.sql': 'CREATE TABLE from_a (id int);\nSELECT pg_sleep(6);\n' }));
      await waitFor("A's pass to be running", () => sqlActive('two_pushers', 'pg_sleep(6)'));
      const b = push('two_pushers', folder({ ...v1, 'V3__b_broken.sql': 'INSERT INTO missing_from_b VALUES (1);\n' }));
      pushes = Promise.all([a, b]);
      await waitFor('pass N+1 to be recorded', async () => (await outcomes('two_pushers')).some((record) => record.status === 'failed'), 120_000);
    } finally {
      late.release();
    }
    const [pushA, pushB] = (await pushes) as [RunResult, RunResult];
    const records = await outcomes('two_pushers');
    const afterwards = await history('two_pushers');
    observed();
    recordCase({
      category: 'concurrency',
      input: "push A (V2, 6 s) and push B (a broken V3) landing during A's pass; the pushers read the record after both passes",
      where: PUSH_WHERE,
      says: `A: ${verdict(pushA)}; B: ${verdict(pushB)}; records: ${records.map(describeRecord).join(' -> ')}`,
      database: afterwards,
    });
    expect(pushA.code).toBe(0);
    expect(pushA.stdout).toContain('two_pushers: migrated, 1 migration(s) applied (V2)');
    expect(pushB.code).toBe(1);
    expect(pushB.stdout).toContain('two_pushers: FAILED');
    expect(`${pushB.stdout}${pushB.stderr}`).toContain('V3__b_broken.sql');
    expect(`${pushA.stdout}${pushA.stderr}`).not.toContain('V3__b_broken.sql');
    expect(afterwards).toBe('1|t, 2|t');
  });

  // --- 6. the smaller ones -------------------------------------------------------------------

  it('`aurora-flyway run <db> migrate` handed to the active run follows the outcome of the pass that took its request, and exits with it', async () => {
    expect((await push('run_queued', folder({ 'V1__base.sql': 'CREATE TABLE queued_base (id int);\n' }))).code).toBe(0);
    const bucket = bucketOf('run_queued');
    const slow = harness.uploadBurst(bucket, [{ key: 'V2__slow.sql', body: 'SELECT pg_sleep(8);\n' }]);
    await waitFor('V2 to be running', () => sqlActive('run_queued', 'pg_sleep(8)'));
    const broken = harness.uploadBurst(bucket, [{ key: 'V3__broken.sql', body: 'INSERT INTO missing_queued VALUES (1);\n' }]);
    const ran = await runClient(harness, PREFIX, ['run', 'run_queued', 'migrate']);
    await slow;
    await broken;
    const afterwards = await history('run_queued');
    recordCase({
      category: 'concurrency',
      input: 'aurora-flyway run migrate while a run is active (queued), the pass that takes it fails on a broken V3',
      where: "aurora-flyway run's output and exit code",
      says: verdict(ran),
      database: afterwards,
    });
    expect(ran.stdout).toContain('queued');
    expect(ran.code).toBe(1);
    expect(`${ran.stdout}${ran.stderr}`).toContain('V3__broken.sql');
    expect(afterwards).toBe('1|t, 2|t');
  });

  it('replay re-drives a persistently failing event once per call, reports it and keeps it in the queue', async () => {
    harness.deregisterHost();
    let replayed: RunResult;
    let invoked = 0;
    try {
      await harness.uploadBurst(bucketOf('replayed'), [{ key: 'V1__replayed.sql', body: 'CREATE TABLE replayed (id int);\n' }]);
      const before = listInvocationRecords(world.stateDir).length;
      // Still unregistered: every re-drive fails again.
      replayed = await runClient(harness, PREFIX, ['replay']);
      invoked = listInvocationRecords(world.stateDir).length - before;
    } finally {
      harness.registerHost();
    }
    const again = await runClient(harness, PREFIX, ['replay']);
    const afterwards = await history('replayed');
    recordCase({
      category: 'fault',
      input: 'aurora-flyway replay while the cause (the host not registered with SSM) is not fixed yet, then again once it is',
      where: "aurora-flyway replay's output and exit code; the on-failure queue",
      says: `while broken: ${verdict(replayed)} (${invoked} invocation(s)); once fixed: ${verdict(again)}`,
      database: afterwards,
    });
    expect(invoked).toBe(1);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('failed again');
    expect(again.code).toBe(0);
    expect(afterwards).toBe('1|t');
  });

  it('the outcome record failing to be written: retried until it is; failing for good, the command fails saying so, and the next pass writes it', async () => {
    const bucket = bucketOf('record_write');
    const outcomePut = (call: IncomingCall) => call.method === 'PUT' && s3Path(call) === `/${bucket}/${OUTCOME_KEY}`;
    const brief = harness.injectFault({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: outcomePut, times: 4, answer: S3_INTERNAL_ERROR });
    const v1 = { 'V1__first.sql': 'CREATE TABLE written (id int);\n' };
    const pushed = await push('record_write', folder(v1), '--timeout', '60');
    const lasting = harness.injectFault({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: outcomePut, times: 1_000, answer: S3_INTERNAL_ERROR });
    const v2 = { ...v1, 'V2__second.sql': 'CREATE TABLE written_too (id int);\n' };
    const failing = await push('record_write', folder(v2), '--timeout', '60');
    lasting.times = lasting.injected;
    const ran = await runClient(harness, PREFIX, ['run', 'record_write', 'migrate']);
    const status = await runClient(harness, PREFIX, ['status', 'record_write']);
    const rerun = await push('record_write', folder(v2));
    const records = await outcomes('record_write');
    const newest = records[records.length - 1];
    observed();
    recordCase({
      category: 'fault',
      input: "S3 answering 500 to the runner's outcome-record write: 4 times, then for good during a push of V2, then healthy again",
      where: `${PUSH_WHERE}; the command output; aurora-flyway status`,
      says: `4 failures: ${verdict(pushed)}; for good: ${verdict(failing)}; then run migrate: exit ${ran.code}, push again: ${verdict(rerun)}`,
      database: `${await history('record_write')}; newest record: ${describeRecord(newest)}`,
    });
    expect(brief.injected).toBe(4);
    expect(pushed.code).toBe(0);
    expect(failing.code).toBe(1);
    expect(`${failing.stdout}${failing.stderr}`).toContain('outcome record');
    expect(ran.code).toBe(0);
    expect(status.stdout).toMatch(/record_write +\S+ +migrate +success +2/);
    expect(newest?.objects.map((object) => object.key).sort()).toEqual(['V1__first.sql', 'V2__second.sql']);
    expect(rerun.code).toBe(0);
  });

  it('push refuses, before uploading anything, a file the runner would not run (a SQL callback while callbacks are off), with the runner\'s reason', async () => {
    const pushed = await push('callbacks_off', folder({ 'V1__base.sql': 'CREATE TABLE cb_base (id int);\n', 'afterMigrate.sql': 'SELECT 1;\n' }), '--timeout', '30');
    const listed = await world.aws.s3.send(new ListObjectsV2Command({ Bucket: bucketOf('callbacks_off') }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    recordCase({
      category: 'bad input',
      input: 'push of V1 with an afterMigrate.sql callback to a database with callbacks off',
      where: PUSH_WHERE,
      says: verdict(pushed),
      database: `${await history('callbacks_off')}; bucket holds: ${keys.join(', ') || 'nothing'}`,
    });
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toContain('afterMigrate.sql');
    expect(pushed.stderr).toContain('callbacks are off for this database');
    expect(pushed.stderr).toContain('nothing was uploaded');
    expect(keys).toEqual([]);
  });

  it('StartInstances failing briefly (EC2 503 twice): the trigger retries it like the SDK does, and the upload migrates without a Lambda retry', async () => {
    const startInstances = (call: IncomingCall) => new URLSearchParams(call.body).get('Action') === 'StartInstances';
    const unavailable = harness.injectFault({ accessKeyId: TRIGGER_ACCESS_KEY_ID, service: 'ec2', matches: startInstances, times: 2, answer: EC2_UNAVAILABLE });
    const burst = await harness.uploadBurst(bucketOf('wake_retry'), [{ key: 'V1__woken.sql', body: 'CREATE TABLE woken (id int);\n' }]);
    const afterwards = await history('wake_retry');
    const delivery = burst.deliveries[0];
    recordCase({
      category: 'fault',
      input: 'EC2 answering 503 Unavailable to the first two StartInstances calls of the trigger',
      where: "the trigger's log",
      says: `${unavailable.injected} fault(s) answered; ${delivery?.attempts.length ?? 0} invocation attempt(s); command ${burst.commands[0]?.status ?? 'none'}`,
      database: afterwards,
    });
    expect(unavailable.injected).toBe(2);
    expect(delivery?.attempts).toHaveLength(1);
    expect(burst.commands[0]?.status).toBe('Success');
    expect(afterwards).toBe('1|t');
  });

  it('a migration named V1__x.SQL (upper-case suffix) is reported everywhere, never silently skipped: push refuses it, an upload by hand is rejected at the trigger and listed by the runner', async () => {
    const refused = await push('upper_suffix', folder({ 'V1__shout.SQL': 'CREATE TABLE shout (id int);\n' }));
    const byHand = await harness.uploadBurst(bucketOf('upper_suffix'), [{ key: 'V1__shout.SQL', body: 'CREATE TABLE shout (id int);\n' }]);
    const upload = byHand.uploads[0];
    const tags = upload === undefined ? {} : await world.tags(upload.object.bucket, upload.object.key, upload.object.versionId);
    await harness.uploadBurst(bucketOf('upper_suffix'), [{ key: 'V2__fine.sql', body: 'CREATE TABLE fine (id int);\n' }]);
    const [record] = (await outcomes('upper_suffix')).slice(-1);
    recordCase({
      category: 'bad input',
      input: 'a migration named V1__shout.SQL: pushed, then uploaded by hand, then a valid V2 uploaded',
      where: `${PUSH_WHERE}; object tag flyway-rejected, the notification topic, the trigger's log; the outcome record's rejected list`,
      says: `push: ${verdict(refused)}; tag: ${tags['flyway-rejected'] ?? '(none)'}; record rejects: ${(record?.rejected ?? []).map((one) => one.key).join(', ') || 'nothing'}`,
      database: await history('upper_suffix'),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr + refused.stdout).toContain('V1__shout.SQL');
    expect(upload?.targets).toHaveLength(1);
    expect(tags['flyway-rejected']).toMatch(/suffix/);
    expect(byHand.commands).toEqual([]);
    expect(record?.rejected.map((one) => one.key)).toEqual(['V1__shout.SQL']);
    expect(await history('upper_suffix')).toBe('2|t');
  });

  it('a push whose migration waits behind a session holding its table: exits 1 after the retries, naming that session, with nothing applied; once the session is gone, `run migrate` applies it', async () => {
    const v1 = { 'V1__init.sql': 'CREATE TABLE guarded_rows (id int);\n' };
    const v2 = { ...v1, 'V2__add_note.sql': 'ALTER TABLE guarded_rows ADD COLUMN note text;\n' };
    expect((await push('lock_wait', folder(v1))).code).toBe(0);
    const lock = await holdTableLock('lock_wait', 'guarded_rows');
    let blocked: RunResult;
    try {
      blocked = await push('lock_wait', folder(v2));
    } finally {
      await lock.release();
    }
    const whileHeld = await history('lock_wait');
    const [failedRecord] = (await outcomes('lock_wait')).slice(-1);
    const rerun = await runClient(harness, PREFIX, ['run', 'lock_wait', 'migrate']);
    const afterwards = await history('lock_wait');
    observed();
    recordCase({
      category: 'fault',
      input: 'push of V2 (ALTER TABLE) while another session holds an ACCESS EXCLUSIVE lock on the table (lock_timeout_seconds 1, lock_retries 2); then the session ends and `aurora-flyway run migrate`',
      where: `${PUSH_WHERE}; the outcome record, the command output, the failure notification`,
      says: `push: ${verdict(blocked)}; then run migrate: exit ${rerun.code}`,
      database: `while held: ${whileHeld}; afterwards: ${afterwards}`,
    });
    expect(blocked.code).toBe(1);
    expect(failedRecord?.reason).toMatch(/^migration V2__add_note\.sql waited longer than the lock timeout \(1 s\) for a lock held by another session \(line 1\), tried 3 times; nothing of it was applied \(rolled back, or its failed attempt undone\); blocked by: pid \d+ \(user \w+, application lock-holder, active for \d+ s, query: "BEGIN; LOCK TABLE guarded_rows IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep\(600\);"\) -- let those sessions finish, or end them \(SELECT pg_terminate_backend\(pid\) for \d+\)/);
    expect(`${blocked.stdout}${blocked.stderr}`).toContain('application lock-holder');
    expect(whileHeld).toBe('1|t');
    expect(rerun.code).toBe(0);
    expect(afterwards).toBe('1|t, 2|t');
  });

  it("two files claiming one version stop the pass before Flyway; the record keeps the database's schema version instead of none", async () => {
    const files = { 'V1__a.sql': 'CREATE TABLE clash_a (id int);\n', 'V2__b.sql': 'CREATE TABLE clash_b (id int);\n', 'V3__c.sql': 'CREATE TABLE clash_c (id int);\n' };
    expect((await push('clash', folder(files))).code).toBe(0);
    const burst = await harness.uploadBurst(bucketOf('clash'), [{ key: 'V3__again.sql', body: 'CREATE TABLE clash_again (id int);\n' }]);
    const [record] = (await outcomes('clash')).slice(-1);
    const status = await runClient(harness, PREFIX, ['status', 'clash']);
    recordCase({
      category: 'bad input',
      input: 'V3__again.sql uploaded by hand next to the applied V3__c.sql (two files, one version)',
      where: 'the outcome record (aurora-flyway status), the command output, the failure notification',
      says: `${describeRecord(record)}; status: ${status.stdout.trim().split('\n').pop() ?? ''}`,
      database: await history('clash'),
    });
    expect(record?.status).toBe('failed');
    expect(record?.reason).toContain('V3__again.sql');
    expect(record?.schema_version).toBe('3');
    expect(burst.commands[0]?.status).toBe('Failed');
  });
});
