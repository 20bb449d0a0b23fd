// The cluster and the module's own key (create_kms_key) through their life on AWS, on the
// emulator (only the cluster, the key and its alias applied: kms-key-stack.ts):
// - AWS upgrades a minor version by itself (end of standard support): the next plan stops,
//   naming the version to set, instead of planning a downgrade that RDS refuses at apply.
// - `terraform destroy` leaves the module's key enabled (a CloudFormation stack whose
//   DeletionPolicy is Retain holds it: main.tf, aws_cloudformation_stack.kms_key), so the final
//   snapshot, encrypted with it, stays restorable.

import type { LocalStack } from '../support/local-stack';
import { TARGETS, useKeyStacks } from './kms-key-stack';

const keyStacks = useKeyStacks();
let applied: { stack: LocalStack; keyArn: string; clusterId: string };

beforeAll(async () => {
  applied = await keyStacks().applied({ name_prefix: 'keepkey', skip_final_snapshot: 'false' });
});

async function finalSnapshots(clusterId: string): Promise<{ DBClusterSnapshotIdentifier: string; KmsKeyId: string; Status: string }[]> {
  const { DBClusterSnapshots } = (await keyStacks().aws.cli('rds', 'describe-db-cluster-snapshots', '--db-cluster-identifier', clusterId)) as { DBClusterSnapshots: { DBClusterSnapshotIdentifier: string; KmsKeyId: string; Status: string }[] };
  return DBClusterSnapshots.filter((snapshot) => snapshot.DBClusterSnapshotIdentifier.startsWith(`${clusterId}-final-`));
}

const setEngineVersion = (version: string) =>
  keyStacks().aws.cli('rds', 'modify-db-cluster', '--db-cluster-identifier', applied.clusterId, '--engine-version', version, '--allow-major-version-upgrade', '--apply-immediately');

describe('the cluster and its key, on AWS', () => {
  it('a minor upgrade AWS made stops the next plan, naming the version to set (RDS cannot downgrade)', async () => {
    await setEngineVersion('16.8');
    const refused = await applied.stack.terraform('plan', '-input=false', '-no-color', ...TARGETS).then(
      () => 'planned',
      // Terraform wraps the message at 80 columns.
      (error: unknown) => String(error).replace(/\s+/g, ' '),
    );
    expect(refused).toContain('The cluster keepkey-aurora runs 16.8, newer than engine_version 16.6');
    expect(refused).toMatch(/Set engine_version = \\?"16\.8\\?"\./);
    // A version at or above the running one plans (here: back to the same, as before).
    await setEngineVersion('16.6');
    await applied.stack.terraform('plan', '-input=false', '-no-color', ...TARGETS);
  });

  it('destroy leaves the key enabled and the final snapshot restorable under it', async () => {
    const { stack, keyArn, clusterId } = applied;
    await stack.terraform('destroy', '-input=false', '-no-color', '-auto-approve');

    const snapshots = await finalSnapshots(clusterId);
    expect(snapshots.map((snapshot) => [snapshot.KmsKeyId, snapshot.Status])).toEqual([[keyArn, 'available']]);
    expect(await keyStacks().keyState(keyArn)).toBe('Enabled');
    // The stack and the alias are gone: the key alone is left, found by its description.
    const { StackSummaries = [] } = (await keyStacks().aws.cli('cloudformation', 'list-stacks')) as { StackSummaries?: { StackName: string; StackStatus: string }[] };
    expect(StackSummaries.filter((summary) => summary.StackName === 'keepkey-flyway-kms-key' && summary.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
    const { Aliases = [] } = (await keyStacks().aws.cli('kms', 'list-aliases')) as { Aliases?: { AliasName: string }[] };
    expect(Aliases.map((alias) => alias.AliasName)).not.toContain('alias/keepkey-flyway');
    const { KeyMetadata } = (await keyStacks().aws.cli('kms', 'describe-key', '--key-id', keyArn)) as { KeyMetadata: { Description: string } };
    expect(KeyMetadata.Description).toMatch(/^Flyway pipeline keepkey: /);
  });
});
