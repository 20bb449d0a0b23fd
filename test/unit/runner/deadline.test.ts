import { decidePass, MIN_PASS_MS, mustStopWaiting, RESERVE_MS } from '../../../runner/src/deadline';

describe("the command's time (executionTimeout)", () => {
  const now = 1_000_000;

  it('without a deadline every pass starts, with no statement timeout', () => {
    expect(decidePass(now, undefined, 50_000)).toEqual({ start: true });
  });

  it('starts a pass when the time left covers the longest pass so far (at least MIN_PASS_MS) and the reserve, and bounds its statements to end before the reserve', () => {
    expect(decidePass(now, now + 3_600_000, 2_000)).toEqual({ start: true, statementTimeoutMs: 3_600_000 - RESERVE_MS });
    expect(decidePass(now, now + RESERVE_MS + MIN_PASS_MS, 0)).toEqual({ start: true, statementTimeoutMs: MIN_PASS_MS });
  });

  it('stops when too little is left, saying how much is left and needed', () => {
    expect(decidePass(now, now + RESERVE_MS + MIN_PASS_MS - 1, 0)).toEqual({ start: false, leftMs: RESERVE_MS + MIN_PASS_MS - 1, neededMs: RESERVE_MS + MIN_PASS_MS });
    // A run whose passes take 40 s does not start one with 50 s left.
    expect(decidePass(now, now + 50_000, 40_000)).toEqual({ start: false, leftMs: 50_000, neededMs: RESERVE_MS + 40_000 });
    expect(decidePass(now, now - 5_000, 0)).toMatchObject({ start: false, leftMs: -5_000 });
  });

  it('waits give up when only the reserve is left', () => {
    expect(mustStopWaiting(now, undefined)).toBe(false);
    expect(mustStopWaiting(now, now + RESERVE_MS)).toBe(false);
    expect(mustStopWaiting(now, now + RESERVE_MS - 1)).toBe(true);
  });
});
