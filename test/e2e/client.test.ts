// The uploader's client, aurora-flyway (the committed bin), against the local stack: the module
// applied on the emulator, the harness playing S3 -> Lambda and the SSM agent for the client's
// own uploads and commands (as AWS would), the real runner and Flyway on a real PostgreSQL. The
// client talks to AWS only through the SDK, exactly as on AWS: it finds the pipeline in Parameter
// Store, follows runs through the outcome record, Run Command and CloudWatch Logs.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { folderFiles, type Harness } from '../harness/harness';
import { buildS3Event } from '../harness/s3-event';
import { runClient } from '../harness/client';
import { BASH_SHELL, parseAction, planSteps } from '../harness/github-action';
import { trackedFiles } from '../support/repository';
import { run } from '../support/run';
import { PROJECT_ROOT } from '../support/terraform';
import { CALLED_ON_EVERY_RUN, migrationsDir, World } from './support';

jest.setTimeout(1_200_000);

const PREFIX = 'e2ecl';

describe('aurora-flyway against the local stack (PostgreSQL)', () => {
  let world: World;
  let harness: Harness;
  const work = mkdtempSync(join(tmpdir(), 'aurora-flyway-client-'));

  const client = (...args: string[]) => runClient(harness, PREFIX, args);

  const folder = (name: string, files: Record<string, string>, from?: string): string => {
    const dir = join(work, name);
    if (from !== undefined) cpSync(from, dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    return dir;
  };

  beforeAll(async () => {
    world = await World.start('postgresql', PREFIX);
    await world.applyNew();
    harness = await world.connect();
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('push uploads new migrations, waits for the run and exits 0 with the result', async () => {
    const result = await client('push', 'users', migrationsDir('users'));
    expect(result.stderr).toContain('command ');
    expect(result.stdout).toMatch(/upload-new +V1__create_table_persons\.sql/);
    expect(result.stdout).toContain('users: migrated, 2 migration(s) applied (V1, V2), schema version none -> 2');
    expect(result.code).toBe(0);
    expect(await world.columns('users', 'persons')).toContain('email');
  });

  it('push of the same files uploads nothing, and exits 0 because the pass that covered them succeeded', async () => {
    const result = await client('push', 'users', migrationsDir('users'));
    expect(result.stdout).toContain('nothing new to push: users is migrated to these files (schema version 2');
    expect(result.stdout).not.toMatch(/^upload/m);
    expect(result.code).toBe(0);
  });

  it('push --dry-run shows what it would upload and uploads nothing', async () => {
    const next = folder('dry-run', { 'V3__add_phone.sql': 'ALTER TABLE persons ADD COLUMN phone VARCHAR(32);\n' }, migrationsDir('users'));
    const result = await client('push', '--dry-run', 'users', next);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^upload-new +V3__add_phone\.sql$/m);
    const listed = (await world.aws.cli('s3api', 'list-objects-v2', '--bucket', (await world.outputs()).buckets.users)) as { Contents: { Key: string }[] };
    expect(listed.Contents.map((object) => object.Key)).not.toContain('V3__add_phone.sql');
  });

  it('push refuses a changed, already uploaded version before uploading anything (exit 5)', async () => {
    const changed = folder('changed', { 'V1__create_table_persons.sql': 'CREATE TABLE persons (id int);\n' }, migrationsDir('users'));
    const before = (await world.aws.cli('s3api', 'list-object-versions', '--bucket', (await world.outputs()).buckets.users)) as { Versions: unknown[] };
    const result = await client('push', 'users', changed);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('refused: V1__create_table_persons.sql differ(s) from the version already in');
    expect(result.stderr).toContain('Flyway stores each applied migration\'s checksum');
    const after = (await world.aws.cli('s3api', 'list-object-versions', '--bucket', (await world.outputs()).buckets.users)) as { Versions: unknown[] };
    expect(after.Versions).toHaveLength(before.Versions.length);
  });

  it('push of a migration that fails in the database exits 1 and prints the database\'s message', async () => {
    const broken = folder('broken', { 'V3__persons_need_a_city.sql': "ALTER TABLE persons ALTER COLUMN city SET NOT NULL;\nINSERT INTO persons (id, last_name, first_name) VALUES (1, 'Doe', 'Jane');\n" }, migrationsDir('users'));
    const result = await client('push', 'users', broken);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('users: FAILED');
    expect(result.stdout).toMatch(/null value in column "city"/);
    expect(await world.query('users', 'SELECT max(version::int) FROM flyway_schema_history WHERE success')).toEqual(['2']);
  });

  it('run info prints the schema history and exits 0', async () => {
    const result = await client('run', 'users', 'info');
    expect(result.stdout).toMatch(/^ +V1 +create table persons +Success /m);
    expect(result.stdout).toMatch(/^ +V3 +persons need a city +Pending/m);
    expect(result.stdout).toMatch(/users info: command \S+ Success, runner success/);
    expect(result.code).toBe(0);
  });

  it('status shows each database\'s last pass', async () => {
    const result = await client('status');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^DATABASE +LAST PASS +ACTION +STATUS +SCHEMA VERSION/m);
    expect(result.stdout).toMatch(/^products +never/m);
    expect(result.stdout).toMatch(/^users +\S+ +migrate +failed +2 /m);
    const json = JSON.parse((await client('--json', 'status', 'users')).stdout) as { database: string; outcome: { status: string } }[];
    expect(json).toMatchObject([{ database: 'users', outcome: { status: 'failed' } }]);
  });

  it('finds the pipeline from terraform output as well (--terraform-dir)', async () => {
    const result = await runClient(harness, { terraformDir: world.stack.dir }, ['status', 'users']);
    expect(result.stdout).toMatch(/^users +\S+ +migrate +failed +2 /m);
    expect(result.code).toBe(0);
  });

  it('logs shows the runner\'s output of the latest runs, from CloudWatch Logs', async () => {
    const result = await client('logs', 'users', '--limit', '2');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/=== command \S+ \(info, requested /);
    expect(result.stdout).toContain('flyway-runner:');
  });

  it('replay re-drives an event from the trigger\'s failure queue, deletes it, and the database ends migrated', async () => {
    const outputs = await world.outputs();
    // An upload whose event Lambda gave up on: stored without a notification, its event in the
    // on-failure queue in the form Lambda's destination sends.
    const uploads = [];
    for (const file of folderFiles(migrationsDir('products'))) uploads.push(await harness.upload(outputs.buckets.products, file.key, file.body));
    const event = buildS3Event(uploads.map((upload) => harness.s3Record(upload)));
    const queueUrl = String((await world.stack.outputs()).trigger_failure_queue_url);
    const sqs = new SQSClient({ endpoint: world.moto.awsEnv.AWS_ENDPOINT_URL, region: world.moto.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ version: '1.0', requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: event }) }));
    sqs.destroy();

    const result = await client('replay');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/re-driven, products -> command \S+; deleted from the queue/);
    expect(await world.columns('products', 'products')).toContain('sku');
    const again = await client('replay');
    expect(again.stdout).toContain('the failure queue is empty');
  });

  it('the GitHub Action\'s own steps, run in a clean copy of the repository, install the client and push (exit 0)', async () => {
    // The repository as `uses: <owner>/<repo>@<ref>` fetches it: the tracked files only, no
    // node_modules; the job's workspace holds the user's migrations (README, "Push from CI").
    const actionPath = join(work, 'action');
    for (const file of trackedFiles()) {
      mkdirSync(dirname(join(actionPath, file)), { recursive: true });
      if (existsSync(join(PROJECT_ROOT, file))) cpSync(join(PROJECT_ROOT, file), join(actionPath, file));
    }
    const workspace = join(work, 'workspace');
    folder(join('workspace', 'db', 'products'), { 'V3__add_stock.sql': 'ALTER TABLE products ADD COLUMN stock integer NOT NULL DEFAULT 0;\n' }, migrationsDir('products'));
    const emptyDir = (name: string) => {
      mkdirSync(join(work, name), { recursive: true });
      return join(work, name);
    };
    const uploader = harness.uploaderEnv();
    const steps = planSteps(parseAction(readFileSync(join(actionPath, 'action.yml'), 'utf8')), {
      'name-prefix': PREFIX,
      database: 'products',
      directory: 'db/products',
      'aws-region': uploader.AWS_REGION,
      timeout: '300',
    });
    // Node.js 20 is this runner's own (setup-node's job); no role to assume: the job's credentials.
    expect(steps.filter((step) => step.kind === 'uses').map((step) => [step.uses, step.runs])).toEqual([
      ['actions/setup-node@v4', true],
      ['aws-actions/configure-aws-credentials@v4', false],
    ]);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
    const home = emptyDir('runner-home');
    const npmConfig = (key: string) => execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
    // What a GitHub-hosted runner gives a step: a PATH with node, HOME, GITHUB_* and the job's
    // env (here the AWS settings a configure-aws-credentials step would export, and the
    // emulator's endpoint through the harness). npm uses this machine's cache and registry
    // settings, as setup-node's cache and registry-url would.
    const jobEnv: Record<string, string> = {
      PATH: [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: home,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: emptyDir('runner-temp'),
      npm_config_cache: npmConfig('cache'),
      npm_config_userconfig: npmConfig('userconfig'),
      // How this machine trusts its registry's TLS (without it npm retries for minutes, then installs from its cache).
      ...Object.fromEntries(['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : []))),
      AWS_REGION: uploader.AWS_REGION,
      AWS_ACCESS_KEY_ID: uploader.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: uploader.AWS_SECRET_ACCESS_KEY,
      AWS_ENDPOINT_URL: uploader.AWS_ENDPOINT_URL,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const outputs: string[] = [];
    for (const [index, step] of steps.entries()) {
      if (step.kind !== 'run' || !step.runs) continue;
      const script = join(jobEnv.RUNNER_TEMP, `step-${index}.sh`);
      writeFileSync(script, step.script);
      const [shell, ...shellArgs] = BASH_SHELL;
      const stepStarted = Date.now();
      const result = await run(shell, [...shellArgs, script], { cwd: workspace, env: { ...jobEnv, ...step.env }, timeoutMs: 600_000 });
      outputs.push(`--- ${step.name} (exit ${result.code}, ${((Date.now() - stepStarted) / 1000).toFixed(1)} s)\n${result.stdout}\n${result.stderr}`);
      if (result.code !== 0) throw new Error(`the action's step "${step.name}" failed:\n${outputs.join('\n')}`);
    }
    await harness.settled();
    const all = outputs.join('\n');
    console.log(`the action's steps:\n${all}`);
    expect(all).toMatch(/^upload-new +V3__add_stock\.sql$/m);
    expect(all).toContain('products: migrated');
    expect(existsSync(join(actionPath, 'node_modules', 'squawk-cli'))).toBe(true);
    expect(existsSync(join(actionPath, 'node_modules', 'typescript'))).toBe(false);
    expect(await world.columns('products', 'products')).toContain('stock');
  });

  it('made only calls AWS would allow, the client\'s own with the module\'s uploader_policy_json', async () => {
    await world.expectEveryCallAllowed([
      ...CALLED_ON_EVERY_RUN,
      'ssm:GetParametersByPath',
      'ssm:GetCommandInvocation',
      'ssm:ListCommands',
      'logs:GetLogEvents',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
    ]);
  });

  it('explains a database that does not exist and a pipeline that does not exist (exit 3)', async () => {
    const unknownDatabase = await client('status', 'orders');
    expect(unknownDatabase.code).toBe(3);
    expect(unknownDatabase.stderr).toContain('has no database orders (it has: products, users)');
    const unknownPipeline = await runClient(harness, 'nosuch', ['status']);
    expect(unknownPipeline.code).toBe(3);
    expect(unknownPipeline.stderr).toContain('no pipeline at /nosuch/flyway');
    expect(unknownPipeline.stderr).not.toMatch(/^\s+at /m);
  });
});
