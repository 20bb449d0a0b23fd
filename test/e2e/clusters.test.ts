// End to end with an existing cluster beside the module's own: the test makes, on the emulator and
// without Terraform, the user's network and two Aurora clusters (a MySQL one the pipeline is told
// of, played by a local MariaDB, and a PostgreSQL one it is not told of). The module (PostgreSQL,
// create_vpc = false) migrates a database on each engine; the host reads exactly the two secrets
// it serves; removing the cluster from the configuration leaves the host and that database alone;
// destroy leaves exactly what the user made.

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
import { CALLED_ON_EVERY_RUN, expectCommandSucceeded, expectedHistory, migrationsDir, World, type ExistingCluster } from './support';

jest.setTimeout(1_200_000);

const PREFIX = 'e2ecl';
const INSTANCE = 'module.pipeline.module.flyway_host.aws_instance.this';
const LEGACY = 'legacy-mysql';
const OTHER = 'other-postgres';
const WITHOUT_LEGACY = ['-var', 'clusters={}', '-var', 'databases={ users = {} }'];

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
  });
  afterAll(async () => {
    await world?.stop();
    await server?.stop();
    rmSync(ordersDir, { recursive: true, force: true });
  });

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

  it('made only calls AWS would allow, and the host read exactly the two secrets it serves, never a third cluster\'s', async () => {
    await world.expectEveryCallAllowed(CALLED_ON_EVERY_RUN);
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
    expect(world.policyAdjustments.map((adjustment) => adjustment.split(':')[1].trim())).toEqual(['DenyInsecureTransport', 'DenyInsecureTransport', 'DenyInsecureTransport']);
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
    // The database itself is the user's: still there, at its version.
    const rows = await mariadb(legacy.master!, 'orders', 'SELECT MAX(version) FROM flyway_schema_history');
    expect(rows.stdout.trim()).toBe('2');
  });

  it('destroys, and the emulator holds exactly what the user made: the network and both clusters with their secrets', async () => {
    await world.destroy(WITHOUT_LEGACY);
    expect(await inventoryLeftovers(world.moto.awsEnv, PREFIX)).toEqual(userMade);
    const { DBClusters } = (await world.aws.cli('rds', 'describe-db-clusters')) as { DBClusters: { DBClusterIdentifier: string }[] };
    expect(DBClusters.map((cluster) => cluster.DBClusterIdentifier).sort()).toEqual([LEGACY, OTHER]);
  });
});
