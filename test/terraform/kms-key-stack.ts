// Shared by the tests of the module's own key (cluster-lifecycle, kms-key-upgrade): the local
// stack with only what the key and the cluster need applied (-target): the cluster, the key and
// its alias, on the emulator with the real Terraform and provider.

import { awsClients, type AwsClients } from '../harness/aws';
import { keyPoliciesAsTextForEmulator } from '../harness/emulator-quirks';
import { keysInState } from '../harness/state-keys';
import { prepareLocalStack, type LocalStack } from '../support/local-stack';
import { startMoto, type MotoServer } from '../support/moto';
import { allResources, terraform, type ShownModule } from '../support/terraform';

export const TARGETS = ['-target=module.pipeline.module.aurora[0].aws_rds_cluster.this', '-target=module.pipeline.aws_kms_alias.this'];
export const CLUSTER = 'module.pipeline.module.aurora[0].aws_rds_cluster.this';

interface PlanChanges {
  resource_changes?: { address: string; previous_address?: string; change: { actions: string[]; before?: Record<string, unknown>; after?: Record<string, unknown> } }[];
}

/** One emulator for a test file, and the stacks applied on it (removed by stop()). */
export class KeyStacks {
  private readonly stacks: LocalStack[] = [];

  private constructor(
    readonly moto: MotoServer,
    readonly aws: AwsClients,
  ) {}

  static async start(): Promise<KeyStacks> {
    const moto = await startMoto();
    return new KeyStacks(moto, awsClients(moto.awsEnv));
  }

  async stop(): Promise<void> {
    this.aws.destroy();
    for (const stack of this.stacks) stack.remove();
    await this.moto.stop();
  }

  /** The stack applied with create_kms_key and these variables: the key's ARN and the cluster's identifier. */
  async applied(variables: Record<string, string>): Promise<{ stack: LocalStack; keyArn: string; clusterId: string }> {
    const stack = prepareLocalStack(this.moto.awsEnv, { create_kms_key: 'true', ...variables });
    this.stacks.push(stack);
    await stack.terraform('init', '-input=false', '-no-color');
    await stack.terraform('apply', '-input=false', '-no-color', '-auto-approve', ...TARGETS);
    const state = JSON.parse((await stack.terraform('show', '-json')).stdout) as { values: { root_module: ShownModule } };
    const resources = allResources(state.values.root_module);
    const [key] = keysInState(resources);
    const cluster = resources.find((resource) => resource.address === CLUSTER);
    if (key?.arn === undefined || cluster === undefined) throw new Error('the targeted apply made no key or no cluster');
    if (cluster.values.kms_key_id !== key.arn) throw new Error(`the cluster is encrypted with ${String(cluster.values.kms_key_id)}, not the module's key ${key.arn}`);
    await keyPoliciesAsTextForEmulator(this.aws, [key]);
    return { stack, keyArn: key.arn, clusterId: String(cluster.values.cluster_identifier) };
  }

  async keyState(arn: string): Promise<string> {
    return ((await this.aws.cli('kms', 'describe-key', '--key-id', arn)) as { KeyMetadata: { KeyState: string } }).KeyMetadata.KeyState;
  }
}

/**
 * Each planned change of these addresses: "<address> <actions>[ (from <previous address>)]", where
 * an in-place update of the cluster that touches no key attribute reads "no-op": the emulator
 * answers an empty ScalingConfiguration (Serverless v1's) for a Serverless v2 cluster, which the
 * provider plans to fill in on every plan; AWS has none for v2.
 */
export async function plannedChanges(stack: LocalStack, env: Record<string, string>, addresses: readonly string[], keyArn: string, targets: readonly string[] = TARGETS): Promise<string[]> {
  await terraform(stack.dir, ['plan', '-input=false', '-no-color', '-out=upgrade.tfplan', ...targets], env);
  const plan = JSON.parse((await terraform(stack.dir, ['show', '-json', 'upgrade.tfplan'], env)).stdout) as PlanChanges;
  return (plan.resource_changes ?? [])
    .filter((change) => addresses.some((address) => change.address.startsWith(address)))
    .map((change) => {
      const { before = {}, after = {} } = change.change;
      const changed = Object.keys(after).filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
      const emulatorOnly = change.address === CLUSTER && change.change.actions.join() === 'update' && changed.join() === 'scaling_configuration' && after.kms_key_id === keyArn;
      const actions = emulatorOnly ? 'no-op' : change.change.actions.join('+');
      return `${change.address} ${actions}${change.previous_address === undefined ? '' : ` (from ${change.previous_address})`}`;
    })
    .sort();
}

/** One KeyStacks for the calling test file: started before its tests, stopped after them. */
export function useKeyStacks(): () => KeyStacks {
  jest.setTimeout(900_000);
  let keys: KeyStacks | undefined;
  beforeAll(async () => {
    keys = await KeyStacks.start();
  });
  afterAll(async () => {
    await keys?.stop();
  });
  return () => {
    if (keys === undefined) throw new Error('the emulator did not start');
    return keys;
  };
}
