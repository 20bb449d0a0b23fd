// The client's AWS clients: the SDK's own credential and region resolution (profiles, SSO, OIDC
// web identity in CI, instance roles), and --endpoint-url for a local emulator. No other module of
// the client constructs a client.

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';

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
  return {
    ...clients,
    destroy: () => Object.values(clients).forEach((client) => client.destroy()),
  };
}
