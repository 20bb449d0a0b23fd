// Which tenants of a group may start, given what has happened so far. Pure. With canary N, the
// first N tenants run first and the rest only once all of them succeeded; with on_error = stop no
// tenant starts after any failure (those running finish); with continue every tenant runs, except
// after a failed canary.

export type TenantState = 'success' | 'failed';

export interface GroupOptions {
  canary: number;
  onError: 'stop' | 'continue';
}

/** The phases tenants run in: the canaries, then the rest (one phase without a canary). */
export function phases<T>(tenants: readonly T[], canary: number): T[][] {
  const first = Math.min(Math.max(0, canary), tenants.length);
  return first === 0 || first === tenants.length ? [[...tenants]] : [tenants.slice(0, first), tenants.slice(first)];
}

/** Why a tenant must not start now (undefined: it may): `failed` are the tenants that failed so far, `canaries` those of the first phase. */
export function whyNotStart(options: GroupOptions, failed: readonly string[], inCanaryPhase: boolean, canaries: readonly string[]): string | undefined {
  if (failed.length === 0) return undefined;
  const names = failed.join(', ');
  if (!inCanaryPhase && canaries.some((canary) => failed.includes(canary))) return `not started: the canary tenant(s) ${names} failed`;
  if (options.onError === 'stop') return `not started: ${names} failed and on_error is stop`;
  return undefined;
}
