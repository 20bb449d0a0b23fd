// Plays the Flyway host's power: EC2's instance states (running, stopping, stopped, pending), the
// boot and the SSM agent coming online after it, the host's own idle stop, and EventBridge's
// "EC2 Instance State-change Notification" when it has stopped.
//
// - StartInstances (the trigger's and the client's) is answered here, as EC2 answers it: the states
//   before and after, or IncorrectInstanceState while the instance stops. The emulator's instance is
//   kept in step (stop-instances / start-instances), so that DescribeInstances agrees.
// - The idle stop is the script the module installs, taken from the instance's user data as the
//   emulator holds it, run like its systemd timer with the host's directories and a systemctl
//   stand-in: `stop amazon-ssm-agent` takes the agent offline at once, `poweroff` stops the instance.
// - A command is delivered only while the agent is online; until then it waits (Pending, Delayed),
//   as Run Command holds it, and is delivered when the agent comes back.

import { DescribeInstanceAttributeCommand, DescribeTagsCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsEvent } from './eventbridge';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer } from './call-recorder';
import type { AwsClients } from './aws';
import { hostPaths, hostProcessGroups } from './ssm-host';
import { toolEnv } from '../support/toolchain';

export type InstanceState = 'running' | 'stopping' | 'stopped' | 'pending';

export interface PowerTimings {
  /** stopping -> stopped */
  stoppingMs: number;
  /** pending -> running */
  bootMs: number;
  /** running -> the agent takes commands */
  agentMs: number;
}

/** Short stand-ins for EC2's and the agent's times (a real cold start takes one to two minutes). */
export const LOCAL_TIMINGS: PowerTimings = { stoppingMs: 1_500, bootMs: 1_500, agentMs: 1_000 };

export interface IdleStopOptions {
  /** The idle time, in seconds, in place of the tag's minutes (the tag itself is still read: 0 keeps the host on). */
  seconds: number;
  /** How often the timer runs the check (systemd: every minute). */
  everyMs: number;
  /** How long the check waits between stopping the agent and its last look (the script's default: 3). */
  graceSeconds?: number;
}

export interface PowerEvent {
  at: string;
  what: 'idle check stayed on' | 'agent stopped' | 'stopping' | 'stopped' | 'start requested' | 'running' | 'agent online' | 'start refused';
}

const xml = (body: string): Answer => ({ status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body });

export function startInstancesAnswer(instanceId: string, previous: InstanceState, current: InstanceState): Answer {
  const code: Record<InstanceState, number> = { pending: 0, running: 16, stopping: 64, stopped: 80 };
  return xml(
    `<?xml version="1.0" encoding="UTF-8"?>\n<StartInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>harness</requestId><instancesSet><item><instanceId>${instanceId}</instanceId>` +
      `<currentState><code>${code[current]}</code><name>${current}</name></currentState><previousState><code>${code[previous]}</code><name>${previous}</name></previousState></item></instancesSet></StartInstancesResponse>`,
  );
}

export function incorrectStateAnswer(instanceId: string): Answer {
  return {
    status: 400,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>IncorrectInstanceState</Code><Message>The instance '${instanceId}' is not in a state from which it can be started.</Message></Error></Errors><RequestID>harness</RequestID></Response>`,
  };
}

/** The idle-stop script inside the user data (between its quoted heredoc markers), or an error naming what is missing. */
export function idleStopScriptOf(userData: string): string {
  const match = /<<'IDLE_STOP_SCRIPT'\n([\s\S]*?)\nIDLE_STOP_SCRIPT\n/.exec(userData);
  if (match === null) throw new Error('the instance\'s user data installs no idle-stop script (no IDLE_STOP_SCRIPT heredoc)');
  return match[1] ?? '';
}

const SYSTEMCTL_STAND_IN = `#!/bin/bash
# systemctl as the harness plays it: the agent's state and the power-off are files it watches.
set -euo pipefail
case "$1 \${2:-}" in
  "stop amazon-ssm-agent") touch "$HARNESS_POWER_DIR/agent-stopped" ;;
  "start amazon-ssm-agent") rm -f "$HARNESS_POWER_DIR/agent-stopped" ;;
  "poweroff "*) touch "$HARNESS_POWER_DIR/poweroff" ;;
  *) echo "systemctl stand-in: $* is not played" >&2; exit 1 ;;
esac
`;

export class HostPower {
  private state: InstanceState = 'running';
  private agentOnline = true;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private idle: (IdleStopOptions & { script: string; minutes: string }) | undefined;
  readonly events: PowerEvent[] = [];
  /** Host process groups that were still running when the host powered off (the idle stop must never cut one off). */
  readonly cutOff: number[] = [];
  private closed = false;

  constructor(
    private readonly aws: AwsClients,
    private readonly instanceId: string,
    private readonly stateDir: string,
    private readonly onStopped: (event: AwsEvent) => Promise<void>,
    private readonly say: (line: string) => void,
    private timings: PowerTimings = LOCAL_TIMINGS,
  ) {}

  /** Changes the stand-in delays from the next transition on. */
  setTimings(timings: Partial<PowerTimings>): void {
    this.timings = { ...this.timings, ...timings };
  }

  private get powerDir(): string {
    return join(hostPaths(this.stateDir).root, 'power');
  }

  private note(what: PowerEvent['what']): void {
    this.events.push({ at: new Date().toISOString(), what });
    this.say(`host ${this.instanceId}: ${what}`);
  }

  get instanceState(): InstanceState {
    return this.state;
  }

  /** Whether the agent takes commands now. */
  deliverable(): boolean {
    return this.state === 'running' && this.agentOnline && !existsSync(join(this.powerDir, 'agent-stopped'));
  }

  /** Resolves once a command can be delivered (at once on a running host). */
  async untilDeliverable(): Promise<void> {
    while (!this.deliverable()) {
      if (this.closed) throw new Error('the harness closed while a command waited for the host');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** EC2's answer to StartInstances for this instance, starting the boot when it was stopped. */
  startInstances(): Answer {
    const previous = this.state;
    if (previous === 'stopping') {
      this.note('start refused');
      return incorrectStateAnswer(this.instanceId);
    }
    if (previous === 'stopped') {
      this.state = 'pending';
      this.note('start requested');
      void this.boot();
      return startInstancesAnswer(this.instanceId, 'stopped', 'pending');
    }
    return startInstancesAnswer(this.instanceId, previous, previous);
  }

  private async boot(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.timings.bootMs));
    await this.aws.ec2.send(new StartInstancesCommand({ InstanceIds: [this.instanceId] }));
    this.state = 'running';
    // flyway-host-boot.service: a boot counts as activity.
    this.touchActivity();
    this.note('running');
    await new Promise((resolve) => setTimeout(resolve, this.timings.agentMs));
    rmSync(join(this.powerDir, 'agent-stopped'), { force: true });
    this.agentOnline = true;
    this.note('agent online');
  }

  private touchActivity(): void {
    const file = join(hostPaths(this.stateDir).hostDir, 'last-activity');
    mkdirSync(hostPaths(this.stateDir).hostDir, { recursive: true });
    writeFileSync(file, '');
    const now = new Date();
    utimesSync(file, now, now);
  }

  /**
   * Installs the idle stop as the user data does (the script from the instance's user data, the
   * minutes from its tag) and runs its timer every `everyMs`.
   */
  async enableIdleStop(options: IdleStopOptions): Promise<void> {
    const attribute = await this.aws.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: this.instanceId, Attribute: 'userData' }));
    const userData = Buffer.from(attribute.UserData?.Value ?? '', 'base64').toString('utf8');
    const tags = await this.aws.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [this.instanceId] }, { Name: 'key', Values: ['FlywayHostIdleStopMinutes'] }] }));
    const minutes = tags.Tags?.[0]?.Value;
    if (minutes === undefined) throw new Error(`the instance ${this.instanceId} has no FlywayHostIdleStopMinutes tag`);
    mkdirSync(this.powerDir, { recursive: true });
    const script = join(this.powerDir, 'flyway-host-idle-stop');
    writeFileSync(script, `${idleStopScriptOf(userData)}\n`);
    chmodSync(script, 0o755);
    writeFileSync(join(this.powerDir, 'systemctl'), SYSTEMCTL_STAND_IN);
    chmodSync(join(this.powerDir, 'systemctl'), 0o755);
    this.idle = { ...options, script, minutes };
    if (!existsSync(join(hostPaths(this.stateDir).hostDir, 'last-activity'))) this.touchActivity();
    this.timer = setInterval(() => {
      if (this.checking === undefined && this.state === 'running') this.checking = this.idleCheck().finally(() => (this.checking = undefined));
    }, options.everyMs);
  }

  /** Changes the idle stop's grace time from the next check on (a test holds the shut-down moment open with it). */
  setGraceSeconds(seconds: number): void {
    if (this.idle === undefined) throw new Error('enableIdleStop first');
    this.idle.graceSeconds = seconds;
  }

  /** One run of the idle-stop service; powers the host off when the script asks for it. */
  async idleCheck(): Promise<void> {
    const idle = this.idle;
    if (idle === undefined) throw new Error('enableIdleStop first');
    const paths = hostPaths(this.stateDir);
    const env = {
      ...toolEnv(),
      FLYWAY_HOST_DIR: paths.hostDir,
      FLYWAY_HOST_SYSTEMCTL: join(this.powerDir, 'systemctl'),
      FLYWAY_HOST_IDLE_MINUTES: idle.minutes,
      FLYWAY_HOST_IDLE_SECONDS: String(idle.seconds),
      FLYWAY_HOST_GRACE_SECONDS: String(idle.graceSeconds ?? 1),
      HARNESS_POWER_DIR: this.powerDir,
    };
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('bash', [idle.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', (code) => resolve({ code, text }));
    });
    if (output.code !== 0) throw new Error(`flyway-host-idle-stop exited ${output.code}: ${output.text}`);
    if (output.text.includes('stopping the SSM agent')) this.note('agent stopped');
    if (output.text.includes('staying on')) this.note('idle check stayed on');
    if (existsSync(join(this.powerDir, 'poweroff'))) await this.powerOff();
  }

  /** Someone stops the instance (the console, \`aws ec2 stop-instances\`): as the idle stop's power-off, without the idle check. */
  stopInstance(): Promise<void> {
    return this.powerOff();
  }

  private async powerOff(): Promise<void> {
    rmSync(join(this.powerDir, 'poweroff'), { force: true });
    this.state = 'stopping';
    this.agentOnline = false;
    this.note('stopping');
    // The OS ends every process as it shuts down: none of the host's commands may still be running.
    for (const group of hostProcessGroups()) {
      this.cutOff.push(group);
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, this.timings.stoppingMs));
    await this.aws.ec2.send(new StopInstancesCommand({ InstanceIds: [this.instanceId] }));
    this.state = 'stopped';
    rmSync(join(this.powerDir, 'agent-stopped'), { force: true });
    this.note('stopped');
    await this.onStopped({
      version: '0',
      id: `harness-${Date.now()}`,
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date().toISOString(),
      region: this.aws.region,
      resources: [`arn:aws:ec2:${this.aws.region}:123456789012:instance/${this.instanceId}`],
      detail: { 'instance-id': this.instanceId, state: 'stopped' },
    });
  }

  /** Whether the idle stop has taken the agent offline while the instance still runs (the moment before the power-off). */
  shuttingDown(): boolean {
    return this.state === 'running' && existsSync(join(this.powerDir, 'agent-stopped'));
  }

  /** Resolves when the instance is in `state` (polling), or rejects after `timeoutMs`. */
  async until(state: InstanceState, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== state) {
      if (Date.now() > deadline) throw new Error(`the host did not reach ${state} within ${timeoutMs} ms (it is ${this.state})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the idle check under way, including the stop event's delivery after a power-off. */
  async quiet(): Promise<void> {
    await this.checking;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.checking;
  }
}
