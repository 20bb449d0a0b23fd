// The linter's public vocabulary, kept apart from index.ts so the rule modules can share it
// without importing the module that imports them.

export type Engine = 'postgresql' | 'mysql';

/** One file of a migrations folder; `name` is its basename, e.g. `V1__init.sql`. */
export interface LintFile {
  name: string;
  content: Buffer;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The file the finding is about; '' for findings about the set of files. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  severity: Severity;
  /** Short kebab-case id, e.g. `syntax`, `duplicate-version`, `bom`, `drop`. */
  rule: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do instead, in one sentence. */
  fix: string;
}

export interface LintOptions {
  engine: Engine;
  /** Warnings become errors (keeping their rule id), for pipelines that must not let them through. */
  strict?: boolean;
  /** Style rules (bigint, text, timestamptz, ...) too; off by default: they are not lock hazards. */
  style?: boolean;
  /** The PostgreSQL major version the migrations run on (squawk's rules depend on it); default 16. */
  postgresVersion?: string;
  /** Files already in the bucket (applied): checked for names and syntax, not for lock hazards. */
  applied?: readonly string[];
  /** Runs squawk on PostgreSQL files (tests pass their own); default: the squawk-cli binary. */
  squawk?: SquawkRunner;
}

/** A file as squawk is given it: the SQL with placeholders replaced by stand-ins that keep its lines. */
export interface SquawkInput {
  name: string;
  text: string;
}

/** One violation squawk reported, with a 1-based line. */
export interface SquawkViolation {
  file: string;
  line: number;
  rule: string;
  message: string;
  help?: string;
}

export type SquawkRunner = (files: readonly SquawkInput[], options: { postgresVersion: string; exclude: readonly string[] }) => Promise<SquawkViolation[]>;

/** What lint found: the findings to act on, the ones a comment silenced, and notes on what was not checked. */
export interface LintResult {
  findings: Finding[];
  silenced: Finding[];
  notes: string[];
}
