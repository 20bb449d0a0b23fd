// A database session that stays open while a test does other things: the way a long transaction
// of an application (a blocker) or its steady stream of short ones (a workload) looks to a
// migration. A real psql process reading its statements from a pipe.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { DatabaseServer } from './database-server';
import { toolEnv } from './toolchain';

export interface PsqlSession {
  /** Sends statements; their output is collected in `output`. */
  send(sql: string): void;
  /** Resolves once `text` appears in the output (or rejects after `timeoutMs`). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Ends the session (its open transaction rolls back unless committed) and resolves with everything it printed. */
  close(): Promise<{ stdout: string; stderr: string }>;
  readonly output: { stdout: string; stderr: string };
}

export function openPsqlSession(server: DatabaseServer, database: string, applicationName: string): PsqlSession {
  return session(
    spawn('psql', ['-X', '-At', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database], { env: toolEnv({ PGPASSWORD: server.password, PGAPPNAME: applicationName }) }),
    applicationName,
  );
}

/** The same with the MariaDB client (batch mode: each statement runs as soon as its line arrives). */
export function openMariadbSession(server: DatabaseServer, database: string, name: string): PsqlSession {
  return session(
    spawn('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', server.user, '-N', '-B', '--unbuffered', database], { env: toolEnv({ MYSQL_PWD: server.password }) }),
    name,
  );
}

// Every session still running, so that a test that failed before closing its own does not keep
// jest from exiting (a psql or mariadb client reading a pipe outlives its server).
const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills the sessions a test left open (call it in afterAll, before stopping the server). */
export function endOpenSessions(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function session(child: ChildProcessWithoutNullStreams, applicationName: string): PsqlSession {
  running.add(child);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      running.delete(child);
      resolve();
    }),
  );
  return {
    output,
    send: (sql) => child.stdin.write(`${sql}\n`),
    waitFor: async (text, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      while (!output.stdout.includes(text)) {
        if (Date.now() > until) throw new Error(`psql session ${applicationName} never printed ${JSON.stringify(text)}; stderr: ${output.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: async () => {
      child.stdin.end();
      await exited;
      return output;
    },
  };
}

/**
 * An application's traffic: `statements(n)` (short autocommitted statements that print one line
 * `ok` when they worked) sent every `intervalMs` until stopped. Returns how many rounds worked and
 * what psql reported as errors.
 */
export function startWorkload(server: DatabaseServer, database: string, statements: (n: number) => string, intervalMs = 50): { stop: () => Promise<{ rounds: number; worked: number; errors: string }> } {
  const session = openPsqlSession(server, database, 'test-workload');
  let rounds = 0;
  const timer = setInterval(() => {
    rounds += 1;
    session.send(statements(rounds));
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      const { stdout, stderr } = await session.close();
      return { rounds, worked: stdout.split('\n').filter((line) => line === 'ok').length, errors: stderr.trim() };
    },
  };
}
