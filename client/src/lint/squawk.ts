// Runs squawk (squawk-cli, the PostgreSQL migration linter) on the files: the binary of the
// platform package that squawk-cli installs, once for all files, with its JSON reporter. I/O only;
// squawk-findings.ts maps what it says into this tool's findings.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SquawkInput, SquawkRunner, SquawkViolation } from './types';

/** Thrown when squawk cannot run at all; lint reports it as one `squawk-unavailable` warning. */
export class SquawkUnavailable extends Error {}

/** The squawk binary: $AURORA_FLYWAY_SQUAWK, else the one squawk-cli's platform package holds. */
export function squawkBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AURORA_FLYWAY_SQUAWK) return env.AURORA_FLYWAY_SQUAWK;
  const platformPackage = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${platformPackage}/bin/${process.platform === 'win32' ? 'squawk.exe' : 'squawk'}`);
  } catch {
    throw new SquawkUnavailable(`${platformPackage} is not installed (squawk-cli ships no binary for this platform, or optional dependencies were skipped)`);
  }
}

interface SquawkJsonViolation {
  file?: string;
  line?: number;
  rule_name?: string;
  message?: string;
  help?: string | null;
}

export const runSquawk: SquawkRunner = async (files, { postgresVersion, exclude }) => {
  if (files.length === 0) return [];
  const binary = squawkBinary();
  const dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-squawk-'));
  try {
    // Plain numbered names: the real names may hold characters a shell or squawk's globbing would read.
    const paths = files.map((file, index) => {
      const path = join(dir, `${index}.sql`);
      writeFileSync(path, file.text);
      return path;
    });
    const args = ['--reporter', 'json', `--pg-version=${postgresVersion}`, ...(exclude.length > 0 ? [`--exclude=${exclude.join(',')}`] : []), ...paths];
    const stdout = await new Promise<string>((resolve, reject) => {
      // squawk exits 1 when it found something; only output that is not JSON is a failure.
      execFile(binary, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, out, err) => {
        if (out.trim().startsWith('[')) resolve(out);
        else reject(new SquawkUnavailable(`squawk failed: ${(err || error?.message || 'no output').trim().split('\n')[0]}`));
      });
    });
    const byPath = new Map(paths.map((path, index) => [path, files[index] as SquawkInput]));
    return (JSON.parse(stdout) as SquawkJsonViolation[]).flatMap((violation): SquawkViolation[] => {
      const file = byPath.get(violation.file ?? '');
      if (file === undefined || violation.rule_name === undefined) return [];
      return [{
        file: file.name,
        // squawk's JSON lines are 0-based.
        line: (violation.line ?? 0) + 1,
        rule: violation.rule_name,
        message: violation.message ?? '',
        ...(violation.help ? { help: violation.help } : {}),
      }];
    });
  } catch (error) {
    if (error instanceof SquawkUnavailable) throw error;
    throw new SquawkUnavailable(`squawk could not run: ${(error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
