/**
 * Quoted records (RFC 4180) of the canonical format, split by papaparse: one record at a time
 * while they are rare among plain lines, or the whole rest of a file once they are common.
 */
import Papa from 'papaparse';
import type { CanonicalRowSink } from './canonical-row.ts';
import { parseRowAt } from './canonical-row.ts';
import { readHeader } from './header.ts';
import type { ColumnMap } from './header.ts';
import { JoinedRow, markQuoted } from './joined-row.ts';
import { countNewlines } from './lines.ts';
import { CR_ONLY_MESSAGE, clip } from './messages.ts';
import type { ScanState } from './scan-state.ts';

/** Quoted records read one by one before papaparse takes the rest of the file whole. */
export const MAX_QUOTED_RECORDS = 64;

/**
 * Reads the one record starting at `pos` with papaparse and hands it on. Returns where the next
 * record starts, -1 when the sink asked to stop, or -2 when the record may run past the end of
 * `text` (an unclosed quote: the caller decides with the rest of the file).
 */
export function quotedRecord(text: string, pos: number, st: ScanState, file: string, sink: CanonicalRowSink, line: number): number {
  const rest = text.slice(pos);
  // The line's own ending tells CRLF from LF (a quoted newline inside would be data either way).
  const nl = text.indexOf('\n', pos);
  const newline = nl > pos && text.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
  const parsed = Papa.parse<string[]>(rest, { delimiter: ',', newline, quoteChar: '"', escapeChar: '"', preview: 1 });
  if (parsed.errors.length > 0 || parsed.data.length === 0) return -2;
  const fields = parsed.data[0];
  const cols = st.cols;
  if (fields.length !== cols.width) {
    const message = `has ${fields.length} fields; the header has ${cols.width}`;
    if (!sink.error({ file, line, value: clip(fields.join(',')), message })) return -1;
  } else {
    st.joined.set(fields);
    markQuoted(text, pos, cols.width, st.joined.quoted);
    if (!parseRowAt(st.joined.text, st.joined.codes, st.joined.starts, st.joined.ends, cols, file, line, sink, null, st.joined.quoted)) return -1;
  }
  return pos + parsed.meta.cursor;
}

/** Rows of the quoted path between two afterBlock calls. */
const PAPA_BLOCK_ROWS = 16384;

/** The general RFC 4180 path, from `pos` (the start of physical line `line`) to the end. */
export function scanWithPapa(
  text: string,
  pos: number,
  line: number,
  known: ColumnMap | null,
  file: string,
  sink: CanonicalRowSink,
  /** bytes of the file before `text` (for afterBlock) */
  bytesBefore = 0,
): { lines: number } {
  let cols = known;
  let rows = 0;
  let stopped = false;
  let cursor = 0;
  const rest = pos === 0 ? text : text.slice(pos);
  const crlf = /\r\n/.test(rest.slice(0, 10_000)) || /\r\n/.test(text.slice(0, pos));
  const joined = new JoinedRow();
  Papa.parse<string[]>(rest, {
    delimiter: ',',
    newline: crlf ? '\r\n' : '\n',
    quoteChar: '"',
    escapeChar: '"',
    skipEmptyLines: false,
    step(result, handle) {
      if (stopped) return;
      // ASCII-exact: bytes and characters differ only in the progress figure of a non-ASCII file
      if (++rows % PAPA_BLOCK_ROWS === 0) sink.afterBlock?.(bytesBefore + cursor);
      const start = cursor;
      const end = result.meta.cursor;
      const rowLine = line;
      line += countNewlines(rest, start, end);
      cursor = end;
      const fields = result.data;
      const stop = () => {
        stopped = true;
        handle.abort();
      };
      if (result.errors.length > 0) {
        const e = result.errors[0];
        const message = e.code === 'MissingQuotes' ? 'has a quoted field that is never closed' : `cannot be read as CSV (${e.message})`;
        if (!sink.error({ file, line: rowLine, message })) stop();
        return;
      }
      if (fields.length === 1 && fields[0].trim() === '') return;
      if (cols === null) {
        if (fields.some((f) => f.includes('\r'))) {
          sink.error({ file, line: rowLine, message: CR_ONLY_MESSAGE });
          stop();
          return;
        }
        const found = readHeader(fields);
        if (Array.isArray(found)) {
          for (const e of found) if (!sink.error({ file, line: rowLine, ...e })) break;
          stop();
          return;
        }
        cols = found;
        return;
      }
      if (fields.length !== cols.width) {
        const message = `has ${fields.length} fields; the header has ${cols.width}`;
        if (!sink.error({ file, line: rowLine, value: clip(fields.join(',')), message })) stop();
        return;
      }
      joined.set(fields);
      markQuoted(rest, start, cols.width, joined.quoted);
      if (!parseRowAt(joined.text, joined.codes, joined.starts, joined.ends, cols, file, rowLine, sink, null, joined.quoted)) stop();
    },
  });
  return { lines: line - 1 };
}
