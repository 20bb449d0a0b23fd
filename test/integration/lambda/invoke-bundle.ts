// Invokes the built bundle's handler in a fresh Node process, as Lambda does: a plain CommonJS
// load (Jest's module sandbox cannot run the SDK's dynamic `import("node:http")`), a cold
// start per call, the environment given explicitly. The function's stdout (its JSON log lines)
// is returned; the handler's result or error comes back on file descriptor 3.

import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface Invocation {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
  logs: Record<string, unknown>[];
  stderr: string;
}

const RUNNER = `
const { writeSync } = require('node:fs');
const { handler } = require(process.env.BUNDLE_PATH);
const event = JSON.parse(process.env.BUNDLE_EVENT);
handler(event, { awsRequestId: 'itest-request' }).then(
  (result) => writeSync(3, JSON.stringify({ ok: true, result })),
  (error) => writeSync(3, JSON.stringify({ ok: false, error: { name: error.name, message: error.message } })),
);
`;

function collect(stream: Readable | null | undefined): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    if (!stream) return resolve(text);
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream.on('end', () => resolve(text));
  });
}

export async function invokeBundle(bundlePath: string, event: unknown, env: NodeJS.ProcessEnv): Promise<Invocation> {
  // Asynchronous on purpose: the test process must keep serving moto's SNS deliveries meanwhile.
  const child = spawn(process.execPath, ['-e', RUNNER], {
    env: { ...env, BUNDLE_PATH: bundlePath, BUNDLE_EVENT: JSON.stringify(event) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const [stdout, stderr, outcome] = await Promise.all([collect(child.stdout), collect(child.stderr), collect(child.stdio[3] as Readable)]);
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  if (outcome === '') {
    throw new Error(`the bundle did not report a result (exit code ${child.exitCode}). stderr:\n${stderr}`);
  }
  const logs = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...(JSON.parse(outcome) as Omit<Invocation, 'logs' | 'stderr'>), logs, stderr };
}

const TIMER = `
const { writeSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const { handler } = require(process.env.BUNDLE_PATH);
const event = JSON.parse(process.env.BUNDLE_EVENT);
(async () => {
  const durations = [];
  for (let i = 0; i < Number(process.env.BUNDLE_CALLS); i += 1) {
    const started = performance.now();
    await handler(event, { awsRequestId: 'timed-request-' + i });
    durations.push(performance.now() - started);
  }
  writeSync(3, JSON.stringify(durations));
})().catch((error) => writeSync(3, JSON.stringify({ error: error.name + ': ' + error.message })));
`;

/**
 * Calls the handler `calls` times in one process, as a warm Lambda execution environment reuses
 * its loaded module: the milliseconds of each call (the first one pays the SDK clients' set-up).
 */
export async function timeBundleCalls(bundlePath: string, event: unknown, env: NodeJS.ProcessEnv, calls: number): Promise<number[]> {
  const child = spawn(process.execPath, ['-e', TIMER], {
    env: { ...env, BUNDLE_PATH: bundlePath, BUNDLE_EVENT: JSON.stringify(event), BUNDLE_CALLS: String(calls) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const [, stderr, outcome] = await Promise.all([collect(child.stdout), collect(child.stderr), collect(child.stdio[3] as Readable)]);
  const parsed = outcome === '' ? undefined : (JSON.parse(outcome) as number[] | { error: string });
  if (!Array.isArray(parsed)) throw new Error(`the timed handler calls failed: ${parsed?.error ?? `no result; stderr:\n${stderr}`}`);
  return parsed;
}
