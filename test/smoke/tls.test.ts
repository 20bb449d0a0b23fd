// The throwaway database servers speak TLS with a certificate signed by their own test CA, as
// Aurora does with the RDS CA: psql, the mariadb client and the real Flyway CLI (with the pgjdbc
// and MariaDB Connector/J it bundles) connect with full verification (chain and host name) when
// they trust that CA, also from a PEM bundle of many CAs, and are refused when they trust another
// CA or the certificate names another host. Plain connections still work. For MariaDB,
// allowLocalInfile=false is shown to be what stops LOAD DATA LOCAL INFILE: the server allows it,
// and the same migration passes with allowLocalInfile=true.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseServer } from '../support/database-server';
import { startMariadb } from '../support/mariadb';
import { startPostgres } from '../support/postgres';
import { run, RunResult } from '../support/run';
import { createServerCertificate, createTestCa } from '../support/tls';
import { toolEnv } from '../support/toolchain';
import { runAs } from '../support/users';

jest.setTimeout(300_000);

let scratch: string;
/** An unrelated CA that signed nothing the servers present. */
let otherCaFile: string;
/** More unrelated CAs, to surround a server's CA in a bundle. */
let unrelatedCaFiles: string[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aurora-flyway-tls-'));
  otherCaFile = (await createTestCa(scratch, 'other', 'unrelated CA')).caFile;
  unrelatedCaFiles = [];
  for (const name of ['unrelated-1', 'unrelated-2', 'unrelated-3']) {
    unrelatedCaFiles.push((await createTestCa(scratch, name, 'unrelated CA')).caFile);
  }
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A PEM file of several CA certificates, like the RDS global bundle; returns its path. */
function bundle(name: string, caFiles: string[]): string {
  const file = join(scratch, `${name}.pem`);
  writeFileSync(file, caFiles.map((caFile) => readFileSync(caFile, 'utf8')).join(''));
  return file;
}

const certificates = (pemFile: string): number => (readFileSync(pemFile, 'utf8').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

/** A migrations dir holding the given files. */
function migrationsDir(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(dir, file), sql);
  return dir;
}

/** The real Flyway CLI, configured like support/flyway.ts's, but its failures are results. */
function flyway(server: DatabaseServer, url: string, locations: string, ...args: string[]): Promise<RunResult> {
  return run('flyway', args, {
    env: toolEnv({
      FLYWAY_URL: url,
      FLYWAY_USER: server.user,
      FLYWAY_PASSWORD: server.password,
      FLYWAY_LOCATIONS: `filesystem:${locations}`,
      FLYWAY_CLEAN_DISABLED: 'true',
    }),
    timeoutMs: 180_000,
  });
}

const output = (result: RunResult): string => `${result.stdout}\n${result.stderr}`;

function expectSuccess(result: RunResult): void {
  if (result.code !== 0) throw new Error(`exited ${result.code}:\n${output(result)}`);
}

function expectFailure(result: RunResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(output(result)).toMatch(pattern);
}

/**
 * Has the server present a certificate for another host name (elsewhere.invalid), signed by a
 * fresh CA, while `check` runs with that CA's file; then its own certificate again. `reload` makes
 * the server take up the files (new connections only) and resolves once it has.
 */
async function withCertificateForAnotherName(
  server: DatabaseServer,
  account: string,
  reload: (expectedCaFile: string) => Promise<void>,
  check: (caFile: string) => Promise<void>,
): Promise<void> {
  const dir = dirname(server.caFile);
  const own = { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')) };
  const elsewhere = await createTestCa(scratch, `elsewhere-${account}`, 'elsewhere CA');
  const { certFile, keyFile } = await createServerCertificate(dir, elsewhere, runAs(account), ['DNS:elsewhere.invalid']);
  expect([certFile, keyFile]).toEqual([join(dir, 'server.pem'), join(dir, 'server.key')]);
  try {
    await reload(elsewhere.caFile);
    await check(elsewhere.caFile);
  } finally {
    // Rewriting keeps the files' owner and mode.
    writeFileSync(certFile, own.cert);
    writeFileSync(keyFile, own.key);
    await reload(server.caFile);
  }
}

async function eventually(attempt: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What the JVM (pgjdbc, Connector/J) says when no trusted CA signed the server's certificate. */
const JAVA_UNTRUSTED = /PKIX path building failed: sun\.security\.provider\.certpath\.SunCertPathBuilderException: unable to find valid certification path to requested target/;

describe('PostgreSQL over TLS', () => {
  let server: DatabaseServer;
  const psql = (sslEnv: Record<string, string>, ...commands: string[]) =>
    run('psql', ['-X', '-At', '-h', '127.0.0.1', '-p', String(server.port), '-U', server.user, '-d', 'postgres', ...commands.flatMap((sql) => ['-c', sql])], {
      env: toolEnv({ PGPASSWORD: server.password, ...sslEnv }),
      timeoutMs: 30_000,
    });
  const verified = (caFile: string) => ({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile });
  const ON_TLS = ['SHOW ssl', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'];
  const url = (sslrootcert: string) => `jdbc:postgresql://127.0.0.1:${server.port}/postgres?sslmode=verify-full&sslrootcert=${sslrootcert}`;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('psql with verify-full and the server CA connects over TLS', async () => {
    const result = await psql(verified(server.caFile), ...ON_TLS);
    expectSuccess(result);
    expect(result.stdout.trim()).toBe('on\nt');
  });

  it('psql with verify-full and another CA is refused: the certificate does not verify', async () => {
    expectFailure(await psql(verified(otherCaFile), 'SELECT 1'), /certificate verify failed/);
  });

  it('plain connections still work', async () => {
    const result = await psql({ PGSSLMODE: 'disable' }, ...ON_TLS);
    expectSuccess(result);
    expect(result.stdout.trim()).toBe('on\nf');
  });

  it('flyway info passes with sslmode=verify-full and sslrootcert=<server CA>, and fails with another CA', async () => {
    const none = migrationsDir('pg-none', {});
    const ok = await flyway(server, url(server.caFile), none, 'info');
    expectSuccess(ok);
    expect(ok.stdout).toMatch(/Schema version: << Empty Schema >>/);

    const refused = await flyway(server, url(otherCaFile), none, 'info');
    expectFailure(refused, JAVA_UNTRUSTED);
    expect(output(refused)).toMatch(/Unable to obtain connection from database/);
  });

  it('pgjdbc takes a PEM bundle of many CAs as sslrootcert (the server CA in its middle)', async () => {
    const many = bundle('pg-bundle', [unrelatedCaFiles[0], unrelatedCaFiles[1], server.caFile, unrelatedCaFiles[2]]);
    const without = bundle('pg-bundle-without', unrelatedCaFiles);
    expect([certificates(many), certificates(without)]).toEqual([4, 3]);
    const migrations = migrationsDir('pg-tls', {
      'V1__record_tls.sql': 'CREATE TABLE tls_check AS SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n',
    });

    expectFailure(await flyway(server, url(without), migrations, 'migrate'), JAVA_UNTRUSTED);
    const migrated = await flyway(server, url(many), migrations, 'migrate');
    expectSuccess(migrated);
    expect(migrated.stdout).toMatch(/Successfully applied 1 migration/);
    // Flyway's own session was on TLS.
    const recorded = await psql(verified(many), 'SELECT ssl, version FROM tls_check');
    expectSuccess(recorded);
    expect(recorded.stdout.trim()).toMatch(/^t\|TLSv1\.[23]$/);
  });

  it('verify-full checks the host name too: a certificate from the trusted CA for another name is refused', async () => {
    const reload = async (caFile: string) => {
      expectSuccess(await psql({ PGSSLMODE: 'disable' }, 'SELECT pg_reload_conf()'));
      await eventually(async () => (await psql({ PGSSLMODE: 'verify-ca', PGSSLROOTCERT: caFile }, 'SELECT 1')).code === 0, 'PostgreSQL to reload its certificate');
    };
    await withCertificateForAnotherName(server, 'postgres', reload, async (elsewhereCa) => {
      // The chain verifies (verify-ca), the name does not (verify-full).
      expectSuccess(await psql({ PGSSLMODE: 'verify-ca', PGSSLROOTCERT: elsewhereCa }, 'SELECT 1'));
      expectFailure(
        await psql(verified(elsewhereCa), 'SELECT 1'),
        /server certificate for "elsewhere\.invalid"( \(and \d+ other names?\))? does not match host name "127\.0\.0\.1"/,
      );
      expectFailure(
        await flyway(server, url(elsewhereCa), migrationsDir('pg-elsewhere', {}), 'info'),
        /The hostname 127\.0\.0\.1 could not be verified by hostnameverifier PgjdbcHostnameVerifier/,
      );
    });
    expectSuccess(await psql(verified(server.caFile), 'SELECT 1'));
  });
});

describe('MariaDB over TLS', () => {
  let server: DatabaseServer;
  const client = (sslArgs: string[], sql: string) =>
    run('mariadb', ['--no-defaults', '--protocol=TCP', '-h', '127.0.0.1', '-P', String(server.port), '-u', server.user, ...sslArgs, '-N', '-B', '-e', sql], {
      env: toolEnv({ MYSQL_PWD: server.password }),
      timeoutMs: 30_000,
    });
  const verified = (caFile: string) => ['--ssl', `--ssl-ca=${caFile}`, '--ssl-verify-server-cert'];
  const admin = async (sql: string): Promise<string> => {
    const result = await client([], sql);
    expectSuccess(result);
    return result.stdout.trim();
  };
  const CIPHER = "SHOW STATUS LIKE 'Ssl_cipher'";
  const url = (database: string, serverSslCert: string, allowLocalInfile = false) =>
    `jdbc:mysql://127.0.0.1:${server.port}/${database}?useSsl=true&serverSslCert=${serverSslCert}&allowLocalInfile=${allowLocalInfile}`;

  beforeAll(async () => {
    server = await startMariadb();
    await admin('CREATE DATABASE tls; CREATE DATABASE tls_bundle');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the mariadb client with --ssl-verify-server-cert and the server CA connects over TLS', async () => {
    const result = await client(verified(server.caFile), CIPHER);
    expectSuccess(result);
    expect(result.stdout.trim()).toMatch(/^Ssl_cipher\t\S+$/);
  });

  it('the mariadb client with --ssl-verify-server-cert and another CA is refused', async () => {
    expectFailure(await client(verified(otherCaFile), 'SELECT 1'), /ERROR 2026 \(HY000\): TLS\/SSL error: (self[- ]signed certificate in certificate chain|unable to get local issuer certificate|certificate verify failed)/);
  });

  it('plain connections still work', async () => {
    const result = await client(['--skip-ssl'], CIPHER);
    expectSuccess(result);
    expect(result.stdout.trim()).toBe('Ssl_cipher');
  });

  it('flyway info passes with useSsl=true and serverSslCert=<server CA>, and fails with another CA', async () => {
    const none = migrationsDir('maria-none', {});
    const ok = await flyway(server, url('tls', server.caFile), none, 'info');
    expectSuccess(ok);
    expect(ok.stdout).toMatch(/Schema version: << Empty Schema >>/);

    const refused = await flyway(server, url('tls', otherCaFile), none, 'info');
    expectFailure(refused, JAVA_UNTRUSTED);
    expect(output(refused)).toMatch(/Unable to obtain connection from database/);

    // serverSslCert alone does not turn TLS on: without useSsl=true, Connector/J 2.7 silently
    // connects in plain text, so even the wrong CA "works".
    const plain = `jdbc:mysql://127.0.0.1:${server.port}/tls?serverSslCert=${otherCaFile}&allowLocalInfile=false`;
    expectSuccess(await flyway(server, plain, none, 'info'));
  });

  it('Connector/J takes a PEM bundle of many CAs as serverSslCert (the server CA in its middle)', async () => {
    const many = bundle('maria-bundle', [unrelatedCaFiles[0], unrelatedCaFiles[1], server.caFile, unrelatedCaFiles[2]]);
    const without = bundle('maria-bundle-without', unrelatedCaFiles);
    expect([certificates(many), certificates(without)]).toEqual([4, 3]);
    const migrations = migrationsDir('maria-tls', {
      'V1__record_tls.sql':
        "CREATE TABLE tls_check AS SELECT VARIABLE_VALUE AS cipher FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_CIPHER';\n",
    });

    expectFailure(await flyway(server, url('tls_bundle', without), migrations, 'migrate'), JAVA_UNTRUSTED);
    const migrated = await flyway(server, url('tls_bundle', many), migrations, 'migrate');
    expectSuccess(migrated);
    expect(migrated.stdout).toMatch(/Successfully applied 1 migration/);
    // Flyway's own session was on TLS.
    const recorded = await client(verified(many), 'SELECT cipher FROM tls_bundle.tls_check');
    expectSuccess(recorded);
    expect(recorded.stdout.trim()).toMatch(/^\S+$/);
  });

  it('Connector/J checks the host name too: a certificate from the trusted CA for another name is refused', async () => {
    const reload = async () => void (await admin('FLUSH SSL'));
    await withCertificateForAnotherName(server, 'mysql', reload, async (elsewhereCa) => {
      expectFailure(await client(verified(elsewhereCa), 'SELECT 1'), /ERROR 2026 \(HY000\): TLS\/SSL error: Validation of SSL server certificate failed/);
      const none = migrationsDir('maria-elsewhere', {});
      expectFailure(
        await flyway(server, url('tls', elsewhereCa), none, 'info'),
        /SSL hostname verification failed : IPv4 host "127\.0\.0\.1" doesn't correspond to certificate CN "elsewhere\.invalid" and SAN\[\{DNS:"elsewhere\.invalid"\}\]/,
      );
      // The chain does verify: only the name check refused it.
      expectSuccess(await flyway(server, `${url('tls', elsewhereCa)}&disableSslHostnameVerification=true`, none, 'info'));
    });
    expectSuccess(await client(verified(server.caFile), 'SELECT 1'));
  });

  it('allowLocalInfile=false makes Flyway refuse LOAD DATA LOCAL INFILE that the server itself allows', async () => {
    await admin('SET GLOBAL local_infile = ON');
    expect(await admin('SELECT @@GLOBAL.local_infile')).toBe('1');
    await admin('CREATE DATABASE infile_refused; CREATE DATABASE infile_allowed');
    const migrations = migrationsDir('maria-infile', {
      'V1__create_table.sql': 'CREATE TABLE t (line TEXT);\n',
      'V2__load_local_file.sql': "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE t;\n",
    });

    const refused = await flyway(server, url('infile_refused', server.caFile, false), migrations, 'migrate');
    // Connector/J does not offer the LOCAL INFILE capability, so MariaDB 10.11 refuses the statement
    // with error 4166, whose text names both sides: the controls around it show it is the client.
    expectFailure(refused, /Error Code : 4166\n\s*Message\s*: \(conn=\d+\) The used command is not allowed because the MariaDB server or client has disabled the local infile capability/);
    expect(await admin('SELECT COUNT(*) FROM infile_refused.t')).toBe('0');

    // The same migration, same server, only allowLocalInfile=true: the file is loaded.
    const allowed = await flyway(server, url('infile_allowed', server.caFile, true), migrations, 'migrate');
    expectSuccess(allowed);
    expect(await admin('SELECT line FROM infile_allowed.t')).toBe(readFileSync('/etc/hostname', 'utf8').trim());
  });
});
