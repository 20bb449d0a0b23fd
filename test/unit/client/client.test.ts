// The client's pure parts: finding the pipeline in the module's parameters, deciding what a push
// uploads, reading Flyway's error out of a run's output, the status table, and output modes.

import { flywayErrorLines } from '../../../client/src/follow';
import { createReporter, table } from '../../../client/src/output';
import { databaseOf, pipelineOf } from '../../../client/src/pipeline';
import { planPush, runnerRefusals, type RemoteObject } from '../../../client/src/push-plan';
import { statusTable } from '../../../client/src/status';
import { explainAwsError, EXIT } from '../../../client/src/errors';
import { describeOutcome } from '../../../client/src/push';

const pipelineJson = JSON.stringify({
  name_prefix: 'shop',
  engine: 'postgresql',
  document_name: 'shop-flyway',
  instance_id: 'i-1',
  command_log_group: '/flyway/shop-flyway/commands',
  failure_queue_url: 'https://sqs/123/shop-flyway-trigger-failures',
  trigger_function_name: 'shop-flyway-trigger',
});
const settings = (key: string) => JSON.stringify({ key, bucket: `shop-${key}-123`, database: key, engine: 'postgresql', flyway: {} });

describe('pipelineOf and databaseOf', () => {
  it('reads the module\'s parameters, databases sorted by key', () => {
    const pipeline = pipelineOf('/shop/flyway', pipelineJson, [settings('users'), settings('orders')]);
    expect(pipeline).toMatchObject({ namePrefix: 'shop', documentName: 'shop-flyway', instanceId: 'i-1', commandLogGroup: '/flyway/shop-flyway/commands' });
    expect(pipeline.databases.map((db) => db.key)).toEqual(['orders', 'users']);
    expect(databaseOf(pipeline, 'users')).toEqual({ key: 'users', bucket: 'shop-users-123', engine: 'postgresql', name: 'users', callbacks: false, cluster: 'default' });
    const withCallbacks = JSON.stringify({ ...(JSON.parse(settings('users')) as object), flyway: { callbacks: true } });
    expect(databaseOf(pipelineOf('/shop/flyway', pipelineJson, [withCallbacks]), 'users').callbacks).toBe(true);
  });

  it("gives a database on an existing cluster that cluster's engine and version, and one on the module's cluster the pipeline's", () => {
    const withVersion = JSON.stringify({ ...(JSON.parse(pipelineJson) as object), engine_version: '16.6' });
    const legacy = JSON.stringify({ key: 'orders', bucket: 'shop-orders-123', database: 'orders', engine: 'mysql', cluster: 'legacy', engine_version: '8.0.mysql_aurora.3.05.2', flyway: {} });
    const pipeline = pipelineOf('/shop/flyway', withVersion, [settings('users'), legacy]);
    expect(databaseOf(pipeline, 'orders')).toMatchObject({ engine: 'mysql', cluster: 'legacy', engineVersion: '8.0.mysql_aurora.3.05.2' });
    expect(databaseOf(pipeline, 'users')).toMatchObject({ engine: 'postgresql', cluster: 'default', engineVersion: '16.6' });
  });

  it('knows whether the host sleeps (pipelines applied before the idle stop have an always-on host)', () => {
    expect(pipelineOf('/shop/flyway', pipelineJson, []).hostSleeps).toBe(false);
    const sleeping = JSON.stringify({ ...(JSON.parse(pipelineJson) as object), host_sleeps: true });
    expect(pipelineOf('/shop/flyway', sleeping, []).hostSleeps).toBe(true);
  });

  it('names the databases there are when asked for another (exit 3)', () => {
    const pipeline = pipelineOf('/shop/flyway', pipelineJson, [settings('users')]);
    expect(() => databaseOf(pipeline, 'orders')).toThrow('the pipeline shop has no database orders (it has: users)');
    try {
      databaseOf(pipeline, 'orders');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(EXIT.setup);
    }
  });
});

describe('runnerRefusals (push refuses, before uploading, what the runner would not run)', () => {
  it('refuses a SQL callback while callbacks are off, with the runner\'s reason, and lets it through when they are on', () => {
    expect(runnerRefusals(['V1__a.sql', 'afterMigrate.sql'], [], { callbacks: false })).toEqual([
      { name: 'afterMigrate.sql', reason: expect.stringContaining('callbacks are off for this database') },
    ]);
    expect(runnerRefusals(['afterMigrate.sql'], [], { callbacks: true })).toEqual([]);
  });

  it('refuses a name the runner rejects, and a version another key in the bucket already claims', () => {
    expect(runnerRefusals(['v2__lower.sql'], [], { callbacks: false })).toEqual([{ name: 'v2__lower.sql', reason: expect.stringContaining('lowercase prefix') }]);
    expect(runnerRefusals(['V2__again.sql', 'V3__c.sql'], ['V1__a.sql', 'V02__b.sql'], { callbacks: false })).toEqual([
      { name: 'V2__again.sql', reason: expect.stringContaining('already claimed by V02__b.sql') },
    ]);
    // Re-uploading a changed file under its own name (--allow-modify) is not a clash.
    expect(runnerRefusals(['V2__b.sql'], ['V2__b.sql'], { callbacks: false })).toEqual([]);
  });
});

describe('planPush', () => {
  const remote = (files: Record<string, string>) =>
    new Map<string, RemoteObject>(Object.entries(files).map(([key, text]) => [key, { key, sameAs: async (content: Buffer) => content.toString() === text }]));
  const local = (files: Record<string, string>) => Object.entries(files).map(([name, text]) => ({ name, content: Buffer.from(text) }));

  it('uploads new files, skips identical ones, uploads changed repeatables', async () => {
    const plan = await planPush(local({ 'V1__a.sql': 'a', 'V2__b.sql': 'b', 'R__view.sql': 'new' }), remote({ 'V1__a.sql': 'a', 'R__view.sql': 'old' }), false);
    expect(plan.files).toEqual([
      { name: 'V1__a.sql', action: 'unchanged' },
      { name: 'V2__b.sql', action: 'upload-new' },
      { name: 'R__view.sql', action: 'upload-changed' },
    ]);
    expect(plan.uploads).toEqual(['V2__b.sql', 'R__view.sql']);
    expect(plan.refused).toEqual([]);
  });

  it('refuses a changed versioned file unless --allow-modify', async () => {
    const refused = await planPush(local({ 'V1__a.sql': 'changed' }), remote({ 'V1__a.sql': 'a' }), false);
    expect(refused.refused).toEqual(['V1__a.sql']);
    expect(refused.uploads).toEqual([]);
    const allowed = await planPush(local({ 'V1__a.sql': 'changed' }), remote({ 'V1__a.sql': 'a' }), true);
    expect(allowed.uploads).toEqual(['V1__a.sql']);
  });
});

describe('flywayErrorLines', () => {
  it('keeps the database\'s message and the failing statement, not the runner\'s summary', () => {
    const output = [
      'flyway-runner: running flyway migrate',
      'Migrating schema "public" to version "3 - persons need a city"',
      'ERROR: Migration V3__persons_need_a_city.sql failed',
      '-----------------------------------------',
      'SQL State  : 23502',
      'Message    : ERROR: null value in column "city" of relation "persons" violates not-null constraint',
      'Statement  : INSERT INTO persons (id, last_name, first_name) VALUES (1, \'Doe\', \'Jane\')',
      '{"database":"users","status":"failed"}',
    ].join('\n');
    expect(flywayErrorLines(output)).toEqual([
      'ERROR: Migration V3__persons_need_a_city.sql failed',
      '-----------------------------------------',
      'SQL State  : 23502',
      'Message    : ERROR: null value in column "city" of relation "persons" violates not-null constraint',
      "Statement  : INSERT INTO persons (id, last_name, first_name) VALUES (1, 'Doe', 'Jane')",
    ]);
    expect(flywayErrorLines('all good\n')).toEqual([]);
  });
});

describe('output', () => {
  it('pads tables', () => {
    expect(table(['A', 'LONGER'], [['x', 'y'], ['wide cell', '']])).toEqual(['A          LONGER', 'x          y', 'wide cell']);
  });

  it('shows a database that never ran, and the last pass of one that did', () => {
    const lines = statusTable([
      { database: 'orders', bucket: 'b1', outcome: null },
      {
        database: 'users',
        bucket: 'b2',
        outcome: { finished_at: '2026-11-22T00:00:00.000Z', action: 'migrate', status: 'success', schema_version: '2', migrations_applied: 2, reason: null } as never,
      },
    ]);
    expect(lines[1]).toMatch(/^orders +never$/);
    expect(lines[2]).toMatch(/^users +2026-11-22T00:00:00.000Z +migrate +success +2 +2$/);
  });

  it('prints each progress line once outside a terminal, rewrites it on one, and keeps stdout for the result', () => {
    const plain: string[] = [];
    const out: string[] = [];
    const ci = createReporter({ json: false, tty: false, stdout: (text) => out.push(text), stderr: (text) => plain.push(text) });
    ci.progress('command c1: InProgress');
    ci.progress('command c1: InProgress');
    ci.line('users: migrated');
    expect(plain).toEqual(['command c1: InProgress\n']);
    expect(out).toEqual(['users: migrated\n']);

    const terminal: string[] = [];
    let now = 0;
    const tty = createReporter({ json: false, tty: true, stdout: () => undefined, stderr: (text) => terminal.push(text), now: () => now });
    tty.progress('waiting');
    now = 3000;
    tty.progress('waiting');
    tty.done();
    expect(terminal).toEqual(['\r\u001b[Kwaiting (0 s)', '\r\u001b[Kwaiting (3 s)', '\n']);

    const json: string[] = [];
    const scripted = createReporter({ json: true, tty: false, stdout: (text) => json.push(text), stderr: () => undefined });
    scripted.line('not in JSON mode');
    scripted.result({ ok: true });
    expect(json).toEqual(['{\n  "ok": true\n}\n']);
  });
});

describe('explainAwsError', () => {
  it('turns credential, permission and network errors into messages with what to do', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(explainAwsError(named('CredentialsProviderError', 'Could not load credentials from any providers'), 'listing s3://b')).toMatchObject({
      message: expect.stringContaining('no valid AWS credentials while listing s3://b'),
      exitCode: EXIT.setup,
      todo: expect.stringContaining('configure credentials'),
    });
    expect(explainAwsError(named('AccessDenied', 'User is not authorized to perform s3:PutObject'), 'uploading V1__a.sql')?.message).toBe('AWS refused uploading V1__a.sql: User is not authorized to perform s3:PutObject');
    expect(explainAwsError(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'reading')?.todo).toContain('--endpoint-url');
    expect(explainAwsError(Object.assign(named('Unknown', 'UnknownError'), { $metadata: { httpStatusCode: 403 } }), 'uploading V3__a.sql')?.message).toBe('AWS refused uploading V3__a.sql: UnknownError');
    expect(explainAwsError(named('ValidationException', 'bad'), 'x')).toBeUndefined();
  });
});

describe('describeOutcome', () => {
  const outcome = (before: string | null, after: string | null) =>
    ({ database: 'users', status: 'success', schema_version_before: before, schema_version: after, migrations_applied: 2, started_at: '2026-11-22T00:00:00.000Z', finished_at: '2026-11-22T00:00:04.150Z' }) as never;

  it('names the pushed versions the pass applied, the schema versions and the duration', () => {
    expect(describeOutcome(outcome('2', '4'), ['V3__a.sql', 'V4__b.sql', 'R__view.sql', 'V5__later.sql'])).toBe('users: migrated, 2 migration(s) applied (V3, V4), schema version 2 -> 4, in 4.2 s');
    expect(describeOutcome(outcome(null, '2'), ['V1__a.sql', 'V2__b.sql'])).toBe('users: migrated, 2 migration(s) applied (V1, V2), schema version none -> 2, in 4.2 s');
    expect(describeOutcome(outcome('2', '2'), ['R__view.sql'])).toBe('users: migrated, 2 migration(s) applied, schema version 2 -> 2, in 4.2 s');
  });
});
