import { decodeS3Key, parseS3Event, type ParsedEvent } from '../../../lambda/src/s3-event';
import { encodeS3Key, s3Event, s3Record, testEvent } from './support/s3-events';

function records(parsed: ParsedEvent) {
  if (parsed.kind !== 'records') throw new Error(`expected records, got ${parsed.kind}`);
  return parsed;
}

describe('decodeS3Key', () => {
  it.each([
    ['V1__create_table.sql', 'V1__create_table.sql'],
    ['V2__add+index.sql', 'V2__add index.sql'], // S3 sends a space as +
    ['V3__a%2Bb.sql', 'V3__a+b.sql'], // and a literal + as %2B
    ['V4__50%25+off.sql', 'V4__50% off.sql'],
    ['users/V5__caf%C3%A9.sql', 'users/V5__café.sql'],
    ['V6__%E6%97%A5%E6%9C%AC.sql', 'V6__日本.sql'],
    ['V7__%F0%9F%9A%80.sql', 'V7__🚀.sql'],
  ])('%s -> %s', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });

  it('round-trips what S3 encodes', () => {
    for (const key of ['a b+c%d/é/日本 🚀.sql', "V1__it's (1) [x] & y=z?.sql"]) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
  });

  it('refuses malformed encoding instead of guessing', () => {
    expect(decodeS3Key('V1__100%.sql')).toBeUndefined();
    expect(decodeS3Key('V1__%E6%97.sql')).toBeUndefined();
  });
});

describe('parseS3Event', () => {
  it('keeps every record of a multi-record event, with version id, sequencer and normalised time', () => {
    const event = s3Event(
      { bucket: 'b1', key: 'V1__a b.sql', versionId: 'v-1', sequencer: '0055AED6DCD90281E5', eventTime: '2026-11-21T05:00:00Z' },
      { bucket: 'b2', key: 'dir/R__view.sql', eventTime: '2026-11-21T06:00:00.123+01:00', size: 7 },
    );
    expect(records(parseS3Event(event))).toEqual({
      kind: 'records',
      invalid: [],
      records: [
        { bucket: 'b1', key: 'V1__a b.sql', versionId: 'v-1', sequencer: '0055AED6DCD90281E5', eventTime: '2026-11-21T05:00:00.000Z', eventName: 'ObjectCreated:Put', size: 42 },
        { bucket: 'b2', key: 'dir/R__view.sql', versionId: undefined, sequencer: expect.any(String), eventTime: '2026-11-21T05:00:00.123Z', eventName: 'ObjectCreated:Put', size: 7 },
      ],
    });
  });

  it('accepts every ObjectCreated variant', () => {
    const names = ['ObjectCreated:Put', 'ObjectCreated:Post', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload'];
    const parsed = records(parseS3Event(s3Event(...names.map((eventName) => ({ bucket: 'b', key: 'V1__x.sql', eventName })))));
    expect(parsed.records.map((r) => r.eventName)).toEqual(names);
  });

  it('recognises the s3:TestEvent S3 sends when the notification is configured', () => {
    expect(parseS3Event(testEvent('b1'))).toEqual({ kind: 's3:TestEvent', bucket: 'b1' });
  });

  it.each([
    ['a string', 'hello', /not a JSON object/],
    ['null', null, /not a JSON object/],
    ['an array', [], /not a JSON object/],
    ['an EventBridge S3 event', { source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, /no Records array/],
  ])('does not take %s for an S3 notification', (_name, event, reason) => {
    const parsed = parseS3Event(event);
    expect(parsed.kind).toBe('unrecognised');
    expect(parsed.kind === 'unrecognised' && parsed.reason).toMatch(reason);
  });

  it('rejects, record by record, what is not an S3 ObjectCreated record', () => {
    const good = s3Record({ bucket: 'b', key: 'V1__x.sql' });
    const event = {
      Records: [
        good,
        { ...good, eventName: 'ObjectRemoved:Delete' },
        { ...good, eventSource: 'aws:sqs' },
        { ...good, s3: { ...good.s3, object: { ...good.s3.object, key: 'V1__100%.sql' } } },
        { ...good, s3: { ...good.s3, bucket: { ...good.s3.bucket, name: '' } } },
        { ...good, eventTime: 'yesterday' },
        'not a record',
      ],
    };
    const parsed = records(parseS3Event(event));
    expect(parsed.records).toHaveLength(1);
    expect(parsed.invalid.map((i) => [i.index, i.reason])).toEqual([
      [1, 'not an ObjectCreated event; only uploads trigger migrations'],
      [2, 'not an S3 record (eventSource is not aws:s3)'],
      [3, 's3.object.key is not valid URL encoding'],
      [4, 'record has no s3.bucket.name or s3.object.key'],
      [5, 'record has no valid eventTime'],
      [6, 'record is not an object'],
    ]);
    expect(parsed.invalid[0]).toMatchObject({ eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete' });
  });
});
