// Plays the SSM agent on the Flyway host: takes a command the emulator recorded (ListCommands),
// fetches the document Terraform created (GetDocument), validates and substitutes its parameters
// as Systems Manager does, and runs each aws:runShellScript step the way the agent does (the
// script written to a file in the command's orchestration directory, started with `sh -c`, killed
// at the step's timeoutSeconds). Output and status go to the harness's records.
//
// The "host" is this machine, set up like the module's user data sets up the instance: Java, the
// AWS CLI, jq, flock and the database clients on PATH. The document's own directories (runner,
// Flyway) are redirected into the state dir or a cache with the overrides the document reads. The
// AWS CLI talks to the emulator, with the host's own access keys through the harness's call
// recorder. Like the agent, the harness streams each step's output to the command's CloudWatch
// Logs group (for real, against the emulator) and declares the message calls the emulator lacks.
// FLYWAY_RUNNER_DB_ENDPOINT sends the runner to the local
// database server instead of the emulator's made-up cluster endpoint.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetDocumentCommand, ListCommandsCommand, type Command } from '@aws-sdk/client-ssm';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { toolEnv } from '../support/toolchain';
import type { AwsClients, AwsEnv } from './aws';
import { HOST_ACCESS_KEY_ID, type DeclaredCall } from './iam-check';
import type { HostFlyway } from './host-flyway';
import { type CommandRecord, type CommandStatus, writeCommandRecord } from './records';
import { countMigrateRuns, parseRunnerSummary } from '../../common/src/runner-output';
import { parseCommandDocument, renderCommand, type ShellStep } from './ssm-document';

export interface HostOptions {
  /** The harness's own clients (reading the command and its document, as the service would deliver them). */
  aws: AwsClients;
  /** The emulator as the host's role reaches it (through the call recorder). */
  awsEnv: AwsEnv;
  /** Records a call the agent makes that the harness does not send. */
  declare(call: DeclaredCall): void;
  /** The command's SendCommand request as the recorder saw it (the emulator drops CloudWatchOutputConfig). */
  sentRequest(commandId: string): { CloudWatchOutputConfig?: Command['CloudWatchOutputConfig'] } | undefined;
  /** The harness state directory (records, the host's directories). */
  stateDir: string;
  /** The instance this host is (the module's instance_id). */
  instanceId: string;
  /** host:port of the local database server. */
  dbEndpoint: string;
  /** The CA of the local server's certificate (stands in for the RDS CA bundle the runner carries). */
  dbCaFile: string;
  /** Where the document keeps (and on first use installs) Flyway (see host-flyway.ts). */
  flyway: HostFlyway;
}

/** The command as the emulator recorded it. ListCommands ignores its filters there, so pick by id. */
export async function readCommand(aws: AwsClients, commandId: string): Promise<Command> {
  let nextToken: string | undefined;
  do {
    const page = await aws.ssm.send(new ListCommandsCommand({ CommandId: commandId, NextToken: nextToken }));
    const found = (page.Commands ?? []).find((command) => command.CommandId === commandId);
    if (found !== undefined) return found;
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  throw new Error(`command ${commandId} is not known to the emulator (ListCommands)`);
}

async function readDocumentContent(aws: AwsClients, name: string, version: string | undefined): Promise<string> {
  const useVersion = version !== undefined && /^\d+$/.test(version) ? version : undefined;
  const document = await aws.ssm.send(new GetDocumentCommand({ Name: name, DocumentVersion: useVersion, DocumentFormat: 'JSON' }));
  if (document.Content === undefined) throw new Error(`document ${name} has no content`);
  return document.Content;
}

/** Host directories, as on the instance (/opt/flyway-runner, /var/lib/flyway-runner), under the state dir. */
export function hostPaths(stateDir: string): { root: string; installDir: string; runnerHome: string; orchestration: string; hostDir: string; readyFile: string } {
  const root = join(stateDir, 'host');
  return {
    root,
    installDir: join(root, 'opt', 'flyway-runner'),
    runnerHome: join(root, 'var', 'lib', 'flyway-runner'),
    orchestration: join(root, 'orchestration'),
    hostDir: join(root, 'var', 'lib', 'flyway-host'),
    readyFile: join(root, 'var', 'lib', 'flyway-host', 'ready'),
  };
}

/** The environment the agent gives a script on the host. */
export function hostEnvironment(options: HostOptions): NodeJS.ProcessEnv {
  const paths = hostPaths(options.stateDir);
  const { AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = options.awsEnv;
  return {
    PATH: toolEnv().PATH,
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    AWS_SSM_INSTANCE_ID: options.instanceId,
    AWS_SSM_REGION_NAME: AWS_REGION,
    AWS_ENDPOINT_URL,
    AWS_REGION,
    AWS_DEFAULT_REGION: AWS_REGION,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_EC2_METADATA_DISABLED: 'true',
    FLYWAY_RUNNER_INSTALL_DIR: paths.installDir,
    FLYWAY_RUNNER_HOME: paths.runnerHome,
    FLYWAY_INSTALL_PREFIX: options.flyway.prefix,
    FLYWAY_BIN_DIR: options.flyway.binDir,
    FLYWAY_HOST_DIR: paths.hostDir,
    FLYWAY_RUNNER_DB_ENDPOINT: options.dbEndpoint,
    FLYWAY_RUNNER_CA_BUNDLE: options.dbCaFile,
    // The instance runs Node.js 22; this machine's Node.js 20 would make the SDK warn on stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

// Scripts still running when this process exits are stopped with it (they run in their own
// process group so that a timeout can stop the whole tree).
const runningGroups = new Set<number>();

/** The process groups of the host's scripts running now (each script and everything it started: the runner, Flyway, the AWS CLI). */
export function hostProcessGroups(): ReadonlySet<number> {
  return runningGroups;
}
process.once('exit', () => {
  for (const pid of runningGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface StepOutcome {
  exitCode: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function runStep(step: ShellStep, dir: string, env: NodeJS.ProcessEnv): Promise<StepOutcome> {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, '_script.sh');
  writeFileSync(script, step.script);
  chmodSync(script, 0o700);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { cwd: step.workingDirectory ?? dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const group = child.pid;
    if (group !== undefined) runningGroups.add(group);
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (group !== undefined) process.kill(-group, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5_000).unref();
    }, step.timeoutSeconds * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start the step ${step.name}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (group !== undefined) runningGroups.delete(group);
      writeFileSync(join(dir, 'stdout'), stdout);
      writeFileSync(join(dir, 'stderr'), stderr);
      resolve({ exitCode: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), timedOut, stdout, stderr });
    });
  });
}

const AGENT = 'SSM agent';
const everything = (operation: string, action: string) => ({ operation, action, resource: '*', context: { 'aws:SecureTransport': 'true' } });

/**
 * What the agent calls when it starts (amazon-ssm-agent: health/healthcheck.go, association
 * service, session/controlchannel, runcommand/mds): it registers, looks for associations, opens
 * its control channel and polls for messages.
 */
export function agentRegistrationCalls(instance: string): DeclaredCall {
  const onInstance = (operation: string, action: string) => ({ ...everything(operation, action), resource: instance });
  return {
    by: { accessKeyId: HOST_ACCESS_KEY_ID },
    caller: AGENT,
    requests: [
      onInstance('ssm UpdateInstanceInformation', 'ssm:UpdateInstanceInformation'),
      onInstance('ssm ListInstanceAssociations', 'ssm:ListInstanceAssociations'),
      everything('ssmmessages CreateControlChannel', 'ssmmessages:CreateControlChannel'),
      everything('ssmmessages OpenControlChannel', 'ssmmessages:OpenControlChannel'),
      everything('ec2messages GetMessages', 'ec2messages:GetMessages'),
    ],
  };
}

/** How the agent receives a command and reports on it (runcommand/mds/service.go). */
const COMMAND_MESSAGE_CALLS: DeclaredCall = {
  by: { accessKeyId: HOST_ACCESS_KEY_ID },
  caller: AGENT,
  requests: ['GetMessages', 'AcknowledgeMessage', 'SendReply'].map((name) => everything(`ec2messages ${name}`, `ec2messages:${name}`)),
};

/** CloudWatch Logs takes at most 256 KiB per event. */
const MAX_EVENT_CHARS = 64 * 1024;

/**
 * Streams a step's output to the command's log group as the agent does (iohandler.go,
 * cloudwatchlogspublisher): create the group (if that is refused, look for it), create the
 * stream `<command>/<instance>/<step>/stdout|stderr` once there is output, ask for the stream,
 * then put the events. Unlike the agent, which gives up quietly, a refusal here fails the command.
 */
async function streamOutput(options: HostOptions, group: string, stream: string, output: string): Promise<void> {
  if (output === '') return;
  const logs = new CloudWatchLogsClient({
    endpoint: options.awsEnv.AWS_ENDPOINT_URL,
    region: options.awsEnv.AWS_REGION,
    credentials: { accessKeyId: options.awsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: options.awsEnv.AWS_SECRET_ACCESS_KEY },
  });
  try {
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceAlreadyExistsException') {
        const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
        if (!(found.logGroups ?? []).some((candidate) => candidate.logGroupName === group)) throw error;
      }
    }
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: stream }));
    const events = [];
    for (let at = 0; at < output.length; at += MAX_EVENT_CHARS) events.push({ timestamp: Date.now(), message: output.slice(at, at + MAX_EVENT_CHARS) });
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
  } finally {
    logs.destroy();
  }
}

/** Runs one command the emulator recorded, as the agent on the instance would; returns its final record. */
export async function runCommandOnHost(options: HostOptions, commandId: string): Promise<CommandRecord> {
  const command = await readCommand(options.aws, commandId);
  const started = Date.now();
  const record: CommandRecord = {
    commandId,
    instanceId: options.instanceId,
    documentName: command.DocumentName ?? '',
    ...(command.Comment ? { comment: command.Comment } : {}),
    requestedParameters: command.Parameters ?? {},
    parameters: {},
    status: 'InProgress',
    exitCode: null,
    stdout: '',
    stderr: '',
    summary: null,
    migrateRuns: 0,
    startedAt: new Date(started).toISOString(),
  };
  const finish = (status: CommandStatus, extra: Partial<CommandRecord> = {}): CommandRecord => {
    Object.assign(record, extra, { status, finishedAt: new Date().toISOString(), durationMs: Date.now() - started });
    record.summary = parseRunnerSummary(record.stdout) ?? null;
    record.migrateRuns = countMigrateRuns(record.stdout);
    writeCommandRecord(options.stateDir, record);
    return record;
  };

  if (!(command.InstanceIds ?? []).includes(options.instanceId)) {
    return finish('Failed', { error: `the command targets ${JSON.stringify(command.InstanceIds)}, not the host ${options.instanceId} that the harness plays` });
  }
  let steps: ShellStep[];
  try {
    const rendered = renderCommand(parseCommandDocument(await readDocumentContent(options.aws, record.documentName, command.DocumentVersion)), record.requestedParameters);
    record.parameters = rendered.parameters;
    steps = rendered.steps;
  } catch (error) {
    return finish('Failed', { error: `${(error as Error).name}: ${(error as Error).message}` });
  }
  writeCommandRecord(options.stateDir, record);
  options.declare(COMMAND_MESSAGE_CALLS);

  const env = hostEnvironment(options);
  // Without a group name the agent uses /aws/ssm/<document> (messageutil.go).
  const output = command.CloudWatchOutputConfig ?? options.sentRequest(commandId)?.CloudWatchOutputConfig;
  const cloudWatch =
    output?.CloudWatchOutputEnabled === true ? (output.CloudWatchLogGroupName ?? `/aws/ssm/${record.documentName.replace(/[^\w./#-]/g, '.')}`) : undefined;
  for (const step of steps) {
    const outcome = await runStep(step, join(hostPaths(options.stateDir).orchestration, commandId, step.name), env);
    record.stdout += outcome.stdout;
    record.stderr += outcome.stderr;
    if (cloudWatch !== undefined) {
      const streamPrefix = `${commandId}/${options.instanceId}/${step.name.replace(/[:*]/g, '-')}`;
      try {
        await streamOutput(options, cloudWatch, `${streamPrefix}/stdout`, outcome.stdout);
        await streamOutput(options, cloudWatch, `${streamPrefix}/stderr`, outcome.stderr);
      } catch (error) {
        return finish('Failed', { error: `the agent could not stream the output to ${cloudWatch}: ${(error as Error).name}: ${(error as Error).message}` });
      }
    }
    record.exitCode = outcome.exitCode;
    if (outcome.timedOut) return finish('TimedOut');
    if (outcome.exitCode !== 0) return finish('Failed');
  }
  return finish('Success');
}
