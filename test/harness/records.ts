// The harness's records: one JSON file per command (the emulator's GetCommandInvocation answers
// with a canned status, so these files are where a command's real status and output live) and
// one per Lambda invocation. The demo, the e2e tests and people read them with the functions below.
//
//   <stateDir>/commands/<commandId>.json
//   <stateDir>/invocations/<time>-<n>.json

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerSummary } from '../../common/src/runner-output';

/** The statuses Run Command reports for an invocation that the harness can produce. */
export type CommandStatus = 'InProgress' | 'Success' | 'Failed' | 'TimedOut';

export interface CommandRecord {
  commandId: string;
  instanceId: string;
  documentName: string;
  comment?: string;
  /** As sent (SendCommand's Parameters). */
  requestedParameters: Record<string, string[]>;
  /** As run: validated, with the document's defaults. Empty when validation failed. */
  parameters: Record<string, string>;
  status: CommandStatus;
  /** The script's exit code; null while running, or when nothing ran. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The runner's JSON summary (its last line), when it printed one. */
  summary: RunnerSummary | null;
  /** How many `flyway migrate` runs the output announces. */
  migrateRuns: number;
  /** Why the command failed before its script ran (InvalidParameters, InvalidDocument, ...). */
  error?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface InvocationRecord {
  functionArn: string;
  at: string;
  event: unknown;
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
  /** The function's JSON log lines. */
  logs: Record<string, unknown>[];
  /** Ids of the commands the function sent (from its log lines). */
  commandIds: string[];
  durationMs: number;
}

const COMMANDS = 'commands';
const INVOCATIONS = 'invocations';
const UPLOADS = 'uploads';

/** An object S3 stored for someone (the harness's own uploads and the uploaders'), and how many functions its event goes to. */
export interface UploadRecord {
  bucket: string;
  key: string;
  versionId: string | null;
  eventName: string;
  at: string;
  /** The functions the bucket's notification sends its event to (0: S3 sends none). */
  notifies: number;
}

/** Writes one JSON record into `dir`, whole (see below). */
export function writeJson(dir: string, name: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  // Written whole, then renamed: a reader never sees half a record.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Every `.json` record in `dir`; none when the directory does not exist. */
export function readAll<T>(dir: string): T[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T);
}

export function writeCommandRecord(stateDir: string, record: CommandRecord): void {
  writeJson(join(stateDir, COMMANDS), `${record.commandId}.json`, record);
}

export function readCommandRecord(stateDir: string, commandId: string): CommandRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, COMMANDS, `${commandId}.json`), 'utf8')) as CommandRecord;
  } catch {
    return undefined;
  }
}

/** Every command the harness ran, oldest first. */
export function listCommandRecords(stateDir: string): CommandRecord[] {
  return readAll<CommandRecord>(join(stateDir, COMMANDS)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

let invocationCount = 0;

export function writeInvocationRecord(stateDir: string, record: InvocationRecord): void {
  invocationCount += 1;
  writeJson(join(stateDir, INVOCATIONS), `${record.at.replace(/[:.]/g, '')}-${process.pid}-${invocationCount}.json`, record);
}

/** Every Lambda invocation the harness made, oldest first. */
export function listInvocationRecords(stateDir: string): InvocationRecord[] {
  return readAll<InvocationRecord>(join(stateDir, INVOCATIONS)).sort((a, b) => a.at.localeCompare(b.at));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the command has finished (any status but InProgress) and returns its record. */
export async function waitForCommandRecord(stateDir: string, commandId: string, timeoutMs = 600_000): Promise<CommandRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = readCommandRecord(stateDir, commandId);
    if (record !== undefined && record.status !== 'InProgress') return record;
    if (Date.now() > deadline) {
      throw new Error(`command ${commandId} has ${record === undefined ? 'no record' : 'not finished'} after ${timeoutMs} ms (records: ${join(stateDir, COMMANDS)})`);
    }
    await sleep(250);
  }
}

let uploadCount = 0;

/** Every stored object, so that the reliability report can trace each event S3 sends from its start. */
export function writeUploadRecord(stateDir: string, record: UploadRecord): void {
  uploadCount += 1;
  writeJson(join(stateDir, UPLOADS), `${record.at.replace(/[:.]/g, '')}-${process.pid}-${uploadCount}.json`, record);
}

export function listUploadRecords(stateDir: string): UploadRecord[] {
  return readAll<UploadRecord>(join(stateDir, UPLOADS)).sort((a, b) => a.at.localeCompare(b.at));
}
