// The kept demo stack (`--keep`): where everything is, so that `upload`, `status` and `down` can
// find it from another process. No secret is stored: the database password lives in the
// emulator's Secrets Manager, as in AWS.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolchain } from '../../support/toolchain';
import type { DemoEngine } from './args';

export interface KeptProcess {
  pid: number;
  workDir: string;
  /** What the command line of `pid` contains, to recognise it (pids are reused). */
  commandContains: string;
  stopSignal: NodeJS.Signals;
}

export interface KeptStack {
  version: 1;
  startedAt: string;
  engine: DemoEngine;
  namePrefix: string;
  awsEnv: Record<string, string>;
  moto: KeptProcess & { endpoint: string };
  database: KeptProcess & { host: string; port: number; user: string; caFile: string };
  stackDir: string;
  /** The emulator's settings and the TF_VAR_ variables the stack was applied with. */
  terraformEnv: Record<string, string>;
  harnessDir: string;
  logFile: string;
  outputs: {
    buckets: Record<string, string>;
    instance_id: string;
    document_name: string;
    master_user_secret_arn: string;
    /** Absent in a state an older demo wrote. */
    artifacts_bucket_name?: string;
  };
}

export function demoDir(): string {
  return join(toolchain().cache, 'demo');
}

export function statePath(): string {
  return join(demoDir(), 'state.json');
}

export function readKeptStack(): KeptStack | undefined {
  if (!existsSync(statePath())) return undefined;
  return JSON.parse(readFileSync(statePath(), 'utf8')) as KeptStack;
}

export function writeKeptStack(state: KeptStack): void {
  mkdirSync(demoDir(), { recursive: true });
  writeFileSync(`${statePath()}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${statePath()}.tmp`, statePath());
}

export function removeKeptStack(): void {
  rmSync(statePath(), { force: true });
}

/** Whether `process` still runs (same pid and the expected program). */
export function isRunning(process: KeptProcess): boolean {
  try {
    return readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').includes(process.commandContains);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops a kept process by its pid (if it is still the recorded program) and deletes its work dir. */
export async function stopKept(kept: KeptProcess): Promise<void> {
  if (isRunning(kept)) {
    process.kill(kept.pid, kept.stopSignal);
    for (let i = 0; i < 60 && isRunning(kept); i += 1) await sleep(250);
    if (isRunning(kept)) process.kill(kept.pid, 'SIGKILL');
    for (let i = 0; i < 20 && isRunning(kept); i += 1) await sleep(250);
  }
  rmSync(kept.workDir, { recursive: true, force: true });
}
