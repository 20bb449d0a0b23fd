// client/dist/aurora-flyway.js is the package's bin; this keeps it from going stale and checks
// that everything it requires is a declared dependency (npm install -g installs only those).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const artifact = join(root, 'client/dist/aurora-flyway.js');

describe('the committed client bundle', () => {
  it('is what client/src builds to (node scripts/build-client.mjs --check)', () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts/build-client.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('requires only Node.js built-ins and the package\'s dependencies', () => {
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const code = readFileSync(artifact, 'utf8');
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))];
    const foreign = required.filter((name) => !builtinModules.includes(name.replace(/^node:/, '')) && !(name.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, '$1') in dependencies));
    expect(foreign).toEqual([]);
  });

  it('ships in the package (npm install -g) with the module and the bundles, and nothing of a working tree', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(packed.status).toBe(0);
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['client/dist/aurora-flyway.js', 'runner/dist/flyway-runner.js', 'lambda/dist/trigger.zip', 'main.tf', 'modules/flyway-host/user-data.sh', 'action.yml', 'package.json']));
    expect(files.filter((path) => /(^|\/)(\.terraform|node_modules|test|bench)(\/|\.|$)|\.tfstate/.test(path))).toEqual([]);
  });

  it('is the package\'s aurora-flyway bin and answers --help with the exit codes', () => {
    const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(bin).toEqual({ 'aurora-flyway': 'client/dist/aurora-flyway.js' });
    const result = spawnSync(process.execPath, [artifact, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: aurora-flyway');
    expect(result.stdout).toContain('5   push refused a change');
  });
});
