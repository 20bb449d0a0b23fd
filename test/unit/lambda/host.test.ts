// The trigger's decisions about the sleeping host, for every state EC2 reports, and the two paths
// that use them: an upload (start the host, then send) and the host's "stopped" event (start it
// again while commands wait for it).

import { createHandler } from '../../../lambda/src/handler';
import { invokedAfterValue, parseInstanceStateChange, waitingForHost } from '../../../lambda/src/host';
import { decideHost, START_WAIT_BOUND_MS, type Clock } from '../../../common/src/host-start';
import type { Config } from '../../../lambda/src/config';
import { TriggerError } from '../../../lambda/src/failures';
import { captureLogs, FakePorts } from './support/fake-ports';
import { s3Event } from './support/s3-events';

const HOST = 'i-0123456789abcdef0';
const state = (previous: string, current: string) => ({ kind: 'state' as const, previous, current });
const refused = (errorName: string, errorMessage = 'not now') => ({ kind: 'refused' as const, errorName, errorMessage });
const ec2Error = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('decideHost', () => {
  it.each([
    ['running', 'running', 'running'],
    ['pending', 'pending', 'booting'],
    ['stopped', 'pending', 'started'],
  ])('sends when the host was %s (now %s): %s', (previous, current, host) => {
    expect(decideHost(state(previous, current), HOST, 0)).toEqual({ kind: 'send', host });
  });

  it('waits while the host is stopping, and fails once the bound is reached', () => {
    expect(decideHost(state('stopping', 'stopping'), HOST, 0).kind).toBe('wait');
    expect(decideHost(refused('IncorrectInstanceState', "The instance is not in a state from which it can be started."), HOST, 10_000).kind).toBe('wait');
    const failed = decideHost(refused('IncorrectInstanceState'), HOST, START_WAIT_BOUND_MS);
    expect(failed).toMatchObject({ kind: 'fail' });
    expect(failed.kind === 'fail' && failed.advice).toContain('aurora-flyway replay');
  });

  it.each(['shutting-down', 'terminated'])('fails at once for a %s host, saying to re-apply', (previous) => {
    const decision = decideHost(state(previous, previous), HOST, 0);
    expect(decision).toMatchObject({ kind: 'fail', reason: `the host ${HOST} is ${previous}` });
    expect(decision.kind === 'fail' && decision.advice).toContain('terraform apply');
  });

  it.each([
    ['UnauthorizedOperation', 'ec2:StartInstances'],
    ['InvalidInstanceID.NotFound', 'does not exist'],
    ['InsufficientInstanceCapacity', 'instance_type'],
    ['TimeoutError', 'network access to EC2'],
  ])('fails at once on %s with advice', (errorName, advice) => {
    const decision = decideHost(refused(errorName), HOST, 0);
    expect(decision.kind).toBe('fail');
    expect(decision.kind === 'fail' && decision.advice).toContain(advice);
  });
});

describe('waitingForHost and the state-change event', () => {
  it('counts undelivered and cut-off invocations, not finished ones', () => {
    const invocations = ['Pending', 'InProgress', 'Success', 'Failed', 'Cancelled', 'TimedOut'].map((status, i) => ({ commandId: `c${i}`, status, statusDetails: status }));
    invocations.push({ commandId: 'delayed', status: 'Pending', statusDetails: 'Delayed' });
    expect(waitingForHost(invocations).map((invocation) => invocation.commandId)).toEqual(['c0', 'c1', 'delayed']);
  });

  it('writes InvokedAfter the way SSM documents it, without a fraction of a second', () => {
    expect(invokedAfterValue(new Date('2026-11-22T06:00:00.123Z'))).toBe('2026-11-22T06:00:00Z');
  });

  it('reads the instance and state of an EC2 state-change event, nothing else', () => {
    const event = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': HOST, state: 'stopped' } };
    expect(parseInstanceStateChange(event)).toEqual({ instanceId: HOST, state: 'stopped' });
    expect(parseInstanceStateChange({ ...event, source: 'aws.s3' })).toBeUndefined();
    expect(parseInstanceStateChange({ Records: [] })).toBeUndefined();
    expect(parseInstanceStateChange({ ...event, detail: { state: 'stopped' } })).toBeUndefined();
    expect(parseInstanceStateChange(null)).toBeUndefined();
  });
});

const config: Config = {
  documentName: 'myproj-flyway-run',
  instanceId: HOST,
  bucketParameterPrefix: '/myproj/flyway/buckets',
  commandLogGroup: '/myproj/flyway/commands',
  commandTimeoutSeconds: 600,
  notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
  startStoppedHost: true,
};

function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function setup(overrides: Partial<Config> = {}) {
  const ports = new FakePorts();
  const { logger, lines } = captureLogs();
  const clock = fakeClock();
  const handler = createHandler({ config: () => ({ ...config, ...overrides }), ports: () => ports, logger, clock });
  return { ports, lines, clock, handler };
}

const upload = () => s3Event({ bucket: 'myproj-users-123', key: 'V1__a.sql' });
const stopped = (instanceId = HOST, stateName = 'stopped') => ({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': instanceId, state: stateName } });

describe('an upload while the host sleeps', () => {
  it('starts a stopped host, then sends the command', async () => {
    const { ports, lines, handler } = setup();
    ports.startAnswers = [{ previous: 'stopped', current: 'pending' }];
    await handler(upload());
    expect(ports.starts).toEqual([HOST]);
    expect(ports.sent).toHaveLength(1);
    expect(lines.map((line) => line.message)).toContain('host was stopped; started it, the commands wait in Run Command until its agent is online');
  });

  it('waits for a stopping host, starts it once it can, and only then sends', async () => {
    const { ports, clock, handler } = setup();
    ports.startAnswers = [ec2Error('IncorrectInstanceState', 'not startable'), ec2Error('IncorrectInstanceState', 'not startable'), { previous: 'stopped', current: 'pending' }];
    await handler(upload());
    expect(ports.starts).toHaveLength(3);
    expect(clock.slept).toEqual([5_000, 5_000]);
    expect(ports.sent).toHaveLength(1);
  });

  it('keeps the event for a retry, sending nothing, when the host stays unstartable past the bound', async () => {
    const { ports, handler } = setup();
    ports.startAnswers = [ec2Error('IncorrectInstanceState', 'not startable')];
    await expect(handler(upload())).rejects.toThrow(TriggerError);
    expect(ports.sent).toEqual([]);
    expect(ports.starts.length).toBeGreaterThan(2);
  });

  it('does not touch the host when it is always on, or when nothing is to be run', async () => {
    const alwaysOn = setup({ startStoppedHost: false });
    await alwaysOn.handler(upload());
    expect(alwaysOn.ports.starts).toEqual([]);
    expect(alwaysOn.ports.sent).toHaveLength(1);
    const rejected = setup();
    await rejected.handler(s3Event({ bucket: 'myproj-users-123', key: 'v1_wrong.sql' }));
    expect(rejected.ports.starts).toEqual([]);
  });
});

describe('the host\'s "stopped" event', () => {
  it('starts the host again when commands still wait for it', async () => {
    const { ports, handler } = setup();
    ports.invocations = [{ commandId: 'c-late', status: 'Pending', statusDetails: 'Pending' }];
    ports.startAnswers = [{ previous: 'stopped', current: 'pending' }];
    const result = await handler(stopped());
    expect(result.host).toEqual({ waiting: ['c-late'], started: true });
    expect(ports.starts).toEqual([HOST]);
    // Only commands that can still be delivered: those within the delivery timeout.
    expect(ports.invocationQueries[0]?.after.getTime()).toBe(1_000_000 - 600_000);
  });

  it('lets the host sleep when nothing waits, and ignores other instances, other states and an always-on host', async () => {
    const quiet = setup();
    quiet.ports.invocations = [{ commandId: 'done', status: 'Success', statusDetails: 'Success' }];
    expect((await quiet.handler(stopped())).host).toEqual({ waiting: [], started: false });
    expect(quiet.ports.starts).toEqual([]);
    for (const [event, overrides] of [
      [stopped('i-0fffffffffffffff0'), {}],
      [stopped(HOST, 'running'), {}],
      [stopped(), { startStoppedHost: false }],
    ] as const) {
      const other = setup(overrides);
      other.ports.invocations = [{ commandId: 'c', status: 'Pending', statusDetails: 'Pending' }];
      expect((await other.handler(event)).host).toBeUndefined();
      expect(other.ports.invocationQueries).toEqual([]);
      expect(other.ports.starts).toEqual([]);
    }
  });

  it('keeps the event for a retry when the commands cannot be listed', async () => {
    const { ports, handler } = setup();
    ports.invocationsError = ec2Error('AccessDeniedException', 'not allowed');
    await expect(handler(stopped())).rejects.toThrow('ssm:ListCommandInvocations');
    expect(ports.starts).toEqual([]);
  });
});
