// The Flyway host's file system, for one harness. The module's document and user data use the
// instance's own paths (/opt/flyway-runner, /opt/flyway, /var/lib/flyway-runner,
// /var/lib/flyway-host, /usr/local/bin); the agent keeps each command's script under
// /var/lib/amazon/ssm. Several harnesses run at once on this machine (three jest workers, more
// than one harness per file), so each script runs in a Linux mount namespace of its own
// (`unshare --mount`, private propagation: nothing leaks to this machine or to another script) in
// which those paths are bind mounts of this harness's directories under <stateDir>/host. The script
// sees the instance's paths, the harness and the tests see their own directories, and no override
// variable is needed for any of them.
//
// /usr/local and /root are covered as well: the instance's /usr/local is empty apart from what
// install-flyway links into its bin, and root's home on the instance holds no AWS profile, no
// Maven repository, no caches. This machine's (the toolchain cache, a developer's ~/.aws) would
// otherwise be what the AWS CLI, the SDK and Java find once HOME is unset (they fall back to
// root's home from the password database, as on the instance).
//
// Bind mounts and mount namespaces need root (CAP_SYS_ADMIN). Without it the harness cannot play
// the host and says so when it is created; it never falls back to redirected paths silently.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { toolchain } from '../support/toolchain';
import type { HostFlyway } from './host-flyway';

/** The instance's own paths that the document, the runner and the agent write. */
export const INSTANCE_PATHS = {
  flyway: '/opt/flyway',
  runner: '/opt/flyway-runner',
  runnerHome: '/var/lib/flyway-runner',
  hostDir: '/var/lib/flyway-host',
  agentData: '/var/lib/amazon/ssm',
  usrLocal: '/usr/local',
  rootHome: '/root',
} as const;

/** Where the local database server's CA appears inside the namespace (the harness's own file: no instance has it). */
const CA_INSIDE = '/usr/local/share/flyway-harness/local-database-ca.pem';

/** The harness's directories that the instance's paths are, under the state dir (as the tests read them). */
export function hostPaths(stateDir: string): { root: string; installDir: string; runnerHome: string; agentData: string; hostDir: string; readyFile: string; usrLocal: string; rootHome: string } {
  const root = join(stateDir, 'host');
  return {
    root,
    installDir: join(root, 'opt', 'flyway-runner'),
    runnerHome: join(root, 'var', 'lib', 'flyway-runner'),
    agentData: join(root, 'var', 'lib', 'amazon', 'ssm'),
    hostDir: join(root, 'var', 'lib', 'flyway-host'),
    readyFile: join(root, 'var', 'lib', 'flyway-host', 'ready'),
    usrLocal: join(root, 'usr', 'local'),
    rootHome: join(root, 'root'),
  };
}

export interface HostRoot {
  /** source (this machine) -> target (the instance's path), in the order they are mounted; /root last. */
  mounts: readonly { source: string; target: string }[];
  /** The local database server's CA as the scripts see it (FLYWAY_RUNNER_CA_BUNDLE). */
  caFile: string;
  /** A path inside the namespace -> the same file as this machine sees it (for files the harness writes, such as a command's script). */
  outside(inside: string): string;
}

/**
 * The directories on this machine that the bind mounts cover. Empty directories, made once (by
 * whichever harness comes first): nothing outside a script's namespace writes into them.
 */
function ensureMountPoints(): void {
  for (const target of Object.values(INSTANCE_PATHS)) {
    try {
      mkdirSync(target, { recursive: true });
    } catch (error) {
      throw new Error(
        `the harness plays the Flyway host's paths with bind mounts and needs the mount point ${target} on this machine, which it cannot create (${(error as Error).message}). ` +
          'Run the tests as root (they need a mount namespace, unshare --mount) or create these directories once: ' +
          Object.values(INSTANCE_PATHS).join(' '),
      );
    }
  }
}

/**
 * The AWS CLI the scripts find first on the agent's PATH. AL2023 ships the CLI v2 in /usr/bin; this
 * machine's (Debian's 2.9) predates AWS_ENDPOINT_URL, so setup's wrapper, which turns that variable
 * into --endpoint-url and runs /usr/bin/aws, stands in for it in the instance's /usr/local/bin
 * (where the CLI v2 installer puts `aws`). A copy, not a link: /root is covered in the namespace.
 */
function installAwsCli(usrLocalBin: string): void {
  const wrapper = join(toolchain().bin, 'aws');
  const text = readFileSync(wrapper, 'utf8');
  if (!text.includes('/usr/bin/aws')) throw new Error(`${wrapper} is not setup's AWS CLI wrapper (it does not run /usr/bin/aws): re-run npm run setup`);
  if (!existsSync('/usr/bin/aws')) throw new Error('/usr/bin/aws (Debian\'s AWS CLI v2, the instance\'s CLI here) is missing: re-run npm run setup');
  writeFileSync(join(usrLocalBin, 'aws'), text);
  chmodSync(join(usrLocalBin, 'aws'), 0o755);
}

/**
 * The `flyway` link a warm host's earlier command left in /usr/local/bin (install-flyway
 * --bin-dir), pointing into /opt/flyway as the instance sees it. A fresh host's first command
 * makes it itself (its bin dir is this /usr/local/bin).
 */
function linkWarmFlyway(flyway: HostFlyway, usrLocalBin: string): void {
  const link = join(usrLocalBin, 'flyway');
  if (flyway.binDir === usrLocalBin || existsSync(link)) return;
  const installed = resolve(flyway.binDir, readlinkSync(join(flyway.binDir, 'flyway')));
  symlinkSync(join(INSTANCE_PATHS.flyway, relative(flyway.prefix, installed)), link);
}

/** The arguments that run `script` (a path inside the namespace) with `sh -c`, as the agent does, in a new mount namespace from `workingDir`. */
export function namespaceCommand(root: HostRoot, workingDir: string, script: string): { command: string; args: string[] } {
  // Positional arguments only: no path is ever quoted into shell text. The cd's own variables are
  // dropped again: the agent starts the script with none (bash sets PWD itself).
  const mountAll = 'set -e; while [ "$#" -gt 2 ]; do mount --bind "$1" "$2"; shift 2; done; cd "$1"; unset OLDPWD PWD; exec sh -c "$2"';
  return {
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', mountAll, 'flyway-host', ...root.mounts.flatMap(({ source, target }) => [source, target]), workingDir, script],
  };
}

/** Fails loudly when this machine cannot give a script the host's file system (no skip, no fallback). */
function checkNamespace(root: HostRoot): void {
  const { command, args } = namespaceCommand(root, '/', 'test -d /var/lib/flyway-host && test -d /opt/flyway-runner');
  const result = spawnSync(command, args, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin' }, timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(
      `the harness runs the host's scripts in a mount namespace with the instance's paths bind-mounted (unshare --mount, as root), and that fails on this machine: ` +
        `${result.error?.message ?? `exit ${result.status}`} ${result.stderr.trim()}. Run the tests as root, in a container with CAP_SYS_ADMIN.`,
    );
  }
}

/**
 * Makes this harness's host: its directories, the AWS CLI and (warm host) the flyway link in its
 * /usr/local/bin, the local database's CA, and checks that a script can be given them.
 */
export function prepareHostRoot(stateDir: string, flyway: HostFlyway, dbCaFile: string): HostRoot {
  const paths = hostPaths(stateDir);
  const usrLocalBin = join(paths.usrLocal, 'bin');
  const caOutside = join(paths.usrLocal, relative(INSTANCE_PATHS.usrLocal, CA_INSIDE));
  for (const dir of [paths.installDir, paths.runnerHome, paths.agentData, paths.hostDir, usrLocalBin, join(caOutside, '..'), paths.rootHome, flyway.prefix]) mkdirSync(dir, { recursive: true });
  ensureMountPoints();
  installAwsCli(usrLocalBin);
  linkWarmFlyway(flyway, usrLocalBin);
  // A copy inside the namespace's /usr/local: the server's CA may live anywhere (a kept demo's under /root).
  copyFileSync(dbCaFile, caOutside);
  const mounts = [
    // Amazon Linux's /bin/sh is bash (Debian's is dash): the agent's `sh -c` and every `sh` a script
    // starts get bash, as there. (The target is a link to dash; the mount lands on dash itself.)
    { source: '/usr/bin/bash', target: '/usr/bin/sh' },
    { source: flyway.prefix, target: INSTANCE_PATHS.flyway },
    { source: paths.installDir, target: INSTANCE_PATHS.runner },
    { source: paths.runnerHome, target: INSTANCE_PATHS.runnerHome },
    { source: paths.hostDir, target: INSTANCE_PATHS.hostDir },
    { source: paths.agentData, target: INSTANCE_PATHS.agentData },
    { source: paths.usrLocal, target: INSTANCE_PATHS.usrLocal },
    // Last: the sources above may lie under this machine's /root (the toolchain cache, a kept demo).
    { source: paths.rootHome, target: INSTANCE_PATHS.rootHome },
  ];
  const root: HostRoot = {
    mounts,
    caFile: CA_INSIDE,
    outside(inside) {
      const mount = [...mounts].reverse().find(({ target }) => inside === target || inside.startsWith(`${target}/`));
      if (mount === undefined) throw new Error(`${inside} is not under one of the host's mounted paths`);
      return join(mount.source, relative(mount.target, inside));
    },
  };
  checkNamespace(root);
  return root;
}
