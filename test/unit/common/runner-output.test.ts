import { countMigrateRuns, flywayInfoRows, MIGRATE_LINE, parseRunnerSummary } from '../../../common/src/runner-output';

const SUMMARY = {
  database: 'users',
  action: 'migrate',
  status: 'success',
  reason: null,
  schema_version_before: null,
  schema_version_after: '2',
  migrations_applied: 2,
  duration_ms: 5100,
  flyway_exit_code: 0,
  requested_at: '2026-11-21T05:00:00.000Z',
};

const OUTPUT = [
  'flyway-runner: database users, action migrate',
  'flyway-runner: running flyway info (before migrate)',
  MIGRATE_LINE,
  'flyway-runner: applied V1 create table persons (V1__create_table_persons.sql) in 12 ms',
  'flyway-runner: running flyway info',
  'flyway-runner: flyway info:',
  '  V1  create table persons  Success  2026-11-21T05:00:01Z',
  '  V2  alter table persons  Success  2026-11-21T05:00:01Z',
  'flyway-runner: success: 2 migration(s) applied; schema version <none> -> 2',
  JSON.stringify(SUMMARY),
  '',
].join('\n');

describe('runner output', () => {
  it('parses the summary from the last line', () => {
    expect(parseRunnerSummary(OUTPUT)).toEqual(SUMMARY);
  });

  it('has no summary when the runner did not get that far', () => {
    expect(parseRunnerSummary('flyway-runner: database users\nKilled\n')).toBeUndefined();
    expect(parseRunnerSummary('')).toBeUndefined();
    expect(parseRunnerSummary('{"not":"a summary"}')).toBeUndefined();
  });

  it('counts flyway migrate runs', () => {
    expect(countMigrateRuns(OUTPUT)).toBe(1);
    expect(countMigrateRuns(`${OUTPUT}${OUTPUT}`)).toBe(2);
    expect(countMigrateRuns(`x ${MIGRATE_LINE}`)).toBe(0);
  });

  it('returns the flyway info table', () => {
    expect(flywayInfoRows(OUTPUT)).toEqual(['V1  create table persons  Success  2026-11-21T05:00:01Z', 'V2  alter table persons  Success  2026-11-21T05:00:01Z']);
    expect(flywayInfoRows('nothing')).toEqual([]);
  });
});
