// The Debian AWS CLI v2 talks HTTP to the moto server: put objects, sync them down, and sync again
// after a deletion (the runner relies on `aws s3 sync --delete` behaving exactly like this).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotoServer, startMoto } from '../support/moto';
import { runOk } from '../support/run';
import { toolEnv } from '../support/toolchain';

jest.setTimeout(120_000);

describe('AWS CLI v2 against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = (...args: string[]) => runOk('aws', args, { env });

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-cli-smoke-'));
    env = toolEnv(moto.awsEnv);
  });
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is version 2', async () => {
    expect((await aws('--version')).stdout).toMatch(/^aws-cli\/2\./);
  });

  it('puts, syncs and deletes objects', async () => {
    await aws('s3', 'mb', 's3://cli-smoke');
    const upload = join(dir, 'upload');
    mkdirSync(upload);
    writeFileSync(join(upload, 'V1__first.sql'), 'select 1;\n');
    writeFileSync(join(upload, 'V2__second file.sql'), 'select 2;\n');
    await aws('s3', 'cp', join(upload, 'V1__first.sql'), 's3://cli-smoke/V1__first.sql');
    await aws('s3api', 'put-object', '--bucket', 'cli-smoke', '--key', 'V2__second file.sql', '--body', join(upload, 'V2__second file.sql'));

    const local = join(dir, 'local');
    await aws('s3', 'sync', 's3://cli-smoke', local, '--delete', '--no-progress');
    expect(readdirSync(local).sort()).toEqual(['V1__first.sql', 'V2__second file.sql']);
    expect(readFileSync(join(local, 'V2__second file.sql'), 'utf8')).toBe('select 2;\n');

    await aws('s3', 'rm', 's3://cli-smoke/V1__first.sql');
    await aws('s3', 'sync', 's3://cli-smoke', local, '--delete', '--no-progress');
    expect(existsSync(join(local, 'V1__first.sql'))).toBe(false);
    expect(readdirSync(local)).toEqual(['V2__second file.sql']);
  });
});
