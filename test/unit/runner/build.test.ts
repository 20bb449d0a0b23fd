// runner/dist/flyway-runner.js is what the module uploads and the host runs; this keeps it and its
// checksum file from going stale, and checks the bundle is self-contained.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const artifact = join(root, 'runner/dist/flyway-runner.js');

describe('the committed runner bundle', () => {
  it('is what runner/src builds to (node scripts/build-runner.mjs --check)', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts/build-runner.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('has a checksum file that matches it, in sha256sum format', () => {
    const digest = createHash('sha256').update(readFileSync(artifact)).digest('hex');
    expect(readFileSync(`${artifact}.sha256`, 'utf8')).toBe(`${digest}  flyway-runner.js\n`);
  });

  it('needs no node_modules: it only requires Node.js built-ins', () => {
    const code = readFileSync(artifact, 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]));
    // The S3 client tries this one inside a try/catch, only for SigV4a (multi-region access points).
    required.delete('@aws-sdk/signature-v4-crt');
    for (const name of required) expect(name).toMatch(/^(node:)?(assert|buffer|child_process|crypto|events|fs|fs\/promises|http|https|http2|net|os|path|process|stream|string_decoder|timers|tls|url|util|zlib|dns|worker_threads|async_hooks|perf_hooks|querystring)$/);
  });
});
