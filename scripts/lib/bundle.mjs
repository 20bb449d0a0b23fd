// The esbuild settings both shipped bundles use (the trigger Lambda and the host runner), so that
// they are built the same way and both builds stay reproducible.

import { build } from 'esbuild';

/** Bundles one TypeScript entry for Node.js into one minified CommonJS file; returns the metafile. */
export async function bundleForNode(entry, outfile, extra = {}) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    treeShaking: true,
    sourcemap: false,
    // Prefer the SDK's ES module builds: esbuild can drop their unused exports, not CommonJS ones.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    ...extra,
  });
  return result.metafile;
}

/** The npm packages that ended up in a bundle, e.g. @aws-sdk/client-ssm. */
export function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

export function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
}
