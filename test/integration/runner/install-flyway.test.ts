// scripts/install-flyway with the real Flyway archive that setup downloaded from Maven Central:
// versioned install, links, idempotence, checksum refusal, an s3:// source (moto), bad archives.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, MotoServer } from '../../support/moto';
import { toolchain, toolEnv } from '../../support/toolchain';
import { execute, executeOk, INSTALLER } from './support';

jest.setTimeout(300_000);

const WRONG_SHA = 'f'.repeat(64);
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aurora-flyway-installer-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function dirs(name: string) {
  const base = join(root, name);
  return { prefix: join(base, 'opt'), binDir: join(base, 'bin') };
}

const install = (args: string[], env: Record<string, string> = {}) => execute(INSTALLER, args, { env: toolEnv(env), timeoutMs: 240_000 });

describe('install-flyway', () => {
  const { flywayVersion: version, flywaySha256: sha256, flywayArchive: archive } = toolchain();

  it('installs the pinned version into <prefix>/flyway-<V>, links current and the bin dir, and that flyway runs', async () => {
    const { prefix, binDir } = dirs('local');
    const result = await install(['--version', version, '--sha256', sha256, '--source', archive, '--prefix', prefix, '--bin-dir', binDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`install-flyway: SHA-256 verified: ${sha256}`);
    expect(readdirSync(prefix).sort()).toEqual(['current', `flyway-${version}`]);
    expect(readlinkSync(join(prefix, 'current'))).toBe(`flyway-${version}`);
    expect(readlinkSync(join(binDir, 'flyway'))).toBe(join(prefix, 'current', 'flyway'));
    const flyway = await executeOk(join(binDir, 'flyway'), ['-v', '-skipCheckForUpdate'], { env: toolEnv(), timeoutMs: 60_000 });
    expect(flyway.stdout).toContain(`Flyway OSS Edition ${version} by Redgate`);

    // Again: a no-op that leaves the installed files alone.
    const before = statSync(join(prefix, `flyway-${version}`, 'flyway')).mtimeMs;
    const again = await install(['--version', version, '--sha256', sha256, '--source', archive, '--prefix', prefix, '--bin-dir', binDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Flyway ${version} is already installed in ${join(prefix, `flyway-${version}`)}`);
    expect(again.stdout).not.toContain('fetching');
    expect(statSync(join(prefix, `flyway-${version}`, 'flyway')).mtimeMs).toBe(before);
  });

  it('refuses an archive whose SHA-256 differs and leaves nothing installed', async () => {
    const { prefix, binDir } = dirs('wrong-sha');
    const result = await install(['--version', version, '--sha256', WRONG_SHA, '--source', archive, '--prefix', prefix, '--bin-dir', binDir]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`install-flyway: error: SHA-256 mismatch for ${archive}: expected ${WRONG_SHA}, got ${sha256}; nothing was installed`);
    expect(readdirSync(prefix)).toEqual([]);
    expect(existsSync(binDir)).toBe(false);
  });

  it('takes an s3:// source (hosts without internet access)', async () => {
    let moto: MotoServer | undefined;
    try {
      moto = await startMoto();
      // Uploaded with the AWS CLI (multipart): the SDK's single streamed PutObject takes minutes on moto.
      const aws = (args: string[]) => executeOk('aws', args, { env: toolEnv(moto?.awsEnv), timeoutMs: 120_000 });
      const key = `flyway/flyway-commandline-${version}.tar.gz`;
      await aws(['s3api', 'create-bucket', '--bucket', 'itest-artifacts', '--create-bucket-configuration', `LocationConstraint=${moto.region}`]);
      await aws(['s3', 'cp', '--no-progress', archive, `s3://itest-artifacts/${key}`]);
      const { prefix, binDir } = dirs('s3');
      const result = await install(['--version', version, '--sha256', sha256, '--source', `s3://itest-artifacts/${key}`, '--prefix', prefix, '--bin-dir', binDir], moto.awsEnv);
      expect(result.code).toBe(0);
      expect(lstatSync(join(prefix, `flyway-${version}`, 'flyway')).isFile()).toBe(true);
      expect(readFileSync(join(prefix, `flyway-${version}`, '.install-flyway-sha256'), 'utf8').trim()).toBe(sha256);
    } finally {
      await moto?.stop();
    }
  });

  it('takes a maven: source, fetched by Maven\'s own client (the module\'s default) and SHA-256 verified', async () => {
    const { prefix, binDir } = dirs('maven');
    const source = `maven:org.flywaydb:flyway-commandline:${version}:tar.gz`;
    const result = await install(['--version', version, '--sha256', sha256, '--source', source, '--prefix', prefix, '--bin-dir', binDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(join(prefix, `flyway-${version}`, '.install-flyway-sha256'), 'utf8').trim()).toBe(sha256);
    const wrong = await install(['--version', version, '--sha256', 'ab'.repeat(32), '--source', source, '--prefix', join(root, 'maven-wrong'), '--bin-dir', binDir]);
    expect(wrong.code).toBe(3);
  });

  it('refuses a verified archive that is not a Flyway CLI archive', async () => {
    const content = join(root, 'not-flyway');
    mkdirSync(join(content, 'something-else'), { recursive: true });
    writeFileSync(join(content, 'something-else', 'README'), 'hello\n');
    const tarball = join(root, 'not-flyway.tar.gz');
    await executeOk('tar', ['-czf', tarball, '-C', content, 'something-else']);
    const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex');
    const { prefix, binDir } = dirs('not-flyway');
    const result = await install(['--version', '1.2.3', '--sha256', digest, '--source', tarball, '--prefix', prefix, '--bin-dir', binDir]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('does not look like a Flyway command-line archive');
    expect(readdirSync(prefix)).toEqual([]);
  });

  const SHA = 'ab'.repeat(32);
  it.each([
    ['no --version', ['--sha256', SHA], '--version is required'],
    ['a short --sha256', ['--version', '10.21.0', '--sha256', 'xyz'], '--sha256 must be 64 hex digits'],
    ['shell text in --version', ['--version', '10.21.0; rm -rf /', '--sha256', SHA], '--version must look like 10.21.0'],
    ['a plain http source', ['--version', '10.21.0', '--sha256', SHA, '--source', 'http://example.com/flyway.tar.gz'], 'plain http is refused'],
    ['a relative prefix', ['--version', '10.21.0', '--sha256', SHA, '--prefix', 'relative/dir'], '--prefix must be an absolute path'],
    ['an unknown option', ['--version', '10.21.0', '--sha256', SHA, '--bogus'], 'unknown argument --bogus'],
  ])('usage error (exit 2): %s', async (_name, args, message) => {
    const result = await install(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('--help names the default source: Redgate\'s official download location', async () => {
    const result = await install(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'https://download.red-gate.com/maven/release/com/redgate/flyway/flyway-commandline/<V>/flyway-commandline-<V>-linux-x64.tar.gz',
    );
  });
});
