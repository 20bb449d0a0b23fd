// `npm run demo`: emulator + database server, terraform apply of the real module, the sample
// migrations uploaded and migrated through the whole chain, terraform destroy, everything
// stopped. With --keep the stack stays up for `scripts/demo upload` / `scripts/demo down`.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseServer } from '../../support/database-server';
import { describeLeftovers, inventoryLeftovers } from '../../support/leftovers';
import { prepareLocalStack } from '../../support/local-stack';
import { startMariadb } from '../../support/mariadb';
import { startMoto, type MotoServer } from '../../support/moto';
import { startPostgres } from '../../support/postgres';
import { PROJECT_ROOT } from '../../support/terraform';
import { awsClients } from '../aws';
import { runClient } from '../client';
import { adjustBucketPoliciesForEmulator } from '../emulator-quirks';
import { Harness } from '../harness';
import { appliedIamOfStack } from '../iam-check';
import { type HostFlyway, warmHostFlyway } from '../host-flyway';
import { adoptMasterLogin, readMasterLogin } from '../master-login';
import type { DemoEngine } from './args';
import { destroyOnEmulator } from './destroy';
import { onInterrupt } from './interrupt';
import { formatDuration } from './report';
import { showAndJudge, type BurstOutcome, type Out } from './show';
import { demoDir, readKeptStack, statePath, writeKeptStack, type KeptStack } from './state';
import { runTerraform } from './terraform-run';

export const NAME_PREFIX = 'demo';
export const DATABASES = ['users', 'products'] as const;
/** A tenant group of three tenant databases on the demo's cluster: one push migrates all three. */
const GROUP = 'tenants';
const GROUP_TENANTS = ['acme', 'globex', 'initech'];
const TOTAL_STEPS = 9;

const ENGINES = {
  postgresql: { terraform: 'aurora-postgresql', label: 'PostgreSQL', start: startPostgres, command: 'postgres', stopSignal: 'SIGINT' },
  mysql: { terraform: 'aurora-mysql', label: 'MariaDB', start: startMariadb, command: 'mariadbd', stopSignal: 'SIGTERM' },
} as const;

export interface Outputs {
  buckets: Record<string, string>;
  instance_id: string;
  document_name: string;
  master_user_secret_arn: string;
  trigger_function_name: string;
  artifacts_bucket_name: string;
}

/** What to type next when the stack is kept: commands that work as printed. */
export function keepInstructions(state: KeptStack): string[] {
  const database = 'users' in state.outputs.buckets ? 'users' : Object.keys(state.outputs.buckets)[0];
  const bucket = state.outputs.buckets[database];
  const aws = `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --endpoint-url ${state.moto.endpoint} --region ${state.awsEnv.AWS_REGION}`;
  const { host, port, user } = state.database;
  const client = state.engine === 'postgresql' ? `psql -h ${host} -p ${port} -U ${user} ${database}` : `mariadb -h ${host} -P ${port} -u ${user} -p ${database}`;
  return [
    `The stack stays up (--keep); its state: ${statePath()}`,
    '  upload more (S3 event -> Lambda -> Run Command -> runner -> Flyway; prints the outcome):',
    `    printf '%s\\n' 'ALTER TABLE persons ADD COLUMN phone VARCHAR(32);' > /tmp/V3__add_phone.sql`,
    `    scripts/demo upload ${database} /tmp/V3__add_phone.sql`,
    '  look around in the emulator, e.g. the uploaded object versions:',
    `    ${aws} s3api list-object-versions --bucket ${bucket}`,
    `  the database, with the master login from Secrets Manager:`,
    `    ${aws} secretsmanager get-secret-value --secret-id '${state.outputs.master_user_secret_arn}' --query SecretString --output text`,
    `    ${client}`,
    '  show the stack again:  scripts/demo status',
    `  tear down (terraform destroy, stop the emulator and ${ENGINES[state.engine].label}):`,
    '    scripts/demo down',
  ];
}

export async function up(options: { keep: boolean; engine: DemoEngine; startedAt: number }, out: Out): Promise<number> {
  const engine = ENGINES[options.engine];
  let step = 1;
  let label = 'setup';
  const start = (n: number, text: string) => {
    step = n;
    label = text;
    out(`[demo ${n}/${TOTAL_STEPS}] ${text}`);
  };
  if (options.keep && readKeptStack() !== undefined) {
    out(`A kept demo stack exists already (${statePath()}): use it (scripts/demo status) or tear it down first (scripts/demo down).`);
    return 1;
  }
  const workDir = options.keep ? demoDir() : mkdtempSync(join(tmpdir(), 'aurora-flyway-demo-'));
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, 'terraform.log');
  let moto: MotoServer | undefined;
  let server: DatabaseServer | undefined;
  let harness: Harness | undefined;
  const stopServices = async () => {
    await Promise.all([server?.stop(), moto?.stop()]);
  };
  // Until a kept stack is recorded, an interrupted run must not leave its services behind.
  onInterrupt(stopServices);

  try {
    start(2, `starting the AWS emulator (moto) and ${engine.label}; the host's Flyway (install-flyway, cached)`);
    let flyway: HostFlyway;
    [moto, server, flyway] = await Promise.all([startMoto({ keep: options.keep }), engine.start({ keep: options.keep }), warmHostFlyway()]);
    out(`  moto ${moto.endpoint} (pid ${moto.pid}), ${engine.label} ${server.host}:${server.port} (pid ${server.pid}), host's Flyway in ${flyway.prefix}`);
    const stack = prepareLocalStack(
      moto.awsEnv,
      { name_prefix: NAME_PREFIX, engine: engine.terraform, tenant_groups: JSON.stringify({ [GROUP]: { tenants: GROUP_TENANTS.map((name) => ({ name })) } }) },
      { dir: join(workDir, 'stack') },
    );

    start(3, 'terraform init + apply of the root module on the emulator (about a minute)');
    out(`  configuration: ${stack.dir} (test/fixtures/local-stack: endpoint overrides there, not in the module); log: ${logFile}`);
    await runTerraform(stack.dir, ['init', '-input=false', '-no-color'], stack.env, logFile, out, 'created');
    const applied = await runTerraform(stack.dir, ['apply', '-auto-approve', '-input=false', '-no-color'], stack.env, logFile, out, 'created');
    const outputs = (await stack.outputs()) as unknown as Outputs;
    out(`  ${applied.done} resources in ${formatDuration(applied.seconds * 1000)}: function ${outputs.trigger_function_name}, document ${outputs.document_name}, host ${outputs.instance_id}`);
    out(`  buckets: ${Object.entries(outputs.buckets).map(([key, bucket]) => `${key}=s3://${bucket}`).join(', ')}`);
    const state: KeptStack = {
      version: 1,
      startedAt: new Date(options.startedAt).toISOString(),
      engine: options.engine,
      namePrefix: NAME_PREFIX,
      awsEnv: moto.awsEnv,
      moto: { pid: moto.pid, workDir: moto.workDir, endpoint: moto.endpoint, commandContains: 'moto_server', stopSignal: 'SIGTERM' },
      database: { pid: server.pid, workDir: server.workDir, host: server.host, port: server.port, user: server.user, caFile: server.caFile, commandContains: engine.command, stopSignal: engine.stopSignal },
      stackDir: stack.dir,
      terraformEnv: stack.env,
      logFile,
      harnessDir: join(workDir, 'harness'),
      outputs: {
        buckets: outputs.buckets,
        instance_id: outputs.instance_id,
        document_name: outputs.document_name,
        master_user_secret_arn: outputs.master_user_secret_arn,
        artifacts_bucket_name: outputs.artifacts_bucket_name,
      },
    };

    start(4, `the cluster's master login (the RDS-managed secret) made to work on ${engine.label}; the emulator's bucket policies`);
    const aws = awsClients(moto.awsEnv);
    try {
      server = await adoptMasterLogin(server, options.engine, await readMasterLogin(aws, outputs.master_user_secret_arn));
      out(`  ${engine.label} accepts the login from ${outputs.master_user_secret_arn} (password not shown)`);
      const removed = await adjustBucketPoliciesForEmulator(aws, [...Object.values(outputs.buckets), outputs.artifacts_bucket_name]);
      if (removed.length > 0) {
        out(`  emulator quirk: moto cannot evaluate the TLS-only condition (aws:SecureTransport) and would deny every object request;`);
        out(`  removed in the emulator only: ${removed.join(', ')} (AWS enforces it; see test/harness/emulator-quirks.ts)`);
      }
    } finally {
      aws.destroy();
    }
    state.database.user = server.user;
    if (options.keep) {
      writeKeptStack(state);
      onInterrupt(undefined);
    }
    // The applied policies decide whether a failure notification may be published (test/harness/notifications.ts).
    const appliedPolicies = appliedIamOfStack(stack.dir, stack.env, moto.region);
    // Read on the first failed command only; a failure to read it is reported there, not here.
    appliedPolicies.catch(() => undefined);
    harness = await Harness.create({ awsEnv: moto.awsEnv, stateDir: state.harnessDir, instanceId: outputs.instance_id, dbEndpoint: `${server.host}:${server.port}`, dbCaFile: server.caFile, appliedIam: () => appliedPolicies });

    const outcomes: Record<string, BurstOutcome> = {};
    for (const [index, database] of DATABASES.entries()) {
      const bucket = outputs.buckets[database];
      start(5 + index, `aurora-flyway push ${database} migrations/${database} (lint, upload to s3://${bucket}, wait for the database's result)`);
      const pushed = await runClient(harness, NAME_PREFIX, ['push', database, join(PROJECT_ROOT, 'migrations', database)]);
      for (const line of `${pushed.stderr}${pushed.stdout}`.trimEnd().split('\n')) out(`  aurora-flyway> ${line}`);
      outcomes[database] = await showAndJudge(out, harness, outputs.document_name, database, harness.takeObservedBurst());
      if (pushed.code !== 0) outcomes[database].problems.push(`aurora-flyway push exited ${pushed.code}`);
      outcomes[database].ok &&= pushed.code === 0;
      if (!outcomes[database].ok) throw new Error(outcomes[database].problems.join('; '));
    }
    start(7, `aurora-flyway push ${GROUP} migrations/users: one upload to the tenant group migrates its ${GROUP_TENANTS.length} tenant databases (${GROUP_TENANTS.join(', ')})`);
    const grouped = await runClient(harness, NAME_PREFIX, ['push', GROUP, join(PROJECT_ROOT, 'migrations', 'users')]);
    for (const line of `${grouped.stderr}${grouped.stdout}`.trimEnd().split('\n')) out(`  aurora-flyway> ${line}`);
    harness.takeObservedBurst();
    if (grouped.code !== 0) throw new Error(`aurora-flyway push ${GROUP} exited ${grouped.code}`);
    const versions = DATABASES.map((database) => `${database} at schema version ${outcomes[database].schemaVersion ?? '?'}`).join(', ') + `, ${GROUP_TENANTS.length} tenants of ${GROUP} migrated`;
    const runs = DATABASES.map((database) => outcomes[database].migrateRuns).reduce((a, b) => a + b, 0);

    if (options.keep) {
      await harness.close();
      keepInstructions(state).forEach(out);
      out(`demo succeeded in ${formatDuration(Date.now() - options.startedAt)}: ${versions} (${runs} flyway migrate runs); the stack is kept`);
      return 0;
    }

    start(8, 'terraform destroy (about 2 minutes), then a check that the emulator holds nothing of the module');
    const buckets = [...Object.values(outputs.buckets), outputs.artifacts_bucket_name];
    const destroyed = await destroyOnEmulator({ stackDir: stack.dir, terraformEnv: stack.env, awsEnv: moto.awsEnv, buckets, logFile }, out);
    const left = await inventoryLeftovers(moto.awsEnv, NAME_PREFIX);
    out(`  ${destroyed.done} resources destroyed in ${formatDuration(destroyed.seconds * 1000)}; emulator: ${describeLeftovers(left)}`);
    if (describeLeftovers(left) !== 'nothing left') throw new Error(`terraform destroy ${describeLeftovers(left)}`);

    start(9, `stopping the emulator and ${engine.label}`);
    await harness.close();
    await stopServices();
    rmSync(workDir, { recursive: true, force: true });
    out(`demo succeeded in ${formatDuration(Date.now() - options.startedAt)}: ${versions} (${runs} flyway migrate runs); destroy left nothing; no process left running`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    out(`ERROR at step ${step}/${TOTAL_STEPS} (${label}): ${message}`);
    await harness?.close();
    if (options.keep) {
      if (readKeptStack() === undefined) {
        await stopServices();
      } else {
        out('The stack is kept for inspection (--keep); tear it down with: scripts/demo down');
      }
    } else {
      // The emulator holds everything in memory: stopping it removes every resource too.
      await stopServices();
      out(`Stopped the emulator and ${engine.label}. Terraform log and harness records: ${workDir}`);
    }
    out(`demo FAILED after ${formatDuration(Date.now() - options.startedAt)} at step ${step}/${TOTAL_STEPS}: ${label}`);
    return 1;
  }
}
