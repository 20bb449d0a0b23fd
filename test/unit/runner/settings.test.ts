import { parseSettings } from '../../../runner/src/settings';

const good = {
  key: 'users',
  bucket: 'shop-users-123456789012',
  database: 'users',
  engine: 'postgresql',
  host: 'shop-aurora.cluster-abc.eu-central-1.rds.amazonaws.com',
  port: 5432,
  secret_id: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-abc-AbCdEf',
  flyway: { schemas: ['public'], placeholders: { owner: 'team', retries: 3 }, baseline_on_migrate: false, out_of_order: true, connect_retries: 120 },
};

describe('parseSettings', () => {
  it('reads what the module writes, with defaults for what it leaves out', () => {
    const result = parseSettings(JSON.stringify(good), 'users');
    expect(result).toEqual({
      ok: true,
      settings: {
        key: 'users',
        bucket: good.bucket,
        database: 'users',
        engine: 'postgresql',
        host: good.host,
        port: 5432,
        secretId: good.secret_id,
        schemas: ['public'],
        placeholders: { owner: 'team', retries: '3' },
        baselineOnMigrate: false,
        outOfOrder: true,
        callbacks: false,
        connectRetries: 120,
        connectRetriesInterval: 10,
        lockTimeoutSeconds: 900,
        // Settings of a module that predates the session timeouts: none, and no retries.
        dbLockTimeoutMs: 0,
        dbStatementTimeoutMs: 0,
        lockRetries: 0,
      },
    });
  });

  it('reads the database session timeouts and the lock retries', () => {
    const result = parseSettings(JSON.stringify({ ...good, flyway: { db_lock_timeout_ms: 10_000, db_statement_timeout_ms: 3_600_000, lock_retries: 3 } }), 'users');
    expect(result).toMatchObject({ ok: true, settings: { dbLockTimeoutMs: 10_000, dbStatementTimeoutMs: 3_600_000, lockRetries: 3 } });
  });

  it('makes the database the schema for MySQL', () => {
    const result = parseSettings(JSON.stringify({ ...good, engine: 'mysql', flyway: { callbacks: true } }), 'users');
    expect(result).toMatchObject({ ok: true, settings: { schemas: ['users'], callbacks: true } });
  });

  it.each([
    ['not JSON', '{"key":', /is not a JSON object/],
    ['an array', '[]', /is not a JSON object/],
    ['another key', JSON.stringify({ ...good, key: 'orders' }), /key is "orders", expected "users"/],
    ['an injected database name', JSON.stringify({ ...good, database: 'x"; DROP DATABASE y; --' }), /database .* must match/],
    ['an unknown engine', JSON.stringify({ ...good, engine: 'oracle' }), /engine "oracle" is not postgresql or mysql/],
    ['a port as text', JSON.stringify({ ...good, port: '5432' }), /port "5432" is not an integer/],
    ['a host with a space', JSON.stringify({ ...good, host: 'a b' }), /host "a b" is not a host name/],
    ['callbacks as text', JSON.stringify({ ...good, flyway: { callbacks: 'yes' } }), /flyway.callbacks must be true or false/],
    ['a negative lock timeout', JSON.stringify({ ...good, flyway: { lock_timeout_seconds: -1 } }), /lock_timeout_seconds must be an integer/],
    ['a fractional lock timeout in ms', JSON.stringify({ ...good, flyway: { db_lock_timeout_ms: 1.5 } }), /db_lock_timeout_ms must be an integer/],
    ['a negative statement timeout', JSON.stringify({ ...good, flyway: { db_statement_timeout_ms: -1 } }), /db_statement_timeout_ms must be an integer/],
    ['too many lock retries', JSON.stringify({ ...good, flyway: { lock_retries: 21 } }), /lock_retries must be an integer from 0 to 20/],
    ['a MySQL schema other than the database', JSON.stringify({ ...good, engine: 'mysql', flyway: { schemas: ['other'] } }), /first of flyway.schemas must be the database/],
  ])('refuses %s', (_name, text, message) => {
    const result = parseSettings(text, 'users');
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.problems.join('\n')).toMatch(message);
  });
});
