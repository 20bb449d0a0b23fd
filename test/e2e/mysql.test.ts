// End to end with engine = "aurora-mysql": the module applied on the emulator, the sample
// migrations uploaded, the harness playing S3 -> Lambda and the SSM agent, the real runner and
// Flyway migrating a real MariaDB (Debian's MySQL-compatible server); then destroy, nothing left.
// This deployment also plays a host without internet access on its first day: Flyway comes from
// an s3:// flyway_download_url and the first command installs it. Then a third database is added
// with terraform apply, which must leave the host in place and migrate on its first upload.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { emptyKinds, inventoryLeftovers, NOTHING_LEFT } from '../support/leftovers';
import { watchFlywayJvms } from '../support/flyway-jvms';
import { toolchain } from '../support/toolchain';
import { CALLED_ON_EVERY_RUN, DATABASES, expectCommandSucceeded, expectedHistory, expectTaggedWithCommands, migrationsDir, NOT_CREATED_BY_THE_FIXTURE, World } from './support';
import { adjustBucketPoliciesForEmulator } from '../harness/emulator-quirks';
import type { Burst, Harness } from '../harness/harness';
import { runClient } from '../harness/client';
import { UPLOADER_ACCESS_KEY_ID } from '../harness/iam-check';

jest.setTimeout(1_200_000);

const PREFIX = 'e2emy';
// Not named with PREFIX: the artifact bucket is the user's, not the module's, and stays after destroy.
const ARTIFACTS = 'flyway-artifacts';
const INSTANCE = 'module.pipeline.module.flyway_host.aws_instance.this';
const WITH_ORDERS = 'databases={ users = {}, products = {}, orders = {} }';

describe('the whole pipeline on MySQL (MariaDB)', () => {
  let world: World;
  let harness: Harness;
  const bursts: Burst[] = [];
  const ordersDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-orders-'));

  beforeAll(async () => {
    world = await World.start('mysql', PREFIX, async (aws) => {
      const archive = toolchain().flywayArchive;
      await aws.cli('s3api', 'create-bucket', '--bucket', ARTIFACTS, '--create-bucket-configuration', `LocationConstraint=${aws.region}`);
      await aws.cli('s3api', 'put-object', '--bucket', ARTIFACTS, '--key', basename(archive), '--body', archive);
      return { flyway_download_url: `s3://${ARTIFACTS}/${basename(archive)}` };
    });
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(ordersDir, { recursive: true, force: true });
  });

  it('applies with engine aurora-mysql: the host may reach the cluster on 3306 only', async () => {
    await world.applyNew();
    const { host_security_group_id: groupId } = await world.outputs();
    const groups = (await world.aws.cli('ec2', 'describe-security-groups', '--group-ids', groupId)) as {
      SecurityGroups: { IpPermissions: unknown[]; IpPermissionsEgress: { FromPort?: number }[] }[];
    };
    expect(groups.SecurityGroups[0].IpPermissions).toEqual([]);
    expect(groups.SecurityGroups[0].IpPermissionsEgress.map((rule) => rule.FromPort).sort()).toEqual([3306, 443]);
    // The runner is given the cluster's writer endpoint and port, as RDS describes the cluster
    // (checked before connect(): from then on the harness sends the runner to the local server).
    const cluster = await world.clusterEndpoint();
    expect(cluster).toMatch(/:3306=arn:aws:secretsmanager:/);
    expect(await world.endpointsForTheRunner()).toEqual({ settings: { products: cluster, users: cluster }, document: [cluster] });
    harness = await world.connect('fresh');
  });

  it.each(DATABASES)('migrates %s from an upload burst: one command per file, at most two Flyway runs', async (database) => {
    const { buckets } = await world.outputs();
    const jvms = watchFlywayJvms();
    const burst = await harness.uploadFolder(buckets[database], migrationsDir(database));
    const { started } = jvms.stop();
    bursts.push(burst);

    expect(burst.deliveries.length).toBe(burst.uploads.length);
    for (const { invocation, commands } of burst.deliveries) {
      expect(invocation.ok).toBe(true);
      expect(commands).toHaveLength(1);
      expectCommandSucceeded(commands[0]);
      expect(commands[0]).toMatchObject({ status: 'Success', parameters: { DatabaseKey: database, Action: 'migrate' } });
      expect(['success', 'skipped', 'queued']).toContain(commands[0].summary?.status);
    }
    // Flyway JVMs counted from /proc, not from the runner's log; and the runner's own count agrees.
    const runs = burst.commands.reduce((sum, command) => sum + command.migrateRuns, 0);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(2);
    expect(runs).toBe(started);
    await expectTaggedWithCommands(world, burst);
  });

  it('installed Flyway once, from the s3:// source, on the fresh host\'s first command', () => {
    const commands = bursts.flatMap((burst) => burst.commands);
    const installs = commands.filter((command) => command.stdout.includes('install-flyway: installed Flyway'));
    expect(installs).toHaveLength(1);
    expect(installs[0].stdout).toContain(`install-flyway: fetching Flyway ${toolchain().flywayVersion} from s3://${ARTIFACTS}/`);
    expect(installs[0].stdout).toContain(`install-flyway: SHA-256 verified: ${toolchain().flywaySha256}`);
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

  it('adds a database with terraform apply without replacing the host, and migrates its first upload', async () => {
    const before = await world.outputs();
    await world.stack.terraform('plan', '-input=false', '-no-color', '-var', WITH_ORDERS, '-out=orders.tfplan');
    const plan = JSON.parse((await world.stack.terraform('show', '-json', 'orders.tfplan')).stdout) as {
      resource_changes: { address: string; change: { actions: string[] } }[];
    };
    const instance = plan.resource_changes.find((change) => change.address === INSTANCE);
    expect(instance?.change.actions.filter((action) => action === 'delete' || action === 'create')).toEqual([]);
    const created = plan.resource_changes.filter((change) => change.change.actions.includes('create')).map((change) => change.address);
    expect(created).toEqual(expect.arrayContaining(['module.pipeline.module.database_bucket["orders"].aws_s3_bucket.this']));
    await world.stack.terraform('apply', '-input=false', '-no-color', 'orders.tfplan');

    const after = await world.outputs();
    expect(after.instance_id).toBe(before.instance_id);
    // The new bucket got the TLS-only policy, and the apply restored the artifacts bucket's (the
    // emulator's copy had been adjusted); both are adjusted as at the start.
    expect(await adjustBucketPoliciesForEmulator(world.aws, [after.buckets.orders, after.artifacts_bucket_name])).toEqual([
      `${after.buckets.orders}: DenyInsecureTransport`,
      `${after.artifacts_bucket_name}: DenyInsecureTransport`,
    ]);
    writeFileSync(join(ordersDir, 'V1__create_table_orders.sql'), 'CREATE TABLE orders (id BIGINT PRIMARY KEY, placed_at TIMESTAMP NOT NULL);\n');
    const jvms = watchFlywayJvms();
    const burst = await harness.uploadFolder(after.buckets.orders, ordersDir);
    expect(jvms.stop().started).toBe(1);
    expect(burst.commands).toHaveLength(1);
    expectCommandSucceeded(burst.commands[0]);
    expect(burst.commands[0]).toMatchObject({ parameters: { DatabaseKey: 'orders' }, migrateRuns: 1, summary: { status: 'success', migrations_applied: 1 } });
    expect(burst.commands[0].stdout).not.toContain('install-flyway');
    expect(await world.columns('orders', 'orders')).toEqual(['id', 'placed_at']);
  });

  it('aurora-flyway push migrates MariaDB too: a new version, waited for, and status shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-push-'));
    try {
      cpSync(migrationsDir('users'), dir, { recursive: true });
      writeFileSync(join(dir, 'V3__add_phone.sql'), 'ALTER TABLE persons ADD COLUMN phone VARCHAR(32);\n');
      // The apply that added orders put the TLS-only policy back on the emulator's copy of every
      // bucket; moto skips bucket policies for its default credentials only, not for the client's.
      const { buckets } = await world.outputs();
      await adjustBucketPoliciesForEmulator(world.aws, Object.values(buckets));
      const pushed = await runClient(harness, PREFIX, ['push', 'users', dir]);
      const refused = harness.calls().recorded.filter((call) => call.accessKeyId === UPLOADER_ACCESS_KEY_ID && call.status >= 400);
      const why = refused.map((call) => `${call.status} ${call.method} ${call.url} ${call.responseBody.slice(0, 400)}`).join('\n');
      expect(`${pushed.stdout}${pushed.stderr}${why}`).toContain('users: migrated, 1 migration(s) applied (V3), schema version 2 -> 3');
      expect(pushed.code).toBe(0);
      expect(await world.columns('users', 'persons')).toContain('phone');
      const status = await runClient(harness, PREFIX, ['status', 'users']);
      expect(status.stdout).toMatch(/^users +\S+ +migrate +success +3 +1/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('made only calls AWS would allow: each checked against the policies of the role (or service) that makes it on AWS', async () => {
    await world.expectEveryCallAllowed(CALLED_ON_EVERY_RUN);
  });

  it('destroys, and the emulator holds nothing of the module', async () => {
    // First the inventory sees every kind of resource this deployment made (see postgresql.test.ts).
    const before = await inventoryLeftovers(world.moto.awsEnv, PREFIX);
    expect(emptyKinds(before)).toEqual(NOT_CREATED_BY_THE_FIXTURE);
    await world.destroy(['-var', WITH_ORDERS]);
    expect(await inventoryLeftovers(world.moto.awsEnv, PREFIX)).toEqual(NOTHING_LEFT);
  });
});
