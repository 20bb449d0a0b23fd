// The command's time. Run Command kills the whole process group at the command's executionTimeout
// (the document's timeoutSeconds), and that timer belongs to the first command although its run
// may serve later ones' requests. The document passes the seconds left (--seconds-left), so the
// run can stop starting passes in time, record what is still waiting and fail the command itself,
// instead of being killed with requests in hand. Pure.

/** Kept back for recording the outcome and exiting after the last pass or a stop. */
export const RESERVE_MS = 15_000;
/** What a pass is assumed to need at least, before this run has timed one. */
export const MIN_PASS_MS = 15_000;

export type PassDecision =
  | { start: true; /** Bound for each statement Flyway runs (undefined: no deadline known). */ statementTimeoutMs?: number }
  | { start: false; leftMs: number; neededMs: number };

/**
 * Whether a pass may start now: only if the time left covers the longest pass of this run so far
 * (at least MIN_PASS_MS) plus the reserve. A pass that starts gets a statement timeout that ends
 * before the reserve, so Flyway stops a statement before Run Command kills the run.
 */
export function decidePass(nowMs: number, deadlineMs: number | undefined, longestPassMs: number): PassDecision {
  if (deadlineMs === undefined) return { start: true };
  const leftMs = deadlineMs - nowMs;
  const neededMs = RESERVE_MS + Math.max(MIN_PASS_MS, longestPassMs);
  if (leftMs < neededMs) return { start: false, leftMs, neededMs };
  return { start: true, statementTimeoutMs: leftMs - RESERVE_MS };
}

/** Whether a wait (for the database, for an upload in progress) must give up now to leave the reserve. */
export function mustStopWaiting(nowMs: number, deadlineMs: number | undefined): boolean {
  return deadlineMs !== undefined && deadlineMs - nowMs < RESERVE_MS;
}
