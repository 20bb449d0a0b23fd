import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { PACKAGE_PATH } from '../../harness/lambda';
import { crc32, readZipEntry, zipEntries } from '../../harness/zip';

function zipOf(name: string, data: Buffer, method = 0): Buffer {
  const stored = method === 0 ? data : deflateRawSync(data);
  const nameBytes = Buffer.from(name);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(method, 8);
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(stored.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes, stored]);
}

describe('zip reader', () => {
  it('reads the handler out of the committed Lambda package', () => {
    const entries = zipEntries(readFileSync(PACKAGE_PATH));
    expect([...entries.keys()]).toEqual(['index.js']);
    expect(entries.get('index.js')?.toString('utf8')).toContain('handler');
  });

  it('returns an entry byte for byte, stored or deflated', () => {
    const data = Buffer.from('exports.handler = async () => 1;\n'.repeat(20));
    expect(readZipEntry(zipOf('index.js', data), 'index.js')).toEqual(data);
    expect(readZipEntry(zipOf('index.js', data, 8), 'index.js')).toEqual(data);
  });

  it('names what it cannot read', () => {
    expect(() => readZipEntry(zipOf('index.js', Buffer.from('x')), 'other.js')).toThrow(/no other\.js \(entries: index\.js\)/);
    expect(() => zipEntries(zipOf('index.js', Buffer.from('x'.repeat(100)), 12))).toThrow(/method 12/);
    const cut = zipOf('index.js', Buffer.from('abc'.repeat(100)), 8);
    expect(() => zipEntries(cut.subarray(0, cut.length - 4))).toThrow(/corrupt/);
    expect(() => zipEntries(Buffer.from('not a zip'))).toThrow(/not a zip/);
    const corrupt = zipOf('index.js', Buffer.from('abc'));
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(() => zipEntries(corrupt)).toThrow(/CRC/);
  });

  it('uses the package path the module deploys', () => {
    expect(PACKAGE_PATH).toBe(join(__dirname, '..', '..', '..', 'lambda', 'dist', 'trigger.zip'));
  });
});
