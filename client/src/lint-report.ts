// Lint as push and `aurora-flyway lint` use it: every finding printed with its file, line, what is
// wrong and what to do; errors stop the command before anything is uploaded.

import { ClientError, EXIT } from './errors';
import { lintFiles, type Finding, type LintOptions } from './lint';
import type { LocalFile } from './local-files';
import type { Reporter } from './output';

export function formatFinding(finding: Finding): string {
  const where = `${finding.file || '(files)'}${finding.line === undefined ? '' : `:${finding.line}`}`;
  return `${where}: ${finding.severity} [${finding.rule}] ${finding.message} ${finding.fix}`;
}

export async function lintAndReport(files: readonly LocalFile[], options: LintOptions, reporter: Reporter): Promise<Finding[]> {
  reporter.progress(`linting ${files.length} file(s) as ${options.engine}`);
  const findings = await lintFiles(files, options);
  for (const finding of findings) reporter.note(formatFinding(finding));
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) {
    throw new ClientError(`lint found ${errors} error(s) in ${files.length} file(s); nothing was uploaded`, EXIT.failed, 'fix the files named above (--strict also counts warnings)');
  }
  return findings;
}
