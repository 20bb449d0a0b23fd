// The harness's way to the emulator: SDK clients for S3 and SSM (fast, in process), the real AWS
// CLI for the services whose SDK clients the project does not install (Lambda, Secrets Manager).
// Everything is pointed at the emulator by the environment given, never by the process's own.

import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runOk } from '../support/run';
import { toolEnv } from '../support/toolchain';

/** AWS_ENDPOINT_URL, AWS_REGION and credentials of the emulator (MotoServer.awsEnv). */
export type AwsEnv = Readonly<Record<string, string>>;

export interface AwsClients {
  env: AwsEnv;
  region: string;
  s3: S3Client;
  ssm: SSMClient;
  lambda: LambdaClient;
  ec2: EC2Client;
  iam: IAMClient;
  secrets: SecretsManagerClient;
  /**
   * Runs `aws <args> --output json` against the emulator; null for empty output. The harness's own
   * reads go through the SDK clients above (a CLI process costs about 0.7 CPU s); this is for tests
   * that check what a user typing the command would see.
   */
  cli(...args: string[]): Promise<unknown>;
  destroy(): void;
}

function required(env: AwsEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`the emulator environment has no ${name}`);
  return value;
}

/** An SDK client's settings for the emulator in `region` (the harness's own clients of other services use it). */
export function sdkConfig(env: AwsEnv, region: string): { endpoint: string | undefined; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return { endpoint: env.AWS_ENDPOINT_URL, region, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' } };
}

export function awsClients(env: AwsEnv): AwsClients {
  const config = {
    endpoint: required(env, 'AWS_ENDPOINT_URL'),
    region: required(env, 'AWS_REGION'),
    credentials: { accessKeyId: required(env, 'AWS_ACCESS_KEY_ID'), secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY') },
  };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ssm = new SSMClient(config);
  const lambda = new LambdaClient(config);
  const ec2 = new EC2Client(config);
  const iam = new IAMClient(config);
  const secrets = new SecretsManagerClient(config);
  return {
    env,
    region: config.region,
    s3,
    ssm,
    lambda,
    ec2,
    iam,
    secrets,
    async cli(...args) {
      const result = await runOk('aws', [...args, '--output', 'json'], { env: toolEnv({ ...env }), timeoutMs: 120_000 });
      return result.stdout.trim() === '' ? null : (JSON.parse(result.stdout) as unknown);
    },
    destroy() {
      s3.destroy();
      ssm.destroy();
      for (const client of [lambda, ec2, iam, secrets]) client.destroy();
    },
  };
}
