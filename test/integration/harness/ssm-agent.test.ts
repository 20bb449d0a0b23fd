// The harness runs the host's commands as amazon-ssm-agent runs them on the instance: in the
// agent's bare environment (no HOME), with the instance profile's credentials from the instance
// metadata service (IMDSv2: a token or nothing), at most five commands at once with the rest
// Pending in arrival order, and the whole process group killed at the document's executionTimeout.
// Each document here is a probe for one of these; the e2e tests run the module's own document.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDocumentCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsClients, type AwsClients } from '../../harness/aws';
import { Harness } from '../../harness/harness';
import { HOST_ACCESS_KEY_ID } from '../../harness/iam-check';
import { listCommandRecords, type CommandRecord } from '../../harness/records';
import { AGENT_PATH, COMMAND_WORKERS_LIMIT, STOPPED_PREEMPTIVELY_EXIT_CODE } from '../../harness/ssm-host';
import { startMoto, type MotoServer } from '../../support/moto';
import { PROJECT_ROOT } from '../../support/terraform';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(300_000);

const ROLE = 'itest-flyway-host-role';
const PROFILE = 'itest-flyway-host';

/** A Command document like AWS-RunShellScript: one shell step, its timeout the executionTimeout parameter. */
async function createDocument(aws: AwsClients, name: string, lines: string[], executionTimeout = '3600'): Promise<string> {
  const content = {
    schemaVersion: '2.2',
    description: `harness probe ${name}`,
    parameters: { executionTimeout: { type: 'String', default: executionTimeout, allowedPattern: '^[0-9]+$' } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'probe', inputs: { timeoutSeconds: '{{ executionTimeout }}', runCommand: lines } }],
  };
  await aws.ssm.send(new CreateDocumentCommand({ Name: name, DocumentType: 'Command', DocumentFormat: 'JSON', Content: JSON.stringify(content) }));
  return name;
}

/** An instance like the module's host: an instance profile with one role, IMDSv2 only, tags in its metadata. */
async function launchHost(aws: AwsClients): Promise<string> {
  const assume = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await aws.cli('iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', assume);
  await aws.cli('iam', 'create-instance-profile', '--instance-profile-name', PROFILE);
  await aws.cli('iam', 'add-role-to-instance-profile', '--instance-profile-name', PROFILE, '--role-name', ROLE);
  const images = (await aws.cli('ec2', 'describe-images', '--owners', 'amazon')) as { Images: { ImageId: string }[] };
  const launched = (await aws.cli(
    'ec2',
    'run-instances',
    '--image-id',
    images.Images[0]?.ImageId ?? '',
    '--instance-type',
    't4g.small',
    '--count',
    '1',
    '--iam-instance-profile',
    `Name=${PROFILE}`,
    '--metadata-options',
    'HttpTokens=required,HttpEndpoint=enabled,InstanceMetadataTags=enabled',
    '--tag-specifications',
    'ResourceType=instance,Tags=[{Key=FlywayHostIdleStopMinutes,Value=15}]',
  )) as { Instances: { InstanceId: string }[] };
  return launched.Instances[0]?.InstanceId ?? '';
}

/** Whether a process still runs (a zombie waiting for its reaper does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the SSM agent the harness plays', () => {
  let moto: MotoServer;
  let aws: AwsClients;
  let harness: Harness;
  let stateDir: string;
  let instanceId: string;

  beforeAll(async () => {
    moto = await startMoto();
    aws = awsClients(moto.awsEnv);
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-agent-'));
    const caFile = join(stateDir, 'ca.pem');
    writeFileSync(caFile, 'not a certificate: no database is reached here\n');
    instanceId = await launchHost(aws);
    harness = await Harness.create({ awsEnv: moto.awsEnv, stateDir: join(stateDir, 'harness'), instanceId, dbEndpoint: '127.0.0.1:9', dbCaFile: caFile });
  });
  afterAll(async () => {
    await harness?.close();
    aws?.destroy();
    await moto?.stop();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  it("gives a script the agent's environment: systemd's PATH, no HOME, the AWS_SSM_* variables, the agent's working directory, the instance's tools", async () => {
    const document = await createDocument(aws, 'probe-environment', [
      '#!/bin/bash',
      'env | sort',
      'echo "cwd: $(pwd)"',
      'echo "sh: $(sh -c \'echo "${BASH_VERSION:-not bash}"\')"',
      'for tool in aws node flock java psql mariadb curl tar; do echo "tool $tool=$(command -v "$tool")"; done',
    ]);
    const record = await harness.sendCommand(document, {});
    expect(record.status).toBe('Success');
    const variables = Object.fromEntries(
      record.stdout
        .split('\n')
        .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    // bash's own (PWD, SHLVL, _) and nothing else of this machine.
    expect(Object.keys(variables).sort()).toEqual(
      [
        'AWS_EC2_METADATA_SERVICE_ENDPOINT',
        'AWS_ENDPOINT_URL',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
        'AWS_SSM_INSTANCE_ID',
        'AWS_SSM_PLATFORM_NAME',
        'AWS_SSM_PLATFORM_VERSION',
        'AWS_SSM_REGION_NAME',
        'FLYWAY_RUNNER_CA_BUNDLE',
        'FLYWAY_RUNNER_DB_ENDPOINT',
        'LANG',
        'PATH',
        'PWD',
        'SHLVL',
        'SSM_COMMAND_ID',
        '_',
      ].sort(),
    );
    expect(variables).toMatchObject({ PATH: AGENT_PATH, AWS_SSM_INSTANCE_ID: instanceId, SSM_COMMAND_ID: record.commandId, PWD: '/usr/bin' });
    expect(record.stdout).toContain('cwd: /usr/bin\n');
    // AL2023's sh is bash.
    expect(record.stdout).toMatch(/^sh: \d+\.\d+/m);
    // Where the user data's packages put them on AL2023; aws is the CLI stand-in in the instance's /usr/local/bin (host-root.ts).
    expect(record.stdout).toContain('tool aws=/usr/local/bin/aws\n');
    for (const tool of ['node', 'flock', 'java', 'psql', 'mariadb', 'curl', 'tar']) expect(record.stdout).toContain(`tool ${tool}=/usr/bin/${tool}\n`);
  });

  it('fails a script that needs HOME, as the instance does (bash: HOME: unbound variable; cd: HOME not set)', async () => {
    const unbound = await harness.sendCommand(await createDocument(aws, 'probe-home-unbound', ['#!/bin/bash', 'set -euo pipefail', 'mkdir -p "$HOME/.cache/flyway-runner"', 'echo cached']), {});
    expect(unbound.status).toBe('Failed');
    expect(unbound.stderr).toMatch(/HOME: unbound variable/);
    expect(unbound.stdout).not.toContain('cached');
    const tilde = await harness.sendCommand(await createDocument(aws, 'probe-home-cd', ['#!/bin/bash', 'set -e', 'cd', 'echo "in $(pwd)"']), {});
    expect(tilde.status).toBe('Failed');
    expect(tilde.stderr).toMatch(/cd: HOME not set/);
  });

  it("gets the role's credentials from the instance metadata service, with a token only, and the recorder sees the host's key", async () => {
    const endpoint = '"$AWS_EC2_METADATA_SERVICE_ENDPOINT"';
    const sdk = join(PROJECT_ROOT, 'node_modules', '@aws-sdk', 'client-s3');
    const document = await createDocument(aws, 'probe-credentials', [
      '#!/bin/bash',
      'set -euo pipefail',
      `echo "without a token: $(curl -s -o /dev/null -w '%{http_code}' ${endpoint}latest/meta-data/iam/security-credentials/)"`,
      `token="$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' ${endpoint}latest/api/token)"`,
      `echo "role: $(curl -sf -H "X-aws-ec2-metadata-token: $token" ${endpoint}latest/meta-data/iam/security-credentials/)"`,
      `echo "idle tag: $(curl -sf -H "X-aws-ec2-metadata-token: $token" ${endpoint}latest/meta-data/tags/instance/FlywayHostIdleStopMinutes)"`,
      // As the module's document does: the region is the script's own, not the agent's.
      `export AWS_REGION=${moto.region}`,
      'echo "cli: $(aws s3api list-buckets --query "length(Buckets)" --output text)"',
      `node -e 'const { S3Client, ListBucketsCommand } = require(process.argv[1]); new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({})).then((r) => console.log("sdk:", (r.Buckets ?? []).length))' ${sdk}`,
    ]);
    const before = harness.metadata.requests.length;
    const record = await harness.sendCommand(document, {});
    expect(record.stderr).toBe('');
    expect(record.status).toBe('Success');
    expect(record.stdout).toContain('without a token: 401\n');
    expect(record.stdout).toContain(`role: ${ROLE}\n`);
    expect(record.stdout).toContain('idle tag: 15\n');
    expect(record.stdout).toMatch(/^cli: \d+$/m);
    expect(record.stdout).toMatch(/^sdk: \d+$/m);
    const asked = harness.metadata.requests.slice(before);
    // curl, the CLI and the SDK each asked for a token, and the CLI and the SDK for the role's keys with it.
    expect(asked.filter((request) => request.method === 'PUT' && request.status === 200).length).toBeGreaterThanOrEqual(3);
    expect(asked.filter((request) => request.path.endsWith(`/security-credentials/${ROLE}`) && request.withToken && request.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(asked.filter((request) => !request.withToken && request.method === 'GET').every((request) => request.status === 401)).toBe(true);
    const listings = harness.calls().recorded.filter((call) => call.service === 's3' && call.method === 'GET' && new URL(call.url, 'http://local').pathname === '/');
    expect(listings.map((call) => call.accessKeyId)).toEqual([HOST_ACCESS_KEY_ID, HOST_ACCESS_KEY_ID]);
  });

  it(`runs at most ${COMMAND_WORKERS_LIMIT} commands at once: the sixth and seventh stay Pending and start in the order they came`, async () => {
    const document = await createDocument(aws, 'probe-workers', ['#!/bin/bash', 'sleep 3']);
    // Sent one after the other by an operator's tools (the harness runs what it sees sent).
    const ssm = new SSMClient({ endpoint: harness.uploaderEnv().AWS_ENDPOINT_URL, region: moto.region, credentials: { accessKeyId: harness.uploaderEnv().AWS_ACCESS_KEY_ID ?? '', secretAccessKey: 'x' } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < COMMAND_WORKERS_LIMIT + 2; i += 1) {
        const sent = await ssm.send(new SendCommandCommand({ DocumentName: document, InstanceIds: [instanceId] }));
        ids.push(sent.Command?.CommandId ?? '');
      }
      const mine = () => listCommandRecords(harness.stateDir).filter((record) => ids.includes(record.commandId));
      await waitFor('five commands to run', () => mine().filter((record) => record.status === 'InProgress').length === COMMAND_WORKERS_LIMIT);
      expect(mine().map((record) => record.commandId).sort()).toEqual(ids.slice(0, COMMAND_WORKERS_LIMIT).sort());
      for (const waiting of ids.slice(COMMAND_WORKERS_LIMIT)) {
        const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: waiting, InstanceId: instanceId }));
        expect(listed.CommandInvocations?.map((invocation) => invocation.Status)).toEqual(['Pending']);
      }
      await harness.settled();
      const records = new Map(mine().map((record): [string, CommandRecord] => [record.commandId, record]));
      expect(ids.map((id) => records.get(id)?.status)).toEqual(ids.map(() => 'Success'));
      const first = ids.slice(0, COMMAND_WORKERS_LIMIT).map((id) => Date.parse(records.get(id)?.finishedAt ?? ''));
      const [sixth, seventh] = ids.slice(COMMAND_WORKERS_LIMIT).map((id) => Date.parse(records.get(id)?.startedAt ?? ''));
      // Each waited for a worker to come free, the sixth before the seventh.
      expect(sixth).toBeGreaterThanOrEqual(Math.min(...first));
      expect(seventh).toBeGreaterThanOrEqual(sixth ?? 0);
      expect(seventh).toBeGreaterThanOrEqual([...first].sort((a, b) => a - b)[1] ?? 0);
    } finally {
      ssm.destroy();
    }
  });

  it("kills the whole process group at the document's executionTimeout (SIGKILL, no trap runs): TimedOut, exit code 137", async () => {
    const document = await createDocument(
      aws,
      'probe-timeout',
      [
        '#!/bin/bash',
        "trap 'echo trapped TERM' TERM",
        'sleep 300 &',
        'echo "child $!"',
        // A grandchild that ignores SIGTERM: only a kill of the group with SIGKILL ends it.
        "bash -c 'trap \"\" TERM; echo \"grandchild $$\"; exec sleep 301' &",
        'wait',
      ],
      '2',
    );
    const record = await harness.sendCommand(document, {});
    expect(record.status).toBe('TimedOut');
    expect(record.exitCode).toBe(STOPPED_PREEMPTIVELY_EXIT_CODE);
    expect(record.stdout).not.toContain('trapped');
    // The agent does not wait for anyone to end itself.
    expect(record.durationMs).toBeLessThan(5_000);
    const pids = [...record.stdout.matchAll(/^(?:child|grandchild) (\d+)$/gm)].map((match) => Number(match[1]));
    expect(pids).toHaveLength(2);
    await waitFor('the killed processes to be gone', () => pids.every((pid) => !running(pid)), 5_000);
  });
});
