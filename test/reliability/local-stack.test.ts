// The local stack on its worst day: the module applied on the emulator with one database per case
// (a case that fails leaves its bucket broken), the harness delivering each upload's event to the
// real trigger, the real runner and Flyway on PostgreSQL.
// - Bad inputs: names Flyway rejects, hostile keys, encodings, sizes, broken SQL, changed history,
//   events that are not uploads.
// - Faults: a database that stops answering, the runner killed mid-migration, SSM throttling the
//   trigger, S3 failing the runner's downloads (injected by the harness in AWS's error shapes), a
//   rotated secret.
// - Concurrency: uploads at the same moment, during a long migration, 20 at once to one database
//   and to 20 databases, with Flyway JVMs counted from /proc rather than from the runner's log.
// - Leaks: the password searched for wherever it must not be.
// Each case reads back where its message appears, what it says, the database's state and where the
// event went, records that row for RELIABILITY.md, then asserts it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { OutcomeRecord } from '../../common/src/outcome';
import type { Burst, Harness } from '../harness/harness';
import { World } from '../e2e/support';
import { recordCase } from './cases';
import { adoptMasterLogin, readMasterLogin } from '../harness/master-login';
import { errorAnswer } from '../harness/answers';
import { AppliedIam, checkCalls, HOST_ACCESS_KEY_ID, TRIGGER_ACCESS_KEY_ID } from '../harness/iam-check';
import { documentArn, instanceArn } from '../harness/iam-requests';
import { decideProbes, grantedActions, probe, usedActions } from './least-privilege';
import { hostProcessGroups } from '../harness/ssm-host';
import { watchFlywayJvms } from '../support/flyway-jvms';
import { listCommandRecords, type CommandRecord } from '../harness/records';
import { occurrences, filesUnder } from './leaks';
import { objectTexts, peekQueueMessages, saveEvidence } from './evidence';
import { runClient } from '../harness/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(900_000);

const PREFIX = 'relbad';
const HEALTHY = ['bad_names', 'strange_keys', 'sub_folder', 'encodings', 'empty_file', 'large_file', 'repeatable', 'late_on', 'paused', 'killed', 'throttled', 'flaky_s3', 'unregistered', 'secret_gone', 'sync_midway', 'together', 'long_run', 'burst', 'rotated'];
const BROKEN = ['syntax_error', 'runtime_error', 'modified', 'deleted', 'late_off', 'duplicate'];
// The fan-out reuses every database the cases before it leave healthy (each apply of a database costs seconds).
const FANOUT = [...HEALTHY, 'fan_1'];
const DATABASES = [...HEALTHY, ...BROKEN, 'fan_1'] as const;
type Key = string;

/** S3's answer to a request it failed (500 InternalError), as the SDKs parse it. */
const S3_INTERNAL_ERROR = { status: 500, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>harness</RequestId></Error>' };
const TRIGGER_LOG = "the trigger's log (CloudWatch Logs)";
const REJECTED_WHERE = 'object tag flyway-rejected, the notification topic, the trigger\'s log';
const RUNNER_WHERE = 'the outcome record .flyway/outcome.json (aurora-flyway push/status), the command output, the failure notification';

describe('the local stack on its worst day', () => {
  let world: World;
  let harness: Harness;
  let buckets: Record<string, string>;
  let functionArn = '';
  /** The master password before the rotation case changes it: searched for too. */
  let firstPassword = '';
  // What a shell would create if one ever ran an object key (keys cannot hold "/", so a bare name).
  const marker = `pwned-${process.pid}`;
  const markersFound = () => execFileSync('find', [world.stateDir, process.cwd(), tmpdir(), '-maxdepth', '6', '-name', marker], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    const databases = Object.fromEntries(DATABASES.map((key) => [key, key === 'late_on' ? { out_of_order: true } : {}]));
    // Each case uploads its files together: a 1 s settle time is enough and keeps the suite short.
    world = await World.start('postgresql', PREFIX, async () => ({ databases: JSON.stringify(databases), settle_seconds: '1' }));
    // The provider waits about 55 s after each bucket's lifecycle configuration for S3's eventual
    // consistency (on AWS as here): with Terraform's default of 10 at once, 27 buckets wait three
    // times in a row, with all at once only once.
    await world.applyNew({ args: ['-parallelism=64'] });
    harness = await world.connect();
    buckets = (await world.outputs()).buckets;
    firstPassword = (await readMasterLogin(world.aws, (await world.outputs()).master_user_secret_arn)).password;
  });
  afterAll(async () => {
    if (world !== undefined) await saveEvidence(world);
    await world?.stop();
  });

  /** `terraform show -json` of the state, once: the leak search and the least-privilege checks read it after the last apply. */
  let stateJson: Promise<string> | undefined;
  const shownState = () => (stateJson ??= world.stack.terraform('show', '-json').then((shown) => shown.stdout));

  const upload = async (database: Key, files: readonly { key: string; body: string | Buffer }[]): Promise<Burst> => {
    const burst = await harness.uploadBurst(buckets[database] ?? '', files);
    const target = burst.uploads.find((candidate) => candidate.targets.length > 0)?.targets[0];
    if (target !== undefined) functionArn = target.functionArn;
    return burst;
  };

  /** The schema version Flyway recorded last, or what is there instead. */
  const schema = async (database: Key): Promise<string> => {
    // "No database yet" only when the server has none of that name; any other failed query is the test's error.
    const [named] = await world.query('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${database}'`);
    if (named === '0') return 'no database yet';
    const [exists] = await world.query(database, "SELECT to_regclass('flyway_schema_history') IS NOT NULL");
    if (exists !== 't') return 'no schema history';
    const [version] = await world.query(database, 'SELECT coalesce(max(version::numeric)::text, \'none\') FROM flyway_schema_history WHERE success AND version IS NOT NULL');
    return `schema at ${version ?? '?'}`;
  };

  const outcome = async (database: Key): Promise<OutcomeRecord> => {
    const object = await world.aws.s3.send(new GetObjectCommand({ Bucket: buckets[database], Key: '.flyway/outcome.json' }));
    return JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('{}'))) as OutcomeRecord;
  };

  it('file names Flyway would reject are refused at the trigger, tagged with the reason, and never reach the database', async () => {
    const names = ['v1__lowercase_prefix.sql', 'V1_single_underscore.sql', 'V1__.sql', 'V1.x__bad_version.sql', 'U1__undo.sql', 'R1__repeatable_with_version.sql'];
    const burst = await upload('bad_names', names.map((key) => ({ key, body: 'CREATE TABLE never (id int);\n' })));
    const reasons = await Promise.all(burst.uploads.map(async (one) => (await world.tags(one.object.bucket, one.object.key, one.object.versionId))['flyway-rejected'] ?? ''));
    const afterwards = await schema('bad_names');
    recordCase({
      category: 'bad input',
      input: `file names Flyway would reject: ${names.join(', ')}`,
      where: REJECTED_WHERE,
      says: reasons.join(' / '),
      database: `${afterwards} (nothing ran)`,
    });
    expect(reasons.every((reason) => reason !== '')).toBe(true);
    expect(reasons[0]).toContain('lowercase prefix');
    expect(reasons[1]).toContain('missing double underscore');
    expect(reasons[2]).toContain('missing description');
    expect(burst.commands).toEqual([]);
    expect(afterwards).toBe('no database yet');
  });

  it('a valid file next to rejected ones migrates; the rejected ones are listed in the outcome, never downloaded', async () => {
    await upload('bad_names', [{ key: 'V1__valid.sql', body: 'CREATE TABLE valid (id int);\n' }]);
    const record = await outcome('bad_names');
    const afterwards = await schema('bad_names');
    recordCase({
      category: 'bad input',
      input: 'a valid migration in a bucket that holds six rejected names',
      where: RUNNER_WHERE,
      says: `status ${record.status}; rejected: ${record.rejected.map((one) => `${one.key} (${one.reason})`).join(', ')}`,
      database: afterwards,
    });
    expect(record.status).toBe('success');
    expect(record.rejected).toHaveLength(6);
    expect(afterwards).toBe('schema at 1');
  });

  it('a non-SQL file sends no event and is never run', async () => {
    const burst = await upload('bad_names', [{ key: 'README.md', body: '# notes\n' }]);
    const afterwards = await schema('bad_names');
    const notified = burst.uploads.some((one) => one.targets.length > 0);
    recordCase({
      category: 'bad input',
      input: 'a non-SQL file (README.md)',
      where: 'nowhere: S3 sends no event for it (the notification filters on .sql)',
      says: '(nothing to say: it is not a migration)',
      database: `${afterwards} (unchanged)`,
    });
    expect(notified).toBe(false);
    expect(afterwards).toBe('schema at 1');
  });

  it('object keys with spaces, +, %, unicode, quotes, $(...), backticks and ; migrate through the real runner and Flyway, and no shell runs them', async () => {
    const descriptions = ['with spaces', 'plus+sign', 'percent%25', 'ünïcödé', "it's \"quoted\"", `$(touch ${marker})`, `\`touch ${marker}\``, 'semi;colon'];
    const files = descriptions.map((description, i) => ({ key: `V${i + 1}__${description}.sql`, body: `CREATE TABLE strange_${i + 1} (id int);\n` }));
    await upload('strange_keys', files);
    const record = await outcome('strange_keys');
    const afterwards = await schema('strange_keys');
    const scripts = await world.query('strange_keys', 'SELECT script FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank');
    recordCase({
      category: 'bad input',
      input: `object keys with shell and URL metacharacters: ${files.map((file) => file.key).join(' ')}`,
      where: RUNNER_WHERE,
      says: `status ${record.status}, ${record.migrations_applied} migration(s) applied; no file ${marker} created anywhere on the host`,
      database: afterwards,
    });
    expect(record.status).toBe('success');
    expect(scripts).toEqual(files.map((file) => file.key));
    expect(markersFound()).toBe('');
    expect(afterwards).toBe('schema at 8');
  });

  it('a key with a newline is refused at the trigger as unusable as a path', async () => {
    // S3 stores such a key; the emulator cannot (it answers an HTML error page), so its event is made by hand.
    const [one] = (await upload('strange_keys', [{ key: 'V9__probe.sql', body: 'SELECT 1;\n' }])).uploads;
    const record = harness.s3Record(one as NonNullable<typeof one>);
    const newline = { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encodeURIComponent('V10__line\nbreak.sql') } } };
    // S3's answers to the trigger's tagging of that key (the emulator answers an HTML error for it).
    const tagging = (method: string) => (call: { method: string; url: string }) => call.method === method && call.url.includes('%0A') && call.url.includes('tagging');
    const read = harness.injectFault({ accessKeyId: TRIGGER_ACCESS_KEY_ID, service: 's3', matches: tagging('GET'), times: 1, answer: { status: 200, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet></TagSet></Tagging>' } });
    const written = harness.injectFault({ accessKeyId: TRIGGER_ACCESS_KEY_ID, service: 's3', matches: tagging('PUT'), times: 1, answer: { status: 200, headers: {}, body: '' } });
    const delivery = await harness.invokeWith(functionArn, { Records: [newline] });
    const logged = delivery.invocation.logs.find((line) => String(line.message).startsWith('rejected: not a valid Flyway migration name'));
    const afterwards = await schema('strange_keys');
    recordCase({ category: 'bad input', input: 'an object key with a newline (event as S3 sends it)', where: `${TRIGGER_LOG}, the notification topic, object tag flyway-rejected`, says: String(logged?.reason ?? ''), database: `${afterwards} (unchanged by it)` });
    expect(String(logged?.reason)).toContain('key unusable as a file path');
    expect(delivery.invocation.ok).toBe(true);
    expect([read.injected, written.injected]).toEqual([1, 1]);
    expect(delivery.commands).toEqual([]);
  });

  it('a migration in a sub-folder of the bucket migrates (Flyway reads locations recursively)', async () => {
    await upload('sub_folder', [{ key: 'releases/2026/V1__in_a_folder.sql', body: 'CREATE TABLE in_folder (id int);\n' }]);
    const record = await outcome('sub_folder');
    const afterwards = await schema('sub_folder');
    recordCase({ category: 'bad input', input: '.sql in a sub-folder (releases/2026/V1__in_a_folder.sql)', where: RUNNER_WHERE, says: `status ${record.status}`, database: afterwards });
    expect(record.status).toBe('success');
    expect(afterwards).toBe('schema at 1');
  });

  it('a byte-order mark and CRLF line ends migrate like plain files', async () => {
    await upload('encodings', [
      { key: 'V1__with_bom.sql', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('CREATE TABLE bom (id int);\n')]) },
      { key: 'V2__with_crlf.sql', body: 'CREATE TABLE crlf (\r\n  id int\r\n);\r\nINSERT INTO crlf VALUES (1);\r\n' },
    ]);
    const record = await outcome('encodings');
    const afterwards = await schema('encodings');
    const tables = await world.query('encodings', "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('bom', 'crlf')");
    recordCase({ category: 'bad input', input: 'a UTF-8 byte-order mark; CRLF line ends', where: RUNNER_WHERE, says: `status ${record.status}, ${record.migrations_applied} applied`, database: afterwards });
    expect(record.status).toBe('success');
    expect(tables).toEqual(['2']);
    expect(afterwards).toBe('schema at 2');
  });

  it('an empty file is recorded as an applied (empty) migration', async () => {
    await upload('empty_file', [{ key: 'V1__empty.sql', body: '' }]);
    const record = await outcome('empty_file');
    const afterwards = await schema('empty_file');
    recordCase({ category: 'bad input', input: 'an empty file (V1__empty.sql)', where: RUNNER_WHERE, says: `status ${record.status}${record.reason ? `: ${record.reason}` : ''}`, database: afterwards });
    expect(record.status).toBe('success');
    expect(afterwards).toBe('schema at 1');
  });

  it('a 20 MB migration is synced and applied', async () => {
    // One 20 MB value: a data migration's size. (20 MB of "--" comment lines instead take Flyway
    // about a minute to parse on each of its two runs here: measured, not a limit of the pipeline.)
    const burst = await upload('large_file', [{ key: 'V1__large.sql', body: `CREATE TABLE large (v text);\nINSERT INTO large VALUES ('${'x'.repeat(20_000_000)}');\n` }]);
    const record = await outcome('large_file');
    const afterwards = await schema('large_file');
    const [length] = await world.query('large_file', 'SELECT length(v) FROM large');
    recordCase({ category: 'bad input', input: 'a 20 MB migration (one 20 MB value)', where: RUNNER_WHERE, says: `status ${record.status}`, database: `${afterwards}, the 20 MB value stored` });
    expect(burst.uploads[0]?.object.size).toBeGreaterThanOrEqual(20_000_000);
    expect(record.status).toBe('success');
    expect(length).toBe('20000000');
    expect(afterwards).toBe('schema at 1');
  });

  const failingCase = async (database: Key, input: string, setUp: readonly { key: string; body: string }[], bad: readonly { key: string; body: string }[], expectedReason: RegExp, expectedSchema: string) => {
    if (setUp.length > 0) await upload(database, setUp);
    const burst = await upload(database, bad);
    const record = await outcome(database);
    const afterwards = await schema(database);
    recordCase({ category: 'bad input', input, where: RUNNER_WHERE, says: record.reason ?? `status ${record.status}`, database: `${afterwards} (unchanged)` });
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(expectedReason);
    // The first command runs and fails; commands of the same burst hand their request to it and end at once.
    expect(burst.commands.some((command) => command.status === 'Failed')).toBe(true);
    expect(afterwards).toBe(expectedSchema);
  };

  it('an SQL syntax error fails the run with the database\'s message; the schema is unchanged', async () => {
    await failingCase('syntax_error', 'an SQL syntax error (V2)', [{ key: 'V1__ok.sql', body: 'CREATE TABLE ok (id int);\n' }], [{ key: 'V2__broken.sql', body: 'CREATE TABLEE broken (id int);\n' }], /syntax error/i, 'schema at 1');
  });

  it('a constraint violation in the middle of a file rolls the whole file back (PostgreSQL)', async () => {
    await failingCase(
      'runtime_error',
      'a runtime error (duplicate key) in the middle of V2, after a CREATE TABLE',
      [{ key: 'V1__table.sql', body: 'CREATE TABLE people (id int PRIMARY KEY);\n' }],
      [{ key: 'V2__duplicate.sql', body: 'CREATE TABLE half_done (id int);\nINSERT INTO people VALUES (1);\nINSERT INTO people VALUES (1);\n' }],
      /duplicate key/i,
      'schema at 1',
    );
    expect(await world.query('runtime_error', "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual(['0']);
  });

  it('a modified, already applied migration fails validation with the checksum mismatch', async () => {
    await failingCase('modified', 'an applied migration uploaded again with other content (V1)', [{ key: 'V1__first.sql', body: 'CREATE TABLE first (id int);\n' }], [{ key: 'V1__first.sql', body: 'CREATE TABLE first (id int, changed int);\n' }], /checksum/i, 'schema at 1');
  });

  it('a deleted, already applied migration fails the next run, which names it', async () => {
    await upload('deleted', [
      { key: 'V1__one.sql', body: 'CREATE TABLE one (id int);\n' },
      { key: 'V2__two.sql', body: 'CREATE TABLE two (id int);\n' },
    ]);
    await world.aws.s3.send(new DeleteObjectCommand({ Bucket: buckets.deleted, Key: 'V2__two.sql' }));
    await failingCase('deleted', 'an applied migration deleted from the bucket (V2), then V3 uploaded', [], [{ key: 'V3__three.sql', body: 'CREATE TABLE three (id int);\n' }], /not resolved locally|missing|V2|2/i, 'schema at 2');
  });

  it('a changed repeatable migration is applied again', async () => {
    await upload('repeatable', [{ key: 'R__view.sql', body: 'CREATE OR REPLACE VIEW answer AS SELECT 41 AS value;\n' }]);
    await upload('repeatable', [{ key: 'R__view.sql', body: 'CREATE OR REPLACE VIEW answer AS SELECT 42 AS value;\n' }]);
    const record = await outcome('repeatable');
    const [value] = await world.query('repeatable', 'SELECT value FROM answer');
    recordCase({ category: 'bad input', input: 'a repeatable migration uploaded again, changed', where: RUNNER_WHERE, says: `status ${record.status}, ${record.migrations_applied} applied`, database: `view answer = ${value ?? '?'}` });
    expect(record.status).toBe('success');
    expect(value).toBe('42');
  });

  it('a version below the applied one fails when out_of_order is off, naming it', async () => {
    await failingCase(
      'late_off',
      'a version below the applied one (V1.5 after V2), out_of_order off',
      [
        { key: 'V1__one.sql', body: 'CREATE TABLE one (id int);\n' },
        { key: 'V2__two.sql', body: 'CREATE TABLE two (id int);\n' },
      ],
      [{ key: 'V1.5__late.sql', body: 'CREATE TABLE late (id int);\n' }],
      /1\.5|ignored|not applied|outOfOrder|out_of_order/i,
      'schema at 2',
    );
  });

  it('a version below the applied one is applied when out_of_order is on', async () => {
    await upload('late_on', [
      { key: 'V1__one.sql', body: 'CREATE TABLE one (id int);\n' },
      { key: 'V2__two.sql', body: 'CREATE TABLE two (id int);\n' },
    ]);
    await upload('late_on', [{ key: 'V1.5__late.sql', body: 'CREATE TABLE late (id int);\n' }]);
    const record = await outcome('late_on');
    const versions = await world.query('late_on', 'SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank');
    recordCase({ category: 'bad input', input: 'a version below the applied one (V1.5 after V2), out_of_order on', where: RUNNER_WHERE, says: `status ${record.status}, ${record.migrations_applied} applied`, database: `applied in order ${versions.join(', ')}` });
    expect(record.status).toBe('success');
    expect(versions).toEqual(['1', '2', '1.5']);
  });

  it('two files with one version in one upload stop the run before anything is applied, naming both', async () => {
    await failingCase(
      'duplicate',
      'the same version twice in one upload (V1__a.sql, V1__b.sql)',
      [],
      [
        { key: 'V1__a.sql', body: 'CREATE TABLE a (id int);\n' },
        { key: 'V1__b.sql', body: 'CREATE TABLE b (id int);\n' },
      ],
      /V1__a\.sql.*V1__b\.sql|V1__b\.sql.*V1__a\.sql/,
      'no database yet',
    );
  });

  it('an event for a bucket that is not one of the module\'s is reported, never run', async () => {
    const [one] = (await upload('bad_names', [{ key: 'V2__probe.sql', body: 'SELECT 1;\n' }])).uploads;
    const record = harness.s3Record(one as NonNullable<typeof one>);
    const foreign = { ...record, s3: { ...record.s3, bucket: { ...record.s3.bucket, name: 'someone-elses-bucket', arn: 'arn:aws:s3:::someone-elses-bucket' } } };
    const delivery = await harness.invokeWith(functionArn, { Records: [foreign] });
    const logged = delivery.invocation.logs.find((line) => String(line.message).startsWith('configuration error: bucket is not mapped'));
    recordCase({ category: 'bad input', input: 'an upload event for a bucket the module does not know', where: `${TRIGGER_LOG}, the notification topic`, says: String(logged?.message ?? ''), database: 'no database touched' });
    expect(delivery.invocation.ok).toBe(true);
    expect(delivery.commands).toEqual([]);
    expect(logged).toBeDefined();
  });

  it('the s3:TestEvent S3 sends when a notification is configured is ignored', async () => {
    const delivery = await harness.invokeWith(functionArn, { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: buckets.bad_names, RequestId: 'R', HostId: 'H' });
    const logged = delivery.invocation.logs.find((line) => String(line.message).startsWith('ignored'));
    recordCase({ category: 'bad input', input: 's3:TestEvent', where: TRIGGER_LOG, says: String(logged?.message ?? ''), database: 'no database touched' });
    expect(delivery.invocation.ok).toBe(true);
    expect(delivery.commands).toEqual([]);
  });

  it.each([
    ['a record without s3 fields', { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }],
    ['not an object at all', 'garbage'],
  ])('a malformed event (%s) is refused, not retried, and runs nothing', async (what, event) => {
    const delivery = await harness.invokeWith(functionArn, event);
    const logged = delivery.invocation.logs.find((line) => String(line.level) === 'error');
    recordCase({ category: 'bad input', input: `a malformed event: ${what}`, where: TRIGGER_LOG, says: `${String(logged?.message ?? '')}${logged?.reason ? `: ${String(logged.reason)}` : ''}`, database: 'no database touched' });
    expect(delivery.invocation.ok).toBe(true);
    expect(delivery.commands).toEqual([]);
    expect(logged).toBeDefined();
  });

  /** The runner's error line (what happened -- what to do), as the command output shows it. */
  const errorLine = (command: CommandRecord | undefined) => `${command?.stdout ?? ''}\n${command?.stderr ?? ''}`.split('\n').find((line) => line.startsWith('flyway-runner: error: ')) ?? '(no error line)';

  // --- Faults -------------------------------------------------------------------------------

  // Asked of the server's postgres database: the migrated one may not exist yet when polling starts.
  const sqlActive = async (database: Key, fragment: string) => (await world.query('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${database}' AND state = 'active' AND query LIKE '%${fragment}%' AND pid <> pg_backend_pid()`))[0] === '1';
  const history = (database: Key) => world.query(database, 'SELECT version, count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL GROUP BY version ORDER BY min(installed_rank)');

  it('a database that stops answering (paused) and comes back: the run waits for it and migrates', async () => {
    const postmaster = Number(readFileSync(execFileSync('find', [world.server.workDir, '-name', 'postmaster.pid'], { encoding: 'utf8' }).trim().split('\n')[0] ?? '', 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGSTOP');
    let resumed = false;
    const resume = setTimeout(() => {
      process.kill(postmaster, 'SIGCONT');
      resumed = true;
    }, 12_000);
    let burst: Burst;
    try {
      burst = await upload('paused', [{ key: 'V1__while_paused.sql', body: 'CREATE TABLE paused (id int);\n' }]);
    } finally {
      clearTimeout(resume);
      if (!resumed) process.kill(postmaster, 'SIGCONT');
    }
    const record = await outcome('paused');
    const afterwards = await schema('paused');
    const waited = (burst.commands[0]?.stdout ?? '').split('\n').filter((line) => /database (not reachable|answered)/.test(line));
    recordCase({ category: 'fault', input: 'the database stops answering for 12 s, longer than one 10 s connect timeout of the runner (postmaster stopped with SIGSTOP), then comes back', where: 'the command output (CloudWatch Logs), then the outcome record', says: `${waited.join(' / ') || '(no wait reported)'}; status ${record.status}`, database: afterwards });
    expect(waited.some((line) => line.includes('database answered after'))).toBe(true);
    expect(record.status).toBe('success');
    expect(afterwards).toBe('schema at 1');
  });

  it('the runner killed (SIGKILL) in the middle of a migration leaves nothing half-applied on PostgreSQL, and the next run succeeds', async () => {
    const slow = { key: 'V1__slow.sql', body: 'CREATE TABLE slow (id int);\nSELECT pg_sleep(3);\n' };
    const running = upload('killed', [slow]);
    await waitFor('the migration to be running', () => sqlActive('killed', 'pg_sleep(3)'));
    const groups = [...hostProcessGroups()];
    for (const group of groups) process.kill(-group, 'SIGKILL');
    const killed = await running;
    const halfDone = await world.query('killed', "SELECT count(*) FROM information_schema.tables WHERE table_name = 'slow'");
    const before = await schema('killed');
    await upload('killed', [{ key: 'V2__after.sql', body: 'CREATE TABLE after_kill (id int);\n' }]);
    const record = await outcome('killed');
    const versions = await history('killed');
    recordCase({
      category: 'fault',
      input: `the runner and Flyway killed (SIGKILL to ${groups.length} process group(s)) during V1`,
      where: 'Run Command: the command Failed (failure notification); the next run\'s outcome record',
      says: `killed command: ${killed.commands[0]?.status ?? '?'} (exit ${killed.commands[0]?.exitCode ?? '?'}); next run: ${record.status}, ${record.migrations_applied} applied`,
      database: `after the kill: ${before}, table slow ${halfDone[0] === '0' ? 'absent' : 'present'}; after the next upload: versions ${versions.join(', ')}`,
    });
    expect(groups.length).toBeGreaterThan(0);
    expect(killed.commands[0]?.status).toBe('Failed');
    expect(halfDone).toEqual(['0']);
    // Flyway commits its (empty) history table before it migrates: either way, nothing was applied.
    expect(['schema at none', 'no schema history']).toContain(before);
    expect(record.status).toBe('success');
    expect(versions).toEqual(['1|1', '2|1']);
  });

  it('SSM throttling the trigger: its SDK retries and the command is sent; throttled past its retries, the invocation fails and Lambda\'s retry sends it', async () => {
    const throttle = (times: number) =>
      harness.injectFault({ accessKeyId: TRIGGER_ACCESS_KEY_ID, service: 'ssm', matches: (call) => (call.headers['x-amz-target'] ?? '').endsWith('.SendCommand'), times, answer: errorAnswer('ThrottlingException', 'Rate exceeded', 400) });
    const brief = throttle(2);
    const first = await upload('throttled', [{ key: 'V1__throttled.sql', body: 'CREATE TABLE throttled (id int);\n' }]);
    // The SDK's three attempts of the first invocation, all throttled; Lambda's retry is not.
    const lasting = throttle(3);
    const second = await upload('throttled', [{ key: 'V2__throttled_long.sql', body: 'CREATE TABLE throttled_long (id int);\n' }]);
    const [failed, retried] = second.deliveries[0]?.attempts ?? [];
    const versions = await history('throttled');
    recordCase({
      category: 'fault',
      input: `ssm:SendCommand answers ThrottlingException to the trigger: ${brief.injected} times, then ${lasting.injected} times (every attempt of one invocation)`,
      where: "the trigger's log; the failed invocation's error (Lambda retries it; after its retries, the on-failure queue and its alarm)",
      says: `brief: sent after ${brief.injected} throttled attempts; lasting: ${failed?.error?.message.slice(0, 200) ?? '?'}`,
      database: `versions ${versions.join(', ')}`,
    });
    expect(brief.injected).toBe(2);
    expect(first.commands[0]?.status).toBe('Success');
    expect(lasting.injected).toBe(3);
    expect(failed?.ok).toBe(false);
    expect(failed?.error?.message).toContain('ThrottlingException');
    expect(retried?.ok).toBe(true);
    expect(second.commands.map((command) => command.status)).toEqual(['Success']);
    expect(versions).toEqual(['1|1', '2|1']);
  });

  it('the other way round: SSM answering 500 to the trigger and S3 throttling the runner (SlowDown): both retried by their SDKs, and the upload migrates', async () => {
    const ssm500 = harness.injectFault({ accessKeyId: TRIGGER_ACCESS_KEY_ID, service: 'ssm', matches: (call) => (call.headers['x-amz-target'] ?? '').endsWith('.SendCommand'), times: 1, answer: errorAnswer('InternalServerError', 'An internal error occurred.', 500) });
    const slowDown = harness.injectFault({
      accessKeyId: HOST_ACCESS_KEY_ID,
      service: 's3',
      matches: (call) => call.method === 'GET' && new URL(call.url, 'http://local').searchParams.has('versions'),
      times: 2,
      answer: { status: 503, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>harness</RequestId></Error>' },
    });
    const burst = await upload('throttled', [{ key: 'V3__retried.sql', body: 'CREATE TABLE retried (id int);\n' }]);
    const versions = await history('throttled');
    recordCase({
      category: 'fault',
      input: `ssm:SendCommand answers 500 InternalServerError to the trigger (${ssm500.injected} time); S3 ListObjectVersions answers 503 SlowDown to the runner (${slowDown.injected} times)`,
      where: "nowhere the uploader looks: the SDKs' retries absorb them (the trigger's log and the command output show the run)",
      says: `trigger: ${burst.deliveries[0]?.attempts.length ?? '?'} attempt(s), ${burst.deliveries[0]?.invocation.ok === true ? 'succeeded' : 'failed'}; runner: ${burst.commands[0]?.summary?.status ?? '?'}`,
      database: `versions ${versions.join(', ')}`,
    });
    expect(ssm500.injected).toBe(1);
    expect(slowDown.injected).toBe(2);
    expect(burst.deliveries[0]?.attempts).toHaveLength(1);
    expect(burst.commands[0]?.summary?.status).toBe('success');
    expect(versions).toEqual(['1|1', '2|1', '3|1']);
  });

  it('S3 answering 500 to the runner: its SDK retries the download; failing past its retries, the run fails naming it and the next run succeeds', async () => {
    const downloads = (call: { method: string; url: string }) => call.method === 'GET' && new URL(call.url, 'http://local').pathname.endsWith('.sql');
    const brief = harness.injectFault({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: downloads, times: 2, answer: S3_INTERNAL_ERROR });
    await upload('flaky_s3', [{ key: 'V1__flaky.sql', body: 'CREATE TABLE flaky (id int);\n' }]);
    const firstRecord = await outcome('flaky_s3');
    const lasting = harness.injectFault({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: downloads, times: 1_000, answer: S3_INTERNAL_ERROR });
    const second = await upload('flaky_s3', [{ key: 'V2__flaky_long.sql', body: 'CREATE TABLE flaky_long (id int);\n' }]);
    lasting.times = lasting.injected;
    const failedSummary = second.commands[0]?.summary;
    const afterFailure = await schema('flaky_s3');
    await upload('flaky_s3', [{ key: 'V3__after.sql', body: 'CREATE TABLE flaky_after (id int);\n' }]);
    const versions = await history('flaky_s3');
    recordCase({
      category: 'fault',
      input: `S3 GetObject answers 500 to the runner: ${brief.injected} times, then every time`,
      where: 'the command output and failure notification (the outcome record when S3 takes writes)',
      says: `brief: ${firstRecord.status} after ${brief.injected} failed attempts; lasting: ${failedSummary?.reason ?? '?'}`,
      database: `after the lasting failure: ${afterFailure}; after the next upload: versions ${versions.join(', ')}`,
    });
    expect(brief.injected).toBe(2);
    expect(firstRecord.status).toBe('success');
    expect(second.commands[0]?.status).toBe('Failed');
    expect(failedSummary?.reason).toMatch(/V2__flaky_long\.sql|InternalError|download/i);
    expect(afterFailure).toBe('schema at 1');
    expect(versions).toEqual(['1|1', '2|1', '3|1']);
  });

  it('a host no longer registered with SSM: the trigger fails saying what to check, Lambda retries, the event waits in the on-failure queue, and aurora-flyway replay re-drives it once the host is back', async () => {
    const since = new Date().toISOString();
    harness.deregisterHost();
    let burst: Burst;
    try {
      burst = await upload('unregistered', [{ key: 'V1__while_unregistered.sql', body: 'CREATE TABLE unregistered (id int);\n' }]);
    } finally {
      harness.registerHost();
    }
    const delivery = burst.deliveries[0];
    const before = await schema('unregistered');
    // The queue's alarm fired (played: its metric, threshold and state, then the publish through the topic's policy).
    const alarmed = (await harness.notificationsReceived()).filter((message) => message.receivedAt >= since && message.subject?.startsWith('ALARM: ') === true);
    const replayed = await runClient(harness, PREFIX, ['replay']);
    await harness.settled();
    const after = await schema('unregistered');
    const again = await runClient(harness, PREFIX, ['replay']);
    recordCase({
      category: 'fault',
      input: 'the Flyway host is not a managed node of SSM (deregistered): SendCommand answers InvalidInstanceId',
      where: "the trigger's log and error; the on-failure queue and its alarm; aurora-flyway replay's output",
      says: `${delivery?.invocation.error?.message.slice(0, 260) ?? '?'}; replay: ${replayed.stdout.trim().split('\n').pop() ?? ''}`,
      database: `while the host was unregistered: ${before}; after the replay: ${after}`,
    });
    expect(delivery?.attempts.map((attempt) => attempt.ok)).toEqual([false, false, false]);
    expect(delivery?.invocation.error?.message).toContain('InvalidInstanceId');
    expect(delivery?.invocation.error?.message).toContain('is not registered with SSM');
    expect(delivery?.afterRetries?.destination).toMatch(/^arn:aws:sqs:.*-failures$/);
    expect(burst.commands).toEqual([]);
    expect(before).toBe('no database yet');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/re-driven, unregistered -> command \S+; deleted from the queue/);
    expect(after).toBe('schema at 1');
    expect(again.stdout).toContain('the failure queue is empty');
    expect(alarmed.map((message) => message.subject)).toEqual([expect.stringMatching(new RegExp(`^ALARM: "${PREFIX}-[\\w-]*failed-events" in `))]);
    expect(JSON.parse(alarmed[0]?.message ?? '{}')).toMatchObject({ NewStateValue: 'ALARM', Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ name: 'QueueName', value: expect.stringMatching(/-failures$/) }] } });
  });

  it('a stopped host (someone stopped the instance): the trigger starts it, the command waits for its agent, and the upload migrates', async () => {
    await harness.power.stopInstance();
    const stoppedWas = harness.power.instanceState;
    const burst = await upload('unregistered', [{ key: 'V2__after_stop.sql', body: 'CREATE TABLE after_stop (id int);\n' }]);
    const said = burst.deliveries[0]?.invocation.logs.map((line) => String(line.message)).find((message) => message.startsWith('host was stopped'));
    const versions = await history('unregistered');
    recordCase({
      category: 'fault',
      input: 'the Flyway host stopped (an operator stopped the instance)',
      where: "the trigger's log",
      says: `${said ?? '(the trigger said nothing about the host)'}; the host is ${harness.power.instanceState} afterwards`,
      database: `versions ${versions.join(', ')}`,
    });
    expect(stoppedWas).toBe('stopped');
    expect(said).toContain('started it');
    expect(burst.commands.map((command) => command.status)).toEqual(['Success']);
    expect(versions).toEqual(['1|1', '2|1']);
  });

  it('the master secret scheduled for deletion: the run fails naming it and how to restore it, the database is untouched, and the next run after the restore migrates', async () => {
    const { master_user_secret_arn: secretId } = await world.outputs();
    await world.aws.cli('secretsmanager', 'delete-secret', '--secret-id', secretId, '--recovery-window-in-days', '7');
    let failed: Burst;
    try {
      failed = await upload('secret_gone', [{ key: 'V1__no_secret.sql', body: 'CREATE TABLE no_secret (id int);\n' }]);
    } finally {
      await world.aws.cli('secretsmanager', 'restore-secret', '--secret-id', secretId);
    }
    const said = errorLine(failed.commands[0]);
    const before = await schema('secret_gone');
    await upload('secret_gone', [{ key: 'V2__secret_back.sql', body: 'CREATE TABLE secret_back (id int);\n' }]);
    const versions = await history('secret_gone');
    recordCase({
      category: 'fault',
      input: 'the master secret deleted (scheduled for deletion in its recovery window)',
      where: 'the command output and failure notification (Run Command failed)',
      says: said,
      database: `while the secret was deleted: ${before}; after the restore and the next upload: versions ${versions.join(', ')}`,
    });
    expect(failed.commands[0]?.status).toBe('Failed');
    expect(said).toContain('is scheduled for deletion');
    expect(said).toContain('restore-secret');
    expect(before).toBe('no database yet');
    expect(versions).toEqual(['1|1', '2|1']);
  });

  it('S3 failing part-way through a sync of several files: the run fails naming the file before Flyway starts, nothing is applied, and the next run migrates them all', async () => {
    const files = ['V1__a.sql', 'V2__b.sql', 'V3__c.sql', 'V4__d.sql'].map((key) => ({ key, body: `CREATE TABLE sync_${key.slice(4, 5)} (id int);\n` }));
    // Only the third file fails, past the SDK's retries: the others download.
    const third = harness.injectFault({ accessKeyId: HOST_ACCESS_KEY_ID, service: 's3', matches: (call) => call.method === 'GET' && new URL(call.url, 'http://local').pathname.endsWith('/V3__c.sql'), times: 1_000, answer: S3_INTERNAL_ERROR });
    const jvms = watchFlywayJvms();
    let failed: Burst;
    try {
      // Stored first, then one event for all four: one command whose listing holds them all.
      const uploads = [];
      for (const file of files) uploads.push(await harness.upload(buckets.sync_midway ?? '', file.key, file.body));
      const deliveries = await harness.deliver(uploads);
      failed = { uploads, deliveries, commands: deliveries.flatMap((delivery) => delivery.commands) };
    } finally {
      third.times = third.injected;
    }
    const { started } = jvms.stop();
    const summaries = failed.commands.map((command) => command.summary).filter((summary) => summary?.status === 'failed');
    const before = await schema('sync_midway');
    const next = await harness.invokeWith(functionArn, failed.deliveries[0]?.invocation.event);
    const versions = await history('sync_midway');
    recordCase({
      category: 'fault',
      input: `S3 GetObject answers 500 for the third of four files (${third.injected} times: past the runner's retries), the others download`,
      where: 'the command output and failure notification (Run Command failed)',
      says: `${failed.commands.map((command) => errorLine(command)).join(' / ')}; the next run: ${next.commands.map((command) => `${command.summary?.status ?? '?'} ${command.summary?.reason ?? ''}`).join(' / ')}`,
      database: `after the failed sync: ${before} (${started} Flyway JVM(s) started); after the next run: versions ${versions.join(', ')}`,
    });
    expect(summaries.length).toBeGreaterThan(0);
    expect(errorLine(failed.commands[0])).toMatch(/cannot download s3:\/\/\S+\/V3__c\.sql \(version \S+\): InternalError: .*; nothing was run -- S3 failed past the runner's retries; run again/);
    expect(started).toBe(0);
    expect(before).toBe('no database yet');
    expect(versions).toEqual(['1|1', '2|1', '3|1', '4|1']);
  });

  // --- Concurrency --------------------------------------------------------------------------

  it('two uploads to one database at the same moment: both applied, once each', async () => {
    const jvms = watchFlywayJvms();
    await Promise.all([
      upload('together', [{ key: 'V1__left.sql', body: 'CREATE TABLE left_side (id int);\n' }]),
      upload('together', [{ key: 'V2__right.sql', body: 'CREATE TABLE right_side (id int);\n' }]),
    ]);
    const { started } = jvms.stop();
    const versions = await history('together');
    recordCase({ category: 'concurrency', input: 'two uploads to one database at the same moment', where: 'the outcome record', says: `${started} Flyway JVM(s) started (counted from /proc)`, database: `versions ${versions.join(', ')}` });
    expect(versions).toEqual(['1|1', '2|1']);
    expect(started).toBeLessThanOrEqual(2);
  });

  it('an upload during a long migration is handed to the running one and applied after it', async () => {
    const long = upload('long_run', [{ key: 'V1__long.sql', body: 'CREATE TABLE long_one (id int);\nSELECT pg_sleep(5);\n' }]);
    await waitFor('the long migration to be running', () => sqlActive('long_run', 'pg_sleep(5)'));
    const during = await upload('long_run', [{ key: 'V2__during.sql', body: 'CREATE TABLE during_long (id int);\n' }]);
    await long;
    const versions = await history('long_run');
    const handedOver = during.commands[0]?.summary?.status;
    recordCase({ category: 'concurrency', input: 'an upload while a 5 s migration runs on the same database', where: 'the outcome record; the second command says it was queued', says: `second command: ${handedOver ?? '?'} (${during.commands[0]?.summary?.reason ?? ''})`, database: `versions ${versions.join(', ')}` });
    expect(handedOver).toBe('queued');
    expect(versions).toEqual(['1|1', '2|1']);
  });

  it('20 triggers for one database within a second: every version applied once, in at most two Flyway runs', async () => {
    const jvms = watchFlywayJvms();
    const burst = await upload('burst', Array.from({ length: 20 }, (_, i) => ({ key: `V${i + 1}__burst_${i + 1}.sql`, body: `CREATE TABLE burst_${i + 1} (id int);\n` })));
    const { started } = jvms.stop();
    const versions = await history('burst');
    recordCase({ category: 'concurrency', input: '20 files uploaded to one database within a second (20 events, 20 triggers)', where: 'the outcome record', says: `${started} Flyway JVM(s) started (counted from /proc), ${burst.commands.length} commands`, database: `${versions.length} versions, each applied ${[...new Set(versions.map((row) => row.split('|')[1]))].join('/')} time(s)` });
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => `${i + 1}|1`));
    expect(started).toBeLessThanOrEqual(2);
  });

  it('a rotated secret is used by the next run', async () => {
    const outputs = await world.outputs();
    const login = await readMasterLogin(world.aws, outputs.master_user_secret_arn);
    const rotated = { ...login, password: `rotated-${Date.now()}-Xy7` };
    // What RDS does when it rotates the managed secret: a new password on the cluster and in the secret.
    world.master = await adoptMasterLogin(world.server, 'postgresql', rotated);
    await world.aws.cli('secretsmanager', 'put-secret-value', '--secret-id', outputs.master_user_secret_arn, '--secret-string', JSON.stringify(rotated));
    await upload('rotated', [{ key: 'V1__after_rotation.sql', body: 'CREATE TABLE rotated (id int);\n' }]);
    const record = await outcome('rotated');
    const afterwards = await schema('rotated');
    recordCase({ category: 'fault', input: 'the master secret rotated (new password on the cluster and in the secret)', where: 'the outcome record', says: `status ${record.status}`, database: afterwards });
    expect(record.status).toBe('success');
    expect(afterwards).toBe('schema at 1');
  });

  it('uploads to 20 databases at once: all migrated, never more than two Flyway runs at a time', async () => {
    const jvms = watchFlywayJvms();
    await Promise.all(FANOUT.map((database) => upload(database, [{ key: 'V100__fan.sql', body: 'CREATE TABLE fan (id int);\n' }])));
    const { started, mostAtOnce } = jvms.stop();
    const states = await Promise.all(FANOUT.map((database) => schema(database)));
    recordCase({ category: 'concurrency', input: 'one upload (V100) to each of 20 databases at once', where: 'each database\'s outcome record', says: `${started} Flyway JVM(s), at most ${mostAtOnce} at once (counted from /proc; max_parallel_migrations = 2)`, database: `${states.filter((state) => state === 'schema at 100').length} of 20 at version 100` });
    expect(states).toEqual(FANOUT.map(() => 'schema at 100'));
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    expect(started).toBeGreaterThanOrEqual(20);
  });

  it('leaves the database password nowhere but in its secret: state, plan, user data, command parameters, the trigger\'s environment, runner output, logs, host files', async () => {
    const outputs = await world.outputs();
    const { password } = await readMasterLogin(world.aws, outputs.master_user_secret_arn);
    await world.stack.terraform('plan', '-input=false', '-no-color', '-out=leaks.tfplan');
    const plan = (await world.stack.terraform('show', '-json', 'leaks.tfplan')).stdout;
    const state = await shownState();
    const userData = (await world.aws.cli('ec2', 'describe-instance-attribute', '--instance-id', outputs.instance_id, '--attribute', 'userData')) as { UserData?: { Value?: string } };
    const commands = JSON.stringify(await world.aws.cli('ssm', 'list-commands'));
    const functions = (await world.aws.cli('lambda', 'list-functions')) as { Functions: { Environment?: unknown }[] };
    const runnerOutput = listCommandRecords(world.stateDir).map((record) => `${record.stdout}\n${record.stderr}`).join('\n');
    const groups = (await world.aws.cli('logs', 'describe-log-groups')) as { logGroups: { logGroupName: string }[] };
    const logs: string[] = [];
    for (const group of groups.logGroups) {
      const events = (await world.aws.cli('logs', 'filter-log-events', '--log-group-name', group.logGroupName)) as { events: { message: string }[] };
      logs.push(...events.events.map((event) => event.message));
    }
    const hostFiles = filesUnder(world.stateDir);
    const commandGroup = groups.logGroups.find((group) => group.logGroupName.endsWith('/commands'))?.logGroupName ?? '';
    const commandLogs = commandGroup === '' ? [] : ((await world.aws.cli('logs', 'filter-log-events', '--log-group-name', commandGroup)) as { events: { message: string }[] }).events.map((event) => event.message);
    const bucketNames = [...Object.values(outputs.buckets), String(outputs.artifacts_bucket_name)];
    const objects = (await Promise.all(bucketNames.map((bucket) => objectTexts(world, bucket)))).flat();
    const delivered = await harness.notificationsReceived();
    const queued = await peekQueueMessages(world);
    const places: [string, string][] = [
      ['Terraform state (terraform show -json)', state],
      ['plan JSON', plan],
      ['user data', Buffer.from(userData.UserData?.Value ?? '', 'base64').toString('utf8')],
      ['SSM command parameters (every command sent)', commands],
      ["the trigger's environment", JSON.stringify(functions.Functions.map((fn) => fn.Environment ?? {}))],
      ['runner output (every command\'s stdout and stderr)', runnerOutput],
      [`CloudWatch Logs (${groups.logGroups.length} log groups, ${logs.length} events)`, logs.join('\n')],
      [`the host's files (${hostFiles.length} files: runner, orchestration, requests, records)`, hostFiles.map((file) => file.text).join('\n')],
      [`the command output in the log group ${commandGroup} (${commandLogs.length} events)`, commandLogs.join('\n')],
      [`every object version in the ${bucketNames.length} buckets, outcome records included (${objects.length} versions)`, objects.join('\n')],
      [`the messages the notification topic delivered (${delivered.length})`, JSON.stringify(delivered)],
      [`the messages in the deployment's SQS queues (${queued.length})`, JSON.stringify(queued)],
    ];
    // Both passwords: the one before the rotation case and the current one.
    const found = places.map(([where, text]) => ({ where, count: occurrences(text, password) + (firstPassword === password ? 0 : occurrences(text, firstPassword)), searched: text.length }));
    for (const place of found) {
      recordCase({
        category: 'leak',
        input: `the master password (before and after its rotation), searched in ${place.where}`,
        where: place.where,
        says: `${place.count} occurrence(s) in ${place.searched} characters`,
        database: 'unchanged',
        passwordOccurrences: place.count,
      });
    }
    // The search can find it: the secret itself holds it.
    expect(occurrences(JSON.stringify(await world.aws.cli('secretsmanager', 'get-secret-value', '--secret-id', outputs.master_user_secret_arn)), password)).toBeGreaterThan(0);
    // Every place held something to search (an empty place would hide a search that looked nowhere).
    expect(found.filter((place) => place.searched === 0)).toEqual([]);
    expect(found.filter((place) => place.count > 0)).toEqual([]);
  });

  // --- Least privilege ----------------------------------------------------------------------

  // Granted, and not exercised by this suite's calls, on purpose: anything else granted and unused fails the test.
  const AGENT = "the SSM agent's own call, which the harness plays without making it (amazon-ssm-agent)";
  const UNUSED_ON_PURPOSE: Record<'trigger' | 'Flyway host', Record<string, string>> = {
    trigger: {
      'logs:CreateLogStream': "Lambda writes the function's own log with its execution role; the harness does not play that",
      'logs:PutLogEvents': "Lambda writes the function's own log with its execution role; the harness does not play that",
      'ssm:ListCommandInvocations': "only when the host's stopped event arrives (test/e2e/sleeping-host.test.ts); the host never stops here",
      's3:GetObjectTagging': 'an object without a version id (a bucket whose versioning was suspended outside Terraform)',
      's3:PutObjectTagging': 'an object without a version id (a bucket whose versioning was suspended outside Terraform)',
    },
    'Flyway host': {
      'ec2messages:DeleteMessage': AGENT,
      'ec2messages:FailMessage': AGENT,
      'ec2messages:GetEndpoint': AGENT,
      'ssmmessages:CreateDataChannel': AGENT,
      'ssmmessages:OpenDataChannel': AGENT,
      'ssm:ListAssociations': AGENT,
      'logs:DescribeLogGroups': AGENT,
      'ssm:GetDocument': AGENT,
      'ssm:DescribeDocument': AGENT,
      's3:ListBucket': 'no call of its own: with it S3 answers NoSuchKey, not AccessDenied, for an outcome record that is not there yet',
    },
  };

  it.each(['trigger', 'Flyway host'] as const)('least privilege of the %s role: every call it made allowed, nothing granted that its component does not use, and what it must not do refused', async (role) => {
    const outputs = await world.outputs();
    const state = JSON.parse(await shownState()) as Parameters<typeof AppliedIam.fromState>[0];
    const iam = AppliedIam.fromState(state, world.moto.region);
    const roleArn = iam.principals().get(role === 'trigger' ? TRIGGER_ACCESS_KEY_ID : HOST_ACCESS_KEY_ID) ?? '';
    const { recorded, declared } = harness.calls();
    const verdict = await checkCalls(iam, recorded, declared);
    const denied = verdict.denied.filter((line) => line.includes(roleArn));
    const used = usedActions(iam, recorded, declared).get(roleArn) ?? new Set<string>();
    const granted = grantedActions(iam.identityPolicies(roleArn));
    const unused = granted.filter((action) => !used.has(action));
    const { scope } = iam;
    const migration = `arn:aws:s3:::${buckets.bad_names}/V1__valid.sql`;
    const foreignObject = 'arn:aws:s3:::someone-elses-bucket/dump.sql';
    const otherInstance = instanceArn(scope, 'i-0123456789abcdef0');
    const otherSecret = `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:someone-elses-secret-AbCdEf`;
    const probes =
      role === 'trigger'
        ? [
            probe('read the database login', 'secretsmanager:GetSecretValue', outputs.master_user_secret_arn),
            probe("send a document other than the module's (one that runs any shell script)", 'ssm:SendCommand', documentArn(scope, 'RunAnyShellScript')),
            probe('send commands to another instance', 'ssm:SendCommand', otherInstance),
            probe('start another instance', 'ec2:StartInstances', otherInstance),
            probe('read a migration', 's3:GetObject', migration),
            probe('delete a migration', 's3:DeleteObject', migration),
            probe("tag another bucket's objects", 's3:PutObjectVersionTagging', foreignObject),
          ]
        : [
            probe('write a migration into a bucket it runs', 's3:PutObject', `arn:aws:s3:::${buckets.bad_names}/V999__injected.sql`),
            probe('delete a migration version', 's3:DeleteObjectVersion', migration),
            probe('copy data to a foreign bucket', 's3:PutObject', foreignObject),
            probe('read another secret', 'secretsmanager:GetSecretValue', otherSecret),
            probe('send commands itself', 'ssm:SendCommand', instanceArn(scope, outputs.instance_id)),
            probe('start instances', 'ec2:StartInstances', otherInstance),
          ];
    const decisions = await decideProbes(iam, roleArn, probes);
    const allowedProbes = decisions.filter(({ decision }) => decision !== 'ImplicitlyDenied' && decision !== 'ExplicitlyDenied');
    const onPurpose = UNUSED_ON_PURPOSE[role];
    const unexplained = unused.filter((action) => onPurpose[action] === undefined);
    recordCase({
      category: 'least privilege',
      input: `the ${role} role (${roleArn.split('/').pop() ?? ''}), from the applied state: ${granted.length} actions granted`,
      where: 'the IAM policy simulator over the role\'s policies and each resource\'s policy',
      says:
        `${used.size} actions used by this suite's calls, ${denied.length} denied; ` +
        `granted and not used here: ${unused.map((action) => `${action} (${onPurpose[action] ?? 'UNEXPLAINED'})`).join(', ') || 'none'}; ` +
        `refused: ${decisions.filter((one) => !allowedProbes.includes(one)).length} of ${decisions.length} probes (${decisions.map(({ probe: one, decision }) => `${one.why}: ${decision}`).join('; ')})`,
      database: 'not touched',
    });
    expect(used.size).toBeGreaterThan(3);
    expect(denied).toEqual([]);
    expect(unexplained).toEqual([]);
    expect(allowedProbes.map(({ probe: one }) => `${one.why}: ${one.request.action} on ${one.request.resource}`)).toEqual([]);
  });
});

