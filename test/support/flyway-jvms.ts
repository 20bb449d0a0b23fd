// The host's Flyway JVMs, counted from /proc while a test runs, independently of anything the
// runner says about itself: every process in the host commands' process groups whose command
// line runs Flyway's main class.

import { readdirSync, readFileSync } from 'node:fs';
import { hostProcessGroups } from '../harness/ssm-host';
import { parseProcStat } from '../../bench/memory';

function flywayJvmsNow(groups: ReadonlySet<number>): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const pgrp = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'), 1)?.pgrp;
      if (pgrp === undefined || !groups.has(pgrp)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg.includes('org.flywaydb.commandline.Main'))) found.push(Number(entry));
    } catch {
      // the process ended between listing and reading
    }
  }
  return found;
}

/** Samples every `intervalMs` until stop(): distinct Flyway JVMs seen, and the most alive at once. */
export function watchFlywayJvms(intervalMs = 50): { stop(): { started: number; mostAtOnce: number } } {
  const seen = new Set<number>();
  let mostAtOnce = 0;
  const sample = () => {
    const alive = flywayJvmsNow(hostProcessGroups());
    for (const pid of alive) seen.add(pid);
    mostAtOnce = Math.max(mostAtOnce, alive.length);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { started: seen.size, mostAtOnce };
    },
  };
}
