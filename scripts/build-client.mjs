#!/usr/bin/env node
// Builds the uploader's client: esbuild bundles client/src/main.ts into client/dist/aurora-flyway.js
// (the package's `aurora-flyway` bin), committed so that `npx aurora-flyway` works from a clone
// right after `npm install`. npm packages stay outside the bundle: they are the package's
// dependencies (the SQL parsers load their own WebAssembly and grammar files).
//
//   node scripts/build-client.mjs           build and write the file, print the size
//   node scripts/build-client.mjs --check   build in a temp dir; exit 1 if the committed file is stale
//   node scripts/build-client.mjs --help

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode, kib } from './lib/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'client/src/main.ts');
const artifact = join(root, 'client/dist/aurora-flyway.js');

const USAGE = `Usage: node scripts/build-client.mjs [--check]
  (no flag)  bundle client/src/main.ts to client/dist/aurora-flyway.js
  --check    build in a temp dir and fail if the committed client is stale`;

async function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`build-client: unknown argument ${unknown[0]} (see --help)`);
    return 2;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'build-client-'));
  try {
    const outfile = join(workDir, 'aurora-flyway.js');
    await bundleForNode(entry, outfile, { banner: { js: '#!/usr/bin/env node' }, packages: 'external', minify: false });
    const code = readFileSync(outfile);
    if (args.includes('--check')) {
      if (!existsSync(artifact) || !readFileSync(artifact).equals(code)) {
        console.error(`build-client: ${relative(root, artifact)} is stale: it does not match what client/src builds to. Run \`npm run build\` and commit client/dist/.`);
        return 1;
      }
      console.log(`build-client: ${relative(root, artifact)} is up to date (${kib(code.length)}).`);
      return 0;
    }
    mkdirSync(dirname(artifact), { recursive: true });
    renameSync(outfile, artifact);
    chmodSync(artifact, 0o755);
    console.log(`client   ${relative(root, artifact).padEnd(28)} ${kib(code.length)}`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
