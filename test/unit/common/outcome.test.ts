import { coversContent, coversVersions, newestMigrate, OUTCOME_SCHEMA, recordOfRequest, selectOutcome, type OutcomeRecord } from '../../../common/src/outcome';

const record = (objects: OutcomeRecord['objects']): OutcomeRecord => ({
  schema: OUTCOME_SCHEMA, database: 'users', action: 'migrate', status: 'success', reason: null, schema_version: '2',
  schema_version_before: '1', migrations_applied: 1, objects, rejected: [], requested_at: null, started_at: 't', finished_at: 't',
  exit_code: 0, flyway_exit_code: 0, content_digest: 'c', settings_digest: 's',
});

describe('coversVersions (what a client waits for)', () => {
  const pass = record([
    { key: 'V1__a.sql', version_id: 'v1', etag: 'e1' },
    { key: 'V2__b.sql', version_id: 'v2', etag: 'e2' },
  ]);

  it('is true when the pass saw every uploaded object version', () => {
    expect(coversVersions(pass, [{ key: 'V2__b.sql', versionId: 'v2' }])).toBe(true);
    expect(coversVersions(pass, [])).toBe(true);
  });

  it('is false for a newer version of a key, or a key the pass did not see', () => {
    expect(coversVersions(pass, [{ key: 'V2__b.sql', versionId: 'v3' }])).toBe(false);
    expect(coversVersions(pass, [{ key: 'V3__c.sql', versionId: 'v1' }])).toBe(false);
  });

  it('compares unversioned objects by key', () => {
    expect(coversVersions(record([{ key: 'V1__a.sql', version_id: null, etag: 'e' }]), [{ key: 'V1__a.sql', versionId: null }])).toBe(true);
  });
});

describe('selecting the record that judges an upload from the record history (oldest first)', () => {
  const v = (key: string, version_id: string, etag = `e-${version_id}`) => ({ key, version_id, etag });
  const pass = (objects: OutcomeRecord['objects'], extra: Partial<OutcomeRecord> = {}): OutcomeRecord => ({ ...record(objects), ...extra });
  const passN = pass([v('V1__a.sql', 'a1'), v('V2__b.sql', 'b1')], { schema_version: '2' });
  const passN1 = pass([v('V1__a.sql', 'a1'), v('V2__b.sql', 'b1'), v('V3__c.sql', 'c1')], { status: 'failed', reason: 'V3 failed' });
  const repair = pass([v('V1__a.sql', 'a1'), v('V2__b.sql', 'b1'), v('V3__c.sql', 'c1')], { action: 'repair' });

  it("judges each push by the oldest migrate pass that covers its uploads: A by pass N, B by pass N+1", () => {
    expect(selectOutcome([passN, passN1], [{ key: 'V2__b.sql', versionId: 'b1' }])).toBe(passN);
    expect(selectOutcome([passN, passN1], [{ key: 'V3__c.sql', versionId: 'c1' }])).toBe(passN1);
  });

  it('never takes a repair record for "migrated", and waits when no migrate pass covers the uploads yet', () => {
    expect(selectOutcome([repair], [{ key: 'V3__c.sql', versionId: 'c1' }])).toBeUndefined();
    expect(selectOutcome([repair, passN1], [{ key: 'V3__c.sql', versionId: 'c1' }])).toBe(passN1);
    expect(selectOutcome([passN], [{ key: 'V3__c.sql', versionId: 'c1' }])).toBeUndefined();
    expect(selectOutcome([], [{ key: 'V3__c.sql', versionId: 'c1' }])).toBeUndefined();
  });

  it('needs every uploaded version in one record', () => {
    expect(selectOutcome([passN, passN1], [{ key: 'V2__b.sql', versionId: 'b1' }, { key: 'V3__c.sql', versionId: 'c1' }])).toBe(passN1);
  });

  it('newestMigrate skips repair records', () => {
    expect(newestMigrate([passN, passN1, repair])).toBe(passN1);
    expect(newestMigrate([repair])).toBeUndefined();
  });

  it('recordOfRequest finds the migrate pass that ran a handed-over request, by its RequestedAt', () => {
    const ran = pass([], { requests: ['2026-12-02T06:00:00.000Z', '2026-12-02T06:00:01.000Z'] });
    const other = pass([], { requests: ['2026-12-02T05:00:00.000Z'] });
    expect(recordOfRequest([other, ran], '2026-12-02T06:00:01.000Z')).toBe(ran);
    expect(recordOfRequest([other], '2026-12-02T06:00:01.000Z')).toBeUndefined();
    expect(recordOfRequest([{ ...ran, action: 'repair' }], '2026-12-02T06:00:01.000Z')).toBeUndefined();
    // A version-1 record (before requests were recorded) ran no request anyone can name.
    const { requests: _requests, ...old } = ran;
    expect(recordOfRequest([{ ...old, schema: 1 }], '2026-12-02T06:00:01.000Z')).toBeUndefined();
  });

  it('coversContent compares keys and ETags (quoted or not), whatever the object version', () => {
    expect(coversContent(passN, [{ key: 'V2__b.sql', etag: '"e-b1"' }])).toBe(true);
    expect(coversContent(passN, [{ key: 'V2__b.sql', etag: 'e-other' }])).toBe(false);
    expect(coversContent(passN, [{ key: 'V3__c.sql', etag: 'e-c1' }])).toBe(false);
  });
});
