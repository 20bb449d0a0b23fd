// The host's Flyway CLI, installed as the module's user data installs it: with scripts/install-flyway,
// checksum verified, from the archive setup downloaded (Maven Central). Cached across runs; a lock
// keeps two harnesses (parallel tests) from installing into the same place at once.

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

/** Installs Flyway under `dir` unless that exact archive is installed there, and returns its `flyway` launcher. */
export async function installHostFlyway(dir = defaultFlywayCacheDir()): Promise<string> {
  const tools = toolchain();
  const prefix = join(dir, 'opt');
  const binDir = join(dir, 'bin');
  const target = join(prefix, `flyway-${tools.flywayVersion}`);
  const launcher = join(target, 'flyway');
  if (installedWith(target, tools.flywaySha256) && existsSync(launcher)) return launcher;
  mkdirSync(dir, { recursive: true });
  await runOk(
    'flock',
    [
      join(dir, '.install.lock'),
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
  return launcher;
}
