// Item 4: the trigger package. Its zipped size, and how long a fresh Node.js takes to load its
// bundle (the part of a Lambda cold start the package decides), next to a naive bundle of the same
// SDK clients built in the same run: esbuild's defaults for Node (the clients' CommonJS builds),
// minified. A third bundle, the committed one's own sources built with CommonJS builds as well,
// tells whether the difference comes from the ES module builds the project prefers.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { readZipEntry } from '../test/harness/zip';
import { PROJECT_ROOT } from '../test/support/terraform';
import type { Measurement } from './result';
import { summarize } from './stats';

const ZIP = join(PROJECT_ROOT, 'lambda', 'dist', 'trigger.zip');
const LOAD = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/** Milliseconds a fresh node process needs to require the file (node's own start not included). */
function loadMs(file: string): number {
  const result = spawnSync(process.execPath, ['-e', LOAD, file], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

async function bundle(dir: string, name: string, contents: string, mainFields: string[] | undefined): Promise<string> {
  const outfile = join(dir, `${name}.js`);
  await build({
    stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'error',
    ...(mainFields === undefined ? {} : { mainFields }),
  });
  return outfile;
}

export async function measurePackage(runs: number): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-package-'));
  try {
    const zipBytes = statSync(ZIP).size;
    const committed = join(dir, 'committed.js');
    writeFileSync(committed, readZipEntry(readFileSync(ZIP), 'index.js'));
    const naive = await bundle(dir, 'naive', "module.exports = [require('@aws-sdk/client-ssm'), require('@aws-sdk/client-s3'), require('@aws-sdk/client-sns')];", undefined);
    const oursCommonJs = await bundle(dir, 'ours-commonjs', "export * from './lambda/src/handler';", ['main', 'module']);
    const files = { committed, naive, oursCommonJs };
    const times: Record<keyof typeof files, number[]> = { committed: [], naive: [], oursCommonJs: [] };
    // Interleaved, so that a burst of load on the machine hits all three alike.
    for (let run = 0; run < runs; run += 1) {
      for (const name of Object.keys(files) as (keyof typeof files)[]) times[name].push(loadMs(files[name]));
    }
    const load = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summarize(values)])) as Record<keyof typeof files, ReturnType<typeof summarize>>;
    const size = (file: string) => statSync(file).size;
    const ratio = load.committed.median / load.naive.median;
    const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
    return {
      id: 'package',
      title: 'Trigger package: size and cold module load',
      figures: [
        { name: 'trigger.zip (committed)', unit: 'bytes', sample: summarize([zipBytes]) },
        { name: 'bundle index.js (committed)', unit: 'bytes', sample: summarize([size(committed)]) },
        { name: 'naive bundle of the three SDK clients', unit: 'bytes', sample: summarize([size(naive)]) },
        { name: 'load committed bundle', unit: 'ms', sample: load.committed },
        { name: 'load naive bundle', unit: 'ms', sample: load.naive },
        { name: 'load the trigger built from CommonJS builds', unit: 'ms', sample: load.oursCommonJs },
      ],
      goals: [
        {
          what: 'zipped trigger package',
          goal: '<= 300 KB',
          measured: kb(zipBytes),
          met: zipBytes <= 300 * 1024,
          note: 'The bundle itself has grown: see which packages it holds (node scripts/build-lambda.mjs prints them) and drop or replace the largest.',
        },
        {
          what: 'cold load, committed / naive',
          goal: '<= 0.8',
          measured: ratio.toFixed(2),
          met: ratio <= 0.8,
          note: 'Next step: compare what the committed and the naive bundle evaluate at load (node --cpu-prof) and build the bundle that loads fastest.',
        },
      ],
      notes: [
        `${runs} interleaved loads of each bundle in fresh node processes (node's own start-up excluded).`,
        `The same trigger built from the SDK's CommonJS builds loads in a median ${load.oursCommonJs.median.toFixed(0)} ms: the ES module builds the project bundles (mainFields module first, so esbuild can drop unused exports) are what makes the committed bundle load ${ratio <= 1 ? 'faster' : 'slower'} than the naive one.`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
