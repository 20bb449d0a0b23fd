// Flyway replaces `${name}` placeholders before the database sees the SQL, so the parsers must
// not see them either. Their values are unknown offline, so each is replaced by a stand-in: an
// identifier, which fits names and most expressions, or, where the parser rejects that
// identifier, a number, which fits sizes and literals. Stand-ins never contain a line break, so
// lines stay put; names and messages read from the SQL get their placeholders back.

const PLACEHOLDER = /\$\{[^}\r\n]*\}/g;
// Lowercase so PostgreSQL's folding of unquoted names leaves it as it is; the closing `_`
// keeps `${a}1` (…_0_1) apart from a tenth placeholder.
const IDENTIFIER_STAND_IN = /flyway_placeholder_(\d+)_/g;

export interface StandIns {
  text: string;
  /** Puts the placeholders back into a name or message read from `text`. */
  restore: (name: string) => string;
  /** The index of the placeholder whose stand-in covers this offset of `text`. */
  placeholderAt: (offset: number) => number | undefined;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; offset?: number; line?: number; message: string };

/**
 * Parses `text` with every placeholder as an identifier, then again with the one the parser
 * stumbled on as a number, until it parses or the error is not on a placeholder. A failure is
 * reported as the parser first saw it, with the placeholders put back into its message.
 */
export function parseWithStandIns<T>(text: string, parse: (candidate: StandIns) => Attempt<T>): Attempt<T> {
  const asNumbers = new Set<number>();
  const firstFailureAt = new Map<number | undefined, Attempt<T> & { ok: false }>();
  for (;;) {
    const candidate = standIns(text, asNumbers);
    const attempt = parse(candidate);
    if (attempt.ok) return attempt;
    const culprit = attempt.offset === undefined ? undefined : candidate.placeholderAt(attempt.offset);
    if (!firstFailureAt.has(culprit)) firstFailureAt.set(culprit, { ...attempt, message: candidate.restore(attempt.message) });
    if (culprit === undefined || asNumbers.has(culprit)) return firstFailureAt.get(culprit) ?? attempt;
    asNumbers.add(culprit);
  }
}

function standIns(text: string, asNumbers: ReadonlySet<number>): StandIns {
  const placeholders: string[] = [];
  const spans: { start: number; end: number }[] = [];
  let replaced = '';
  let copiedUpTo = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = placeholders.length;
    const standIn = asNumbers.has(index) ? '1' : `flyway_placeholder_${index}_`;
    replaced += text.slice(copiedUpTo, match.index);
    spans.push({ start: replaced.length, end: replaced.length + standIn.length });
    replaced += standIn;
    placeholders.push(match[0]);
    copiedUpTo = match.index + match[0].length;
  }
  replaced += text.slice(copiedUpTo);
  return {
    text: replaced,
    restore: (name) => name.replace(IDENTIFIER_STAND_IN, (standIn, n: string) => placeholders[Number(n)] ?? standIn),
    placeholderAt: (offset) => {
      const index = spans.findIndex(({ start, end }) => offset >= start && offset < end);
      return index < 0 ? undefined : index;
    },
  };
}
