// End to end on PostgreSQL: `terraform apply` of the root module on the emulator (with the checks
// of what it built), the sample migrations uploaded to their buckets, the harness playing S3 ->
// Lambda and the SSM agent, the real runner and Flyway migrating a real PostgreSQL; then
// `terraform destroy` and an inventory of the emulator: nothing of the module is left.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { passwordValues } from '../support/local-stack';
import { resourceTypeProblems } from '../support/iam-resource-types';
import { parseCommandDocument, renderCommand } from '../harness/ssm-document';
import { hostPaths } from '../harness/ssm-host';
import { emptyKinds, inventoryLeftovers, NOTHING_LEFT } from '../support/leftovers';
import { watchFlywayJvms } from '../support/flyway-jvms';
import { endOpenSessions, startWorkload } from '../support/pg-session';
import type { DatabaseServer } from '../support/database-server';
import { run } from '../support/run';
import { toolEnv } from '../support/toolchain';
import { allResources, type ShownModule } from '../support/terraform';
import { listCommandRecords, listInvocationRecords, readCommandRecord } from '../harness/records';
import { folderFiles, type Harness } from '../harness/harness';
import { CALLED_ON_EVERY_RUN, expectCommandSucceeded, expectedHistory, expectTaggedWithCommands, migrationsDir, NOT_CREATED_BY_THE_FIXTURE, World } from './support';
import { DeleteObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';

jest.setTimeout(1_200_000);

const PREFIX = 'e2epg';
// The teardown's bound. It takes two to four minutes on two busy cores (the SQS queue's deletion
// wait is most of it); the emulator's HTTP 500 to deleting a version of a deleted migration
// (test/harness/emulator-quirks.ts) kept the bucket alone in "Still destroying" for over six. The
// bucket itself must go within a minute (a few seconds without that loop).
const TEARDOWN_WITHIN_MS = 360_000;
const BUCKET_DESTROYED_WITHIN_S = 60;

/** Seconds of "<address>: Destruction complete after 1m5s" in Terraform's output; undefined when it never says so. Pure. */
function destructionSeconds(output: string, address: string): number | undefined {
  const line = output.split('\n').find((text) => text.startsWith(`${address}: Destruction complete after `));
  const [, minutes = '0', seconds = '0'] = /after (?:(\d+)m)?(?:(\d+)s)?$/.exec(line?.trim() ?? '') ?? [];
  return line === undefined ? undefined : Number(minutes) * 60 + Number(seconds);
}

const REPO = resolve(__dirname, '..', '..');

describe('the whole pipeline on PostgreSQL', () => {
  let world: World;
  let harness: Harness;
  /** The command that failed because the host's setup had (its failure is notified too). */
  let setupFailedCommandId = '';
  const aws = (...args: string[]) => world.aws.cli(...args);

  beforeAll(async () => {
    world = await World.start('postgresql', PREFIX);
  });
  afterAll(async () => {
    endOpenSessions();
    await world?.stop();
  });

  it('plans without any password value', async () => {
    await world.stack.terraform('plan', '-input=false', '-no-color', '-out=stack.tfplan');
    const plan = JSON.parse((await world.stack.terraform('show', '-json', 'stack.tfplan')).stdout) as unknown;
    expect(passwordValues(plan)).toEqual([]);
  });

  it('applies', async () => {
    await world.applyNew({ plan: 'stack.tfplan' });
    const outputs = await world.outputs();
    expect(Object.keys(outputs.buckets).sort()).toEqual(['products', 'users']);
  });

  it('gives the runner the cluster\'s writer endpoint and port (5432) with its master secret, as RDS describes the cluster', async () => {
    // Checked before connect(): from then on the harness sends the runner to the local server.
    const cluster = await world.clusterEndpoint();
    expect(cluster).toMatch(/:5432=arn:aws:secretsmanager:/);
    expect(await world.endpointsForTheRunner()).toEqual({ settings: { products: cluster, users: cluster }, document: [cluster] });
  });

  it('grants every IAM action only on resource types AWS lets it be scoped to (Service Authorization Reference)', async () => {
    const state = JSON.parse((await world.stack.terraform('show', '-json')).stdout) as { values: { root_module: ShownModule } };
    const policies = allResources(state.values.root_module).filter((resource) => ['aws_iam_role_policy', 'aws_iam_policy'].includes(resource.type));
    expect(policies.map((policy) => policy.address).sort()).toEqual(
      expect.arrayContaining([
        'module.pipeline.module.flyway_host.aws_iam_policy.buckets[0]',
        'module.pipeline.module.flyway_host.aws_iam_role_policy.agent',
        'module.pipeline.module.flyway_host.aws_iam_role_policy.secret',
        'module.pipeline.module.flyway_host.aws_iam_role_policy.this',
        'module.pipeline.module.trigger.aws_iam_role_policy.this',
      ]),
    );
    const problems = (await Promise.all(policies.map((policy) => resourceTypeProblems(String(policy.values.policy), policy.address)))).flat();
    expect(problems).toEqual([]);
  });

  it('keeps secrets out of the state: the password exists only in Secrets Manager', async () => {
    const state = JSON.parse((await world.stack.terraform('show', '-json')).stdout) as unknown;
    expect(passwordValues(state)).toEqual([]);
    const { master_user_secret_arn: secretArn } = await world.outputs();
    const secret = (await aws('secretsmanager', 'get-secret-value', '--secret-id', secretArn)) as { SecretString: string };
    const { password } = JSON.parse(secret.SecretString) as { password: string };
    expect(password.length).toBeGreaterThan(8);
    expect(JSON.stringify(state)).not.toContain(password);
  });

  it('built a host with IMDSv2, no key pair and no inbound rules', async () => {
    const { instance_id: instanceId, host_security_group_id: groupId } = await world.outputs();
    const reservations = (await aws('ec2', 'describe-instances', '--instance-ids', instanceId)) as {
      Reservations: { Instances: { KeyName?: string; MetadataOptions: { HttpTokens: string } }[] }[];
    };
    const instance = reservations.Reservations[0].Instances[0];
    expect(instance.KeyName ?? null).toBeNull();
    expect(instance.MetadataOptions.HttpTokens).toBe('required');
    // The group comes from the module's output: the emulator's describe-instances lists groups unreliably.
    const groups = (await aws('ec2', 'describe-security-groups', '--group-ids', groupId)) as {
      SecurityGroups: { IpPermissions: unknown[]; IpPermissionsEgress: { FromPort?: number }[] }[];
    };
    expect(groups.SecurityGroups[0].IpPermissions).toEqual([]);
    expect(groups.SecurityGroups[0].IpPermissionsEgress.map((rule) => rule.FromPort).sort()).toEqual([443, 5432]);
  });

  it('built private, versioned, encrypted buckets that notify the trigger on .sql uploads', async () => {
    const { buckets } = await world.outputs();
    for (const bucket of Object.values(buckets)) {
      expect(await aws('s3api', 'get-bucket-versioning', '--bucket', bucket)).toMatchObject({ Status: 'Enabled' });
      expect(await aws('s3api', 'get-public-access-block', '--bucket', bucket)).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      const notification = (await aws('s3api', 'get-bucket-notification-configuration', '--bucket', bucket)) as {
        LambdaFunctionConfigurations: { LambdaFunctionArn: string; Filter: { Key: { FilterRules: { Name: string; Value: string }[] } } }[];
      };
      // One configuration per spelling of the suffix (S3 matches it case-sensitively), so a
      // V1__x.SQL upload reaches the trigger, which rejects and reports it.
      for (const config of notification.LambdaFunctionConfigurations) expect(config.LambdaFunctionArn).toContain(`${PREFIX}-flyway-trigger`);
      // AWS spells the rule name "Suffix", the emulator "suffix".
      const rules = notification.LambdaFunctionConfigurations.flatMap((config) => config.Filter.Key.FilterRules.map((rule) => `${rule.Name.toLowerCase()}=${rule.Value}`));
      expect(rules.sort()).toEqual(['.SQL', '.SQl', '.SqL', '.Sql', '.sQL', '.sQl', '.sqL', '.sql'].map((suffix) => `suffix=${suffix}`).sort());
      const policy = (await aws('s3api', 'get-bucket-policy', '--bucket', bucket)) as { Policy: string };
      expect(policy.Policy).toContain('aws:SecureTransport');
    }
  });

  it('connects the harness: the secret\'s login works on PostgreSQL', async () => {
    harness = await world.connect();
    // The TLS-only statement is the only one the emulator cannot judge (test/harness/emulator-quirks.ts).
    expect(world.policyAdjustments.map((entry) => entry.replace(/^.*: /, ''))).toEqual(['DenyInsecureTransport', 'DenyInsecureTransport', 'DenyInsecureTransport']);
    expect(await world.query('postgres', 'SELECT 1')).toEqual(['1']);
  });

  it('migrates users from an upload burst: one event and one command per file, at most two Flyway runs', async () => {
    const { buckets } = await world.outputs();
    const files = folderFiles(migrationsDir('users'));
    const jvms = watchFlywayJvms();
    const burst = await harness.uploadBurst(buckets.users, files);
    const { started } = jvms.stop();

    expect(burst.uploads).toHaveLength(files.length);
    expect(burst.deliveries).toHaveLength(files.length);
    for (const { invocation, commands } of burst.deliveries) {
      expect(invocation.ok).toBe(true);
      expect(invocation.result).toMatchObject({ commands: [{ database: 'users' }], rejected: 0 });
      expect(commands).toHaveLength(1);
      expectCommandSucceeded(commands[0]);
      expect(commands[0]).toMatchObject({ status: 'Success', exitCode: 0, parameters: { DatabaseKey: 'users', Action: 'migrate' } });
      expect(['success', 'skipped', 'queued']).toContain(commands[0].summary?.status);
    }
    // Flyway JVMs counted from /proc, not from the runner's log; and the runner's own count agrees
    // (one JVM per `flyway migrate` run).
    const runs = burst.commands.reduce((sum, command) => sum + command.migrateRuns, 0);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(2);
    expect(runs).toBe(started);
    expect(burst.commands.reduce((sum, command) => sum + (command.summary?.migrations_applied ?? 0), 0)).toBe(2);
    await expectTaggedWithCommands(world, burst);
  });

  it('migrates products from one event holding both files: one command, one Flyway run', async () => {
    const { buckets } = await world.outputs();
    const uploads = [];
    for (const file of folderFiles(migrationsDir('products'))) uploads.push(await harness.upload(buckets.products, file.key, file.body));
    const jvms = watchFlywayJvms();
    const deliveries = await harness.deliver(uploads);
    expect(jvms.stop().started).toBe(1);

    expect(deliveries).toHaveLength(1);
    const [{ invocation, commands }] = deliveries;
    expect(invocation.ok).toBe(true);
    expect(commands).toHaveLength(1);
    expectCommandSucceeded(commands[0]);
    expect(commands[0]).toMatchObject({ status: 'Success', migrateRuns: 1, summary: { status: 'success', migrations_applied: 2, schema_version_after: '2' } });
    await expectTaggedWithCommands(world, { uploads, deliveries, commands });
  });

  it('created both databases with the expected tables and columns', async () => {
    expect(await world.columns('users', 'persons')).toEqual(['id', 'last_name', 'first_name', 'city', 'email']);
    expect(await world.columns('products', 'products')).toEqual(['id', 'name', 'price_cents', 'created_at', 'sku']);
  });

  it('recorded exactly the uploaded files in flyway_schema_history (version, description, script, checksum)', async () => {
    for (const database of ['users', 'products'] as const) {
      const history = await world.query(database, 'SELECT version, description, script, checksum, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank');
      expect(history).toEqual(expectedHistory(migrationsDir(database), 't'));
    }
  });

  it('keeps every command\'s status and output in the harness records', () => {
    const records = listCommandRecords(world.stateDir);
    expect(records).toHaveLength(3);
    expect(records.every((record) => record.status === 'Success' && record.summary !== null)).toBe(true);
    expect(readCommandRecord(world.stateDir, records[0].commandId)).toEqual(records[0]);
    expect(listInvocationRecords(world.stateDir).flatMap((invocation) => invocation.commandIds).sort()).toEqual(records.map((r) => r.commandId).sort());
  });

  it('runs the committed runner bundle from the artifacts bucket, and the document\'s script is shellcheck clean', async () => {
    const { artifacts_bucket_name: artifacts, document_name: documentName } = await world.outputs();
    const digest = createHash('sha256').update(readFileSync(join(REPO, 'runner/dist/flyway-runner.js'))).digest('hex');
    const listed = (await aws('s3api', 'list-objects-v2', '--bucket', artifacts)) as { Contents: { Key: string }[] };
    expect(listed.Contents.map((object) => object.Key)).toEqual([`runner/flyway-runner-${digest}.js`]);
    const installed = readdirSync(hostPaths(world.stateDir).installDir).filter((name) => name.startsWith('flyway-runner-'));
    expect(installed).toEqual([`flyway-runner-${digest}.js`]);

    const document = (await aws('ssm', 'get-document', '--name', documentName, '--document-format', 'JSON')) as { Content: string };
    const [step] = renderCommand(parseCommandDocument(document.Content), { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:00.000Z'] }).steps;
    const script = join(world.stateDir, 'document-step.sh');
    writeFileSync(script, step.script);
    const checked = await run('shellcheck', ['--shell=bash', script], { env: toolEnv() });
    expect(checked.stdout + checked.stderr).toBe('');
  });

  it('a command that arrives during the host\'s first boot waits for it, then runs', async () => {
    const { document_name: documentName } = await world.outputs();
    rmSync(hostPaths(world.stateDir).readyFile);
    const command = harness.sendCommand(documentName, { DatabaseKey: 'users', Action: 'info' });
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    harness.finishFirstBoot();
    const record = await command;
    expectCommandSucceeded(record);
    expect(record.stdout).toContain('flyway-runner: the host is still installing its software (first boot); waiting for it');
    expect(record.summary).toMatchObject({ action: 'info', status: 'success', schema_version_after: '2' });
  });

  it('a command on a host that could not install its software fails at once with the reason and the fix (no wait)', async () => {
    const { document_name: documentName } = await world.outputs();
    const { readyFile } = hostPaths(world.stateDir);
    const failed = join(dirname(readyFile), 'setup-failed');
    rmSync(readyFile);
    writeFileSync(failed, 'installing Java, Node.js and the database clients (dnf) failed 5 times, last at 2026-12-07T05:00:00Z. The setup runs again at the host\'s next boot: once the network is fixed, stop and start the instance.\n');
    try {
      const record = await harness.sendCommand(documentName, { DatabaseKey: 'users', Action: 'info' });
      setupFailedCommandId = record.commandId;
      expect(record.status).toBe('Failed');
      expect(record.stdout).toContain('flyway-runner: error: the host could not install its software: installing Java, Node.js and the database clients (dnf) failed 5 times');
      expect(record.stdout).toContain('stop and start the instance');
      expect(record.stdout).not.toContain('waiting for it');
      expect(record.summary).toMatchObject({ database: 'users', action: 'info', status: 'failed', reason: 'host not ready', exit_code: 8 });
    } finally {
      rmSync(failed, { force: true });
      harness.finishFirstBoot();
    }
  });

  it('validates command parameters against the document, as SSM does', async () => {
    const { document_name: documentName } = await world.outputs();
    const refused = await harness.sendCommand(documentName, { DatabaseKey: 'users; rm -rf /', Action: 'migrate' });
    expect(refused).toMatchObject({ status: 'Failed', exitCode: null, error: expect.stringMatching(/^InvalidParameters: .*DatabaseKey.*allowed pattern/) });
    const clean = await harness.sendCommand(documentName, { DatabaseKey: 'users', Action: 'clean' });
    expect(clean).toMatchObject({ status: 'Failed', error: expect.stringMatching(/allowed values/) });
    const info = await harness.sendCommand(documentName, { DatabaseKey: 'users', Action: 'info' });
    expectCommandSucceeded(info);
    expect(info).toMatchObject({ status: 'Success', migrateRuns: 0, summary: { status: 'success', schema_version_after: '2' } });
  });

  it('applies CREATE INDEX CONCURRENTLY to a table with rows while another session reads and writes it, without waiting on Flyway\'s own lock', async () => {
    const { buckets } = await world.outputs();
    await world.query('users', "INSERT INTO persons (id, last_name, city) SELECT g, 'name ' || g, 'city ' || (g % 50) FROM generate_series(1000, 21000) g");
    const workload = startWorkload(world.master as DatabaseServer, 'users', (n) => `INSERT INTO persons (id, last_name, city) VALUES (${100_000 + n}, 'w', 'w'); SELECT 'ok' FROM persons WHERE id = ${100_000 + n};`);
    const burst = await harness.uploadBurst(buckets.users, [{ key: 'V3__persons_city_index.sql', body: 'CREATE INDEX CONCURRENTLY persons_city_idx ON persons (city);\n' }]);
    const traffic = await workload.stop();
    expect(burst.commands).toHaveLength(1);
    expectCommandSucceeded(burst.commands[0]);
    expect(burst.commands[0]).toMatchObject({ status: 'Success', summary: { status: 'success', migrations_applied: 1, schema_version_after: '3' } });
    expect(await world.query('users', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'persons_city_idx'::regclass")).toEqual(['t']);
    // The application's reads and writes went on during the build: every round worked, none failed.
    expect(traffic.errors).toBe('');
    expect(traffic.rounds).toBeGreaterThan(5);
    expect(traffic.worked).toBe(traffic.rounds);
  });

  it('a broken migration fails its command (the failure notification\'s path), and products stays at version 2', async () => {
    const { buckets } = await world.outputs();
    const burst = await harness.uploadBurst(buckets.products, [{ key: 'V3__broken.sql', body: 'ALTER TABLE no_such_table ADD COLUMN x int;\n' }]);
    expect(burst.commands).toHaveLength(1);
    expect(burst.commands[0]).toMatchObject({ status: 'Failed', summary: { status: 'failed', schema_version_after: '2' } });
    expect(burst.commands[0].stdout).toContain('V3__broken.sql');
    expect(await world.query('products', 'SELECT max(version::int) FROM flyway_schema_history WHERE success')).toEqual(['2']);
    // Run Command's events went through the applied rule (the emulator's matcher and input
    // transformer) and the topic's and key's policies: every earlier command succeeded but the
    // one on the host whose setup had failed, so the topic delivered exactly two messages to its
    // subscriber, one per failed command, this one's last.
    const { document_name: documentName } = await world.outputs();
    const delivered = await harness.notificationsReceived();
    expect(delivered.map((message) => message.message)).toEqual([
      expect.stringContaining(`Flyway run ${setupFailedCommandId} (document ${documentName}) ended with status Failed`),
      expect.stringContaining(`Flyway run ${burst.commands[0].commandId} (document ${documentName}) ended with status Failed`),
    ]);
  });

  it('made only calls AWS would allow: each checked against the policies of the role (or service) that makes it on AWS', async () => {
    await world.expectEveryCallAllowed([...CALLED_ON_EVERY_RUN, 'sns:Publish', 'kms:Decrypt']);
  });

  it('the broken migration deleted from its bucket, as the runner advises for a bad file: a delete marker over its version', async () => {
    const { buckets } = await world.outputs();
    await world.aws.s3.send(new DeleteObjectCommand({ Bucket: buckets.products, Key: 'V3__broken.sql' }));
    const listed = await world.aws.s3.send(new ListObjectVersionsCommand({ Bucket: buckets.products, Prefix: 'V3__broken.sql' }));
    expect(listed.DeleteMarkers?.map((marker) => marker.IsLatest)).toEqual([true]);
    expect(listed.Versions?.map((version) => version.IsLatest)).toEqual([false]);
  });

  it(`destroys within ${TEARDOWN_WITHIN_MS / 60_000} minutes, the bucket of the deleted migration too, and the emulator holds nothing of the module`, async () => {
    // First the inventory sees every kind of resource this deployment made, so that an empty list
    // after the destroy means destroyed, not overlooked.
    const before = await inventoryLeftovers(world.moto.awsEnv, PREFIX);
    expect(emptyKinds(before)).toEqual(NOT_CREATED_BY_THE_FIXTURE);
    const { buckets } = await world.outputs();
    const teardown = await world.destroy([], TEARDOWN_WITHIN_MS);
    expect(teardown.removed).toEqual([`${buckets.products}: V3__broken.sql`]);
    expect(destructionSeconds(teardown.output, 'module.pipeline.module.database_bucket["products"].aws_s3_bucket.this')).toBeLessThan(BUCKET_DESTROYED_WITHIN_S);
    expect(await inventoryLeftovers(world.moto.awsEnv, PREFIX)).toEqual(NOTHING_LEFT);
    const state = await run('terraform', ['state', 'list'], { cwd: world.stack.dir, env: toolEnv(world.moto.awsEnv) });
    expect(state.stdout.trim()).toBe('');
  });
});
