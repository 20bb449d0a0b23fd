// The harness's instance metadata service answers as EC2's does for an instance whose metadata
// options require tokens (IMDSv2 only), which is how the module configures the Flyway host.
import { metadataAnswer, startInstanceMetadata, type InstanceIdentity, type MetadataService } from '../../harness/instance-metadata';

const IDENTITY: InstanceIdentity = {
  instanceId: 'i-0123456789abcdef0',
  region: 'eu-central-1',
  availabilityZone: 'eu-central-1a',
  profile: { arn: 'arn:aws:iam::123456789012:instance-profile/flyway-host', id: 'AIPAEXAMPLE', roleName: 'flyway-host-role' },
  tags: { Name: 'flyway-host', FlywayHostIdleStopMinutes: '15' },
};
const KEYS = { accessKeyId: 'AKIAHARNESSFLYWAYHST', secretAccessKey: 'harness-only', sessionToken: 'session' };

describe('the instance metadata service the harness serves', () => {
  let clock = Date.parse('2026-12-02T12:00:00Z');
  let imds: MetadataService;
  beforeAll(async () => {
    imds = await startInstanceMetadata(IDENTITY, KEYS, () => clock);
  });
  afterAll(() => imds.stop());

  const token = async (ttl = '60') => fetch(`${imds.endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${imds.endpoint}${path}`, { headers });

  it('answers 401 to a request without a token, as an IMDSv2-only instance does', async () => {
    expect((await get('latest/meta-data/iam/security-credentials/')).status).toBe(401);
    expect((await get('latest/meta-data/iam/security-credentials/', { 'x-aws-ec2-metadata-token': 'made-up' })).status).toBe(401);
  });

  it('hands out a token only for a PUT with a TTL from 1 to 21600 seconds', async () => {
    expect((await token('0')).status).toBe(400);
    expect((await token('21601')).status).toBe(400);
    expect((await fetch(`${imds.endpoint}latest/api/token`, { method: 'PUT' })).status).toBe(400);
    expect((await fetch(`${imds.endpoint}latest/api/token`)).status).toBe(405);
    const forwarded = await fetch(`${imds.endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.0.0.1' } });
    expect(forwarded.status).toBe(403);
    const answer = await token('60');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('60');
  });

  it("serves the instance profile's role and its credentials (the host's keys) with a token, until the token expires", async () => {
    const value = await (await token('60')).text();
    const headers = { 'x-aws-ec2-metadata-token': value };
    expect(await (await get('latest/meta-data/iam/security-credentials/', headers)).text()).toBe('flyway-host-role');
    const credentials = (await (await get('latest/meta-data/iam/security-credentials/flyway-host-role', headers)).json()) as Record<string, string>;
    expect(credentials).toMatchObject({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: 'AKIAHARNESSFLYWAYHST', SecretAccessKey: 'harness-only', Token: 'session' });
    expect(Date.parse(credentials.Expiration ?? '')).toBeGreaterThan(clock);
    expect((await get('latest/meta-data/iam/security-credentials/another-role', headers)).status).toBe(404);
    expect(await (await get('latest/meta-data/instance-id', headers)).text()).toBe(IDENTITY.instanceId);
    clock += 61_000;
    expect((await get('latest/meta-data/instance-id', headers)).status).toBe(401);
  });

  it('records who asked, with or without a token', () => {
    expect(imds.requests.filter((request) => request.status === 401).every((request) => request.method === 'GET')).toBe(true);
    expect(imds.requests.some((request) => request.withToken && request.status === 200 && request.path.endsWith('/flyway-host-role'))).toBe(true);
  });

  it("serves the instance's tags only when its metadata options allow them, and no credentials without a profile", () => {
    const now = Date.now();
    expect(metadataAnswer(IDENTITY, KEYS, '/latest/meta-data/tags/instance/FlywayHostIdleStopMinutes', now)).toEqual([200, '15']);
    expect(metadataAnswer(IDENTITY, KEYS, '/latest/meta-data/tags/instance/', now)).toEqual([200, 'Name\nFlywayHostIdleStopMinutes']);
    expect(metadataAnswer({ ...IDENTITY, tags: null }, KEYS, '/latest/meta-data/tags/instance/Name', now)[0]).toBe(404);
    expect(metadataAnswer({ ...IDENTITY, profile: null }, KEYS, '/latest/meta-data/iam/security-credentials/', now)[0]).toBe(404);
    expect(metadataAnswer(IDENTITY, KEYS, '/latest/meta-data/iam/security-credentials', now)).toEqual([200, 'flyway-host-role']);
  });
});
