import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run';
import { PROJECT_ROOT, terraform } from './terraform';
import { toolEnv } from './toolchain';

/** A throwaway root configuration that deploys the module to the emulator (test/fixtures/local-stack). */
export interface LocalStack {
  dir: string;
  /** The emulator's AWS settings and the TF_VAR_ variables, for running Terraform in `dir` otherwise. */
  env: Record<string, string>;
  /** Terraform in `dir`; `show -json` of the state and the outputs are read once per state (see READS_STATE_ONLY). */
  terraform(...args: string[]): ReturnType<typeof terraform>;
  outputs(): Promise<Record<string, unknown>>;
  /** Forgets what was read of the state (after Terraform ran in `dir` some other way, e.g. a destroy). */
  forget(): void;
  remove(): void;
}

/**
 * Commands that leave the state as it is: while only these run, `terraform show -json` and
 * `terraform output` answer the same, so their first answer is kept (each `show -json` loads the
 * aws provider's schema: about 5 CPU seconds; an `output`, about 0.8).
 */
const READS_STATE_ONLY = new Set(['show', 'output', 'validate', 'providers', 'version', 'fmt', 'plan', 'graph']);

export interface LocalStackOptions {
  /** Where the configuration (and its state) goes; default: a new temp dir. The demo keeps it in the cache. */
  dir?: string;
}

/** Copies the fixture (pointing at this checkout); an existing `dir` keeps its state and .terraform. */
export function prepareLocalStack(awsEnv: Record<string, string>, variables: Record<string, string> = {}, options: LocalStackOptions = {}): LocalStack {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'aurora-flyway-stack-'));
  mkdirSync(dir, { recursive: true });
  cpSync(join(PROJECT_ROOT, 'test', 'fixtures', 'local-stack'), dir, { recursive: true, filter: (src) => !src.includes('.terraform') });
  const main = join(dir, 'main.tf');
  writeFileSync(main, readFileSync(main, 'utf8').replace('source = "../../.."', `source = ${JSON.stringify(PROJECT_ROOT)}`));
  const env = { ...awsEnv, ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [`TF_VAR_${name}`, value])) };
  let shownState: ReturnType<typeof terraform> | undefined;
  let pipeline: Promise<Record<string, unknown>> | undefined;
  const forget = () => {
    shownState = undefined;
    pipeline = undefined;
  };
  return {
    dir,
    env,
    terraform: (...args: string[]) => {
      if (args.length === 2 && args[0] === 'show' && args[1] === '-json') return (shownState ??= terraform(dir, args, env).catch((error: unknown) => {
        shownState = undefined;
        throw error;
      }));
      if (!READS_STATE_ONLY.has(args[0] ?? '')) forget();
      return terraform(dir, args, env).finally(() => {
        if (!READS_STATE_ONLY.has(args[0] ?? '')) forget();
      });
    },
    // A copy each time: the answer is shared.
    outputs: async () => structuredClone(await (pipeline ??= run('terraform', ['output', '-json', 'pipeline'], { cwd: dir, env: toolEnv(env) }).then(
        (result) => JSON.parse(result.stdout) as Record<string, unknown>,
        (error: unknown) => {
          pipeline = undefined;
          throw error;
        },
      ))),
    forget,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every string value under a key that mentions "password", anywhere in a JSON document. */
export function passwordValues(document: unknown, path = '$'): string[] {
  if (Array.isArray(document)) return document.flatMap((item, index) => passwordValues(item, `${path}[${index}]`));
  if (document === null || typeof document !== 'object') return [];
  return Object.entries(document as Record<string, unknown>).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (/password/i.test(key) && typeof value === 'string' && value !== '') return [`${here}=${value}`];
    return passwordValues(value, here);
  });
}
