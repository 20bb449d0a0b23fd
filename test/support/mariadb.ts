import { chownSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
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
 * A throwaway MariaDB server (the MySQL-compatible engine Debian ships) in a temp dir on a free
 * loopback port, with a password-authenticated admin user like Aurora MySQL's master user.
 * It speaks TLS with a certificate from its own throwaway CA (`caFile`), so clients can connect
 * with server-certificate verification; plain connections work as well (no REQUIRE SSL).
 * `keep`: leave it running after this process exits (ServiceSpec.keep; the demo's --keep).
 */
export async function startMariadb(options: { keep?: boolean } = {}): Promise<DatabaseServer> {
  const port = await freePort();
  const workDir = serviceWorkDir('mariadb');
  const dataDir = join(workDir, 'data');
  const socket = join(workDir, 'mariadb.sock');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const account = runAs('mysql');
  mkdirSync(dataDir);
  if (account) {
    chownSync(workDir, account.uid, account.gid);
    chownSync(dataDir, account.uid, account.gid);
  }
  const tls = await createServerTls(join(workDir, 'tls'), account);
  const env = toolEnv();
  // mariadb-install-db gives socket-authenticated superuser rights to root and to the user running it.
  const socketUser = account ? 'root' : userInfo().username;
  await runOk(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=socket', '--skip-test-db', ...(account ? ['--user=mysql'] : [])],
    { env, timeoutMs: 180_000 },
  );
  const service = await startService({
    name: 'mariadb',
    keep: options.keep,
    command: 'mariadbd',
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${join(workDir, 'mariadb.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      '--innodb-flush-log-at-trx-commit=0',
      `--ssl-ca=${tls.caFile}`,
      `--ssl-cert=${tls.certFile}`,
      `--ssl-key=${tls.keyFile}`,
      ...(account ? ['--user=mysql'] : []),
    ],
    workDir,
    env,
    ready: async () => (await run('mariadb-admin', ['--no-defaults', `--socket=${socket}`, `-u${socketUser}`, 'ping'], { env })).code === 0,
    readyTimeoutMs: 90_000,
  });
  // The socket-authenticated superuser creates the password login that the tests and Flyway use.
  await runOk('mariadb', ['--no-defaults', `--socket=${socket}`, `-u${socketUser}`], {
    env,
    input: `CREATE USER '${ADMIN_USER}'@'%' IDENTIFIED BY '${password}';\nGRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'%' WITH GRANT OPTION;\n`,
  });
  return { host: '127.0.0.1', port, user: ADMIN_USER, password, caFile: tls.caFile, pid: service.pid, workDir, stop: service.stop };
}
