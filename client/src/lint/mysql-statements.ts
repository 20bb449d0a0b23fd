// Splits a MySQL/MariaDB file into statements the way the mysql client and Flyway do: on the
// current delimiter (`;` until a `DELIMITER` line changes it), never inside quotes or comments.
// Statements are parsed one by one, so one statement the parser cannot read does not hide the
// rest of the file, and each problem gets its statement's line.

export interface MysqlStatement {
  /** The statement without its delimiter, from its first character that is not blank or comment. */
  text: string;
  /** Where `text` starts in the file's text. */
  offset: number;
  /** `text` with comments and the insides of quotes blanked, for keyword matching that quoted text cannot fool. */
  shape: string;
}

// The client-side command that changes the delimiter, e.g. `DELIMITER $$` before a procedure body.
const DELIMITER_COMMAND = /DELIMITER[ \t]+(\S+)[^\n]*/iy;

export function splitMysqlStatements(text: string): MysqlStatement[] {
  const shape = text.split('');
  const statements: MysqlStatement[] = [];
  let delimiter = ';';
  let start: number | undefined;
  const blank = (from: number, to: number) => {
    for (let j = from; j < to; j += 1) if (shape[j] !== '\n') shape[j] = ' ';
  };
  const finish = (end: number) => {
    if (start !== undefined) statements.push({ text: text.slice(start, end), offset: start, shape: shape.slice(start, end).join('') });
    start = undefined;
  };

  let i = 0;
  while (i < text.length) {
    DELIMITER_COMMAND.lastIndex = i;
    const command = start === undefined ? DELIMITER_COMMAND.exec(text) : null;
    if (command !== null) {
      delimiter = command[1];
      i = DELIMITER_COMMAND.lastIndex;
    } else if (isLineCommentAt(text, i)) {
      const end = endOfLine(text, i);
      blank(i, end);
      i = end;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      blank(i, end);
      i = end;
    } else if (text.startsWith(delimiter, i)) {
      finish(i);
      i += delimiter.length;
    } else if (text[i] === "'" || text[i] === '"' || text[i] === '`') {
      start ??= i;
      const end = endOfQuoted(text, i);
      blank(i + 1, end - 1);
      i = end;
    } else {
      if (!/\s/.test(text[i])) start ??= i;
      i += 1;
    }
  }
  finish(text.length);
  return statements;
}

// `#` always starts a comment; `--` only when a blank or the end follows (`1--1` is arithmetic).
function isLineCommentAt(text: string, i: number): boolean {
  if (text[i] === '#') return true;
  return text.startsWith('--', i) && (i + 2 >= text.length || /\s/.test(text[i + 2]));
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline < 0 ? text.length : newline;
}

/** The offset just past the closing quote; a doubled quote, or a backslash in '' and "", escapes. */
function endOfQuoted(text: string, from: number): number {
  const quote = text[from];
  let i = from + 1;
  while (i < text.length) {
    if (text[i] === '\\' && quote !== '`') i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}
