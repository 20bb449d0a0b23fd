// Writes RELIABILITY.md from the rows the reliability tests recorded (build/reliability/cases),
// the evidence their worlds left (build/reliability/evidence, traced by trace.ts), the tests'
// windows (build/reliability/tests) and jest's verdicts (build/jest-results.json). scripts/test
// runs it after jest when the reliability suite ran:
// node scripts/lib/bundle-program.mjs test/reliability/write-report.ts ...

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/terraform';
import { readAll } from '../harness/records';
import { readCases, reliabilityMarkdown, type JestResults } from './cases';
import { EVIDENCE_DIR } from './evidence';
import { TEST_TIMES_DIR, type TestWindow } from './test-windows';
import { traceWorld, type WorldEvidence } from './trace';

const readJson = <T>(path: string, fallback: T): T => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback);

function loadWorld(dir: string): WorldEvidence {
  const world = readJson(join(dir, 'world.json'), { prefix: '', testPath: '' });
  return {
    ...world,
    uploads: readAll(join(dir, 'uploads')),
    invocations: readAll(join(dir, 'invocations')),
    commands: readAll(join(dir, 'commands')),
    notifications: readAll(join(dir, 'notifications')),
    inbox: readAll(join(dir, 'inbox')),
    buckets: readJson(join(dir, 'buckets.json'), []),
    queues: readJson(join(dir, 'queues.json'), []),
  };
}

const results = JSON.parse(readFileSync(join(PROJECT_ROOT, 'build', 'jest-results.json'), 'utf8')) as JestResults;
const rows = readCases();
const worlds = (existsSync(EVIDENCE_DIR) ? readdirSync(EVIDENCE_DIR) : []).map((name) => loadWorld(join(EVIDENCE_DIR, name)));
const evidence = { worlds: worlds.map((world) => ({ prefix: world.prefix, testPath: world.testPath, traces: traceWorld(world) })), windows: readAll<TestWindow>(TEST_TIMES_DIR) };
const { markdown, totals } = reliabilityMarkdown(rows, results, new Date().toISOString(), evidence);
if (totals.tried === 0) {
  console.log('reliability: the suite did not run; RELIABILITY.md left as it is');
} else {
  writeFileSync(join(PROJECT_ROOT, 'RELIABILITY.md'), markdown);
  console.log(
    `reliability: ${totals.tried} case(s) tried, ${totals.passed} passed, ${totals.eventsTraced} event(s) traced in ${worlds.length} world(s), ${totals.eventsLost} lost, password occurrences ${totals.passwordOccurrences ?? 'not searched yet'}; wrote RELIABILITY.md`,
  );
}
