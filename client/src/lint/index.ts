// `aurora-flyway lint`: checks a folder's migrations offline, before they are uploaded, for what
// would make Flyway refuse or fail them (names, encoding, syntax, duplicates) and for valid
// statements that are risky on a live database: squawk's rules on PostgreSQL, ours for what it
// lacks and for MySQL. The caller reads the files and prints; squawk runs as a process.

import { decodeFile, emptyFileFinding } from './files';
import { parseMysql } from './mysql';
import { flywayOrder } from '../../../common/src/migration-order';
import { isSqlFile, nameFindings } from './names';
import { parsePostgresql } from './postgresql';
import { riskFindings, type ParsedFile } from './risks';
import { ruleById, squawkExclusions } from './rules';
import { applySilences } from './silence';
import { runSquawk } from './squawk';
import { squawkFindings, withoutCovered } from './squawk-findings';
import type { ParsedSql, SyntaxProblem } from './statements';
import type { Engine, Finding, LintFile, LintOptions, LintResult } from './types';

export type { Engine, Finding, LintFile, LintOptions, LintResult, Severity } from './types';
export { RULES, rulesTable } from './rules';

export const DEFAULT_POSTGRES_VERSION = '16';

/** The findings for a set of migration files, sorted by file name, then line. */
export async function lintFiles(files: readonly LintFile[], options: LintOptions): Promise<LintResult> {
  const sqlFiles = files.filter((file) => isSqlFile(file.name));
  const findings = nameFindings(sqlFiles.map((file) => file.name));
  const parsedFiles: ParsedFile[] = [];
  const texts = new Map<string, string>();
  for (const file of flywayOrder(sqlFiles)) {
    const decoded = decodeFile(file);
    findings.push(...decoded.findings);
    if (decoded.text === undefined) continue;
    texts.set(file.name, decoded.text);
    const parsed = await parseSql(decoded.text, options.engine);
    findings.push(...parsed.syntaxErrors.map((problem) => syntaxFinding(file.name, problem, options.engine)));
    if (parsed.syntaxErrors.length === 0 && parsed.statements.length === 0) findings.push(emptyFileFinding(file.name));
    parsedFiles.push({ name: file.name, parsed });
  }

  const toCheck = parsedFiles.filter((file) => !(options.applied ?? []).includes(file.name));
  let hazards = riskFindings(toCheck, options.engine);
  if (options.engine === 'postgresql') {
    const fromSquawk = await squawkHazards(toCheck, options);
    hazards = [...fromSquawk, ...withoutCovered(hazards, fromSquawk)];
  }
  const { kept, silenced, notes } = applySilences([...findings, ...hazards], texts);
  const graded = options.strict === true ? kept.map((finding) => ({ ...finding, severity: 'error' as const })) : kept;
  const result = { findings: sortByFileThenLine(graded), silenced: sortByFileThenLine(silenced), notes };
  return options.applied === undefined ? result : asApplied(result, options.applied);
}

/**
 * The result with the files already in the bucket counted as applied (they have run, or will as
 * they are): their hazards are history, their names and syntax still count. Pure.
 */
export function asApplied(result: LintResult, applied: readonly string[]): LintResult {
  const done = new Set(applied);
  const isHazard = (finding: Finding) => ['hazard', 'style'].includes(ruleById(finding.rule)?.kind ?? '');
  const kept = (findings: Finding[]) => findings.filter((finding) => !(done.has(finding.file) && isHazard(finding)));
  const listed = [...done].sort();
  return {
    findings: kept(result.findings),
    silenced: kept(result.silenced),
    notes: [...result.notes, ...(listed.length > 0 ? [`${listed.length} file(s) already in the bucket count as applied and are not checked for hazards: ${listed.join(', ')}`] : [])],
  };
}

/** squawk's findings for the files that parsed; one `squawk-unavailable` warning when it cannot run. */
async function squawkHazards(files: readonly ParsedFile[], options: LintOptions): Promise<Finding[]> {
  const inputs = files.flatMap((file) => (file.parsed.parsedText === undefined ? [] : [{ name: file.name, text: file.parsed.parsedText }]));
  try {
    const violations = await (options.squawk ?? runSquawk)(inputs, { postgresVersion: options.postgresVersion ?? DEFAULT_POSTGRES_VERSION, exclude: squawkExclusions(options.style === true) });
    return squawkFindings(violations, files);
  } catch (error) {
    return [{
      file: '',
      severity: 'warning',
      rule: 'squawk-unavailable',
      message: `squawk could not run (${(error as Error).message}), so only this tool's own PostgreSQL rules were checked.`,
      fix: 'Install squawk-cli with its optional platform package (npm install --include=optional), or point AURORA_FLYWAY_SQUAWK at a squawk binary.',
    }];
  }
}

function parseSql(text: string, engine: Engine): Promise<ParsedSql> {
  return engine === 'postgresql' ? parsePostgresql(text) : Promise.resolve(parseMysql(text));
}

function syntaxFinding(file: string, problem: SyntaxProblem, engine: Engine): Finding {
  const [verdict, database] = engine === 'postgresql'
    ? ['The PostgreSQL parser reports', 'PostgreSQL']
    : ["Neither node-sql-parser's MariaDB nor its MySQL grammar accepts the statement", 'MySQL or MariaDB'];
  return {
    file,
    ...(problem.line === undefined ? {} : { line: problem.line }),
    severity: 'error',
    rule: 'syntax',
    message: `${verdict}: ${problem.message.replace(/\.$/, '')}.`,
    fix: `Correct the statement so that ${database} accepts it; Flyway would stop the migration there.`,
  };
}

// Array.prototype.sort is stable, so findings on one line keep the order the rules found them in.
function sortByFileThenLine(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return (a.line ?? 0) - (b.line ?? 0);
  });
}
