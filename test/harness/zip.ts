// Reads a file out of a zip whose entries are stored or deflated, such as the committed
// lambda/dist/trigger.zip (see lambda/README.md). Pure; any other method is an error, not a guess.

import { inflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_DATA_DESCRIPTOR = 0x0008;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Every entry by name, unpacked, in the order stored. */
export function zipEntries(zip: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 30 <= zip.length && zip.readUInt32LE(offset) === LOCAL_HEADER) {
    const flags = zip.readUInt16LE(offset + 6);
    const method = zip.readUInt16LE(offset + 8);
    const crc = zip.readUInt32LE(offset + 14);
    const size = zip.readUInt32LE(offset + 18);
    const unpackedSize = zip.readUInt32LE(offset + 22);
    const nameLength = zip.readUInt16LE(offset + 26);
    const extraLength = zip.readUInt16LE(offset + 28);
    const name = zip.toString('utf8', offset + 30, offset + 30 + nameLength);
    if ((method !== METHOD_STORED && method !== METHOD_DEFLATED) || (flags & FLAG_DATA_DESCRIPTOR) !== 0) {
      throw new Error(`zip entry ${name} uses method ${method}${(flags & FLAG_DATA_DESCRIPTOR) !== 0 ? ' with a data descriptor' : ''}; only stored and deflated entries with sizes in the header can be read here`);
    }
    const start = offset + 30 + nameLength + extraLength;
    const packed = zip.subarray(start, start + size);
    let data: Buffer;
    try {
      data = method === METHOD_STORED ? packed : inflateRawSync(packed);
    } catch {
      throw new Error(`zip entry ${name} is truncated or corrupt (cannot inflate)`);
    }
    if (packed.length !== size || data.length !== unpackedSize || crc32(data) !== crc) throw new Error(`zip entry ${name} is truncated or corrupt (CRC mismatch)`);
    entries.set(name, data);
    offset = start + size;
  }
  if (entries.size === 0) throw new Error('not a zip file (no local file header at the start)');
  return entries;
}

export function readZipEntry(zip: Buffer, name: string): Buffer {
  const entries = zipEntries(zip);
  const data = entries.get(name);
  if (data === undefined) throw new Error(`the zip has no ${name} (entries: ${[...entries.keys()].join(', ')})`);
  return data;
}
