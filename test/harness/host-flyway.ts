// Where the "host" keeps its Flyway CLI. On the instance the document installs the pinned version
// on first use (/opt/flyway, link in /usr/local/bin); the harness bind-mounts a directory of its own
// at /opt/flyway for each script (host-root.ts). Either a warm host, whose earlier command already
// installed Flyway (done here with the same scripts/install-flyway from the archive setup
// downloaded, cached across runs and shared by every harness, under the lock the document uses
// too), or a fresh host whose first command installs it from the module's flyway source.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../support/run';
import { PROJECT_ROOT } from '../support/terraform';
import { toolchain, toolEnv } from '../support/toolchain';

export const INSTALLER = join(PROJECT_ROOT, 'scripts', 'install-flyway');

/** The default place: inside the toolchain cache, so every harness run reuses it. */
export function defaultFlywayCacheDir(): string {
  return join(toolchain().cache, 'harness', 'host-flyway');
}

// install-flyway's record of the verified archive in the installed directory.
function installedWith(target: string, sha256: string): boolean {
  try {
    return readFileSync(join(target, '.install-flyway-sha256'), 'utf8').trim() === sha256;
  } catch {
    return false;
  }
}

/** The host's Flyway directories on this machine. */
export interface HostFlyway {
  /** What the scripts see at /opt/flyway (the document's install prefix). */
  prefix: string;
  /** Where install-flyway put its `flyway` link (--bin-dir; /usr/local/bin on the instance). */
  binDir: string;
}

/** A host that has not run a command yet: its first command installs Flyway (into the host root's /opt/flyway, linked from its /usr/local/bin). */
export function freshHostFlyway(hostRoot: string): HostFlyway {
  return { prefix: join(hostRoot, 'opt', 'flyway'), binDir: join(hostRoot, 'usr', 'local', 'bin') };
}

/** A host whose Flyway is installed already (unless that exact archive is there, it is installed now). */
export async function warmHostFlyway(dir = defaultFlywayCacheDir()): Promise<HostFlyway> {
  const tools = toolchain();
  const host = { prefix: join(dir, 'opt'), binDir: join(dir, 'bin') };
  const { prefix, binDir } = host;
  const target = join(prefix, `flyway-${tools.flywayVersion}`);
  const launcher = join(target, 'flyway');
  if (installedWith(target, tools.flywaySha256) && existsSync(launcher)) return host;
  mkdirSync(prefix, { recursive: true });
  await runOk(
    'flock',
    [
      join(prefix, '.install.lock'),
      INSTALLER,
      '--version',
      tools.flywayVersion,
      '--sha256',
      tools.flywaySha256,
      '--source',
      tools.flywayArchive,
      '--prefix',
      prefix,
      '--bin-dir',
      binDir,
    ],
    { env: toolEnv(), timeoutMs: 300_000 },
  );
  if (!existsSync(launcher)) throw new Error(`install-flyway succeeded but ${launcher} does not exist`);
  return host;
}
