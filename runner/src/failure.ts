// Exit codes and the one error type the runner raises on purpose: it says what happened and what
// to do, and whether the host itself (not the database's files or settings) is at fault, in which
// case the database's outcome record is left as it was.

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  auth: 4,
  unreachable: 5,
  lockTimeout: 6,
  migration: 7,
  host: 8,
  stopped: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class RunnerFailure extends Error {
  override readonly name = 'RunnerFailure';

  constructor(
    readonly code: ExitCode,
    readonly what: string,
    readonly todo: string,
    readonly extra: { flywayExitCode?: number | null; hostFault?: boolean; flywayError?: string[] } = {},
  ) {
    super(`${what} -- ${todo}`);
  }

  get hostFault(): boolean {
    return this.extra.hostFault === true || this.code === EXIT.host;
  }
}

/** First line of a possibly multi-line message, trimmed. */
export function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').replace(/\r$/, '').trim();
}

/** Any error as a RunnerFailure: one the runner did not expect is a fault of the host (nothing is recorded). */
export function asFailure(error: unknown): RunnerFailure {
  if (error instanceof RunnerFailure) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new RunnerFailure(EXIT.unexpected, `unexpected error in flyway-runner: ${firstLine(message)}`, 'see the lines above; please report it', { hostFault: true });
}
