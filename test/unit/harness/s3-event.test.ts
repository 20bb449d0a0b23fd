import { decodeS3Key, parseS3Event } from '../../../lambda/src/s3-event';
import { buildS3Event, buildS3EventRecord, encodeS3Key, nextSequencer, type EventContext, type StoredObject } from '../../harness/s3-event';

const CONTEXT: EventContext = {
  region: 'eu-central-1',
  configurationId: 'tf-s3-lambda-1',
  principalId: 'AWS:test',
  ownerPrincipalId: 'OWNER',
  sourceIPAddress: '127.0.0.1',
};

const OBJECT: StoredObject = {
  bucket: 'demo-users-123',
  key: 'V1__create table persons.sql',
  versionId: 'v-1',
  eTag: '1f3870be274f6c49b3e31a0c6728957f',
  size: 245,
  eventTime: '2026-11-21T05:00:00.123Z',
  eventName: 'ObjectCreated:Put',
  sequencer: '0000019A1B2C3D0000',
  requestId: 'REQ1',
  hostId: 'HOST1',
};

describe('encodeS3Key', () => {
  it.each([
    ['V1__create_table.sql', 'V1__create_table.sql'],
    ['V2__add index.sql', 'V2__add+index.sql'],
    ['V3__a+b.sql', 'V3__a%2Bb.sql'],
    ['dir/V4__50% off.sql', 'dir/V4__50%25+off.sql'],
    ['V5__café.sql', 'V5__caf%C3%A9.sql'],
    ["V6__it's (1).sql", 'V6__it%27s+%281%29.sql'],
    ['V7__🚀.sql', 'V7__%F0%9F%9A%80.sql'],
  ])('%s -> %s', (key, encoded) => {
    expect(encodeS3Key(key)).toBe(encoded);
  });

  it('round-trips through the trigger\'s decoder', () => {
    for (const key of ['a b+c%d/é/日本 🚀.sql', 'V1__x=y&z?.sql', 'R__~view!.sql']) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
  });
});

describe('nextSequencer', () => {
  it('grows strictly, even when the clock stands still or goes back', () => {
    const first = nextSequencer(undefined, 1_000);
    const second = nextSequencer(first, 1_000);
    const third = nextSequencer(second, 999);
    expect(first < second && second < third).toBe(true);
    expect([first, second, third].every((s) => /^[0-9A-F]{18}$/.test(s))).toBe(true);
  });

  it('follows the clock, so a later process continues above an earlier one', () => {
    const early = nextSequencer(nextSequencer(undefined, 1_000), 1_000);
    expect(nextSequencer(undefined, 2_000) > early).toBe(true);
  });
});

describe('buildS3EventRecord', () => {
  it('has the shape S3 sends (event version 2.1)', () => {
    expect(buildS3EventRecord(OBJECT, CONTEXT)).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-central-1',
      eventTime: '2026-11-21T05:00:00.123Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:test' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'REQ1', 'x-amz-id-2': 'HOST1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'tf-s3-lambda-1',
        bucket: { name: 'demo-users-123', ownerIdentity: { principalId: 'OWNER' }, arn: 'arn:aws:s3:::demo-users-123' },
        object: { key: 'V1__create+table+persons.sql', size: 245, eTag: '1f3870be274f6c49b3e31a0c6728957f', versionId: 'v-1', sequencer: '0000019A1B2C3D0000' },
      },
    });
  });

  it('leaves versionId out for an unversioned bucket, as S3 does', () => {
    const { versionId: _, ...unversioned } = OBJECT;
    expect(buildS3EventRecord(unversioned, CONTEXT).s3.object).not.toHaveProperty('versionId');
  });

  it('is read back by the trigger as the upload it describes', () => {
    const parsed = parseS3Event(buildS3Event([buildS3EventRecord(OBJECT, CONTEXT)]));
    expect(parsed).toEqual({
      kind: 'records',
      invalid: [],
      records: [
        {
          bucket: 'demo-users-123',
          key: 'V1__create table persons.sql',
          versionId: 'v-1',
          sequencer: '0000019A1B2C3D0000',
          eventTime: '2026-11-21T05:00:00.123Z',
          eventName: 'ObjectCreated:Put',
          size: 245,
        },
      ],
    });
  });
});
