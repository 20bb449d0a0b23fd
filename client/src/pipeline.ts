// Finds a pipeline from what the module writes to Parameter Store under /<name_prefix>/flyway:
// `pipeline` (document, instance, log group, failure queue, trigger) and `databases/<key>` (each
// database's bucket and engine). `--terraform-dir` reads that prefix from `terraform output`.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetParameterCommand, GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ClientError, EXIT, step } from './errors';

export type Engine = 'postgresql' | 'mysql';

export interface Database {
  key: string;
  bucket: string;
  engine: Engine;
  /** The database (or schema) name on the cluster. */
  name: string;
  /** Whether the runner syncs and runs SQL callbacks (afterMigrate.sql, ...) for it. */
  callbacks: boolean;
  /** "default" (the module's own cluster) or the key of an existing cluster (var.clusters). */
  cluster: string;
  /** Its cluster's engine version, when known (an existing cluster's, else the module cluster's). */
  engineVersion?: string;
  /** A tenant group: its tenants in the group's order (engine: the first tenant's). */
  tenants?: Tenant[];
}

export interface Tenant {
  tenant: string;
  database: string;
  cluster: string;
  engine: Engine;
  engineVersion?: string;
}

export interface Pipeline {
  configPrefix: string;
  namePrefix: string;
  engine: Engine;
  /** The cluster's engine version (16.6, 8.0.mysql_aurora.3.08.2); absent in pipelines applied before it was recorded. */
  engineVersion?: string;
  documentName: string;
  instanceId: string;
  commandLogGroup: string;
  failureQueueUrl: string;
  triggerFunctionName: string;
  /** The host stops itself when idle (host_idle_stop_minutes > 0): start it before sending a command. */
  hostSleeps: boolean;
  databases: Database[];
}

export function configPrefixOf(namePrefix: string): string {
  return `/${namePrefix}/flyway`;
}

interface PipelineParameter {
  name_prefix: string;
  engine: Engine;
  engine_version?: string;
  document_name: string;
  instance_id: string;
  command_log_group: string;
  failure_queue_url: string;
  trigger_function_name: string;
  /** Absent in pipelines applied before the idle stop existed. */
  host_sleeps?: boolean;
}

interface DatabaseParameter {
  key: string;
  bucket: string;
  database: string;
  engine: Engine;
  flyway?: { callbacks?: boolean };
  /** Only for a database on an existing cluster (absent: the module's own). */
  cluster?: string;
  engine_version?: string;
  /** A tenant group's: its tenants, and each cluster they name. */
  tenants?: { tenant: string; database: string; cluster: string }[];
  clusters?: Record<string, { engine: Engine; engine_version?: string }>;
}

function tenantsOf(db: DatabaseParameter): Tenant[] | undefined {
  if (db.tenants === undefined) return undefined;
  return db.tenants.map((tenant) => {
    const cluster = db.clusters?.[tenant.cluster];
    return { tenant: tenant.tenant, database: tenant.database, cluster: tenant.cluster, engine: cluster?.engine ?? 'postgresql', ...(cluster?.engine_version === undefined ? {} : { engineVersion: cluster.engine_version }) };
  });
}

/** Parses the module's parameters (pure). */
export function pipelineOf(configPrefix: string, pipelineJson: string, databaseJsons: readonly string[]): Pipeline {
  const pipeline = JSON.parse(pipelineJson) as PipelineParameter;
  const databases = databaseJsons
    .map((json) => JSON.parse(json) as DatabaseParameter)
    .map((db) => {
      const tenants = tenantsOf(db);
      const engineVersion = tenants !== undefined ? tenants[0]?.engineVersion : db.cluster === undefined ? pipeline.engine_version : db.engine_version;
      return {
        key: db.key,
        bucket: db.bucket,
        engine: tenants?.[0]?.engine ?? db.engine,
        name: db.database ?? db.key,
        callbacks: db.flyway?.callbacks === true,
        cluster: tenants?.[0]?.cluster ?? db.cluster ?? 'default',
        ...(engineVersion === undefined ? {} : { engineVersion }),
        ...(tenants === undefined ? {} : { tenants }),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    configPrefix,
    namePrefix: pipeline.name_prefix,
    engine: pipeline.engine,
    ...(pipeline.engine_version === undefined ? {} : { engineVersion: pipeline.engine_version }),
    documentName: pipeline.document_name,
    instanceId: pipeline.instance_id,
    commandLogGroup: pipeline.command_log_group,
    failureQueueUrl: pipeline.failure_queue_url,
    triggerFunctionName: pipeline.trigger_function_name,
    hostSleeps: pipeline.host_sleeps === true,
    databases,
  };
}

export async function readPipeline(ssm: SSMClient, configPrefix: string): Promise<Pipeline> {
  const pipelineJson = await step(`reading ${configPrefix}/pipeline from Parameter Store`, async () => {
    try {
      return (await ssm.send(new GetParameterCommand({ Name: `${configPrefix}/pipeline` }))).Parameter?.Value ?? '';
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') {
        throw new ClientError(
          `no pipeline at ${configPrefix} in this account and region`,
          EXIT.setup,
          'check --name-prefix (the module\'s name_prefix) and the region (AWS_REGION or --region), or pass --terraform-dir',
        );
      }
      throw error;
    }
  });
  const databases: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await step(`listing ${configPrefix}/databases`, () => ssm.send(new GetParametersByPathCommand({ Path: `${configPrefix}/databases`, NextToken: nextToken })));
    databases.push(...(page.Parameters ?? []).map((parameter) => parameter.Value ?? '{}'));
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return pipelineOf(configPrefix, pipelineJson, databases);
}

/** The config_prefix output of a Terraform configuration that uses the module (or is it). */
export async function configPrefixFromTerraform(dir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('terraform', ['output', '-json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    const outputs = JSON.parse(stdout) as Record<string, { value: unknown }>;
    const direct = outputs.config_prefix?.value;
    // A configuration that calls the module and passes all its outputs on (as the examples do).
    const nested = Object.values(outputs)
      .map((output) => (output.value as { config_prefix?: unknown } | null)?.config_prefix)
      .find((value) => typeof value === 'string');
    const prefix = typeof direct === 'string' ? direct : nested;
    if (typeof prefix !== 'string') throw new Error('it has no config_prefix output');
    return prefix;
  } catch (error) {
    throw new ClientError(`could not read the pipeline from terraform output in ${dir}: ${(error as Error).message}`, EXIT.setup, 'run terraform apply there first, or pass --name-prefix');
  }
}

export function databaseOf(pipeline: Pipeline, key: string): Database {
  const database = pipeline.databases.find((candidate) => candidate.key === key);
  if (database === undefined) {
    const known = pipeline.databases.map((candidate) => candidate.key).join(', ') || 'none';
    throw new ClientError(`the pipeline ${pipeline.namePrefix} has no database ${key} (it has: ${known})`, EXIT.setup, 'add it to the module\'s databases and terraform apply, or pick one of those');
  }
  return database;
}
