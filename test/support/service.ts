import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  command: string;
  args: readonly string[];
  workDir: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** The signal that makes the program shut down quickly (PostgreSQL: SIGINT, "fast" mode). */
  stopSignal?: NodeJS.Signals;
  /** Polled until it resolves true; the service has failed if it exits first. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /**
   * Leave the service running after this process exits (`npm run demo -- --keep`): no reaper, not
   * killed on exit, and it does not keep this process alive. Stop it later by its pid.
   */
  keep?: boolean;
}

export interface RunningService {
  pid: number;
  workDir: string;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<number>();
process.once('exit', () => {
  // Last resort for a test process that ends without afterAll; the reaper finishes the job.
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A temp dir for one service, removed by its stop() or, failing that, by its reaper. */
export function serviceWorkDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `aurora-flyway-${name}-`));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startService(spec: ServiceSpec): Promise<RunningService> {
  const logFile = join(spec.workDir, `${spec.name}.log`);
  const logFd = openSync(logFile, 'a');
  const child = spawn(spec.command, [...spec.args], {
    env: spec.env ?? process.env,
    stdio: ['ignore', logFd, logFd],
    detached: true,
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
  closeSync(logFd);
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) => reject(new Error(`could not start ${spec.name}: ${error.message}`)));
  });
  if (spec.keep) child.unref();
  else running.add(pid);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(pid);
      resolve();
    }),
  );
  const signal = spec.stopSignal ?? 'SIGTERM';
  if (!spec.keep) {
    spawn('bash', [join(__dirname, 'reaper.sh'), String(process.pid), String(pid), signal.replace('SIG', ''), spec.workDir], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  }

  const stop = async (): Promise<void> => {
    if (!exited) {
      process.kill(pid, signal);
      const killer = setTimeout(() => !exited && process.kill(pid, 'SIGKILL'), 15_000);
      await exitedPromise;
      clearTimeout(killer);
    }
    rmSync(spec.workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const log = readFileSync(logFile, 'utf8').slice(-3000);
      await stop();
      throw new Error(`${spec.name} exited during start-up. Its log:\n${log}`);
    }
    if (await spec.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      const log = readFileSync(logFile, 'utf8').slice(-3000);
      await stop();
      throw new Error(`${spec.name} was not ready after ${spec.readyTimeoutMs ?? 60_000} ms. Its log:\n${log}`);
    }
    await sleep(250);
  }
  return { pid, workDir: spec.workDir, logFile, stop };
}
