// The committed lambda/dist/trigger.zip is what Terraform deploys; this keeps it from going
// stale and checks it is the reproducible, minimal artifact the build promises.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateRawSync } from 'node:zlib';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const script = join(root, 'scripts/build-lambda.mjs');
const artifact = join(root, 'lambda/dist/trigger.zip');

interface Entry {
  name: string;
  method: number;
  dosTime: number;
  dosDate: number;
  mode: number;
  data: Buffer;
}

/** Reads the central directory (enough of the zip format for a single-disk archive of deflated entries). */
function readZip(zip: Buffer): Entry[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i += 1) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      mode: zip.readUInt32LE(at + 38) >>> 16,
      data: inflateRawSync(zip.subarray(dataAt, dataAt + size)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function check(zipPath: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, '--check', '--artifact', zipPath], { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('lambda/dist/trigger.zip', () => {
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'trigger-zip-'));
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('is exactly what the sources build to (run `npm run build` and commit it if this fails)', () => {
    const output = execFileSync(process.execPath, [script, '--check'], { cwd: root, encoding: 'utf8' });
    expect(output).toMatch(/is up to date/);
  });

  it('the check really detects a stale or missing artifact', () => {
    const stale = join(temp, 'stale.zip');
    copyFileSync(artifact, stale);
    const bytes = readFileSync(stale);
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] ?? 0) ^ 0xff;
    writeFileSync(stale, bytes);
    expect(check(stale)).toEqual({ status: 1, output: expect.stringMatching(/stale\.zip is stale: .*Run `npm run build` and commit/) });
    expect(check(join(temp, 'missing.zip'))).toMatchObject({ status: 1, output: expect.stringMatching(/is missing/) });
  });

  it('holds only index.js, with fixed timestamp and mode, exporting the handler', () => {
    const entries = readZip(readFileSync(artifact));
    expect(entries.map(({ name, method, dosTime, dosDate, mode }) => ({ name, method, dosTime, dosDate, mode }))).toEqual([
      { name: 'index.js', method: 8, dosTime: 0, dosDate: 0x21, mode: 0o100644 },
    ]);
    const bundle = join(temp, 'index.js');
    writeFileSync(bundle, entries[0]?.data ?? Buffer.alloc(0));
    // Loading it must not need anything outside the zip (Lambda has only the zip and Node).
    const loaded: unknown = require(bundle);
    expect(typeof (loaded as { handler?: unknown }).handler).toBe('function');
  });

  it('bundles only the SDK clients the function uses', () => {
    const code = readZip(readFileSync(artifact))[0]?.data.toString('utf8') ?? '';
    // Each bundled client embeds its package name (for the user agent) as a string literal;
    // the credential chain's own STS/SSO clients live in @aws-sdk/nested-clients instead.
    const clients = new Set(code.match(/"@aws-sdk\/client-[a-z0-9-]+"/g));
    expect([...clients].sort()).toEqual(['"@aws-sdk/client-s3"', '"@aws-sdk/client-sns"', '"@aws-sdk/client-ssm"']);
    expect(code).not.toMatch(/sourceMappingURL/);
  });
});
