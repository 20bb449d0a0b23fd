// `terraform apply` of the root module against the moto server, checks of what it built, then
// `terraform destroy` and a listing of every kind of resource the module makes: nothing is left.
import { LocalStack, passwordValues, prepareLocalStack } from '../support/local-stack';
import { MotoServer, startMoto } from '../support/moto';
import { run, runOk } from '../support/run';
import { toolEnv } from '../support/toolchain';

jest.setTimeout(1_200_000);

const PREFIX = 'applytest';

describe('root module on the emulator', () => {
  let moto: MotoServer;
  let stack: LocalStack;
  const aws = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await runOk('aws', [...args, '--output', 'json'], { env: toolEnv(moto.awsEnv) })).stdout || 'null');

  beforeAll(async () => {
    moto = await startMoto();
    stack = prepareLocalStack(moto.awsEnv, { name_prefix: PREFIX });
    await stack.terraform('init', '-input=false', '-no-color');
  });
  afterAll(async () => {
    await moto?.stop();
    stack?.remove();
  });

  it('plans without any password value', async () => {
    await stack.terraform('plan', '-input=false', '-no-color', '-out=stack.tfplan');
    const plan = JSON.parse((await stack.terraform('show', '-json', 'stack.tfplan')).stdout) as unknown;
    expect(passwordValues(plan)).toEqual([]);
  });

  it('applies', async () => {
    await stack.terraform('apply', '-input=false', '-no-color', 'stack.tfplan');
    const outputs = await stack.outputs();
    expect(Object.keys(outputs.buckets as object).sort()).toEqual(['products', 'users']);
  });

  it('keeps secrets out of the state: the password exists only in Secrets Manager', async () => {
    const state = JSON.parse((await stack.terraform('show', '-json')).stdout) as unknown;
    expect(passwordValues(state)).toEqual([]);
    const { master_user_secret_arn: secretArn } = await stack.outputs();
    const secret = (await aws('secretsmanager', 'get-secret-value', '--secret-id', String(secretArn))) as { SecretString: string };
    const { password } = JSON.parse(secret.SecretString) as { password: string };
    expect(password.length).toBeGreaterThan(8);
    expect(JSON.stringify(state)).not.toContain(password);
  });

  it('built a host with IMDSv2, no key pair and no inbound rules', async () => {
    const { instance_id: instanceId, host_security_group_id: groupId } = await stack.outputs();
    const reservations = (await aws('ec2', 'describe-instances', '--instance-ids', String(instanceId))) as {
      Reservations: { Instances: { KeyName?: string; MetadataOptions: { HttpTokens: string } }[] }[];
    };
    const instance = reservations.Reservations[0].Instances[0];
    expect(instance.KeyName ?? null).toBeNull();
    expect(instance.MetadataOptions.HttpTokens).toBe('required');
    // The group comes from the module's output: the emulator's describe-instances lists groups unreliably.
    const groups = (await aws('ec2', 'describe-security-groups', '--group-ids', String(groupId))) as {
      SecurityGroups: { IpPermissions: unknown[]; IpPermissionsEgress: { FromPort?: number }[] }[];
    };
    expect(groups.SecurityGroups[0].IpPermissions).toEqual([]);
    expect(groups.SecurityGroups[0].IpPermissionsEgress.map((rule) => rule.FromPort).sort()).toEqual([443, 5432]);
  });

  it('built private, versioned, encrypted buckets that notify the trigger on .sql uploads', async () => {
    const { buckets } = (await stack.outputs()) as { buckets: Record<string, string> };
    for (const bucket of Object.values(buckets)) {
      expect(await aws('s3api', 'get-bucket-versioning', '--bucket', bucket)).toMatchObject({ Status: 'Enabled' });
      expect(await aws('s3api', 'get-public-access-block', '--bucket', bucket)).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      const notification = (await aws('s3api', 'get-bucket-notification-configuration', '--bucket', bucket)) as {
        LambdaFunctionConfigurations: { LambdaFunctionArn: string; Filter: { Key: { FilterRules: { Name: string; Value: string }[] } } }[];
      };
      expect(notification.LambdaFunctionConfigurations).toHaveLength(1);
      expect(notification.LambdaFunctionConfigurations[0].LambdaFunctionArn).toContain(`${PREFIX}-flyway-trigger`);
      // AWS spells the rule name "Suffix", the emulator "suffix".
      const rules = notification.LambdaFunctionConfigurations[0].Filter.Key.FilterRules.map((rule) => `${rule.Name.toLowerCase()}=${rule.Value}`);
      expect(rules).toEqual(['suffix=.sql']);
      const policy = (await aws('s3api', 'get-bucket-policy', '--bucket', bucket)) as { Policy: string };
      expect(policy.Policy).toContain('aws:SecureTransport');
    }
  });

  it('destroys, and the emulator holds nothing of the module', async () => {
    await stack.terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    const ours = (names: string[]) => names.filter((name) => name.includes(PREFIX));
    const left = {
      buckets: ours(((await aws('s3api', 'list-buckets')) as { Buckets: { Name: string }[] }).Buckets.map((b) => b.Name)),
      functions: ours(((await aws('lambda', 'list-functions')) as { Functions: { FunctionName: string }[] }).Functions.map((f) => f.FunctionName)),
      documents: ours(
        ((await aws('ssm', 'list-documents', '--filters', 'Key=Owner,Values=Self')) as { DocumentIdentifiers: { Name: string }[] }).DocumentIdentifiers.map((d) => d.Name),
      ),
      parameters: ours(((await aws('ssm', 'describe-parameters')) as { Parameters: { Name: string }[] }).Parameters.map((p) => p.Name)),
      instances: (
        (await aws('ec2', 'describe-instances')) as { Reservations: { Instances: { InstanceId: string; State: { Name: string } }[] }[] }
      ).Reservations.flatMap((r) => r.Instances)
        .filter((i) => i.State.Name !== 'terminated')
        .map((i) => i.InstanceId),
      clusters: ((await aws('rds', 'describe-db-clusters')) as { DBClusters: { DBClusterIdentifier: string }[] }).DBClusters.map((c) => c.DBClusterIdentifier),
      secrets: ((await aws('secretsmanager', 'list-secrets')) as { SecretList: { Name: string }[] }).SecretList.map((s) => s.Name),
      queues: ((await aws('sqs', 'list-queues')) as { QueueUrls?: string[] } | null)?.QueueUrls ?? [],
      topics: ((await aws('sns', 'list-topics')) as { Topics: { TopicArn: string }[] }).Topics.map((t) => t.TopicArn),
      rules: ours(((await aws('events', 'list-rules')) as { Rules: { Name: string }[] }).Rules.map((r) => r.Name)),
      logGroups: ours(((await aws('logs', 'describe-log-groups')) as { logGroups: { logGroupName: string }[] }).logGroups.map((g) => g.logGroupName)),
      roles: ours(((await aws('iam', 'list-roles')) as { Roles: { RoleName: string }[] }).Roles.map((r) => r.RoleName)),
      vpcs: ((await aws('ec2', 'describe-vpcs', '--filters', `Name=tag:Name,Values=${PREFIX}`)) as { Vpcs: unknown[] }).Vpcs,
    };
    expect(left).toEqual({
      buckets: [],
      functions: [],
      documents: [],
      parameters: [],
      instances: [],
      clusters: [],
      secrets: [],
      queues: [],
      topics: [],
      rules: [],
      logGroups: [],
      roles: [],
      vpcs: [],
    });
    const state = await run('terraform', ['state', 'list'], { cwd: stack.dir, env: toolEnv(moto.awsEnv) });
    expect(state.stdout.trim()).toBe('');
  });
});
