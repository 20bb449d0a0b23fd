// Silencing a hazard for one statement, on purpose and in the open: a comment on the line right
// before the statement,
//
//     -- aurora-flyway-ignore: require-concurrent-index-creation, backfill
//     CREATE INDEX ... ;
//
// (`#` works too on MySQL). Only hazard and style rules can be silenced: a file Flyway or the
// module would refuse stays an error. Silenced findings are reported as such, and a comment that
// names a rule the linter does not know is reported too. Pure.

import { ruleById } from './rules';
import type { Finding } from './types';

const IGNORE = /^\s*(?:--|#)\s*aurora-flyway-ignore:\s*([A-Za-z0-9_, -]+?)\s*$/;

export interface Silenced {
  kept: Finding[];
  silenced: Finding[];
  notes: string[];
}

/** `texts`: each file's SQL text by file name. */
export function applySilences(findings: readonly Finding[], texts: ReadonlyMap<string, string>): Silenced {
  const ignores = new Map<string, Map<number, Set<string>>>();
  const notes: string[] = [];
  for (const [file, text] of texts) {
    const lines = new Map<number, Set<string>>();
    text.split('\n').forEach((line, index) => {
      const match = IGNORE.exec(line.replace(/\r$/, ''));
      if (match === null) return;
      const rules = match[1].split(/[\s,]+/).filter((rule) => rule !== '');
      for (const rule of rules) {
        const known = ruleById(rule);
        if (known === undefined) notes.push(`${file}:${index + 1}: aurora-flyway-ignore names ${rule}, which is no rule (see aurora-flyway lint --rules)`);
        else if (known.kind === 'file') notes.push(`${file}:${index + 1}: ${rule} cannot be silenced (the file would fail or be refused)`);
      }
      // The comment is on line index + 1; it covers the statement on the next line.
      lines.set(index + 2, new Set(rules));
    });
    ignores.set(file, lines);
  }
  const kept: Finding[] = [];
  const silenced: Finding[] = [];
  for (const finding of findings) {
    const kind = ruleById(finding.rule)?.kind;
    const named = finding.line === undefined ? undefined : ignores.get(finding.file)?.get(finding.line);
    if (named?.has(finding.rule) === true && (kind === 'hazard' || kind === 'style')) silenced.push(finding);
    else kept.push(finding);
  }
  return { kept, silenced, notes };
}
