// A tenant group's part of a migrate pass: the group's files are synced once, then every tenant
// database is migrated with them, each with its own connection, login and schema history, in the
// group's order (tenant-order.ts decides what may start). Tenants run side by side on the slots of
// the host-wide limit (--max-parallel) that are free when the group starts, besides the one its
// run holds. The pass's sum (what the record and the summary show for the group as a whole) is
// computed here, and a failure that names every tenant that failed or did not start.

import type { TenantOutcome } from '../../common/src/outcome';
import { minVersion } from '../../common/src/version';
import type { RunnerContext } from './context';
import { DatabaseAccess } from './database-access';
import { asFailure, EXIT, RunnerFailure, type ExitCode } from './failure';
import type { Lock } from './locks';
import type { Say } from './output';
import type { Settings, TenantSettings } from './settings';
import { migrateTarget, type TargetMigrate, type TargetPlace } from './target-migrate';
import { phases, whyNotStart } from './tenant-order';

export interface GroupPass {
  tenants: TenantOutcome[];
  /** The group's sum for the pass's result. */
  sum: { passes: number; migrations_applied: number; schema_version_before: string | null; schema_version_after: string | null; flyway_ms: number; flyway_exit_code: number | null };
  /** Set when any tenant failed or did not start: names them all. */
  failure?: RunnerFailure;
}

type Place = Omit<TargetPlace, 'access' | 'say'>;

async function migrateTenant(context: RunnerContext, group: string, tenant: TenantSettings, place: Place, say: Say): Promise<Ran> {
  const started = Date.now();
  const partial: Partial<TargetMigrate> = {};
  const outcome = (status: TenantOutcome['status'], reason: string | null): TenantOutcome => ({
    tenant: tenant.tenant,
    database: tenant.database,
    cluster: tenant.cluster,
    status,
    reason,
    schema_version_before: partial.schemaVersionBefore ?? null,
    schema_version: partial.schemaVersionAfter ?? null,
    migrations_applied: partial.migrationsApplied ?? 0,
    duration_ms: Date.now() - started,
  });
  const access = new DatabaseAccess(context, group, say);
  try {
    access.adopt(tenant, `tenant ${tenant.tenant} of the group's settings parameter`);
    const endpoint = access.endpoint();
    say(`tenant ${tenant.tenant}: engine ${tenant.engine}, database ${tenant.database} on ${endpoint.host}:${endpoint.port}`);
    await migrateTarget({ ...place, access, say }, partial);
    say(`tenant ${tenant.tenant}: success, ${partial.migrationsApplied ?? 0} migration(s) applied; schema version ${partial.schemaVersionBefore ?? '<none>'} -> ${partial.schemaVersionAfter ?? '<none>'}`);
    return Object.assign(outcome('success', null), { flywayMs: partial.flywayMs ?? 0 });
  } catch (error) {
    const failure = asFailure(error);
    say(`tenant ${tenant.tenant}: failed: ${failure.what} -- ${failure.todo}`);
    const failed = outcome('failed', `${failure.what} -- ${failure.todo}`);
    if (failure.extra.flywayError !== undefined && failure.extra.flywayError.length > 0) failed.flyway_error = failure.extra.flywayError;
    return Object.assign(failed, { hostFault: failure.hostFault, code: failure.code, flywayExitCode: partial.flywayExitCode ?? failure.extra.flywayExitCode ?? null, flywayMs: partial.flywayMs ?? 0 });
  }
}

/** A tenant's outcome with what the group's sum and failure need besides. */
export interface Ran extends TenantOutcome {
  hostFault?: boolean;
  code?: ExitCode;
  flywayExitCode?: number | null;
  flywayMs?: number;
}

/** Extra host slots for the group, as many as are free now (up to one per tenant beyond the first). */
async function extraSlots(context: RunnerContext, wanted: number): Promise<Lock[]> {
  const slots: Lock[] = [];
  while (slots.length < wanted) {
    const slot = await context.locks.trySlot(context.args.maxParallel);
    if (slot === undefined) break;
    slots.push(slot);
  }
  return slots;
}

export async function migrateTenants(context: RunnerContext, group: string, settings: Settings, place: Place, say: Say): Promise<GroupPass> {
  const tenants = settings.tenants ?? [];
  const options = settings.group ?? { canary: 0, onError: 'stop' as const };
  const [canaries, rest] = phases(tenants, options.canary);
  const canaryNames = rest === undefined ? [] : canaries.map((tenant) => tenant.tenant);
  const results = new Map<string, Ran>();
  const failed = () => [...results.values()].filter((result) => result.status === 'failed').map((result) => result.tenant);
  const slots = await extraSlots(context, Math.min(tenants.length, context.args.maxParallel) - 1);
  const workers = 1 + slots.length;
  say(`migrating ${tenants.length} tenant(s) of the group${canaryNames.length > 0 ? `, canary first (${canaryNames.join(', ')})` : ''}, ${workers} at a time`);
  try {
    for (const [index, phase] of [canaries, ...(rest === undefined ? [] : [rest])].entries()) {
      const queue = [...phase];
      const worker = async () => {
        for (let tenant = queue.shift(); tenant !== undefined; tenant = queue.shift()) {
          const why = whyNotStart(options, failed(), index === 0 && rest !== undefined, canaryNames);
          if (why !== undefined) {
            results.set(tenant.tenant, { tenant: tenant.tenant, database: tenant.database, cluster: tenant.cluster, status: 'not_started', reason: why, schema_version_before: null, schema_version: null, migrations_applied: 0, duration_ms: 0 });
            say(`tenant ${tenant.tenant}: ${why}`);
            continue;
          }
          const tenantSay: Say = (line) => say(line.startsWith(`tenant ${tenant.tenant}`) ? line : `[${tenant.tenant}] ${line}`);
          results.set(tenant.tenant, await migrateTenant(context, group, tenant, place, tenantSay));
        }
      };
      await Promise.all(Array.from({ length: Math.min(workers, phase.length) }, worker));
    }
  } finally {
    for (const slot of slots) await slot.release();
  }
  return summarize(group, tenants.map((tenant) => results.get(tenant.tenant) as Ran));
}

/** The group's sum and, when any tenant did not succeed, the failure that names them. Pure. */
export function summarize(group: string, ran: readonly Ran[]): GroupPass {
  const tenants: TenantOutcome[] = ran.map(({ hostFault: _hostFault, code: _code, flywayExitCode: _exit, flywayMs: _ms, ...outcome }) => outcome);
  const versions = (pick: (tenant: TenantOutcome) => string | null) => {
    const known = tenants.map(pick);
    return known.some((version) => version === null) ? null : (minVersion(known as string[]) ?? null);
  };
  const started = ran.filter((tenant) => tenant.status !== 'not_started');
  const sum = {
    passes: started.length > 0 ? 1 : 0,
    migrations_applied: tenants.reduce((total, tenant) => total + tenant.migrations_applied, 0),
    // The group is as far as its least migrated tenant.
    schema_version_before: versions((tenant) => tenant.schema_version_before),
    schema_version_after: versions((tenant) => tenant.schema_version),
    flyway_ms: ran.reduce((total, tenant) => total + (tenant.flywayMs ?? 0), 0),
    flyway_exit_code: ran.find((tenant) => tenant.status === 'failed')?.flywayExitCode ?? (started.length > 0 ? 0 : null),
  };
  const failedTenants = ran.filter((tenant) => tenant.status === 'failed');
  const notStarted = ran.filter((tenant) => tenant.status === 'not_started');
  if (failedTenants.length === 0 && notStarted.length === 0) return { tenants, sum };
  const first = failedTenants[0];
  const parts = [
    failedTenants.length > 0 ? `tenant(s) ${failedTenants.map((tenant) => tenant.tenant).join(', ')} failed (${first.tenant}: ${(first.reason ?? '').split(' -- ')[0]})` : '',
    notStarted.length > 0 ? `${notStarted.map((tenant) => tenant.tenant).join(', ')} not started` : '',
    `${ran.filter((tenant) => tenant.status === 'success').length} of ${ran.length} migrated`,
  ].filter((part) => part !== '');
  const code = failedTenants.find((tenant) => tenant.code !== undefined && tenant.code !== EXIT.ok)?.code ?? EXIT.migration;
  const failure = new RunnerFailure(
    code,
    `group ${group}: ${parts.join('; ')}`,
    `fix what the failed tenants' errors say (aurora-flyway status ${group} lists every tenant), then upload again or run aurora-flyway run ${group} migrate: tenants already migrated are not migrated twice`,
    { hostFault: failedTenants.some((tenant) => tenant.hostFault === true), flywayExitCode: sum.flyway_exit_code, ...(first?.flyway_error === undefined ? {} : { flywayError: first.flyway_error }) },
  );
  return { tenants, sum, failure };
}
