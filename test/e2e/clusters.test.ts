// End to end with an existing cluster beside the module's own: the test makes, on the emulator and
// without Terraform, the user's network and two Aurora clusters (a MySQL one the pipeline is told
// of, played by a local MariaDB, and a PostgreSQL one it is not told of). The module (PostgreSQL,
// create_vpc = false) migrates a database on each engine, and two tenant groups across both
// clusters: one tenant broken on purpose, on_error = continue and canary = 1 decide which tenants
// are touched, `aurora-flyway push` prints the tenants and exits 1 naming the broken one, and its
// re-push after the fix exits 0. The host reads exactly the two secrets it serves; removing the
// cluster and the groups from the configuration leaves the host and the databases alone; destroy
// leaves exactly what the user made.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventoryLeftovers, type Leftovers } from '../support/leftovers';
import type { DatabaseServer } from '../support/database-server';
import { mariadb } from '../support/flyway';
import { startMariadb } from '../support/mariadb';
import { allResources, type ShownModule } from '../support/terraform';
import type { AwsClients } from '../harness/aws';
import { adjustBucketPoliciesForEmulator } from '../harness/emulator-quirks';
import type { Harness } from '../harness/harness';
import { checkCalls, HOST_ACCESS_KEY_ID } from '../harness/iam-check';
import { runClient } from '../harness/client';
import { CALLED_ON_EVERY_RUN, expectCommandSucceeded, expectedHistory, migrationsDir, World, type ExistingCluster } from './support';

jest.setTimeout(1_200_000);

const PREFIX = 'e2ecl';
const INSTANCE = 'module.pipeline.module.flyway_host.aws_instance.this';
const LEGACY = 'legacy-mysql';
const OTHER = 'other-postgres';
const WITHOUT_LEGACY = ['-var', 'clusters={}', '-var', 'databases={ users = {} }', '-var', 'tenant_groups={}'];
// Five tenants across both clusters (default: the module's PostgreSQL; legacy: the MySQL one).
const SHOP = [
  { name: 'acme', cluster: 'default' },
  { name: 'globex', cluster: 'legacy' },
  { name: 'initech', cluster: 'default' },
  { name: 'umbrella', cluster: 'legacy' },
  { name: 'hooli', cluster: 'default' },
];
// The broken tenant first, as the canary.
const EARLY = [
  { name: 'early_initech', cluster: 'default' },
  { name: 'early_acme', cluster: 'default' },
  { name: 'early_globex', cluster: 'legacy' },
];
const V1 = 'CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n';
const V2 = 'ALTER TABLE accounts ADD COLUMN plan VARCHAR(20);\n';

interface UserNetwork {
  vpcId: string;
  hostSubnetId: string;
  databaseSubnetIds: string[];
  legacyGroupId: string;
}

/** The user's VPC, subnets and the two clusters, made as a platform team would have made them: not by this Terraform. */
async function makeUserEstate(aws: AwsClients): Promise<{ network: UserNetwork; variables: Record<string, string> }> {
  const { Vpc } = (await aws.cli('ec2', 'create-vpc', '--cidr-block', '10.77.0.0/16')) as { Vpc: { VpcId: string } };
  const subnet = async (cidr: string, zone: string) =>
    ((await aws.cli('ec2', 'create-subnet', '--vpc-id', Vpc.VpcId, '--cidr-block', cidr, '--availability-zone', zone)) as { Subnet: { SubnetId: string } }).Subnet.SubnetId;
  const hostSubnetId = await subnet('10.77.1.0/24', `${aws.region}a`);
  const databaseSubnetIds = [await subnet('10.77.2.0/24', `${aws.region}a`), await subnet('10.77.3.0/24', `${aws.region}b`)];
  const { GroupId: legacyGroupId } = (await aws.cli('ec2', 'create-security-group', '--group-name', 'legacy-mysql-clients', '--description', 'Clients of legacy-mysql', '--vpc-id', Vpc.VpcId)) as {
    GroupId: string;
  };
  await aws.cli('rds', 'create-db-subnet-group', '--db-subnet-group-name', 'platform-databases', '--db-subnet-group-description', 'Platform databases', '--subnet-ids', ...databaseSubnetIds);
  const cluster = (identifier: string, engine: string, version: string) =>
    aws.cli(
      'rds', 'create-db-cluster', '--db-cluster-identifier', identifier, '--engine', engine, '--engine-version', version,
      '--master-username', 'platform_admin', '--manage-master-user-password', '--db-subnet-group-name', 'platform-databases', '--vpc-security-group-ids', legacyGroupId,
    );
  await cluster(LEGACY, 'aurora-mysql', '8.0.mysql_aurora.3.05.2');
  await cluster(OTHER, 'aurora-postgresql', '15.4');
  return {
    network: { vpcId: Vpc.VpcId, hostSubnetId, databaseSubnetIds, legacyGroupId },
    variables: {
      create_vpc: 'false',
      vpc_id: Vpc.VpcId,
      host_subnet_id: hostSubnetId,
      database_subnet_ids: JSON.stringify(databaseSubnetIds),
      clusters: JSON.stringify({ legacy: { identifier: LEGACY, security_group_id: legacyGroupId } }),
      databases: JSON.stringify({ users: {}, orders: { cluster: 'legacy' } }),
      tenant_groups: JSON.stringify({ shop: { tenants: SHOP, on_error: 'continue' }, early: { tenants: EARLY, canary: 1, on_error: 'continue' } }),
    },
  };
}

describe('a database on an existing Aurora MySQL cluster beside the module\'s PostgreSQL cluster', () => {
  let world: World;
  let harness: Harness;
  let server: DatabaseServer;
  let network: UserNetwork;
  let legacy: ExistingCluster;
  let userMade: Leftovers;
  const ordersDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-orders-'));
  const groupDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-group-'));

  beforeAll(async () => {
    server = await startMariadb();
    world = await World.start('postgresql', PREFIX, async (aws) => {
      const estate = await makeUserEstate(aws);
      network = estate.network;
      return estate.variables;
    });
    userMade = await inventoryLeftovers(world.moto.awsEnv, PREFIX);
    writeFileSync(join(ordersDir, 'V1__create_table_orders.sql'), 'CREATE TABLE orders (id BIGINT PRIMARY KEY, placed_at TIMESTAMP NOT NULL);\n');
    writeFileSync(join(ordersDir, 'V2__add_status.sql'), "ALTER TABLE orders ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'new';\n");
    writeFileSync(join(groupDir, 'V1__create_table_accounts.sql'), V1);
    writeFileSync(join(groupDir, 'V2__add_plan.sql'), V2);
  });
  afterAll(async () => {
    await world?.stop();
    await server?.stop();
    rmSync(ordersDir, { recursive: true, force: true });
    rmSync(groupDir, { recursive: true, force: true });
  });

  /** A tenant's schema version on its cluster's server ("no history": Flyway never ran there; "no database": nothing was made). */
  const tenantVersion = async (tenant: { name: string; cluster: string }): Promise<string> => {
    const sql = "SELECT COALESCE(MAX(version), 'none') FROM flyway_schema_history WHERE success";
    if (tenant.cluster === 'legacy') {
      const exists = await mariadb(legacy.master!, 'mysql', `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '${tenant.name}'`);
      if (exists.stdout.trim() === '0') return 'no database';
      return (await mariadb(legacy.master!, tenant.name, sql).catch(() => ({ stdout: 'no history' }))).stdout.trim();
    }
    if ((await world.query('postgres', `SELECT COUNT(*) FROM pg_database WHERE datname = '${tenant.name}'`))[0] === '0') return 'no database';
    return (await world.query(tenant.name, sql).catch(() => ['no history']))[0];
  };
  /** Breaks a PostgreSQL tenant on purpose: a table that clashes with the group's first migration. */
  const breakTenant = async (name: string) => {
    await world.query('postgres', `CREATE DATABASE ${name}`);
    await world.query(name, 'CREATE TABLE accounts (id INT PRIMARY KEY)');
  };

  it('applies: the runner is told both clusters, each with its own secret, and the host is let into the named security group', async () => {
    await world.applyNew();
    const own = await world.clusterEndpoint();
    const existing = await world.clusterEndpoint(LEGACY);
    expect(existing).toMatch(/:3306=arn:aws:secretsmanager:/);
    expect(await world.endpointsForTheRunner()).toEqual({ settings: { orders: existing, users: own }, document: [own, existing] });
    const [endpoint, secretArn] = existing.split('=');
    legacy = { endpoint, secretArn, engine: 'mysql', server };

    const { host_security_group_id: hostGroup } = await world.outputs();
    const ingress = async () =>
      ((await world.aws.cli('ec2', 'describe-security-groups', '--group-ids', network.legacyGroupId)) as {
        SecurityGroups: { IpPermissions: { FromPort?: number; ToPort?: number; UserIdGroupPairs?: { GroupId: string }[] }[] }[];
      }).SecurityGroups[0].IpPermissions;
    expect(await ingress()).toEqual([expect.objectContaining({ FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [expect.objectContaining({ GroupId: hostGroup })] })]);
    harness = await world.connect('warm', {}, [legacy]);
  });

  it('migrates the database on the existing MySQL cluster (MariaDB) and the one on the module\'s PostgreSQL cluster', async () => {
    const { buckets } = await world.outputs();
    const orders = await harness.uploadFolder(buckets.orders, ordersDir);
    for (const command of orders.commands) expectCommandSucceeded(command);
    expect(orders.commands.reduce((sum, command) => sum + (command.summary?.migrations_applied ?? 0), 0)).toBe(2);
    const history = await mariadb(legacy.master!, 'orders', 'SELECT version, script, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank');
    expect(history.stdout.trim().split('\n')).toEqual(['1\tV1__create_table_orders.sql\t1', '2\tV2__add_status.sql\t1']);

    const users = await harness.uploadFolder(buckets.users, migrationsDir('users'));
    for (const command of users.commands) expectCommandSucceeded(command);
    const rows = await world.query('users', 'SELECT version, description, script, checksum, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank');
    expect(rows).toEqual(expectedHistory(migrationsDir('users'), 't'));
  });

  it('a group push across both clusters with on_error = continue migrates four tenants, prints each, and exits 1 naming the fifth', async () => {
    await breakTenant('initech');
    const pushed = await runClient(harness, PREFIX, ['push', 'shop', groupDir]);
    const output = `${pushed.stdout}${pushed.stderr}`;
    expect(output).toMatch(/^shop: FAILED, 8 migration\(s\) applied/m);
    for (const tenant of ['acme', 'globex', 'umbrella', 'hooli']) expect(output).toMatch(new RegExp(`^ +${tenant} +success +none -> 2 +2 +\\d+\\.\\d s$`, 'm'));
    expect(output).toMatch(/^ +initech +failed +none -> none +0 /m);
    expect(output).toContain('tenants not migrated: failed: initech');
    expect(pushed.code).toBe(1);
    const versions = Object.fromEntries(await Promise.all(SHOP.map(async (tenant) => [tenant.name, await tenantVersion(tenant)])));
    expect(versions).toEqual({ acme: '2', globex: '2', initech: 'no history', umbrella: '2', hooli: '2' });
    // The failure topic's subscriber (what an e-mail gets) learns which tenant, and why.
    const told = (await harness.notificationsReceived()).filter((message) => message.subject?.startsWith(`Flyway ${PREFIX}: group shop:`) === true);
    // One message per run that ended with tenants unmigrated (the push's two uploads may make two runs).
    expect(told.length).toBeGreaterThanOrEqual(1);
    for (const message of told) {
      expect(message.subject).toBe(`Flyway ${PREFIX}: group shop: 1 tenant(s) failed, 0 not started`);
      expect(message.message).toMatch(/^FAILED +initech \(database initech on cluster default\): flyway migrate failed: Found non-empty schema/m);
    }
    expect(told[told.length - 1].message).toMatch(/^migrated +acme, globex, umbrella, hooli$/m);
  });

  it('with canary = 1 and the broken tenant first, no other tenant is touched', async () => {
    await breakTenant('early_initech');
    const pushed = await runClient(harness, PREFIX, ['push', 'early', groupDir]);
    expect(`${pushed.stdout}${pushed.stderr}`).toContain('tenants not migrated: failed: early_initech; not started: early_acme, early_globex');
    expect(pushed.code).toBe(1);
    // Not even created: nothing connected to the other tenants' databases, on either cluster.
    expect(await tenantVersion(EARLY[1])).toBe('no database');
    expect(await tenantVersion(EARLY[2])).toBe('no database');
    const told = (await harness.notificationsReceived()).filter((message) => message.subject?.startsWith(`Flyway ${PREFIX}: group early:`) === true);
    expect(told.length).toBeGreaterThanOrEqual(1);
    for (const message of told) {
      expect(message.subject).toBe(`Flyway ${PREFIX}: group early: 1 tenant(s) failed, 2 not started`);
      expect(message.message).toContain('NOT STARTED  early_acme: not started: the canary tenant(s) early_initech failed');
    }
  });

  it('after the fix a re-push runs the group again: the fifth tenant reaches the group version, push exits 0, status shows none behind', async () => {
    await world.query('initech', 'DROP TABLE accounts');
    const pushed = await runClient(harness, PREFIX, ['push', 'shop', groupDir]);
    const output = `${pushed.stdout}${pushed.stderr}`;
    expect(output).toContain('running the group shop again');
    expect(output).toMatch(/^ +initech +success +none -> 2 +2 /m);
    expect(output).toMatch(/^ +acme +success +2 -> 2 +0 /m);
    expect(pushed.code).toBe(0);
    expect(await tenantVersion(SHOP[2])).toBe('2');
    const status = await runClient(harness, PREFIX, ['status', 'shop']);
    expect(status.stdout).toContain("all 5 tenant(s) at the group's version");
    expect(status.stdout).toMatch(/^globex +globex +legacy +success +2 *$/m);
  });

  it('made only calls AWS would allow, and the host read exactly the two secrets it serves, never a third cluster\'s', async () => {
    // sns:Publish: the host told the failure topic about the groups' tenants.
    await world.expectEveryCallAllowed([...CALLED_ON_EVERY_RUN, 'sns:Publish']);
    const { master_user_secret_arn: own } = await world.outputs();
    const read = harness
      .calls()
      .recorded.filter((call) => call.accessKeyId === HOST_ACCESS_KEY_ID && call.service === 'secretsmanager')
      .map((call) => (JSON.parse(call.body) as { SecretId: string }).SecretId);
    expect([...new Set(read)].sort()).toEqual([legacy.secretArn, own].sort());

    // The host's policy as applied names these two secrets and no other: AWS would refuse the
    // third cluster's.
    const otherSecret = (await world.clusterEndpoint(OTHER)).split('=')[1];
    const asHost = (secret: string) => ({
      by: { accessKeyId: HOST_ACCESS_KEY_ID },
      caller: 'Flyway host',
      requests: [{ operation: 'secretsmanager GetSecretValue', action: 'secretsmanager:GetSecretValue', resource: secret, context: { 'aws:SecureTransport': 'true' } }],
    });
    const iam = await world.appliedIam();
    expect((await checkCalls(iam, [], [asHost(legacy.secretArn)])).denied).toEqual([]);
    expect((await checkCalls(iam, [], [asHost(otherSecret)])).denied).toEqual([
      `Flyway host (${iam.principals().get(HOST_ACCESS_KEY_ID)}) secretsmanager GetSecretValue: secretsmanager:GetSecretValue on ${otherSecret} is ImplicitlyDenied`,
    ]);
    const state = JSON.parse((await world.stack.terraform('show', '-json')).stdout) as { values: { root_module: ShownModule } };
    const secretPolicy = allResources(state.values.root_module).find((resource) => resource.type === 'aws_iam_role_policy' && String(resource.values.name).endsWith('-secret'));
    const statements = JSON.parse(String(secretPolicy?.values.policy)).Statement as { Action: string; Resource: string | string[] }[];
    const reads = statements.filter((statement) => statement.Action === 'secretsmanager:GetSecretValue').map((statement) => [statement.Resource].flat().sort());
    expect(reads).toEqual([[own, legacy.secretArn].sort()]);
  });

  it('removing the cluster from the configuration keeps the host and leaves that database alone, its settings removed', async () => {
    const { config_prefix: prefix, host_security_group_id: hostGroup } = await world.outputs();
    await world.stack.terraform('plan', '-input=false', '-no-color', ...WITHOUT_LEGACY, '-out=without.tfplan');
    const plan = JSON.parse((await world.stack.terraform('show', '-json', 'without.tfplan')).stdout) as { resource_changes: { address: string; change: { actions: string[] } }[] };
    const changed = (action: string) => plan.resource_changes.filter((change) => change.change.actions.includes(action)).map((change) => change.address);
    expect(changed('delete')).not.toContain(INSTANCE);
    // Only the TLS-only bucket policies the harness took off the emulator's copies (emulator-quirks.ts) come back.
    expect(changed('create').sort()).toEqual(
      [`module.pipeline.module.database_bucket["users"].aws_s3_bucket_policy.this`, 'module.pipeline.module.flyway_host.aws_s3_bucket_policy.artifacts'].sort(),
    );
    expect(world.policyAdjustments.map((adjustment) => adjustment.split(':')[1].trim()).every((statement) => statement === 'DenyInsecureTransport')).toBe(true);
    expect(changed('delete')).toEqual(
      expect.arrayContaining([
        'module.pipeline.aws_ssm_parameter.database_settings["orders"]',
        'module.pipeline.aws_vpc_security_group_ingress_rule.existing_cluster_from_host["legacy"]',
        `module.pipeline.aws_vpc_security_group_egress_rule.host_to_existing_cluster["legacy/${network.legacyGroupId}"]`,
      ]),
    );
    await world.stack.terraform('apply', '-input=false', '-no-color', 'without.tfplan');
    // The apply put the TLS-only policies back on the emulator's copies (emulator-quirks.ts).
    const { buckets, artifacts_bucket_name: artifacts } = await world.outputs();
    await adjustBucketPoliciesForEmulator(world.aws, [...Object.values(buckets), artifacts]);

    await expect(world.aws.cli('ssm', 'get-parameter', '--name', `${prefix}/databases/orders`)).rejects.toThrow(/ParameterNotFound/);
    const groups = (await world.aws.cli('ec2', 'describe-security-groups', '--group-ids', network.legacyGroupId)) as { SecurityGroups: { IpPermissions: unknown[] }[] };
    expect(groups.SecurityGroups[0].IpPermissions).toEqual([]);
    expect(JSON.stringify(groups)).not.toContain(hostGroup);
    // The database itself is the user's: still there, at its version; so are the removed groups' tenants.
    const rows = await mariadb(legacy.master!, 'orders', 'SELECT MAX(version) FROM flyway_schema_history');
    expect(rows.stdout.trim()).toBe('2');
    expect(await tenantVersion(SHOP[1])).toBe('2');
    expect(await tenantVersion(SHOP[0])).toBe('2');
    await expect(world.aws.cli('ssm', 'get-parameter', '--name', `${prefix}/databases/shop`)).rejects.toThrow(/ParameterNotFound/);
  });

  it('destroys, and the emulator holds exactly what the user made: the network and both clusters with their secrets', async () => {
    await world.destroy(WITHOUT_LEGACY);
    expect(await inventoryLeftovers(world.moto.awsEnv, PREFIX)).toEqual(userMade);
    const { DBClusters } = (await world.aws.cli('rds', 'describe-db-clusters')) as { DBClusters: { DBClusterIdentifier: string }[] };
    expect(DBClusters.map((cluster) => cluster.DBClusterIdentifier).sort()).toEqual([LEGACY, OTHER]);
  });
});
