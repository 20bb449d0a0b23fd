// The harness's CloudWatch client: signed JSON 1.0 calls (X-Amz-Target GraniteServiceVersion20100801.<Op>)
// to the emulator, which answers CloudWatch in that protocol. The project has no CloudWatch SDK
// client (none is published at the SDK version it pins), and the AWS CLI costs seconds per call
// on a busy 2-core machine; the alarm play makes two calls per evaluation.

import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsEnv } from './aws';

export async function cloudWatchCall<T>(env: AwsEnv, region: string, operation: string, input: Record<string, unknown>): Promise<T> {
  const endpoint = new URL(env.AWS_ENDPOINT_URL ?? '');
  const signer = new SignatureV4({
    service: 'monitoring',
    region,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' },
    sha256: Sha256,
  });
  const body = JSON.stringify(input);
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
    path: '/',
    headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `GraniteServiceVersion20100801.${operation}` },
    body,
  });
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(new URL('/', endpoint), { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`CloudWatch ${operation} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}
