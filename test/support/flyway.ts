import { DatabaseServer } from './database-server';
import { runOk, RunResult } from './run';
import { toolEnv } from './toolchain';

/** The real Flyway CLI from setup, configured only through environment variables. */
export function flyway(server: DatabaseServer, url: string, locations: string, ...args: string[]): Promise<RunResult> {
  return runOk('flyway', [...args], {
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

/** Runs SQL on a PostgreSQL server as its admin user; rows come back as `a|b` lines. */
export function psql(server: DatabaseServer, database: string, sql: string): Promise<RunResult> {
  return runOk('psql', ['-X', '-At', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database, '-c', sql], {
    env: toolEnv({ PGPASSWORD: server.password }),
  });
}

/** Runs SQL on a MariaDB server as its admin user; rows come back tab-separated. */
export function mariadb(server: DatabaseServer, database: string, sql: string): Promise<RunResult> {
  return runOk('mariadb', ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', server.user, '-N', '-B', database, '-e', sql], {
    env: toolEnv({ MYSQL_PWD: server.password }),
  });
}
