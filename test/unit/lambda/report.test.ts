import { buildReport } from '../../../lambda/src/report';
import type { UploadRecord } from '../../../lambda/src/s3-event';

function upload(bucket: string, key: string, versionId?: string): UploadRecord {
  return { bucket, key, versionId, eventTime: '2026-11-21T05:00:00.000Z', eventName: 'ObjectCreated:Put' };
}

describe('buildReport', () => {
  it('is silent when nothing was rejected', () => {
    expect(buildReport({ rejections: [], unknownBuckets: [] })).toBeUndefined();
  });

  it('lists rejections and unknown buckets in one message, with what to do', () => {
    const report = buildReport({
      rejections: [
        { record: upload('users-bucket', 'v1__x.sql', 'ver1'), database: 'users', code: 'lowercase-prefix', reason: 'lowercase prefix: use uppercase V' },
      ],
      unknownBuckets: [{ bucket: 'stranger', records: [upload('stranger', 'V1__a.sql'), upload('stranger', 'V2__b.sql')] }],
    });
    expect(report?.subject).toBe('Flyway trigger: 1 rejected upload, 1 unknown bucket');
    expect(report?.message).toContain('REJECTED s3://users-bucket/v1__x.sql (version ver1) for database users: lowercase prefix: use uppercase V.');
    expect(report?.message).toContain('Upload it again under a valid Flyway name');
    expect(report?.message).toContain("CONFIGURATION ERROR: bucket stranger is not one of the module's database buckets");
    expect(report?.message).toContain('  s3://stranger/V2__b.sql');
    expect(report?.message).toContain('Add the database to the Terraform module and apply');
  });

  it('cannot be given extra lines by a key with control characters', () => {
    const report = buildReport({
      rejections: [{ record: upload('b', 'x\nREJECTED nothing.sql'), database: 'users', code: 'unknown-prefix', reason: 'r' }],
      unknownBuckets: [],
    });
    expect(report?.message.split('\n')).toHaveLength(2);
    expect(report?.message).toContain('s3://b/x\\nREJECTED nothing.sql');
  });

  it('keeps the subject within SNS limits', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ record: upload('b', `x${i}.sql`), database: 'users', code: 'unknown-prefix' as const, reason: 'r' }));
    const report = buildReport({ rejections: many, unknownBuckets: [{ bucket: 'a', records: [upload('a', 'V1__a.sql')] }, { bucket: 'c', records: [upload('c', 'V1__a.sql')] }] });
    expect(report?.subject).toBe('Flyway trigger: 1000 rejected uploads, 2 unknown buckets');
    expect(report?.subject.length).toBeLessThan(100);
  });
});
