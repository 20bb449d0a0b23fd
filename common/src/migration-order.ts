// The orders migration files are handled in, from the shared naming rules. Pure.
// - flywayOrder: the order Flyway applies them in (versioned by version, then repeatables by
//   description); the linter reads files in it so that a table counts as new only after the file
//   that creates it.
// - uploadOrder: the order `aurora-flyway push` uploads them in, one after another: callbacks
//   first (a pass that starts meanwhile runs with them), then versioned by version, then
//   repeatables. A pass that starts while an upload is under way therefore never sees a version
//   without every lower one it needs (S3 lists only finished uploads); in name order V10 would go
//   before V2, and a pass that took V10 alone would make Flyway refuse V2 ("below the schema's
//   version") for good.

import { classifyKey, type Classification } from './flyway-name';
import { compareVersions } from './version';

type Kind = Classification['kind'];

const FLYWAY_KINDS: Readonly<Record<Kind, number>> = { versioned: 0, repeatable: 1, callback: 2, rejected: 3, ignored: 4 };
const UPLOAD_KINDS: Readonly<Record<Kind, number>> = { callback: 0, versioned: 1, repeatable: 2, rejected: 3, ignored: 4 };

function ordered<T>(items: readonly T[], nameOf: (item: T) => string, kinds: Readonly<Record<Kind, number>>): T[] {
  const ranked = items.map((item) => ({ item, name: nameOf(item), classification: classifyKey(nameOf(item)) }));
  return ranked
    .sort((a, b) => {
      const byKind = kinds[a.classification.kind] - kinds[b.classification.kind];
      if (byKind !== 0) return byKind;
      if (a.classification.kind === 'versioned' && b.classification.kind === 'versioned') {
        const byVersion = compareVersions(a.classification.version, b.classification.version);
        if (byVersion !== 0) return byVersion;
      }
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    })
    .map(({ item }) => item);
}

/** Flyway's order: versioned by version, repeatables, then callbacks and misnamed files. */
export function flywayOrder<T extends { name: string }>(files: readonly T[]): T[] {
  return ordered(files, (file) => file.name, FLYWAY_KINDS);
}

/** Push's upload order: callbacks, versioned by version, repeatables (see the header). */
export function uploadOrder(names: readonly string[]): string[] {
  return ordered(names, (name) => name, UPLOAD_KINDS);
}
