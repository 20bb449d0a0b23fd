// What of a deployment is in the emulator, by kind of resource the module makes (every resource
// type in main.tf and modules/*/main.tf that AWS keeps as an object of its own; rules, attachments,
// associations, routes, permissions and configurations go with the object they belong to). After
// `terraform destroy` every list must be empty (the e2e tests and the demo check it); before it,
// the e2e tests check that each kind the deployment creates is seen, so that an empty list means
// "destroyed" and not "not looked for".
//
// "Of the module": the root module and its submodules, including the network module's VPC
// (create_vpc defaults to true; test/fixtures/local-stack only wraps the root module and makes no
// resource of its own, so one `terraform destroy` removes all of it). Not of the module: what the
// emulator has from the start (moto's default VPC with its subnets, main route table and default
// security group, and the `default` security group of every VPC, which goes with its VPC) and what
// a test puts there itself (e.g. the MySQL e2e's artifact bucket, named without the prefix). Kinds
// whose names carry the deployment's name_prefix are filtered by it; the others (instances,
// clusters, secrets, queues, topics, the network) are counted whole, since each test or demo has
// an emulator of its own.

import { runOk } from './run';
import { toolEnv } from './toolchain';

export interface Leftovers {
  buckets: string[];
  functions: string[];
  documents: string[];
  parameters: string[];
  instances: string[];
  instanceProfiles: string[];
  clusters: string[];
  dbInstances: string[];
  dbSubnetGroups: string[];
  secrets: string[];
  queues: string[];
  topics: string[];
  rules: string[];
  alarms: string[];
  logGroups: string[];
  roles: string[];
  policies: string[];
  kmsKeys: string[];
  kmsAliases: string[];
  vpcs: string[];
  subnets: string[];
  routeTables: string[];
  internetGateways: string[];
  vpcEndpoints: string[];
  securityGroups: string[];
  networkInterfaces: string[];
}

export type LeftoverKind = keyof Leftovers;

export const NOTHING_LEFT: Leftovers = {
  buckets: [],
  functions: [],
  documents: [],
  parameters: [],
  instances: [],
  instanceProfiles: [],
  clusters: [],
  dbInstances: [],
  dbSubnetGroups: [],
  secrets: [],
  queues: [],
  topics: [],
  rules: [],
  alarms: [],
  logGroups: [],
  roles: [],
  policies: [],
  kmsKeys: [],
  kmsAliases: [],
  vpcs: [],
  subnets: [],
  routeTables: [],
  internetGateways: [],
  vpcEndpoints: [],
  securityGroups: [],
  networkInterfaces: [],
};

/** The kinds with nothing in them, sorted (before destroy: the kinds this deployment does not create). */
export function emptyKinds(inventory: Leftovers): LeftoverKind[] {
  return (Object.keys(inventory) as LeftoverKind[]).filter((kind) => inventory[kind].length === 0).sort();
}

interface Ec2Network {
  vpcs: { VpcId: string; IsDefault: boolean }[];
  subnets: { SubnetId: string; VpcId: string }[];
  routeTables: { RouteTableId: string; VpcId: string; Associations?: { Main?: boolean }[] }[];
  internetGateways: { InternetGatewayId: string; Attachments?: { VpcId: string }[] }[];
  vpcEndpoints: { VpcEndpointId: string; State?: string }[];
  securityGroups: { GroupId: string; GroupName: string; VpcId?: string }[];
  networkInterfaces: { NetworkInterfaceId: string; VpcId?: string; Description?: string; Attachment?: { InstanceId?: string } }[];
}

export async function inventoryLeftovers(awsEnv: Record<string, string>, namePrefix: string): Promise<Leftovers> {
  const aws = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await runOk('aws', [...args, '--output', 'json'], { env: toolEnv(awsEnv), timeoutMs: 120_000 })).stdout || 'null');
  const ours = (names: string[]) => names.filter((name) => name.includes(namePrefix));
  const list = <T>(path: string[], name: (item: T) => string) => async (answer: unknown): Promise<string[]> => {
    let value = answer as Record<string, unknown> | null;
    for (const key of path) value = (value?.[key] ?? null) as Record<string, unknown> | null;
    return ((value ?? []) as unknown as T[]).map(name);
  };
  const [buckets, functions, documents, parameters, instances, instanceProfiles, clusters, dbInstances, dbSubnetGroups, secrets, queues, topics, rules, alarms, logGroups, roles, policies, kms, network] =
    await Promise.all([
      aws('s3api', 'list-buckets').then(list<{ Name: string }>(['Buckets'], (b) => b.Name)).then(ours),
      aws('lambda', 'list-functions').then(list<{ FunctionName: string }>(['Functions'], (f) => f.FunctionName)).then(ours),
      aws('ssm', 'list-documents', '--filters', 'Key=Owner,Values=Self').then(list<{ Name: string }>(['DocumentIdentifiers'], (d) => d.Name)).then(ours),
      aws('ssm', 'describe-parameters').then(list<{ Name: string }>(['Parameters'], (p) => p.Name)).then(ours),
      aws('ec2', 'describe-instances').then((r) => (r as { Reservations: { Instances: { InstanceId: string; State: { Name: string } }[] }[] }).Reservations.flatMap((res) => res.Instances)),
      aws('iam', 'list-instance-profiles').then(list<{ InstanceProfileName: string }>(['InstanceProfiles'], (p) => p.InstanceProfileName)).then(ours),
      aws('rds', 'describe-db-clusters').then(list<{ DBClusterIdentifier: string }>(['DBClusters'], (c) => c.DBClusterIdentifier)),
      aws('rds', 'describe-db-instances').then(list<{ DBInstanceIdentifier: string }>(['DBInstances'], (i) => i.DBInstanceIdentifier)),
      aws('rds', 'describe-db-subnet-groups').then(list<{ DBSubnetGroupName: string }>(['DBSubnetGroups'], (g) => g.DBSubnetGroupName)).then(ours),
      aws('secretsmanager', 'list-secrets').then(list<{ Name: string }>(['SecretList'], (s) => s.Name)),
      aws('sqs', 'list-queues').then(list<string>(['QueueUrls'], (url) => url)),
      aws('sns', 'list-topics').then(list<{ TopicArn: string }>(['Topics'], (t) => t.TopicArn)),
      aws('events', 'list-rules').then(list<{ Name: string }>(['Rules'], (rule) => rule.Name)).then(ours),
      aws('cloudwatch', 'describe-alarms').then(list<{ AlarmName: string }>(['MetricAlarms'], (alarm) => alarm.AlarmName)).then(ours),
      aws('logs', 'describe-log-groups').then(list<{ logGroupName: string }>(['logGroups'], (g) => g.logGroupName)).then(ours),
      aws('iam', 'list-roles').then(list<{ RoleName: string }>(['Roles'], (role) => role.RoleName)).then(ours),
      aws('iam', 'list-policies', '--scope', 'Local').then(list<{ PolicyName: string }>(['Policies'], (policy) => policy.PolicyName)).then(ours),
      // Customer managed keys not scheduled for deletion (a destroyed key waits out its deletion
      // window). Not the AWS managed keys (alias/aws/...): moto makes alias/aws/ebs for the host's
      // encrypted volume itself, and calls it a customer managed key.
      Promise.all([aws('kms', 'list-keys'), aws('kms', 'list-aliases')]).then(async ([keyList, aliasList]) => {
        const aliases = (aliasList as { Aliases: { AliasName: string; TargetKeyId?: string }[] }).Aliases;
        const awsManaged = new Set(aliases.filter((alias) => alias.AliasName.startsWith('alias/aws/')).map((alias) => alias.TargetKeyId));
        const ids = (keyList as { Keys: { KeyId: string }[] }).Keys.map((key) => key.KeyId).filter((id) => !awsManaged.has(id));
        const keys = await Promise.all(ids.map(async (id) => ((await aws('kms', 'describe-key', '--key-id', id)) as { KeyMetadata: { KeyId: string; KeyManager: string; KeyState: string; Description?: string } }).KeyMetadata));
        const live = keys.filter((key) => key.KeyManager === 'CUSTOMER' && key.KeyState !== 'PendingDeletion' && key.KeyState !== 'PendingReplicaDeletion');
        return { keys: live.map((key) => `${key.KeyId} (${key.Description ?? ''})`), aliases: ours(aliases.map((alias) => alias.AliasName)) };
      }),
      Promise.all([
        aws('ec2', 'describe-vpcs'),
        aws('ec2', 'describe-subnets'),
        aws('ec2', 'describe-route-tables'),
        aws('ec2', 'describe-internet-gateways'),
        aws('ec2', 'describe-vpc-endpoints'),
        aws('ec2', 'describe-security-groups'),
        aws('ec2', 'describe-network-interfaces'),
      ]).then(
        ([vpcs, subnets, routeTables, internetGateways, vpcEndpoints, securityGroups, networkInterfaces]): Ec2Network => ({
          vpcs: (vpcs as { Vpcs: Ec2Network['vpcs'] }).Vpcs,
          subnets: (subnets as { Subnets: Ec2Network['subnets'] }).Subnets,
          routeTables: (routeTables as { RouteTables: Ec2Network['routeTables'] }).RouteTables,
          internetGateways: (internetGateways as { InternetGateways: Ec2Network['internetGateways'] }).InternetGateways,
          vpcEndpoints: (vpcEndpoints as { VpcEndpoints: Ec2Network['vpcEndpoints'] }).VpcEndpoints,
          securityGroups: (securityGroups as { SecurityGroups: Ec2Network['securityGroups'] }).SecurityGroups,
          networkInterfaces: (networkInterfaces as { NetworkInterfaces: Ec2Network['networkInterfaces'] }).NetworkInterfaces,
        }),
      ),
    ]);
  // Everything of the network outside the emulator's default VPC.
  const defaultVpcs = new Set(network.vpcs.filter((vpc) => vpc.IsDefault).map((vpc) => vpc.VpcId));
  const outsideDefault = (vpcId: string | undefined) => vpcId === undefined || !defaultVpcs.has(vpcId);
  const live = new Set(instances.filter((instance) => instance.State.Name !== 'terminated').map((instance) => instance.InstanceId));
  // EC2 deletes an instance's primary network interface with the instance; moto creates it with
  // DeleteOnTermination false and keeps it, detached, after the instance is terminated.
  const primaryOfTerminated = (eni: Ec2Network['networkInterfaces'][number]) =>
    eni.Description === 'Primary network interface' && (eni.Attachment?.InstanceId === undefined || !live.has(eni.Attachment.InstanceId));
  return {
    buckets,
    functions,
    documents,
    parameters,
    instances: [...live],
    instanceProfiles,
    clusters,
    dbInstances,
    dbSubnetGroups,
    secrets,
    queues,
    topics,
    rules,
    alarms,
    logGroups,
    roles,
    policies,
    kmsKeys: kms.keys,
    kmsAliases: kms.aliases,
    vpcs: network.vpcs.filter((vpc) => !vpc.IsDefault).map((vpc) => vpc.VpcId),
    subnets: network.subnets.filter((subnet) => outsideDefault(subnet.VpcId)).map((subnet) => subnet.SubnetId),
    // A VPC's main route table goes with its VPC (counted there).
    routeTables: network.routeTables.filter((table) => outsideDefault(table.VpcId) && !(table.Associations ?? []).some((a) => a.Main)).map((table) => table.RouteTableId),
    internetGateways: network.internetGateways.filter((gateway) => (gateway.Attachments ?? []).every((a) => outsideDefault(a.VpcId))).map((gateway) => gateway.InternetGatewayId),
    vpcEndpoints: network.vpcEndpoints.filter((endpoint) => endpoint.State?.toLowerCase() !== 'deleted').map((endpoint) => endpoint.VpcEndpointId),
    // A VPC's `default` group goes with its VPC (counted there).
    securityGroups: network.securityGroups.filter((group) => group.GroupName !== 'default').map((group) => `${group.GroupId} (${group.GroupName})`),
    networkInterfaces: network.networkInterfaces.filter((eni) => outsideDefault(eni.VpcId) && !primaryOfTerminated(eni)).map((eni) => eni.NetworkInterfaceId),
  };
}

/** "nothing left" or e.g. "left: buckets (2), secrets (1)". */
export function describeLeftovers(left: Leftovers): string {
  const kinds = Object.entries(left).filter(([, names]) => (names as string[]).length > 0);
  return kinds.length === 0 ? 'nothing left' : `left: ${kinds.map(([kind, names]) => `${kind} (${(names as string[]).join(', ')})`).join('; ')}`;
}
