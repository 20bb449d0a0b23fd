// Plays Lambda for the trigger: reads the function back from the emulator (handler, timeout and
// the environment Terraform configured), checks that its code is the committed package byte for
// byte, and runs that package's handler in a fresh Node process per invocation (a cold start,
// as test/integration/lambda/invoke-bundle.ts does for the integration tests).

import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invokeBundle, type Invocation } from '../integration/lambda/invoke-bundle';
import { PROJECT_ROOT } from '../support/terraform';
import type { AwsClients } from './aws';
import type { InvocationRecord } from './records';
import { readZipEntry } from './zip';

/** What Terraform deployed (lambda/dist/trigger.zip, see lambda/README.md). */
export const PACKAGE_PATH = join(PROJECT_ROOT, 'lambda', 'dist', 'trigger.zip');

export interface DeployedFunction {
  arn: string;
  name: string;
  runtime: string;
  memorySize: number;
  timeoutSeconds: number;
  /** Environment.Variables as the emulator holds them. */
  environment: Record<string, string>;
  /** The handler file, unpacked from the deployed package. */
  bundlePath: string;
}

interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  CodeSha256: string;
  Environment?: { Variables?: Record<string, string> };
}

/** Reads the function from the emulator and unpacks its code (once per code hash) under `stateDir`. */
export async function loadFunction(aws: AwsClients, functionArn: string, stateDir: string, packagePath = PACKAGE_PATH): Promise<DeployedFunction> {
  // Read each time, as Lambda runs whatever is deployed now (in-process: an AWS CLI start costs about 0.7 CPU s).
  const config = (await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }))) as FunctionConfiguration;
  const zip = readFileSync(packagePath);
  const digest = createHash('sha256').update(zip).digest();
  if (digest.toString('base64') !== config.CodeSha256) {
    throw new Error(
      `the code of ${config.FunctionName} (CodeSha256 ${config.CodeSha256}) is not ${packagePath} (${digest.toString('base64')}): ` +
        'the harness runs exactly what is deployed, so terraform apply again after changing the package',
    );
  }
  const match = /^([\w./-]+)\.(\w+)$/.exec(config.Handler);
  if (match === null || match[2] !== 'handler') {
    throw new Error(`handler ${config.Handler} is not supported by the harness (expected <file>.handler)`);
  }
  const dir = join(stateDir, 'lambda', digest.toString('hex').slice(0, 16));
  const bundlePath = join(dir, `${match[1]}.js`);
  if (!existsSync(bundlePath)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(bundlePath, readZipEntry(zip, `${match[1]}.js`));
  }
  return {
    arn: config.FunctionArn,
    name: config.FunctionName,
    runtime: config.Runtime,
    memorySize: config.MemorySize,
    timeoutSeconds: config.Timeout,
    environment: config.Environment?.Variables ?? {},
    bundlePath,
  };
}

/** The environment the Lambda runtime gives the function, pointed at the emulator. */
export function runtimeEnvironment(fn: DeployedFunction, awsEnv: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_ENDPOINT_URL: awsEnv.AWS_ENDPOINT_URL,
    AWS_REGION: awsEnv.AWS_REGION,
    AWS_DEFAULT_REGION: awsEnv.AWS_REGION,
    AWS_ACCESS_KEY_ID: awsEnv.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: awsEnv.AWS_SECRET_ACCESS_KEY,
    ...fn.environment,
  };
}

/** Ids of the commands the function says it sent (its "command sent" log lines). */
export function sentCommandIds(logs: readonly Record<string, unknown>[]): string[] {
  const ids = logs.filter((line) => line.message === 'command sent' && typeof line.commandId === 'string').map((line) => line.commandId as string);
  return [...new Set(ids)];
}

/** One asynchronous invocation, as S3 makes it: a cold start with the event. */
export async function invokeFunction(fn: DeployedFunction, event: unknown, awsEnv: Readonly<Record<string, string>>): Promise<InvocationRecord> {
  const started = Date.now();
  let invocation: Invocation;
  try {
    invocation = await invokeBundle(fn.bundlePath, event, runtimeEnvironment(fn, awsEnv));
  } catch (error) {
    // The process died without a result (Lambda reports Runtime.ExitError).
    invocation = { ok: false, error: { name: 'Runtime.ExitError', message: (error as Error).message }, logs: [], stderr: '' };
  }
  return {
    functionArn: fn.arn,
    at: new Date(started).toISOString(),
    event,
    ok: invocation.ok,
    ...(invocation.result === undefined ? {} : { result: invocation.result }),
    ...(invocation.error === undefined ? {} : { error: invocation.error }),
    logs: invocation.logs,
    commandIds: sentCommandIds(invocation.logs),
    durationMs: Date.now() - started,
  };
}
