import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ports } from '../../../runner/src/aws';
import type { MigrationFile } from '../../../runner/src/listing';
import { DownloadFailed, syncFiles } from '../../../runner/src/sync';

const file = (key: string, etag = `"${key}"`): MigrationFile => ({ key, versionId: `v-${key}`, etag, size: 1, kind: 'versioned' });

/** Ports whose getObject serves the key as its body, and fails for the keys in `failing`. */
function s3(failing: Set<string>): { ports: Ports; asked: string[] } {
  const asked: string[] = [];
  const ports = {
    async getObject(_bucket: string, key: string) {
      asked.push(key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing.has(key)) throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError' });
      return Buffer.from(`-- ${key}\n`);
    },
  } as unknown as Ports;
  return { ports, asked };
}

describe('syncFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'sync-')), 'migrations');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = ['V1__a.sql', 'V2__b.sql', 'V3__c.sql', 'V4__d.sql'].map((key) => file(key));

  it('a failed download names its object and keeps what the folder holds consistent with its index', async () => {
    const failing = s3(new Set(['V3__c.sql']));
    const error = await syncFiles(failing.ports, 'b', files, dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadFailed);
    expect(error).toMatchObject({ key: 'V3__c.sql', versionId: 'v-V3__c.sql', cause: { name: 'InternalError' } });
    const index = JSON.parse(readFileSync(join(dir, '.synced.json'), 'utf8')) as Record<string, string>;
    const onDisk = readdirSync(dir).filter((name) => name !== '.synced.json');
    expect(onDisk.sort()).toEqual(Object.keys(index).sort());
    expect(onDisk).not.toContain('V3__c.sql');
    expect(onDisk.some((name) => name.endsWith('.part'))).toBe(false);

    // The next pass downloads only what is missing, and the folder is complete.
    const healthy = s3(new Set());
    await syncFiles(healthy.ports, 'b', files, dir);
    expect(healthy.asked).toEqual(files.map((one) => one.key).filter((key) => !onDisk.includes(key)));
    expect(readdirSync(dir).filter((name) => name !== '.synced.json').sort()).toEqual(files.map((one) => one.key));
    expect(existsSync(join(dir, 'V3__c.sql'))).toBe(true);
  });
});
