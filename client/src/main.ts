// aurora-flyway: the uploader's command. Lint migrations, push them to a database's bucket and
// wait for the database's result, run Flyway actions, and look at status, logs and failed events.

import { Argument, Command, CommanderError, Option } from 'commander';
import { join } from 'node:path';
import { awsClients, type Aws } from './aws';
import { ClientError, EXIT } from './errors';
import { DEFAULT_POSTGRES_VERSION, RULES, rulesTable } from './lint';
import { lintAndReport, lintSummary } from './lint-report';
import { readMigrationFolder } from './local-files';
import { showLogs } from './logs';
import { createReporter, table, type Reporter } from './output';
import { configPrefixFromTerraform, configPrefixOf, databaseOf, readPipeline, type Pipeline } from './pipeline';
import { push } from './push';
import { replay } from './replay';
import { ACTIONS, runAction, type Action } from './run';
import { readStatuses, statusTable } from './status';
import { tenantStatuses, tenantStatusTable } from './tenants';

interface GlobalOptions {
  namePrefix?: string;
  terraformDir?: string;
  region?: string;
  endpointUrl?: string;
  json: boolean;
}

const EXIT_CODES = `Exit codes:
  0   success
  1   the migration or the run failed, or lint found errors
  2   wrong usage
  3   the pipeline, the database or AWS credentials were not found, or AWS refused a call
  4   no result within --timeout (the run may still finish)
  5   push refused a change to an already uploaded version (nothing was uploaded)
  70  a bug in aurora-flyway (please report it with the output)`;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  isTty: boolean;
}

const seconds = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new ClientError(`--timeout must be a whole number of seconds, not ${value}`, EXIT.usage);
  return parsed;
};

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('aurora-flyway')
    .description('Upload versioned SQL to an Aurora Flyway pipeline and get the database\'s answer.')
    .addOption(new Option('--name-prefix <prefix>', 'the pipeline\'s name_prefix').env('AURORA_FLYWAY_NAME_PREFIX'))
    .option('--terraform-dir <dir>', 'read the pipeline from `terraform output` in this directory instead')
    .option('--region <region>', 'AWS region (default: the SDK\'s: AWS_REGION, the profile)')
    .addOption(new Option('--endpoint-url <url>', 'AWS endpoint for every service, e.g. a local emulator (S3 then path-style)').env('AWS_ENDPOINT_URL'))
    .option('--json', 'print the result as JSON on stdout', false)
    .addHelpText('after', `\n${EXIT_CODES}`)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  let aws: Aws | undefined;
  const globals = () => program.opts<GlobalOptions>();
  const reporter = (): Reporter => createReporter({ json: globals().json, tty: io.isTty, stdout: io.stdout, stderr: io.stderr });
  const connect = () => (aws ??= awsClients({ ...(globals().region === undefined ? {} : { region: globals().region }), ...(globals().endpointUrl === undefined ? {} : { endpointUrl: globals().endpointUrl }) }));
  const pipeline = async (): Promise<Pipeline> => {
    const { namePrefix, terraformDir } = globals();
    if (namePrefix === undefined && terraformDir === undefined) {
      throw new ClientError('which pipeline? neither --name-prefix nor --terraform-dir is given', EXIT.usage, 'pass --name-prefix <the module\'s name_prefix> (or set AURORA_FLYWAY_NAME_PREFIX), or --terraform-dir <dir>');
    }
    const prefix = namePrefix !== undefined ? configPrefixOf(namePrefix) : await configPrefixFromTerraform(terraformDir as string);
    return readPipeline(connect().ssm, prefix);
  };

  program
    .command('lint')
    .description('check migration files offline: names, duplicate versions, encoding, SQL syntax, lock and data hazards (squawk\'s rules on PostgreSQL)')
    .argument('[dir]', 'folder of .sql files', '.')
    .addOption(new Option('--engine <engine>', 'SQL dialect').choices(['postgresql', 'mysql']).default('postgresql'))
    .option('--strict', 'treat warnings as errors', false)
    .option('--style', 'also the style rules (bigint, text, timestamptz, ...), off by default', false)
    .option('--pg-version <version>', 'the PostgreSQL version the migrations run on (squawk\'s rules depend on it)', DEFAULT_POSTGRES_VERSION)
    .option('--rules', 'list every rule with its engines, kind, severity and what it is about, and exit', false)
    .action(async (dir: string, options: { engine: 'postgresql' | 'mysql'; strict: boolean; style: boolean; pgVersion: string; rules: boolean }) => {
      const out = reporter();
      if (options.rules) {
        for (const line of table(['rule', 'engines', 'kind', 'severity', 'by', 'about'], rulesTable())) out.line(line);
        out.line('Silence a hazard for one statement with a comment on the line before it: -- aurora-flyway-ignore: <rule>[, <rule>]');
        out.result(RULES);
        return;
      }
      const files = readMigrationFolder(dir);
      const result = await lintAndReport(files, { engine: options.engine, strict: options.strict, style: options.style, postgresVersion: options.pgVersion }, out);
      out.line(lintSummary(files.length, result));
      out.result({ files: files.length, ...result });
    });

  program
    .command('push')
    .description('lint, upload new migrations to the database\'s bucket, and wait for the database\'s result')
    .argument('<database>', 'database key (as in the module\'s databases)')
    .argument('[dir]', 'folder of .sql files (default: migrations/<database>)')
    .option('--allow-modify', 'upload changed versions of already uploaded V files (only for versions that never reached the database)', false)
    .option('--dry-run', 'show what would be uploaded, upload nothing', false)
    .option('--no-wait', 'return after the upload')
    .option('--timeout <seconds>', 'give up waiting after this long', '900')
    .option('--strict', 'treat lint warnings as errors', false)
    .option('--style', 'lint with the style rules too', false)
    .action(async (key: string, dir: string | undefined, options: { allowModify: boolean; dryRun: boolean; wait: boolean; timeout: string; strict: boolean; style: boolean }) => {
      const out = reporter();
      const found = await pipeline();
      const result = await push(connect(), found, databaseOf(found, key), { dir: dir ?? join('migrations', key), allowModify: options.allowModify, dryRun: options.dryRun, wait: options.wait, timeoutSeconds: seconds(options.timeout), strict: options.strict, style: options.style }, out);
      out.result(result);
      if (result.status === 'failed') exitCode = EXIT.failed;
    });

  program
    .command('run')
    .description('run a Flyway action for a database on the host and follow it')
    .argument('<database>', 'database key')
    .addArgument(new Argument('<action>', 'what Flyway does').choices(ACTIONS))
    .option('--timeout <seconds>', 'give up waiting after this long', '900')
    .action(async (key: string, action: Action, options: { timeout: string }) => {
      const out = reporter();
      const found = await pipeline();
      const result = await runAction(connect(), found, databaseOf(found, key), action, seconds(options.timeout), out);
      out.line(`${key} ${action}: command ${result.commandId} ${result.status}${result.summary === null ? '' : `, runner ${result.summary.status}`}`);
      out.result(result);
      if (result.status !== 'Success' || result.summary?.status === 'failed' || result.outcome?.status === 'failed') exitCode = EXIT.failed;
    });

  program
    .command('status')
    .description('each database\'s last pass: status and schema version')
    .argument('[database]', 'only this database')
    .action(async (key: string | undefined) => {
      const out = reporter();
      const found = await pipeline();
      const statuses = await readStatuses(connect(), key === undefined ? found.databases : [databaseOf(found, key)]);
      for (const line of statusTable(statuses)) out.line(line);
      // One tenant group: a row per tenant, and which are behind the group's newest version.
      const group = key === undefined ? undefined : databaseOf(found, key).tenants;
      if (group !== undefined) {
        const tenants = tenantStatuses(group, statuses[0]?.outcome ?? undefined);
        out.line('');
        for (const line of tenantStatusTable(tenants)) out.line(line);
        const behind = tenants.filter((tenant) => tenant.behind !== '').map((tenant) => tenant.tenant);
        out.line(behind.length === 0 ? `all ${tenants.length} tenant(s) at the group's version` : `behind: ${behind.join(', ')}`);
        out.result({ statuses, tenants });
        return;
      }
      out.result(statuses);
    });

  program
    .command('logs')
    .description('the runner\'s output of the database\'s latest runs')
    .argument('<database>', 'database key')
    .option('--follow', 'keep printing new output until interrupted', false)
    .option('--limit <count>', 'how many of the latest runs', '3')
    .action(async (key: string, options: { follow: boolean; limit: string }) => {
      const found = await pipeline();
      await showLogs(connect(), found, databaseOf(found, key), { limit: Number(options.limit), follow: options.follow }, reporter());
    });

  program
    .command('replay')
    .description('re-drive upload events the trigger gave up on (its on-failure queue), once their cause is fixed')
    .action(async () => {
      const out = reporter();
      const results = await replay(connect(), await pipeline(), out);
      out.result(results);
      if (results.some((result) => !result.ok)) exitCode = EXIT.failed;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ClientError) {
      io.stderr(`\naurora-flyway: ${error.message}\n${error.todo === undefined ? '' : `what to do: ${error.todo}\n`}`);
      return error.exitCode;
    }
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    io.stderr(`\naurora-flyway: unexpected error (a bug; please report it):\n${status === undefined ? '' : `HTTP ${status}: `}${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  } finally {
    aws?.destroy();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: process.stderr.isTTY === true,
  }).then((code) => {
    process.exitCode = code;
  });
}
