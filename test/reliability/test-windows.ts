// Where each reliability test's start and end are kept (written by test-times.ts, the jest setup
// file; read by the report, which must not load that setup file's hooks).

import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/terraform';

export const TEST_TIMES_DIR = join(PROJECT_ROOT, 'build', 'reliability', 'tests');

export interface TestWindow {
  test: string;
  testPath: string;
  start: string;
  end: string;
}
