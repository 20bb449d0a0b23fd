// The BUILT bundle (what the zip deploys), run in its own Node process, against a real moto
// server over HTTP: real SDK clients, real requests. The emulator does not check instance
// registration, so InvalidInstanceId is covered by the unit tests; a failed send here is a
// real refused connection. (The emulator drops CloudWatchOutputConfig, so that field is
// asserted at unit level too.)

import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListCommandsCommand, type Command } from '@aws-sdk/client-ssm';
import { startMoto, type MotoServer } from '../../support/moto';
import { freePort } from '../../support/ports';
import { runOk } from '../../support/run';
import { toolEnv } from '../../support/toolchain';
import { s3Event, s3Record, testEvent } from '../../unit/lambda/support/s3-events';
import { BUCKETS, createFixture, DOCUMENT_NAME, INSTANCE_ID, type Fixture } from './aws-fixture';
import { invokeBundle, type Invocation } from './invoke-bundle';

jest.setTimeout(120_000);

const root = resolve(__dirname, '../../..');
const bundle = join(root, 'build/lambda/index.js');

interface Result {
  commands: { database: string; commandId: string }[];
  unknownBuckets: string[];
}

let moto: MotoServer;
let fixture: Fixture;
const savedEnv = { ...process.env };

/** One cold-start invocation of the bundle with the function's environment (plus `env`). */
function invoke(event: unknown, env: Record<string, string> = {}): Promise<Invocation> {
  return invokeBundle(bundle, event, { ...process.env, ...fixture.functionEnv, ...env });
}

async function succeed(event: unknown): Promise<Result> {
  const invocation = await invoke(event);
  if (!invocation.ok) throw new Error(`handler failed: ${invocation.error?.message}\n${invocation.stderr}`);
  return invocation.result as Result;
}

async function command(commandId: string): Promise<Command | undefined> {
  // moto ignores ListCommands' Filters, so pick ours out of whatever it returns.
  const { Commands = [] } = await fixture.ssm.send(new ListCommandsCommand({ CommandId: commandId }));
  return Commands.find((c) => c.CommandId === commandId);
}

async function allCommandIds(): Promise<string[]> {
  const { Commands = [] } = await fixture.ssm.send(new ListCommandsCommand({}));
  return Commands.map((c) => c.CommandId ?? '');
}

async function tags(bucket: string, key: string, versionId: string | undefined): Promise<Record<string, string>> {
  const { TagSet = [] } = await fixture.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return Object.fromEntries(TagSet.map((t) => [t.Key ?? '', t.Value ?? '']));
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts/build-lambda.mjs')], { cwd: root, stdio: 'pipe' });
  moto = await startMoto();
  Object.assign(process.env, moto.awsEnv);
  fixture = await createFixture();
});

afterAll(async () => {
  await fixture?.close();
  await moto?.stop();
  process.env = savedEnv;
});

describe('the built trigger against the emulator', () => {
  it('sends migrate with the project document and tags exactly the uploaded version', async () => {
    const first = await fixture.upload(BUCKETS.users, 'migrations/V1__create persons+ünï %.sql');
    const second = await fixture.upload(BUCKETS.users, 'migrations/V2__add_index.sql');
    // A newer version of the first key, uploaded after the event: it must not get the tag.
    const later = await fixture.s3.send(new PutObjectCommand({ Bucket: BUCKETS.users, Key: first.key, Body: 'select 2;' }));

    const result = await succeed(s3Event(first, second));

    expect(result.commands).toHaveLength(1);
    const commandId = result.commands[0]?.commandId ?? '';
    const sent = await command(commandId);
    expect(sent).toMatchObject({
      DocumentName: DOCUMENT_NAME,
      InstanceIds: [INSTANCE_ID],
      Parameters: { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: [second.eventTime] },
      Comment: `s3 upload ${BUCKETS.users}: V2__add_index.sql +1 more`,
      TimeoutSeconds: 600,
    });
    expect(await tags(BUCKETS.users, first.key, first.versionId)).toEqual({ 'flyway-command-id': commandId });
    expect(await tags(BUCKETS.users, second.key, second.versionId)).toEqual({ 'flyway-command-id': commandId });
    expect(await tags(BUCKETS.users, first.key, later.VersionId)).toEqual({});
  });

  it('keeps the uploader\'s own tags next to the command id', async () => {
    const upload = await fixture.upload(BUCKETS.users, 'V7__tagged.sql', 'SELECT 1;\n', 'team=data&ticket=DB-42');
    const result = await succeed(s3Event(upload));
    expect(await tags(BUCKETS.users, upload.key, upload.versionId)).toEqual({ team: 'data', ticket: 'DB-42', 'flyway-command-id': result.commands[0]?.commandId });
  });

  it('sends one command per database for a multi-bucket event', async () => {
    const users = await fixture.upload(BUCKETS.users, 'V3__users.sql');
    const products = await fixture.upload(BUCKETS.products, 'V1__products.sql');
    const result = await succeed(s3Event(users, products));
    const byDatabase = Object.fromEntries(result.commands.map((c) => [c.database, c.commandId]));
    expect((await command(byDatabase['users'] ?? ''))?.Parameters?.['DatabaseKey']).toEqual(['users']);
    expect((await command(byDatabase['products'] ?? ''))?.Parameters?.['DatabaseKey']).toEqual(['products']);
    expect(await tags(BUCKETS.products, products.key, products.versionId)).toEqual({ 'flyway-command-id': byDatabase['products'] });
  });

  it('rejects a badly named key: tag on the version, a notification, no command', async () => {
    const before = await allCommandIds();
    const bad = await fixture.upload(BUCKETS.users, 'v4__lowercase.sql');
    fixture.notifications.length = 0;

    await succeed(s3Event(bad));

    expect(await allCommandIds()).toEqual(before);
    expect(await tags(BUCKETS.users, bad.key, bad.versionId)).toEqual({
      'flyway-rejected': expect.stringMatching(/^lowercase prefix/),
    });
    expect(fixture.notifications).toEqual([
      expect.objectContaining({ Type: 'Notification', Subject: 'Flyway trigger: 1 rejected upload', Message: expect.stringContaining(`REJECTED s3://${BUCKETS.users}/v4__lowercase.sql`) }),
    ]);
  });

  it('reports an unknown bucket without failing or touching it', async () => {
    const before = await allCommandIds();
    const stray = await fixture.upload(BUCKETS.stranger, 'V1__x.sql');
    fixture.notifications.length = 0;

    expect(await succeed(s3Event(stray))).toMatchObject({ unknownBuckets: [BUCKETS.stranger] });

    expect(await allCommandIds()).toEqual(before);
    expect(await tags(BUCKETS.stranger, stray.key, stray.versionId)).toEqual({});
    expect(fixture.notifications.map((n) => n.Message)).toEqual([expect.stringContaining(`bucket ${BUCKETS.stranger} is not one of the module's database buckets`)]);
  });

  it('ignores the s3:TestEvent', async () => {
    const before = await allCommandIds();
    const invocation = await invoke(testEvent(BUCKETS.users));
    expect(invocation.logs).toEqual([expect.objectContaining({ level: 'info', message: expect.stringMatching(/s3:TestEvent/) })]);
    expect(await allCommandIds()).toEqual(before);
  });

  it('never lets a key reach a shell or the SSM parameters', async () => {
    const marker = `/tmp/flyway-inject-${randomUUID()}`;
    // No literal slash (that would make a folder); printf rebuilds the path inside a shell.
    const path = `$(printf '${marker.replace(/\//g, '\\057')}')`;
    const key = `V5__$(touch ${path});\`touch ${path}\`.sql`;
    try {
      const upload = await fixture.upload(BUCKETS.users, key);
      const result = await succeed(s3Event(upload));
      const sent = await command(result.commands[0]?.commandId ?? '');
      expect(sent?.Parameters).toEqual({ DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: [upload.eventTime] });
      expect(JSON.stringify(sent?.Parameters)).not.toMatch(/touch|printf|\$\(|`/);
      expect(await tags(BUCKETS.users, key, upload.versionId)).toEqual({ 'flyway-command-id': result.commands[0]?.commandId });
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('starts a stopped host with its own signed EC2 Query request (StartInstances), then sends', async () => {
    // A real instance in the emulator, stopped: moto parses the SigV4 Query request and answers in EC2's XML.
    const ec2 = async (...args: string[]) => JSON.parse((await runOk('aws', ['ec2', ...args, '--output', 'json'], { env: toolEnv({ ...moto.awsEnv }) })).stdout) as Record<string, unknown>;
    const images = (await ec2('describe-images', '--owners', 'amazon')) as { Images: { ImageId: string }[] };
    const ran = (await ec2('run-instances', '--image-id', images.Images[0]?.ImageId ?? '', '--count', '1', '--instance-type', 't4g.small')) as { Instances: { InstanceId: string }[] };
    const instanceId = ran.Instances[0]?.InstanceId ?? '';
    await ec2('stop-instances', '--instance-ids', instanceId);
    const upload = await fixture.upload(BUCKETS.users, 'V7__while_asleep.sql');
    const invocation = await invoke(s3Event(upload), { START_STOPPED_HOST: 'true', INSTANCE_ID: instanceId });
    expect(invocation.error).toBeUndefined();
    expect(invocation.logs).toContainEqual(expect.objectContaining({ message: 'host was stopped; started it, the commands wait in Run Command until its agent is online', instanceId }));
    expect(invocation.logs).toContainEqual(expect.objectContaining({ message: 'command sent', instanceId }));
    const described = (await ec2('describe-instances', '--instance-ids', instanceId)) as { Reservations: { Instances: { State: { Name: string } }[] }[] };
    expect(described.Reservations[0]?.Instances[0]?.State.Name).toMatch(/^(pending|running)$/);
  });

  it('fails the invocation when SSM refuses connections, and tags nothing', async () => {
    const closed = await freePort();
    const upload = await fixture.upload(BUCKETS.users, 'V6__unreachable.sql');
    const invocation = await invoke(s3Event(upload), { AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${closed}`, AWS_MAX_ATTEMPTS: '2' });
    expect(invocation.ok).toBe(false);
    expect(invocation.error?.name).toBe('TriggerError');
    // The first SSM call, the bucket's database lookup, already fails: nothing is sent or tagged.
    expect(invocation.error?.message).toMatch(/GetParameter \/itest\/flyway\/buckets\/itest-users-123: ECONNREFUSED.*on-failure queue/s);
    expect(invocation.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'cannot look up the database of a bucket; event kept for retry', bucket: BUCKETS.users, errorName: 'ECONNREFUSED' }));
    expect(await tags(BUCKETS.users, upload.key, upload.versionId)).toEqual({});
  });
});

// Record shape sanity: what the tests feed the handler is what S3 sends (eventVersion 2.1).
it('builds S3-shaped records', () => {
  expect(s3Record({ bucket: 'b', key: 'a b+c.sql', versionId: 'v' })).toMatchObject({
    eventVersion: '2.1',
    s3: { object: { key: 'a+b%2Bc.sql', versionId: 'v', sequencer: expect.any(String), eTag: expect.any(String), size: expect.any(Number) } },
  });
});
