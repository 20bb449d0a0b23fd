// What the repository itself must never hold: the host name of a package registry (the toolchain
// uses each registry through its own client, the module fetches Flyway through Maven), and build
// output of the toolchain or anything node_modules-like that a worktree could commit by accident.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackedFiles } from '../support/repository';

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
    const bad = trackedFiles(root).filter((file) => /(^|\/)(node_modules|\.terraform)(\/|$)|\.terraform\.lock\.hcl$|\.tfstate/.test(file));
    expect(bad).toEqual([]);
  });

  // The GitHub Action installs with `npm ci --omit=dev`, which refuses a lock file that lacks an
  // entry package.json implies (an optional per-platform binary such as @squawk-cli/darwin-arm64
  // among them); the check is local, so a dry run in a copy of the two files shows it in a second.
  it('has a lock file that npm ci accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-npm-ci-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
      const ci = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
      expect({ status: ci.status, refused: ci.stderr.split('\n').filter((line) => /EUSAGE|Missing:|Invalid:|in sync/.test(line)) }).toEqual({ status: 0, refused: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
