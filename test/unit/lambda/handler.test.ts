import { InvalidInstanceId } from '@aws-sdk/client-ssm';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { ConfigError, type Config } from '../../../lambda/src/config';
import { createHandler } from '../../../lambda/src/handler';
import { TriggerError } from '../../../lambda/src/failures';
import { captureLogs, FakePorts } from './support/fake-ports';
import { s3Event, testEvent } from './support/s3-events';

const config: Config = {
  documentName: 'myproj-flyway-run',
  instanceId: 'i-0123456789abcdef0',
  bucketParameterPrefix: '/myproj/flyway/buckets',
  commandLogGroup: '/myproj/flyway/commands',
  commandTimeoutSeconds: 600,
  notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
  startStoppedHost: false,
};
const USERS = 'myproj-users-123';
const PRODUCTS = 'myproj-products-123';

function setup() {
  const ports = new FakePorts();
  const { logger, lines } = captureLogs();
  const handler = createHandler({ config: () => config, ports: () => ports, logger });
  return { ports, lines, handler };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the handler to throw');
}

describe('handler', () => {
  it('finds each bucket\'s database in its parameter, once per bucket', async () => {
    const { ports, handler } = setup();
    await handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }, { bucket: USERS, key: 'V2__b.sql' }, { bucket: PRODUCTS, key: 'V1__c.sql' }));
    expect(ports.lookups).toEqual(['/myproj/flyway/buckets/myproj-users-123', '/myproj/flyway/buckets/myproj-products-123']);
    expect(ports.sent.map((input) => input.Parameters?.DatabaseKey?.[0])).toEqual(['users', 'products']);
  });

  it('keeps the whole event for a retry when a bucket\'s parameter cannot be read, and sends nothing', async () => {
    const { ports, handler } = setup();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ports.parameterErrors.set('/myproj/flyway/buckets/myproj-products-123', throttled);
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }, { bucket: PRODUCTS, key: 'V1__c.sql' })));
    expect(error).toBeInstanceOf(TriggerError);
    expect(error.message).toContain('ssm:GetParameter');
    expect(ports.sent).toEqual([]);
    expect(ports.tags).toEqual([]);
  });

  it('refuses a bucket parameter that does not hold a database key (never sent as a command parameter)', async () => {
    const { ports, handler } = setup();
    ports.bucketParameters.set('/myproj/flyway/buckets/myproj-users-123', 'users; reboot');
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'V1__a.sql' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(ports.sent).toEqual([]);
  });

  it('sends one command per database for a multi-record, multi-bucket event and tags every version', async () => {
    const { ports, lines, handler } = setup();
    const result = await handler(
      s3Event(
        { bucket: USERS, key: 'V1__create persons.sql', versionId: 'u1', eventTime: '2026-11-21T05:00:00.000Z' },
        { bucket: PRODUCTS, key: 'V1__create+products.sql', versionId: 'p1', eventTime: '2026-11-21T05:00:01.000Z' },
        { bucket: USERS, key: 'sub dir/V2__add_ünïcode_%.sql', versionId: 'u2', eventTime: '2026-11-21T05:00:02.000Z' },
      ),
      { awsRequestId: 'req-1' },
    );

    expect(ports.sent.map((s) => s.Parameters)).toEqual([
      { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:02.000Z'] },
      { DatabaseKey: ['products'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:01.000Z'] },
    ]);
    expect(ports.sent[0]?.Comment).toBe('s3 upload myproj-users-123: V2__add_ünïcode_%.sql +1 more');
    const [users, products] = result.commands;
    expect(ports.tags).toEqual([
      { bucket: USERS, key: 'V1__create persons.sql', versionId: 'u1', tagKey: 'flyway-command-id', tagValue: users?.commandId },
      { bucket: USERS, key: 'sub dir/V2__add_ünïcode_%.sql', versionId: 'u2', tagKey: 'flyway-command-id', tagValue: users?.commandId },
      { bucket: PRODUCTS, key: 'V1__create+products.sql', versionId: 'p1', tagKey: 'flyway-command-id', tagValue: products?.commandId },
    ]);
    expect(ports.published).toEqual([]);
    const sent = lines.filter((l) => l.message === 'command sent');
    expect(sent.map((l) => [l['database'], l['commandId'], l['requestId']])).toEqual([
      ['users', users?.commandId, 'req-1'],
      ['products', products?.commandId, 'req-1'],
    ]);
    expect(lines.filter((l) => l.message === 'object tagged').every((l) => typeof l['commandId'] === 'string')).toBe(true);
  });

  it('ignores the s3:TestEvent with a log line', async () => {
    const { ports, lines, handler } = setup();
    await handler(testEvent(USERS));
    expect(ports.sent).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: expect.stringMatching(/^ignored: s3:TestEvent/), bucket: USERS })]);
  });

  it('logs and skips records that are not S3 ObjectCreated records, and events that are not S3 notifications', async () => {
    const { ports, lines, handler } = setup();
    await handler(s3Event({ bucket: USERS, key: 'V1__a.sql', eventName: 'ObjectRemoved:Delete' }));
    await handler({ hello: 'world' });
    expect(ports.sent).toEqual([]);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['error', 'rejected: not an S3 ObjectCreated record'],
      ['info', 'done'],
      ['error', 'rejected: not an S3 event notification'],
    ]);
  });

  it('reports an unknown bucket without throwing, and still runs the known one', async () => {
    const { ports, lines, handler } = setup();
    const result = await handler(s3Event({ bucket: 'stranger-bucket', key: 'V1__a.sql', versionId: 's1' }, { bucket: USERS, key: 'V1__a.sql' }));
    expect(result.unknownBuckets).toEqual(['stranger-bucket']);
    expect(ports.sent.map((s) => s.Parameters?.['DatabaseKey'])).toEqual([['users']]);
    expect(ports.tags.map((t) => t.bucket)).toEqual([USERS]);
    expect(ports.published).toHaveLength(1);
    expect(ports.published[0]).toMatchObject({ topicArn: config.notificationTopicArn, subject: 'Flyway trigger: 1 unknown bucket' });
    expect(ports.published[0]?.message).toContain('s3://stranger-bucket/V1__a.sql (version s1)');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/^configuration error: bucket is not mapped/), bucket: 'stranger-bucket', key: 'V1__a.sql' }));
  });

  it.each([
    ['v1__x.sql', 'lowercase prefix'],
    ['V1_x.sql', 'missing double underscore'],
    ['V1__.sql', 'missing description'],
    ['U2__undo.sql', 'undo migrations'],
    ['V1.x__y.sql', 'invalid version'],
    ['R1__x.sql', 'repeatable migrations have no version'],
    ['hello.sql', 'not a Flyway migration name'],
    ['V1__x.SQL', 'upper-case or mixed-case suffix'],
    ['db/R__views.Sql', 'upper-case or mixed-case suffix'],
  ])('rejects %s: tags the version with why, logs and reports it, runs nothing', async (key, why) => {
    const { ports, lines, handler } = setup();
    const result = await handler(s3Event({ bucket: USERS, key, versionId: 'v9' }));
    expect(result.rejected).toBe(1);
    expect(ports.sent).toEqual([]);
    expect(ports.tags).toEqual([{ bucket: USERS, key, versionId: 'v9', tagKey: 'flyway-rejected', tagValue: expect.stringContaining(why) }]);
    expect(ports.published).toHaveLength(1);
    expect(ports.published[0]?.message).toContain(`REJECTED s3://${USERS}/${key} (version v9) for database users: ${why}`);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', key, versionId: 'v9', database: 'users', reason: expect.stringContaining(why) }));
  });

  it('sends one command for the accepted keys when the same event also has a rejected key', async () => {
    const { ports, handler } = setup();
    await handler(s3Event({ bucket: USERS, key: 'V2__ok.sql' }, { bucket: USERS, key: 'v3__bad.sql' }));
    expect(ports.sent).toHaveLength(1);
    expect(ports.tags.map((t) => [t.key, t.tagKey])).toEqual([
      ['V2__ok.sql', 'flyway-command-id'],
      ['v3__bad.sql', 'flyway-rejected'],
    ]);
  });

  it('fails the invocation when the host is not registered (InvalidInstanceId), saying what to do', async () => {
    const { ports, lines, handler } = setup();
    ports.sendErrors.set(
      'users',
      new InvalidInstanceId({ message: 'Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012', $metadata: {} }),
    );
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'V1__a.sql', versionId: 'u1' })));
    expect(error).toBeInstanceOf(TriggerError);
    expect(error.message).toContain('SendCommand for database users: InvalidInstanceId');
    expect(error.message).toContain('i-0123456789abcdef0 is not registered with SSM or is offline');
    expect(error.message).toContain('SSM agent');
    expect(error.message).toContain('retried by Lambda and then kept in the on-failure queue');
    expect(ports.tags).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'SendCommand failed', database: 'users', errorName: 'InvalidInstanceId' }));
  });

  it('on partial failure sends and tags the other databases first, then fails naming only the failed one', async () => {
    const { ports, handler } = setup();
    ports.sendErrors.set('users', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }, { bucket: PRODUCTS, key: 'V1__p.sql' })));
    expect(ports.sent.map((s) => s.Parameters?.['DatabaseKey'])).toEqual([['products']]);
    expect(ports.tags.map((t) => [t.bucket, t.tagKey])).toEqual([[PRODUCTS, 'flyway-command-id']]);
    expect(error).toBeInstanceOf(TriggerError);
    expect((error as TriggerError).failures.map((f) => [f.operation, f.errorName])).toEqual([['SendCommand for database users', 'ECONNREFUSED']]);
    expect(error.message).not.toContain('products');
  });

  it('fails after everything else when tagging fails, but not when the object is gone', async () => {
    const { ports, lines, handler } = setup();
    ports.tagErrors.set('V1__a.sql', Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    ports.tagErrors.set('V2__gone.sql', new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }, { bucket: USERS, key: 'V2__gone.sql' }, { bucket: PRODUCTS, key: 'V1__p.sql' })));
    expect(ports.sent).toHaveLength(2);
    expect(ports.tags.map((t) => t.key)).toEqual(['V1__p.sql']);
    expect((error as TriggerError).failures.map((f) => f.operation)).toEqual([`PutObjectTagging flyway-command-id on s3://${USERS}/V1__a.sql`]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'object no longer exists; not tagged', key: 'V2__gone.sql' }));
  });

  it('fails when the rejection cannot be reported, so the event is kept', async () => {
    const { ports, handler } = setup();
    ports.publishError = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
    const error = await rejection(handler(s3Event({ bucket: USERS, key: 'v1__x.sql' })));
    expect((error as TriggerError).failures.map((f) => f.errorName)).toEqual(['NotFoundException']);
    expect(ports.tags).toHaveLength(1);
  });

  it('fails with the configuration error, before touching AWS, when the environment is incomplete', async () => {
    const { logger, lines } = captureLogs();
    const ports = jest.fn(() => new FakePorts());
    const handler = createHandler({
      config: () => {
        throw new ConfigError('Configuration error: environment variable INSTANCE_ID is missing or empty.');
      },
      ports,
      logger,
    });
    await expect(handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }))).rejects.toThrow(/INSTANCE_ID is missing/);
    expect(ports).not.toHaveBeenCalled();
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', message: 'configuration error; event kept for retry', errorName: 'ConfigError' }),
    ]);
  });

  it('writes each decision as one JSON line with level and message', async () => {
    const { lines, handler } = setup();
    await handler(s3Event({ bucket: USERS, key: 'V1__a.sql' }, { bucket: USERS, key: 'bad.sql' }, { bucket: USERS, key: 'notes.txt' }));
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'ignored: not a migration file'],
      ['warn', 'rejected: not a valid Flyway migration name; no run for this key'],
      ['info', 'command sent'],
      ['info', 'object tagged'],
      ['info', 'object tagged'],
      ['info', 'reported to notification topic'],
      ['info', 'done'],
    ]);
  });
});
