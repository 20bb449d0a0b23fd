// squawk's violations as this tool's findings: its rule id and message, the line of the
// statement, and the fix in our words (rules.ts). Pure. Two corrections on what squawk reports:
// - an index on a table the same file created is not a hazard (the table is new and empty),
//   which squawk 2.66 flags;
// - a syntax error is left to our own parser's finding (libpg-query, the server's grammar), so
//   it is reported once.
// And one on ours: a rule of ours that squawk already reported on the same statement is dropped
// (the `coveredBy` of rules.ts), so one hazard gets one warning.

import { ruleById } from './rules';
import { sameTable } from './statements';
import type { ParsedFile } from './risks';
import type { Finding, SquawkViolation } from './types';

export function squawkFindings(violations: readonly SquawkViolation[], files: readonly ParsedFile[]): Finding[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  return violations.flatMap((violation): Finding[] => {
    const rule = ruleById(violation.rule);
    if (violation.rule === 'syntax-error' || rule?.kind === 'off') return [];
    const file = byName.get(violation.file);
    // squawk points at the offending clause; findings name the line where its statement starts.
    const line = file === undefined ? violation.line : statementLineOf(file, violation.line);
    if (violation.rule === 'require-concurrent-index-creation' && file !== undefined && indexesTableCreatedEarlier(file, line)) return [];
    return [{
      file: violation.file,
      line,
      severity: rule?.severity ?? 'warning',
      rule: violation.rule,
      message: sentence(violation.message),
      fix: sentence(rule?.fix ?? violation.help ?? 'See squawk\'s documentation of this rule.'),
    }];
  });
}

/** Our findings without those squawk already made on the same file and line. */
export function withoutCovered(ours: readonly Finding[], squawk: readonly Finding[]): Finding[] {
  const reported = new Set(squawk.map((finding) => `${finding.file}\u0000${finding.line}\u0000${finding.rule}`));
  return ours.filter((finding) => !(ruleById(finding.rule)?.coveredBy ?? []).some((id) => reported.has(`${finding.file}\u0000${finding.line}\u0000${id}`)));
}

function statementLineOf(file: ParsedFile, line: number): number {
  let start = line;
  for (const statement of file.parsed.statements) {
    if (statement.line <= line) start = statement.line;
    else break;
  }
  return start;
}

function indexesTableCreatedEarlier(file: ParsedFile, line: number): boolean {
  const created: string[] = [];
  for (const statement of file.parsed.statements) {
    for (const effect of statement.effects) {
      if (statement.line === line && effect.kind === 'create-index' && created.some((table) => sameTable(table, effect.table))) return true;
      if (effect.kind === 'create-table') created.push(effect.table);
    }
  }
  return false;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
