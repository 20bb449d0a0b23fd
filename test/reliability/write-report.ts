// Writes RELIABILITY.md from the rows the reliability tests recorded (build/reliability/cases)
// and jest's verdicts (build/jest-results.json). scripts/test runs it after jest when the
// reliability suite ran: node scripts/lib/bundle-program.mjs test/reliability/write-report.ts ...

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/terraform';
import { readCases, reliabilityMarkdown, type JestResults } from './cases';

const results = JSON.parse(readFileSync(join(PROJECT_ROOT, 'build', 'jest-results.json'), 'utf8')) as JestResults;
const rows = readCases();
const { markdown, totals } = reliabilityMarkdown(rows, results, new Date().toISOString());
if (totals.tried === 0) {
  console.log('reliability: the suite did not run; RELIABILITY.md left as it is');
} else {
  writeFileSync(join(PROJECT_ROOT, 'RELIABILITY.md'), markdown);
  console.log(`reliability: ${totals.tried} case(s) tried, ${totals.passed} passed, ${totals.eventsLost} event(s) lost, password occurrences ${totals.passwordOccurrences ?? 'not searched yet'}; wrote RELIABILITY.md`);
}
