// The local harness: plays the two parts of the pipeline that only AWS can play, against the
// emulator, and nothing else.
//   S3 -> Lambda:  an upload becomes the event notification S3 sends; the deployed function's
//                  handler runs with the environment Terraform configured (lambda.ts).
//   SSM agent:     each command the handler sent runs on the "host" (ssm-host.ts).
// The trigger and the host reach the emulator through a recording proxy, each with access keys of
// its own, so that the e2e tests can check every call against the role that makes it on AWS
// (iam-check.ts); calls the harness plays without sending them are declared alongside.
// Everything in between is real: the module's resources in the emulator, the deployed Lambda
// package, the document's content, the runner, Flyway and the database server.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { awsClients, type AwsClients, type AwsEnv } from './aws';
import { commandInvocation, errorAnswer, invokeAnswer, jsonAnswer, listedInvocation } from './answers';
import { sendCommandRequest, startCallRecorder, type Answer, type CallRecorder, type IncomingCall, type RecordedCall } from './call-recorder';
import { HOST_ACCESS_KEY_ID, TRIGGER_ACCESS_KEY_ID, UPLOADER_ACCESS_KEY_ID, type AppliedIam, type DeclaredCall } from './iam-check';
import { instanceArn } from './iam-requests';
import { freshHostFlyway, warmHostFlyway } from './host-flyway';
import { invokeFunction, loadFunction, runtimeEnvironment, type DeployedFunction } from './lambda';
import { timeBundleCalls } from '../integration/lambda/invoke-bundle';
import { type CommandRecord, type InvocationRecord, listCommandRecords, readCommandRecord, writeInvocationRecord, writeUploadRecord } from './records';
import { buildS3Event, type S3EventRecord } from './s3-event';
import { s3Side, type S3Side, type Upload } from './s3-uploads';
import { agentRegistrationCalls, commandWorkers, hostPaths, runCommandOnHost, type HostOptions } from './ssm-host';
import { prepareHostRoot } from './host-root';
import { readInstanceMetadata, startInstanceMetadata, type MetadataService } from './instance-metadata';
import { HostPower, LOCAL_TIMINGS, type IdleStopOptions, type PowerTimings } from './host-power';
import { EventBridgePlay, type AwsEvent } from './eventbridge';
import { NotificationPlay, type InboxMessage } from './notifications';
import { AlarmPlay } from './alarms';
import { asyncPolicy, onFailureRecord, queueUrlOf, type EventInvokeConfig } from './lambda-async';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { listMultipartUploadsXml } from './emulator-quirks';

/**
 * Calls held back before they reach the emulator (a slow network, a slow client); see
 * Harness.holdCalls. The request is forwarded only after the hold, so what it reads or writes is
 * the emulator's state at that later moment.
 */
export interface HeldCalls {
  /** Whose calls: TRIGGER_ACCESS_KEY_ID, HOST_ACCESS_KEY_ID, UPLOADER_ACCESS_KEY_ID. */
  accessKeyId: string;
  service: string;
  matches(call: IncomingCall): boolean;
  /** How many matching calls to hold (Infinity: all of them until release()). */
  times: number;
  /** How long each is held; or, without it, until release(). */
  delayMs?: number;
  held: number;
  /** Resolves when the first matching call arrived (it is being held then). */
  arrived: Promise<void>;
  /** Lets every held call (and later ones) through at once. */
  release(): void;
}

/** A fault answered in place of AWS; see Harness.injectFault. */
export interface InjectedFault {
  /** Whose calls: TRIGGER_ACCESS_KEY_ID, HOST_ACCESS_KEY_ID, UPLOADER_ACCESS_KEY_ID. */
  accessKeyId: string;
  /** The signing name: s3, ssm, secretsmanager, ... */
  service: string;
  matches(call: IncomingCall): boolean;
  times: number;
  answer: Answer;
  injected: number;
}

export interface HarnessOptions {
  /** The emulator (MotoServer.awsEnv or the kept demo's). */
  awsEnv: AwsEnv;
  /** Records, the unpacked Lambda package and the host's directories go here. */
  stateDir: string;
  /** The Flyway host the harness plays (the module's instance_id output). */
  instanceId: string;
  /** host:port of the local database server that stands in for the cluster, or "<cluster host:port>=<host:port>,..." for several clusters (FLYWAY_RUNNER_DB_ENDPOINT). */
  dbEndpoint: string;
  /** The CA that signed the local server's TLS certificate (the RDS CA bundle's stand-in). */
  dbCaFile: string;
  /** The host's Flyway: 'warm' (default) already installed, in the toolchain cache; 'fresh': the first command installs it from the module's source. */
  flyway?: 'warm' | 'fresh';
  /** false: the host's first boot (user data) has not finished yet; see finishFirstBoot(). Default true. */
  booted?: boolean;
  /** Progress lines (what is happening right now). */
  progress?: (line: string) => void;
  /** How long the modeled instance takes to stop, boot and bring its agent online (default LOCAL_TIMINGS). */
  power?: Partial<PowerTimings>;
  /**
   * The waits before Lambda's retries of a failed asynchronous invocation. Lambda waits about
   * 1 and 2 minutes; the default here, 1 and 2 seconds, keeps the order of events and not the clock.
   */
  lambdaRetryDelaysMs?: readonly number[];
  /**
   * The policies AWS would hold after the apply (AppliedIam from `terraform show -json`), read
   * when a service is about to publish a notification: whether AWS would let it is decided by
   * them (notifications.ts). Without it nothing is published, and the notification records say so.
   */
  appliedIam?: () => Promise<AppliedIam>;
}

/** One event delivered to a function, and the commands it caused, as the host ran them. */
export interface Delivery {
  /** The last attempt: the one that succeeded, or the last that failed. */
  invocation: InvocationRecord;
  /** Every attempt: Lambda retries an asynchronous invocation that failed (see invokeAsync). */
  attempts: InvocationRecord[];
  /** Where Lambda put the event after its retries failed: the on-failure queue's message, or "dropped". */
  afterRetries?: { destination: string; messageId?: string };
  commands: CommandRecord[];
}

/** What a set of uploads caused. */
export interface Burst {
  uploads: Upload[];
  deliveries: Delivery[];
  commands: CommandRecord[];
}

/** At most this many invocations at once here (a local cap for a 2-core machine; Lambda itself would run more, the module reserves no concurrency). */
const MAX_CONCURRENT_INVOCATIONS = 5;

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** The files of a folder (not recursive), sorted by name, as `aws s3 cp --recursive` would upload them. */
export function folderFiles(dir: string): { key: string; body: Buffer }[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ key: name, body: readFileSync(join(dir, name)) }));
}

/** The account moto puts everything in, whatever the access keys. */
const MOTO_ACCOUNT = '123456789012';

/** The emulator's environment for one part of the pipeline: through the recorder, with that part's access keys. */
function actorEnv(awsEnv: AwsEnv, recorder: CallRecorder, accessKeyId: string): AwsEnv {
  return { ...awsEnv, AWS_ENDPOINT_URL: recorder.endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: 'harness-only' };
}

export class Harness {
  private readonly invocations = limiter(MAX_CONCURRENT_INVOCATIONS);
  /** The instance's power states, its boot and its idle stop (see host-power.ts). */
  power!: HostPower;
  /** EventBridge's routing of the events AWS emits (the emulator's matcher, on copies of the applied rules). */
  private eventBridge!: EventBridgePlay;
  /** Run Command's status-change events, the failure notification's publish, and the inbox subscribed to the topics. */
  private notifications!: NotificationPlay;
  /** The applied CloudWatch alarms, evaluated when what they watch changes (the on-failure queue). */
  private alarms!: AlarmPlay;

  private constructor(
    readonly options: HarnessOptions,
    readonly aws: AwsClients,
    private readonly s3: S3Side,
    private readonly host: HostOptions,
    private readonly recorder: CallRecorder,
    /** Calls the harness plays for AWS's own parts (the SSM agent) without sending them to the emulator. */
    private readonly declared: DeclaredCall[],
    /** The host's instance metadata service (instance-metadata.ts): its requests show where the host's credentials came from. */
    readonly metadata: MetadataService,
  ) {}

  static async create(options: HarnessOptions): Promise<Harness> {
    mkdirSync(options.stateDir, { recursive: true });
    const aws = awsClients(options.awsEnv);
    // The hooks need the harness, which needs the recorder: they are bound once it exists.
    let self: Harness | undefined;
    const recorder = await startCallRecorder(aws.env.AWS_ENDPOINT_URL, {
      answer: async (call) => self?.answer(call),
      observe: (call) => self?.observe(call),
    });
    // --- The host as the SSM agent runs it (ssm-host.ts): the instance's paths in a mount namespace
    // (host-root.ts), its metadata service handing out the host role's keys (instance-metadata.ts),
    // the agent's command workers.
    const hostEnv = actorEnv(options.awsEnv, recorder, HOST_ACCESS_KEY_ID);
    const [flyway, identity] = await Promise.all([
      options.flyway === 'fresh' ? freshHostFlyway(hostPaths(options.stateDir).root) : warmHostFlyway(),
      readInstanceMetadata(aws, options.instanceId),
    ]);
    // Fails loudly, before the metadata service starts, when this machine cannot give scripts a mount namespace.
    const root = prepareHostRoot(options.stateDir, flyway, options.dbCaFile);
    const metadata = await startInstanceMetadata(identity, { accessKeyId: HOST_ACCESS_KEY_ID, secretAccessKey: hostEnv.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: 'harness-session-token' });
    const declared: DeclaredCall[] = [];
    const host: HostOptions = {
      aws,
      awsEnv: hostEnv,
      declare: (call) => declared.push(call),
      sentRequest: (commandId) => sendCommandRequest(recorder.calls, commandId),
      stateDir: options.stateDir,
      instanceId: options.instanceId,
      dbEndpoint: options.dbEndpoint,
      root,
      metadataEndpoint: metadata.endpoint,
      workers: commandWorkers(),
      untilOnline: async () => self?.power.untilDeliverable(),
    };
    // --- end of the host's wiring
    const harness = new Harness(options, aws, s3Side(aws), host, recorder, declared, metadata);
    self = harness;
    harness.power = new HostPower(aws, options.instanceId, options.stateDir, (event) => harness.deliverEvent(event), (line) => harness.say(line), { ...LOCAL_TIMINGS, ...options.power });
    harness.eventBridge = new EventBridgePlay(options.awsEnv);
    harness.notifications = new NotificationPlay({
      env: options.awsEnv,
      stateDir: options.stateDir,
      eventBridge: harness.eventBridge,
      ...(options.appliedIam === undefined ? {} : { appliedIam: options.appliedIam }),
      declare: (call) => declared.push(call),
      say: (line) => harness.say(line),
    });
    await harness.notifications.subscribe();
    harness.alarms = new AlarmPlay(aws, harness.notifications, MOTO_ACCOUNT, (line) => harness.say(line));
    if (options.booted !== false) harness.finishFirstBoot();
    return harness;
  }

  /** What the end of the module's user data does: the host's software is installed (the ready file), and its agent registers. */
  finishFirstBoot(): void {
    this.declared.push(agentRegistrationCalls(instanceArn(this.scope(), this.options.instanceId)));
    const { readyFile } = hostPaths(this.options.stateDir);
    mkdirSync(dirname(readyFile), { recursive: true });
    writeFileSync(readyFile, '');
  }

  get stateDir(): string {
    return this.options.stateDir;
  }

  private say(line: string): void {
    this.options.progress?.(line);
  }

  /** Read back at every delivery, as Lambda does: a terraform apply may have changed the environment since. */
  private deployed(functionArn: string): Promise<DeployedFunction> {
    return loadFunction(this.aws, functionArn, this.options.stateDir);
  }

  /** Stores an object; S3 has not notified anyone yet (see deliver). */
  async upload(bucket: string, key: string, body: string | Buffer): Promise<Upload> {
    return this.recordUpload(await this.s3.put(bucket, key, body));
  }

  private recordUpload(upload: Upload): Upload {
    const { bucket, key, versionId, eventName, eventTime } = upload.object;
    writeUploadRecord(this.stateDir, { bucket, key, versionId: versionId ?? null, eventName, at: eventTime, notifies: upload.targets.length });
    return upload;
  }

  /**
   * Sends the uploads' event to each function their bucket notifies, as ONE event holding all
   * their records (S3 itself sends one record per event: use uploadBurst for that), then runs
   * the commands the function sent, concurrently, as the host would.
   */
  async deliver(uploads: readonly Upload[]): Promise<Delivery[]> {
    const byTarget = new Map<string, { target: Upload['targets'][number]; uploads: Upload[] }>();
    for (const upload of uploads) {
      for (const target of upload.targets) {
        const id = `${target.functionArn} ${target.configurationId}`;
        const entry = byTarget.get(id) ?? { target, uploads: [] };
        entry.uploads.push(upload);
        byTarget.set(id, entry);
      }
    }
    return Promise.all(
      [...byTarget.values()].map(async ({ target, uploads: batch }) => {
        const event = buildS3Event(batch.map((upload) => this.s3.record(upload, target)));
        return this.invokeAsync(target.functionArn, event, batch.map((upload) => upload.object.key).join(', '));
      }),
    );
  }

  /**
   * Calls the trigger `calls` times with the upload's event in one warm process (as Lambda reuses an
   * execution environment) and returns each call's milliseconds. The commands it sends are left to
   * the emulator: the host does not run them (for measuring the handler only).
   */
  async timeWarmTrigger(upload: Upload, calls: number): Promise<number[]> {
    const record = this.s3Record(upload);
    const fn = await this.deployed(upload.targets[0]?.functionArn ?? '');
    this.hostTakesTriggerCommands = false;
    try {
      return await timeBundleCalls(fn.bundlePath, buildS3Event([record]), runtimeEnvironment(fn, actorEnv(this.options.awsEnv, this.recorder, TRIGGER_ACCESS_KEY_ID)), calls);
    } finally {
      this.hostTakesTriggerCommands = true;
    }
  }

  /** The record S3 sends for an upload to the first function its bucket notifies (for events built by hand). */
  s3Record(upload: Upload): S3EventRecord {
    const [target] = upload.targets;
    if (target === undefined) throw new Error(`s3://${upload.object.bucket}/${upload.object.key} notifies no function`);
    return this.s3.record(upload, target);
  }

  /**
   * Uploads files one after the other, as `aws s3 cp --recursive` does, and delivers each
   * upload's event as soon as it is stored (one event per object, as S3 sends them), so that
   * invocations and host commands overlap like in AWS.
   */
  async uploadBurst(bucket: string, files: readonly { key: string; body: string | Buffer }[]): Promise<Burst> {
    const uploads: Upload[] = [];
    const pending: Promise<Delivery[]>[] = [];
    for (const file of files) {
      const upload = await this.upload(bucket, file.key, file.body);
      this.say(`uploaded s3://${bucket}/${file.key} (version ${upload.object.versionId ?? 'none'}, ${upload.object.size} bytes)`);
      uploads.push(upload);
      pending.push(this.deliver([upload]));
    }
    const deliveries = (await Promise.all(pending)).flat();
    return { uploads, deliveries, commands: deliveries.flatMap((delivery) => delivery.commands) };
  }

  /** Uploads every file of a folder as one burst (see uploadBurst). */
  uploadFolder(bucket: string, dir: string): Promise<Burst> {
    return this.uploadBurst(bucket, folderFiles(dir));
  }

  /** Runs a command the emulator holds on the host and records it. */
  async runCommand(commandId: string): Promise<CommandRecord> {
    // Run Command holds the command (Pending, then Delayed) until the host's agent is online.
    this.pending.add(commandId);
    try {
      if (!this.power.deliverable()) this.say(`command ${commandId} waits: the host is ${this.power.instanceState} and its agent offline`);
      await this.power.untilDeliverable();
      this.say(`host ${this.options.instanceId} runs command ${commandId}`);
      const record = await runCommandOnHost(this.host, commandId);
      this.say(`command ${commandId}: ${record.status}${record.summary ? ` (runner: ${record.summary.status})` : ''}`);
      // Run Command's status changes go to EventBridge (a command refused at SendCommand has none).
      if (record.error === undefined) {
        await this.notifications.commandReached(record, 'InProgress', record.startedAt, this.scope());
        await this.notifications.commandReached(record, record.status, record.finishedAt ?? new Date().toISOString(), this.scope());
      }
      return record;
    } finally {
      this.pending.delete(commandId);
    }
  }

  /**
   * Invokes the trigger asynchronously with any event, as a service would (S3, EventBridge), and
   * runs the commands it sent; see invokeAsync.
   */
  invokeWith(functionArn: string, event: unknown): Promise<Delivery> {
    return this.invokeAsync(functionArn, event, 'a hand-made event');
  }

  /**
   * One asynchronous invocation as Lambda makes it: the deployed code is read back, and when the
   * function fails, Lambda retries it (as often as its event invoke configuration says, after
   * lambdaRetryDelaysMs) and then sends the record of the last attempt to the on-failure
   * destination, with the function's execution role (the trigger's keys, so the IAM check covers
   * it); without a destination the event is dropped. Runs every command any attempt sent.
   */
  private async invokeAsync(functionArn: string, event: unknown, what: string): Promise<Delivery> {
    const env = actorEnv(this.options.awsEnv, this.recorder, TRIGGER_ACCESS_KEY_ID);
    const attempts: InvocationRecord[] = [];
    const running: Promise<CommandRecord>[] = [];
    const delays = this.options.lambdaRetryDelaysMs ?? [1_000, 2_000];
    let policy: ReturnType<typeof asyncPolicy> | undefined;
    for (;;) {
      const fn = await this.deployed(functionArn);
      const invocation = await this.invocations(() => invokeFunction(fn, event, env));
      writeInvocationRecord(this.stateDir, invocation);
      attempts.push(invocation);
      const attempt = attempts.length === 1 ? '' : ` (retry ${attempts.length - 1})`;
      this.say(`lambda ${fn.name} ${invocation.ok ? 'succeeded' : `failed (${invocation.error?.name})`}${attempt} for ${what}: ${invocation.commandIds.length} command(s) sent`);
      running.push(...invocation.commandIds.map((commandId) => this.triggerCommand(commandId)));
      if (invocation.ok) break;
      // Read only once an invocation failed: the happy path costs no call.
      policy ??= asyncPolicy((await this.aws.cli('lambda', 'get-function-event-invoke-config', '--function-name', fn.arn).catch(() => null)) as EventInvokeConfig | null);
      if (attempts.length > policy.retryAttempts) break;
      await new Promise((resolve) => setTimeout(resolve, delays[attempts.length - 1] ?? delays[delays.length - 1] ?? 0));
    }
    const last = attempts[attempts.length - 1] as InvocationRecord;
    const afterRetries = last.ok || policy === undefined ? undefined : await this.toOnFailureDestination(policy.onFailure, attempts, env);
    return { invocation: last, attempts, ...(afterRetries === undefined ? {} : { afterRetries }), commands: await Promise.all(running) };
  }

  private async toOnFailureDestination(destination: string | undefined, attempts: readonly InvocationRecord[], env: AwsEnv): Promise<{ destination: string; messageId?: string }> {
    if (destination === undefined) {
      this.say('lambda: retries exhausted and no on-failure destination: the event is dropped');
      return { destination: 'dropped' };
    }
    const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' } });
    try {
      const record = onFailureRecord(attempts[0]?.functionArn ?? '', attempts, new Date());
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrlOf(destination, env.AWS_ENDPOINT_URL ?? ''), MessageBody: JSON.stringify(record) }));
      this.say(`lambda: retries exhausted after ${attempts.length} attempts; the event is in ${destination} (message ${sent.MessageId ?? '?'})`);
      // The queue's alarm watches its visible messages.
      await this.alarms.evaluate();
      return { destination, ...(sent.MessageId === undefined ? {} : { messageId: sent.MessageId }) };
    } finally {
      sqs.destroy();
    }
  }

  /** Installs the host's idle stop (from its user data and tag) and runs its timer; see HostPower.enableIdleStop. */
  enableIdleStop(options: IdleStopOptions): Promise<void> {
    return this.power.enableIdleStop(options);
  }

  /**
   * Plays EventBridge for an event AWS emits (the instance's state change): every applied rule
   * whose pattern matches (the emulator's matcher, eventbridge.ts) invokes its function targets
   * asynchronously, as Lambda does, with the event.
   */
  async deliverEvent(event: AwsEvent): Promise<void> {
    for (const routed of await this.eventBridge.route(event)) {
      if (!routed.targetArn.includes(':lambda:')) throw new Error(`rule ${routed.ruleName} sends ${event['detail-type']} to ${routed.targetArn}, which the harness does not play`);
      await this.invokeAsync(routed.targetArn, JSON.parse(routed.input) as unknown, `the event ${event['detail-type']} (rule ${routed.ruleName})`);
    }
  }

  /** Every message the deployment's topics delivered to the harness's subscriber so far (what an e-mail subscriber would have got). */
  notificationsReceived(): Promise<InboxMessage[]> {
    return this.notifications.received();
  }

  /** What an operator does by hand: SendCommand with the module's document, then the host runs it. */
  async sendCommand(documentName: string, parameters: Record<string, string>, comment = 'sent by the local harness'): Promise<CommandRecord> {
    const sent = await this.aws.ssm.send(
      new SendCommandCommand({
        DocumentName: documentName,
        InstanceIds: [this.options.instanceId],
        Parameters: Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, [value]])),
        Comment: comment,
      }),
    );
    const commandId = sent.Command?.CommandId;
    if (commandId === undefined) throw new Error('SendCommand returned no command id');
    return this.runCommand(commandId);
  }

  /** Every command the harness ran in this state directory. */
  commands(): CommandRecord[] {
    return listCommandRecords(this.stateDir);
  }

  /**
   * The environment for an uploader's tools (the aurora-flyway client, the AWS CLI): through the
   * recorder, so that S3 notifies the trigger of their uploads and their commands run on the host,
   * as on AWS. Their calls are not checked against the module's roles (the uploader's permissions
   * are the user's own).
   */
  uploaderEnv(): AwsEnv {
    return actorEnv(this.options.awsEnv, this.recorder, UPLOADER_ACCESS_KEY_ID);
  }

  /** Background work started by uploaders' calls (deliveries, commands). */
  private readonly background = new Set<Promise<unknown>>();
  /** Commands an uploader sent that the host has not started yet. */
  private readonly pending = new Set<string>();
  /** The trigger's commands, run from the moment SendCommand answered (see observe). */
  private readonly startedByTrigger = new Map<string, Promise<CommandRecord>>();
  /** false while timeWarmTrigger measures the handler alone: its commands stay in the emulator. */
  private hostTakesTriggerCommands = true;

  /** A command the trigger sent: the run the host started when SendCommand answered, or a new one. */
  private triggerCommand(commandId: string): Promise<CommandRecord> {
    const started = this.startedByTrigger.get(commandId);
    this.startedByTrigger.delete(commandId);
    return started ?? this.runCommand(commandId);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: Error) => this.say(`harness: background work failed: ${error.message}`))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** Uploaders' uploads since the last takeObservedBurst(), with what they caused. */
  private observedBurst: Burst = { uploads: [], deliveries: [], commands: [] };

  /** What uploaders' uploads caused since the last call (after settled()): as uploadBurst reports it. */
  takeObservedBurst(): Burst {
    const burst = this.observedBurst;
    this.observedBurst = { uploads: [], deliveries: [], commands: [] };
    return burst;
  }

  /** Waits until everything uploaders' calls started has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Whether the host is a managed node of SSM (its agent registered); see deregisterHost. */
  private registered = true;

  /**
   * The host leaves SSM's managed nodes (deregistered, its registration lost, or an agent that
   * never registered): Run Command refuses commands for it with InvalidInstanceId, until
   * registerHost() (the agent registers again).
   */
  deregisterHost(): void {
    this.registered = false;
    this.say(`host ${this.options.instanceId} is no longer a managed node: SendCommand answers InvalidInstanceId`);
  }

  registerHost(): void {
    this.registered = true;
    this.declared.push(agentRegistrationCalls(instanceArn(this.scope(), this.options.instanceId)));
    this.say(`host ${this.options.instanceId} registered with SSM again`);
  }

  /** Faults a test injects (see injectFault). */
  private readonly faults: InjectedFault[] = [];
  /** When each multipart upload began, as the harness saw CreateMultipartUpload (moto reports a fixed date; see emulator-quirks.ts). */
  private readonly multipartBegun = new Map<string, Date>();

  /** The bucket's uploads in progress as S3 lists them, with the times they really began. */
  private async multipartUploads(bucket: string): Promise<Answer> {
    const listed = await this.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    const uploads = (listed.Uploads ?? []).map((upload) => ({
      key: upload.Key ?? '',
      uploadId: upload.UploadId ?? '',
      initiated: this.multipartBegun.get(`${bucket}\u0000${upload.Key ?? ''}`) ?? upload.Initiated ?? new Date(0),
    }));
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: listMultipartUploadsXml(bucket, uploads) };
  }

  /** Calls a test holds back (see holdCalls). */
  private readonly holds: (HeldCalls & { wait(): Promise<void>; arrive(): void })[] = [];

  /**
   * Holds matching calls back for `delayMs` (or until release()) before they go on to the
   * emulator, as a slow upload or a slow poll would be: the way to force one interleaving of
   * concurrent work. The handle's `arrived` resolves when the first one is being held.
   */
  holdCalls(spec: Pick<HeldCalls, 'accessKeyId' | 'service' | 'matches' | 'times' | 'delayMs'>): HeldCalls {
    let arrive: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let isReleased = false;
    const handle = {
      ...spec,
      held: 0,
      arrived,
      arrive,
      release: () => {
        isReleased = true;
        release();
      },
      wait: () => (isReleased ? Promise.resolve() : spec.delayMs === undefined ? released : Promise.race([released, new Promise<void>((resolve) => setTimeout(resolve, spec.delayMs))])),
    };
    this.holds.push(handle);
    return handle;
  }

  /**
   * Makes AWS answer matching calls with `answer` (a throttling error, a 500) the next `times`
   * times, as a service under load would; the caller's SDK retries and its error handling meet
   * the real thing. The returned handle counts the answers given.
   */
  injectFault(fault: Omit<InjectedFault, 'injected'>): InjectedFault {
    const handle = { ...fault, injected: 0 };
    this.faults.push(handle);
    return handle;
  }

  /** What AWS answers that the emulator cannot (see answers.ts); undefined lets the emulator answer. */
  async answer(call: IncomingCall): Promise<Answer | undefined> {
    const hold = this.holds.find((candidate) => candidate.held < candidate.times && candidate.accessKeyId === call.accessKeyId && candidate.service === call.service && candidate.matches(call));
    if (hold !== undefined) {
      hold.held += 1;
      hold.arrive();
      this.say(`harness: holding ${call.service} ${call.method} ${call.url} (${hold.held} of ${hold.times})`);
      await hold.wait();
    }
    const fault = this.faults.find((candidate) => candidate.injected < candidate.times && candidate.accessKeyId === call.accessKeyId && candidate.service === call.service && candidate.matches(call));
    if (fault !== undefined) {
      fault.injected += 1;
      this.say(`harness: injected ${fault.answer.status} for ${call.service} ${call.method} ${call.url} (${fault.injected} of ${fault.times})`);
      return fault.answer;
    }
    const target = call.headers['x-amz-target'] ?? '';
    if (!this.registered && call.service === 'ssm' && target.endsWith('.SendCommand')) {
      const { InstanceIds: ids = [] } = JSON.parse(call.body) as { InstanceIds?: string[] };
      // What Run Command answers for a node that is not (or no longer) a managed node.
      if (ids.includes(this.options.instanceId)) return errorAnswer('InvalidInstanceId', `Instances [[${this.options.instanceId}]] not in a valid state for account ${MOTO_ACCOUNT}`);
    }
    if (call.service === 'ssm' && target.endsWith('.GetCommandInvocation')) {
      const { CommandId: commandId, InstanceId: instanceId } = JSON.parse(call.body) as { CommandId: string; InstanceId: string };
      const record = readCommandRecord(this.stateDir, commandId);
      if (record === undefined && !this.pending.has(commandId)) return errorAnswer('InvocationDoesNotExist', `no invocation of command ${commandId} on ${instanceId}`);
      return jsonAnswer(commandInvocation(commandId, instanceId, record));
    }
    if (call.service === 'ssm' && target.endsWith('.ListCommandInvocations')) {
      const { CommandId: commandId, InstanceId: instanceId } = JSON.parse(call.body === '' ? '{}' : call.body) as { CommandId?: string; InstanceId?: string };
      const mine = instanceId === undefined || instanceId === this.options.instanceId;
      const records = mine ? this.commands().filter((record) => commandId === undefined || record.commandId === commandId) : [];
      const recorded = new Set(records.map((record) => record.commandId));
      const waiting = mine ? [...this.pending].filter((id) => !recorded.has(id) && (commandId === undefined || id === commandId)) : [];
      const delayed = this.power.deliverable() ? 'Pending' : 'Delayed';
      return jsonAnswer({
        CommandInvocations: [
          ...waiting.map((id) => ({ CommandId: id, InstanceId: this.options.instanceId, Status: 'Pending', StatusDetails: delayed })),
          ...records.reverse().map(listedInvocation),
        ],
      });
    }
    if (call.service === 'ec2' && new URLSearchParams(call.body).get('Action') === 'StartInstances') {
      const id = new URLSearchParams(call.body).get('InstanceId.1');
      if (id !== this.options.instanceId) return { status: 400, headers: { 'content-type': 'text/xml' }, body: `<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID '${id ?? ''}' does not exist</Message></Error></Errors></Response>` };
      return this.power.startInstances();
    }
    if (call.service === 's3' && call.method === 'GET') {
      const url = new URL(call.url, 'http://local');
      const [bucket = '', ...key] = url.pathname.replace(/^\//, '').split('/');
      if (url.searchParams.has('uploads') && key.join('/') === '') return this.multipartUploads(bucket);
    }
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(call.url);
    if (call.service === 'lambda' && invoke !== null && call.method === 'POST') {
      const fn = await this.deployed(decodeURIComponent(invoke[1]));
      const invocation = await this.invocations(() => invokeFunction(fn, JSON.parse(call.body === '' ? '{}' : call.body), actorEnv(this.options.awsEnv, this.recorder, TRIGGER_ACCESS_KEY_ID)));
      writeInvocationRecord(this.stateDir, invocation);
      this.say(`lambda ${fn.name} invoked directly: ${invocation.ok ? 'succeeded' : `failed (${invocation.error?.name})`}, ${invocation.commandIds.length} command(s) sent`);
      for (const commandId of invocation.commandIds) this.track(this.triggerCommand(commandId));
      return invokeAnswer(invocation);
    }
    return undefined;
  }

  /** Plays S3's notifications for uploaders' PutObject calls, and the agent for their SendCommand calls. */
  observe(call: RecordedCall): void {
    // A command the trigger sent is Pending in Run Command from that moment, before the trigger's
    // invocation ends and the harness runs it (ListCommandInvocations must already list it).
    if (call.accessKeyId === TRIGGER_ACCESS_KEY_ID && call.status === 200 && call.service === 'ssm' && call.headers['x-amz-target']?.endsWith('.SendCommand') === true) {
      const sent = (JSON.parse(call.responseBody) as { Command?: { CommandId?: string } }).Command?.CommandId;
      if (sent !== undefined) {
        this.pending.add(sent);
        // Run Command hands the command to the agent now, not when the function returns.
        if (this.hostTakesTriggerCommands) {
          const run = this.runCommand(sent);
          this.track(run);
          this.startedByTrigger.set(sent, run);
        }
      }
    }
    if (call.service === 's3' && call.method === 'POST' && call.status === 200 && new URL(call.url, 'http://local').searchParams.has('uploads')) {
      const [bucket = '', ...key] = new URL(call.url, 'http://local').pathname.replace(/^\//, '').split('/');
      this.multipartBegun.set(`${bucket}\u0000${decodeURIComponent(key.join('/'))}`, new Date());
    }
    if (call.accessKeyId !== UPLOADER_ACCESS_KEY_ID) return;
    // An uploader deleting from a queue (aurora-flyway replay) changes what the queue's alarm watches.
    if (call.service === 'sqs' && call.status === 200 && /DeleteMessage/.test(`${call.headers['x-amz-target'] ?? ''} ${call.body}`)) this.track(this.alarms.evaluate());
    if (call.status >= 500) this.say(`emulator error ${call.status} for ${call.service} ${call.method} ${call.url}: ${call.responseBody.slice(0, 500)}`);
    if (call.status !== 200) return;
    const url = new URL(call.url, 'http://local');
    // PutObject only (the SDK adds x-id=PutObject); tagging, ACLs and parts are other operations.
    const isPutObject = call.service === 's3' && call.method === 'PUT' && [...url.searchParams.keys()].every((name) => name === 'x-id');
    // CompleteMultipartUpload (a POST with the upload's id) is the moment a multipart upload's object appears.
    const isCompletedMultipart = call.service === 's3' && call.method === 'POST' && url.searchParams.has('uploadId');
    if (isPutObject || isCompletedMultipart) {
      const [bucket = '', ...key] = url.pathname.replace(/^\//, '').split('/');
      const objectKey = decodeURIComponent(key.join('/'));
      this.track(
        this.s3.observed(bucket, objectKey, call.versionId, isCompletedMultipart ? 'ObjectCreated:CompleteMultipartUpload' : 'ObjectCreated:Put').then(async (observed) => {
          const upload = this.recordUpload(observed);
          this.say(`uploaded s3://${bucket}/${objectKey} (version ${upload.object.versionId ?? 'none'}, ${upload.object.size} bytes)`);
          this.observedBurst.uploads.push(upload);
          const deliveries = upload.targets.length === 0 ? [] : await this.deliver([upload]);
          this.observedBurst.deliveries.push(...deliveries);
          this.observedBurst.commands.push(...deliveries.flatMap((delivery) => delivery.commands));
        }),
      );
    }
    if (call.service === 'ssm' && call.headers['x-amz-target']?.endsWith('.SendCommand') === true) {
      const commandId = (JSON.parse(call.responseBody) as { Command?: { CommandId?: string } }).Command?.CommandId;
      if (commandId === undefined) return;
      this.pending.add(commandId);
      this.track(this.runCommand(commandId).finally(() => this.pending.delete(commandId)));
    }
  }

  /** The calls the trigger and the host made (through the recorder), and those the harness played for AWS without sending them. */
  calls(): { recorded: readonly RecordedCall[]; declared: readonly DeclaredCall[] } {
    return { recorded: this.recorder.calls, declared: this.declared };
  }

  /** The emulator's partition, region and account (moto's default account). */
  private scope(): { partition: string; region: string; account: string } {
    return { partition: 'aws', region: this.aws.region, account: MOTO_ACCOUNT };
  }

  async close(): Promise<void> {
    await this.power.close();
    this.eventBridge.destroy();
    this.notifications.destroy();
    this.aws.destroy();
    await this.recorder.stop();
    await this.metadata.stop();
  }
}
