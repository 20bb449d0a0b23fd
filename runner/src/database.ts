// The database before Flyway: wait until it answers (an auto-paused Aurora cluster takes about 15 s
// to resume), tell a wrong password from an unreachable server, and create a missing PostgreSQL
// database (Flyway cannot). Always over TLS with the server certificate verified against the CA
// bundle; the password goes to the clients through their environment or a pipe only.

import { mustStopWaiting } from './deadline';
import { EXIT, firstLine, RunnerFailure } from './failure';
import { findProgram, runProcess, type ProcessResult } from './processes';
import type { Blocker } from './lock-wait';
import type { Engine } from './settings';

// Sessions that hold what a session of `application_name` waits for (PostgreSQL 9.6+ pg_blocking_pids).
const BLOCKERS_SQL = `SELECT DISTINCT b.pid, coalesce(b.usename, ''), coalesce(b.application_name, ''), coalesce(b.state, ''),
  coalesce(floor(extract(epoch FROM now() - coalesce(b.xact_start, b.query_start)))::int, 0),
  left(regexp_replace(coalesce(b.query, ''), '\\s+', ' ', 'g'), 80)
FROM pg_stat_activity w
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
JOIN pg_stat_activity b ON b.pid = blocker.pid
WHERE w.application_name = :'app' AND w.datname = :'dbname';
`;
const FIELD = '\u001f';

export interface Target {
  engine: Engine;
  host: string;
  port: number;
  database: string;
  caFile: string;
}

export interface Login {
  username: string;
  password: string;
  /** The secret it came from, for messages. */
  secretId: string;
}

const AUTH_FAILURE = /password authentication failed|Access denied for user|no pg_hba\.conf entry|\(28000\)|28P01/;

export class DatabaseClient {
  private constructor(
    private readonly target: Target,
    private readonly login: Login,
    private readonly env: NodeJS.ProcessEnv,
    private readonly mysqlClient: string | undefined,
  ) {}

  static async create(target: Target, login: Login, env: NodeJS.ProcessEnv): Promise<DatabaseClient> {
    const mysqlClient = target.engine === 'mysql' ? await findProgram(['mariadb', 'mysql'], env) : undefined;
    return new DatabaseClient(target, login, env, mysqlClient);
  }

  /** Whether the runner can check the database itself (for MySQL only when a client is installed). */
  get canProbe(): boolean {
    return this.target.engine === 'postgresql' || this.mysqlClient !== undefined;
  }

  private psql(args: readonly string[], stdin?: string, options: { database?: string; pgOptions?: string } = {}): Promise<ProcessResult> {
    const { host, port, caFile } = this.target;
    return runProcess('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-d', options.database ?? 'postgres', ...args], {
      env: {
        ...this.env,
        ...(options.pgOptions === undefined ? {} : { PGOPTIONS: options.pgOptions }),
        PGUSER: this.login.username,
        PGPASSWORD: this.login.password,
        PGCONNECT_TIMEOUT: '10',
        PGAPPNAME: 'flyway-runner',
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: caFile,
      },
      stdin,
      timeoutMs: 60_000,
    });
  }

  private mysql(sql: string): Promise<ProcessResult> {
    const { host, port, caFile } = this.target;
    // The password in the client's environment (readable only by root and the process itself), as
    // psql gets PGPASSWORD; never in argv or a file. --no-defaults: no option file on the host counts.
    return runProcess(
      this.mysqlClient ?? 'mariadb',
      [
        '--no-defaults', '--protocol=TCP', '-h', host, '-P', String(port), '-u', this.login.username,
        '--connect-timeout=10', '--ssl', `--ssl-ca=${caFile}`, '--ssl-verify-server-cert', '-N', '-B', '-e', sql,
      ],
      { env: { ...this.env, MYSQL_PWD: this.login.password }, timeoutMs: 60_000 },
    );
  }

  private probe(): Promise<ProcessResult> {
    return this.target.engine === 'postgresql' ? this.psql(['-c', 'SELECT 1']) : this.mysql('SELECT 1');
  }

  /** Waits with doubling delays (1 s up to `intervalCap`) for at most `retries` retries, and never past the command's deadline. */
  async waitUntilReady(retries: number, intervalCap: number, say: (line: string) => void, deadlineMs?: number): Promise<void> {
    const { host, port } = this.target;
    let delay = 1;
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.probe();
      if (result.code === 0) {
        if (attempt > 0) say(`database answered after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}`);
        return;
      }
      const output = firstLine(result.stderr + result.stdout);
      if (AUTH_FAILURE.test(result.stderr + result.stdout)) {
        throw new RunnerFailure(
          EXIT.auth,
          `authentication failed for user ${this.login.username} on ${host}:${port}: ${output}`,
          `the password in secret ${this.login.secretId} does not match the database: check the secret (a rotated managed secret updates both)`,
        );
      }
      const outOfTime = mustStopWaiting(Date.now() + delay * 1000, deadlineMs);
      if (attempt >= retries || outOfTime) {
        throw new RunnerFailure(
          EXIT.unreachable,
          `database ${host}:${port} unreachable after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}${outOfTime ? " (the command's time is running out)" : ''}: ${output}`,
          'check that the cluster is available, the endpoint and port are right, its certificate is signed by the CA bundle, and the security group admits the Flyway host; then run again',
        );
      }
      say(`database not reachable yet (${output}); retry ${attempt + 1} of ${retries} in ${delay}s`);
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
      delay = Math.min(delay * 2, intervalCap);
    }
  }

  /** Whether the PostgreSQL database exists. */
  async postgresDatabaseExists(): Promise<boolean> {
    const exists = await this.psql(['-v', `dbname=${this.target.database}`], "SELECT 1 FROM pg_database WHERE datname = :'dbname';\n");
    if (exists.code !== 0) {
      throw new RunnerFailure(EXIT.config, `cannot query pg_database: ${firstLine(exists.stderr)}`, "check the login's privileges");
    }
    return exists.stdout.trim() === '1';
  }

  /** Creates the PostgreSQL database when missing; true when it was created. */
  async ensurePostgresDatabase(): Promise<boolean> {
    const { database } = this.target;
    if (await this.postgresDatabaseExists()) return false;
    // %I quotes the identifier; the name was validated against ^[A-Za-z_][A-Za-z0-9_]{0,62}$ too.
    const created = await this.psql(
      ['-v', `dbname=${database}`],
      "SELECT format('CREATE DATABASE %I', :'dbname') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname') \\gexec\n",
    );
    if (created.code !== 0) {
      throw new RunnerFailure(EXIT.config, `cannot create database ${database}: ${firstLine(created.stderr)}`, 'the login in the secret needs the CREATEDB privilege (the master user has it)');
    }
    return true;
  }

  /** PostgreSQL: the sessions blocking the sessions named `application` in this database now ([] when none, or on any error). */
  async lockBlockers(application: string): Promise<Blocker[]> {
    const result = await this.psql(['-F', FIELD, '-v', `app=${application}`, '-v', `dbname=${this.target.database}`], BLOCKERS_SQL);
    if (result.code !== 0) return [];
    return result.stdout.split('\n').filter((line) => line !== '').map((line) => {
      const [pid, user, app, state, seconds, query] = line.split(FIELD);
      return { pid: Number(pid), user: user ?? '', application: app ?? '', state: state ?? '', seconds: Number(seconds ?? 0), query: query ?? '' };
    });
  }

  /**
   * PostgreSQL: drops the index `name` if it exists and is INVALID (what a CREATE INDEX CONCURRENTLY
   * that failed part way leaves), itself concurrently and bounded by `lockTimeoutMs`. Returns the
   * error when it could not.
   */
  async dropInvalidIndex(name: string, lockTimeoutMs: number): Promise<string | undefined> {
    const sql = "SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %s', i.indexrelid::regclass) FROM pg_index i WHERE i.indexrelid = to_regclass(:'name') AND NOT i.indisvalid \\gexec\n";
    const result = await this.psql(['-v', `name=${name}`], sql, { database: this.target.database, pgOptions: `-c lock_timeout=${Math.max(1, lockTimeoutMs)}` });
    return result.code === 0 ? undefined : firstLine(result.stderr + result.stdout) || `psql exited ${result.code}`;
  }
}
