/**
 * Physical line numbers: messages name the line of the file (a quoted field may hold newlines, so
 * a record's number and its line differ).
 */

export function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Line feeds in `bytes[from, to)`: how many lines a byte offset lies below the first byte's. */
export function newlinesIn(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10, from); i !== -1 && i < to; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
