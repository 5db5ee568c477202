/**
 * The importer's record splitter: streaming RFC 4180 over any separator, which knows each record's
 * physical line, which the errors of SPEC §8 must name (a quoted field may hold newlines, so record
 * number and line differ). Text is pushed in chunks (read-file.ts reads and decodes them); lines
 * without quotes take a split fast path.
 */
import { InputError } from '../errors.ts';
import { MAX_RECORD_CHARS } from './limits.ts';

/** Receives each record: its fields, its first physical line, and what is wrong with it (or null). */
export type RecordSink = (fields: string[], line: number, problem: string | null) => void;

/**
 * The fields of a record that were quoted in the file, by the record's own array: the canonical
 * events format keeps a quoted subject or id exactly as given (RFC 4180: spaces are part of a
 * field) and trims an unquoted one, as `simulate`'s reader does. Kept beside the record rather
 * than in the sink's arguments so that every other format's reader stays as it is.
 */
const QUOTED = new WeakMap<readonly string[], number[]>();

/** Whether field `index` of a record this reader gave was quoted in the file. */
export function wasQuoted(fields: readonly string[], index: number): boolean {
  return QUOTED.get(fields)?.includes(index) ?? false;
}

export class CsvParser {
  private buf = '';
  private line = 1;
  private readonly sink: RecordSink;
  private readonly fileName: string;
  /** the field separator: `,`, or `;` / tab as spreadsheets in many locales write them */
  delimiter = ',';

  constructor(fileName: string, sink: RecordSink) {
    this.fileName = fileName;
    this.sink = sink;
  }

  push(text: string, final: boolean): void {
    const buf = this.buf.length === 0 ? text : this.buf + text;
    const n = buf.length;
    let pos = 0;
    let q = buf.indexOf('"');
    while (pos < n) {
      let nl = buf.indexOf('\n', pos);
      if (nl === -1) {
        if (!final) break;
        nl = n;
      }
      if (q !== -1 && q < pos) q = buf.indexOf('"', pos);
      if (q === -1 || q >= nl) {
        let end = nl;
        if (end > pos && buf.charCodeAt(end - 1) === 13) end--;
        if (end > pos) this.sink(buf.slice(pos, end).split(this.delimiter), this.line, null);
        this.line++;
        pos = nl + 1;
        continue;
      }
      const r = this.quoted(buf, pos, final);
      if (r === null) break;
      this.sink(r.fields, this.line, r.problem);
      this.line += r.newlines;
      pos = r.end;
    }
    this.buf = pos >= n ? '' : buf.slice(pos);
    if (this.buf.length > MAX_RECORD_CHARS) {
      const message = `a record longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters starts here (an unclosed quote, or not a CSV)`;
      throw new InputError(`${this.fileName}:${this.line}: ${message}`, [{ file: this.fileName, line: this.line, message }]);
    }
    if (final && this.buf.length > 0) throw new Error('unreachable: unparsed CSV tail');
  }

  /** Parses one record that contains a quote; null when it runs past the buffered text. */
  private quoted(buf: string, start: number, final: boolean): { fields: string[]; end: number; newlines: number; problem: string | null } | null {
    const fields: string[] = [];
    let quotedAt: number[] | null = null;
    const sep = this.delimiter.charCodeAt(0);
    const n = buf.length;
    let i = start;
    let newlines = 0;
    let problem: string | null = null;
    for (;;) {
      if (i < n && buf.charCodeAt(i) === 34) {
        let value = '';
        let from = i + 1;
        i = from;
        let closed = false;
        while (i < n) {
          const c = buf.charCodeAt(i);
          if (c === 34) {
            if (i + 1 < n && buf.charCodeAt(i + 1) === 34) {
              value += buf.slice(from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            if (i + 1 >= n && !final) return null;
            value += buf.slice(from, i);
            i++;
            closed = true;
            break;
          }
          if (c === 10) newlines++;
          i++;
        }
        if (!closed) {
          if (!final) return null;
          throw new InputError(`${this.fileName}:${this.line}: a quoted field is never closed`, [
            { file: this.fileName, line: this.line, message: 'a quoted field is never closed (unbalanced ")' },
          ]);
        }
        // text between a closing quote and the next separator is kept, but the row is bad
        const after = i;
        while (i < n && buf.charCodeAt(i) !== sep && buf.charCodeAt(i) !== 10) i++;
        let tail = buf.slice(after, i);
        if (tail.endsWith('\r') && (i < n || final)) tail = tail.slice(0, -1);
        if (tail.length > 0) {
          problem ??= `unexpected text ${JSON.stringify(tail)} after a closing quote`;
          value += tail;
        }
        (quotedAt ??= []).push(fields.length);
        fields.push(value);
      } else {
        const from = i;
        while (i < n && buf.charCodeAt(i) !== sep && buf.charCodeAt(i) !== 10) i++;
        let v = buf.slice(from, i);
        if (i < n && buf.charCodeAt(i) === 10 && v.endsWith('\r')) v = v.slice(0, -1);
        else if (i >= n && final && v.endsWith('\r')) v = v.slice(0, -1);
        fields.push(v);
      }
      if (i >= n) {
        if (!final) return null;
        if (quotedAt !== null) QUOTED.set(fields, quotedAt);
        return { fields, end: n, newlines: newlines + 1, problem };
      }
      if (buf.charCodeAt(i) === 10) {
        if (quotedAt !== null) QUOTED.set(fields, quotedAt);
        return { fields, end: i + 1, newlines: newlines + 1, problem };
      }
      i++; // the comma
    }
  }
}
