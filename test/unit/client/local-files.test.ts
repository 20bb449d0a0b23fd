// The folder push and lint read: every regular file whose name ends in .sql in any case, so a
// mixed-case suffix reaches the linter (and fails it) instead of vanishing without a word.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aws } from '../../../client/src/aws';
import { ClientError, EXIT } from '../../../client/src/errors';
import { readMigrationFolder } from '../../../client/src/local-files';
import type { Reporter } from '../../../client/src/output';
import type { Database, Pipeline } from '../../../client/src/pipeline';
import { push } from '../../../client/src/push';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-local-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text = 'SELECT 1;\n') => writeFileSync(join(dir, name), text);

describe('readMigrationFolder', () => {
  it('reads every regular file ending in .sql in any case, sorted by name, and nothing else', () => {
    for (const name of ['V2__b.SQL', 'V1__a.sql', 'R__v.Sql', 'notes.txt', 'README.md', 'V3__c.sql.bak']) write(name);
    mkdirSync(join(dir, 'nested.sql'));
    mkdirSync(join(dir, 'NESTED.SQL'));
    expect(readMigrationFolder(dir).map((file) => file.name)).toEqual(['R__v.Sql', 'V1__a.sql', 'V2__b.SQL']);
    expect(readMigrationFolder(dir)[2]?.content.toString('utf8')).toBe('SELECT 1;\n');
  });
});

describe('push with a mixed-case suffix', () => {
  const database: Database = { key: 'users', bucket: 'shop-users-123', engine: 'postgresql', name: 'users', callbacks: false, cluster: 'default' };
  const pipeline = { databases: [database] } as unknown as Pipeline;
  // Any AWS call is a failure: lint must stop push before it compares or uploads anything.
  const aws = new Proxy({}, { get: (_, property) => { throw new Error(`push touched AWS (${String(property)}) before lint passed`); } }) as Aws;

  it('refuses the folder because lint reports the file, and touches nothing in AWS', async () => {
    write('V1__create.sql', 'CREATE TABLE t (a INT);\n');
    write('V2__add.SQL', 'ALTER TABLE t ADD COLUMN b INT;\n');
    const notes: string[] = [];
    const reporter: Reporter = { progress: () => undefined, line: () => undefined, note: (text) => notes.push(text), result: () => undefined, done: () => undefined };
    const options = { dir, allowModify: false, dryRun: false, wait: false, timeoutSeconds: 1, strict: false };
    const error = await push(aws, pipeline, database, options, reporter).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ exitCode: EXIT.failed, message: 'lint found 1 error(s) in 2 file(s); nothing was uploaded' });
    expect(notes).toEqual([expect.stringMatching(/^V2__add\.SQL: error \[name\] The module rejects this file, although Flyway itself would run it: upper-case or mixed-case suffix: .* Rename it to V2__add\.sql\.$/)]);
  });
});
