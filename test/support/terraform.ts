import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runOk, type RunOptions, type RunResult } from './run';
import { toolEnv } from './toolchain';

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

/** The real Terraform CLI with the toolchain's offline provider mirror; at most 15 minutes unless `limit` says otherwise. */
export function terraform(cwd: string, args: readonly string[], env: Record<string, string> = {}, limit: Pick<RunOptions, 'timeoutMs' | 'killSignal'> = {}): Promise<RunResult> {
  return runOk('terraform', args, { cwd, env: toolEnv(env), timeoutMs: 900_000, ...limit });
}

/** A resource of `terraform show -json` (state values or planned_values). */
export interface ShownResource {
  address: string;
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
