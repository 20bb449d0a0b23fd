// Checks on a file as bytes, before any SQL is read: it must be UTF-8 (Flyway's default
// encoding), and should have neither a byte-order mark nor mixed line endings.

import type { Finding, LintFile } from './types';

const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

export interface DecodedFile {
  /** The SQL text without its byte-order mark; absent when the bytes are not UTF-8. */
  text?: string;
  findings: Finding[];
}

export function decodeFile(file: LintFile): DecodedFile {
  const decoded = file.content.toString('utf8');
  const invalidAt = firstUndecodableByte(file.content, decoded);
  if (invalidAt !== undefined) {
    return {
      findings: [{
        file: file.name,
        line: lineOfByte(file.content, invalidAt),
        severity: 'error',
        rule: 'encoding',
        message: `The file is not valid UTF-8 (byte ${invalidAt} starts an invalid sequence).`,
        fix: 'Save the file as UTF-8, which Flyway reads it as.',
      }],
    };
  }
  const findings: Finding[] = [];
  const hasByteOrderMark = file.content.subarray(0, BYTE_ORDER_MARK.length).equals(BYTE_ORDER_MARK);
  if (hasByteOrderMark) {
    findings.push({
      file: file.name,
      line: 1,
      severity: 'warning',
      rule: 'bom',
      message: 'The file starts with a UTF-8 byte-order mark.',
      fix: 'Save the file as UTF-8 without a byte-order mark, which some SQL tools read as part of the first statement.',
    });
  }
  const text = hasByteOrderMark ? decoded.slice(1) : decoded;
  const mixedAt = firstLineEndingUnlikeTheFirst(text);
  if (mixedAt !== undefined) {
    findings.push({
      file: file.name,
      line: mixedAt,
      severity: 'warning',
      rule: 'line-endings',
      message: 'The file mixes CRLF and LF line endings.',
      fix: 'Convert the file to one line ending, preferably LF, so editors and git do not rewrite parts of it.',
    });
  }
  return { text, findings };
}

export function emptyFileFinding(name: string): Finding {
  return {
    file: name,
    severity: 'error',
    rule: 'empty',
    message: 'The file has no SQL statement, only blanks or comments.',
    fix: 'Add the statements the migration is for, or delete the file.',
  };
}

// Node decodes invalid sequences to U+FFFD, so the bytes re-encode identically exactly when they
// were valid; the first difference is where the invalid sequence begins.
function firstUndecodableByte(bytes: Buffer, decoded: string): number | undefined {
  const reencoded = Buffer.from(decoded, 'utf8');
  if (reencoded.equals(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length && bytes[i] === reencoded[i]) i += 1;
  return i;
}

function lineOfByte(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** The 1-based line whose ending differs from the first line's ending (CRLF or LF), if any. */
function firstLineEndingUnlikeTheFirst(text: string): number | undefined {
  let firstIsCrlf: boolean | undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1), line += 1) {
    const isCrlf = i > 0 && text[i - 1] === '\r';
    if (firstIsCrlf === undefined) firstIsCrlf = isCrlf;
    else if (isCrlf !== firstIsCrlf) return line;
  }
  return undefined;
}
