// The bench still works: `npm run bench -- --smoke` runs every measurement at its smallest and
// writes its result and BENCHMARKS.md (into a temp dir). No timing is asserted here: speed goals
// live in the benchmarks (npm run bench), not in tests.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/run';
import { PROJECT_ROOT } from '../support/terraform';
import type { BenchResult } from '../../bench/result';

jest.setTimeout(600_000);

describe('npm run bench -- --smoke', () => {
  it('measures every benchmark once and writes its result and BENCHMARKS.md', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    try {
      const result = await run('bash', [join(PROJECT_ROOT, 'scripts/bench'), '--smoke', '--out', out], { cwd: PROJECT_ROOT, timeoutMs: 540_000 });
      expect(result.stderr.split('\n').filter((line) => /error/i.test(line))).toEqual([]);
      expect(result.code).toBe(0);
      const [file] = readdirSync(join(out, 'bench', 'results'));
      const written = JSON.parse(readFileSync(join(out, 'bench', 'results', file ?? ''), 'utf8')) as BenchResult;
      expect(written.mode).toBe('smoke');
      expect(written.measurements.map((measurement) => measurement.id)).toEqual(['package', 'scale', 'burst', 'overhead', 'client', 'fanout', 'lint']);
      for (const measurement of written.measurements) {
        for (const figure of measurement.figures) expect(Number.isFinite(figure.sample.median)).toBe(true);
      }
      // The samplers found something: the host's processes, and warm calls of the handler.
      const figures = written.measurements.flatMap((measurement) => measurement.figures);
      expect(figures.find((figure) => figure.name.includes('peak resident memory'))?.sample.median).toBeGreaterThan(50);
      expect(figures.find((figure) => figure.name.startsWith('trigger handler, warm'))?.sample.runs).toBe(20);
      const markdown = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8');
      expect(markdown).toContain('| zipped trigger package | <= 300 KB |');
      // The linter is scored next to squawk, on both engines.
      expect(markdown).toMatch(/\| PostgreSQL hazards flagged \(of \d+\), squawk \| \d+ \|/);
      expect(markdown).toContain('| MySQL false positives on safe patterns | 0 |');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
