// `scripts/demo upload | status | down`: work on the stack a `--keep` run left up.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { withCloudWatchProxy } from '../../support/cloudwatch-cbor';
import { toolchain } from '../../support/toolchain';
import { describeLeftovers, inventoryLeftovers } from '../../support/leftovers';
import { Harness } from '../harness';
import { appliedIamOfStack } from '../iam-check';
import { destroyOnEmulator } from './destroy';
import { formatDuration } from './report';
import { showAndJudge, type Out } from './show';
import { isRunning, readKeptStack, removeKeptStack, statePath, stopKept, type KeptStack } from './state';
import { keepInstructions } from './up';

function keptOrExplain(out: Out): KeptStack | undefined {
  const state = readKeptStack();
  if (state === undefined) out(`No kept demo stack (${statePath()} does not exist). Start one with: scripts/demo --keep`);
  return state;
}

function runningOrExplain(state: KeptStack, out: Out): boolean {
  const stopped = [
    ...(isRunning(state.moto) ? [] : [`moto (pid ${state.moto.pid})`]),
    ...(isRunning(state.database) ? [] : [`the database server (pid ${state.database.pid})`]),
  ];
  if (stopped.length > 0) out(`The kept stack is not running any more: ${stopped.join(' and ')} stopped. Clean up with: scripts/demo down`);
  return stopped.length === 0;
}

export async function upload(database: string, files: readonly string[], out: Out): Promise<number> {
  const started = Date.now();
  const state = keptOrExplain(out);
  if (state === undefined || !runningOrExplain(state, out)) return 1;
  const bucket = state.outputs.buckets[database];
  if (bucket === undefined) {
    out(`No database ${database} in the kept stack; its databases: ${Object.keys(state.outputs.buckets).join(', ')}`);
    return 2;
  }
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    out(`No such file: ${missing.join(', ')}`);
    return 2;
  }
  const cloudWatch = await withCloudWatchProxy(state.awsEnv, join(toolchain().cache, 'venv-moto'));
  const harness = await Harness.create({
    awsEnv: cloudWatch.env,
    stateDir: state.harnessDir,
    instanceId: state.outputs.instance_id,
    dbEndpoint: `${state.database.host}:${state.database.port}`,
    dbCaFile: state.database.caFile,
    appliedIam: () => appliedIamOfStack(state.stackDir, state.terraformEnv, state.awsEnv.AWS_REGION ?? ''),
  });
  try {
    out(`[demo upload] ${files.length} file(s) to s3://${bucket} (one S3 event per file)`);
    const burst = await harness.uploadBurst(bucket, files.map((file) => ({ key: basename(file), body: readFileSync(resolve(file)) })));
    const outcome = await showAndJudge(out, harness, state.outputs.document_name, database, burst);
    if (!outcome.ok) {
      out(`upload FAILED after ${formatDuration(Date.now() - started)}: ${outcome.problems.join('; ')}`);
      return 1;
    }
    out(`upload succeeded in ${formatDuration(Date.now() - started)}: ${database} at schema version ${outcome.schemaVersion ?? '?'}`);
    return 0;
  } finally {
    await harness.close();
    await cloudWatch.stop();
  }
}

export function status(out: Out): number {
  const state = keptOrExplain(out);
  if (state === undefined) return 1;
  const alive = (running: boolean) => (running ? 'running' : 'STOPPED');
  out(`kept demo stack, started ${state.startedAt}, engine ${state.engine}`);
  out(`  moto      ${state.moto.endpoint}  pid ${state.moto.pid} ${alive(isRunning(state.moto))}`);
  out(`  database  ${state.database.host}:${state.database.port}  pid ${state.database.pid} ${alive(isRunning(state.database))}`);
  out(`  buckets   ${Object.entries(state.outputs.buckets).map(([key, bucket]) => `${key}=s3://${bucket}`).join(', ')}`);
  out(`  terraform ${state.stackDir}`);
  out(`  records   ${state.harnessDir}/commands`);
  keepInstructions(state).slice(1).forEach(out);
  return 0;
}

export async function down(out: Out): Promise<number> {
  const started = Date.now();
  const state = readKeptStack();
  if (state === undefined) {
    out(`Nothing to tear down: no kept demo stack (${statePath()}).`);
    return 0;
  }
  let ok = true;
  if (isRunning(state.moto)) {
    out('[demo down] terraform destroy (about 2 minutes)');
    try {
      // A stack kept by an older demo has no artifacts bucket recorded: its database buckets are where migrations are deleted.
      const buckets = [...Object.values(state.outputs.buckets), ...(state.outputs.artifacts_bucket_name === undefined ? [] : [state.outputs.artifacts_bucket_name])];
      // The CloudWatch proxy the demo's first process started went with it (see test/support/cloudwatch-cbor.ts).
      const cloudWatch = await withCloudWatchProxy(state.terraformEnv, join(toolchain().cache, 'venv-moto'));
      const destroyed = await destroyOnEmulator({ stackDir: state.stackDir, terraformEnv: cloudWatch.env, awsEnv: state.awsEnv, buckets, logFile: state.logFile }, out).finally(() => cloudWatch.stop());
      const left = describeLeftovers(await inventoryLeftovers(state.awsEnv, state.namePrefix));
      out(`  ${destroyed.done} resources destroyed; emulator: ${left}`);
      ok = left === 'nothing left';
    } catch (error) {
      out(`  terraform destroy failed: ${(error as Error).message}`);
      ok = false;
    }
  } else {
    out('[demo down] the emulator is not running any more: nothing to destroy (its resources went with it)');
  }
  out('[demo down] stopping the emulator and the database server');
  await Promise.all([stopKept(state.database), stopKept(state.moto)]);
  rmSync(state.stackDir, { recursive: true, force: true });
  rmSync(state.harnessDir, { recursive: true, force: true });
  rmSync(state.logFile, { force: true });
  removeKeptStack();
  out(`down ${ok ? 'succeeded' : 'FINISHED WITH PROBLEMS (see above)'} in ${formatDuration(Date.now() - started)}: no demo process left running`);
  return ok ? 0 : 1;
}
