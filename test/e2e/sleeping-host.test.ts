// The host that sleeps when idle, on the local stack: the module applied with its default idle
// stop, the harness playing the instance's power states, the boot and the agent coming online,
// the idle-stop script from the deployed user data (with a 2-second idle time instead of the tag's
// minutes), and EventBridge's "instance stopped" event to the trigger. Every upload below lands
// while the host sleeps, shuts down, stops or boots, and each must end migrated, none lost, and no
// command may ever be cut off by the power-off.

import type { Harness } from '../harness/harness';
import { listInvocationRecords, type InvocationRecord } from '../harness/records';
import { runClient } from '../harness/client';
import { CALLED_ON_EVERY_RUN, expectCommandSucceeded, migrationsDir, NOT_CREATED_BY_THE_FIXTURE, World } from './support';
import { watchFlywayJvms } from '../support/flyway-jvms';
import { emptyKinds, inventoryLeftovers } from '../support/leftovers';

jest.setTimeout(900_000);

const PREFIX = 'e2esl';
const file = (version: number, column: string) => ({ key: `V${version}__add_${column}.sql`, body: `ALTER TABLE persons ADD COLUMN ${column} VARCHAR(32);\n` });
const messages = (invocation: InvocationRecord) => invocation.logs.map((line) => String(line.message));

describe('a Flyway host that sleeps when idle (PostgreSQL)', () => {
  let world: World;
  let harness: Harness;
  let bucket: string;
  let seen = 0;
  /** Invocations since the last call. */
  const newInvocations = () => {
    const all = listInvocationRecords(world.stateDir);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  const stateChanges = (invocations: readonly InvocationRecord[]) => invocations.filter((invocation) => (invocation.event as { source?: string }).source === 'aws.ec2');
  const applied = async () => (await world.query('users', 'SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank')).filter((version) => version !== '');

  beforeAll(async () => {
    // With the module's own key: starting a host whose volume is under it needs the starter's kms:CreateGrant (checked at the end).
    world = await World.start('postgresql', PREFIX, async () => ({ create_kms_key: 'true' }));
    await world.applyNew();
    harness = await world.connect('warm', { power: { stoppingMs: 2_000, bootMs: 3_000, agentMs: 1_000 } });
    bucket = (await world.outputs()).buckets.users;
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('migrates, stops itself once idle, is started by the next upload, applies it and stops again', async () => {
    const first = await harness.uploadFolder(bucket, migrationsDir('users'));
    first.commands.forEach(expectCommandSucceeded);
    // Idle after 2 s from here on: enabled before the first burst, a cold trigger on a busy machine
    // could meet a host that had already begun to stop (a path the next tests take on purpose).
    await harness.enableIdleStop({ seconds: 2, everyMs: 1_000, graceSeconds: 1 });
    await harness.power.until('stopped', 60_000);
    // Nothing waited for it: the trigger heard the stop and let it sleep.
    await harness.power.quiet();
    const [stopped] = stateChanges(newInvocations());
    expect(stopped?.ok).toBe(true);
    expect(stopped?.result).toMatchObject({ host: { waiting: [], started: false } });

    const started = Date.now();
    const woken = await harness.uploadBurst(bucket, [file(3, 'phone')]);
    const seconds = (Date.now() - started) / 1000;
    woken.commands.forEach(expectCommandSucceeded);
    expect(messages(woken.deliveries[0]?.invocation as InvocationRecord)).toContain('host was stopped; started it, the commands wait in Run Command until its agent is online');
    expect(await world.columns('users', 'persons')).toContain('phone');
    process.stdout.write(`sleeping host: upload to migrated in ${seconds.toFixed(1)} s with the harness's modeled boot (3 s) and agent start (1 s)\n`);

    await harness.power.until('stopped', 60_000);
    expect(harness.power.cutOff).toEqual([]);
  });

  it('an upload while the host shuts down (agent stopped, EC2 still running) waits in Run Command; the stop event starts the host again for it', async () => {
    // The shut-down moment (agent stopped, EC2 still running) held open long enough for a cold trigger on a busy machine.
    harness.power.setGraceSeconds(15);
    await harness.uploadBurst(bucket, [file(4, 'fax')]);
    newInvocations();
    const deadline = Date.now() + 60_000;
    while (!harness.power.shuttingDown()) {
      if (Date.now() > deadline) throw new Error('the host never began to shut down');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const late = await harness.uploadBurst(bucket, [file(5, 'pager')]);
    harness.power.setGraceSeconds(1);
    late.commands.forEach(expectCommandSucceeded);
    expect(messages(late.deliveries[0]?.invocation as InvocationRecord)).not.toContain('host was stopped; started it, the commands wait in Run Command until its agent is online');
    await harness.power.quiet();
    const [stopEvent] = stateChanges(newInvocations());
    const commandId = late.commands[0]?.commandId;
    expect(stopEvent?.result).toMatchObject({ host: { waiting: [commandId], started: true } });
    expect(await world.columns('users', 'persons')).toEqual(expect.arrayContaining(['fax', 'pager']));
    expect(harness.power.cutOff).toEqual([]);
  });

  it('an upload while the host is stopping waits (bounded) until it can start it, then sends', async () => {
    // A stop long enough for a cold trigger on a busy machine to find the host still stopping.
    harness.power.setTimings({ stoppingMs: 12_000 });
    await harness.power.until('stopping', 60_000);
    const burst = await harness.uploadBurst(bucket, [file(6, 'telex')]);
    harness.power.setTimings({ stoppingMs: 2_000 });
    burst.commands.forEach(expectCommandSucceeded);
    const trigger = messages(burst.deliveries[0]?.invocation as InvocationRecord);
    expect(trigger).toContain('host is stopping; waiting to start it again');
    expect(trigger).toContain('host was stopped; started it, the commands wait in Run Command until its agent is online');
    expect(await world.columns('users', 'persons')).toContain('telex');
  });

  it('a burst while the host boots is delivered once it is up, in at most two Flyway runs', async () => {
    await harness.power.until('stopped', 60_000);
    // A boot long enough for cold triggers on a busy machine to find the host still booting.
    harness.power.setTimings({ bootMs: 12_000 });
    const jvms = watchFlywayJvms();
    const starter = harness.uploadBurst(bucket, [file(7, 'modem')]);
    await harness.power.until('pending', 30_000);
    const during = await harness.uploadBurst(bucket, [file(8, 'radio'), file(9, 'pigeon')]);
    const first = await starter;
    const { started } = jvms.stop();
    harness.power.setTimings({ bootMs: 3_000 });
    const commands = [...first.commands, ...during.commands];
    commands.forEach(expectCommandSucceeded);
    expect(during.deliveries.flatMap((delivery) => messages(delivery.invocation))).toContain('host is booting; the commands wait in Run Command until its agent is online');
    // Flyway JVMs counted from /proc, not from the runner's log; and the runner's own count agrees.
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(2);
    expect(commands.reduce((sum, command) => sum + command.migrateRuns, 0)).toBe(started);
    expect(await applied()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('aurora-flyway run while the host sleeps starts it and runs', async () => {
    await harness.power.until('stopped', 60_000);
    const result = await runClient(harness, PREFIX, ['run', 'users', 'info']);
    expect(result.stderr).toContain('was asleep; started it');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pigeon');
    await harness.settled();
    await harness.power.until('stopped', 60_000);
    expect(harness.power.cutOff).toEqual([]);
  });

  it('lost nothing: every upload applied once, and every call allowed by the applied policies', async () => {
    const history = await world.query('users', 'SELECT version, count(*) FROM flyway_schema_history WHERE success GROUP BY version ORDER BY version::int');
    expect(history).toEqual(['1|1', '2|1', '3|1', '4|1', '5|1', '6|1', '7|1', '8|1', '9|1']);
    await world.expectEveryCallAllowed([...CALLED_ON_EVERY_RUN, 'ssm:ListCommandInvocations', 'kms:CreateGrant']);
  });

  it('the leftovers inventory sees the module\'s own KMS key and its alias (the other e2e deployments have none to destroy)', async () => {
    const seen = await inventoryLeftovers(world.moto.awsEnv, PREFIX);
    expect(emptyKinds(seen)).toEqual(NOT_CREATED_BY_THE_FIXTURE.filter((kind) => !kind.startsWith('kms')));
    expect(seen.kmsKeys).toHaveLength(1);
    expect(seen.kmsAliases).toEqual([expect.stringContaining(PREFIX)]);
  });
});
