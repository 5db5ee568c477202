/**
 * The canonical scanner's fast path: lines without a quote character, split on commas straight
 * off the character codes (about 3x faster than papaparse here).
 */
import type { Codes } from './chars.ts';
import type { CanonicalRowSink } from './canonical-row.ts';
import { parseRowAt } from './canonical-row.ts';
import { countNewlines } from './lines.ts';
import { clip } from './messages.ts';
import { MAX_QUOTED_RECORDS, quotedRecord } from './papa-records.ts';
import type { ScanState } from './scan-state.ts';

/**
 * The fast path: scans the lines of `text[pos, n)` (`codes` holds the same characters), splitting
 * on commas; a line holding a quote (the first at `firstQuote`) is read by quotedRecord. Returns
 * `n` when done, the start of a line from which papaparse must read the rest, or -1 when the
 * sink asked to stop.
 */
export function scanLines(text: string, codes: Codes, pos: number, n: number, firstQuote: number, st: ScanState, file: string, sink: CanonicalRowSink): number {
  let quoteAt = firstQuote;
  const { cols, starts, ends } = st;
  const width = cols.width;
  let line = st.line;
  while (pos < n) {
    // One pass over the line's codes finds its commas and its end.
    let k = 0;
    let p = pos;
    let fieldStart = pos;
    while (p < n) {
      const ch = codes[p];
      if (ch === 44 /* , */) {
        if (k < width) {
          starts[k] = fieldStart;
          ends[k] = p;
        }
        k++;
        fieldStart = p + 1;
      } else if (ch === 10 /* \n */) {
        break;
      }
      p++;
    }
    const nl = p;
    if (quoteAt < nl) {
      // A quoted record amid plain ones: papaparse reads just that record, then the scanner goes
      // on. Past a few dozen of them the file is quoted throughout and papaparse reads the rest.
      if (++st.quoted > MAX_QUOTED_RECORDS) {
        st.line = line;
        return pos;
      }
      const next = quotedRecord(text, pos, st, file, sink, line);
      if (next === -1 || next === -2) {
        st.line = line;
        return next === -1 ? -1 : pos;
      }
      line += countNewlines(text, pos, next);
      pos = next;
      const q = text.indexOf('"', pos);
      quoteAt = q === -1 ? Number.POSITIVE_INFINITY : q;
      continue;
    }
    let end = nl;
    if (end > fieldStart && codes[end - 1] === 13) end--;
    if (k < width) {
      starts[k] = fieldStart;
      ends[k] = end;
    }
    k++;
    if (k === 1 && end === pos) {
      // blank line: skipped
    } else if (k !== width) {
      let lineEnd = nl;
      if (lineEnd > pos && codes[lineEnd - 1] === 13) lineEnd--;
      if (!sink.error({ file, line, value: clip(text.slice(pos, lineEnd)), message: `has ${k} fields; the header has ${width}` })) {
        st.line = line;
        return -1;
      }
    } else if (!parseRowAt(text, codes, starts, ends, cols, file, line, sink, st.subjects)) {
      st.line = line;
      return -1;
    }
    pos = nl + 1;
    line++;
  }
  st.line = line;
  return n;
}
