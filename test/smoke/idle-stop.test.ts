// The host's idle stop (modules/flyway-host/idle-stop.sh, installed by the user data) decides for
// real, with a systemctl stand-in that records what it was asked: never with the idle stop off,
// never before the first boot is done or the idle time is up, never while a command holds the busy
// lock (its agent left alone; started again if a command began while it stopped), and otherwise
// the agent first, then the power-off.

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/run';
import { PROJECT_ROOT } from '../support/terraform';

jest.setTimeout(60_000);

const SCRIPT = join(PROJECT_ROOT, 'modules/flyway-host/idle-stop.sh');

describe('flyway-host-idle-stop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idle-stop-'));
    writeFileSync(join(dir, 'systemctl'), '#!/bin/bash\necho "$*" >>"$(dirname "$0")/calls"\n');
    chmodSync(join(dir, 'systemctl'), 0o755);
    writeFileSync(join(dir, 'ready'), '');
    writeFileSync(join(dir, 'last-activity'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const idleSince = (secondsAgo: number) => {
    const at = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(dir, 'last-activity'), at, at);
  };
  const calls = () => {
    try {
      return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  const check = (minutes: string, graceSeconds = '0') =>
    run('bash', [SCRIPT], {
      env: { ...process.env, FLYWAY_HOST_DIR: dir, FLYWAY_HOST_SYSTEMCTL: join(dir, 'systemctl'), FLYWAY_HOST_IDLE_MINUTES: minutes, FLYWAY_HOST_GRACE_SECONDS: graceSeconds },
      timeoutMs: 20_000,
    });

  it('does nothing when the idle stop is off (0 minutes or no valid tag)', async () => {
    idleSince(10_000);
    for (const minutes of ['0', '', 'ten']) expect((await check(minutes)).code).toBe(0);
    expect(calls()).toEqual([]);
  });

  it('does nothing before the idle time is up, or while the first boot still installs', async () => {
    idleSince(60);
    expect((await check('5')).code).toBe(0);
    idleSince(10_000);
    rmSync(join(dir, 'ready'));
    expect((await check('5')).code).toBe(0);
    expect(calls()).toEqual([]);
  });

  it('stays on, leaving its agent alone, while a command holds the busy lock (a migration longer than the idle time)', async () => {
    idleSince(10_000);
    const command = spawn('flock', ['-s', join(dir, 'busy.lock'), 'sleep', '20'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await check('5');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('a command is running; staying on');
      expect(calls()).toEqual([]);
    } finally {
      command.kill();
    }
  });

  it('stays on, with its agent started again, when a command starts while the agent stops', async () => {
    idleSince(10_000);
    const checking = check('5', '2');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const command = spawn('flock', ['-s', join(dir, 'busy.lock'), 'sleep', '20'], { stdio: 'ignore' });
    try {
      const result = await checking;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('a command is running or has just run; staying on');
      expect(calls()).toEqual(['stop amazon-ssm-agent', 'start amazon-ssm-agent']);
    } finally {
      command.kill();
    }
  });

  it('stops the agent first, then powers off, once idle long enough', async () => {
    idleSince(301);
    const result = await check('5');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('powering off');
    expect(calls()).toEqual(['stop amazon-ssm-agent', 'poweroff']);
  });

  it('answers --help without checking anything', async () => {
    const result = await run('bash', [SCRIPT, '--help'], { timeoutMs: 10_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/usage/i);
    expect(calls()).toEqual([]);
  });
});
