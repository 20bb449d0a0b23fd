// The cluster's master login lives only in the Secrets Manager secret that RDS manages
// (manage_master_user_password). The local database server stands in for the cluster, so that
// login is made to work there. The password is passed on stdin, never on a command line, and never
// printed: errors have it blanked out.

import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { DatabaseServer } from '../support/database-server';
import { run } from '../support/run';
import { toolEnv } from '../support/toolchain';
import type { AwsClients } from './aws';

export type Engine = 'postgresql' | 'mysql';

export interface MasterLogin {
  username: string;
  password: string;
}

export async function readMasterLogin(aws: AwsClients, secretArn: string): Promise<MasterLogin> {
  const secret = await aws.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const login = JSON.parse(secret.SecretString ?? '{}') as Partial<MasterLogin>;
  if (typeof login.username !== 'string' || typeof login.password !== 'string' || login.password === '') {
    throw new Error(`secret ${secretArn} is not {"username", "password"} JSON`);
  }
  return { username: login.username, password: login.password };
}

/** SQL string literals: PostgreSQL (standard_conforming_strings) doubles quotes; MariaDB also escapes backslashes. */
export function sqlString(value: string, engine: Engine): string {
  const escaped = engine === 'mysql' ? value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") : value.replace(/'/g, "''");
  return `'${escaped}'`;
}

// RDS master user names: a letter, then letters, digits or underscores.
const USER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/**
 * SQL that makes `login` a working master login: the admin's own password when the names agree,
 * otherwise a new user with the master user's powers (create databases and users; on MySQL all
 * privileges, as Aurora MySQL's master user has).
 */
export function masterLoginSql(login: MasterLogin, engine: Engine): string {
  if (!USER_NAME.test(login.username)) throw new Error(`the secret's username ${JSON.stringify(login.username)} is not a valid user name`);
  const password = sqlString(login.password, engine);
  if (engine === 'postgresql') {
    return (
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${login.username}') THEN ` +
      `CREATE ROLE "${login.username}" LOGIN CREATEDB CREATEROLE; END IF; END $$;\n` +
      `ALTER ROLE "${login.username}" PASSWORD ${password};\n`
    );
  }
  return (
    `CREATE USER IF NOT EXISTS '${login.username}'@'%';\n` +
    `ALTER USER '${login.username}'@'%' IDENTIFIED BY ${password};\n` +
    `GRANT ALL PRIVILEGES ON *.* TO '${login.username}'@'%' WITH GRANT OPTION;\n`
  );
}

/**
 * Makes the secret's login work on the local server (run as the server's admin) and returns the
 * server with that login. The emulator's managed secret names the user "admin" whatever the
 * cluster's master_username is (moto's RDS model writes a fixed secret); on AWS both agree and this
 * only sets the admin's password.
 */
export async function adoptMasterLogin(server: DatabaseServer, engine: Engine, login: MasterLogin): Promise<DatabaseServer> {
  const sql = masterLoginSql(login, engine);
  const result =
    engine === 'postgresql'
      ? await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', 'postgres'], {
          env: toolEnv({ PGPASSWORD: server.password }),
          input: sql,
        })
      : await run('mariadb', ['--no-defaults', '--protocol=TCP', '-h', server.host, '-P', String(server.port), '-u', server.user], {
          env: toolEnv({ MYSQL_PWD: server.password }),
          input: sql,
        });
  if (result.code !== 0) {
    const blank = (text: string) => text.split(login.password).join('***');
    throw new Error(`could not set up the master login on the local ${engine} server: ${blank(result.stderr || result.stdout).trim()}`);
  }
  return { ...server, user: login.username, password: login.password };
}
