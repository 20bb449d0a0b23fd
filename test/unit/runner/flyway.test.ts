import { currentVersion, flywayEnvironment, jdbcUrl, parseFlywayOutput, sessionBounds, type FlywayOptions } from '../../../runner/src/flyway';
import type { Settings } from '../../../runner/src/settings';

const settings: Settings = {
  key: 'users', bucket: 'b', database: 'users', engine: 'postgresql', host: 'h', port: 5432, secretId: 's',
  schemas: ['public'], placeholders: { owner: 'team' }, baselineOnMigrate: false, outOfOrder: false, callbacks: false,
  connectRetries: 120, connectRetriesInterval: 10, lockTimeoutSeconds: 900, dbLockTimeoutMs: 0, dbStatementTimeoutMs: 0, lockRetries: 0,
};
const target = { engine: 'postgresql' as const, host: 'db.example', port: 5432, database: 'users', caFile: '/var/lib/flyway-runner/rds-ca.pem' };

describe('Flyway invocation', () => {
  it('verifies TLS on both engines and never lets MySQL read local files', () => {
    expect(jdbcUrl(target)).toBe('jdbc:postgresql://db.example:5432/users?sslmode=verify-full&sslrootcert=/var/lib/flyway-runner/rds-ca.pem&ApplicationName=aurora-flyway-runner');
    const mysql = jdbcUrl({ ...target, engine: 'mysql', port: 3306 });
    expect(mysql).toMatch(/^jdbc:mysql:\/\/db\.example:3306\/\?/);
    for (const option of ['useSsl=true', 'serverSslCert=/var/lib/flyway-runner/rds-ca.pem', 'trustServerCertificate=false', 'disableSslHostnameVerification=false', 'allowLocalInfile=false']) expect(mysql).toContain(option);
    expect(() => jdbcUrl({ ...target, caFile: '/tmp/a b&c.pem' })).toThrow(/cannot carry/);
  });

  it('configures Flyway only through its own variables, dropping the caller\'s FLYWAY_*', () => {
    const options = { settings, target, login: { username: 'u', password: 'p', secretId: 's' }, migrationsDir: '/m', baseEnv: { PATH: '/bin', FLYWAY_URL: 'jdbc:evil', FLYWAY_CLEAN_DISABLED: 'false' } } as unknown as FlywayOptions;
    const env = flywayEnvironment(options, '/w/flyway.conf', 'migrate');
    expect(env).toMatchObject({ PATH: '/bin', FLYWAY_CLEAN_DISABLED: 'true', FLYWAY_LOCATIONS: 'filesystem:/m', FLYWAY_CONFIG_FILES: '/w/flyway.conf', FLYWAY_PLACEHOLDERS_OWNER: 'team', FLYWAY_SCHEMAS: 'public', FLYWAY_USER: 'u', FLYWAY_PASSWORD: 'p' });
    expect(env.FLYWAY_URL).toMatch(/^jdbc:postgresql:/);
  });

  it("bounds each statement by the smaller of the database's statement_timeout and the command's deadline, and each lock wait by lock_timeout, in one initSql statement", () => {
    expect(sessionBounds('postgresql', { statementTimeoutMs: 45_000.7 })).toBe("SELECT set_config('statement_timeout', '45000', false)");
    expect(sessionBounds('postgresql', { lockTimeoutMs: 10_000, statementTimeoutMs: 45_000 })).toBe("SELECT set_config('lock_timeout', '10000', false), set_config('statement_timeout', '45000', false)");
    // MySQL bounds only lock waits (max_execution_time covers SELECT alone), in whole seconds: the smaller bound.
    expect(sessionBounds('mysql', { statementTimeoutMs: 45_000 })).toBe('SET SESSION lock_wait_timeout = 45, SESSION innodb_lock_wait_timeout = 45');
    expect(sessionBounds('mysql', { lockTimeoutMs: 10_000, statementTimeoutMs: 45_000 })).toBe('SET SESSION lock_wait_timeout = 10, SESSION innodb_lock_wait_timeout = 10');
    expect(sessionBounds('mysql', { statementTimeoutMs: 200 })).toBe('SET SESSION lock_wait_timeout = 1, SESSION innodb_lock_wait_timeout = 1');
    // 0 turns a bound off.
    expect(sessionBounds('postgresql', { lockTimeoutMs: 0, statementTimeoutMs: undefined })).toBeUndefined();
    const options = { settings, target, login: { username: 'u', password: 'p', secretId: 's' }, migrationsDir: '/m', baseEnv: {} } as unknown as FlywayOptions;
    expect(flywayEnvironment(options, '/w/flyway.conf', 'migrate').FLYWAY_INIT_SQL).toBeUndefined();
    expect(flywayEnvironment({ ...options, statementTimeoutMs: 30_000 }, '/w/flyway.conf', 'migrate').FLYWAY_INIT_SQL).toBe("SELECT set_config('statement_timeout', '30000', false)");
    const timed = { ...options, settings: { ...settings, dbLockTimeoutMs: 5_000, dbStatementTimeoutMs: 20_000 } };
    expect(flywayEnvironment({ ...timed, statementTimeoutMs: 30_000 }, '/w/flyway.conf', 'migrate').FLYWAY_INIT_SQL).toBe("SELECT set_config('lock_timeout', '5000', false), set_config('statement_timeout', '20000', false)");
    expect(flywayEnvironment({ ...timed, statementTimeoutMs: 9_000 }, '/w/flyway.conf', 'migrate').FLYWAY_INIT_SQL).toBe("SELECT set_config('lock_timeout', '5000', false), set_config('statement_timeout', '9000', false)");
  });

  it('takes its PostgreSQL lock outside a transaction, so CREATE INDEX CONCURRENTLY does not wait for Flyway itself', () => {
    const options = { settings, target, login: { username: 'u', password: 'p', secretId: 's' }, migrationsDir: '/m', baseEnv: {} } as unknown as FlywayOptions;
    expect(flywayEnvironment(options, '/w/flyway.conf', 'migrate').FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK).toBe('false');
    const mysql = { ...options, settings: { ...settings, engine: 'mysql' as const }, target: { ...target, engine: 'mysql' as const } };
    expect(flywayEnvironment(mysql, '/w/flyway.conf', 'migrate').FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK).toBeUndefined();
  });

  it('reads single and composite JSON results', () => {
    expect(parseFlywayOutput('WARNING: x\n{"operation":"info","migrations":[]}')).toEqual({ results: [{ operation: 'info', migrations: [] }] });
    const composite = parseFlywayOutput(JSON.stringify({ individualResults: [{ operation: 'migrate' }, { operation: 'info' }] }));
    expect(composite?.results.map((r) => r.operation)).toEqual(['migrate', 'info']);
    expect(parseFlywayOutput('{"operation":"migrate","error":{"errorCode":"X","message":"m"}}')?.error).toEqual({ errorCode: 'X', message: 'm' });
    expect(parseFlywayOutput('Error: java not found')).toBeUndefined();
  });

  it('takes the schema version from the migrations that did not fail', () => {
    const info = {
      schemaVersion: '3',
      migrations: [
        { version: '1', installedOnUTC: 't', state: 'Success' },
        { version: '10', installedOnUTC: 't', state: 'Success' },
        { version: '2', installedOnUTC: 't', state: 'Out of Order' },
        { version: '11', installedOnUTC: 't', state: 'Failed' },
        { version: '12', installedOnUTC: '', state: 'Pending' },
      ],
    };
    expect(currentVersion(info)).toBe('10');
    expect(currentVersion({ migrations: [] })).toBeNull();
  });
});
