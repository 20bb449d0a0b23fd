import { classifyKey, isSqlKey, type RejectionCode } from '../../../common/src/flyway-name';

describe('classifyKey', () => {
  it.each([
    ['V1__create_table_persons.sql', '1', 'create_table_persons'],
    ['V1.2__x.sql', '1.2', 'x'],
    ['V1_2__x.sql', '1_2', 'x'],
    ['V2026.11.21.0500__nightly.sql', '2026.11.21.0500', 'nightly'],
    ['V007__leading_zeros.sql', '007', 'leading_zeros'],
    ['V1__has__two_separators.sql', '1', 'has__two_separators'],
    ['V1__with spaces and ünïcödé.sql', '1', 'with spaces and ünïcödé'],
    ['migrations/users/V3__under_a_prefix.sql', '3', 'under_a_prefix'],
  ])('accepts versioned %s', (key, version, description) => {
    expect(classifyKey(key)).toMatchObject({ kind: 'versioned', version, description });
  });

  it.each([
    ['R__refresh_views.sql', 'refresh_views'],
    ['some/prefix/R__x.sql', 'x'],
  ])('accepts repeatable %s', (key, description) => {
    expect(classifyKey(key)).toMatchObject({ kind: 'repeatable', description });
  });

  it.each<[string, RejectionCode]>([
    ['v1__x.sql', 'lowercase-prefix'],
    ['r__x.sql', 'lowercase-prefix'],
    ['U1__undo_x.sql', 'undo-migration'],
    ['B1__baseline.sql', 'unknown-prefix'],
    ['README.sql', 'missing-separator'],
    ['notes.sql', 'unknown-prefix'],
    ['1__x.sql', 'unknown-prefix'],
    ['.sql', 'unknown-prefix'],
    ['afterMigrates.sql', 'unknown-prefix'],
    ['../V1__up.sql', 'unsafe-key'],
    ['a/../V1__x.sql', 'unsafe-key'],
    ['./V1__x.sql', 'unsafe-key'],
    ['a//V1__x.sql', 'unsafe-key'],
    ['/V1__x.sql', 'unsafe-key'],
    ['V1__new\nline.sql', 'unsafe-key'],
    ['V1__tab\there.sql', 'unsafe-key'],
    ['V1_x.sql', 'missing-separator'],
    ['V1.sql', 'missing-separator'],
    ['R_x.sql', 'missing-separator'],
    ['V__x.sql', 'missing-version'],
    ['V1.x__y.sql', 'invalid-version'],
    ['V1..2__y.sql', 'invalid-version'],
    ['V1.__y.sql', 'invalid-version'],
    ['V.1__y.sql', 'invalid-version'],
    ['V1-2__y.sql', 'invalid-version'],
    ['Vone__y.sql', 'invalid-version'],
    ['V 1__y.sql', 'invalid-version'],
    ['V1__.sql', 'missing-description'],
    ['V1___.sql', 'missing-description'],
    ['V1__ .sql', 'missing-description'],
    ['R__.sql', 'missing-description'],
    ['R1__x.sql', 'repeatable-with-version'],
    ['dir/v1__x.sql', 'lowercase-prefix'],
    ['V1__x.SQL', 'suffix-case'],
    ['V1__x.Sql', 'suffix-case'],
    ['dir/R__views.sQl', 'suffix-case'],
    ['afterMigrate.SQL', 'suffix-case'],
    ['README.SQL', 'suffix-case'],
    ['v1__x.SQL', 'suffix-case'],
    ['../V1__x.SQL', 'unsafe-key'],
  ])('rejects %s (%s)', (key, code) => {
    const result = classifyKey(key);
    expect(result).toMatchObject({ kind: 'rejected', code });
  });

  it('gives reasons that are valid S3 tag values and do not echo the key', () => {
    const keys = ['v1__x.sql', 'U1__x.sql', 'X.sql', 'V1_x.sql', 'V__x.sql', 'V1.x__y.sql', 'V1__.sql', 'R1__x.sql', '../V1__x.sql', 'V1__x.SQL'];
    for (const key of keys) {
      const result = classifyKey(key);
      if (result.kind !== 'rejected') throw new Error(`${key} should be rejected`);
      expect(result.reason).toMatch(/^[A-Za-z0-9 +\-=._:/@]{1,256}$/);
      expect(result.reason).not.toContain(key);
    }
  });

  it.each([
    ['afterMigrate.sql', 'afterMigrate'],
    ['beforeMigrate__warm_up.sql', 'beforeMigrate'],
    ['callbacks/afterEachMigrate.sql', 'afterEachMigrate'],
  ])('recognises the SQL callback %s', (key, event) => {
    expect(classifyKey(key)).toMatchObject({ kind: 'callback', event });
  });

  it('accepts keys with characters that are awkward in a shell but harmless as a file name', () => {
    for (const key of ['V1__a $(reboot) `id` ; x.sql', "V2__it's \"quoted\".sql", 'V3__100% + more.sql', 'V4__ünïcödé 名前.sql']) {
      expect(classifyKey(key)).toMatchObject({ kind: 'versioned' });
    }
  });

  it('ignores keys that are not .sql files in any case', () => {
    expect(classifyKey('V1__x.sql.bak')).toMatchObject({ kind: 'ignored' });
    expect(classifyKey('V1__x.SQL.bak')).toMatchObject({ kind: 'ignored' });
    expect(classifyKey('folder.sql/')).toMatchObject({ kind: 'ignored' });
    expect(classifyKey('README.md')).toMatchObject({ kind: 'ignored' });
  });

  it('rejects an upper- or mixed-case .sql suffix instead of ignoring it, saying to rename it to .sql and why', () => {
    const result = classifyKey('V1__x.SQL');
    expect(result).toEqual({ kind: 'rejected', basename: 'V1__x.SQL', code: 'suffix-case', reason: expect.stringMatching(/rename .*lower-case \.sql/) });
    if (result.kind !== 'rejected') throw new Error('unreachable');
    expect(result.reason).toMatch(/sqlMigrationSuffixes/);
  });
});

describe('isSqlKey', () => {
  it.each(['.sql', '.sqL', '.sQl', '.sQL', '.Sql', '.SqL', '.SQl', '.SQL'])('is true for a basename ending in %s', (suffix) => {
    expect(isSqlKey(`V1__x${suffix}`)).toBe(true);
    expect(isSqlKey(`some/prefix/V1__x${suffix}`)).toBe(true);
  });

  it.each(['V1__x.sql.bak', 'folder.sql/', 'folder.SQL/', 'README.md', '.flyway/outcome.json', 'V1__xsql', 'V1__x.sq', 'dir.sql/notes.txt', ''])('is false for %j', (key) => {
    expect(isSqlKey(key)).toBe(false);
  });

  it('agrees with classifyKey: exactly the keys it does not ignore', () => {
    for (const key of ['V1__x.sql', 'V1__x.SQL', 'v1__x.Sql', 'afterMigrate.sql', '../V1__x.sQl', 'notes.txt', 'folder.sql/', 'V1__x.sql.bak']) {
      expect(`${key} ${isSqlKey(key)}`).toBe(`${key} ${classifyKey(key).kind !== 'ignored'}`);
    }
  });
});
