// What every part of a command's work shares: its arguments, the runner's state directory, the
// programs it runs, its AWS ports and host-wide locks, and the command's deadline.

import type { RunnerArgs } from './args';
import type { EndpointOverride } from './endpoints';
import type { Ports } from './aws';
import type { ExitCode } from './failure';
import type { Locks } from './locks';
import type { DatabaseSummary } from '../../common/src/runner-output';

export interface RunnerContext {
  args: RunnerArgs;
  home: string;
  flyway: string;
  caFile: string;
  ports: Ports;
  locks: Locks;
  env: NodeJS.ProcessEnv;
  /** When Run Command kills this command (epoch ms), from --seconds-left; undefined: no limit known. */
  deadlineMs?: number;
  /** TEST ONLY (FLYWAY_RUNNER_DB_ENDPOINT): where the local database server listens. */
  endpointOverride?: EndpointOverride;
}

export interface DatabaseResult extends DatabaseSummary {
  exitCode: ExitCode;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
