// `aurora-flyway lint`: checks a folder's migrations offline, before they are uploaded, for what
// would make Flyway refuse or fail them (names, encoding, syntax, duplicates) and for valid
// statements that are risky on a live database. Pure: the caller reads the files and prints.

import { decodeFile, emptyFileFinding } from './files';
import { parseMysql } from './mysql';
import { flywayOrder } from '../../../common/src/migration-order';
import { isSqlFile, nameFindings } from './names';
import { parsePostgresql } from './postgresql';
import { riskFindings, type ParsedFile } from './risks';
import type { ParsedSql, SyntaxProblem } from './statements';
import type { Engine, Finding, LintFile, LintOptions } from './types';

export type { Engine, Finding, LintFile, LintOptions, Severity } from './types';

/** The findings for a set of migration files, sorted by file name, then line. */
export async function lintFiles(files: readonly LintFile[], options: LintOptions): Promise<Finding[]> {
  const sqlFiles = files.filter((file) => isSqlFile(file.name));
  const findings = nameFindings(sqlFiles.map((file) => file.name));
  const parsedFiles: ParsedFile[] = [];
  for (const file of flywayOrder(sqlFiles)) {
    const decoded = decodeFile(file);
    findings.push(...decoded.findings);
    if (decoded.text === undefined) continue;
    const parsed = await parseSql(decoded.text, options.engine);
    findings.push(...parsed.syntaxErrors.map((problem) => syntaxFinding(file.name, problem, options.engine)));
    if (parsed.syntaxErrors.length === 0 && parsed.statements.length === 0) findings.push(emptyFileFinding(file.name));
    parsedFiles.push({ name: file.name, parsed });
  }
  findings.push(...riskFindings(parsedFiles, options.engine));
  const graded = options.strict === true ? findings.map((finding) => ({ ...finding, severity: 'error' as const })) : findings;
  return sortByFileThenLine(graded);
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
