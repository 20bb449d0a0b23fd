import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `npm run setup` installed, as recorded in its toolchain.env file. */
export interface Toolchain {
  cache: string;
  bin: string;
  terraformCliConfig: string;
  awsProviderVersion: string;
  flywayVersion: string;
  flywaySha256: string;
  flywayArchive: string;
  flywayHome: string;
}

export function toolchainCacheDir(): string {
  return (
    process.env.AURORA_FLYWAY_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'terraform-aws-aurora-flyway')
  );
}

/** Parses KEY=VALUE lines; comments and blank lines are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}

let cached: Toolchain | undefined;

export function toolchain(): Toolchain {
  if (cached) return cached;
  const file = join(toolchainCacheDir(), 'toolchain.env');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run setup\` first (npm test does it for you).`);
  }
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const get = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`${file} has no ${key}: re-run \`npm run setup\`.`);
    return value;
  };
  cached = {
    cache: get('TOOLCHAIN_CACHE'),
    bin: get('TOOLCHAIN_BIN'),
    terraformCliConfig: get('TF_CLI_CONFIG_FILE'),
    awsProviderVersion: get('AWS_PROVIDER_VERSION'),
    flywayVersion: get('FLYWAY_VERSION'),
    flywaySha256: get('FLYWAY_SHA256'),
    flywayArchive: get('FLYWAY_ARCHIVE'),
    flywayHome: get('FLYWAY_HOME'),
  };
  return cached;
}

/**
 * The environment for running the project's tools: setup's bin dir first on PATH (so the Debian
 * AWS CLI v2 wins over any other `aws`), Terraform's private CLI config, and no checkpoint calls.
 * TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: every test stack is a new directory without a
 * lock file, and without this Terraform re-installs the provider into the shared plugin cache on
 * each init, replacing the binary under stacks that are running it (seen with eight stacks at
 * once: "fork/exec .terraform/providers/.../terraform-provider-aws_v6.47.1: no such file or
 * directory"); with it, init links the cached provider and leaves the cache alone.
 */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const tools = toolchain();
  return {
    ...process.env,
    PATH: `${tools.bin}:${process.env.PATH ?? ''}`,
    TF_CLI_CONFIG_FILE: tools.terraformCliConfig,
    TF_IN_AUTOMATION: '1',
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}
