// Upgrading from 0.2, whose cluster module was not counted (the cluster moves, untouched), and
// from 0.1 with create_kms_key = true, where the key was aws_kms_key.this (deleted by destroy).
// The 0.1 state is made the way 0.1 made it: the same aws_kms_key arguments, moved to
// 0.1's address (terraform state mv). The plan stops instead of replacing the cluster, and each
// way out the README gives ("Upgrading from 0.1: the module's key") plans no change to the key or
// the cluster; the second keeps 0.1's behaviour, so destroy schedules the key's deletion.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terraform } from '../support/terraform';
import { CLUSTER, useKeyStacks, plannedChanges, TARGETS } from './kms-key-stack';

const keyStacks = useKeyStacks();

describe("upgrading from 0.1 with the module's own key", () => {
  it('an 0.2 deployment plans no change to its cluster; an 0.1 deployment stops at plan with the README\'s pointer, and both of its ways out plan no change to the key or the cluster', async () => {
    const { stack, keyArn } = await keyStacks().applied({ name_prefix: 'oldkey', retain_kms_key_on_destroy: 'false' });
    const state = join(stack.dir, 'terraform.tfstate');

    // Up to 0.2 the cluster module was called once (module.aurora); it is counted now
    // (create_cluster), and the moved block takes the cluster to module.aurora[0] untouched.
    copyFileSync(state, join(stack.dir, 'counted.tfstate'));
    await stack.terraform('state', 'mv', 'module.pipeline.module.aurora[0]', 'module.pipeline.module.aurora');
    expect(await plannedChanges(stack, stack.env, [CLUSTER], keyArn, [...TARGETS, '-target=module.pipeline.module.aurora'])).toEqual([
      `${CLUSTER} no-op (from module.pipeline.module.aurora.aws_rds_cluster.this)`,
    ]);
    copyFileSync(join(stack.dir, 'counted.tfstate'), state);

    await stack.terraform('state', 'mv', 'module.pipeline.aws_kms_key.deleted_on_destroy[0]', 'module.pipeline.aws_kms_key.this[0]');
    copyFileSync(state, join(stack.dir, 'v0.1.tfstate'));
    const upgraded = { ...stack.env, TF_VAR_retain_kms_key_on_destroy: 'true' };

    // The upgrade as it comes: stopped at plan, nothing changed. (Targeted at the 0.1 key as well,
    // which a whole plan includes by itself: the same refusal, for a fraction of the plan's CPU.)
    const refused = await terraform(stack.dir, ['plan', '-input=false', '-no-color', ...TARGETS, '-target=module.pipeline.aws_kms_key.this'], upgraded).then(
      () => 'planned',
      (error: unknown) => String(error),
    );
    // Terraform's error, with the line of main.tf it shows: the resource line, whose comment points to the README.
    expect(refused).toMatch(/Error: Instance cannot be destroyed/);
    expect(refused).toMatch(/Resource module\.pipeline\.aws_kms_key\.this\[0\] has lifecycle\.prevent_destroy/);
    expect(refused).toMatch(/resource \\?"aws_kms_key\\?" \\?"this\\?" \{ # Upgrading from 0\.1 with create_kms_key = true\? Read the README, \\?"Upgrading from 0\.1: the module's key\\?"/);

    // Keep the key past destroy: it becomes the user's (state rm), the module uses it as kms_key_arn.
    await terraform(stack.dir, ['state', 'rm', 'module.pipeline.aws_kms_key.this[0]'], stack.env);
    const yours = { ...stack.env, TF_VAR_create_kms_key: 'false', TF_VAR_kms_key_arn: keyArn };
    expect(await plannedChanges(stack, yours, [CLUSTER, 'module.pipeline.aws_kms_key'], keyArn)).toEqual([`${CLUSTER} no-op`]);

    // Keep 0.1's behaviour: the moved block and retain_kms_key_on_destroy = false.
    copyFileSync(join(stack.dir, 'v0.1.tfstate'), state);
    const main = join(stack.dir, 'main.tf');
    writeFileSync(main, `${readFileSync(main, 'utf8')}\nmoved {\n  from = module.pipeline.aws_kms_key.this[0]\n  to   = module.pipeline.aws_kms_key.deleted_on_destroy[0]\n}\n`);
    // (A targeted plan must name both ends of a move; a whole plan, as users run it, needs nothing.)
    const withMove = [...TARGETS, '-target=module.pipeline.aws_kms_key.this', '-target=module.pipeline.aws_kms_key.deleted_on_destroy'];
    expect(await plannedChanges(stack, stack.env, [CLUSTER, 'module.pipeline.aws_kms_key'], keyArn, withMove)).toEqual([
      'module.pipeline.aws_kms_key.deleted_on_destroy[0] no-op (from module.pipeline.aws_kms_key.this[0])',
      `${CLUSTER} no-op`,
    ]);

    // Which, as in 0.1, lets destroy schedule the key's deletion.
    await stack.terraform('destroy', '-input=false', '-no-color', '-auto-approve');
    expect(await keyStacks().keyState(keyArn)).toBe('PendingDeletion');
  });
});
