import { parseDemoArgs, UsageError } from '../../harness/demo/args';
import { commandLines, commandSucceeded, condenseLogLine, formatDuration, invocationLines, parametersText } from '../../harness/demo/report';
import { progressOf } from '../../harness/demo/terraform-run';
import type { CommandRecord, InvocationRecord } from '../../harness/records';

describe('parseDemoArgs', () => {
  it.each([
    [[], { command: 'up', keep: false, engine: 'postgresql' }],
    [['--keep'], { command: 'up', keep: true, engine: 'postgresql' }],
    [['--engine', 'mysql'], { command: 'up', keep: false, engine: 'mysql' }],
    [['up', '--engine=mysql', '--keep'], { command: 'up', keep: true, engine: 'mysql' }],
    [['upload', 'users', 'a.sql', 'b.sql'], { command: 'upload', database: 'users', files: ['a.sql', 'b.sql'] }],
    [['down'], { command: 'down' }],
    [['status'], { command: 'status' }],
    [['upload', '--help'], { command: 'help' }],
  ])('%j', (argv, expected) => {
    expect(parseDemoArgs(argv)).toEqual(expected);
  });

  it.each([
    [['--engine', 'oracle'], /--engine must be postgresql or mysql/],
    [['--engine'], /--engine must be postgresql or mysql \(got nothing\)/],
    [['--kep'], /unknown argument "--kep"/],
    [['upload', 'users'], /at least one file/],
    [['upload', 'Users;', 'a.sql'], /not a database key/],
    [['down', 'now'], /takes no arguments/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(UsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});

describe('demo report', () => {
  const record: CommandRecord = {
    commandId: 'c-1',
    instanceId: 'i-1',
    documentName: 'demo-flyway',
    requestedParameters: { DatabaseKey: ['users'] },
    parameters: { DatabaseKey: 'users', Action: 'migrate', RequestedAt: '' },
    status: 'Success',
    exitCode: 0,
    stdout: '',
    stderr: '',
    summary: {
      database: 'users',
      action: 'migrate',
      status: 'skipped',
      reason: 'bucket unchanged',
      schema_version_before: '2',
      schema_version_after: '2',
      migrations_applied: 0,
      duration_ms: 900,
      flyway_exit_code: null,
      requested_at: null,
      passes: 0,
      rejected: [],
      flyway_ms: 0,
      settle_ms: 0,
      exit_code: 0,
      also: [],
    },
    migrateRuns: 0,
    startedAt: '2026-11-21T05:00:00.000Z',
    durationMs: 1_400,
  };

  it('formats durations', () => {
    expect([formatDuration(400), formatDuration(48_000), formatDuration(192_000), formatDuration(3_720_000)]).toEqual(['0s', '48s', '3m12s', '1h02m']);
  });

  it('condenses the trigger log lines to what a person reads', () => {
    expect(
      condenseLogLine({ level: 'info', message: 'command sent', requestId: 'r', database: 'users', keys: ['V1__a.sql', 'V2__b.sql'], commandId: 'c-1', documentName: 'd' }),
    ).toBe('info   command sent  database=users  keys=V1__a.sql,V2__b.sql  commandId=c-1');
  });

  it('shows an invocation without its closing line, and its error', () => {
    const invocation: InvocationRecord = {
      functionArn: 'arn',
      at: '2026-11-21T05:00:00.000Z',
      event: {},
      ok: false,
      error: { name: 'TriggerError', message: '1 operation(s) failed' },
      logs: [
        { level: 'info', message: 'command sent', database: 'users', commandId: 'c-1' },
        { level: 'info', message: 'done', commands: ['users=c-1'] },
      ],
      commandIds: ['c-1'],
      durationMs: 700,
    };
    expect(invocationLines(invocation)).toEqual([
      'lambda   info   command sent  database=users  commandId=c-1',
      'lambda   FAILED: TriggerError: 1 operation(s) failed',
    ]);
  });

  it('shows a command, its outcome and the runner summary', () => {
    expect(parametersText(record.parameters)).toBe("DatabaseKey=users Action=migrate RequestedAt=''");
    const lines = commandLines(record);
    expect(lines[0]).toBe("command  c-1  demo-flyway on i-1  DatabaseKey=users Action=migrate RequestedAt=''");
    expect(lines[1]).toBe('host     Success (exit code 0) in 1s');
    expect(JSON.parse(lines[2].replace(/^runner +/, ''))).toEqual(record.summary);
  });

  it('judges a command by its status and the runner summary', () => {
    expect(commandSucceeded(record)).toBe(true);
    expect(commandSucceeded({ ...record, status: 'Failed' })).toBe(false);
    expect(commandSucceeded({ ...record, summary: null })).toBe(false);
    expect(commandSucceeded({ ...record, summary: { ...record.summary!, status: 'failed' } })).toBe(false);
  });
});

describe('terraform progress', () => {
  it('reads the plan size and each completed resource', () => {
    expect(progressOf('Plan: 59 to add, 0 to change, 0 to destroy.')).toEqual({ planned: 59 });
    expect(progressOf('Plan: 0 to add, 1 to change, 58 to destroy.')).toEqual({ planned: 59 });
    expect(progressOf('module.x.aws_s3_bucket.this: Creation complete after 1s [id=b]')).toEqual({ completed: true });
    expect(progressOf('module.x.aws_s3_bucket.this: Destruction complete after 0s')).toEqual({ completed: true });
    expect(progressOf('module.x.aws_s3_bucket.this: Still creating... [10s elapsed]')).toEqual({});
  });
});
