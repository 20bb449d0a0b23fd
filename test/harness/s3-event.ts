// Builds S3 event notifications exactly as S3 sends them to Lambda (event version 2.1). Pure:
// the caller supplies everything S3 would know about the upload (from PutObject / HeadObject).

/** One stored object version, as S3 knows it after the upload. */
export interface StoredObject {
  bucket: string;
  key: string;
  versionId?: string;
  /** Without the quotes S3 puts around ETags in HTTP headers. */
  eTag: string;
  size: number;
  /** ISO-8601 UTC with milliseconds. */
  eventTime: string;
  /** e.g. ObjectCreated:Put (without the `s3:` of notification configurations). */
  eventName: string;
  sequencer: string;
  requestId?: string;
  hostId?: string;
}

export interface EventContext {
  region: string;
  /** The `Id` of the bucket's notification configuration that matched. */
  configurationId: string;
  /** Who uploaded (`AWS:<principal>`). */
  principalId: string;
  ownerPrincipalId: string;
  sourceIPAddress: string;
}

export interface S3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string };
  };
}

export interface S3Event {
  Records: S3EventRecord[];
}

// Characters S3 leaves as they are in a notification's key (like Java's URLEncoder, plus `/`).
const KEPT = /[A-Za-z0-9.*_\-/]/;

/** S3's key encoding in notifications: form-style, a space becomes `+`, `/` stays, the rest is %XX of UTF-8. */
export function encodeS3Key(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (KEPT.test(char)) out += char;
    else
      out += Array.from(Buffer.from(char, 'utf8'))
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}

const SEQUENCER_DIGITS = 18;

/**
 * The next sequencer after `previous`: strictly greater, and at least the clock's value, so that
 * sequencers also grow across processes (a kept demo stack gets uploads from later runs). S3's
 * sequencers are hex strings compared after right-padding; these all have the same length.
 */
export function nextSequencer(previous: string | undefined, nowMs: number): string {
  const fromClock = BigInt(Math.floor(nowMs)) << 16n;
  const afterPrevious = previous === undefined ? 0n : BigInt(`0x${previous}`) + 1n;
  const value = fromClock > afterPrevious ? fromClock : afterPrevious;
  return value.toString(16).toUpperCase().padStart(SEQUENCER_DIGITS, '0');
}

/** The record S3 sends for one stored object version. */
export function buildS3EventRecord(object: StoredObject, context: EventContext): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: context.region,
    eventTime: object.eventTime,
    eventName: object.eventName,
    userIdentity: { principalId: context.principalId },
    requestParameters: { sourceIPAddress: context.sourceIPAddress },
    responseElements: {
      'x-amz-request-id': object.requestId ?? '0000000000000000',
      'x-amz-id-2': object.hostId ?? 'harness',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: context.configurationId,
      bucket: { name: object.bucket, ownerIdentity: { principalId: context.ownerPrincipalId }, arn: `arn:aws:s3:::${object.bucket}` },
      object: {
        key: encodeS3Key(object.key),
        size: object.size,
        eTag: object.eTag,
        ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
        sequencer: object.sequencer,
      },
    },
  };
}

export function buildS3Event(records: readonly S3EventRecord[]): S3Event {
  return { Records: [...records] };
}
