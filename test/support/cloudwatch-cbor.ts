// CloudWatch for Terraform on the emulator. The AWS provider's CloudWatch client speaks only the
// Smithy RPC v2 CBOR protocol (POST /service/GraniteServiceVersion20100801/operation/<Op>, CBOR
// bodies); moto 5.2.5 answers CloudWatch over the query and JSON 1.0 protocols only, so
// PutMetricAlarm got a 404 and the module's failure alarm could not be applied locally. This
// proxy translates each call, without knowing any operation: the CBOR request becomes the same
// structure as JSON 1.0 (X-Amz-Target: GraniteServiceVersion20100801.<Op>), and moto's JSON
// answer becomes CBOR again, its timestamps tagged (CBOR tag 1) where CloudWatch's own service
// model (botocore's, from the emulator's environment) says the member is a timestamp. Terraform
// reaches it through AWS_ENDPOINT_URL_CLOUDWATCH (startMoto sets it); calls in other protocols (the
// AWS CLI's) pass through unchanged, and every other service goes to moto directly.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cbor, dateToTag } from '@smithy/core/cbor';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
}

interface ServiceModel {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

/** CloudWatch's service model from the botocore that the emulator's environment holds. */
export function cloudWatchModel(venv: string): ServiceModel {
  const lib = join(venv, 'lib');
  const python = readdirSync(lib).find((name) => name.startsWith('python'));
  if (python === undefined) throw new Error(`no python library folder under ${lib}`);
  const data = join(lib, python, 'site-packages', 'botocore', 'data', 'cloudwatch');
  const [version] = readdirSync(data).sort().reverse();
  if (version === undefined) throw new Error(`botocore holds no CloudWatch model under ${data}`);
  return JSON.parse(gunzipSync(readFileSync(join(data, version, 'service-2.json.gz'))).toString('utf8')) as ServiceModel;
}

/** JSON 1.0 from a decoded CBOR value: tags (timestamps) become epoch seconds, byte strings base64. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const tagged = value as { tag?: unknown; value?: unknown };
    if (typeof tagged.tag === 'number' || typeof tagged.tag === 'bigint') return toJsonValue(tagged.value);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonValue(item)]));
  }
  return value;
}

/** A JSON value of `shapeName` as CBOR wants it: timestamps as tag 1 (pure, model-driven). */
export function toCborValue(model: ServiceModel, shapeName: string | undefined, value: unknown): unknown {
  const shape = shapeName === undefined ? undefined : model.shapes[shapeName];
  if (shape === undefined || value === null || value === undefined) return value;
  switch (shape.type) {
    case 'timestamp':
      return typeof value === 'number' ? dateToTag(new Date(value * 1000)) : typeof value === 'string' ? dateToTag(new Date(value)) : value;
    case 'structure':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, toCborValue(model, shape.members?.[key]?.shape, item)]));
    case 'list':
      return (value as unknown[]).map((item) => toCborValue(model, shape.member?.shape, item));
    case 'map':
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, toCborValue(model, shape.value?.shape, item)]));
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    default:
      return value;
  }
}

const OPERATION = /^\/service\/([^/]+)\/operation\/([^/?]+)/;

export interface CloudWatchCbor {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts the translating proxy in front of the emulator (`motoEndpoint`). */
export async function startCloudWatchCbor(motoEndpoint: string, model: ServiceModel): Promise<CloudWatchCbor> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const match = OPERATION.exec(request.url ?? '');
        if (match === null) {
          // Another protocol (the AWS CLI's query or JSON calls, which moto answers): passed through as it is.
          const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)).map(([name, value]) => [name, String(value)]));
          const passed = await fetch(`${motoEndpoint}${request.url ?? '/'}`, { method: request.method ?? 'POST', headers, ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }) });
          response.writeHead(passed.status, { 'content-type': passed.headers.get('content-type') ?? 'text/xml' });
          response.end(Buffer.from(await passed.arrayBuffer()));
          return;
        }
        const [, service, operation] = match as unknown as [string, string, string];
        const body = chunks.length === 0 ? {} : toJsonValue(cbor.deserialize(new Uint8Array(Buffer.concat(chunks))));
        const answer = await fetch(`${motoEndpoint}/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `${service}.${operation}`,
            // The signature names the region and the keys; moto reads both from it.
            authorization: String(request.headers.authorization ?? ''),
            'x-amz-date': String(request.headers['x-amz-date'] ?? ''),
          },
          body: JSON.stringify(body ?? {}),
        });
        const text = await answer.text();
        const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        const output = answer.ok ? toCborValue(model, model.operations[operation]?.output?.shape, json) : json;
        response.writeHead(answer.status, { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' });
        response.end(Buffer.from(cbor.serialize(output)));
      })().catch((error: Error) => {
        response.writeHead(500, { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' });
        response.end(Buffer.from(cbor.serialize({ __type: 'InternalFailure', message: `cloudwatch-cbor: ${error.message}` })));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the CloudWatch proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The environment with a CloudWatch proxy of this process in front of the emulator (for a process
 * that did not start the emulator, such as the kept demo's later commands: the proxy that startMoto
 * started went with its process).
 */
export async function withCloudWatchProxy<T extends Record<string, string>>(env: T, venv: string): Promise<{ env: T; stop(): Promise<void> }> {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (endpoint === undefined) throw new Error('the environment names no emulator (AWS_ENDPOINT_URL)');
  const proxy = await startCloudWatchCbor(endpoint, cloudWatchModel(venv));
  return { env: { ...env, AWS_ENDPOINT_URL_CLOUDWATCH: proxy.endpoint }, stop: proxy.stop };
}
