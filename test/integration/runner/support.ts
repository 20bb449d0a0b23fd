// Shared pieces of the runner tests: the built runner (runner/dist/flyway-runner.js, what the
// module ships) run by Node.js, a Flyway CLI installed by the real install-flyway, S3 / SSM /
// Secrets Manager on a moto server, and a real database server that speaks verified TLS.

import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DatabaseServer } from '../../support/database-server';
import { MotoServer } from '../../support/moto';
import { RunResult } from '../../support/run';
import { toolchain, toolEnv } from '../../support/toolchain';
import type { OutcomeRecord } from '../../../common/src/outcome';
import { OUTCOME_KEY } from '../../../common/src/outcome';
import { MIGRATE_LINE, type RunnerSummary } from '../../../common/src/runner-output';

export const REPO = resolve(__dirname, '..', '..', '..');
export const RUNNER = join(REPO, 'runner', 'dist', 'flyway-runner.js');
/**
 * FLYWAY_RUNNER_UNDER_TEST=<program>: run the tests against another runner, e.g. the bash runner
 * this one replaced (git show 968347f:scripts/flyway-runner), to see which tests the old
 * behaviour fails. Arguments the old runner does not know are left out for it.
 */
const RUNNER_UNDER_TEST = process.env.FLYWAY_RUNNER_UNDER_TEST;
const NEW_OPTIONS = ['--settle-seconds', '--max-parallel', '--db-endpoint'];

function runnerCommand(args: string[]): [string, string[]] {
  if (RUNNER_UNDER_TEST === undefined) return [process.execPath, [RUNNER, ...args]];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (NEW_OPTIONS.includes(args[i])) i += 1;
    else if (!NEW_OPTIONS.some((option) => args[i].startsWith(`${option}=`))) kept.push(args[i]);
  }
  return [RUNNER_UNDER_TEST, kept];
}
export const INSTALLER = join(REPO, 'scripts', 'install-flyway');
export const CONFIG_PREFIX = '/itest/flyway';

/**
 * Runs a program (no shell) with stdin closed and collects its output; never rejects for a
 * non-zero exit. (Like test/support/run.ts's run(), without a stdin pipe: ending that pipe races
 * with programs that exit at once and can fail the whole suite with an unhandled EPIPE.)
 */
export function execute(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Like execute, but rejects with the output when the program exits non-zero. */
export async function executeOk(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  const result = await execute(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

/** Fails with the runner's whole output when it did not exit with `code`. */
export function expectExit(result: RunnerResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

export const EXIT = { ok: 0, usage: 2, config: 3, auth: 4, unreachable: 5, lockTimeout: 6, migration: 7, host: 8, stopped: 9 } as const;

export type Engine = 'postgresql' | 'mysql';

/** The runner's closing JSON line; one definition, shared with the end-to-end harness. */
export type Summary = RunnerSummary;

export interface RunnerResult extends RunResult {
  summary: Summary;
  /** How many times this run started `flyway migrate`. */
  migrateRuns: number;
  /** The line that says what failed and what to do (the one right before the summary). */
  errorLine: string;
  elapsedMs: number;
}

export interface Flyway {
  prefix: string;
  /** The flyway link that install-flyway put in its --bin-dir. */
  bin: string;
  remove(): void;
}

/** Installs the Maven Central Flyway archive from setup with the project's own installer. */
export async function installFlyway(): Promise<Flyway> {
  const tools = toolchain();
  const root = mkdtempSync(join(tmpdir(), 'aurora-flyway-install-'));
  const prefix = join(root, 'opt');
  const binDir = join(root, 'bin');
  await executeOk(
    INSTALLER,
    ['--version', tools.flywayVersion, '--sha256', tools.flywaySha256, '--source', tools.flywayArchive, '--prefix', prefix, '--bin-dir', binDir],
    { env: toolEnv(), timeoutMs: 180_000 },
  );
  return { prefix, bin: join(binDir, 'flyway'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Parses a runner's output: the last line is the JSON summary. */
export function parseRunnerOutput(result: RunResult, elapsedMs: number): RunnerResult {
  const lines = result.stdout.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  let summary: Summary;
  try {
    summary = JSON.parse(last) as Summary;
  } catch {
    throw new Error(`the runner's last line is not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return {
    ...result,
    summary,
    migrateRuns: lines.filter((line) => line === MIGRATE_LINE).length,
    errorLine: lines.length >= 2 ? lines[lines.length - 2] : '',
    elapsedMs,
  };
}

export interface DatabaseSpec {
  engine?: Engine;
  /** Defaults to the key. */
  database?: string;
  /** The host written into the settings (defaults to the test server's). */
  host?: string;
  port?: number;
  flyway?: Record<string, unknown>;
  /** Secret contents; defaults to the server's admin login. `null`: no secret is created. */
  secret?: { username: string; password: string } | null;
}

/** One moto server + one database server, shared by the tests of a file. */
export class RunnerWorld {
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  readonly home: string;

  constructor(
    readonly moto: MotoServer,
    readonly server: DatabaseServer,
    readonly engine: Engine,
    readonly flyway: Flyway,
  ) {
    const clientConfig = {
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    this.s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    this.ssm = new SSMClient(clientConfig);
    this.secrets = new SecretsManagerClient(clientConfig);
    this.home = mkdtempSync(join(tmpdir(), 'aurora-flyway-runner-home-'));
  }

  bucketOf(key: string): string {
    return `itest-${key.replace(/_/g, '-')}-bucket`;
  }

  /** More environment for every run of the runner (e.g. a ChildArgvRecorder's). */
  runnerEnv: Record<string, string> = {};

  /** The environment the runner gets (as the SSM agent gives it: AWS settings, PATH). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return toolEnv({
      ...this.moto.awsEnv,
      FLYWAY_RUNNER_HOME: this.home,
      FLYWAY_RUNNER_FLYWAY: this.flyway.bin,
      // The local server's certificate is signed by its own test CA, as Aurora's are by the RDS CAs.
      FLYWAY_RUNNER_CA_BUNDLE: this.server.caFile,
      // The host runs Node.js 22; this machine's Node.js 20 would make the SDK warn on stderr.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.runnerEnv,
      ...extra,
    });
  }

  /** Creates the bucket, the secret and the settings parameter, as the module would. */
  async addDatabase(key: string, spec: DatabaseSpec = {}): Promise<void> {
    const bucket = this.bucketOf(key);
    await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Versioned, as the module's buckets are: the runner lists and fetches object versions.
    await this.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    // Named like the secrets RDS manages for a cluster's master user ("rds!cluster-<id>").
    const secretName = `rds!cluster-itest-${key}`;
    const secret = spec.secret === undefined ? { username: this.server.user, password: this.server.password } : spec.secret;
    if (secret !== null) {
      await this.secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify(secret) }));
    }
    await this.putSettings(key, {
      key,
      bucket,
      database: spec.database ?? key,
      engine: spec.engine ?? this.engine,
      host: spec.host ?? this.server.host,
      port: spec.port ?? this.server.port,
      secret_id: secretName,
      flyway: {
        schemas: (spec.engine ?? this.engine) === 'mysql' ? [spec.database ?? key] : ['public'],
        placeholders: {},
        baseline_on_migrate: false,
        out_of_order: false,
        connect_retries: 3,
        lock_timeout_seconds: 120,
        ...spec.flyway,
      },
    });
  }

  /** Writes the settings parameter verbatim (an object is JSON-encoded, a string is kept as is). */
  async putSettings(key: string, value: unknown): Promise<void> {
    await this.ssm.send(
      new PutParameterCommand({
        Name: `${CONFIG_PREFIX}/databases/${key}`,
        Type: 'String',
        Overwrite: true,
        Value: typeof value === 'string' ? value : JSON.stringify(value),
      }),
    );
  }

  /** Uploads a file; resolves to its version id. */
  async upload(key: string, name: string, sql: string | Buffer): Promise<string | null> {
    const output = await this.s3.send(new PutObjectCommand({ Bucket: this.bucketOf(key), Key: name, Body: sql }));
    return output.VersionId ?? null;
  }

  /** The outcome record the runner wrote into the database's bucket, or undefined. */
  async outcome(key: string): Promise<OutcomeRecord | undefined> {
    try {
      const output = await this.s3.send(new GetObjectCommand({ Bucket: this.bucketOf(key), Key: OUTCOME_KEY }));
      return JSON.parse(await (output.Body as { transformToString(): Promise<string> }).transformToString()) as OutcomeRecord;
    } catch {
      return undefined;
    }
  }

  async remove(key: string, name: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucketOf(key), Key: name }));
  }

  migrationsDir(key: string): string {
    return join(this.home, key, 'migrations');
  }

  /** The migration files the host holds for a database (not the runner's own index). */
  localFiles(key: string): string[] {
    return readdirSync(this.migrationsDir(key)).filter((name) => !name.startsWith('.')).sort();
  }

  /** Runs the real runner as the SSM document does and parses its summary. */
  async runner(
    key: string,
    action = 'migrate',
    options: { env?: Record<string, string>; args?: string[] } = {},
  ): Promise<RunnerResult> {
    const started = Date.now();
    const extra = options.args ?? [];
    // No settle wait unless a test asks for one: most tests upload before they run the runner.
    const settle = extra.some((arg) => arg.startsWith('--settle-seconds')) ? [] : ['--settle-seconds', '0'];
    const args = ['--config-prefix', CONFIG_PREFIX, '--database', key, '--action', action, ...settle, ...extra];
    const [program, programArgs] = runnerCommand(args);
    const result = await execute(program, programArgs, { env: this.env(options.env), timeoutMs: 240_000 });
    return parseRunnerOutput(result, Date.now() - started);
  }

  /** Starts the runner without waiting (for concurrency tests). */
  startRunner(key: string, action = 'migrate', options: { env?: Record<string, string>; args?: string[] } = {}): Promise<RunnerResult> {
    return this.runner(key, action, options);
  }

  /** Runs SQL in a database with the engine's client; rows as tab-separated lines. */
  async query(database: string, sql: string): Promise<string> {
    const { host, port, user, password } = this.server;
    const result =
      this.engine === 'postgresql'
        ? await executeOk('psql', ['-X', '-At', '-F', '\t', '-h', host, '-p', String(port), '-U', user, '-d', database, '-c', sql], {
            env: toolEnv({ PGPASSWORD: password }),
          })
        : await executeOk('mariadb', ['--no-defaults', '-h', host, '-P', String(port), '-u', user, '-N', '-B', database, '-e', sql], {
            env: toolEnv({ MYSQL_PWD: password }),
          });
    return result.stdout.trim();
  }

  async close(): Promise<void> {
    this.s3.destroy();
    this.ssm.destroy();
    this.secrets.destroy();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Samples `ps -eo args` until stopped; returns everything it saw, samples separated by SAMPLE_SEPARATOR. */
export const SAMPLE_SEPARATOR = '\n--sample--\n';

export function samplePs(intervalMs = 40): { stop(): Promise<string> } {
  let seen = '';
  let running = true;
  const loop = (async () => {
    while (running) {
      seen += await new Promise<string>((done) => {
        const child = spawn('ps', ['-eo', 'args'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('close', () => done(`${out}${SAMPLE_SEPARATOR}`));
        child.on('error', () => done(''));
      });
      await new Promise((wait) => setTimeout(wait, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** One program start a ChildArgvRecorder saw: which shim, and the arguments it was given. */
export interface ChildArgv {
  tool: string;
  args: string[];
}

/** The programs the runner starts (runner/src/processes.ts runProcess: psql, the MariaDB client, Flyway) and the JVM Flyway's launcher starts. */
const RECORDED_TOOLS = ['psql', 'mariadb', 'mysql', 'java'] as const;

function onPath(program: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter((entry) => entry !== '')) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return join(dir, program);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Sees EVERY start of the programs the runner runs, however short-lived (a sampler of `ps` misses a
 * psql that lives a few milliseconds): a directory of shims, first on the runner's PATH and its
 * JAVA_HOME/bin (where Flyway's launcher looks for java), and FLYWAY_RUNNER_FLYWAY (as the
 * document sets it on the host). Each shim writes its arguments, and nothing else, to a file of its
 * own (NUL-separated, like /proc/<pid>/cmdline), then execs the real program in its place. The
 * runner starts children only through runProcess, with these names or FLYWAY_RUNNER_FLYWAY.
 */
export class ChildArgvRecorder {
  private constructor(
    private readonly root: string,
    private readonly logDir: string,
    /** Give it to the runner (RunnerWorld.runnerEnv, or a run's env). */
    readonly env: Record<string, string>,
  ) {}

  static create(flyway: Flyway): ChildArgvRecorder {
    const root = mkdtempSync(join(tmpdir(), 'aurora-flyway-argv-'));
    const bin = join(root, 'bin');
    const logDir = join(root, 'log');
    mkdirSync(bin);
    mkdirSync(logDir);
    const path = toolEnv().PATH ?? '';
    const real: Record<string, string | undefined> = {
      flyway: flyway.bin,
      ...Object.fromEntries(RECORDED_TOOLS.map((tool) => [tool, onPath(tool, path)])),
    };
    // Flyway's launcher runs $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH.
    if (process.env.JAVA_HOME) real.java = join(process.env.JAVA_HOME, 'bin', 'java');
    for (const [tool, program] of Object.entries(real)) {
      if (program === undefined) continue; // not installed: the runner cannot start it either
      for (const text of [program, logDir]) {
        if (!/^[\w./+-]+$/.test(text)) throw new Error(`cannot quote ${text} in a shim`);
      }
      const shim = [
        '#!/bin/sh',
        '# Records the arguments (only those) of this start, then runs the real program in its place.',
        `record=$(mktemp '${logDir}/${tool}.XXXXXXXX') || exit 126`,
        `printf '%s\\0' '${tool}' "$@" >"$record" || exit 126`,
        `exec '${program}' "$@"`,
        '',
      ].join('\n');
      writeFileSync(join(bin, tool), shim, { mode: 0o755 });
    }
    return new ChildArgvRecorder(root, logDir, { PATH: `${bin}${delimiter}${path}`, JAVA_HOME: root, FLYWAY_RUNNER_FLYWAY: join(bin, 'flyway') });
  }

  /** Every start recorded so far. */
  starts(): ChildArgv[] {
    return readdirSync(this.logDir).map((name) => {
      const [tool, ...args] = readFileSync(join(this.logDir, name), 'utf8').replace(/\0$/, '').split('\0');
      return { tool, args };
    });
  }

  /** The starts with a secret in any argument (each shown whole). */
  startsWith(...secrets: string[]): string[] {
    return this.starts()
      .filter((start) => start.args.some((arg) => secrets.some((secret) => arg.includes(secret))))
      .map((start) => [start.tool, ...start.args].join(' '));
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
