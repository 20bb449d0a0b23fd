// Where the client's words go. Results go to stdout: text, or one JSON document with --json.
// Progress and warnings go to stderr. On a terminal a progress line is rewritten in place
// with the elapsed time. Elsewhere (CI logs) each new progress line is printed once.

export interface Reporter {
  /** What is happening now (replaced by the next progress line on a terminal). */
  progress(line: string): void;
  /** A line of the result, kept (stdout; not in --json mode). */
  line(text: string): void;
  /** A warning or hint, kept (stderr). */
  note(text: string): void;
  /** The command's machine-readable result (stdout in --json mode only). */
  result(value: unknown): void;
  /** Ends the progress line. */
  done(): void;
}

export interface ReporterOptions {
  json: boolean;
  tty: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now?: () => number;
}

export function createReporter({ json, tty, stdout, stderr, now = Date.now }: ReporterOptions): Reporter {
  const started = now();
  let last = '';
  let open = false;
  const close = () => {
    if (open) stderr('\n');
    open = false;
  };
  return {
    progress(line) {
      if (tty) {
        stderr(`\r\u001b[K${line} (${Math.round((now() - started) / 1000)} s)`);
        open = true;
      } else if (line !== last) {
        stderr(`${line}\n`);
      }
      last = line;
    },
    line(text) {
      close();
      if (!json) stdout(`${text}\n`);
    },
    note(text) {
      close();
      stderr(`${text}\n`);
    },
    result(value) {
      close();
      if (json) stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
    done: close,
  };
}

/** Rows as a plain text table with a header, columns padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
}
