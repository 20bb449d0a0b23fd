import { coversVersions, OUTCOME_SCHEMA, type OutcomeRecord } from '../../../common/src/outcome';

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
