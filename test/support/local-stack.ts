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
  terraform(...args: string[]): ReturnType<typeof terraform>;
  outputs(): Promise<Record<string, unknown>>;
  remove(): void;
}

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
  return {
    dir,
    env,
    terraform: (...args: string[]) => terraform(dir, args, env),
    outputs: async () => {
      const result = await run('terraform', ['output', '-json', 'pipeline'], { cwd: dir, env: toolEnv(env) });
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
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
