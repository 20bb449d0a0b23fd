// The real Terraform CLI with the real hashicorp/aws provider (from setup's offline mirror) drives
// the moto server: init, validate, plan, apply, then destroy, checked through the AWS CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotoServer, startMoto } from '../support/moto';
import { run } from '../support/run';
import { terraform as runTerraform } from '../support/terraform';
import { toolEnv } from '../support/toolchain';

jest.setTimeout(600_000);

const CONFIG = `
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
}
variable "endpoint" { type = string }
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true
  endpoints {
    s3  = var.endpoint
    ssm = var.endpoint
    sts = var.endpoint
  }
}
resource "aws_s3_bucket" "smoke" {
  bucket = "toolchain-smoke"
}
resource "aws_ssm_parameter" "smoke" {
  name  = "/toolchain-smoke/bucket"
  type  = "String"
  value = aws_s3_bucket.smoke.bucket
}
`;

describe('terraform + hashicorp/aws against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const terraform = (...args: string[]) => runTerraform(dir, args, env as Record<string, string>, { timeoutMs: 300_000 });
  const aws = (...args: string[]) => run('aws', args, { env });

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'aurora-flyway-tf-smoke-'));
    writeFileSync(join(dir, 'main.tf'), CONFIG);
    env = toolEnv({ ...moto.awsEnv, TF_VAR_endpoint: moto.endpoint });
  });
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('initialises offline from the mirror and validates', async () => {
    const init = await terraform('init', '-input=false', '-no-color');
    // Linked from the shared plugin cache that setup filled from the mirror (or installed from the mirror).
    expect(init.stdout).toMatch(/(Installed|Using) hashicorp\/aws v6\.\d+\.\d+( from the shared cache directory)?/);
    const validate = await terraform('validate', '-json');
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, error_count: 0 });
  });

  it('plans exactly the two resources', async () => {
    await terraform('plan', '-input=false', '-no-color', '-out=smoke.tfplan');
    const plan = JSON.parse((await terraform('show', '-json', 'smoke.tfplan')).stdout) as {
      resource_changes: { address: string; change: { actions: string[] } }[];
    };
    expect(plan.resource_changes.map((change) => [change.address, change.change.actions])).toEqual([
      ['aws_s3_bucket.smoke', ['create']],
      ['aws_ssm_parameter.smoke', ['create']],
    ]);
  });

  it('applies: the bucket and the parameter exist in the emulator', async () => {
    await terraform('apply', '-input=false', '-no-color', 'smoke.tfplan');
    const buckets = await aws('s3api', 'list-buckets', '--query', 'Buckets[].Name', '--output', 'json');
    expect(JSON.parse(buckets.stdout)).toContain('toolchain-smoke');
    const parameter = await aws('ssm', 'get-parameter', '--name', '/toolchain-smoke/bucket', '--query', 'Parameter.Value', '--output', 'text');
    expect(parameter.stdout.trim()).toBe('toolchain-smoke');
  });

  it('destroys: nothing is left', async () => {
    await terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    const buckets = await aws('s3api', 'list-buckets', '--query', 'Buckets[].Name', '--output', 'json');
    expect(JSON.parse(buckets.stdout) ?? []).not.toContain('toolchain-smoke');
    const parameter = await aws('ssm', 'get-parameter', '--name', '/toolchain-smoke/bucket');
    expect(parameter.code).not.toBe(0);
    expect(parameter.stderr).toMatch(/ParameterNotFound/);
  });
});
