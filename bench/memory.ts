// Peak resident memory of a set of process groups (the host's scripts and everything they start),
// sampled from /proc while a measurement runs. Sampling can miss a peak that lasts less than the
// interval; JVMs and Node.js processes hold their memory for their whole run, which is what counts.

import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface ProcessMemory {
  pgrp: number;
  rssBytes: number;
}

/** Process group and resident bytes from /proc/<pid>/stat (pure: the text and the page size in). */
export function parseProcStat(stat: string, pageBytes: number): ProcessMemory | undefined {
  // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): pgrp is field 5, rss (in pages) field 24.
  const pgrp = Number(rest[2]);
  const rssPages = Number(rest[21]);
  if (!Number.isInteger(pgrp) || !Number.isFinite(rssPages)) return undefined;
  return { pgrp, rssBytes: rssPages * pageBytes };
}

/** Resident bytes of every process in one of the groups, summed (pure). */
export function residentBytesOf(processes: readonly ProcessMemory[], groups: ReadonlySet<number>): number {
  return processes.filter((process) => groups.has(process.pgrp)).reduce((sum, process) => sum + process.rssBytes, 0);
}

function readProcesses(pageBytes: number): ProcessMemory[] {
  const found: ProcessMemory[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'), pageBytes);
      if (parsed !== undefined) found.push(parsed);
    } catch {
      // the process ended between listing and reading
    }
  }
  return found;
}

/** Samples every `intervalMs` until stop(), which returns the highest sum seen. */
export function samplePeakMemory(groups: () => ReadonlySet<number>, intervalMs = 100): { stop(): number } {
  const pageBytes = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  let peak = 0;
  const sample = () => {
    const current = groups();
    if (current.size > 0) peak = Math.max(peak, residentBytesOf(readProcesses(pageBytes), current));
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
