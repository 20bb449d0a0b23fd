import { occurrences } from '../reliability/leaks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCases, recordCase, reliabilityMarkdown, type CaseRow, type ReportEvidence } from '../reliability/cases';
import { traceWorld, type WorldEvidence } from '../reliability/trace';
import type { InvocationRecord, UploadRecord } from '../harness/records';
import type { OutcomeRecord } from '../../common/src/outcome';

const row = (test: string, extra: Partial<CaseRow> = {}): CaseRow => ({
  test,
  category: 'bad input',
  input: `input of ${test}`,
  where: 'tag | log',
  says: 'it said\nso',
  database: 'schema at 1',
  ...extra,
});

const upload = (key: string, versionId: string, at: string): UploadRecord => ({ bucket: 'b', key, versionId, eventName: 'ObjectCreated:Put', at, notifies: 1 });

const invocation = (key: string, versionId: string, at: string, commandIds: string[], logs: Record<string, unknown>[] = []): InvocationRecord => ({
  functionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:p-trigger',
  at,
  event: { Records: [{ s3: { bucket: { name: 'b' }, object: { key: encodeURIComponent(key).replace(/%20/g, '+'), versionId } } }] },
  ok: true,
  logs,
  commandIds,
  durationMs: 1,
});

const outcome = (objects: { key: string; version_id: string }[], status: 'success' | 'failed' = 'success'): OutcomeRecord =>
  ({ schema: 2, database: 'd', action: 'migrate', status, reason: null, schema_version: '1', schema_version_before: null, migrations_applied: 1, objects: objects.map((object) => ({ ...object, etag: 'e' })), rejected: [] }) as unknown as OutcomeRecord;

function world(parts: Partial<WorldEvidence>): WorldEvidence {
  return { prefix: 'w', testPath: '/repo/test/reliability/x.test.ts', uploads: [], invocations: [], commands: [], notifications: [], inbox: [], buckets: [], queues: [], ...parts };
}

describe('tracing each event from the evidence', () => {
  it('ends an upload\'s event at the outcome record that covers its version, at the trigger\'s rejection tag, or nowhere (lost)', () => {
    const traces = traceWorld(
      world({
        uploads: [upload('V1__a b.sql', 'v1', '2026-12-02T10:00:01Z'), upload('v2__bad.sql', 'v2', '2026-12-02T10:00:02Z'), upload('V3__c.sql', 'v3', '2026-12-02T10:00:03Z')],
        invocations: [invocation('V1__a b.sql', 'v1', '2026-12-02T10:00:01Z', ['c1']), invocation('v2__bad.sql', 'v2', '2026-12-02T10:00:02Z', [])],
        buckets: [
          {
            bucket: 'b',
            versions: [{ key: 'v2__bad.sql', versionId: 'v2', deleteMarker: false, tags: { 'flyway-rejected': 'lowercase prefix' } }],
            outcomes: [outcome([{ key: 'V1__a b.sql', version_id: 'v1' }])],
          },
        ],
      }),
    );
    expect(traces.map((trace) => [trace.event, trace.end])).toEqual([
      ['s3://b/V1__a b.sql (version v1)', 'judged by an outcome record (migrate success)'],
      ['s3://b/v2__bad.sql (version v2)', 'rejected by the trigger (object tag flyway-rejected)'],
      ['s3://b/V3__c.sql (version v3)', null],
    ]);
    expect(traces[1]?.seenIn).toEqual(['object tag flyway-rejected']);
  });

  it('does not take an outcome record of another version of the same key as the end of an event', () => {
    const [trace] = traceWorld(
      world({ uploads: [upload('V1__a.sql', 'v-new', '2026-12-02T10:00:01Z')], invocations: [invocation('V1__a.sql', 'v-new', '2026-12-02T10:00:01Z', ['c1'])], buckets: [{ bucket: 'b', versions: [], outcomes: [outcome([{ key: 'V1__a.sql', version_id: 'v-old' }])] }] }),
    );
    expect(trace?.end).toBeNull();
  });

  it('ends a failed command\'s event at the failure notification the topic delivered', () => {
    const [trace] = traceWorld(
      world({
        uploads: [upload('V1__a.sql', 'v1', '2026-12-02T10:00:01Z')],
        invocations: [invocation('V1__a.sql', 'v1', '2026-12-02T10:00:01Z', ['c1'])],
        commands: [{ commandId: 'c1', status: 'Failed', stdout: 'flyway-runner: error: database not reachable', stderr: '' } as never],
        notifications: [{ at: '2026-12-02T10:00:09Z', event: 'EC2 Command Status-change Notification Failed', commandId: 'c1', rule: 'r', topicArn: 't', outcome: 'published', input: '"Flyway run c1 ended"' }],
        inbox: [{ messageId: 'm1', topicArn: 't', message: '"Flyway run c1 ended with status Failed"', receivedAt: '2026-12-02T10:00:09Z' }],
      }),
    );
    expect(trace?.end).toBe('command Failed; failure notification published');
    expect(trace?.seenIn).toEqual(['the command output', 'the notification topic (1 message(s))']);
  });
});

describe('RELIABILITY.md', () => {
  const results = {
    testResults: [
      { name: '/repo/test/reliability/x.test.ts', assertionResults: [{ fullName: 'a', status: 'passed' }, { fullName: 'b', status: 'failed' }, { fullName: 'c', status: 'passed' }] },
      { name: '/repo/test/unit/other.test.ts', assertionResults: [{ fullName: 'x', status: 'passed' }] },
    ],
  };
  const evidence: ReportEvidence = {
    worlds: [
      {
        prefix: 'w',
        testPath: '/repo/test/reliability/x.test.ts',
        traces: [
          { event: 's3://b/V1__a.sql', at: '2026-12-02T10:00:01Z', fromUpload: true, end: 'judged by an outcome record (migrate success)', seenIn: ['the outcome record'] },
          { event: 's3://b/V2__b.sql', at: '2026-12-02T10:01:01Z', fromUpload: true, end: 'judged by an outcome record (migrate success)', seenIn: ['the outcome record'] },
          { event: 's3://b/V3__c.sql', at: '2026-12-02T10:01:02Z', fromUpload: true, end: null, seenIn: [] },
        ],
      },
    ],
    windows: [
      { test: 'a', testPath: '/repo/test/reliability/x.test.ts', start: '2026-12-02T10:00:00Z', end: '2026-12-02T10:00:59Z' },
      { test: 'b', testPath: '/repo/test/reliability/x.test.ts', start: '2026-12-02T10:01:00Z', end: '2026-12-02T10:01:59Z' },
    ],
  };

  it('takes pass or fail from jest, counts each traced event that ended nowhere as lost (one among several of a row too), and says where the evidence saw messages', () => {
    const { markdown, totals } = reliabilityMarkdown([row('a'), row('b'), row('c')], results, '2026-12-02T11:00:00Z', evidence);
    expect(totals).toEqual({ tried: 3, passed: 2, eventsTraced: 3, eventsLost: 1, passwordOccurrences: null });
    expect(markdown).toContain('| 3 | 2 | 3 | 1 | not searched yet |');
    expect(markdown).toContain('| input of a | the outcome record | it said so | schema at 1 | 1 × judged by an outcome record (migrate success) | yes |');
    expect(markdown).toContain('| input of b | the outcome record | it said so | schema at 1 | 1 × judged by an outcome record (migrate success); 1 × **lost** | **failed** |');
    // A row without events keeps the test's own words for where its message is.
    expect(markdown).toContain('| input of c | tag \\| log | it said so | schema at 1 | no event | yes |');
    expect(markdown).toContain('## Lost events');
    expect(markdown).toContain('s3://b/V3__c.sql (world w)');
  });

  it('adds up the password occurrences of every place searched, one row each', () => {
    const { totals } = reliabilityMarkdown(
      [row('a', { category: 'leak', input: 'place 1', passwordOccurrences: 0 }), row('a', { category: 'leak', input: 'place 2', passwordOccurrences: 2 })],
      results,
      '2026-12-02T11:00:00Z',
      { worlds: [], windows: [] },
    );
    expect(totals.passwordOccurrences).toBe(2);
  });
});

describe('the leak search', () => {
  it('keeps one row per place one test searched, so a leak in any of them reaches the total', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-'));
    try {
      const places = ['state', 'plan', 'user data', 'parameters', 'environment', 'output', 'logs', 'files'];
      places.forEach((place, index) => recordCase({ category: 'leak', input: `searched in ${place}`, where: place, says: '', database: 'unchanged', passwordOccurrences: index === 1 ? 1 : 0 }, dir));
      const rows = readCases(dir);
      expect(rows).toHaveLength(8);
      expect(reliabilityMarkdown(rows, { testResults: [] }, '2026-12-02T11:00:00Z', { worlds: [], windows: [] }).totals.passwordOccurrences).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a secret as it is, JSON-escaped and base64-encoded, and refuses to search for nothing', () => {
    const secret = 'p"w\\d';
    const text = `a ${secret} b ${JSON.stringify({ p: secret })} c ${Buffer.from(secret).toString('base64')}`;
    expect(occurrences(text, secret)).toBe(3);
    expect(occurrences('nothing here', secret)).toBe(0);
    expect(() => occurrences('x', '')).toThrow('empty secret');
  });
});
