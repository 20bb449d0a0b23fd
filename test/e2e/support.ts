// Shared by the end-to-end tests: the emulator, a database server, the module applied from
// test/fixtures/local-stack, and the harness that plays S3 -> Lambda and the SSM agent.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { awsClients, type AwsClients } from '../harness/aws';
import { adjustBucketPoliciesForEmulator, DESTROY_FIRST, duplicatedCreate, keyPoliciesAsTextForEmulator, lostRevoke, removeDeletedObjectsForEmulator } from '../harness/emulator-quirks';
import { Harness, type Burst, type HarnessOptions } from '../harness/harness';
import { AppliedIam, awsServiceCalls, checkCalls, type Policy } from '../harness/iam-check';
import { adoptMasterLogin, readMasterLogin, type Engine } from '../harness/master-login';
import { parseCommandDocument, renderCommand } from '../harness/ssm-document';
import { listInvocationRecords, type CommandRecord } from '../harness/records';
import { keysInState } from '../harness/state-keys';
import { crc32 } from '../harness/zip';
import type { DatabaseServer } from '../support/database-server';
import { mariadb, psql } from '../support/flyway';
import { prepareLocalStack, type LocalStack } from '../support/local-stack';
import { startMariadb } from '../support/mariadb';
import { startMoto, type MotoServer } from '../support/moto';
import { startPostgres } from '../support/postgres';
import { allResources, PROJECT_ROOT, terraform, type ShownModule } from '../support/terraform';

export const DATABASES = ['users', 'products'] as const;
export type Database = (typeof DATABASES)[number];

export function migrationsDir(database: Database): string {
  return join(PROJECT_ROOT, 'migrations', database);
}

export interface Outputs {
  buckets: Record<Database, string> & Record<string, string>;
  instance_id: string;
  document_name: string;
  host_security_group_id: string;
  master_user_secret_arn: string;
  artifacts_bucket_name: string;
  config_prefix: string;
}

/** Kinds of test/support/leftovers.ts that the fixture's deployments do not create unless create_kms_key is set: a KMS key and its alias. */
export const NOT_CREATED_BY_THE_FIXTURE = ['kmsAliases', 'kmsKeys'];

/** Actions every e2e run makes (trigger, runner, agent and the services around them), checked by expectEveryCallAllowed. */
export const CALLED_ON_EVERY_RUN = [
  'ssm:GetParameter',
  'ssm:SendCommand',
  's3:GetObjectVersionTagging',
  's3:PutObjectVersionTagging',
  's3:GetObject',
  's3:ListBucketVersions',
  's3:GetObjectVersion',
  's3:PutObject',
  'secretsmanager:GetSecretValue',
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'ssm:UpdateInstanceInformation',
  'ec2messages:GetMessages',
  'lambda:InvokeFunction',
  // The host sleeps when idle by default: the trigger asks EC2 to start it before every send.
  'ec2:StartInstances',
];

/** A cluster made on the emulator without Terraform (var.clusters), played by a local server of its own. */
export interface ExistingCluster {
  /** The writer endpoint RDS describes, "host:port". */
  endpoint: string;
  secretArn: string;
  engine: Engine;
  server: DatabaseServer;
  /** The server with the cluster's master login (after connect()). */
  master?: DatabaseServer;
}

/** One deployment of the module on its own emulator, with its own database server. */
export class World {
  harness?: Harness;
  /** The server with the cluster's master login (after connect()). */
  master?: DatabaseServer;
  /** What adjustBucketPoliciesForEmulator removed (see test/harness/emulator-quirks.ts). */
  policyAdjustments: string[] = [];
  readonly stateDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-e2e-'));

  private constructor(
    readonly engine: Engine,
    readonly prefix: string,
    readonly moto: MotoServer,
    readonly server: DatabaseServer,
    readonly stack: LocalStack,
    readonly aws: AwsClients,
    private readonly before?: (aws: AwsClients) => Promise<Record<string, string>>,
  ) {}

  /** `before` runs on the emulator before terraform init and returns more fixture variables. */
  static async start(engine: Engine, prefix: string, before?: (aws: AwsClients) => Promise<Record<string, string>>): Promise<World> {
    const [moto, server] = await Promise.all([startMoto(), engine === 'postgresql' ? startPostgres() : startMariadb()]);
    const aws = awsClients(moto.awsEnv);
    try {
      const variables = (await before?.(aws)) ?? {};
      const stack = prepareLocalStack(moto.awsEnv, { name_prefix: prefix, engine: engine === 'postgresql' ? 'aurora-postgresql' : 'aurora-mysql', ...variables });
      await stack.terraform('init', '-input=false', '-no-color');
      return new World(engine, prefix, moto, server, stack, aws, before);
    } catch (error) {
      // No World to stop() yet: without this the servers would keep jest from exiting.
      aws.destroy();
      await Promise.all([moto.stop(), server.stop()]);
      throw error;
    }
  }

  /**
   * The first `terraform apply` of this world: of `plan` (a saved plan file) when given, else with
   * `-auto-approve` and `args`. When the emulator made a create whose answer the provider lost (see
   * duplicatedCreate in emulator-quirks.ts), the emulator is reset, the state dropped, `before` run
   * again and the apply (auto-approved, the saved plan is stale) tried once more, saying so on
   * stderr; any other failure, or a second one, fails.
   */
  async applyNew(options: { plan?: string; args?: string[] } = {}): Promise<void> {
    const apply = (plan?: string) => this.stack.terraform('apply', '-input=false', '-no-color', ...(plan === undefined ? ['-auto-approve', ...(options.args ?? [])] : [plan]));
    try {
      await apply(options.plan);
      return;
    } catch (error) {
      const duplicate = duplicatedCreate(error instanceof Error ? error.message : String(error));
      if (duplicate === undefined) throw error;
      process.stderr.write(`emulator quirk: the first apply failed with "${duplicate}" (a create the emulator made, sent again by the provider's retry); resetting the emulator and applying once more\n`);
    }
    const reset = await fetch(`${this.moto.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!reset.ok) throw new Error(`could not reset the emulator: HTTP ${reset.status}`);
    for (const file of ['terraform.tfstate', 'terraform.tfstate.backup']) rmSync(join(this.stack.dir, file), { force: true });
    this.stack.forget();
    const variables = (await this.before?.(this.aws)) ?? {};
    const changed = Object.entries(variables).filter(([name, value]) => this.stack.env[`TF_VAR_${name}`] !== value);
    if (changed.length > 0) throw new Error(`before() gave other values on the reset emulator (${changed.map(([name]) => name).join(', ')}): cannot apply again`);
    await apply();
  }

  async outputs(): Promise<Outputs> {
    return (await this.stack.outputs()) as unknown as Outputs;
  }

  /**
   * After apply: the secret's login on the local server, and the harness for this deployment.
   * `existing`: clusters the test made without Terraform, each played by a server of its own (the
   * runner is then sent to each server by its cluster's endpoint, and trusts every server's CA).
   */
  async connect(flyway: 'warm' | 'fresh' = 'warm', extra: Pick<HarnessOptions, 'power'> = {}, existing: readonly ExistingCluster[] = []): Promise<Harness> {
    const outputs = await this.outputs();
    this.master = await adoptMasterLogin(this.server, this.engine, await readMasterLogin(this.aws, outputs.master_user_secret_arn));
    for (const cluster of existing) cluster.master = await adoptMasterLogin(cluster.server, cluster.engine, await readMasterLogin(this.aws, cluster.secretArn));
    this.policyAdjustments = await adjustBucketPoliciesForEmulator(this.aws, [...Object.values(outputs.buckets), outputs.artifacts_bucket_name]);
    const state = JSON.parse((await this.stack.terraform('show', '-json')).stdout) as { values: { root_module: ShownModule } };
    await keyPoliciesAsTextForEmulator(this.aws, keysInState(allResources(state.values.root_module)));
    const local = (server: DatabaseServer) => `${server.host}:${server.port}`;
    let dbEndpoint = local(this.server);
    let dbCaFile = this.server.caFile;
    if (existing.length > 0) {
      const own = (await this.clusterEndpoint()).split('=')[0];
      dbEndpoint = [`${own}=${local(this.server)}`, ...existing.map((cluster) => `${cluster.endpoint}=${local(cluster.server)}`)].join(',');
      dbCaFile = join(this.stateDir, 'ca-bundle.pem');
      writeFileSync(dbCaFile, [this.server, ...existing.map((cluster) => cluster.server)].map((server) => readFileSync(server.caFile, 'utf8')).join(''));
    }
    this.harness = await Harness.create({
      awsEnv: this.moto.awsEnv,
      stateDir: this.stateDir,
      instanceId: outputs.instance_id,
      dbEndpoint,
      dbCaFile,
      flyway,
      appliedIam: () => this.appliedIam(),
      ...extra,
      // DEBUG_HARNESS=1: the harness's progress on stderr (see test/harness/README.md).
      ...(process.env.DEBUG_HARNESS === '1' ? { progress: (line: string) => void process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`) } : {}),
    });
    return this.harness;
  }

  /** The state's policies as AWS would hold them, read again only after an apply changed the state file. */
  private applied?: { stamp: string; iam: Promise<AppliedIam> };

  appliedIam(): Promise<AppliedIam> {
    const stamp = String(statSync(join(this.stack.dir, 'terraform.tfstate'), { throwIfNoEntry: false })?.mtimeMs ?? 'none');
    if (this.applied?.stamp !== stamp) {
      const iam = this.stack.terraform('show', '-json').then(async (shown) => {
        const applied = AppliedIam.fromState(JSON.parse(shown.stdout) as Parameters<typeof AppliedIam.fromState>[0], this.moto.region);
        applied.uploaderPolicy = JSON.parse(String((await this.stack.outputs()).uploader_policy_json)) as Policy;
        // The keys behind the emulator's aws/* aliases are AWS managed (an existing cluster's RDS-managed secret names one by its key ARN).
        const { Aliases = [] } = (await this.aws.cli('kms', 'list-aliases')) as { Aliases?: { AliasName: string; AliasArn: string; TargetKeyId?: string }[] };
        for (const alias of Aliases) {
          if (alias.TargetKeyId === undefined || !alias.AliasName.startsWith('alias/aws/')) continue;
          applied.awsManagedKeys.set(alias.AliasArn.replace(/:alias\/.*$/, `:key/${alias.TargetKeyId}`), alias.AliasName.slice('alias/'.length));
        }
        return applied;
      });
      this.applied = { stamp, iam };
    }
    return this.applied.iam;
  }

  /**
   * Every call the trigger, the runner and the agent made, and those AWS services made for them,
   * as AWS would authorize it with the applied policies (see test/harness/iam-check.ts), and the
   * client's calls with the module's uploader_policy_json. Fails
   * with the denied calls, or when one of `expectedActions` was never checked.
   */
  async expectEveryCallAllowed(expectedActions: readonly string[]): Promise<void> {
    if (this.harness === undefined) throw new Error('connect() first');
    // The client's calls (tests that run aurora-flyway) are checked against the policy the module hands out for it (appliedIam).
    const iam = await this.appliedIam();
    const { recorded, declared } = this.harness.calls();
    const services = awsServiceCalls(iam, listInvocationRecords(this.stateDir));
    const verdict = await checkCalls(iam, recorded, [...declared, ...services]);
    expect(verdict.denied).toEqual([]);
    expect([...expectedActions].filter((action) => !verdict.checked.has(action))).toEqual([]);
  }

  /**
   * `terraform destroy` as the e2e tests run it on the emulator (`args`: e.g. `-var`s the stack was
   * applied with): first what the emulator cannot do inside one destroy (emulator-quirks.ts: keys
   * with a delete marker, then DESTROY_FIRST), then the rest. The whole teardown gets `withinMs`;
   * past it Terraform is interrupted (SIGINT: it stops the provider's retries and writes its state)
   * and this fails saying so. Returns the emulator quirk's `bucket: key` list, the time taken and
   * Terraform's output of both runs.
   */
  async destroy(args: readonly string[] = [], withinMs = 900_000): Promise<{ removed: string[]; seconds: number; output: string }> {
    const started = Date.now();
    const outputs = await this.outputs();
    const removed = await removeDeletedObjectsForEmulator(this.aws, [...Object.values(outputs.buckets), outputs.artifacts_bucket_name]);
    const destroy = (...more: string[]) => {
      const timeoutMs = Math.max(1, started + withinMs - Date.now());
      this.stack.forget();
      return terraform(this.stack.dir, ['destroy', ...more, '-auto-approve', '-input=false', '-no-color', ...args], this.stack.env, { timeoutMs, killSignal: 'SIGINT' }).finally(() => this.stack.forget());
    };
    let output = '';
    try {
      try {
        output += (await destroy(...DESTROY_FIRST)).stdout;
      } catch (error) {
        // The emulator refused to revoke a rule the state holds (seen once on a busy machine; see
        // lostRevoke). The full destroy below refreshes the state first, so a rule that really
        // still exists is destroyed (or fails) there, and a rule that is gone is dropped.
        const message = error instanceof Error ? error.message : String(error);
        if (!lostRevoke(message)) throw error;
        process.stderr.write('emulator quirk: revoking the egress rule was refused with "InvalidPermission.NotFound"; the full destroy refreshes the state and goes on\n');
        output += message;
      }
      output += (await destroy()).stdout;
    } catch (error) {
      if (Date.now() - started < withinMs) throw error;
      throw new Error(`terraform destroy did not finish within ${withinMs / 1000} s (interrupted)\n${(error as Error).message.slice(-3000)}`);
    }
    return { removed, seconds: (Date.now() - started) / 1000, output };
  }

  /**
   * A cluster as RDS describes it, the way the runner is told of it: "<Endpoint>:<Port>=<master
   * secret ARN>". Without `identifier`: the one cluster the module created (named with the prefix).
   */
  async clusterEndpoint(identifier?: string): Promise<string> {
    const { DBClusters } = (await this.aws.cli('rds', 'describe-db-clusters')) as {
      DBClusters: { DBClusterIdentifier: string; Endpoint: string; Port: number; MasterUserSecret?: { SecretArn: string } }[];
    };
    const ours = DBClusters.filter((cluster) => (identifier === undefined ? cluster.DBClusterIdentifier.startsWith(`${this.prefix}-`) : cluster.DBClusterIdentifier === identifier));
    expect(ours).toHaveLength(1);
    return `${ours[0].Endpoint}:${ours[0].Port}=${ours[0].MasterUserSecret?.SecretArn ?? 'no secret'}`;
  }

  /**
   * Where terraform apply tells the runner each database is: its settings parameter (host, port
   * and secret_id, as "host:port=secret") and every --db-endpoint of the document (the same form).
   * (The harness then sends the runner to the local servers with FLYWAY_RUNNER_DB_ENDPOINT, so no
   * run reads these.)
   */
  async endpointsForTheRunner(): Promise<{ settings: Record<string, string>; document: string[] }> {
    const outputs = await this.outputs();
    const settings: Record<string, string> = {};
    for (const key of Object.keys(outputs.buckets).sort()) {
      const { Parameter } = (await this.aws.cli('ssm', 'get-parameter', '--name', `${outputs.config_prefix}/databases/${key}`)) as { Parameter: { Value: string } };
      const { host, port, secret_id: secret, tenants } = JSON.parse(Parameter.Value) as { host: string; port: number; secret_id: string; tenants?: unknown };
      // A tenant group names its clusters' endpoints per cluster (tenant-groups tests read those).
      if (tenants === undefined) settings[key] = `${host}:${port}=${secret}`;
    }
    const document = (await this.aws.cli('ssm', 'get-document', '--name', outputs.document_name, '--document-format', 'JSON')) as { Content: string };
    const [step] = renderCommand(parseCommandDocument(document.Content), { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:00.000Z'] }).steps;
    const endpoints = [...step.script.matchAll(/--db-endpoint '([^']*)'/g)].map((match) => match[1]);
    if (endpoints.length === 0) throw new Error(`the document's script passes no --db-endpoint:\n${step.script}`);
    return { settings, document: endpoints };
  }

  /** Rows of a query in a database, as the master user; columns separated by `|`. */
  async query(database: string, sql: string): Promise<string[]> {
    if (this.master === undefined) throw new Error('connect() first');
    const result = this.engine === 'postgresql' ? await psql(this.master, database, sql) : await mariadb(this.master, database, sql);
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/\t/g, '|'));
  }

  async columns(database: string, table: string): Promise<string[]> {
    const schema = this.engine === 'postgresql' ? 'public' : database;
    return this.query(
      database,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
    );
  }

  async tags(bucket: string, key: string, versionId: string | undefined): Promise<Record<string, string>> {
    const { TagSet = [] } = await this.aws.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return Object.fromEntries(TagSet.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  }

  async stop(): Promise<void> {
    await this.harness?.close();
    this.aws.destroy();
    await Promise.all([this.moto.stop(), this.server.stop()]);
    this.stack.remove();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Flyway's checksum of a SQL migration: CRC32 of its UTF-8 lines without line breaks (and BOM), as a signed int. */
export function flywayChecksum(text: string): number {
  const crc = crc32(Buffer.from(text.replace(/^\uFEFF/, '').replace(/\r\n|\r|\n/g, ''), 'utf8'));
  return crc | 0;
}

/** What flyway_schema_history must hold for a folder of versioned migrations: version|description|script|checksum|success. */
export function expectedHistory(dir: string, success: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^V\d+__.+\.sql$/.test(name))
    .sort((a, b) => Number(/^V(\d+)/.exec(a)?.[1]) - Number(/^V(\d+)/.exec(b)?.[1]))
    .map((name) => {
      const [, version, description] = /^V(\d+)__(.+)\.sql$/.exec(name) ?? [];
      return [version, description.replace(/_/g, ' '), name, flywayChecksum(readFileSync(join(dir, name), 'utf8')), success].join('|');
    });
}

/** Fails with the command's output (the harness record) unless it ran to Success with a runner summary that is not "failed". */
export function expectCommandSucceeded(record: CommandRecord): void {
  if (record.status === 'Success' && record.summary !== null && record.summary.status !== 'failed') return;
  throw new Error(
    `command ${record.commandId} (${JSON.stringify(record.parameters)}) ${record.status}${record.error === undefined ? '' : `: ${record.error}`}\n` +
      `--- stdout (end)\n${record.stdout.slice(-4000)}\n--- stderr (end)\n${record.stderr.slice(-2000)}`,
  );
}

/** Every upload's version is tagged with the id of the command its own invocation sent. */
export async function expectTaggedWithCommands(world: World, burst: Burst): Promise<void> {
  for (const delivery of burst.deliveries) {
    const records = (delivery.invocation.event as { Records: { s3: { object: { versionId?: string } } }[] }).Records;
    for (const record of records) {
      const upload = burst.uploads.find((u) => u.object.versionId === record.s3.object.versionId);
      expect(upload).toBeDefined();
      const tags = await world.tags(upload!.object.bucket, upload!.object.key, upload!.object.versionId);
      expect(tags).toEqual({ 'flyway-command-id': delivery.invocation.commandIds[0] });
    }
  }
}
