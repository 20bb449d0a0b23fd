// The module's own key (create_kms_key) outlives `terraform destroy` by default: a CloudFormation
// stack whose DeletionPolicy is Retain holds it (main.tf, aws_cloudformation_stack.kms_key), so the
// cluster's final snapshot, encrypted with it, stays restorable. Applied on the emulator (only the
// cluster, the key and its alias: kms-key-stack.ts), then destroyed.

import { useKeyStacks } from './kms-key-stack';

const keyStacks = useKeyStacks();

async function finalSnapshots(clusterId: string): Promise<{ DBClusterSnapshotIdentifier: string; KmsKeyId: string; Status: string }[]> {
  const { DBClusterSnapshots } = (await keyStacks().aws.cli('rds', 'describe-db-cluster-snapshots', '--db-cluster-identifier', clusterId)) as { DBClusterSnapshots: { DBClusterSnapshotIdentifier: string; KmsKeyId: string; Status: string }[] };
  return DBClusterSnapshots.filter((snapshot) => snapshot.DBClusterSnapshotIdentifier.startsWith(`${clusterId}-final-`));
}

describe("the module's own key (create_kms_key)", () => {
  it('outlives terraform destroy by default: the key stays enabled and the final snapshot under it stays restorable', async () => {
    const { stack, keyArn, clusterId } = await keyStacks().applied({ name_prefix: 'keepkey', skip_final_snapshot: 'false' });
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
