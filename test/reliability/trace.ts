// Where each event of a reliability world ended, traced from its evidence (evidence.ts) alone
// (pure): an upload's S3 event -> the invocations that received it -> the commands they sent ->
// an outcome record that covers the object version, or a rejection (the object's tag, the
// record's rejected list), or the on-failure queue's message, or a message on the notification
// topic. An event with none of these is lost. Events the tests made by hand (malformed events,
// unknown buckets, the instance's state change) are traced from their invocations the same way.

import type { OutcomeRecord } from '../../common/src/outcome';
import type { InboxMessage, NotificationRecord } from '../harness/notifications';
import type { CommandRecord, InvocationRecord, UploadRecord } from '../harness/records';
import type { BucketEvidence, QueueMessageEvidence } from './evidence';

export interface WorldEvidence {
  prefix: string;
  testPath: string;
  uploads: UploadRecord[];
  invocations: InvocationRecord[];
  commands: CommandRecord[];
  notifications: NotificationRecord[];
  inbox: InboxMessage[];
  buckets: BucketEvidence[];
  queues: QueueMessageEvidence[];
}

export interface EventTrace {
  /** "s3://bucket/key (version v)", or the hand-made event's kind. */
  event: string;
  at: string;
  fromUpload: boolean;
  /** How it ended; null: no end state found (lost). */
  end: string | null;
  /** Where a person could read about it: only places where the evidence holds a message. */
  seenIn: string[];
}

interface S3Ref {
  bucket: string;
  key: string;
  versionId: string | null;
}

/** The S3 records of an invocation's event, keys decoded as S3 encodes them (form encoding). */
export function s3RecordsOf(event: unknown): S3Ref[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [];
  return records.flatMap((record: { s3?: { bucket?: { name?: string }; object?: { key?: string; versionId?: string } } }) => {
    const bucket = record?.s3?.bucket?.name;
    const key = record?.s3?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') return [];
    let decoded = key;
    try {
      decoded = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      // not form-encoded: kept as sent
    }
    return [{ bucket, key: decoded, versionId: record.s3?.object?.versionId ?? null }];
  });
}

const same = (a: S3Ref, b: S3Ref) => a.bucket === b.bucket && a.key === b.key && (a.versionId ?? '') === (b.versionId ?? '');
const messagesOf = (invocation: InvocationRecord) => invocation.logs.map((line) => String(line.message ?? ''));
const logsAbout = (invocation: InvocationRecord, ref: S3Ref) => invocation.logs.filter((line) => line.key === ref.key && (ref.versionId === null || line.versionId === undefined || line.versionId === ref.versionId));

/** The end of one event, given the invocations that received it (oldest first) and what is about it elsewhere. */
function endOf(world: WorldEvidence, invocations: readonly InvocationRecord[], ref: S3Ref | undefined, mentions: (text: string) => boolean): { end: string | null; seenIn: string[] } {
  const seenIn = new Set<string>();
  const ends: string[] = [];
  const bucket = ref === undefined ? undefined : world.buckets.find((candidate) => candidate.bucket === ref.bucket);
  if (ref !== undefined && bucket !== undefined) {
    const covering = bucket.outcomes.find((record: OutcomeRecord) => record.objects.some((object) => object.key === ref.key && (object.version_id ?? '') === (ref.versionId ?? '')));
    if (covering !== undefined) {
      ends.push(`judged by an outcome record (${covering.action} ${covering.status})`);
      seenIn.add('the outcome record');
    }
    const waiting = bucket.outcomes.find((record) => (record.waiting ?? []).includes(ref.key));
    if (waiting !== undefined && covering === undefined) {
      ends.push(`named as waiting by an outcome record (the run stopped, ${waiting.status})`);
      seenIn.add('the outcome record');
    }
    if (bucket.outcomes.some((record) => record.rejected.some((rejected) => rejected.key === ref.key))) {
      ends.push('rejected by the runner (the outcome record lists it)');
      seenIn.add('the outcome record');
    }
    const tags = bucket.versions.find((version) => version.key === ref.key && (version.versionId ?? '') === (ref.versionId ?? ''))?.tags ?? {};
    if (tags['flyway-rejected'] !== undefined) {
      ends.push('rejected by the trigger (object tag flyway-rejected)');
      seenIn.add('object tag flyway-rejected');
    }
  }
  const commandIds = new Set(invocations.flatMap((invocation) => invocation.commandIds));
  const commands = world.commands.filter((command) => commandIds.has(command.commandId));
  for (const command of commands) {
    if (/^flyway-runner: error: /m.test(`${command.stdout}\n${command.stderr}`)) seenIn.add('the command output');
    const published = world.notifications.filter((record) => record.commandId === command.commandId && record.outcome === 'published');
    if (command.status !== 'Success' && published.length > 0) ends.push(`command ${command.status}; failure notification published`);
  }
  const notified = world.inbox.filter((message) => mentions(message.message) || [...commandIds].some((id) => message.message.includes(id)));
  if (notified.length > 0) {
    seenIn.add(`the notification topic (${notified.length} message(s))`);
    if (ends.length === 0) ends.push('reported to the notification topic');
  }
  const last = invocations[invocations.length - 1];
  if (last !== undefined && !last.ok && world.queues.some((message) => mentions(message.body))) ends.push("in the trigger's on-failure queue");
  for (const invocation of invocations) {
    const lines = ref === undefined ? invocation.logs : logsAbout(invocation, ref);
    if (lines.some((line) => line.level === 'WARN' || line.level === 'ERROR' || line.level === 'warn' || line.level === 'error')) seenIn.add("the trigger's log");
  }
  if (ends.length === 0 && last?.ok === true) {
    const decided = messagesOf(last).find((message) => /^(ignored|rejected|configuration error: bucket is not mapped)/.test(message));
    if (decided !== undefined) {
      ends.push(`decided by the trigger and logged (${decided.split(';')[0]})`);
      seenIn.add("the trigger's log");
    }
  }
  return { end: ends.length === 0 ? null : [...new Set(ends)].join('; '), seenIn: [...seenIn] };
}

/** Every event of a world, traced. */
export function traceWorld(world: WorldEvidence): EventTrace[] {
  const traces: EventTrace[] = [];
  const covered = new Set<InvocationRecord>();
  for (const upload of world.uploads.filter((candidate) => candidate.notifies > 0)) {
    const ref: S3Ref = { bucket: upload.bucket, key: upload.key, versionId: upload.versionId };
    const invocations = world.invocations.filter((invocation) => s3RecordsOf(invocation.event).some((record) => same(record, ref)));
    for (const invocation of invocations) covered.add(invocation);
    const label = `s3://${ref.bucket}/${ref.key}${ref.versionId === null ? '' : ` (version ${ref.versionId})`}`;
    const mentions = (text: string) => text.includes(ref.key) || text.includes(JSON.stringify(ref.key).slice(1, -1)) || (ref.versionId !== null && text.includes(ref.versionId));
    const { end, seenIn } =
      invocations.length === 0 ? { end: null, seenIn: [] } : endOf(world, invocations, ref, mentions);
    for (let target = 0; target < upload.notifies; target += 1) traces.push({ event: label, at: upload.at, fromUpload: true, end, seenIn });
  }
  // Events that no upload of the world made: built by hand, re-driven, or sent by another service.
  const others = new Map<string, InvocationRecord[]>();
  for (const invocation of world.invocations.filter((candidate) => !covered.has(candidate))) {
    const id = JSON.stringify(invocation.event);
    others.set(id, [...(others.get(id) ?? []), invocation]);
  }
  for (const [id, invocations] of others) {
    const event = invocations[0]?.event as { source?: string; 'detail-type'?: string } | undefined;
    const refs = s3RecordsOf(event);
    const label = refs.length > 0 ? `an S3 event no upload made (s3://${refs[0]?.bucket}/${refs[0]?.key})` : event?.source !== undefined ? `${String(event['detail-type'])} (${event.source})` : 'a hand-made event';
    const mentions = (text: string) => (refs.length > 0 ? refs.some((ref) => text.includes(ref.key) || text.includes(ref.bucket)) : text.includes(id.slice(0, 60)));
    const { end, seenIn } = endOf(world, invocations, refs[0], mentions);
    traces.push({ event: label, at: invocations[0]?.at ?? '', fromUpload: false, end: end ?? (invocations[invocations.length - 1]?.ok === true ? 'handled by the trigger' : null), seenIn });
  }
  return traces.sort((a, b) => a.at.localeCompare(b.at));
}
