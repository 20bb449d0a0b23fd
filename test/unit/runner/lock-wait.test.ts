import { backoffMs, blockersTodo, describeBlockers, firstStatementLine, invalidIndexLeftBy, lockTimeoutOf, retryPlan } from '../../../runner/src/lock-wait';

// Flyway 10.21's error message for a statement PostgreSQL cancelled on lock_timeout (as printed with -outputType=json).
const PG_LOCK_TIMEOUT = 'Script V3__cic2.sql failed\n--------------------------\nSQL State  : 55P03\nError Code : 0\nMessage    : ERROR: canceling statement due to lock timeout\nLocation   : /m/V3__cic2.sql (/m/V3__cic2.sql)\nLine       : 2\nStatement  : CREATE INDEX CONCURRENTLY persons_id_name_idx ON persons (id, name)\n';
const MYSQL_LOCK_TIMEOUT = 'Script V2__add.sql failed\n--------------------------\nSQL State  : HY000\nError Code : 1205\nMessage    : (conn=12) Lock wait timeout exceeded; try restarting transaction\nLocation   : /m/V2__add.sql (/m/V2__add.sql)\nLine       : 1\nStatement  : ALTER TABLE persons ADD COLUMN x INT\n';

describe('a migration that gave up waiting for a lock', () => {
  it("is recognised by the engine's error code, with the failing statement's line and text", () => {
    expect(lockTimeoutOf({ errorCode: 'FAILED_VERSIONED_MIGRATION', message: PG_LOCK_TIMEOUT, path: '/m/V3__cic2.sql' }, 'postgresql')).toEqual({
      line: 2,
      statement: 'CREATE INDEX CONCURRENTLY persons_id_name_idx ON persons (id, name)',
      path: '/m/V3__cic2.sql',
    });
    expect(lockTimeoutOf({ message: MYSQL_LOCK_TIMEOUT }, 'mysql')).toMatchObject({ line: 1, statement: 'ALTER TABLE persons ADD COLUMN x INT' });
    // A statement timeout (57014) or any other failure is not a lock wait.
    expect(lockTimeoutOf({ message: 'SQL State  : 57014\nMessage    : ERROR: canceling statement due to statement timeout' }, 'postgresql')).toBeUndefined();
    expect(lockTimeoutOf({ message: PG_LOCK_TIMEOUT }, 'mysql')).toBeUndefined();
    expect(lockTimeoutOf(undefined, 'postgresql')).toBeUndefined();
  });

  it('is tried again as it is when PostgreSQL rolled it back, and after undoing it only when the first statement timed out', () => {
    expect(retryPlan({ line: 5 }, { recordedFailed: false })).toEqual({ retry: true, repair: false });
    expect(retryPlan({ line: 2, statement: 'CREATE INDEX CONCURRENTLY persons_i ON persons (a)' }, { recordedFailed: true, firstStatementLine: 2 })).toEqual({ retry: true, repair: true, dropInvalidIndex: 'persons_i' });
    expect(retryPlan({ line: 1, statement: 'ALTER TABLE persons ADD COLUMN x INT' }, { recordedFailed: true, firstStatementLine: 1 })).toEqual({ retry: true, repair: true });
    expect(retryPlan({ line: 4 }, { recordedFailed: true, firstStatementLine: 1 })).toMatchObject({ retry: false, why: expect.stringMatching(/statements before .* were applied/) });
    expect(retryPlan({}, { recordedFailed: true, firstStatementLine: 1 })).toMatchObject({ retry: false });
  });

  it('names the index a timed-out CREATE INDEX CONCURRENTLY leaves INVALID', () => {
    expect(invalidIndexLeftBy('CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS app.persons_email ON app.persons (email)')).toBe('app.persons_email');
    expect(invalidIndexLeftBy('create index concurrently "Odd Name" on t (a)')).toBe('"Odd Name"');
    expect(invalidIndexLeftBy('CREATE INDEX persons_i ON persons (a)')).toBeUndefined();
    expect(invalidIndexLeftBy('DROP INDEX CONCURRENTLY persons_i')).toBeUndefined();
  });

  it("finds a file's first statement after blank lines and comments", () => {
    expect(firstStatementLine('-- a\n\n/* b\n c */\n  ALTER TABLE t ADD c int;\n', 'postgresql')).toBe(5);
    expect(firstStatementLine('# mysql comment\nALTER TABLE t ADD c int;', 'mysql')).toBe(2);
    expect(firstStatementLine('# not a comment on PostgreSQL', 'postgresql')).toBe(1);
    expect(firstStatementLine('-- only a comment\n', 'postgresql')).toBeUndefined();
  });

  it('waits longer before each retry, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('names the blocking sessions and what to do about them', () => {
    const blockers = [{ pid: 4242, user: 'app', application: 'billing-job', state: 'idle in transaction', seconds: 61, query: 'SELECT * FROM persons FOR UPDATE' }];
    expect(describeBlockers(blockers)).toBe('pid 4242 (user app, application billing-job, idle in transaction for 61 s, query: "SELECT * FROM persons FOR UPDATE")');
    expect(describeBlockers([])).toMatch(/could not be named/);
    expect(blockersTodo(blockers, 'postgresql', 'users')).toMatch(/pg_terminate_backend\(pid\) for 4242.*aurora-flyway run users migrate/);
    expect(blockersTodo([], 'mysql', 'users')).toMatch(/SHOW PROCESSLIST/);
  });
});
