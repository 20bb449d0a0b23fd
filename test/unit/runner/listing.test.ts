import { CALLBACKS_OFF_REASON } from '../../../common/src/runner-rules';
import { classifyListing, conflicts, keyOfVersion, sameObjects, uploadsToWaitFor, type BucketObject } from '../../../runner/src/listing';

const object = (key: string, etag = `"${key}"`, versionId: string | null = `v-${key}`): BucketObject => ({ key, versionId, etag, size: 1 });

describe('classifyListing', () => {
  const objects = [object('V2__b.sql'), object('V1__a.sql'), object('R__views.sql'), object('afterMigrate.sql'), object('v3__lower.sql'), object('V5__.sql'), object('backup.sql'), object('../V9__escape.sql')];

  it('accepts what the shared naming rules accept, sorted by key, and lists the rest with reason and fix', () => {
    const listing = classifyListing(objects, { callbacks: false });
    expect(listing.accepted.map((file) => file.key)).toEqual(['R__views.sql', 'V1__a.sql', 'V2__b.sql']);
    expect(listing.accepted.find((file) => file.key === 'V2__b.sql')).toMatchObject({ kind: 'versioned', version: '2', versionId: 'v-V2__b.sql' });
    const rejected = Object.fromEntries(listing.rejected.map((r) => [r.key, r.reason]));
    expect(Object.keys(rejected).sort()).toEqual(['../V9__escape.sql', 'V5__.sql', 'afterMigrate.sql', 'backup.sql', 'v3__lower.sql']);
    expect(rejected['afterMigrate.sql']).toBe(CALLBACKS_OFF_REASON);
    expect(rejected['V5__.sql']).toMatch(/^missing description after __: .*; delete or rename the object$/);
    expect(rejected['v3__lower.sql']).toMatch(/^lowercase prefix/);
  });

  it('syncs callbacks only for databases that enable them', () => {
    const listing = classifyListing(objects, { callbacks: true });
    expect(listing.accepted.map((file) => file.key)).toContain('afterMigrate.sql');
    expect(listing.rejected.map((r) => r.key)).not.toContain('afterMigrate.sql');
  });

  it('digests the accepted content: rejected files and version ids do not change it, content does', () => {
    const base = classifyListing([object('V1__a.sql')], { callbacks: false }).contentDigest;
    expect(classifyListing([object('V1__a.sql', '"V1__a.sql"', 'other-version'), object('notes.sql')], { callbacks: false }).contentDigest).toBe(base);
    expect(classifyListing([object('V1__a.sql', '"changed"')], { callbacks: false }).contentDigest).not.toBe(base);
    expect(classifyListing([object('V1__a.sql'), object('V2__b.sql')], { callbacks: false }).contentDigest).not.toBe(base);
  });
});

describe('conflicts', () => {
  it('finds versions Flyway takes for one (V1, V01, V1.0) and repeatables with one description', () => {
    const { accepted } = classifyListing([object('V1__a.sql'), object('V01__b.sql'), object('V1.0__c.sql'), object('V2__d.sql'), object('R__x.sql'), object('sub/R__x.sql')], { callbacks: false });
    expect(conflicts(accepted)).toEqual([
      { what: 'repeatable "x"', keys: ['R__x.sql', 'sub/R__x.sql'] },
      { what: 'version 1', keys: ['V01__b.sql', 'V1.0__c.sql', 'V1__a.sql'] },
    ]);
  });

  it('finds none in a clean listing', () => {
    expect(conflicts(classifyListing([object('V1__a.sql'), object('V1.1__b.sql')], { callbacks: false }).accepted)).toEqual([]);
  });
});

describe('helpers', () => {
  it('names the file of a version', () => {
    const { accepted } = classifyListing([object('V1__a.sql'), object('V02__b.sql')], { callbacks: false });
    expect(keyOfVersion(accepted, '2')).toBe('V02__b.sql');
    expect(keyOfVersion(accepted, '3')).toBeUndefined();
  });

  it('compares listings by key, version and content, in any order', () => {
    expect(sameObjects([object('a.sql'), object('b.sql')], [object('b.sql'), object('a.sql')])).toBe(true);
    expect(sameObjects([object('a.sql')], [object('a.sql', '"a.sql"', 'new')])).toBe(false);
    expect(sameObjects([object('a.sql')], [object('a.sql'), object('b.sql')])).toBe(false);
  });
});

describe('uploadsToWaitFor (a pass never starts while a migration is still being uploaded in parts)', () => {
  const now = Date.parse('2026-12-02T06:00:00Z');
  const upload = (key: string, minutesAgo: number) => ({ key, uploadId: `u-${key}`, initiated: new Date(now - minutesAgo * 60_000) });

  it('waits for uploads of migrations begun within the hour, not for other keys', () => {
    const result = uploadsToWaitFor([upload('V1__big.sql', 2), upload('seed.csv', 1), upload('R__views.sql', 0), upload('notes.md', 0)], now);
    expect(result.waitFor.map((one) => one.key)).toEqual(['V1__big.sql', 'R__views.sql']);
    expect(result.abandoned).toEqual([]);
  });

  it('reports an upload begun over an hour ago as abandoned instead of waiting for it', () => {
    const result = uploadsToWaitFor([upload('V1__big.sql', 61), upload('V2__next.sql', 59)], now);
    expect(result.waitFor.map((one) => one.key)).toEqual(['V2__next.sql']);
    expect(result.abandoned.map((one) => one.key)).toEqual(['V1__big.sql']);
  });

  it('waits for an upload whose start S3 did not report', () => {
    expect(uploadsToWaitFor([{ key: 'V1__a.sql', uploadId: 'u', initiated: undefined }], now).waitFor).toHaveLength(1);
  });
});
