// AWS size limits the emulator does not enforce, measured on a real plan of the root module with
// 250 databases and the longest names the module accepts (a 20-character name_prefix, 24-character
// database keys), and its own KMS key. What a plan only knows after apply (the instance, function
// and cluster ARNs that the policies and the command document name, the failure queue URL that the pipeline parameter names) is applied first on
// the emulator with -target, so every policy below is the JSON AWS would receive. Each limit is the
// one AWS documents; the test prints every value against its limit and fails when one would not fit.
// Buckets the user names (bucket_name) are bounded separately: test/terraform/limits.tftest.hcl.
import { keysInState } from '../harness/state-keys';
import { startMoto, type MotoServer } from '../support/moto';
import { prepareLocalStack, type LocalStack } from '../support/local-stack';
import { allResources, type ShownModule, type ShownResource } from '../support/terraform';

jest.setTimeout(900_000);

const DATABASES = 250;
/** name_prefix: 2-20 characters (variables.tf). */
const NAME_PREFIX = 'limitsabcdefghijklmn';
/** Database keys: at most 24 characters (variables.tf). */
const keyOf = (i: number) => `database_${String(i).padStart(15, '0')}`;

/** Applied before the plan, so that the ARNs they give the policies and the document are known. */
const KNOWN_ONLY_AFTER_APPLY = [
  'module.pipeline.module.flyway_host.aws_instance.this',
  'module.pipeline.module.trigger.aws_lambda_function.this',
  'module.pipeline.module.aurora[0].aws_rds_cluster.this',
  // Its URL goes into the pipeline parameter.
  'module.pipeline.module.trigger.aws_sqs_queue.failures',
];

interface Plan {
  planned_values: { root_module: ShownModule; outputs: { uploader_policy_json?: { value?: string } } };
}

/** IAM and the other services count a policy without whitespace; the provider sends compact JSON. */
const policySize = (policy: unknown) => (typeof policy === 'string' ? JSON.stringify(JSON.parse(policy)).length : Number.NaN);

let moto: MotoServer;
let stack: LocalStack;
let planned: ShownResource[];
let uploaderPolicy: string | undefined;

beforeAll(async () => {
  expect(NAME_PREFIX).toHaveLength(20);
  expect(keyOf(DATABASES - 1)).toHaveLength(24);
  moto = await startMoto();
  const keys = Array.from({ length: DATABASES }, (_, i) => keyOf(i));
  stack = prepareLocalStack(moto.awsEnv, {
    name_prefix: NAME_PREFIX,
    create_kms_key: 'true',
    databases: JSON.stringify(Object.fromEntries(keys.map((key) => [key, {}]))),
  });
  await stack.terraform('init', '-input=false', '-no-color');
  await stack.terraform('apply', '-input=false', '-no-color', '-auto-approve', '-parallelism=32', ...KNOWN_ONLY_AFTER_APPLY.map((address) => `-target=${address}`));
  await stack.terraform('plan', '-input=false', '-no-color', '-parallelism=32', '-out=scale.tfplan');
  const plan = JSON.parse((await stack.terraform('show', '-json', 'scale.tfplan')).stdout) as Plan;
  planned = allResources(plan.planned_values.root_module);
  uploaderPolicy = plan.planned_values.outputs.uploader_policy_json?.value;
});

afterAll(async () => {
  stack?.remove();
  await moto?.stop();
});

const rows: string[] = [];
function withinLimit(what: string, value: number, limit: number, source: string): void {
  rows.push(`${what.padEnd(84)} ${String(value).padStart(6)} of ${String(limit).padStart(6)}  (${Math.round((100 * (limit - value)) / limit)}% left; ${source})`);
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeLessThanOrEqual(limit);
}

afterAll(() => console.log(`AWS limits with ${DATABASES} databases, name_prefix and keys at their maximum length:\n${rows.join('\n')}`));

const byType = (type: string) => planned.filter((resource) => resource.type === type);
const named = (type: string, part: string) => byType(type).filter((resource) => resource.address.includes(part));
const short = (address: string) => address.replace(/^module\.pipeline\./, '');

/** Values grouped by a key, in first-seen order. Pure. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

describe(`the module with ${DATABASES} databases and the longest names`, () => {
  it('plans one bucket and two parameters per database', () => {
    expect(byType('aws_s3_bucket')).toHaveLength(DATABASES + 1);
    expect(named('aws_ssm_parameter', 'database_settings')).toHaveLength(DATABASES);
    expect(named('aws_ssm_parameter', 'bucket_database')).toHaveLength(DATABASES);
  });

  it('knows every policy at plan time (nothing left for apply to fail on)', () => {
    const policies = [...byType('aws_iam_policy'), ...byType('aws_iam_role_policy'), ...byType('aws_s3_bucket_policy'), ...byType('aws_sns_topic_policy')];
    expect(policies.filter((resource) => typeof resource.values.policy !== 'string').map((resource) => short(resource.address))).toEqual([]);
    expect(keysInState(planned).map((key) => [short(key.address), typeof key.policy])).toEqual([['aws_cloudformation_stack.kms_key[0]/Key', 'string']]);
    expect(typeof uploaderPolicy).toBe('string');
  });

  it('keeps each managed policy within 6,144 characters, and each role within 10 attached managed policies', () => {
    const managed = byType('aws_iam_policy');
    expect(managed.length).toBeGreaterThan(0);
    for (const policy of managed) withinLimit(`managed policy ${String(policy.values.name)}`, policySize(policy.values.policy), 6144, 'IAM quotas: managed policy size');
    withinLimit('uploader_policy_json (attached by the user, as a managed policy)', policySize(uploaderPolicy), 6144, 'IAM quotas: managed policy size');
    for (const [role, attachments] of groupBy(byType('aws_iam_role_policy_attachment'), (attachment) => String(attachment.values.role))) {
      withinLimit(`managed policies attached to role ${role}`, attachments.length, 10, 'IAM quotas: attached per role, default');
    }
  });

  it("keeps each role's inline policies within 10,240 characters in all", () => {
    const byRole = groupBy(byType('aws_iam_role_policy'), (policy) => short(policy.address).replace(/\.aws_iam_role_policy\..*$/, ''));
    expect(byRole.size).toBeGreaterThanOrEqual(2);
    for (const [module, policies] of byRole) {
      const total = policies.reduce((sum, policy) => sum + policySize(policy.values.policy), 0);
      withinLimit(`inline policies of the ${module} role (${policies.map((policy) => String(policy.values.name)).join(', ')})`, total, 10240, 'IAM quotas: role inline total');
    }
  });

  it("keeps the resource policies within their services' limits", () => {
    const largestBucketPolicy = Math.max(...byType('aws_s3_bucket_policy').map((policy) => policySize(policy.values.policy)));
    withinLimit(`largest of ${byType('aws_s3_bucket_policy').length} bucket policies`, largestBucketPolicy, 20480, 'S3: bucket policy size');
    for (const key of keysInState(planned)) withinLimit(`key policy of ${short(key.address)}`, policySize(key.policy), 32768, 'KMS quotas: key policy document size');
    for (const topic of byType('aws_sns_topic_policy')) withinLimit(`topic policy ${short(topic.address)}`, policySize(topic.values.policy), 30720, 'SNS quotas: topic policy size');
    // One invoke permission per service, not one per bucket: the function's policy holds 20 KB.
    expect(byType('aws_lambda_permission').map((permission) => permission.values.principal).sort()).toEqual(['events.amazonaws.com', 's3.amazonaws.com']);
  });

  it('keeps the command document, the trigger environment and every parameter within their limits', () => {
    const [document] = byType('aws_ssm_document');
    withinLimit('command document content', Buffer.byteLength(String(document.values.content)), 65536, 'SSM quotas: document size');
    const [trigger] = byType('aws_lambda_function');
    const variables = ((trigger.values.environment as { variables: Record<string, string> }[])[0]?.variables ?? {}) as Record<string, string>;
    withinLimit('trigger environment variables', Object.entries(variables).reduce((sum, [name, value]) => sum + Buffer.byteLength(name + value), 0), 4096, 'Lambda quotas: environment');
    // Intelligent-Tiering moves a value above 4 KB to the advanced tier, whose limit is 8 KB.
    const tiers = [['Standard', 4096], ['Intelligent-Tiering', 8192], ['Advanced', 8192]] as const;
    const parameters = byType('aws_ssm_parameter');
    expect(parameters.filter((parameter) => !tiers.some(([tier]) => (parameter.values.tier ?? 'Standard') === tier))).toEqual([]);
    for (const [tier, limit] of tiers) {
      const ofTier = parameters.filter((parameter) => (parameter.values.tier ?? 'Standard') === tier);
      if (ofTier.length === 0) continue;
      expect(ofTier.filter((parameter) => typeof parameter.values.value !== 'string').map((parameter) => short(parameter.address))).toEqual([]);
      const size = (parameter: ShownResource) => Buffer.byteLength(String(parameter.values.value));
      const biggest = ofTier.reduce((a, b) => (size(a) >= size(b) ? a : b));
      withinLimit(`largest of ${ofTier.length} ${tier} parameters (${short(biggest.address)})`, size(biggest), limit, `SSM quotas: ${tier} parameter value`);
    }
  });
});
