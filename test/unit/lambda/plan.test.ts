import { planInvocation } from '../../../lambda/src/plan';
import type { UploadRecord } from '../../../lambda/src/s3-event';

const databases = new Map([
  ['users-bucket', 'users'],
  ['products-bucket', 'products'],
]);

function upload(bucket: string, key: string, eventTime = '2026-11-21T05:00:00.000Z', versionId?: string): UploadRecord {
  return { bucket, key, eventTime, eventName: 'ObjectCreated:Put', versionId, sequencer: '00AA' };
}

describe('planInvocation', () => {
  it('makes one run per database touched, across buckets, with the newest eventTime', () => {
    const plan = planInvocation(
      [
        upload('users-bucket', 'V1__a.sql', '2026-11-21T05:00:02.000Z'),
        upload('products-bucket', 'V1__p.sql', '2026-11-21T05:00:01.000Z'),
        upload('users-bucket', 'V2__b.sql', '2026-11-21T05:00:03.500Z'),
        upload('users-bucket', 'R__views.sql', '2026-11-21T05:00:00.000Z'),
      ],
      databases,
    );
    expect(plan.runs.map((r) => [r.database, r.records.map((x) => x.key), r.requestedAt, r.newest.key])).toEqual([
      ['users', ['V1__a.sql', 'V2__b.sql', 'R__views.sql'], '2026-11-21T05:00:03.500Z', 'V2__b.sql'],
      ['products', ['V1__p.sql'], '2026-11-21T05:00:01.000Z', 'V1__p.sql'],
    ]);
    expect(plan.rejections).toEqual([]);
    expect(plan.unknownBuckets).toEqual([]);
  });

  it('never lets a rejected key start a run on its own, but runs the accepted ones beside it', () => {
    const plan = planInvocation(
      [upload('users-bucket', 'v1__bad.sql', '2026-11-21T06:00:00.000Z'), upload('products-bucket', 'V1_bad.sql'), upload('users-bucket', 'V3__good.sql')],
      databases,
    );
    expect(plan.runs.map((r) => [r.database, r.records.map((x) => x.key), r.requestedAt])).toEqual([
      // The rejected key's later eventTime does not count for RequestedAt.
      ['users', ['V3__good.sql'], '2026-11-21T05:00:00.000Z'],
    ]);
    expect(plan.rejections.map((r) => [r.database, r.record.key, r.code])).toEqual([
      ['users', 'v1__bad.sql', 'lowercase-prefix'],
      ['products', 'V1_bad.sql', 'missing-separator'],
    ]);
  });

  it('sets aside records from a bucket the configuration does not map, grouped by bucket', () => {
    const plan = planInvocation(
      [upload('stranger', 'V1__a.sql'), upload('users-bucket', 'V1__a.sql'), upload('stranger', 'V2__b.sql'), upload('other', 'bad.sql')],
      databases,
    );
    expect(plan.runs.map((r) => r.database)).toEqual(['users']);
    expect(plan.unknownBuckets.map((u) => [u.bucket, u.records.map((r) => r.key)])).toEqual([
      ['stranger', ['V1__a.sql', 'V2__b.sql']],
      ['other', ['bad.sql']],
    ]);
    // Unknown buckets are not classified: nothing is tagged in a bucket we do not own.
    expect(plan.rejections).toEqual([]);
  });

  it('ignores keys that do not end in .sql in any case', () => {
    const plan = planInvocation([upload('users-bucket', 'notes.txt'), upload('stranger', 'x.csv'), upload('users-bucket', 'V1__x.SQL.bak')], databases);
    expect(plan.ignored.map((i) => i.record.key)).toEqual(['notes.txt', 'x.csv', 'V1__x.SQL.bak']);
    expect(plan.runs).toEqual([]);
    expect(plan.unknownBuckets).toEqual([]);
  });

  it('rejects an upper- or mixed-case .sql suffix like any other bad name, never ignores it', () => {
    const plan = planInvocation([upload('users-bucket', 'V1__x.SQL'), upload('products-bucket', 'dir/R__views.Sql'), upload('users-bucket', 'V2__ok.sql'), upload('stranger', 'V3__y.SQL')], databases);
    expect(plan.rejections.map((r) => [r.database, r.record.key, r.code])).toEqual([
      ['users', 'V1__x.SQL', 'suffix-case'],
      ['products', 'dir/R__views.Sql', 'suffix-case'],
    ]);
    expect(plan.rejections[0]?.reason).toMatch(/lower-case \.sql/);
    expect(plan.ignored).toEqual([]);
    expect(plan.runs.map((r) => [r.database, r.records.map((x) => x.key)])).toEqual([['users', ['V2__ok.sql']]]);
    // Like any .sql key from a bucket the configuration does not map: reported, not classified.
    expect(plan.unknownBuckets.map((u) => [u.bucket, u.records.map((r) => r.key)])).toEqual([['stranger', ['V3__y.SQL']]]);
  });

  it('keeps both versions when one key is uploaded twice in an event', () => {
    const plan = planInvocation([upload('users-bucket', 'V1__a.sql', undefined, 'v1'), upload('users-bucket', 'V1__a.sql', undefined, 'v2')], databases);
    expect(plan.runs[0]?.records.map((r) => r.versionId)).toEqual(['v1', 'v2']);
    expect(plan.runs[0]?.newest.versionId).toBe('v2');
  });
});
