// Flyway's version arithmetic: `1.2`, `1_2` and `01.2.0` are the same version (integer parts,
// `_` read as `.`, trailing zero parts ignored), ordered part by part as numbers.

/** The integer parts of a version, with trailing zero parts dropped; BigInt because `V20261121050000` is common. */
export function versionParts(version: string): bigint[] {
  const parts = version.split(/[._]/).map((part) => BigInt(part));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return parts;
}

/** Canonical text of a version: `V01.2.0` and `V1_2` both give `1.2`. */
export function normalizeVersion(version: string): string {
  return versionParts(version).join('.');
}

/** Negative, zero or positive, like Array.prototype.sort expects. */
export function compareVersions(a: string, b: string): number {
  const left = versionParts(a);
  const right = versionParts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The highest of some versions (undefined for none). */
export function maxVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const version of versions) if (best === undefined || compareVersions(version, best) > 0) best = version;
  return best;
}

/** The lowest of some versions (undefined for none). */
export function minVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const version of versions) if (best === undefined || compareVersions(version, best) < 0) best = version;
  return best;
}
