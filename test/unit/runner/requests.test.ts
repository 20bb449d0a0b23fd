// Hand-over requests are durable until their pass is recorded: taking one moves it aside, only
// completing deletes it, and the next holder of the database's lock takes over what a dead run left.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeRequests, databasesWithRequests, hasRequests, submitRequest, takeRequests } from '../../../runner/src/requests';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'runner-requests-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const submit = (database: string, requestedAt: string) => submitRequest(home, database, { requestedAt, submittedAt: new Date().toISOString(), pid: 1 });
const files = (database: string, folder = '') => {
  try {
    return readdirSync(join(home, database, 'requests', folder)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
};

describe('durable hand-over requests', () => {
  it('taking moves the requests aside, oldest first; they are deleted only when completed', () => {
    submit('users', '2026-12-02T06:00:00.000Z');
    submit('users', '2026-12-02T06:00:01.000Z');
    const taken = takeRequests(home, 'users');
    expect(taken.map((request) => request.requestedAt)).toEqual(['2026-12-02T06:00:00.000Z', '2026-12-02T06:00:01.000Z']);
    expect(files('users')).toEqual([]);
    expect(files('users', 'taken')).toHaveLength(2);
    expect(hasRequests(home, 'users')).toBe(true);
    completeRequests(home, 'users', taken);
    expect(files('users', 'taken')).toEqual([]);
    expect(hasRequests(home, 'users')).toBe(false);
  });

  it('a run does not take its own requests twice, but gets the ones submitted meanwhile', () => {
    submit('users', '2026-12-02T06:00:00.000Z');
    const held = new Set(takeRequests(home, 'users').map((request) => request.name));
    submit('users', '2026-12-02T06:00:05.000Z');
    expect(takeRequests(home, 'users', held).map((request) => request.requestedAt)).toEqual(['2026-12-02T06:00:05.000Z']);
  });

  it('a run that died leaves its taken requests; the next lock holder takes them over with the new ones', () => {
    submit('users', '2026-12-02T06:00:00.000Z');
    takeRequests(home, 'users'); // the run that is then killed: nothing completed
    submit('users', '2026-12-02T06:01:00.000Z');
    const next = takeRequests(home, 'users', new Set());
    expect(next.map((request) => request.requestedAt)).toEqual(['2026-12-02T06:00:00.000Z', '2026-12-02T06:01:00.000Z']);
    expect(databasesWithRequests(home)).toEqual(['users']);
  });

  it('counts a database whose only requests are taken ones nobody recorded', () => {
    submit('orders', '2026-12-02T06:00:00.000Z');
    takeRequests(home, 'orders');
    submit('users', '2026-12-02T06:00:00.000Z');
    expect(databasesWithRequests(home).sort()).toEqual(['orders', 'users']);
  });

  it('an unreadable request still counts as one (it always asks for a pass)', () => {
    submit('users', '2026-12-02T06:00:00.000Z');
    const [request] = takeRequests(home, 'users');
    writeFileSync(join(home, 'users', 'requests', 'taken', request?.name ?? ''), '{not json');
    expect(takeRequests(home, 'users')).toEqual([{ requestedAt: null, submittedAt: '', pid: 0, name: request?.name }]);
  });
});
