// Runs the uploader's client, aurora-flyway (the committed bin), as an uploader would against
// the local stack: its own credentials, the emulator's endpoint through the harness, so that its
// uploads notify the trigger and its commands run on the host. Waits for what its calls started.

import { join } from 'node:path';
import { run, type RunResult } from '../support/run';
import { toolEnv } from '../support/toolchain';
import { PROJECT_ROOT } from '../support/terraform';
import type { Harness } from './harness';

export const CLIENT_BIN = join(PROJECT_ROOT, 'client', 'dist', 'aurora-flyway.js');

/** `pipeline`: its name_prefix, or the Terraform directory whose outputs name it. */
export async function runClient(harness: Harness, pipeline: string | { terraformDir: string }, args: readonly string[]): Promise<RunResult> {
  const env = harness.uploaderEnv();
  const which = typeof pipeline === 'string' ? ['--name-prefix', pipeline] : ['--terraform-dir', pipeline.terraformDir];
  const result = await run(process.execPath, [CLIENT_BIN, ...which, '--endpoint-url', env.AWS_ENDPOINT_URL, ...args], {
    env: {
      // The toolchain's terraform, for --terraform-dir.
      PATH: toolEnv().PATH ?? '',
      AWS_REGION: env.AWS_REGION,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      // The client's users run Node.js 20 or later; the SDK's notice about Node.js 22 is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeoutMs: 900_000,
  });
  await harness.settled();
  return result;
}
