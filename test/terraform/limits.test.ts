// AWS size limits the emulator does not enforce, measured on a real plan of the root module with
// 100 databases (the real aws provider against moto, nothing applied). Each limit is the one AWS
// documents; the test prints the margin left and fails when a value would not fit. What is only
// known after apply at the root (the roles' inline policies, which name the instance and the
// cluster's secret, and the command document, which names the cluster endpoint) is measured by
// test/terraform/limits.tftest.hcl on the submodules with 100 buckets and known inputs.
import { startMoto, type MotoServer } from '../support/moto';
import { prepareLocalStack, type LocalStack } from '../support/local-stack';
import { allResources, type ShownModule, type ShownResource } from '../support/terraform';

jest.setTimeout(900_000);

const DATABASES = 100;

interface Plan {
  planned_values: { root_module: ShownModule };
}

/** IAM counts policy size without whitespace; the provider sends compact JSON. */
const iamSize = (policy: unknown) => (typeof policy === 'string' ? JSON.stringify(JSON.parse(policy)).length : Number.NaN);

let moto: MotoServer;
let stack: LocalStack;
let planned: ShownResource[];


beforeAll(async () => {
  moto = await startMoto();
  const keys = Array.from({ length: DATABASES }, (_, i) => `database_${String(i).padStart(3, '0')}`);
  stack = prepareLocalStack(moto.awsEnv, { name_prefix: 'scale', databases: JSON.stringify(Object.fromEntries(keys.map((key) => [key, {}]))) });
  await stack.terraform('init', '-input=false', '-no-color');
  await stack.terraform('plan', '-input=false', '-no-color', '-out=scale.tfplan');
  const plan = JSON.parse((await stack.terraform('show', '-json', 'scale.tfplan')).stdout) as Plan;
  planned = allResources(plan.planned_values.root_module);
});

afterAll(async () => {
  stack?.remove();
  await moto?.stop();
});

const rows: string[] = [];
function withinLimit(what: string, value: number, limit: number, source: string): void {
  rows.push(`${what.padEnd(62)} ${String(value).padStart(6)} of ${String(limit).padStart(6)}  (${Math.round((100 * (limit - value)) / limit)}% left; ${source})`);
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeLessThanOrEqual(limit);
}

afterAll(() => console.log(`AWS limits with ${DATABASES} databases:\n${rows.join('\n')}`));

const byType = (type: string) => planned.filter((resource) => resource.type === type);
const named = (type: string, part: string) => byType(type).filter((resource) => resource.address.includes(part));

describe(`the module with ${DATABASES} databases`, () => {
  it('plans one bucket and two parameters per database', () => {
    expect(byType('aws_s3_bucket')).toHaveLength(DATABASES + 1);
    expect(named('aws_ssm_parameter', 'database_settings')).toHaveLength(DATABASES);
    expect(named('aws_ssm_parameter', 'bucket_database')).toHaveLength(DATABASES);
  });

  it('keeps each managed policy under 6,144 characters and the host under 10 attached policies', () => {
    const managed = byType('aws_iam_policy');
    expect(managed.length).toBeGreaterThan(0);
    for (const policy of managed) withinLimit(`managed policy ${String(policy.values.name)} (characters)`, iamSize(policy.values.policy), 6144, 'IAM quotas');
    withinLimit('managed policies attached to the host role', byType('aws_iam_role_policy_attachment').length, 10, 'IAM quotas, default');
  });

  it('keeps the trigger\'s resource policy under 20 KB: one statement for S3 and one for the host\'s stop event, whatever the number of buckets', () => {
    expect(byType('aws_lambda_permission').map((permission) => permission.values.principal).sort()).toEqual(['events.amazonaws.com', 's3.amazonaws.com']);
  });

  it('keeps each bucket\'s policy under 20 KB', () => {
    const largest = Math.max(...byType('aws_s3_bucket_policy').map((policy) => iamSize(policy.values.policy)));
    withinLimit('largest bucket policy (characters)', largest, 20480, 'S3 quotas');
  });
});
