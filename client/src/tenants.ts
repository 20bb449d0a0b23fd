// A tenant group in the client's terms (pure): each tenant's row of a push's result, the tenants
// that did not migrate, and which tenants are behind the group's newest version.

import { classifyKey } from '../../common/src/flyway-name';
import type { OutcomeRecord, TenantOutcome } from '../../common/src/outcome';
import { compareVersions, maxVersion } from '../../common/src/version';
import { table } from './output';
import type { Tenant } from './pipeline';

/** The newest version among the accepted files a record covers: the group's version. */
export function groupVersion(record: OutcomeRecord): string | undefined {
  return maxVersion(record.objects.map((object) => classifyKey(object.key)).flatMap((file) => (file.kind === 'versioned' ? [file.version] : [])));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A push's table: one row per tenant, in the group's order. */
export function tenantTable(tenants: readonly TenantOutcome[]): string[] {
  return table(
    ['TENANT', 'STATUS', 'VERSIONS', 'APPLIED', 'DURATION'],
    tenants.map((tenant) => [
      tenant.tenant,
      tenant.status === 'not_started' ? 'not started' : tenant.status,
      tenant.status === 'not_started' ? '' : `${tenant.schema_version_before ?? 'none'} -> ${tenant.schema_version ?? 'none'}`,
      String(tenant.migrations_applied),
      tenant.status === 'not_started' ? '' : seconds(tenant.duration_ms),
    ]),
  );
}

/** The line that names the tenants that did not migrate (undefined when all did). */
export function unmigratedLine(tenants: readonly TenantOutcome[]): string | undefined {
  const failed = tenants.filter((tenant) => tenant.status === 'failed').map((tenant) => tenant.tenant);
  const notStarted = tenants.filter((tenant) => tenant.status === 'not_started').map((tenant) => tenant.tenant);
  if (failed.length === 0 && notStarted.length === 0) return undefined;
  return [failed.length > 0 ? `failed: ${failed.join(', ')}` : '', notStarted.length > 0 ? `not started: ${notStarted.join(', ')}` : ''].filter((part) => part !== '').join('; ');
}

export interface TenantStatus {
  tenant: string;
  database: string;
  cluster: string;
  status: string;
  version: string;
  /** Empty when at the group's version; else why it is behind. */
  behind: string;
}

/**
 * Each tenant the group has now (its settings), against the group's newest record: a tenant that
 * the record does not list (added since) or that is below the newest version is behind.
 */
export function tenantStatuses(tenants: readonly Tenant[], record: OutcomeRecord | undefined): TenantStatus[] {
  const newest = record === undefined ? undefined : groupVersion(record);
  return tenants.map((tenant) => {
    const seen = record?.tenants?.find((candidate) => candidate.tenant === tenant.tenant);
    const base = { tenant: tenant.tenant, database: tenant.database, cluster: tenant.cluster };
    if (seen === undefined) return { ...base, status: 'never', version: 'none', behind: record === undefined ? 'no pass yet' : 'added after the last pass: the next run migrates it' };
    const version = seen.schema_version ?? 'none';
    const below = newest !== undefined && (seen.schema_version === null || compareVersions(seen.schema_version, newest) < 0);
    return { ...base, status: seen.status === 'not_started' ? 'not started' : seen.status, version, behind: below ? `behind ${newest}` : '' };
  });
}

export function tenantStatusTable(statuses: readonly TenantStatus[]): string[] {
  return table(
    ['TENANT', 'DATABASE', 'CLUSTER', 'STATUS', 'SCHEMA VERSION', 'BEHIND'],
    statuses.map((status) => [status.tenant, status.database, status.cluster, status.status, status.version, status.behind]),
  );
}
