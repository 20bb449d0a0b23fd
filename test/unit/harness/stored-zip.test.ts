import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { PACKAGE_PATH } from '../../harness/lambda';
import { crc32, readStoredZipEntry, storedZipEntries } from '../../harness/stored-zip';

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

describe('stored zip reader', () => {
  it('reads the handler out of the committed Lambda package', () => {
    const entries = storedZipEntries(readFileSync(PACKAGE_PATH));
    expect([...entries.keys()]).toEqual(['index.js']);
    expect(entries.get('index.js')?.toString('utf8')).toContain('handler');
  });

  it('returns an entry byte for byte', () => {
    const data = Buffer.from('exports.handler = async () => 1;\n');
    expect(readStoredZipEntry(zipOf('index.js', data), 'index.js')).toEqual(data);
  });

  it('names what it cannot read', () => {
    expect(() => readStoredZipEntry(zipOf('index.js', Buffer.from('x')), 'other.js')).toThrow(/no other\.js \(entries: index\.js\)/);
    expect(() => storedZipEntries(zipOf('index.js', Buffer.from('x'.repeat(100)), 8))).toThrow(/compressed/);
    expect(() => storedZipEntries(Buffer.from('not a zip'))).toThrow(/not a zip/);
    const corrupt = zipOf('index.js', Buffer.from('abc'));
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(() => storedZipEntries(corrupt)).toThrow(/CRC/);
  });

  it('uses the package path the module deploys', () => {
    expect(PACKAGE_PATH).toBe(join(__dirname, '..', '..', '..', 'lambda', 'dist', 'trigger.zip'));
  });
});
