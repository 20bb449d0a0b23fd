// The demo's `terraform destroy` on the emulator, the same for `npm run demo` and `scripts/demo
// down`: first what the emulator cannot do inside one destroy (test/harness/emulator-quirks.ts:
// objects deleted from a versioned bucket, then DESTROY_FIRST), then the rest.

import { awsClients, type AwsEnv } from '../aws';
import { DESTROY_FIRST, removeDeletedObjectsForEmulator } from '../emulator-quirks';
import type { Out } from './show';
import { runTerraform, type TerraformRun } from './terraform-run';

export interface DestroyTarget {
  stackDir: string;
  /** The emulator's settings and the TF_VAR_ variables the stack was applied with. */
  terraformEnv: Record<string, string>;
  awsEnv: AwsEnv;
  /** The module's buckets (each database's, the artifacts bucket when known). */
  buckets: readonly string[];
  logFile: string;
}

/** Deletes the keys moto cannot delete once versioning is suspended; says what it removed. */
async function removeDeletedObjects(target: DestroyTarget, out: Out): Promise<void> {
  const aws = awsClients(target.awsEnv);
  try {
    const removed = await removeDeletedObjectsForEmulator(aws, target.buckets);
    if (removed.length === 0) return;
    out('  emulator quirk: moto answers HTTP 500 to deleting any version of a deleted object once terraform destroy has suspended');
    out(`  versioning; deleted by version id first: ${removed.join(', ')} (AWS needs no such step; see test/harness/emulator-quirks.ts)`);
  } finally {
    aws.destroy();
  }
}

export async function destroyOnEmulator(target: DestroyTarget, out: Out): Promise<TerraformRun> {
  await removeDeletedObjects(target, out);
  const destroy = (...targets: string[]) =>
    runTerraform(target.stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color', ...targets], target.terraformEnv, target.logFile, out, 'destroyed');
  const first = await destroy(...DESTROY_FIRST);
  const rest = await destroy();
  return { done: first.done + rest.done, seconds: first.seconds + rest.seconds };
}
