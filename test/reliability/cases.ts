// One row of RELIABILITY.md per reliability test: what was tried and what it read back (the
// message, the database afterwards), written by the test before it asserts. Where the test's
// events went and where their messages appeared are not the test's to say: the report traces
// every event of the test's window from its world's evidence (trace.ts), and a row's "passed" is
// jest's verdict (build/jest-results.json), never the test's claim.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/terraform';
import { readAll, writeJson } from '../harness/records';
import type { EventTrace } from './trace';
import type { TestWindow } from './test-windows';

export const CASES_DIR = join(PROJECT_ROOT, 'build', 'reliability', 'cases');

export interface CaseRow {
  /** jest's full test name (describe + it), the key to the verdict. */
  test: string;
  category: 'bad input' | 'fault' | 'concurrency' | 'leak' | 'least privilege';
  /** The input or fault, e.g. "file name with a lowercase prefix (v1__x.sql)". */
  input: string;
  /** Where the person who uploaded finds the message, as the test knows it; the report shows what the evidence holds instead when the test made events. */
  where: string;
  /** What the message says (read back, not written by the test). */
  says: string;
  /** The database afterwards, e.g. "schema at 1 (unchanged)". */
  database: string;
  /** Password occurrences found (leak cases). */
  passwordOccurrences?: number;
}

/**
 * Records the current test's row (call it before the assertions, so a failing test keeps its row).
 * A test that records several rows (one per place searched) gives each its own input.
 */
export function recordCase(row: Omit<CaseRow, 'test'>, dir = CASES_DIR): void {
  const test = expect.getState().currentTestName ?? 'unknown test';
  writeJson(dir, `${createHash('sha256').update(`${test}\u0000${row.input}`).digest('hex').slice(0, 16)}.json`, { test, ...row });
}

export function readCases(dir = CASES_DIR): CaseRow[] {
  return readAll<CaseRow>(dir);
}

/** The part of jest's --json output the report reads. */
export interface JestResults {
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

export interface ReportTotals {
  tried: number;
  passed: number;
  /** Events traced from the evidence (uploads' S3 events and events made otherwise). */
  eventsTraced: number;
  eventsLost: number;
  passwordOccurrences: number | null;
}

const HEADINGS: Record<CaseRow['category'], string> = { 'bad input': 'Bad inputs', fault: 'Faults', concurrency: 'Concurrency', leak: 'Leaks', 'least privilege': 'Least privilege' };

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The traced events of each world, and each test's window, for the report (see trace.ts and test-times.ts). */
export interface ReportEvidence {
  worlds: { prefix: string; testPath: string; traces: EventTrace[] }[];
  windows: TestWindow[];
}

/** The events of a test: those its world recorded while it ran. */
function eventsOfTest(evidence: ReportEvidence, test: string): EventTrace[] {
  const window = evidence.windows.find((candidate) => candidate.test === test);
  const world = evidence.worlds.find((candidate) => candidate.testPath === window?.testPath);
  if (window === undefined || world === undefined) return [];
  return world.traces.filter((trace) => trace.at >= window.start && trace.at <= window.end);
}

/** "where the event went" of a row: each distinct end with its count; a lost event says so. */
function endsCell(traces: readonly EventTrace[]): string {
  if (traces.length === 0) return 'no event';
  const counts = new Map<string, number>();
  for (const trace of traces) counts.set(trace.end ?? '**lost**', (counts.get(trace.end ?? '**lost**') ?? 0) + 1);
  return [...counts].map(([end, count]) => `${count} × ${end}`).join('; ');
}

/** RELIABILITY.md from the recorded rows, the traced evidence and jest's verdicts (pure). */
export function reliabilityMarkdown(rows: readonly CaseRow[], results: JestResults, generatedAt: string, evidence: ReportEvidence): { markdown: string; totals: ReportTotals } {
  const verdicts = new Map<string, string>();
  for (const file of results.testResults.filter((candidate) => candidate.name.includes('/test/reliability/'))) {
    for (const assertion of file.assertionResults) verdicts.set(assertion.fullName, assertion.status);
  }
  const leakRows = rows.filter((row) => row.passwordOccurrences !== undefined);
  const totals: ReportTotals = {
    tried: verdicts.size,
    passed: [...verdicts.values()].filter((status) => status === 'passed').length,
    eventsTraced: evidence.worlds.reduce((sum, world) => sum + world.traces.length, 0),
    eventsLost: evidence.worlds.reduce((sum, world) => sum + world.traces.filter((trace) => trace.end === null).length, 0),
    passwordOccurrences: leakRows.length === 0 ? null : leakRows.reduce((sum, row) => sum + (row.passwordOccurrences ?? 0), 0),
  };
  const lines = [
    '# Reliability',
    '',
    `Generated by \`npm test\` on ${generatedAt.slice(0, 10)} from the reliability suite (\`test/reliability/\`): each row is one automated test on the local stack (the module applied on the emulator, the harness, the real trigger bundle, the real runner and Flyway, PostgreSQL and MariaDB). The test writes the message and the database it read back; where each of its events ended and where a message about them appeared are traced by the report from the harness's and the emulator's records (uploads, invocations, commands, outcome record versions, object tags, queue messages, messages the notification topic delivered), and an event with no end state counts as lost; "passed" is jest's verdict.`,
    '',
    '| cases tried | passed | events traced | events lost | password occurrences found |',
    '|---|---|---|---|---|',
    `| ${totals.tried} | ${totals.passed} | ${totals.eventsTraced} | ${totals.eventsLost} | ${totals.passwordOccurrences ?? 'not searched yet'} |`,
    '',
  ];
  const lost = evidence.worlds.flatMap((world) => world.traces.filter((trace) => trace.end === null).map((trace) => `- ${trace.at} ${trace.event} (world ${world.prefix}): no invocation, outcome record, rejection, queue message or notification found for it`));
  if (lost.length > 0) lines.push('## Lost events', '', ...lost, '');
  const categories = (Object.keys(HEADINGS) as CaseRow['category'][]).filter((category) => rows.some((row) => row.category === category));
  for (const category of categories) {
    lines.push(`## ${HEADINGS[category]}`, '', '| input or fault | where the message appears | what it says | database afterwards | where the event went | passed |', '|---|---|---|---|---|---|');
    for (const row of rows.filter((candidate) => candidate.category === category).sort((a, b) => a.test.localeCompare(b.test))) {
      const verdict = verdicts.get(row.test) ?? 'not run';
      const traces = eventsOfTest(evidence, row.test);
      const seen = [...new Set(traces.flatMap((trace) => trace.seenIn))];
      const where = traces.length === 0 ? row.where : seen.length === 0 ? 'nowhere (no message observed)' : seen.join(', ');
      lines.push(`| ${cell(row.input)} | ${cell(where)} | ${cell(row.says)} | ${cell(row.database)} | ${cell(endsCell(traces))} | ${verdict === 'passed' ? 'yes' : `**${verdict}**`} |`);
    }
    lines.push('');
  }
  const unrecorded = [...verdicts.keys()].filter((test) => !rows.some((row) => row.test === test));
  if (unrecorded.length > 0) lines.push('Tests without a recorded row:', '', ...unrecorded.map((test) => `- ${test} (${verdicts.get(test)})`), '');
  return { markdown: `${lines.join('\n').trimEnd()}\n`, totals };
}
