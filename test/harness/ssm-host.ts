// Plays the SSM agent on the Flyway host: takes a command the emulator recorded (ListCommands),
// fetches the document Terraform created (GetDocument), validates and substitutes its parameters
// as Systems Manager does, and runs each aws:runShellScript step the way amazon-ssm-agent does:
// - the script is written to the command's orchestration directory
//   (/var/lib/amazon/ssm/<instance>/document/orchestration/<command>/<step>/_script.sh) and started
//   with `sh -c <script>` as the leader of a process group of its own, from the agent's working
//   directory (/usr/bin, the WorkingDirectory of its systemd unit) unless the step names one;
// - in the agent's environment (agentEnvironment): the PATH systemd gives the service, no HOME,
//   the AWS_SSM_* variables and SSM_COMMAND_ID the agent adds, and nothing of this process;
// - the role's credentials come from the instance metadata service (instance-metadata.ts), not
//   from variables;
// - at most CommandWorkersLimit (5) commands run at once; the rest wait in arrival order;
// - at the step's timeoutSeconds the whole process group is killed (SIGKILL, exit code 137,
//   status TimedOut), as executers_unix.go killProcess does.
// The instance's paths are this harness's directories, bind-mounted in a mount namespace per
// script (host-root.ts). What cannot be the instance's (the emulator's endpoint, the metadata
// service's, the local database server and its CA) is listed in agentEnvironment and the README.
// Like the agent, the harness streams each step's output to the command's CloudWatch Logs group
// (for real, against the emulator) and declares the message calls the emulator lacks.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { GetDocumentCommand, ListCommandsCommand, type Command } from '@aws-sdk/client-ssm';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients, AwsEnv } from './aws';
import { HOST_ACCESS_KEY_ID, type DeclaredCall } from './iam-check';
import { hostPaths, INSTANCE_PATHS, namespaceCommand, type HostRoot } from './host-root';
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
  /** The instance's file system for this harness (host-root.ts); its caFile stands in for the RDS CA bundle the runner carries. */
  root: HostRoot;
  /** The instance metadata service the scripts get the role's credentials from (instance-metadata.ts). */
  metadataEndpoint: string;
  /** The agent's command workers on this host (commandWorkers). */
  workers: CommandWorkers;
  /** Resolves once the agent takes commands again (a command that waited for a worker while the host powered off runs after its boot). */
  untilOnline?: () => Promise<void>;
}

/** amazon-ssm-agent's CommandWorkersLimit default (agent/appconfig/constants.go): the commands it runs at once. */
export const COMMAND_WORKERS_LIMIT = 5;

/** The agent's pool of command workers: `run` waits for a free one, in arrival order (the agent's job queue is a channel). */
export interface CommandWorkers {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** How many commands run now, and how many wait for a worker. */
  readonly busy: number;
  readonly waiting: number;
}

export function commandWorkers(limit = COMMAND_WORKERS_LIMIT): CommandWorkers {
  let busy = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    // The worker goes straight to the first one waiting, so a later arrival can never overtake it.
    if (next === undefined) busy -= 1;
    else next();
  };
  return {
    async run(task) {
      if (busy < limit) busy += 1;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    get busy() {
      return busy;
    },
    get waiting() {
      return queue.length;
    },
  };
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

export { hostPaths };

/**
 * The agent's PATH on Amazon Linux 2023: the unit (packaging/linux/amazon-ssm-agent.service) sets
 * no Environment=, so the agent and its workers have what systemd gives every system service, its
 * default PATH on a merged-/usr system (systemd's DEFAULT_PATH). The tools the user data installs
 * are found in it at their AL2023 paths (/usr/bin: node, java, flock, psql, mariadb, tar, curl;
 * /usr/local/bin: the flyway link install-flyway makes, and here the AWS CLI stand-in, see host-root.ts).
 */
export const AGENT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

/** The variables that differ from the instance's because this machine is not one; each says why (see also the README). */
export function localOnlyVariables(options: Pick<HostOptions, 'awsEnv' | 'metadataEndpoint' | 'dbEndpoint' | 'root'>): Record<string, string> {
  return {
    // The emulator (through the call recorder) instead of the regional endpoints.
    AWS_ENDPOINT_URL: options.awsEnv.AWS_ENDPOINT_URL ?? '',
    // The harness's metadata service instead of 169.254.169.254, which it cannot serve per harness.
    AWS_EC2_METADATA_SERVICE_ENDPOINT: options.metadataEndpoint,
    // The local database server instead of the emulator's made-up cluster endpoint, and its test CA
    // instead of the Amazon RDS bundle the runner carries.
    FLYWAY_RUNNER_DB_ENDPOINT: options.dbEndpoint,
    FLYWAY_RUNNER_CA_BUNDLE: options.root.caFile,
    // The instance runs Node.js 22; this machine's Node.js 20 would make the SDK warn on stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * The environment the agent gives a script (executers.go prepareEnvironment): its own, which is
 * systemd's for a system service (PATH, LANG from /etc/locale.conf; no HOME, USER or SHELL: the
 * unit sets no User=), plus the variables it adds for every command; then the local-only ones.
 */
export function agentEnvironment(options: Pick<HostOptions, 'awsEnv' | 'metadataEndpoint' | 'dbEndpoint' | 'root' | 'instanceId'>, commandId: string): NodeJS.ProcessEnv {
  return {
    PATH: AGENT_PATH,
    LANG: 'C.UTF-8',
    AWS_SSM_INSTANCE_ID: options.instanceId,
    AWS_SSM_REGION_NAME: options.awsEnv.AWS_REGION ?? '',
    AWS_SSM_PLATFORM_NAME: 'Amazon Linux',
    AWS_SSM_PLATFORM_VERSION: '2023',
    SSM_COMMAND_ID: commandId,
    ...localOnlyVariables(options),
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

/** What the agent reports for a command it stopped (appconfig CommandStoppedPreemptivelyExitCode: 128 + SIGKILL). */
export const STOPPED_PREEMPTIVELY_EXIT_CODE = 137;

/** The agent's working directory: its unit's WorkingDirectory (a step without workingDirectory runs there). */
const AGENT_WORKING_DIRECTORY = '/usr/bin';

/** Where the agent keeps a command's step (mdsinteractor.go, messageutil.go): <data>/<instance>/document/orchestration/<command>/<step>. */
function orchestrationDir(instanceId: string, commandId: string, step: string): string {
  return join(INSTANCE_PATHS.agentData, instanceId, 'document', 'orchestration', commandId, step);
}

/** The step's working directory as runscript.go chooses it: an absolute one as it is, a relative one under the command's downloads if it exists, else the agent's. */
function workingDirectory(root: HostRoot, step: ShellStep, orchestration: string): string {
  if (step.workingDirectory === undefined || step.workingDirectory === '') return AGENT_WORKING_DIRECTORY;
  if (isAbsolute(step.workingDirectory)) return step.workingDirectory;
  const downloads = join(orchestration, '..', 'downloads', step.workingDirectory);
  return existsSync(root.outside(downloads)) ? downloads : AGENT_WORKING_DIRECTORY;
}

function runStep(step: ShellStep, root: HostRoot, orchestration: string, env: NodeJS.ProcessEnv): Promise<StepOutcome> {
  const dir = root.outside(orchestration);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '_script.sh'), step.script);
  chmodSync(join(dir, '_script.sh'), 0o700);
  const { command, args } = namespaceCommand(root, workingDirectory(root, step, orchestration), join(orchestration, '_script.sh'));
  return new Promise((resolve, reject) => {
    // unshare and the mounting shell exec into `sh -c <script>`: one process, the group's leader.
    const child = spawn(command, args, { cwd: '/', env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const group = child.pid;
    if (group !== undefined) runningGroups.add(group);
    const timer = setTimeout(() => {
      timedOut = true;
      // The agent does not ask first: SIGKILL to the whole group (killProcess, executers_unix.go).
      try {
        if (group !== undefined) process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }, step.timeoutSeconds * 1000);
    // A process that left the group (setsid) may still hold the output pipes; the agent stops
    // reading at the timeout, so the harness does too, shortly after the group is gone.
    child.on('exit', () => {
      if (timedOut) setTimeout(() => (child.stdout.destroy(), child.stderr.destroy()), 1_000).unref();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start the step ${step.name}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (group !== undefined) runningGroups.delete(group);
      writeFileSync(join(dir, 'stdout'), stdout);
      writeFileSync(join(dir, 'stderr'), stderr);
      const exitCode = timedOut ? STOPPED_PREEMPTIVELY_EXIT_CODE : (code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
      resolve({ exitCode, timedOut, stdout, stderr });
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

/**
 * Runs one command the emulator recorded, as the agent on the instance would; returns its final
 * record. It waits for one of the agent's command workers first: until then it has no record, and
 * Run Command lists it as Pending.
 */
export function runCommandOnHost(options: HostOptions, commandId: string): Promise<CommandRecord> {
  return options.workers.run(async () => {
    await options.untilOnline?.();
    return runOnWorker(options, commandId);
  });
}

async function runOnWorker(options: HostOptions, commandId: string): Promise<CommandRecord> {
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

  const env = agentEnvironment(options, commandId);
  // Without a group name the agent uses /aws/ssm/<document> (messageutil.go).
  const output = command.CloudWatchOutputConfig ?? options.sentRequest(commandId)?.CloudWatchOutputConfig;
  const cloudWatch =
    output?.CloudWatchOutputEnabled === true ? (output.CloudWatchLogGroupName ?? `/aws/ssm/${record.documentName.replace(/[^\w./#-]/g, '.')}`) : undefined;
  for (const step of steps) {
    const outcome = await runStep(step, options.root, orchestrationDir(options.instanceId, commandId, step.name), env);
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
