// Checks on file names, with the naming rules the trigger and the runner use (common/src), so the
// linter rejects exactly what the module would reject: names Flyway would not run, callbacks that
// only run when enabled, and two files that claim the same version or repeatable description.

import { classifyKey, SQL_SUFFIX, type Classification } from '../../../common/src/flyway-name';
import { normalizeVersion } from '../../../common/src/version';
import type { Finding } from './types';

const EXPECTED_NAMES = 'Name it V<version>__<description>.sql for a versioned migration or R__<description>.sql for a repeatable one.';

/** Whether the linter looks at a file at all: everything but files that are not `.sql` in any case. */
export function isSqlFile(name: string): boolean {
  return classifyKey(name).kind !== 'ignored';
}

export function nameFindings(names: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const classified = names.map((name) => ({ name, classification: classifyKey(name) }));
  for (const { name, classification } of classified) {
    if (classification.kind === 'rejected') {
      if (classification.code === 'suffix-case') {
        // Flyway 10 itself matches the suffix in any case; the module does not (common/src/flyway-name.ts).
        const message = `The module rejects this file, although Flyway itself would run it: ${classification.reason}.`;
        findings.push({ file: name, severity: 'error', rule: 'name', message, fix: suffixCaseFix(name) });
        continue;
      }
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

/** The file name to rename a `.SQL` (`.Sql`, ...) file to, and whether that name is right otherwise too. */
function suffixCaseFix(name: string): string {
  const renamed = `${name.slice(0, -SQL_SUFFIX.length)}${SQL_SUFFIX}`;
  const after = classifyKey(renamed);
  if (after.kind !== 'rejected') return `Rename it to ${renamed}.`;
  return `Rename it to end in ${SQL_SUFFIX} and fix the name too: ${renamed} would be rejected for ${after.reason}. ${EXPECTED_NAMES}`;
}

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
