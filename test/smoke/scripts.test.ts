// Every shell script of the project is shellcheck clean (the host's user data too) and every
// script a person runs answers --help with a usage text and exit code 0, without doing its job
// (.ci/run --help must not start npm test). The user data takes no arguments: it is only checked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackedFiles } from '../support/repository';
import { run } from '../support/run';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');


function firstLine(file: string): string {
  try {
    return readFileSync(join(root, file), 'utf8').split('\n', 1)[0];
  } catch {
    return '';
  }
}

const files = trackedFiles();
const bashScripts = files.filter((file) => /^#!.*\bbash\b/.test(firstLine(file)));
const bootScripts = bashScripts.filter((file) => file.startsWith('modules/'));
// The user data runs once at first boot and takes no arguments; everything else answers --help.
const userData = 'modules/flyway-host/user-data.sh';
const bashLibraries = files.filter((file) => file.endsWith('.sh') && !bashScripts.includes(file));
const nodeScripts = files.filter((file) => file.startsWith('scripts/') && !file.startsWith('scripts/lib/') && file.endsWith('.mjs'));

describe('project scripts', () => {
  it('finds the scripts it is meant to check', () => {
    expect(bootScripts).toEqual(['modules/flyway-host/idle-stop.sh', userData]);
    expect(bashScripts).toEqual(expect.arrayContaining(['.ci/run', 'scripts/setup', 'scripts/test', 'scripts/demo', 'scripts/install-flyway']));
    expect(bashLibraries).toEqual(expect.arrayContaining(['scripts/lib/common.sh', 'scripts/lib/pins.sh']));
    expect(nodeScripts).toEqual(expect.arrayContaining(['scripts/build-lambda.mjs', 'scripts/build-runner.mjs', 'scripts/docs.mjs']));
  });

  it('are shellcheck clean (following sourced files)', async () => {
    const result = await run('shellcheck', ['-x', '--shell=bash', ...bashScripts, ...bashLibraries], { cwd: root });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each([...bashScripts.filter((file) => file !== userData), ...nodeScripts])('%s --help prints its usage and exits 0', async (script) => {
    const program = script.endsWith('.mjs') ? process.execPath : 'bash';
    const result = await run(program, [script, '--help'], { cwd: root, timeoutMs: 20_000 });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/usage/i);
  });
});
