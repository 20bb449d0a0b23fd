// The module's checks short of applying it, all with the real tools from setup: terraform fmt and
// validate (root, every submodule, every example), tflint with the rules in .tflint.hcl, checkov,
// and `terraform test` with the native plan-level tests in test/terraform/*.tftest.hcl, run with
// the real aws provider against the moto server (data sources read from it; nothing is applied).
// One file, so the steps that share the root's .terraform dir never run at the same time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MotoServer, startMoto } from '../support/moto';
import { run } from '../support/run';
import { PROJECT_ROOT, terraform, terraformDirs } from '../support/terraform';
import { toolchain, toolEnv } from '../support/toolchain';

jest.setTimeout(900_000);

describe('terraform static checks', () => {
  it('is formatted (terraform fmt -check -recursive)', async () => {
    const result = await run('terraform', ['fmt', '-check', '-recursive', '-diff'], { cwd: PROJECT_ROOT, env: toolEnv() });
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });

  // The root calls every submodule, so validating it (and each example, which calls the root)
  // validates them all; tflint --recursive below still reads each submodule on its own.
  const validated = terraformDirs().filter((dir) => !dir.startsWith('modules/'));
  it('validates the root and every example, so every submodule as called', () => {
    const root = readFileSync(join(PROJECT_ROOT, 'main.tf'), 'utf8');
    const called = [...root.matchAll(/^\s*source\s*=\s*"\.\/(modules\/[^"]+)"/gm)].map((match) => match[1]).sort();
    expect(called).toEqual(terraformDirs().filter((dir) => dir.startsWith('modules/')).sort());
  });

  it.each(validated)('validates %s', async (dir) => {
    const cwd = join(PROJECT_ROOT, dir);
    await terraform(cwd, ['init', '-backend=false', '-input=false', '-no-color']);
    const result = await run('terraform', ['validate', '-json', '-no-color'], { cwd, env: toolEnv() });
    const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: { summary: string; detail?: string }[] };
    expect(report.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('passes tflint (terraform ruleset, community rules)', async () => {
    const result = await run('tflint', ['--recursive', '--config', join(PROJECT_ROOT, '.tflint.hcl'), '--format', 'compact'], {
      cwd: PROJECT_ROOT,
      env: toolEnv(),
    });
    expect(result.stdout + result.stderr).not.toMatch(/issue\(s\) found/);
    expect(result.code).toBe(0);
  });

  it('passes checkov with every skip justified inline', async () => {
    const result = await run('checkov', ['-d', '.', '--framework', 'terraform', '--compact', '-o', 'json'], {
      cwd: PROJECT_ROOT,
      env: toolEnv(),
      timeoutMs: 600_000,
    });
    const parsed = JSON.parse(result.stdout) as CheckovReport | CheckovReport[];
    const report = Array.isArray(parsed) ? parsed[0] : parsed;
    const { passed, failed, skipped } = report.summary;
    console.log(`checkov: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    expect(report.results.failed_checks.map((check) => `${check.check_id} ${check.resource} (${check.file_path})`)).toEqual([]);
    expect(passed).toBeGreaterThan(50);
    const unexplained = report.results.skipped_checks.filter((check) => !check.check_result.suppress_comment?.trim());
    expect(unexplained.map((check) => `${check.check_id} ${check.resource}`)).toEqual([]);
  });
});

describe('terraform test (plan level)', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  it('passes every run block', async () => {
    await terraform(PROJECT_ROOT, ['init', '-backend=false', '-input=false', '-no-color', '-test-directory=test/terraform']);
    const result = await run('terraform', ['test', '-test-directory=test/terraform', '-no-color'], {
      cwd: PROJECT_ROOT,
      env: toolEnv(moto.awsEnv),
      timeoutMs: 900_000,
    });
    const output = result.stdout + result.stderr;
    // Every run block of every test file must have run and passed: "0 passed" or a skipped file is a failure.
    const runBlocks = readdirSync(join(PROJECT_ROOT, 'test/terraform'))
      .filter((name) => name.endsWith('.tftest.hcl'))
      .reduce((count, name) => count + (readFileSync(join(PROJECT_ROOT, 'test/terraform', name), 'utf8').match(/^run "/gm) ?? []).length, 0);
    expect(runBlocks).toBeGreaterThan(20);
    expect(output).toContain(`Success! ${runBlocks} passed, 0 failed.`);
    expect(output.match(/^\s+run "[^"]+"\.\.\. pass$/gm) ?? []).toHaveLength(runBlocks);
    expect(result.code).toBe(0);
    console.log(output.split('\n').filter((line) => /run "|Success|Failure/.test(line)).join('\n'));
  });
});

describe('module documentation and defaults', () => {
  it('README inputs/outputs tables match the module (scripts/docs.mjs --check)', async () => {
    const result = await run('node', ['scripts/docs.mjs', '--check'], { cwd: PROJECT_ROOT, env: toolEnv() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it("defaults to the Flyway version and checksum that setup pins and the tests run", async () => {
    const inspected = JSON.parse((await run('terraform-config-inspect', ['--json', PROJECT_ROOT], { env: toolEnv() })).stdout) as {
      variables: Record<string, { default: unknown }>;
    };
    expect(inspected.variables.flyway_version.default).toBe(toolchain().flywayVersion);
    expect(inspected.variables.flyway_sha256.default).toBe(toolchain().flywaySha256);
  });
});

interface CheckovCheck {
  check_id: string;
  resource: string;
  file_path: string;
  check_result: { suppress_comment?: string };
}

interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number };
  results: { failed_checks: CheckovCheck[]; skipped_checks: CheckovCheck[] };
}
