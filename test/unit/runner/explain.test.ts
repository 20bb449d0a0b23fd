import { explainFlywayError, type Context } from '../../../runner/src/explain';
import { classifyListing } from '../../../runner/src/listing';

const files = classifyListing(
  ['V1__create_persons.sql', 'V2__add_owner.sql', 'V3__orders.sql'].map((key) => ({ key, versionId: null, etag: key, size: 1 })),
  { callbacks: false },
).accepted;
const context = (overrides: Partial<Context> = {}): Context => ({
  action: 'migrate',
  engine: 'postgresql',
  files,
  schemaVersion: '3',
  host: 'db.example',
  port: 5432,
  username: 'flyway_admin',
  connectRetries: 120,
  ...overrides,
});

describe('explainFlywayError', () => {
  it('names the failing file, the database message, the line and statement; PostgreSQL rolled back', () => {
    const explanation = explainFlywayError(
      {
        errorCode: 'FAILED_VERSIONED_MIGRATION',
        path: '/var/lib/flyway-runner/users/migrations/V3__orders.sql',
        message: 'Script V3__orders.sql failed\n---\nSQL State  : 23505\nMessage    : ERROR: duplicate key value violates unique constraint "p_pkey"\nLine       : 2\nStatement  : INSERT INTO p VALUES (1)\n',
      },
      context(),
    );
    expect(explanation).toEqual({
      kind: 'migration',
      what: 'migration V3__orders.sql failed: ERROR: duplicate key value violates unique constraint "p_pkey" (line 2, statement: INSERT INTO p VALUES (1))',
      todo: 'PostgreSQL rolled the failed migration back; fix V3__orders.sql and upload it again',
    });
  });

  it('tells MySQL users about repair', () => {
    const explanation = explainFlywayError({ errorCode: 'FAILED_VERSIONED_MIGRATION', path: '/x/V3__orders.sql', message: 'Message    : boom' }, context({ engine: 'mysql' }));
    expect(explanation.todo).toMatch(/MySQL cannot roll back DDL.*run --action repair/);
  });

  it('names the file of a version that arrived below the schema version, and both ways out', () => {
    const explanation = explainFlywayError(
      { errorCode: 'VALIDATE_ERROR', message: 'Validate failed: Migrations have failed validation\nDetected resolved migration not applied to database: 2.\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns=\'*:ignored\'.' },
      context(),
    );
    expect(explanation.what).toBe("validation failed: V2__add_owner.sql has a version below the schema's version 3, and out_of_order is off; nothing was applied");
    expect(explanation.todo).toBe('either rename it to a version above 3 (delete the old object), or set out_of_order = true for this database in the module to apply it as it is');
  });

  it('explains a changed applied migration by its file', () => {
    const explanation = explainFlywayError({ message: 'Validate failed: Migrations have failed validation\nMigration checksum mismatch for migration version 1\n-> Applied to database : 1\n-> Resolved locally    : 2' }, context());
    expect(explanation.what).toBe('validation failed: V1__create_persons.sql (version 1) was changed after it was applied (checksum mismatch); nothing was applied');
    expect(explanation.todo).toContain('--action repair');
  });

  it('tells a wrong password from an unreachable server', () => {
    expect(explainFlywayError({ errorCode: 'DB_CONNECTION', message: 'Unable to obtain connection from database\nSQL State  : 28P01\nMessage : FATAL: password authentication failed' }, context()).kind).toBe('auth');
    const down = explainFlywayError({ errorCode: 'DB_CONNECTION', message: 'Unable to obtain connection from database\nSQL State  : 08001\nMessage : Connection refused' }, context());
    expect(down).toMatchObject({ kind: 'unreachable', what: expect.stringMatching(/^database db\.example:5432 unreachable after 120 retries: /) });
  });

  it('falls back to Flyway\'s own first line', () => {
    expect(explainFlywayError({ message: 'Something new went wrong.\nmore' }, context())).toMatchObject({ kind: 'migration', what: 'flyway migrate failed: Something new went wrong' });
  });
});
