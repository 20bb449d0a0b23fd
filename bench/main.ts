// npm run bench [-- --full | --smoke --out <dir>]: measures the pipeline on this machine, writes
// the result as JSON under bench/results/ and regenerates BENCHMARKS.md. --smoke runs every
// measurement at its smallest, only to show the bench still works (npm test runs it), and writes
// to --out instead of the repository.

import { cpus, freemem, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../test/support/terraform';
import { measurePackage } from './package';
import { measurePipeline } from './pipeline';
import { benchmarksMarkdown } from './report';
import type { BenchResult, Measurement } from './result';
import { measureScale } from './scale';
import { measureLint } from './lint';

const USAGE = `Usage: npm run bench [-- --full | --smoke --out <dir>]
  (no flag)  quick run (a few minutes): fewer repetitions and sizes
  --full     every size and more repetitions
  --smoke    every measurement at its smallest, to check the bench works; needs --out <dir>
Writes bench/results/<date>-<mode>.json and BENCHMARKS.md (with --smoke: into --out).`;

interface Options {
  mode: BenchResult['mode'];
  out: string;
}

function parse(args: readonly string[]): Options | undefined {
  if (args.includes('--help') || args.includes('-h')) return undefined;
  const mode = args.includes('--full') ? 'full' : args.includes('--smoke') ? 'smoke' : 'quick';
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
  const known = ['--full', '--smoke', '--out', out];
  const unknown = args.filter((arg) => !known.includes(arg));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (see --help)`);
  if (mode === 'smoke' && out === undefined) throw new Error('--smoke writes to --out <dir>, never into the repository');
  return { mode, out: out ?? PROJECT_ROOT };
}

async function main(args: readonly string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parse(args);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const say = (line: string) => console.log(line);
  const plan = {
    smoke: { loads: 1, counts: [1], plans: 1, bursts: [1], fanouts: [1] },
    quick: { loads: 9, counts: [1, 10, 100], plans: 1, bursts: [1, 10], fanouts: [1, 5] },
    full: { loads: 21, counts: [1, 10, 100], plans: 3, bursts: [1, 10, 50], fanouts: [1, 5, 20] },
  }[options.mode];
  const measurements: Measurement[] = [];
  say(`[bench 1/4] trigger package: size and cold load (${plan.loads} load(s) of each bundle)`);
  measurements.push(await measurePackage(plan.loads));
  say(`[bench 2/4] module scale: terraform plan with ${plan.counts.join(', ')} database(s)`);
  measurements.push(await measureScale(plan.counts, plan.plans, say));
  say(`[bench 3/4] the pipeline on the local stack: bursts of ${plan.bursts.join(', ')} file(s), one upload's overhead, aurora-flyway push, fan-out to ${plan.fanouts.join(', ')} database(s)`);
  measurements.push(...(await measurePipeline({ bursts: plan.bursts, fanouts: plan.fanouts }, say)));
  say('[bench 4/4] the linter on the hazard corpus (bench/lint-corpus), next to squawk');
  measurements.push(await measureLint());

  const result: BenchResult = {
    mode: options.mode,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` },
    measurements,
  };
  const resultsDir = join(options.out, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = join(resultsDir, `${result.startedAt.replace(/[:.]/g, '-')}-${options.mode}.json`);
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(options.out, 'BENCHMARKS.md'), benchmarksMarkdown(result, relative(options.out, resultFile)));
  for (const measurement of measurements) {
    for (const goal of measurement.goals) say(`  ${goal.met ? 'met    ' : 'NOT MET'} ${goal.what}: ${goal.measured} (goal ${goal.goal})`);
  }
  say(`bench: ${options.mode} run done in ${Math.round(result.durationSeconds)} s; wrote ${relative(process.cwd(), resultFile)} and BENCHMARKS.md (free memory ${Math.round(freemem() / 2 ** 20)} MiB)`);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
