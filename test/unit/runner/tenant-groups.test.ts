// Tenant groups in the runner, the pure parts: the group's settings (tenants resolved against the
// clusters they name), which tenants may start (canary, on_error), and the group's sum and
// failure message from the tenants' outcomes.
import { parseSettings } from '../../../runner/src/settings';
import { phases, whyNotStart } from '../../../runner/src/tenant-order';
import { summarize, type Ran } from '../../../runner/src/tenant-run';
import { EXIT } from '../../../runner/src/failure';
import { groupFailureMessage } from '../../../runner/src/notify';

const PG = { engine: 'postgresql', host: 'pg.cluster-abc.eu-central-1.rds.amazonaws.com', port: 5432, secret_id: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-pg-AbCdEf' };
const MY = { engine: 'mysql', host: 'my.cluster-abc.eu-central-1.rds.amazonaws.com', port: 3306, secret_id: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-my-AbCdEf' };
const group = {
  key: 'shop',
  bucket: 'shop-shop-123456789012',
  group: { canary: 1, on_error: 'continue' },
  clusters: { pg: PG, mysql: MY },
  tenants: [
    { tenant: 'acme', database: 'acme', cluster: 'pg', schemas: ['public'] },
    { tenant: 'globex', database: 'globex', cluster: 'mysql', schemas: ['globex'] },
  ],
  flyway: { placeholders: { owner: 'team' }, connect_retries: 5, lock_retries: 2 },
};

describe("a tenant group's settings", () => {
  it('resolves each tenant against its cluster, with the group\'s bucket and Flyway options', () => {
    const result = parseSettings(JSON.stringify(group), 'shop');
    if (!result.ok) throw new Error(result.problems.join('; '));
    const { tenants, group: options } = result.settings;
    expect(options).toEqual({ canary: 1, onError: 'continue' });
    expect(tenants?.map((tenant) => [tenant.tenant, tenant.cluster, tenant.engine, tenant.host, tenant.port, tenant.secretId, tenant.database, tenant.schemas.join()])).toEqual([
      ['acme', 'pg', 'postgresql', PG.host, 5432, PG.secret_id, 'acme', 'public'],
      ['globex', 'mysql', 'mysql', MY.host, 3306, MY.secret_id, 'globex', 'globex'],
    ]);
    expect(tenants?.every((tenant) => tenant.bucket === group.bucket && tenant.placeholders.owner === 'team' && tenant.connectRetries === 5 && tenant.lockRetries === 2)).toBe(true);
    // The group's own connection fields are its first tenant's; it never connects with them.
    expect(result.settings).toMatchObject({ key: 'shop', bucket: group.bucket, host: PG.host });
    expect(result.settings).not.toHaveProperty('tenant');
  });

  it.each([
    ['no tenants', { ...group, tenants: [] }, 'tenants must name at least one tenant'],
    ['a tenant on a cluster the settings do not describe', { ...group, tenants: [{ tenant: 'acme', database: 'acme', cluster: 'nowhere' }] }, 'tenant acme: engine undefined is not postgresql or mysql'],
    ['a tenant named twice', { ...group, tenants: [group.tenants[0], group.tenants[0]] }, 'tenants acme appear more than once'],
    ['a bad tenant name', { ...group, tenants: [{ ...group.tenants[0], tenant: 'Acme' }] }, 'tenants[0] must be an object whose tenant matches ^[a-z][a-z0-9_]{0,62}$'],
    ['an unknown on_error', { ...group, group: { on_error: 'ignore' } }, 'group.on_error must be stop or continue'],
    ['a MySQL tenant whose schema is not its database', { ...group, tenants: [{ ...group.tenants[1], schemas: ['other'] }] }, 'tenant globex: for engine mysql the first of flyway.schemas must be the database "globex"'],
  ])('refuses %s', (_name, settings, problem) => {
    const result = parseSettings(JSON.stringify(settings), 'shop');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join('; ')).toContain(problem);
  });
});

describe('which tenants may start', () => {
  it('splits the canaries off (none when canary is 0 or the whole group)', () => {
    expect(phases(['a', 'b', 'c'], 1)).toEqual([['a'], ['b', 'c']]);
    expect(phases(['a', 'b', 'c'], 0)).toEqual([['a', 'b', 'c']]);
    expect(phases(['a', 'b', 'c'], 3)).toEqual([['a', 'b', 'c']]);
  });

  it('on_error stop: nothing starts after a failure; continue: everything does, except after a failed canary', () => {
    expect(whyNotStart({ canary: 0, onError: 'stop' }, [], false, [])).toBeUndefined();
    expect(whyNotStart({ canary: 0, onError: 'stop' }, ['b'], false, [])).toBe('not started: b failed and on_error is stop');
    expect(whyNotStart({ canary: 0, onError: 'continue' }, ['b'], false, [])).toBeUndefined();
    expect(whyNotStart({ canary: 1, onError: 'continue' }, ['a'], false, ['a'])).toBe('not started: the canary tenant(s) a failed');
    // Inside the canary phase only on_error counts.
    expect(whyNotStart({ canary: 2, onError: 'continue' }, ['a'], true, ['a', 'b'])).toBeUndefined();
    expect(whyNotStart({ canary: 1, onError: 'continue' }, ['c'], false, ['a'])).toBeUndefined();
  });
});

describe("the group's sum", () => {
  const ran = (tenant: string, status: Ran['status'], before: string | null, after: string | null, applied: number, extra: Partial<Ran> = {}): Ran => ({
    tenant, database: tenant, cluster: 'pg', status, reason: status === 'success' ? null : `${tenant} went wrong -- do this`, schema_version_before: before, schema_version: after, migrations_applied: applied, duration_ms: 1, ...extra,
  });

  it('succeeds when every tenant did; the group is as far as its least migrated tenant', () => {
    const pass = summarize('shop', [ran('a', 'success', '1', '3', 2, { flywayMs: 10, flywayExitCode: 0 }), ran('b', 'success', null, '3', 3, { flywayMs: 20, flywayExitCode: 0 })]);
    expect(pass.failure).toBeUndefined();
    expect(pass.sum).toEqual({ passes: 1, migrations_applied: 5, schema_version_before: null, schema_version_after: '3', flyway_ms: 30, flyway_exit_code: 0 });
    expect(pass.tenants[0]).not.toHaveProperty('flywayMs');
  });

  it('fails naming every tenant that failed or did not start, with the first failure\'s reason and exit code', () => {
    const pass = summarize('shop', [
      ran('a', 'success', '1', '2', 1),
      ran('b', 'failed', '1', '1', 0, { code: EXIT.auth, flywayExitCode: 1 }),
      ran('c', 'not_started', null, null, 0),
    ]);
    expect(pass.failure?.what).toBe('group shop: tenant(s) b failed (b: b went wrong); c not started; 1 of 3 migrated');
    expect(pass.failure?.code).toBe(EXIT.auth);
    expect(pass.sum.flyway_exit_code).toBe(1);
    expect(pass.sum.schema_version_after).toBeNull();
  });
});

describe("the failure topic's message for a group", () => {
  const outcome = (tenant: string, status: 'success' | 'failed' | 'not_started', reason: string | null) => ({
    tenant, database: `${tenant}_db`, cluster: 'default', status, reason, schema_version_before: null, schema_version: null, migrations_applied: 0, duration_ms: 0,
  });

  it('names the failed tenants with their reasons, the ones not started, and the migrated ones', () => {
    const { subject, message } = groupFailureMessage('shop', 'tenants', [outcome('a', 'success', null), outcome('b', 'failed', 'boom -- fix it'), outcome('c', 'not_started', 'not started: b failed and on_error is stop')], 'do this');
    expect(subject).toBe('Flyway shop: group tenants: 1 tenant(s) failed, 1 not started');
    expect(message.split('\n')).toEqual([
      'The migrate run of the tenant group tenants (pipeline shop) left 2 of 3 tenant(s) unmigrated.',
      '',
      'FAILED       b (database b_db on cluster default): boom -- fix it',
      'NOT STARTED  c: not started: b failed and on_error is stop',
      'migrated     a',
      '',
      'What to do: do this',
      '',
    ]);
  });

  it('keeps the subject within SNS\'s 100 characters', () => {
    expect(groupFailureMessage('p'.repeat(40), 'g'.repeat(24), [outcome('a', 'failed', 'x')], 'y').subject.length).toBeLessThanOrEqual(100);
  });
});
