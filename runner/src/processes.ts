// Runs a program without a shell, secrets only in its environment (never in argv, never on disk),
// and collects its output. A missing program is the host's fault.

import { spawn } from 'node:child_process';
import { EXIT, RunnerFailure } from './failure';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  timeoutMs?: number;
}

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const stdio: ('pipe' | 'ignore')[] = [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
    const child = spawn(command, [...args], { env: options.env, cwd: options.cwd, stdio });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(
          new RunnerFailure(EXIT.host, `required program ${command} not found`, 'the host is not fully set up: check /var/log/flyway-host-setup.log (user data installs Java, Node.js and the database clients), then run again'),
        );
      } else reject(error);
    });
    // A program that exits before reading its input must not crash the runner with EPIPE.
    const feed = (stream: NodeJS.WritableStream | null | undefined, text: string | undefined) => {
      if (stream === null || stream === undefined || text === undefined) return;
      stream.on('error', () => undefined);
      stream.end(text);
    };
    feed(child.stdin, options.stdin);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? 1 : 128 + 9), stdout, stderr });
    });
  });
}

/** The first of these programs on PATH (checked by trying `--version`), or undefined. */
export async function findProgram(candidates: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      const result = await runProcess(candidate, ['--version'], { env, timeoutMs: 10_000 });
      if (result.code === 0) return candidate;
    } catch {
      // not installed
    }
  }
  return undefined;
}
