#!/usr/bin/env node
// Bundles one of the project's TypeScript programs (the demo, the bench) into a single file that
// plain node runs, on every run (a fraction of a second), so it is never stale. npm packages stay
// external (node finds them in node_modules); test/support/service.ts finds its reaper script
// through __dirname, so that is pinned to test/support.
//
//   node scripts/lib/bundle-program.mjs <entry.ts> <out.js>

import { buildSync } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [entry, outfile] = process.argv.slice(2);
if (entry === undefined || outfile === undefined || entry === '--help') {
  console.log('Usage: node scripts/lib/bundle-program.mjs <entry.ts> <out.js>');
  process.exit(entry === '--help' ? 0 : 2);
}
buildSync({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outfile: resolve(outfile),
  logLevel: 'error',
  define: { __dirname: JSON.stringify(`${root}/test/support`) },
});
