// The host's user data (modules/flyway-host/user-data.sh, with idle-stop.sh inlined as Terraform
// renders it) run for real under a throwaway root, with stand-ins for dnf (failing a given number
// of times, as when the subnet has no route out yet) and systemctl (recording what it was asked).
// A network that comes late costs retries, not the host; one that never comes leaves a host that
// still sleeps, says why in setup-failed (which every command reports at once, see the document's
// wait loop) and runs its setup again at the next boot.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/run';
import { PROJECT_ROOT } from '../support/terraform';

jest.setTimeout(60_000);

const MODULE = join(PROJECT_ROOT, 'modules/flyway-host');
/** What Terraform passes as user_data (modules/flyway-host/main.tf, local.user_data). */
const rendered = () =>
  readFileSync(join(MODULE, 'user-data.sh'), 'utf8').replace('#@idle-stop.sh@', readFileSync(join(MODULE, 'idle-stop.sh'), 'utf8').replace(/\n$/, ''));

describe('the host user data', () => {
  let dir: string;
  let root: string;
  let stubs: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'user-data-'));
    root = join(dir, 'root');
    stubs = join(dir, 'bin');
    for (const path of [root, stubs]) mkdirSync(path, { recursive: true });
    writeFileSync(join(dir, 'user-data.sh'), rendered());
    // dnf fails its first $DNF_FAILURES calls, then succeeds; each call is recorded.
    writeFileSync(
      join(stubs, 'dnf'),
      '#!/bin/bash\necho "$*" >>"$STUB_LOG/dnf"\nn=$(wc -l <"$STUB_LOG/dnf")\nif [ "$n" -le "$DNF_FAILURES" ]; then echo "Curl error (7): Failed to connect to cdn.amazonlinux.com" >&2; exit 1; fi\n',
    );
    writeFileSync(join(stubs, 'systemctl'), '#!/bin/bash\necho "$*" >>"$STUB_LOG/systemctl"\n');
    for (const stub of ['dnf', 'systemctl']) chmodSync(join(stubs, stub), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const boot = async (dnfFailures: number) => {
    return run('bash', [join(dir, 'user-data.sh')], {
      env: {
        PATH: `${stubs}:/usr/local/bin:/usr/bin:/bin`,
        FLYWAY_HOST_ROOT: root,
        FLYWAY_HOST_RETRY_DELAY_SECONDS: '0',
        DNF_FAILURES: String(dnfFailures),
        STUB_LOG: dir,
      },
      timeoutMs: 30_000,
    });
  };
  const lines = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim().split('\n') : []);
  const hostFile = (name: string) => join(root, 'var/lib/flyway-host', name);

  it('retries downloads that fail while the network comes up, then marks the host ready', async () => {
    const result = await boot(2);
    expect(result.stderr + result.stdout).toContain('installing Java, Node.js and the database clients failed (attempt 2 of 5); trying again');
    expect(result.code).toBe(0);
    expect(lines('dnf')).toHaveLength(4);
    expect(lines('dnf').slice(0, 3).every((call) => call.includes('nodejs22'))).toBe(true);
    expect(lines('dnf')[3]).toContain('maven');
    expect(existsSync(hostFile('ready'))).toBe(true);
    expect(existsSync(hostFile('setup-failed'))).toBe(false);
    expect(readFileSync(join(root, 'var/log/flyway-host-setup.log'), 'utf8')).toContain('flyway host ready');
  });

  it('with no way out at all: installs the idle stop first, records why in setup-failed, and runs the setup again at the next boot', async () => {
    const result = await boot(1000);
    expect(result.code).not.toBe(0);
    expect(lines('dnf')).toHaveLength(5);
    expect(existsSync(hostFile('ready'))).toBe(false);
    const reason = readFileSync(hostFile('setup-failed'), 'utf8');
    expect(reason).toMatch(/^installing Java, Node\.js and the database clients \(dnf\) failed 5 times, last at \d{4}-/);
    expect(reason).toContain('stop and start the instance');
    // Installed before the packages, so the host still sleeps; the setup unit runs at boot until ready.
    expect(lines('systemctl')).toEqual(['daemon-reload', 'enable flyway-host-setup.service', 'enable --now flyway-host-boot.service flyway-host-idle-stop.timer']);
    const setupUnit = readFileSync(join(root, 'etc/systemd/system/flyway-host-setup.service'), 'utf8');
    expect(setupUnit).toContain('ConditionPathExists=!/var/lib/flyway-host/ready');
    expect(setupUnit).toContain('ExecStart=/usr/local/sbin/flyway-host-setup');

    // The installed idle stop powers such a host off once idle (it does not wait for ready).
    writeFileSync(hostFile('last-activity'), '');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(hostFile('last-activity'), longAgo, longAgo);
    const idle = await run('bash', [join(root, 'usr/local/sbin/flyway-host-idle-stop')], {
      env: { ...process.env, FLYWAY_HOST_DIR: join(root, 'var/lib/flyway-host'), FLYWAY_HOST_SYSTEMCTL: join(stubs, 'systemctl'), FLYWAY_HOST_IDLE_MINUTES: '15', FLYWAY_HOST_GRACE_SECONDS: '0', STUB_LOG: dir },
      timeoutMs: 20_000,
    });
    expect(idle.code).toBe(0);
    expect(lines('systemctl').slice(3)).toEqual(['stop amazon-ssm-agent', 'poweroff']);

    // The next boot (the unit runs the installed setup) succeeds once the network is there.
    rmSync(join(dir, 'dnf'));
    const again = await run(join(root, 'usr/local/sbin/flyway-host-setup'), [], {
      env: { PATH: `${stubs}:/usr/bin:/bin`, FLYWAY_HOST_ROOT: root, FLYWAY_HOST_RETRY_DELAY_SECONDS: '0', DNF_FAILURES: '0', STUB_LOG: dir },
      timeoutMs: 20_000,
    });
    expect(again.code).toBe(0);
    expect(existsSync(hostFile('ready'))).toBe(true);
    expect(existsSync(hostFile('setup-failed'))).toBe(false);
  });
});
