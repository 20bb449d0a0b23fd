// The linter against a corpus of named hazards and safe patterns (bench/lint-corpus/<engine>/,
// written from the public rule lists of squawk, strong_migrations and Atlas): how many hazards it
// flags (recall) and how many safe patterns it flags (false positives), next to squawk run in the
// same bench with the same rule set (its safety rules; style and timeout rules off, as lint runs
// it). Each folder's V1 creates the tables the others change, so every hazard is on an existing
// table; V1 itself is not counted. A file counts as flagged when it has at least one hazard or
// style finding (file-level findings such as names are not what is measured).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintFiles, type Engine, type LintFile } from '../client/src/lint';
import { ruleById, squawkExclusions } from '../client/src/lint/rules';
import { runSquawk } from '../client/src/lint/squawk';
import { PROJECT_ROOT } from '../test/support/terraform';
import type { Measurement } from './result';
import { summarize } from './stats';

const CORPUS = join(PROJECT_ROOT, 'bench', 'lint-corpus');
const SETUP = 'V1__tables.sql';
/** What squawk 2.66 is known to lack (issue 23), which our own rules must add. */
const SQUAWK_GAPS = 6;

interface Scores {
  flagged: string[];
  missed: string[];
}

export interface LintScores {
  engine: Engine;
  hazards: number;
  safe: number;
  ours: { hazards: Scores; safe: Scores };
  squawk?: { hazards: Scores; safe: Scores };
}

function folder(engine: Engine, kind: 'hazards' | 'safe'): LintFile[] {
  const dir = join(CORPUS, engine, kind);
  return readdirSync(dir).filter((name) => name.endsWith('.sql')).sort().map((name) => ({ name, content: readFileSync(join(dir, name)) }));
}

function scores(files: readonly LintFile[], flaggedNames: ReadonlySet<string>): Scores {
  const counted = files.map((file) => file.name).filter((name) => name !== SETUP);
  return { flagged: counted.filter((name) => flaggedNames.has(name)), missed: counted.filter((name) => !flaggedNames.has(name)) };
}

async function ours(files: readonly LintFile[], engine: Engine): Promise<Set<string>> {
  const { findings } = await lintFiles(files, { engine, postgresVersion: '16' });
  return new Set(findings.filter((finding) => ['hazard', 'style'].includes(ruleById(finding.rule)?.kind ?? '')).map((finding) => finding.file));
}

async function squawk(files: readonly LintFile[]): Promise<Set<string>> {
  const violations = await runSquawk(files.map((file) => ({ name: file.name, text: file.content.toString('utf8') })), { postgresVersion: '16', exclude: squawkExclusions(false) });
  return new Set(violations.filter((violation) => violation.rule !== 'syntax-error').map((violation) => violation.file));
}

export async function scoreLint(engine: Engine): Promise<LintScores> {
  const hazards = folder(engine, 'hazards');
  const safe = folder(engine, 'safe');
  const result: LintScores = {
    engine,
    hazards: hazards.length - 1,
    safe: safe.length - 1,
    ours: { hazards: scores(hazards, await ours(hazards, engine)), safe: scores(safe, await ours(safe, engine)) },
  };
  if (engine === 'postgresql') result.squawk = { hazards: scores(hazards, await squawk(hazards)), safe: scores(safe, await squawk(safe)) };
  return result;
}

export async function measureLint(): Promise<Measurement> {
  const pg = await scoreLint('postgresql');
  const my = await scoreLint('mysql');
  const count = (value: number) => summarize([value]);
  const squawkPg = pg.squawk as NonNullable<LintScores['squawk']>;
  const figures = [
    { name: `PostgreSQL hazards flagged (of ${pg.hazards}), aurora-flyway lint`, unit: 'count', sample: count(pg.ours.hazards.flagged.length) },
    { name: `PostgreSQL hazards flagged (of ${pg.hazards}), squawk`, unit: 'count', sample: count(squawkPg.hazards.flagged.length) },
    { name: `PostgreSQL safe patterns flagged (of ${pg.safe}), aurora-flyway lint`, unit: 'count', sample: count(pg.ours.safe.flagged.length) },
    { name: `PostgreSQL safe patterns flagged (of ${pg.safe}), squawk`, unit: 'count', sample: count(squawkPg.safe.flagged.length) },
    { name: `MySQL hazards flagged (of ${my.hazards}), aurora-flyway lint`, unit: 'count', sample: count(my.ours.hazards.flagged.length) },
    { name: `MySQL safe patterns flagged (of ${my.safe}), aurora-flyway lint`, unit: 'count', sample: count(my.ours.safe.flagged.length) },
  ];
  const listed = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));
  const wanted = Math.min(pg.hazards, squawkPg.hazards.flagged.length + SQUAWK_GAPS);
  return {
    id: 'lint',
    title: 'Linter: hazards found and safe patterns left alone, ours next to squawk',
    figures,
    goals: [
      { what: 'PostgreSQL recall', goal: `>= squawk's + ${SQUAWK_GAPS} (${wanted} of ${pg.hazards})`, measured: `${pg.ours.hazards.flagged.length} of ${pg.hazards}`, met: pg.ours.hazards.flagged.length >= wanted, note: `Missed: ${listed(pg.ours.hazards.missed)}.` },
      { what: 'PostgreSQL false positives on safe patterns', goal: '0', measured: String(pg.ours.safe.flagged.length), met: pg.ours.safe.flagged.length === 0, note: `Flagged: ${listed(pg.ours.safe.flagged)}.` },
      { what: 'MySQL recall', goal: `all ${my.hazards}`, measured: `${my.ours.hazards.flagged.length} of ${my.hazards}`, met: my.ours.hazards.missed.length === 0, note: `Missed: ${listed(my.ours.hazards.missed)}.` },
      { what: 'MySQL false positives on safe patterns', goal: '0', measured: String(my.ours.safe.flagged.length), met: my.ours.safe.flagged.length === 0, note: `Flagged: ${listed(my.ours.safe.flagged)}.` },
    ],
    notes: [
      `Corpus: bench/lint-corpus (one hazard or safe pattern per file, on tables its V1 creates; each file's first line names its source). squawk ${squawkVersion()} runs with its safety rules: style rules and the timeout rules off, as aurora-flyway lint runs it. squawk knows PostgreSQL only.`,
      `PostgreSQL hazards squawk misses: ${listed(squawkPg.hazards.missed)}. Safe patterns squawk flags: ${listed(squawkPg.safe.flagged)}.`,
      `PostgreSQL hazards aurora-flyway lint misses: ${listed(pg.ours.hazards.missed)}. MySQL hazards it misses: ${listed(my.ours.hazards.missed)}.`,
    ],
  };
}

function squawkVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'squawk-cli', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '(version unknown)';
  }
}
