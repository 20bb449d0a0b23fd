// The Flyway host's instance metadata service (IMDS), as EC2 serves it to an instance whose
// metadata options require tokens (the module sets http_tokens = "required"): a session token
// from `PUT /latest/api/token` (X-aws-ec2-metadata-token-ttl-seconds, 1 to 21600), then every GET
// with X-aws-ec2-metadata-token; a GET without a valid token is answered 401, as IMDSv2-only
// instances answer. The host's scripts reach it through AWS_EC2_METADATA_SERVICE_ENDPOINT (the AWS
// CLI v2 and the JS SDK v3 both read it) instead of 169.254.169.254, which this machine cannot
// serve per harness.
//
// What it serves comes from the emulator (readInstanceMetadata): the instance id, its zone and
// region, its tags (only when instance_metadata_tags is enabled), the instance profile and the
// name of its role; the role's credentials are the host's access keys, so the call recorder
// attributes every call signed with them to the host role (HOST_ACCESS_KEY_ID, iam-check.ts).

import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsClients } from './aws';

export interface InstanceIdentity {
  instanceId: string;
  region: string;
  availabilityZone: string;
  /** The instance profile (null: the instance has none, and IMDS lists no credentials). */
  profile: { arn: string; id: string; roleName: string } | null;
  /** The instance's tags, or null when its metadata options keep them out of IMDS. */
  tags: Readonly<Record<string, string>> | null;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** One request the service answered (for the tests: who asked, with a token or not, what they got). */
export interface MetadataRequest {
  method: string;
  path: string;
  withToken: boolean;
  status: number;
}

export interface MetadataService {
  /** AWS_EC2_METADATA_SERVICE_ENDPOINT. With its trailing slash: the AWS CLI 2.9 appends paths to it as they are. */
  endpoint: string;
  requests: readonly MetadataRequest[];
  stop(): Promise<void>;
}

/** EC2's limit for a token's lifetime (seconds). */
const MAX_TOKEN_TTL = 21_600;
/** How long the role's credentials are valid, as EC2 hands them out (about six hours, renewed before they expire). */
const CREDENTIALS_LIFETIME_MS = 6 * 3600 * 1000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What GET <path> answers on this instance: [status, body]. Pure. */
export function metadataAnswer(identity: InstanceIdentity, credentials: RoleCredentials, path: string, now: number): [number, string] {
  const { profile, tags } = identity;
  const values: Record<string, string> = {
    '/latest/meta-data/instance-id': identity.instanceId,
    '/latest/meta-data/placement/availability-zone': identity.availabilityZone,
    '/latest/meta-data/placement/region': identity.region,
  };
  if (profile !== null) {
    values['/latest/meta-data/iam/info'] = JSON.stringify({ Code: 'Success', LastUpdated: iso(now), InstanceProfileArn: profile.arn, InstanceProfileId: profile.id }, null, 2);
    values['/latest/meta-data/iam/security-credentials/'] = profile.roleName;
    values[`/latest/meta-data/iam/security-credentials/${profile.roleName}`] = JSON.stringify(
      {
        Code: 'Success',
        LastUpdated: iso(now),
        Type: 'AWS-HMAC',
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: iso(now + CREDENTIALS_LIFETIME_MS),
      },
      null,
      2,
    );
  }
  if (tags !== null) {
    values['/latest/meta-data/tags/instance'] = Object.keys(tags).join('\n');
    for (const [key, value] of Object.entries(tags)) values[`/latest/meta-data/tags/instance/${key}`] = value;
  }
  const categories = ['instance-id', 'placement/', ...(profile === null ? [] : ['iam/']), ...(tags === null ? [] : ['tags/'])];
  values['/latest/meta-data/'] = categories.join('\n');
  // IMDS answers a category with or without its trailing slash.
  const found = values[path] ?? values[path.replace(/\/$/, '')] ?? values[`${path}/`];
  return found === undefined ? [404, 'Not Found'] : [200, found];
}

/** Serves the instance's metadata on a free loopback port. `now` is the clock (tests move it to expire tokens). */
export async function startInstanceMetadata(identity: InstanceIdentity, credentials: RoleCredentials, now: () => number = Date.now): Promise<MetadataService> {
  const tokens = new Map<string, number>();
  const requests: MetadataRequest[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    const token = req.headers['x-aws-ec2-metadata-token'];
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', withToken: typeof token === 'string' && token !== '', status });
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://imds').pathname;
    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return answer(req, res, 405, 'Method Not Allowed');
      // IMDS refuses token requests that went through a proxy.
      if (req.headers['x-forwarded-for'] !== undefined) return answer(req, res, 403, 'Forbidden');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL) return answer(req, res, 400, 'Bad Request');
      const token = randomBytes(42).toString('base64');
      tokens.set(token, now() + ttl * 1000);
      return answer(req, res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(req, res, 405, 'Method Not Allowed');
    // http_tokens = "required": no valid token, no metadata (IMDSv1 requests get 401).
    const token = req.headers['x-aws-ec2-metadata-token'];
    const expires = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expires === undefined || expires <= now()) return answer(req, res, 401, 'Unauthorized');
    const [status, body] = metadataAnswer(identity, credentials, path, now());
    return answer(req, res, status, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface DescribedInstance {
  Placement?: { AvailabilityZone?: string };
  IamInstanceProfile?: { Arn?: string; Id?: string };
  Tags?: { Key: string; Value: string }[];
  MetadataOptions?: { InstanceMetadataTags?: string };
}

/** What EC2 knows of the instance and serves in its metadata, read from the emulator (DescribeInstances, GetInstanceProfile). */
export async function readInstanceMetadata(aws: AwsClients, instanceId: string): Promise<InstanceIdentity> {
  const described = (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))) as { Reservations?: { Instances?: DescribedInstance[] }[] };
  const instance = described.Reservations?.[0]?.Instances?.[0];
  if (instance === undefined) throw new Error(`the emulator does not know the host's instance ${instanceId} (DescribeInstances)`);
  let profile: InstanceIdentity['profile'] = null;
  const profileArn = instance.IamInstanceProfile?.Arn;
  if (profileArn !== undefined) {
    const name = profileArn.replace(/^.*:instance-profile\/(?:.*\/)?/, '');
    const found = await aws.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    const roleName = found.InstanceProfile?.Roles?.[0]?.RoleName;
    if (roleName !== undefined) profile = { arn: profileArn, id: instance.IamInstanceProfile?.Id ?? found.InstanceProfile?.InstanceProfileId ?? '', roleName };
  }
  const tagsEnabled = instance.MetadataOptions?.InstanceMetadataTags === 'enabled';
  const zone = instance.Placement?.AvailabilityZone ?? `${aws.region}a`;
  return {
    instanceId,
    region: aws.region,
    availabilityZone: zone,
    profile,
    tags: tagsEnabled ? Object.fromEntries((instance.Tags ?? []).map((tag) => [tag.Key, tag.Value])) : null,
  };
}
