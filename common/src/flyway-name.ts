// Flyway's file naming rules with its default prefixes (V, R), separator (__) and suffix (.sql),
// shared by the trigger, the host runner and the client: one definition of which object keys
// Flyway would run and which it would reject. Applied to the key's basename because files may sit
// under a prefix. Stricter than Flyway in two places on purpose: an empty description (V1__.sql) is
// rejected, because it is almost always a typo and Flyway would otherwise run it silently; and a
// suffix that is .sql only in another case (V1__x.SQL) is rejected, see 'suffix-case' below.
//
// Reasons end up in an S3 tag value, so they only use S3's tag charset
// (letters, digits, spaces and + - = . _ : / @) and never echo the key.

export type Classification =
  | { kind: 'versioned'; basename: string; version: string; description: string }
  | { kind: 'repeatable'; basename: string; description: string }
  | { kind: 'callback'; basename: string; event: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; basename: string; code: RejectionCode; reason: string };

export type RejectionCode =
  | 'lowercase-prefix'
  | 'undo-migration'
  | 'unknown-prefix'
  | 'missing-separator'
  | 'missing-version'
  | 'invalid-version'
  | 'missing-description'
  | 'repeatable-with-version'
  | 'unsafe-key'
  | 'suffix-case';

export const SQL_SUFFIX = '.sql';
// `.sql` in any of its eight case variants: the keys the rules look at (the bucket notification has
// one configuration per variant, modules/database-bucket). Spelled out instead of /\.sql$/i so that
// no non-ASCII letter can ever count as one of them.
const ANY_CASE_SQL_SUFFIX = /\.[sS][qQ][lL]$/;
const SEPARATOR = '__';
// Flyway's MigrationVersion: integer parts separated by `.` (or `_`, which Flyway reads as `.`).
const VERSION_PATTERN = /^\d+([._]\d+)*$/;
// A description needs something besides separators/blanks; Flyway turns `_` into spaces.
const MEANINGFUL_DESCRIPTION = /[^_\s]/;
// Keys become paths on the host: no control characters, no `.`/`..`/empty segments, no leading `/`.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Flyway's SQL callback events (`<event>.sql` or `<event>__<description>.sql`). Flyway runs such a
 * file around every command, never records it, so the runner syncs them only for databases that
 * enable callbacks.
 */
export const CALLBACK_EVENTS: readonly string[] = [
  'beforeMigrate', 'beforeRepeatables', 'beforeEachMigrate', 'beforeEachMigrateStatement',
  'afterEachMigrateStatement', 'afterEachMigrateStatementError', 'afterEachMigrate', 'afterEachMigrateError',
  'afterMigrate', 'afterMigrateApplied', 'afterVersioned', 'afterMigrateError',
  'beforeUndo', 'beforeEachUndo', 'beforeEachUndoStatement', 'afterEachUndoStatement', 'afterEachUndoStatementError',
  'afterEachUndo', 'afterEachUndoError', 'afterUndo', 'afterUndoError',
  'beforeClean', 'afterClean', 'afterCleanError', 'beforeInfo', 'afterInfo', 'afterInfoError',
  'beforeValidate', 'afterValidate', 'afterValidateError', 'beforeBaseline', 'afterBaseline', 'afterBaselineError',
  'beforeRepair', 'afterRepair', 'afterRepairError', 'createSchema', 'beforeCreateSchema', 'beforeConnect', 'afterConnect',
];

const REASONS: Readonly<Record<RejectionCode, string>> = {
  'lowercase-prefix': 'lowercase prefix: use uppercase V for versioned or R for repeatable migrations',
  'undo-migration': 'undo migrations with prefix U are not supported: write a new versioned migration instead',
  'unknown-prefix': 'not a Flyway migration name: use V1__description.sql or R__description.sql',
  'missing-separator': 'missing double underscore __ separator: use V1__description.sql or R__description.sql',
  'missing-version': 'missing version after V: use for example V1__description.sql or V1.2__description.sql',
  'invalid-version': 'invalid version: use numbers separated by . or _ such as V1.2__ or V1_2__',
  'missing-description': 'missing description after __: use for example V1__create_table.sql',
  'repeatable-with-version': 'repeatable migrations have no version: use R__description.sql',
  'unsafe-key': 'key unusable as a file path: no control characters - no empty or . or .. folder names - no leading /',
  // Flyway's default sqlMigrationSuffixes is `.sql`. Checked with the Flyway 10.21.0 CLI (OSS, the
  // module's default) on H2, one folder with V1__a.sql, V2__b.SQL and V3__c.Sql: `info` lists all
  // three as pending and `migrate` applies all three, R__v.SQL runs as a repeatable and
  // afterMigrate.SQL as a callback, so this Flyway matches the suffix in any case. It is rejected
  // here anyway, never ignored: S3 keys and Linux file names are case-sensitive and macOS or
  // Windows checkouts are not, so V1__a.sql and V1__a.SQL can be two objects of one bucket, which
  // Flyway refuses together ("Found more than one migration with version 1", also checked), and
  // `aws s3 sync --include '*.sql'` on Linux skips the .SQL one. One spelling, the documented one.
  'suffix-case': 'upper-case or mixed-case suffix: rename the file to end in lower-case .sql - the Flyway default sqlMigrationSuffixes - which this pipeline requires exactly so that a name means one file on every file system',
};

export function basenameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function reject(basename: string, code: RejectionCode): Classification {
  return { kind: 'rejected', basename, code, reason: REASONS[code] };
}

/** The reason text of a rejection code (for messages that start from a code). */
export function rejectionReason(code: RejectionCode): string {
  return REASONS[code];
}

function isSafePath(key: string): boolean {
  if (CONTROL_CHARACTER.test(key) || key.startsWith('/')) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function callbackEvent(stem: string): string | undefined {
  const separatorAt = stem.indexOf(SEPARATOR);
  const event = separatorAt < 0 ? stem : stem.slice(0, separatorAt);
  return CALLBACK_EVENTS.includes(event) ? event : undefined;
}

/**
 * Whether a key's basename ends in `.sql` in any case (`.sql`, `.SQL`, `.Sql`, ...): the keys that
 * classifyKey classifies rather than ignores, so a bucket listing that keeps these reports a `.SQL`
 * upload instead of never seeing it.
 */
export function isSqlKey(key: string): boolean {
  return ANY_CASE_SQL_SUFFIX.test(basenameOf(key));
}

export function classifyKey(key: string): Classification {
  const basename = basenameOf(key);
  if (!isSqlKey(key)) {
    return { kind: 'ignored', reason: `not a ${SQL_SUFFIX} file` };
  }
  if (!isSafePath(key)) return reject(basename, 'unsafe-key');
  if (!basename.endsWith(SQL_SUFFIX)) return reject(basename, 'suffix-case');
  const stem = basename.slice(0, -SQL_SUFFIX.length);
  const prefix = stem.charAt(0);
  const rest = stem.slice(1);
  const separatorAt = rest.indexOf(SEPARATOR);
  const description = separatorAt < 0 ? '' : rest.slice(separatorAt + SEPARATOR.length);

  const event = callbackEvent(stem);
  if (event !== undefined) return { kind: 'callback', basename, event };
  if (prefix === 'V') {
    if (separatorAt < 0) return reject(basename, 'missing-separator');
    const version = rest.slice(0, separatorAt);
    if (version === '') return reject(basename, 'missing-version');
    if (!VERSION_PATTERN.test(version)) return reject(basename, 'invalid-version');
    if (!MEANINGFUL_DESCRIPTION.test(description)) return reject(basename, 'missing-description');
    return { kind: 'versioned', basename, version, description };
  }
  if (prefix === 'R') {
    if (separatorAt < 0) return reject(basename, 'missing-separator');
    if (separatorAt > 0) return reject(basename, 'repeatable-with-version');
    if (!MEANINGFUL_DESCRIPTION.test(description)) return reject(basename, 'missing-description');
    return { kind: 'repeatable', basename, description };
  }
  if (prefix === 'v' || prefix === 'r') return reject(basename, 'lowercase-prefix');
  if (prefix === 'U') return reject(basename, 'undo-migration');
  return reject(basename, 'unknown-prefix');
}
