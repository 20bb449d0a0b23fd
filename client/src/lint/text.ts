// Offsets to line numbers. Parsers report positions as offsets (libpg-query's statement
// locations even in UTF-8 bytes); findings need 1-based lines.

/** A function from a 0-based character offset in `text` to its 1-based line. */
export function lineLocator(text: string): (offset: number) => number {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/**
 * A function from a UTF-8 byte offset in `text` to the character (UTF-16 unit) offset. It walks
 * on from the previous answer, so asking in increasing order (as statements come) stays linear.
 */
export function byteToCharOffset(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text, 'utf8') === text.length) return (byteOffset) => byteOffset;
  let byte = 0;
  let char = 0;
  return (byteOffset) => {
    if (byteOffset < byte) [byte, char] = [0, 0];
    while (byte < byteOffset && char < text.length) {
      const codePoint = text.codePointAt(char) ?? 0;
      byte += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      char += codePoint >= 0x10000 ? 2 : 1;
    }
    return char;
  };
}
