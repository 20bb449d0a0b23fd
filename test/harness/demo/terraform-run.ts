// Runs Terraform for the demo with its output in a log file and a progress line now and then
// ("31 of 63 resources created, 40s"), so a person waiting sees it move.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { toolEnv } from '../../support/toolchain';

export interface TerraformRun {
  seconds: number;
  /** Resources created or destroyed. */
  done: number;
}

const PLAN = /^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/;
const DONE = /: (Creation|Destruction|Modifications) complete after /;

/** Counts what a Terraform output line says about progress. Pure. */
export function progressOf(line: string): { planned?: number; completed?: boolean } {
  const plan = PLAN.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
  if (plan) return { planned: Number(plan[1]) + Number(plan[2]) + Number(plan[3]) };
  return DONE.test(line) ? { completed: true } : {};
}

export function runTerraform(
  dir: string,
  args: readonly string[],
  env: Record<string, string>,
  logFile: string,
  say: (line: string) => void,
  verb: 'created' | 'destroyed',
  everyMs = 15_000,
): Promise<TerraformRun> {
  const started = Date.now();
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n$ terraform ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', [...args], { cwd: dir, env: toolEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let planned: number | undefined;
    let done = 0;
    let partial = '';
    let tail: string[] = [];
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const progress = progressOf(line);
        if (progress.planned !== undefined) planned = progress.planned;
        if (progress.completed) done += 1;
        if (line.trim() !== '') tail = [...tail.slice(-19), line];
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      say(`  ... ${done}${planned === undefined ? '' : ` of ${planned}`} resources ${verb}, ${seconds}s`);
    }, everyMs);
    child.on('error', (error) => {
      clearInterval(timer);
      log.end();
      reject(new Error(`could not start terraform: ${error.message}`));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      log.end();
      const seconds = Math.round((Date.now() - started) / 1000);
      if (code === 0) resolve({ seconds, done });
      else reject(new Error(`terraform ${args[0]} failed (exit code ${code}); log: ${logFile}\n${tail.join('\n')}`));
    });
  });
}
