// A tenant group in the client: the push's table, the tenants that did not migrate, and which
// tenants are behind the group's newest version (pure).
import type { OutcomeRecord, TenantOutcome } from '../../../common/src/outcome';
import { groupVersion, tenantStatuses, tenantTable, unmigratedLine } from '../../../client/src/tenants';
import { pipelineOf } from '../../../client/src/pipeline';

const tenant = (name: string, status: TenantOutcome['status'], before: string | null, after: string | null, applied: number): TenantOutcome => ({
  tenant: name, database: name, cluster: 'default', status, reason: null, schema_version_before: before, schema_version: after, migrations_applied: applied, duration_ms: 1234,
});

const record = (tenants: TenantOutcome[]): OutcomeRecord => ({
  schema: 2, database: 'shop', action: 'migrate', status: 'failed', reason: 'group shop: ...', schema_version: null, schema_version_before: null, migrations_applied: 4,
  objects: [{ key: 'V1__a.sql', version_id: '1', etag: 'e' }, { key: 'V2__b.sql', version_id: '2', etag: 'f' }, { key: 'R__view.sql', version_id: '3', etag: 'g' }],
  rejected: [], requested_at: null, started_at: '2026-12-08T01:00:00.000Z', finished_at: '2026-12-08T01:00:05.000Z', exit_code: 7, flyway_exit_code: 1,
  content_digest: 'c', settings_digest: 's', tenants,
});

describe('a tenant group in the client', () => {
  const tenants = [tenant('acme', 'success', null, '2', 2), tenant('initech', 'failed', null, null, 0), tenant('hooli', 'not_started', null, null, 0)];

  it('prints one row per tenant: status, versions, applied, duration', () => {
    const rows = tenantTable(tenants).map((line) => line.trim().split(/ {2,}/));
    expect(rows).toEqual([
      ['TENANT', 'STATUS', 'VERSIONS', 'APPLIED', 'DURATION'],
      ['acme', 'success', 'none -> 2', '2', '1.2 s'],
      ['initech', 'failed', 'none -> none', '0', '1.2 s'],
      ['hooli', 'not started', '0'],
    ]);
  });

  it('names the tenants that failed or did not start', () => {
    expect(unmigratedLine(tenants)).toBe('failed: initech; not started: hooli');
    expect(unmigratedLine([tenants[0]])).toBeUndefined();
  });

  it('shows which tenants are behind the newest version, a tenant added since the last pass too', () => {
    expect(groupVersion(record(tenants))).toBe('2');
    const now = [...tenants, tenant('stark', 'success', null, null, 0)].map(({ tenant: name }) => ({ tenant: name, database: name, cluster: 'default', engine: 'postgresql' as const }));
    expect(tenantStatuses(now, record(tenants)).map((status) => [status.tenant, status.status, status.version, status.behind])).toEqual([
      ['acme', 'success', '2', ''],
      ['initech', 'failed', 'none', 'behind 2'],
      ['hooli', 'not started', 'none', 'behind 2'],
      ['stark', 'never', 'none', 'added after the last pass: the next run migrates it'],
    ]);
  });

  it("reads a group's settings: tenants with their clusters' engines", () => {
    const pipeline = pipelineOf('/shop/flyway', JSON.stringify({ name_prefix: 'shop', engine: 'postgresql' }), [
      JSON.stringify({
        key: 'shop', bucket: 'shop-shop-1', group: { canary: 1, on_error: 'stop' },
        clusters: { default: { engine: 'postgresql', engine_version: '16.6' }, legacy: { engine: 'mysql', engine_version: '8.0.mysql_aurora.3.08.2' } },
        tenants: [{ tenant: 'acme', database: 'acme', cluster: 'default' }, { tenant: 'globex', database: 'globex', cluster: 'legacy' }], flyway: {},
      }),
    ]);
    expect(pipeline.databases[0]).toMatchObject({ key: 'shop', engine: 'postgresql', engineVersion: '16.6', name: 'shop' });
    expect(pipeline.databases[0].tenants).toEqual([
      { tenant: 'acme', database: 'acme', cluster: 'default', engine: 'postgresql', engineVersion: '16.6' },
      { tenant: 'globex', database: 'globex', cluster: 'legacy', engine: 'mysql', engineVersion: '8.0.mysql_aurora.3.08.2' },
    ]);
  });
});
