import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runOk, type RunOptions, type RunResult } from './run';
import { toolchain, toolEnv } from './toolchain';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Every Terraform root the project ships: the module itself, each submodule, each example. */
export function terraformDirs(): string[] {
  const children = (dir: string) =>
    existsSync(join(PROJECT_ROOT, dir))
      ? readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(dir, entry.name))
      : [];
  return ['.', ...children('modules'), ...children('examples')];
}

/**
 * The real Terraform CLI with the toolchain's offline provider mirror; at most 15 minutes unless
 * `limit` says otherwise. `terraform init` runs one at a time across all test processes: inits
 * that share the plugin cache race (seen with six at once: "failed to create directory
 * .../plugin-cache/.../linux_amd64: file exists"), so each takes a lock file (util-linux flock).
 */
export function terraform(cwd: string, args: readonly string[], env: Record<string, string> = {}, limit: Pick<RunOptions, 'timeoutMs' | 'killSignal'> = {}): Promise<RunResult> {
  const options = { cwd, env: toolEnv(env), timeoutMs: 900_000, ...limit };
  if (args[0] === 'init') return runOk('flock', [join(toolchain().cache, 'terraform-init.lock'), 'terraform', ...args], options);
  return runOk('terraform', args, options);
}

/** A resource of `terraform show -json` (state values or planned_values). */
export interface ShownResource {
  address: string;
  /** "managed" (a resource) or "data" (a data source: something the configuration only reads). */
  mode?: string;
  type: string;
  values: Record<string, unknown>;
}

export interface ShownModule {
  resources?: ShownResource[];
  child_modules?: ShownModule[];
}

/** Every resource of a shown module and its child modules. */
export function allResources(module: ShownModule): ShownResource[] {
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(allResources)];
}
