// Checks on file names, with the naming rules the trigger and the runner use (common/src), so the
// linter rejects exactly what the module would reject: names Flyway would not run, callbacks that
// only run when enabled, and two files that claim the same version or repeatable description.

import { classifyKey, type Classification } from '../../../common/src/flyway-name';
import { compareVersions, normalizeVersion } from '../../../common/src/version';
import type { Finding } from './types';

const EXPECTED_NAMES = 'Name it V<version>__<description>.sql for a versioned migration or R__<description>.sql for a repeatable one.';

/** Whether the linter looks at a file at all: everything but files that are not `.sql`. */
export function isSqlFile(name: string): boolean {
  return classifyKey(name).kind !== 'ignored';
}

export function nameFindings(names: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const classified = names.map((name) => ({ name, classification: classifyKey(name) }));
  for (const { name, classification } of classified) {
    if (classification.kind === 'rejected') {
      findings.push({ file: name, severity: 'error', rule: 'name', message: `Flyway would not run this file: ${classification.reason}.`, fix: EXPECTED_NAMES });
    } else if (classification.kind === 'callback') {
      findings.push({
        file: name,
        severity: 'warning',
        rule: 'callback',
        message: `This is a Flyway ${classification.event} callback, which only runs when the database enables callbacks.`,
        fix: 'Set callbacks = true for the database if it should run, or name it V<version>__<description>.sql if it is a migration.',
      });
    }
  }
  findings.push(...duplicates(classified, versionKey, 'duplicate-version', (key, others) => ({
    message: `Version ${key} is also used by ${others}.`,
    fix: 'Give each versioned migration its own version; Flyway refuses to migrate while two files share one.',
  })));
  findings.push(...duplicates(classified, repeatableKey, 'duplicate-description', (key, others) => ({
    message: `The repeatable description "${key}" is also used by ${others}.`,
    fix: 'Give each repeatable migration its own description; Flyway refuses to migrate while two files share one.',
  })));
  return findings;
}

/**
 * The order Flyway applies the files in: versioned by version, then repeatables by description.
 * Callbacks and misnamed files come last, so tables they create never count as new for others.
 */
export function migrationOrder<T extends { name: string }>(files: readonly T[]): T[] {
  const ranked = files.map((file) => ({ file, classification: classifyKey(file.name) }));
  return ranked
    .sort((a, b) => {
      const byKind = KIND_ORDER[a.classification.kind] - KIND_ORDER[b.classification.kind];
      if (byKind !== 0) return byKind;
      if (a.classification.kind === 'versioned' && b.classification.kind === 'versioned') {
        const byVersion = compareVersions(a.classification.version, b.classification.version);
        if (byVersion !== 0) return byVersion;
      }
      return compare(a.file.name, b.file.name);
    })
    .map(({ file }) => file);
}

const KIND_ORDER: Readonly<Record<Classification['kind'], number>> = { versioned: 0, repeatable: 1, callback: 2, rejected: 3, ignored: 4 };

interface Named {
  name: string;
  classification: Classification;
}

type DuplicateText = (key: string, others: string) => { message: string; fix: string };

function duplicates(files: readonly Named[], keyOf: (c: Classification) => string | undefined, rule: string, text: DuplicateText): Finding[] {
  const groups = new Map<string, number[]>();
  files.forEach(({ classification }, index) => {
    const key = keyOf(classification);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  const findings: Finding[] = [];
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    for (const member of members) {
      const others = members.filter((other) => other !== member).map((other) => files[other].name).join(', ');
      findings.push({ file: files[member].name, severity: 'error', rule, ...text(key, others) });
    }
  }
  return findings;
}

// V1, V01, V1.0 and V1_0 are one version to Flyway.
function versionKey(c: Classification): string | undefined {
  return c.kind === 'versioned' ? normalizeVersion(c.version) : undefined;
}

// Flyway shows underscores in a description as spaces, so R__a_b and `R__a b` collide.
function repeatableKey(c: Classification): string | undefined {
  return c.kind === 'repeatable' ? c.description.replace(/_/g, ' ') : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
