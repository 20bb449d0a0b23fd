// ec2:StartInstances as one signed EC2 Query request. The SDK's EC2 client would double the
// package (its serializer holds the schema of every EC2 operation, about 560 KB minified, which
// does not tree-shake), for the one call the trigger makes. Signing, credentials and the SHA-256
// are the SDK's own packages, which the other clients bundle anyway; the request and the answer
// are EC2's documented Query shapes. Parsing is pure.

import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { defaultProvider } from '@aws-sdk/credential-provider-node';

const API_VERSION = '2016-11-15';
const REQUEST_TIMEOUT_MS = 10_000;

/** The error EC2 answered (Code and Message of its XML error), thrown with its code as name. */
export class Ec2Error extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const decodeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? '');

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match === null ? undefined : match[1];
}

/** The previous and current state names of a StartInstances answer, or the error it holds (pure). */
export function parseStartInstancesResponse(status: number, xml: string): { previous: string; current: string } | Ec2Error {
  const error = element(xml, 'Error');
  if (status >= 300 || error !== undefined) {
    const code = element(error ?? xml, 'Code') ?? `HTTP${status}`;
    return new Ec2Error(decodeXml(code), decodeXml(element(error ?? xml, 'Message') ?? `EC2 answered HTTP ${status}`), status);
  }
  const item = element(xml, 'item') ?? '';
  const previous = element(element(item, 'previousState') ?? '', 'name');
  const current = element(element(item, 'currentState') ?? '', 'name');
  if (previous === undefined || current === undefined) return new Ec2Error('UnreadableResponse', `StartInstances answered without instance states: ${xml.slice(0, 200)}`, status);
  return { previous, current };
}

/** EC2's endpoint: the SDK's endpoint variables first (the local emulator), else the region's. */
export function ec2Endpoint(env: Readonly<Record<string, string | undefined>>, region: string): string {
  const configured = env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL;
  if (configured !== undefined && configured !== '') return configured.replace(/\/+$/, '');
  return `https://ec2.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

export function createStartInstances(env: Readonly<Record<string, string | undefined>> = process.env): (instanceId: string) => Promise<{ previous: string; current: string }> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = new URL(ec2Endpoint(env, region));
  const signer = new SignatureV4({ service: 'ec2', region, credentials: defaultProvider(), sha256: Sha256 });
  return async (instanceId) => {
    const body = new URLSearchParams({ Action: 'StartInstances', Version: API_VERSION, 'InstanceId.1': instanceId }).toString();
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
      path: endpoint.pathname === '' ? '/' : endpoint.pathname,
      headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    // fetch sets Host itself (from the same URL that was signed) and refuses to be given one.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const parsed = parseStartInstancesResponse(response.status, await response.text());
    if (parsed instanceof Ec2Error) throw parsed;
    return parsed;
  };
}
