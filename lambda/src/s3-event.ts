// Parses what Lambda hands the function into typed upload records. The input is `unknown`
// on purpose: the function can be invoked by anything with permission, so nothing about its
// shape is assumed. Pure: no I/O, no logging; the handler logs the outcome.

/** One S3 ObjectCreated record, key decoded. */
export interface UploadRecord {
  bucket: string;
  key: string;
  versionId?: string;
  sequencer?: string;
  /** ISO-8601 UTC with milliseconds (normalised from the record's eventTime). */
  eventTime: string;
  eventName: string;
  size?: number;
}

/** A record that is not an S3 ObjectCreated record; `index` is its position in Records. */
export interface InvalidRecord {
  index: number;
  reason: string;
  eventSource?: string;
  eventName?: string;
}

export type ParsedEvent =
  | { kind: 's3:TestEvent'; bucket?: string }
  | { kind: 'unrecognised'; reason: string }
  | { kind: 'records'; records: UploadRecord[]; invalid: InvalidRecord[] };

type Obj = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * S3 encodes keys in notifications like an HTML form: `+` is a space, everything else
 * percent-encoded UTF-8 (a literal `+` arrives as `%2B`). Returns undefined when the text is
 * not valid encoding, which S3 never produces.
 */
export function decodeS3Key(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Normalises an eventTime to ISO-8601 UTC with milliseconds, as the runner compares them. */
export function normaliseEventTime(value: string): string | undefined {
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

function parseRecord(record: unknown, index: number): UploadRecord | InvalidRecord {
  if (!isObject(record)) {
    return { index, reason: 'record is not an object' };
  }
  const eventSource = str(record['eventSource']);
  const eventName = str(record['eventName']);
  const invalid = (reason: string): InvalidRecord => ({ index, reason, eventSource, eventName });
  if (eventSource !== 'aws:s3') {
    return invalid('not an S3 record (eventSource is not aws:s3)');
  }
  if (eventName === undefined || !eventName.startsWith('ObjectCreated:')) {
    return invalid('not an ObjectCreated event; only uploads trigger migrations');
  }
  const s3 = record['s3'];
  const bucket = isObject(s3) && isObject(s3['bucket']) ? str(s3['bucket']['name']) : undefined;
  const object = isObject(s3) && isObject(s3['object']) ? s3['object'] : undefined;
  const rawKey = object === undefined ? undefined : str(object['key']);
  if (bucket === undefined || bucket === '' || rawKey === undefined || rawKey === '') {
    return invalid('record has no s3.bucket.name or s3.object.key');
  }
  const key = decodeS3Key(rawKey);
  if (key === undefined) {
    return invalid('s3.object.key is not valid URL encoding');
  }
  const rawTime = str(record['eventTime']);
  const eventTime = rawTime === undefined ? undefined : normaliseEventTime(rawTime);
  if (eventTime === undefined) {
    return invalid('record has no valid eventTime');
  }
  const size = object?.['size'];
  return {
    bucket,
    key,
    versionId: str(object?.['versionId']),
    sequencer: str(object?.['sequencer']),
    eventTime,
    eventName,
    size: typeof size === 'number' ? size : undefined,
  };
}

export function parseS3Event(event: unknown): ParsedEvent {
  if (!isObject(event)) {
    return { kind: 'unrecognised', reason: 'event is not a JSON object' };
  }
  // S3 sends this once when a notification configuration is saved; it is not an upload.
  if (event['Event'] === 's3:TestEvent') {
    return { kind: 's3:TestEvent', bucket: str(event['Bucket']) };
  }
  const records = event['Records'];
  if (!Array.isArray(records)) {
    return { kind: 'unrecognised', reason: 'event has no Records array; not an S3 event notification' };
  }
  const parsed: ParsedEvent = { kind: 'records', records: [], invalid: [] };
  records.forEach((record: unknown, index) => {
    const result = parseRecord(record, index);
    if ('reason' in result) {
      parsed.invalid.push(result);
    } else {
      parsed.records.push(result);
    }
  });
  return parsed;
}
