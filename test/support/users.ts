import { readFileSync } from 'node:fs';

export interface Account {
  uid: number;
  gid: number;
}

/**
 * The account to run a database server as: the named system account when the tests run as root
 * (PostgreSQL and MariaDB refuse to run as root), nothing (= the current user) otherwise.
 */
export function runAs(name: string): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) {
    throw new Error(`system account ${name} not found: run \`npm run setup\`, which installs the package that creates it.`);
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
