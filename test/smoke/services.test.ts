// The throwaway services start on free ports, and nothing of them outlives the test process:
// neither after a normal stop nor when the process is killed outright.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { startPostgres } from '../support/postgres';
import { toolEnv } from '../support/toolchain';

jest.setTimeout(240_000);

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return condition();
}

describe('throwaway services', () => {
  it('stop() shuts the server down and deletes its temp dir', async () => {
    const postgres = await startPostgres();
    expect(await accepts(postgres.port)).toBe(true);
    await postgres.stop();
    expect(isAlive(postgres.pid)).toBe(false);
    expect(await accepts(postgres.port)).toBe(false);
    expect(existsSync(postgres.workDir)).toBe(false);
  });

  it('are all gone shortly after their test process is killed with SIGKILL', async () => {
    const buildDir = mkdtempSync(join(tmpdir(), 'aurora-flyway-hold-'));
    try {
      const script = join(buildDir, 'hold-services.js');
      buildSync({
        entryPoints: [join(__dirname, 'fixtures', 'hold-services.ts')],
        bundle: true,
        platform: 'node',
        outfile: script,
        logLevel: 'error',
        // service.ts finds reaper.sh next to itself.
        define: { __dirname: JSON.stringify(join(__dirname, '..', 'support')) },
      });
      const child = spawn(process.execPath, [script], { env: toolEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) resolve(output.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`hold-services exited ${code} before reporting`)));
      });
      const held = JSON.parse(line) as { pid: number; workDir: string }[];
      expect(held).toHaveLength(3);
      expect(held.every(({ pid, workDir }) => isAlive(pid) && existsSync(workDir))).toBe(true);

      child.kill('SIGKILL');
      const gone = await waitFor(() => held.every(({ pid, workDir }) => !isAlive(pid) && !existsSync(workDir)), 60_000);
      expect(held.filter(({ pid, workDir }) => isAlive(pid) || existsSync(workDir))).toEqual([]);
      expect(gone).toBe(true);
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });
});
