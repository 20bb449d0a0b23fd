import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from './terraform';

/** The files git tracks in this checkout (what a clone or `uses: <repo>@<ref>` holds), relative to the root. */
export function trackedFiles(root: string = PROJECT_ROOT): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}
