import type { Ports } from '../../../runner/src/aws';
import { outcomeRecord, writeOutcome, type PassFacts } from '../../../runner/src/outcome-writer';
import { OUTCOME_KEY } from '../../../common/src/outcome';

const facts: PassFacts = {
  database: 'users',
  action: 'migrate',
  failed: false,
  schemaVersion: '2',
  schemaVersionBefore: '1',
  migrationsApplied: 1,
  objects: [{ key: 'V2__b.sql', version_id: 'v2', etag: 'e2' }],
  rejected: [],
  requests: [{ requestedAt: '2026-12-02T06:00:01.000Z' }, { requestedAt: null }, { requestedAt: '2026-12-02T06:00:00.000Z' }, { requestedAt: '2026-12-02T06:00:01.000Z' }],
  startedAt: new Date('2026-12-02T06:00:02.000Z'),
  finishedAt: new Date('2026-12-02T06:00:04.000Z'),
  exitCode: 0,
  flywayExitCode: 0,
  contentDigest: 'c',
  settingsDigest: 's',
};

describe('the outcome record of a pass', () => {
  it('names every request the pass ran (once each) and the newest as requested_at', () => {
    const record = outcomeRecord(facts);
    expect(record.requests).toEqual(['2026-12-02T06:00:00.000Z', '2026-12-02T06:00:01.000Z']);
    expect(record.requested_at).toBe('2026-12-02T06:00:01.000Z');
    expect(record).toMatchObject({ schema: 2, status: 'success', reason: null });
    expect(record).not.toHaveProperty('waiting');
  });

  it('a failed pass carries its reason with what to do, the versions waiting and Flyway\'s lines', () => {
    const record = outcomeRecord({ ...facts, failed: true, reason: 'stopped', todo: 'run again', waiting: ['V3__c.sql'], flywayError: ['ERROR: syntax error'] });
    expect(record).toMatchObject({ status: 'failed', reason: 'stopped -- run again', waiting: ['V3__c.sql'], flyway_error: ['ERROR: syntax error'] });
  });
});

describe('writing the record', () => {
  const ports = (failures: number) => {
    let calls = 0;
    const port = {
      putObject: async (bucket: string, key: string) => {
        calls += 1;
        expect([bucket, key]).toEqual(['b', OUTCOME_KEY]);
        if (calls <= failures) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
      },
    } as unknown as Ports;
    return { port, calls: () => calls };
  };

  it('tries again after a pause when a write fails past the SDK\'s retries', async () => {
    const { port, calls } = ports(2);
    const said: string[] = [];
    expect(await writeOutcome(port, 'b', outcomeRecord(facts), (line) => said.push(line), [0, 0])).toBeUndefined();
    expect(calls()).toBe(3);
    expect(said.pop()).toBe(`outcome recorded in s3://b/${OUTCOME_KEY}`);
  });

  it('gives the error back when every attempt failed', async () => {
    const { port, calls } = ports(10);
    expect(await writeOutcome(port, 'b', outcomeRecord(facts), () => undefined, [0, 0])).toEqual({ name: 'InternalError', message: 'We encountered an internal error.' });
    expect(calls()).toBe(3);
  });
});
