// What the repository itself must never hold: the host name of a package registry (the toolchain
// uses each registry through its own client, the module fetches Flyway through Maven), and build
// output of the toolchain or anything node_modules-like that a worktree could commit by accident.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

// Written as patterns, so that this file does not hold the names it looks for.
const REGISTRY_HOSTS = [
  /repo1?\.maven\.(org|apache\.org)/i,
  /central\.sonatype/i,
  /registry\.(npmjs\.org|yarnpkg\.com|terraform\.io)/i,
  /(pypi|files\.pythonhosted)\.org/i,
  /proxy\.golang\.org/i,
  /(deb|security)\.debian\.org/i,
  /crates\.io/i,
];

function tracked(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}

describe('the repository', () => {
  it('names no package registry host', () => {
    const found: string[] = [];
    for (const pattern of REGISTRY_HOSTS) {
      let out = '';
      try {
        out = execFileSync('git', ['grep', '-n', '-I', '-E', '-i', pattern.source], { cwd: root, encoding: 'utf8' });
      } catch {
        continue; // git grep exits 1 when nothing matches
      }
      found.push(...out.split('\n').filter((line) => line !== '' && !line.startsWith('test/unit/repository.test.ts:')));
    }
    expect(found).toEqual([]);
  });

  it('tracks no node_modules, no Terraform working files and no lock file of a locally built provider', () => {
    const bad = tracked().filter((file) => /(^|\/)(node_modules|\.terraform)(\/|$)|\.terraform\.lock\.hcl$|\.tfstate/.test(file));
    expect(bad).toEqual([]);
  });
});
