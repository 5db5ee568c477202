/**
 * Rows whose values a record splitter gave as separate strings, laid out for the offset-based
 * row parser, with which of them were quoted in the file.
 */

/**
 * Lays separate values out as one string (joined by NUL, which cannot occur in them usefully) so
 * that the offset-based row parser serves papaparse rows and importers too.
 */
export class JoinedRow {
  text = '';
  codes: Uint16Array = new Uint16Array(256);
  starts = new Int32Array(8);
  ends = new Int32Array(8);

  /** 1 where the field was quoted in the file (set by markQuoted); all 0 for values given directly */
  quoted = new Uint8Array(8);

  set(values: readonly string[]): void {
    if (values.length > this.starts.length) {
      this.starts = new Int32Array(values.length);
      this.ends = new Int32Array(values.length);
      this.quoted = new Uint8Array(values.length);
    }
    this.quoted.fill(0);
    const text = values.join('\u0000');
    if (text.length > this.codes.length) this.codes = new Uint16Array(text.length * 2);
    for (let i = 0; i < text.length; i++) this.codes[i] = text.charCodeAt(i);
    let p = 0;
    for (let k = 0; k < values.length; k++) {
      this.starts[k] = p;
      this.ends[k] = p + values[k].length;
      p += values[k].length + 1;
    }
    this.text = text;
  }
}

/**
 * Marks in `out` which of the first `width` fields of the record starting at `start` in `text`
 * are quoted (their first character is `"`), so that their value is kept as given.
 */
export function markQuoted(text: string, start: number, width: number, out: Uint8Array): void {
  out.fill(0);
  let i = start;
  // a cursor may stand on the previous record's line ending
  while (i < text.length && (text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++;
  for (let k = 0; k < width && i <= text.length; k++) {
    if (text.charCodeAt(i) === 34) {
      out[k] = 1;
      i++;
      while (i < text.length) {
        if (text.charCodeAt(i) === 34) {
          if (text.charCodeAt(i + 1) !== 34) {
            i++;
            break;
          }
          i++;
        }
        i++;
      }
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) break;
      if (c === 10 || c === 13) return;
    }
    i++;
  }
}
