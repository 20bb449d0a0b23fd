// Each reliability test's start and end (jest setup file of the reliability project): the report
// gives a test the events its world recorded in that window (trace.ts), so no test has to list
// or describe its own events.

import { createHash } from 'node:crypto';
import { writeJson } from '../harness/records';
import { TEST_TIMES_DIR, type TestWindow } from './test-windows';

let start = '';
beforeEach(() => {
  start = new Date().toISOString();
});
afterEach(() => {
  const { currentTestName, testPath } = expect.getState();
  const test = currentTestName ?? 'unknown test';
  const window: TestWindow = { test, testPath: testPath ?? '', start, end: new Date().toISOString() };
  writeJson(TEST_TIMES_DIR, `${createHash('sha256').update(test).digest('hex').slice(0, 16)}.json`, window);
});
