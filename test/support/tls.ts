import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './run';
import { Account } from './users';

/** The files a TLS-enabled server is started with; `caFile` is what its clients must trust. */
export interface TlsFiles {
  /** The test CA's certificate (PEM): a client's trust anchor, like Aurora's RDS CA bundle. */
  caFile: string;
  /** The server's certificate (PEM), signed by the CA, for IP:127.0.0.1 and DNS:localhost. */
  certFile: string;
  /** The server's private key (PEM), 0600 and owned by the server's account. */
  keyFile: string;
}

export interface TestCa {
  /** The CA's self-signed certificate (PEM). */
  caFile: string;
  /** The CA's private key (PEM, 0600), for signing server certificates. */
  caKeyFile: string;
}

const DAYS = '7';

const openssl = (args: string[]) => runOk('openssl', args, { timeoutMs: 60_000 });

/**
 * A throwaway CA (RSA key and self-signed v3 CA certificate) in `dir`, named `<name>.pem` and
 * `<name>.key`. Uses its own OpenSSL config, so the host's openssl.cnf plays no part.
 */
export async function createTestCa(dir: string, name = 'ca', commonName = 'aurora-flyway test CA'): Promise<TestCa> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, `${name}.cnf`);
  const caFile = join(dir, `${name}.pem`);
  const caKeyFile = join(dir, `${name}.key`);
  writeFileSync(
    config,
    [
      '[req]',
      'prompt = no',
      'distinguished_name = dn',
      'x509_extensions = v3_ca',
      '[dn]',
      // A random serial-like suffix keeps two CAs made in the same second distinct by subject too.
      `CN = ${commonName} ${Math.random().toString(36).slice(2, 10)}`,
      '[v3_ca]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  await openssl(['req', '-x509', '-config', config, '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', DAYS, '-keyout', caKeyFile, '-out', caFile]);
  chmodSync(caKeyFile, 0o600);
  chmodSync(caFile, 0o644);
  rmSync(config, { force: true });
  return { caFile, caKeyFile };
}

/**
 * A server key and certificate signed by `ca`, in `dir` as `server.pem` and `server.key` (replacing
 * them if there), for the subjectAltName entries `names` (127.0.0.1 and localhost unless told). The
 * key is 0600 and, when `account` is given, owned by it (PostgreSQL refuses a key that others can
 * read or that its own account does not own).
 */
export async function createServerCertificate(
  dir: string,
  ca: TestCa,
  account?: Account,
  names: readonly string[] = ['IP:127.0.0.1', 'DNS:localhost'],
): Promise<{ certFile: string; keyFile: string }> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'server.cnf');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  writeFileSync(
    config,
    [
      '[req]',
      'prompt = no',
      'distinguished_name = dn',
      '[dn]',
      `CN = ${names.find((name) => name.startsWith('DNS:'))?.slice('DNS:'.length) ?? 'localhost'}`,
      '[server]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${names.join(', ')}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid, issuer',
      '',
    ].join('\n'),
  );
  await openssl(['req', '-new', '-config', config, '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', keyFile, '-out', csr]);
  const serial = `0x${Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`;
  await openssl([
    'x509', '-req', '-in', csr, '-CA', ca.caFile, '-CAkey', ca.caKeyFile, '-set_serial', serial,
    '-sha256', '-days', DAYS, '-extfile', config, '-extensions', 'server', '-out', certFile,
  ]);
  rmSync(csr, { force: true });
  rmSync(config, { force: true });
  chmodSync(certFile, 0o644);
  chmodSync(keyFile, 0o600);
  if (account) {
    chownSync(certFile, account.uid, account.gid);
    chownSync(keyFile, account.uid, account.gid);
  }
  return { certFile, keyFile };
}

/**
 * A fresh test CA and a server certificate signed by it, in `dir` (created, readable by
 * `account`). The CA's key is deleted once the certificate is signed: nothing else is ever
 * signed by it, so a client that trusts `caFile` trusts this one server only.
 */
export async function createServerTls(dir: string, account?: Account): Promise<TlsFiles> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  if (account) chownSync(dir, account.uid, account.gid);
  const ca = await createTestCa(dir);
  const { certFile, keyFile } = await createServerCertificate(dir, ca, account);
  rmSync(ca.caKeyFile, { force: true });
  if (account) chownSync(ca.caFile, account.uid, account.gid);
  return { caFile: ca.caFile, certFile, keyFile };
}
