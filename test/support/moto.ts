import { join } from 'node:path';
import { freePort } from './ports';
import { serviceWorkDir, startService } from './service';
import { toolchain } from './toolchain';
import { cloudWatchModel, startCloudWatchCbor } from './cloudwatch-cbor';

export interface MotoServer {
  endpoint: string;
  region: string;
  /** Environment for the AWS CLI, SDKs and Terraform to talk to this server. */
  awsEnv: Record<string, string>;
  pid: number;
  workDir: string;
  stop(): Promise<void>;
}

const REGION = 'eu-central-1';

/** A moto server (the AWS API emulator) on a free loopback port. `keep`: see ServiceSpec.keep (the demo's --keep). */
export async function startMoto(options: { keep?: boolean } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const workDir = serviceWorkDir('moto');
  const service = await startService({
    name: 'moto',
    keep: options.keep,
    command: join(toolchain().bin, 'moto_server'),
    args: ['-H', '127.0.0.1', '-p', String(port)],
    workDir,
    ready: async () => (await fetch(`${endpoint}/moto-api/`)).ok,
    readyTimeoutMs: 60_000,
  });
  // The AWS provider reaches CloudWatch in a protocol moto lacks: through the translating proxy (cloudwatch-cbor.ts).
  const cloudWatch = await startCloudWatchCbor(endpoint, cloudWatchModel(join(toolchain().cache, 'venv-moto')));
  return {
    endpoint,
    region: REGION,
    awsEnv: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.endpoint,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    pid: service.pid,
    workDir,
    stop: async () => {
      await cloudWatch.stop();
      await service.stop();
    },
  };
}
