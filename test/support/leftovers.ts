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

import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import {
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeInternetGateways,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, paginateListInstanceProfiles, paginateListPolicies, paginateListRoles } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, paginateListAliases, paginateListKeys } from '@aws-sdk/client-kms';
import { LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { paginateDescribeDBClusters, paginateDescribeDBInstances, paginateDescribeDBSubnetGroups, RDSClient } from '@aws-sdk/client-rds';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { paginateListTopics, SNSClient } from '@aws-sdk/client-sns';
import { paginateListQueues, SQSClient } from '@aws-sdk/client-sqs';
import { paginateDescribeParameters, paginateListDocuments, SSMClient } from '@aws-sdk/client-ssm';
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
  // In-process SDK calls (an AWS CLI process costs about 0.7 CPU s, and this asks 27 questions);
  // the CLI only for CloudWatch alarms, whose newer SDK protocol the emulator does not speak.
  const config = {
    endpoint: awsEnv.AWS_ENDPOINT_URL,
    region: awsEnv.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: awsEnv.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY ?? 'test' },
  };
  const clients = {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    lambda: new LambdaClient(config),
    ssm: new SSMClient(config),
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    rds: new RDSClient(config),
    secrets: new SecretsManagerClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    events: new EventBridgeClient(config),
    logs: new CloudWatchLogsClient(config),
    kms: new KMSClient(config),
  };
  const cli = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await runOk('aws', [...args, '--output', 'json'], { env: toolEnv(awsEnv), timeoutMs: 120_000 })).stdout || 'null');
  const ours = (names: string[]) => names.filter((name) => name.includes(namePrefix));
  /** Every page's items, through the SDK's paginator. */
  const all = async <Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined): Promise<Item[]> => {
    const found: Item[] = [];
    for await (const page of pages) found.push(...(items(page) ?? []));
    return found;
  };
  try {
    const [buckets, functions, documents, parameters, instances, instanceProfiles, clusters, dbInstances, dbSubnetGroups, secrets, queues, topics, rules, alarms, logGroups, roles, policies, kms, network] =
      await Promise.all([
        clients.s3.send(new ListBucketsCommand({})).then((out) => ours((out.Buckets ?? []).map((b) => b.Name ?? ''))),
        all(paginateListFunctions({ client: clients.lambda }, {}), (page) => page.Functions).then((items) => ours(items.map((f) => f.FunctionName ?? ''))),
        all(paginateListDocuments({ client: clients.ssm }, { Filters: [{ Key: 'Owner', Values: ['Self'] }] }), (page) => page.DocumentIdentifiers).then((items) => ours(items.map((d) => d.Name ?? ''))),
        all(paginateDescribeParameters({ client: clients.ssm }, {}), (page) => page.Parameters).then((items) => ours(items.map((p) => p.Name ?? ''))),
        all(paginateDescribeInstances({ client: clients.ec2 }, {}), (page) => page.Reservations).then((reservations) => reservations.flatMap((res) => res.Instances ?? []).map((i) => ({ InstanceId: i.InstanceId ?? '', State: { Name: i.State?.Name ?? '' } }))),
        all(paginateListInstanceProfiles({ client: clients.iam }, {}), (page) => page.InstanceProfiles).then((items) => ours(items.map((p) => p.InstanceProfileName ?? ''))),
        all(paginateDescribeDBClusters({ client: clients.rds }, {}), (page) => page.DBClusters).then((items) => items.map((c) => c.DBClusterIdentifier ?? '')),
        all(paginateDescribeDBInstances({ client: clients.rds }, {}), (page) => page.DBInstances).then((items) => items.map((i) => i.DBInstanceIdentifier ?? '')),
        all(paginateDescribeDBSubnetGroups({ client: clients.rds }, {}), (page) => page.DBSubnetGroups).then((items) => ours(items.map((g) => g.DBSubnetGroupName ?? ''))),
        all(paginateListSecrets({ client: clients.secrets }, {}), (page) => page.SecretList).then((items) => items.map((secret) => secret.Name ?? '')),
        all(paginateListQueues({ client: clients.sqs }, {}), (page) => page.QueueUrls),
        all(paginateListTopics({ client: clients.sns }, {}), (page) => page.Topics).then((items) => items.map((t) => t.TopicArn ?? '')),
        clients.events.send(new ListRulesCommand({})).then((out) => ours((out.Rules ?? []).map((rule) => rule.Name ?? ''))),
        cli('cloudwatch', 'describe-alarms').then((out) => ours(((out as { MetricAlarms?: { AlarmName: string }[] } | null)?.MetricAlarms ?? []).map((alarm) => alarm.AlarmName))),
        all(paginateDescribeLogGroups({ client: clients.logs }, {}), (page) => page.logGroups).then((items) => ours(items.map((g) => g.logGroupName ?? ''))),
        all(paginateListRoles({ client: clients.iam }, {}), (page) => page.Roles).then((items) => ours(items.map((role) => role.RoleName ?? ''))),
        all(paginateListPolicies({ client: clients.iam }, { Scope: 'Local' }), (page) => page.Policies).then((items) => ours(items.map((policy) => policy.PolicyName ?? ''))),
        // Customer managed keys not scheduled for deletion (a destroyed key waits out its deletion
        // window). Not the AWS managed keys (alias/aws/...): moto makes alias/aws/ebs for the host's
        // encrypted volume itself, and calls it a customer managed key.
        Promise.all([all(paginateListKeys({ client: clients.kms }, {}), (page) => page.Keys), all(paginateListAliases({ client: clients.kms }, {}), (page) => page.Aliases)]).then(async ([keyList, aliases]) => {
          const awsManaged = new Set(aliases.filter((alias) => (alias.AliasName ?? '').startsWith('alias/aws/')).map((alias) => alias.TargetKeyId));
          const ids = keyList.map((key) => key.KeyId ?? '').filter((id) => !awsManaged.has(id));
          const keys = await Promise.all(ids.map(async (id) => (await clients.kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata));
          const live = keys.filter((key) => key !== undefined && key.KeyManager === 'CUSTOMER' && key.KeyState !== 'PendingDeletion' && key.KeyState !== 'PendingReplicaDeletion');
          return { keys: live.map((key) => `${key?.KeyId ?? ''} (${key?.Description ?? ''})`), aliases: ours(aliases.map((alias) => alias.AliasName ?? '')) };
        }),
        Promise.all([
          all(paginateDescribeVpcs({ client: clients.ec2 }, {}), (page) => page.Vpcs),
          all(paginateDescribeSubnets({ client: clients.ec2 }, {}), (page) => page.Subnets),
          all(paginateDescribeRouteTables({ client: clients.ec2 }, {}), (page) => page.RouteTables),
          all(paginateDescribeInternetGateways({ client: clients.ec2 }, {}), (page) => page.InternetGateways),
          all(paginateDescribeVpcEndpoints({ client: clients.ec2 }, {}), (page) => page.VpcEndpoints),
          all(paginateDescribeSecurityGroups({ client: clients.ec2 }, {}), (page) => page.SecurityGroups),
          all(paginateDescribeNetworkInterfaces({ client: clients.ec2 }, {}), (page) => page.NetworkInterfaces),
        ]).then(([vpcs, subnets, routeTables, internetGateways, vpcEndpoints, securityGroups, networkInterfaces]) => ({ vpcs, subnets, routeTables, internetGateways, vpcEndpoints, securityGroups, networkInterfaces }) as unknown as Ec2Network),
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
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** "nothing left" or e.g. "left: buckets (2), secrets (1)". */
export function describeLeftovers(left: Leftovers): string {
  const kinds = Object.entries(left).filter(([, names]) => (names as string[]).length > 0);
  return kinds.length === 0 ? 'nothing left' : `left: ${kinds.map(([kind, names]) => `${kind} (${(names as string[]).join(', ')})`).join('; ')}`;
}
