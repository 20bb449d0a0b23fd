// The client's AWS clients: the SDK's own credential and region resolution (profiles, SSO, OIDC
// web identity in CI, instance roles), and --endpoint-url for a local emulator. No other module of
// the client constructs a client.

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createStartInstances } from '../../common/src/ec2-start';

export interface AwsOptions {
  region?: string;
  endpointUrl?: string;
}

export interface Aws {
  s3: S3Client;
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
  sqs: SQSClient;
  lambda: LambdaClient;
  /** ec2:StartInstances on one instance: its state before and after. */
  startInstance(instanceId: string): Promise<{ previous: string; current: string }>;
  destroy(): void;
}

export function awsClients(options: AwsOptions): Aws {
  const config = { ...(options.region === undefined ? {} : { region: options.region }), ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }) };
  const clients = {
    // An emulator on an IP address serves buckets by path only.
    s3: new S3Client({ ...config, forcePathStyle: options.endpointUrl !== undefined }),
    ssm: new SSMClient(config),
    logs: new CloudWatchLogsClient(config),
    sqs: new SQSClient(config),
    lambda: new LambdaClient(config),
  };
  const endpoints = { ...process.env, ...(options.region === undefined ? {} : { AWS_REGION: options.region }), ...(options.endpointUrl === undefined ? {} : { AWS_ENDPOINT_URL_EC2: options.endpointUrl }) };
  return {
    ...clients,
    startInstance: createStartInstances(endpoints),
    destroy: () => Object.values(clients).forEach((client) => client.destroy()),
  };
}
