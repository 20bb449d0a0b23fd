import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsTruststoreUrl, CA_BUNDLE_MAX_AGE_MS, CA_BUNDLE_RETRY_AFTER_FAILURE_MS, pemCertificates, regionOfEndpoint, resolveCaBundle, SHIPPED_CERTIFICATES } from '../../../runner/src/ca-bundle';

const PEM = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

describe("the runner's CA bundle", () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'ca-bundle-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("asks for AWS's bundle of the host's region, in its partition", () => {
    expect(awsTruststoreUrl('il-central-1')).toBe('https://truststore.pki.rds.amazonaws.com/il-central-1/il-central-1-bundle.pem');
    expect(awsTruststoreUrl('us-gov-east-1')).toBe('https://truststore.pki.us-gov-west-1.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem');
    expect(awsTruststoreUrl('cn-northwest-1')).toBe('https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/cn-northwest-1/cn-northwest-1-bundle.pem');
    expect(awsTruststoreUrl('')).toBe('https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
    expect(regionOfEndpoint('shop-aurora.cluster-c0ffee0123.il-central-1.rds.amazonaws.com')).toBe('il-central-1');
    expect(regionOfEndpoint('shop-aurora.cluster-c0ffee0123.us-gov-west-1.rds.amazonaws.com')).toBe('us-gov-west-1');
    expect(regionOfEndpoint('shop-aurora.cluster-c0ffee0123.cn-north-1.rds.amazonaws.com.cn')).toBe('cn-north-1');
    expect(regionOfEndpoint('127.0.0.1')).toBeUndefined();
  });

  it('keeps the shipped roots next to the fetched ones, refreshes after a day, and falls back to the last copy', async () => {
    const lines: string[] = [];
    let calls = 0;
    const fetchers = {
      https: async () => {
        calls += 1;
        return PEM('AAAA');
      },
      s3: async () => PEM('BBBB'),
    };
    const options = { home, source: { kind: 'aws' as const }, region: 'il-central-1', fetchers, say: (line: string) => lines.push(line) };
    const path = await resolveCaBundle(options);
    expect(pemCertificates(readFileSync(path, 'utf8'))).toEqual([PEM('AAAA'), ...SHIPPED_CERTIFICATES]);
    expect(SHIPPED_CERTIFICATES.length).toBeGreaterThan(50);
    await resolveCaBundle(options);
    expect(calls).toBe(1);
    const dayOld = new Date(Date.now() - CA_BUNDLE_MAX_AGE_MS - 60_000);
    utimesSync(path, dayOld, dayOld);
    const failing = { ...fetchers, https: async () => Promise.reject(new Error('getaddrinfo ENOTFOUND')) };
    expect(await resolveCaBundle({ ...options, fetchers: failing })).toBe(path);
    expect(lines.at(-1)).toMatch(/^warning: could not fetch the CA bundle https:\/\/truststore\.pki\.rds\.amazonaws\.com\/il-central-1\/il-central-1-bundle\.pem \(getaddrinfo ENOTFOUND\); using the copy fetched 24 hours ago$/);
  });

  it("uses the user's bundle as it is, and refuses a download that holds no certificate", async () => {
    const lines: string[] = [];
    const fetchers = { https: async () => '<html>not found</html>', s3: async () => PEM('CCCC') };
    const s3 = await resolveCaBundle({ home, source: { kind: 's3', bucket: 'ca', key: 'rds.pem' }, region: 'eu-central-1', fetchers, say: (line) => lines.push(line) });
    expect(readFileSync(s3, 'utf8')).toBe(PEM('CCCC'));
    const html = await resolveCaBundle({ home, source: { kind: 'https', url: 'https://example.com/rds.pem' }, region: 'eu-central-1', fetchers, say: (line) => lines.push(line) });
    expect(pemCertificates(readFileSync(html, 'utf8'))).toEqual(SHIPPED_CERTIFICATES);
    expect(lines.at(-1)).toContain('could not fetch the CA bundle https://example.com/rds.pem (it holds no PEM certificate); verifying with the bundle shipped in the runner');
  });

  it('after a failed fetch waits an hour before trying again, so an unreachable address costs one timeout an hour, not one per command', async () => {
    const lines: string[] = [];
    let calls = 0;
    const failing = {
      https: async () => {
        calls += 1;
        throw new Error('connect ETIMEDOUT');
      },
      s3: async () => PEM('BBBB'),
    };
    const options = { home, source: { kind: 'aws' as const }, region: 'il-central-1', fetchers: failing, say: (line: string) => lines.push(line) };
    await resolveCaBundle(options);
    await resolveCaBundle(options);
    expect(calls).toBe(1);
    expect(lines.at(-1)).toMatch(/could not fetch the CA bundle \S+ \(not tried again until an hour after the last failure, 0 minutes ago: connect ETIMEDOUT\); verifying with the bundle shipped in the runner/);
    const working = { ...failing, https: async () => PEM('AAAA') };
    expect(pemCertificates(readFileSync(await resolveCaBundle({ ...options, fetchers: working, now: Date.now() + CA_BUNDLE_RETRY_AFTER_FAILURE_MS + 60_000 }), 'utf8'))[0]).toBe(PEM('AAAA'));
  });
});
