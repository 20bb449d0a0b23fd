// The runner's arguments: parsed before anything else (no AWS, no database). The pure parser is
// tested directly; the built runner is checked for --help and for ending a usage error with exit
// code 2 and a JSON summary line.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from '../../../runner/src/args';

const RUNNER = join(resolve(__dirname, '..', '..', '..'), 'runner', 'dist', 'flyway-runner.js');

const VALID = ['--config-prefix', '/aurora-flyway', '--database', 'users', '--action', 'migrate'];
const withArg = (name: string, value: string) => {
  const args = [...VALID];
  args[args.indexOf(name) + 1] = value;
  return args;
};

describe('parseArgs', () => {
  it.each([
    ['valid, space-separated', VALID],
    ['valid, --name=value', ['--config-prefix=/a/b.c', '--database=orders_2', '--action=repair', '--requested-at=2026-11-21T05:00:00.000Z']],
    ['valid, 63-character key', withArg('--database', `a${'b'.repeat(62)}`)],
    ['valid, empty --requested-at (an SSM parameter left at its default)', [...VALID, '--requested-at', '']],
    ['valid, with the module options', [...VALID, '--db-endpoint', 'x.cluster-abc.eu-central-1.rds.amazonaws.com:5432', '--max-parallel', '3', '--settle-seconds', '0']],
  ])('accepts %s', (_name, args) => {
    expect(parseArgs(args).kind).toBe('args');
  });

  it('applies the defaults and reads the module options', () => {
    expect(parseArgs(VALID)).toEqual({ kind: 'args', args: { configPrefix: '/aurora-flyway', database: 'users', action: 'migrate', dbEndpoints: [], maxParallel: 2, settleSeconds: 3, caBundle: { kind: 'aws' } } });
    // The CA bundle: AWS's for the region by default, or the user's over HTTPS or from S3; never plain HTTP.
    expect(parseArgs([...VALID, '--ca-bundle', 's3://ca-copies/rds/global-bundle.pem'])).toMatchObject({ args: { caBundle: { kind: 's3', bucket: 'ca-copies', key: 'rds/global-bundle.pem' } } });
    expect(parseArgs([...VALID, '--ca-bundle=https://example.com/rds.pem'])).toMatchObject({ args: { caBundle: { kind: 'https', url: 'https://example.com/rds.pem' } } });
    expect(parseArgs([...VALID, '--ca-bundle', 'http://example.com/rds.pem'])).toMatchObject({ kind: 'usage-error', message: '--ca-bundle must be aws, an https:// URL or an s3://bucket/key URI' });
    const parsed = parseArgs([...VALID, '--db-endpoint', 'db.example:3306', '--max-parallel=4', '--settle-seconds=10']);
    expect(parsed).toMatchObject({ args: { dbEndpoints: [{ host: 'db.example', port: 3306 }], maxParallel: 4, settleSeconds: 10 } });
    // One per cluster, each with the secret of its login (a secret's name may hold "=").
    const secret = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-1=x-AbCdEf';
    const legacy = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:legacy/admin-AbCdEf';
    expect(parseArgs([...VALID, '--db-endpoint', `a.example:5432=${legacy}`, `--db-endpoint=b.example:3306=${legacy.replace('legacy/admin', 'k=v')}`])).toMatchObject({
      args: { dbEndpoints: [{ host: 'a.example', port: 5432, secretId: legacy }, { host: 'b.example', port: 3306, secretId: legacy.replace('legacy/admin', 'k=v') }] },
    });
    expect(parseArgs([...VALID, '--db-endpoint', `a.example:5432=${secret}`])).toMatchObject({ args: { dbEndpoints: [{ host: 'a.example', port: 5432, secretId: secret }] } });
    // The module's failure topic, for a tenant group's unmigrated tenants.
    expect(parseArgs([...VALID, '--notify-topic', 'arn:aws:sns:eu-central-1:123456789012:shop-flyway-failures'])).toMatchObject({ args: { notifyTopic: 'arn:aws:sns:eu-central-1:123456789012:shop-flyway-failures' } });
    expect(parseArgs([...VALID, '--notify-topic', "arn:aws:sns:eu-central-1:123456789012:x';reboot"])).toMatchObject({ kind: 'usage-error', message: '--notify-topic must be an SNS topic ARN' });
    // The document passes what is left of the command's executionTimeout.
    expect(parseArgs([...VALID, '--seconds-left', '3590'])).toMatchObject({ args: { secondsLeft: 3590 } });
    expect(parseArgs([...VALID, '--seconds-left', '0'])).toMatchObject({ args: { secondsLeft: 0 } });
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
    ['an unknown argument', [...VALID, '--force'], 'unknown argument "--force"'],
    ['a flag without its value', [...VALID, '--requested-at'], '--requested-at needs a value'],
    ['an endpoint without a port', [...VALID, '--db-endpoint', 'db.example'], '--db-endpoint must be host:port'],
    ['an endpoint paired with a secret name, not an ARN', [...VALID, '--db-endpoint', 'db.example:5432=admin'], '--db-endpoint must be host:port, or host:port=<secret ARN>'],
    ['an endpoint paired with shell text', [...VALID, '--db-endpoint', 'db.example:5432=arn:aws:secretsmanager:eu-central-1:123456789012:secret:a;reboot'], '--db-endpoint must be host:port, or host:port=<secret ARN>'],
    ['an endpoint with shell text', [...VALID, '--db-endpoint', 'db;reboot:5432'], '--db-endpoint must be host:port'],
    ['no parallelism', [...VALID, '--max-parallel', '0'], '--max-parallel must be an integer from 1 to 64'],
    ['a fractional settle time', [...VALID, '--settle-seconds', '1.5'], '--settle-seconds must be an integer from 0 to 300'],
    ['negative seconds left', [...VALID, '--seconds-left', '-5'], '--seconds-left must be an integer from 0 to 172800'],
  ])('refuses %s', (_name, args, message) => {
    const parsed = parseArgs(args as string[]);
    expect(parsed.kind).toBe('usage-error');
    expect(parsed.kind === 'usage-error' && parsed.message).toContain(message);
  });
});

describe('the built runner', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [RUNNER, ...args], {
      encoding: 'utf8',
      env: { ...process.env, FLYWAY_RUNNER_HOME: '/nonexistent/home' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });

  it('--help documents the invocation, the statuses, the exit codes and the test-only overrides', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: flyway-runner --config-prefix /<prefix> --database <key> --action <action>');
    for (const text of ['0  success, skipped', '"queued"', '2  usage', '3  configuration', '4  authentication failed', '5  database unreachable', '6  lock timeout', '7  migration or validation failed', '8  the host is not ready']) {
      expect(result.stdout).toContain(text);
    }
    expect(result.stdout).toMatch(/FLYWAY_RUNNER_DB_ENDPOINT +TEST ONLY/);
    expect(result.stdout).toMatch(/FLYWAY_RUNNER_CA_BUNDLE +TEST ONLY/);
  });

  it('ends a usage error with exit code 2, the error line and a summary naming what was valid', () => {
    const result = run(withArg('--action', 'clean'));
    const lines = result.stdout.trimEnd().split('\n');
    expect(result.status).toBe(2);
    expect(lines[lines.length - 2]).toBe('flyway-runner: usage error: --action clean is never allowed (cleanDisabled=true): it would drop every object in the schemas -- run flyway-runner --help');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ database: 'users', action: 'clean', status: 'failed', exit_code: 2, flyway_exit_code: null, migrations_applied: 0 });
  });
});
