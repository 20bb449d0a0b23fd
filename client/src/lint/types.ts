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
}
