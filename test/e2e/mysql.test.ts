// End to end with engine = "aurora-mysql": the module applied on the emulator, the sample
// migrations uploaded, the harness playing S3 -> Lambda and the SSM agent, the real runner and
// Flyway migrating a real MariaDB (Debian's MySQL-compatible server); then destroy, nothing left.

import { inventoryLeftovers, NOTHING_LEFT } from '../support/leftovers';
import { DATABASES, expectCommandSucceeded, expectedHistory, expectTaggedWithCommands, migrationsDir, World } from './support';
import type { Harness } from '../harness/harness';

jest.setTimeout(1_200_000);

const PREFIX = 'e2emy';

describe('the whole pipeline on MySQL (MariaDB)', () => {
  let world: World;
  let harness: Harness;

  beforeAll(async () => {
    world = await World.start('mysql', PREFIX);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('applies with engine aurora-mysql: the host may reach the cluster on 3306 only', async () => {
    await world.stack.terraform('apply', '-auto-approve', '-input=false', '-no-color');
    const { host_security_group_id: groupId } = await world.outputs();
    const groups = (await world.aws.cli('ec2', 'describe-security-groups', '--group-ids', groupId)) as {
      SecurityGroups: { IpPermissions: unknown[]; IpPermissionsEgress: { FromPort?: number }[] }[];
    };
    expect(groups.SecurityGroups[0].IpPermissions).toEqual([]);
    expect(groups.SecurityGroups[0].IpPermissionsEgress.map((rule) => rule.FromPort).sort()).toEqual([3306, 443]);
    harness = await world.connect();
  });

  it.each(DATABASES)('migrates %s from an upload burst: one command per file, at most two Flyway runs', async (database) => {
    const { buckets } = await world.outputs();
    const burst = await harness.uploadFolder(buckets[database], migrationsDir(database));

    expect(burst.deliveries.length).toBe(burst.uploads.length);
    for (const { invocation, commands } of burst.deliveries) {
      expect(invocation.ok).toBe(true);
      expect(commands).toHaveLength(1);
      expectCommandSucceeded(commands[0]);
      expect(commands[0]).toMatchObject({ status: 'Success', parameters: { DatabaseKey: database, Action: 'migrate' } });
      expect(['success', 'skipped']).toContain(commands[0].summary?.status);
    }
    const runs = burst.commands.reduce((sum, command) => sum + command.migrateRuns, 0);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(2);
    await expectTaggedWithCommands(world, burst);
  });

  it('created both schemas with the expected tables and columns', async () => {
    expect(await world.columns('users', 'persons')).toEqual(['id', 'last_name', 'first_name', 'city', 'email']);
    expect(await world.columns('products', 'products')).toEqual(['id', 'name', 'price_cents', 'created_at', 'sku']);
  });

  it('recorded exactly the uploaded files in flyway_schema_history', async () => {
    for (const database of DATABASES) {
      const history = await world.query(database, 'SELECT version, description, script, checksum, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank');
      expect(history).toEqual(expectedHistory(migrationsDir(database), '1'));
    }
  });

  it('destroys, and the emulator holds nothing of the module', async () => {
    await world.stack.terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    expect(await inventoryLeftovers(world.moto.awsEnv, PREFIX)).toEqual(NOTHING_LEFT);
  });
});
