import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseServer } from './database-server';
import { freePort } from './ports';
import { run, runOk } from './run';
import { serviceWorkDir, startService } from './service';
import { createServerTls } from './tls';
import { toolEnv } from './toolchain';
import { runAs } from './users';

const ADMIN_USER = 'flyway_admin';

/**
 * A throwaway PostgreSQL cluster (initdb + postgres) in a temp dir on a free loopback port, with a
 * password-authenticated admin user, as Aurora's master user would be. Runs as the unprivileged
 * `postgres` user when the tests run as root (PostgreSQL refuses to run as root).
 * It speaks TLS with a certificate from its own throwaway CA (`caFile`), so clients can connect
 * with sslmode=verify-full; host-based auth is unchanged, so plain connections work as well.
 * `keep`: leave it running after this process exits (ServiceSpec.keep; the demo's --keep).
 */
export async function startPostgres(options: { keep?: boolean } = {}): Promise<DatabaseServer> {
  const port = await freePort();
  const workDir = serviceWorkDir('postgres');
  const dataDir = join(workDir, 'data');
  const socketDir = join(workDir, 'socket');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const account = runAs('postgres');
  mkdirSync(socketDir);
  writeFileSync(join(workDir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (account) {
    chownSync(workDir, account.uid, account.gid);
    chownSync(socketDir, account.uid, account.gid);
    chownSync(join(workDir, 'pwfile'), account.uid, account.gid);
  }
  const tls = await createServerTls(join(workDir, 'tls'), account);
  await runOk(
    'initdb',
    ['-D', dataDir, '-U', ADMIN_USER, `--pwfile=${join(workDir, 'pwfile')}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'],
    { ...account, env: toolEnv(), timeoutMs: 120_000 },
  );
  const service = await startService({
    name: 'postgres',
    keep: options.keep,
    command: 'postgres',
    args: [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir, '-c', 'fsync=off',
      '-c', 'ssl=on', '-c', `ssl_cert_file=${tls.certFile}`, '-c', `ssl_key_file=${tls.keyFile}`,
    ],
    workDir,
    env: toolEnv(),
    ...account,
    stopSignal: 'SIGINT',
    ready: async () => (await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)], { env: toolEnv() })).code === 0,
  });
  return { host: '127.0.0.1', port, user: ADMIN_USER, password, caFile: tls.caFile, pid: service.pid, workDir, stop: service.stop };
}
