// Item 5: module scale. `terraform plan` of the root module against the emulator with 1, 10 and
// 100 databases (the real aws provider; nothing applied). Wall time per plan, and what each
// further database adds.

import { startMoto } from '../test/support/moto';
import { prepareLocalStack } from '../test/support/local-stack';
import type { Measurement } from './result';
import { repeat, summarize, type Sample } from './stats';

function databases(count: number): string {
  return JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`database_${String(i).padStart(3, '0')}`, {}])));
}

export async function measureScale(counts: readonly number[], runs: number, progress: (line: string) => void): Promise<Measurement> {
  const moto = await startMoto();
  const samples = new Map<number, Sample>();
  try {
    for (const count of counts) {
      const stack = prepareLocalStack(moto.awsEnv, { name_prefix: `scale${count}`, databases: databases(count) });
      try {
        await stack.terraform('init', '-input=false', '-no-color');
        const times = await repeat(runs, async () => {
          const started = process.hrtime.bigint();
          await stack.terraform('plan', '-input=false', '-no-color', '-lock=false', '-refresh=false');
          return Number(process.hrtime.bigint() - started) / 1e9;
        });
        samples.set(count, summarize(times));
        progress(`  plan with ${count} database(s): median ${samples.get(count)?.median.toFixed(1)} s`);
      } finally {
        stack.remove();
      }
    }
  } finally {
    await moto.stop();
  }
  const smallest = Math.min(...counts);
  const largest = Math.max(...counts);
  const perDatabase = largest === smallest ? Number.NaN : ((samples.get(largest)?.median ?? 0) - (samples.get(smallest)?.median ?? 0)) / (largest - smallest);
  return {
    id: 'scale',
    title: 'Module scale: terraform plan against the emulator',
    figures: counts.map((count) => ({ name: `plan, ${count} database(s)`, unit: 's', sample: samples.get(count) as Sample })),
    goals: Number.isNaN(perDatabase)
      ? []
      : [{ what: `plan time each further database adds (${smallest} -> ${largest})`, goal: '<= 0.5 s', measured: `${perDatabase.toFixed(2)} s`, met: perDatabase <= 0.5, note: 'Most of the plan is the provider reading the data sources and building the per-bucket resources; next step: profile with TF_LOG=trace.' }],
    notes: [`${runs} plan(s) per size, -refresh=false (nothing exists yet), after one terraform init per size.`],
  };
}
