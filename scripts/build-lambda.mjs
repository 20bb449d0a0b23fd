#!/usr/bin/env node
// Builds the trigger Lambda: esbuild bundles lambda/src/handler.ts into build/lambda/index.js,
// then a byte-for-byte reproducible zip is written to lambda/dist/trigger.zip (committed, so
// the module applies from a fresh clone without the hashicorp/archive provider; see
// lambda/README.md).
//
//   node scripts/build-lambda.mjs           build, write the bundle and the zip, print sizes
//   node scripts/build-lambda.mjs --check   build in a temp dir; exit 1 if the committed zip is stale
//   --artifact <path>                       compare/write this zip instead (tests use it)
//   node scripts/build-lambda.mjs --help

import { bundledPackages, bundleForNode, kib } from './lib/bundle.mjs';
import { deflateSync } from 'fflate';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'lambda/src/handler.ts');
const bundlePath = join(root, 'build/lambda/index.js');
const defaultZipPath = join(root, 'lambda/dist/trigger.zip');

// ---- reproducible zip (one or more files, no directories) ---------------------------------

// The same bundle must give the same bytes on every machine, so the entry is deflated by fflate,
// a pure-JavaScript deflate (pinned): its output depends only on the input and the level. Node's
// bundled zlib (Chromium's fork) would not do: it picks its match-finder hash by CPU feature
// (SSE4.2 / ARMv8 CRC) and changes between Node releases, so `--check` would fail on a machine
// that differs from the committer's.
// Other fixed metadata: DOS epoch timestamp (1980-01-01 00:00), regular file mode 0644,
// Unix "made by", no extra fields, no comment, entries in the given order.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20; // deflated entries need spec 2.0
const METHOD_DEFLATED = 8;
const DEFLATE_LEVEL = 9;
const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data) {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** @param {{name: string, data: Buffer}[]} files in the order they are stored */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const packed = Buffer.from(deflateSync(data, { level: DEFLATE_LEVEL }));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(METHOD_DEFLATED, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(0, 8); // flags
    central.writeUInt16LE(METHOD_DEFLATED, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    // extra length, comment length, disk number, internal attributes: all 0
    central.writeUInt32LE(EXTERNAL_ATTRS, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ---- bundle -------------------------------------------------------------------------------

const bundle = (outfile) => bundleForNode(entry, outfile);

function writeAtomically(path, data) {
  // Write then rename, so a concurrent reader (a test) never sees a half-written file.
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

const USAGE = `Usage: node scripts/build-lambda.mjs [--check] [--artifact <path>]
  (no flag)          bundle lambda/src/handler.ts to build/lambda/index.js and write lambda/dist/trigger.zip
  --check            build in a temp dir and fail if lambda/dist/trigger.zip is not what the sources produce
  --artifact <path>  the zip to write or check (default: lambda/dist/trigger.zip)`;

function parseArgs(args) {
  const options = { help: false, check: false, zipPath: defaultZipPath };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--check') options.check = true;
    else if (arg === '--artifact' && i + 1 < args.length) options.zipPath = resolve(args[++i]);
    else throw new Error(`unknown or incomplete argument: ${arg} (see --help)`);
  }
  return options;
}

async function main(args) {
  let options;
  try {
    options = parseArgs(args);
  } catch (error) {
    console.error(`build-lambda: ${error.message}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { check, zipPath } = options;
  const shown = relative(root, zipPath);
  const workDir = check ? mkdtempSync(join(tmpdir(), 'build-lambda-')) : undefined;
  try {
    const outfile = workDir === undefined ? bundlePath : join(workDir, 'index.js');
    const metafile = await bundle(outfile);
    const code = readFileSync(outfile);
    const archive = zip([{ name: 'index.js', data: code }]);
    const packages = bundledPackages(metafile);
    const clients = packages.filter((p) => p.startsWith('@aws-sdk/client-'));
    if (check) {
      const committed = existsSync(zipPath) ? readFileSync(zipPath) : undefined;
      if (committed === undefined || !committed.equals(archive)) {
        console.error(
          `build-lambda: ${shown} is ${committed === undefined ? 'missing' : 'stale'}: ` +
            `it does not match what lambda/src builds to. Run \`npm run build\` and commit ${shown}.`,
        );
        return 1;
      }
      console.log(`build-lambda: ${shown} is up to date (${kib(archive.length)} zipped).`);
      return 0;
    }
    writeAtomically(zipPath, archive);
    console.log(`bundle   ${relative(root, bundlePath).padEnd(25)} ${kib(code.length)} unzipped`);
    console.log(`artifact ${shown.padEnd(25)} ${kib(archive.length)} zipped`);
    console.log(`AWS SDK clients bundled: ${clients.join(', ')} (${packages.length} packages in total)`);
    return 0;
  } finally {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
