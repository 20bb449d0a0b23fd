// Which endpoint a database's login may go to (runner/src/endpoints.ts): the settings must name a
// cluster of the module's document with that cluster's own secret; and the test-only override.
import { overriddenEndpoint, parseEndpointOverride, unconfiguredTarget } from '../../../runner/src/endpoints';

const SECRET = (name: string) => `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${name}-AbCdEf`;
const CREATED = { host: 'shop-aurora.cluster-abc.eu-central-1.rds.amazonaws.com', port: 5432, secretId: SECRET('rds!cluster-1') };
const LEGACY = { host: 'legacy.cluster-abc.eu-central-1.rds.amazonaws.com', port: 3306, secretId: SECRET('legacy') };

describe('unconfiguredTarget', () => {
  it('accepts a database on any cluster of the document, with that cluster secret', () => {
    expect(unconfiguredTarget(CREATED, [CREATED, LEGACY])).toBeUndefined();
    expect(unconfiguredTarget(LEGACY, [CREATED, LEGACY])).toBeUndefined();
  });

  it('accepts any settings when the document names no cluster (the runner run by hand)', () => {
    expect(unconfiguredTarget(LEGACY, [])).toBeUndefined();
  });

  it('accepts an endpoint the document names without a secret (a document of 0.2)', () => {
    expect(unconfiguredTarget(LEGACY, [{ host: LEGACY.host, port: LEGACY.port }])).toBeUndefined();
  });

  it('refuses an endpoint the document does not name, naming the ones it does', () => {
    expect(unconfiguredTarget({ ...LEGACY, host: 'attacker.example' }, [CREATED, LEGACY])).toBe(
      `names the database endpoint attacker.example:3306, but the module's document names ${CREATED.host}:5432, ${LEGACY.host}:3306; the login is not sent to an endpoint the module did not configure`,
    );
    expect(unconfiguredTarget({ ...LEGACY, port: 3307 }, [LEGACY])).toMatch(/^names the database endpoint .*:3307, but/);
  });

  it("refuses one cluster's secret sent to another cluster", () => {
    expect(unconfiguredTarget({ ...LEGACY, secretId: CREATED.secretId }, [CREATED, LEGACY])).toBe(
      `names the secret ${CREATED.secretId} for ${LEGACY.host}:3306, but the module's document pairs that endpoint with ${LEGACY.secretId}; one cluster's login is not sent to another`,
    );
  });
});

describe('the test-only endpoint override', () => {
  it('sends every cluster to one server', () => {
    const override = parseEndpointOverride('127.0.0.1:6543');
    expect(overriddenEndpoint(override, LEGACY)).toEqual({ host: '127.0.0.1', port: 6543 });
    expect(overriddenEndpoint(undefined, LEGACY)).toBeUndefined();
  });

  it('sends each cluster to its own server, and the others nowhere else', () => {
    const override = parseEndpointOverride(`${CREATED.host}:5432=127.0.0.1:6543,${LEGACY.host}:3306=127.0.0.1:7654`);
    expect(overriddenEndpoint(override, CREATED)).toEqual({ host: '127.0.0.1', port: 6543 });
    expect(overriddenEndpoint(override, LEGACY)).toEqual({ host: '127.0.0.1', port: 7654 });
    expect(overriddenEndpoint(override, { host: 'other.example', port: 5432 })).toBeUndefined();
  });

  it.each(['127.0.0.1', 'a:1=b', 'a:1=b:2=c:3', 'a:1=b:2,'])('refuses %j', (value) => {
    expect(parseEndpointOverride(value)).toBeUndefined();
  });
});
