// What of a deployment is still in the emulator, by kind of resource the module makes. After
// `terraform destroy` every list must be empty (the e2e tests and the demo check it). Kinds whose
// names carry the deployment's name_prefix are filtered by it; the others (instances, clusters,
// secrets, queues, topics) are counted whole, since each test or demo has an emulator of its own.

import { runOk } from './run';
import { toolEnv } from './toolchain';

export interface Leftovers {
  buckets: string[];
  functions: string[];
  documents: string[];
  parameters: string[];
  instances: string[];
  clusters: string[];
  secrets: string[];
  queues: string[];
  topics: string[];
  rules: string[];
  logGroups: string[];
  roles: string[];
  vpcs: string[];
}

export const NOTHING_LEFT: Leftovers = {
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
};

export async function inventoryLeftovers(awsEnv: Record<string, string>, namePrefix: string): Promise<Leftovers> {
  const aws = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await runOk('aws', [...args, '--output', 'json'], { env: toolEnv(awsEnv), timeoutMs: 120_000 })).stdout || 'null');
  const ours = (names: string[]) => names.filter((name) => name.includes(namePrefix));
  const [buckets, functions, documents, parameters, instances, clusters, secrets, queues, topics, rules, logGroups, roles, vpcs] = await Promise.all([
    aws('s3api', 'list-buckets').then((r) => ours((r as { Buckets: { Name: string }[] }).Buckets.map((b) => b.Name))),
    aws('lambda', 'list-functions').then((r) => ours((r as { Functions: { FunctionName: string }[] }).Functions.map((f) => f.FunctionName))),
    aws('ssm', 'list-documents', '--filters', 'Key=Owner,Values=Self').then((r) =>
      ours((r as { DocumentIdentifiers: { Name: string }[] }).DocumentIdentifiers.map((d) => d.Name)),
    ),
    aws('ssm', 'describe-parameters').then((r) => ours((r as { Parameters: { Name: string }[] }).Parameters.map((p) => p.Name))),
    aws('ec2', 'describe-instances').then((r) =>
      (r as { Reservations: { Instances: { InstanceId: string; State: { Name: string } }[] }[] }).Reservations.flatMap((res) => res.Instances)
        .filter((i) => i.State.Name !== 'terminated')
        .map((i) => i.InstanceId),
    ),
    aws('rds', 'describe-db-clusters').then((r) => (r as { DBClusters: { DBClusterIdentifier: string }[] }).DBClusters.map((c) => c.DBClusterIdentifier)),
    aws('secretsmanager', 'list-secrets').then((r) => (r as { SecretList: { Name: string }[] }).SecretList.map((s) => s.Name)),
    aws('sqs', 'list-queues').then((r) => (r as { QueueUrls?: string[] } | null)?.QueueUrls ?? []),
    aws('sns', 'list-topics').then((r) => (r as { Topics: { TopicArn: string }[] }).Topics.map((t) => t.TopicArn)),
    aws('events', 'list-rules').then((r) => ours((r as { Rules: { Name: string }[] }).Rules.map((rule) => rule.Name))),
    aws('logs', 'describe-log-groups').then((r) => ours((r as { logGroups: { logGroupName: string }[] }).logGroups.map((g) => g.logGroupName))),
    aws('iam', 'list-roles').then((r) => ours((r as { Roles: { RoleName: string }[] }).Roles.map((role) => role.RoleName))),
    aws('ec2', 'describe-vpcs', '--filters', `Name=tag:Name,Values=${namePrefix}`).then((r) => (r as { Vpcs: { VpcId: string }[] }).Vpcs.map((v) => v.VpcId)),
  ]);
  return { buckets, functions, documents, parameters, instances, clusters, secrets, queues, topics, rules, logGroups, roles, vpcs };
}

/** "nothing left" or e.g. "left: buckets (2), secrets (1)". */
export function describeLeftovers(left: Leftovers): string {
  const kinds = Object.entries(left).filter(([, names]) => (names as string[]).length > 0);
  return kinds.length === 0 ? 'nothing left' : `left: ${kinds.map(([kind, names]) => `${kind} (${(names as string[]).join(', ')})`).join('; ')}`;
}
