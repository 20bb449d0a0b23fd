// Lint as push and `aurora-flyway lint` use it: every finding printed with its file, line, what is
// wrong and what to do, then what was silenced and what was not checked; errors stop the command
// before anything is uploaded.

import { ClientError, EXIT } from './errors';
import { lintFiles, type Finding, type LintOptions, type LintResult } from './lint';
import type { LocalFile } from './local-files';
import type { Reporter } from './output';

export function formatFinding(finding: Finding): string {
  const where = `${finding.file || '(files)'}${finding.line === undefined ? '' : `:${finding.line}`}`;
  return `${where}: ${finding.severity} [${finding.rule}] ${finding.message} ${finding.fix}`;
}

export async function lintAndReport(files: readonly LocalFile[], options: LintOptions, reporter: Reporter): Promise<LintResult> {
  reporter.progress(`linting ${files.length} file(s) as ${options.engine}`);
  return reportLint(await lintFiles(files, options), files.length, reporter);
}

export function hasErrors(result: LintResult): boolean {
  return result.findings.some((finding) => finding.severity === 'error');
}

/** Prints a lint result; throws (exit 1, nothing uploaded) when it holds errors. */
export function reportLint(result: LintResult, fileCount: number, reporter: Reporter): LintResult {
  for (const finding of result.findings) reporter.note(formatFinding(finding));
  for (const finding of result.silenced) reporter.note(`${finding.file}:${finding.line ?? '-'}: silenced [${finding.rule}] by its aurora-flyway-ignore comment`);
  for (const note of result.notes) reporter.note(`note: ${note}`);
  const errors = result.findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    throw new ClientError(`lint found ${errors} error(s) in ${fileCount} file(s); nothing was uploaded`, EXIT.failed, 'fix the files named above (--strict also counts warnings)');
  }
  return result;
}

/** `lint`'s closing line. */
export function lintSummary(files: number, result: LintResult): string {
  const silenced = result.silenced.length > 0 ? `, ${result.silenced.length} silenced` : '';
  return `lint: ${files} file(s), ${result.findings.length} warning(s)${silenced}, no errors`;
}
