// flyway-runner's argument checks: they run before anything else (no AWS, no database), so a bad
// argument costs nothing and always ends with exit code 2 and a JSON summary line.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const RUNNER = join(resolve(__dirname, '..', '..', '..'), 'scripts', 'flyway-runner');

function runner(args: string[]) {
  // A flyway that does not exist: valid arguments stop at the program check (exit 3), before any AWS call.
  const result = spawnSync(RUNNER, args, {
    encoding: 'utf8',
    env: { ...process.env, FLYWAY_RUNNER_FLYWAY: '/nonexistent/flyway', FLYWAY_RUNNER_HOME: '/nonexistent/home' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  const lines = result.stdout.trimEnd().split('\n');
  return { code: result.status, stdout: result.stdout, lines, summary: JSON.parse(lines[lines.length - 1]) as Record<string, unknown> };
}

const VALID = ['--config-prefix', '/aurora-flyway', '--database', 'users', '--action', 'migrate'];
const withArg = (name: string, value: string) => {
  const args = [...VALID];
  args[args.indexOf(name) + 1] = value;
  return args;
};

describe('flyway-runner arguments', () => {
  it('--help documents the invocation, the exit codes and the test-only endpoint override', () => {
    const result = spawnSync(RUNNER, ['--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: flyway-runner --config-prefix /<prefix> --database <key> --action <action> [--requested-at <time>]');
    for (const code of ['0  success', '2  usage', '3  configuration', '4  authentication failed', '5  database unreachable', '6  lock timeout', '7  migration or validation failed']) {
      expect(result.stdout).toContain(code);
    }
    expect(result.stdout).toMatch(/FLYWAY_RUNNER_DB_ENDPOINT +TEST ONLY/);
  });

  it.each([
    ['valid, space-separated', VALID],
    ['valid, --name=value', ['--config-prefix=/a/b.c', '--database=orders_2', '--action=repair', '--requested-at=2026-11-21T05:00:00.000Z']],
    ['valid, 63-character key', withArg('--database', `a${'b'.repeat(62)}`)],
    ['valid, empty --requested-at (an SSM parameter left at its default)', [...VALID, '--requested-at', '']],
  ])('accepts %s (and goes on to check the programs)', (_name, args) => {
    const result = runner(args);
    expect(result.code).toBe(3);
    expect(result.lines).toContain('flyway-runner: error: required program /nonexistent/flyway not found -- install it on the Flyway host (the module\'s user data does: Flyway, the AWS CLI, util-linux, jq, the database clients)');
  });

  it.each([
    ['no arguments', [], '--database is required'],
    ['a missing --action', VALID.slice(0, 4), '--action is required'],
    ['a missing --config-prefix', VALID.slice(2), '--config-prefix is required'],
    ['clean', withArg('--action', 'clean'), '--action clean is never allowed (cleanDisabled=true)'],
    ['an unknown action', withArg('--action', 'baseline'), '--action must be one of: migrate info validate repair'],
    ['an upper-case key', withArg('--database', 'Users'), '--database must match'],
    ['a key starting with a digit', withArg('--database', '1users'), '--database must match'],
    ['a 64-character key', withArg('--database', `a${'b'.repeat(63)}`), '--database must match'],
    ['shell text in the key', withArg('--database', 'users;reboot'), '--database must match'],
    ['a key with a newline', withArg('--database', 'users\nx'), '--database must match'],
    ['a relative prefix', withArg('--config-prefix', 'aurora-flyway'), '--config-prefix must match'],
    ['a prefix with a trailing slash', withArg('--config-prefix', '/aurora-flyway/'), '--config-prefix must match'],
    ['a prefix with a space', withArg('--config-prefix', '/aurora flyway'), '--config-prefix must match'],
    ['a local time', [...VALID, '--requested-at', '2026-11-21T05:00:00.000+01:00'], '--requested-at must be an ISO-8601 UTC time'],
    ['a date only', [...VALID, '--requested-at', '2026-11-21'], '--requested-at must be an ISO-8601 UTC time'],
    ['an unknown argument', [...VALID, '--force'], 'unknown argument --force'],
    ['a flag without its value', [...VALID, '--requested-at'], '--requested-at needs a value'],
  ])('refuses %s with exit code 2', (_name, args, message) => {
    const result = runner(args as string[]);
    expect(result.code).toBe(2);
    expect(result.lines[result.lines.length - 2]).toContain(`flyway-runner: usage error: ${message}`);
    expect(result.summary).toMatchObject({ status: 'failed', flyway_exit_code: null, migrations_applied: 0 });
    expect(String(result.summary.reason)).toContain(`usage: ${message}`);
  });

  it('the summary names the database and action once they are valid', () => {
    const result = runner([...withArg('--action', 'clean')]);
    expect(result.summary).toMatchObject({ database: 'users', action: null, status: 'failed' });
  });
});
