// What a bench run produces: per measurement, its figures and the goals they are held against.

import type { Sample } from './stats';

export interface Figure {
  name: string;
  unit: string;
  sample: Sample;
}

export interface Goal {
  /** What is compared, e.g. "zipped trigger package". */
  what: string;
  /** The goal as written in the issue, e.g. "<= 300 KB". */
  goal: string;
  /** The measured value in the goal's terms, e.g. "536 KB". */
  measured: string;
  met: boolean;
  /** For a goal not met: why, and the next step. */
  note?: string;
}

export interface Measurement {
  id: string;
  title: string;
  figures: Figure[];
  goals: Goal[];
  notes: string[];
}

export interface BenchResult {
  mode: 'quick' | 'full' | 'smoke';
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  measurements: Measurement[];
}
