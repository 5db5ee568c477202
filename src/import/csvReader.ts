import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';
import { CancelledError, InputError } from '../errors.ts';
import { CR_ONLY_MESSAGE } from '../engine/csv.ts';

/**
 * A streaming RFC 4180 reader that knows each record's physical line, which the errors of SPEC §8
 * must name (a quoted field may hold newlines, so record number and line differ). It reads the
 * file in fixed chunks, so memory stays flat whatever the file's size, and hashes the bytes as
 * they pass for the batch's sha256. Lines without quotes take a split(',') fast path.
 */
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

/**
 * The header record of a file: its trimmed column names, or null for a blank line before it.
 * A header that cannot be parsed, or that has a column without a name, refuses the file.
 */
export function readHeaderRecord(fields: string[], line: number, problem: string | null, name: string): string[] | null {
  if (problem === null && fields.every((f) => f.trim() === '')) return null;
  if (problem !== null) throw new InputError(`${name}:${line}: header: ${problem}`, [{ file: name, line, message: `header: ${problem}` }]);
  // CR-only line ends make the whole file one "header": refused as simulate refuses it (csv.ts)
  if (fields.some((f) => f.includes('\r'))) throw new InputError(`${name}:${line}: ${CR_ONLY_MESSAGE}`, [{ file: name, line, message: CR_ONLY_MESSAGE }]);
  const header = fields.map((f) => f.trim());
  const blank = header.findIndex((f) => f === '');
  if (blank !== -1) {
    throw new InputError(`${name}:${line}: header: column ${blank + 1} has no name`, [
      { file: name, line, column: `(column ${blank + 1})`, value: fields.join(','), message: 'header: a column has no name' },
    ]);
  }
  return header;
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
}

export interface ReadOptions {
  chunkBytes?: number;
  signal?: { readonly aborted: boolean } | undefined;
  /** called after each chunk */
  onChunk?: (p: ReadProgress) => void;
  /** awaited after each chunk: a consumer that is behind holds the reading back */
  afterChunk?: (p: ReadProgress) => Promise<void> | void;
  /** default auto: UTF-8, UTF-16 by its byte order mark, Windows-1252 when the bytes are not UTF-8 */
  encoding?: Encoding;
  /** default auto: sniffed from the first line */
  delimiter?: Delimiter;
  /** asked after each chunk: true when the reader has all it needs (a preview that only needs the first rows) */
  enough?: () => boolean;
}

export interface ReadSummary {
  size: number;
  sha256: string;
  /** how the bytes were read (absent when the parse worker read them: plain UTF-8, commas) */
  form?: FileForm;
  /** stopped before the end because `enough` said so: `sha256` is then empty */
  partial?: boolean;
}

/**
 * The longest record (a line, or several inside quotes) the reader holds: beyond it a file is
 * refused with the line where the record starts. Real exports' records are a few KB; the cap
 * keeps a runaway quote or a line of megabytes from being buffered (and rescanned) without end.
 */
export const MAX_RECORD_CHARS = 1 << 20;
/** The longest field a row may have; a longer one makes the row bad (named, never truncated). */
export { MAX_FIELD_CHARS } from '../engine/csv.ts';

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

/** Where the first byte that is not UTF-8 is: byte offset, physical line, column index. */
function locateInvalidUtf8(bytes: Uint8Array): { offset: number } | null {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let len: number;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    else return { offset: i };
    if (i + len > n) return { offset: i };
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { offset: i };
    i += len;
  }
  return null;
}

/** The refusal of a file whose first byte that is not UTF-8 lies after `chunkStart` (within its next MiB). */
export async function encodingError(path: string, name: string, chunkStart: number): Promise<InputError> {
  // only on failure: read back from the start of the failing chunk's line to point at the byte
  const fh = await open(path, 'r');
  try {
    const lookBack = Math.min(chunkStart, 1 << 16);
    const from = chunkStart - lookBack;
    const len = Math.min((1 << 20) + lookBack + 8, (await fh.stat()).size - from);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, from);
    const bad = locateInvalidUtf8(buf.subarray(lookBack)) ?? { offset: 0 };
    const at = lookBack + bad.offset;
    let lineStart = buf.lastIndexOf(10, at - 1) + 1;
    if (lineStart < 0) lineStart = 0;
    let line = 1;
    const head = Buffer.alloc(from + lineStart);
    await fh.read(head, 0, head.length, 0);
    for (let i = 0; i < head.length; i++) if (head[i] === 10) line++;
    const header = await firstLine(fh);
    const prefix = buf.subarray(lineStart, at).toString('latin1');
    let col = 0;
    let inQuote = false;
    for (const ch of prefix) {
      if (ch === '"') inQuote = !inQuote;
      else if (ch === ',' && !inQuote) col++;
    }
    const column = line === 1 ? undefined : header[col];
    const value = `\\x${buf[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
    const message = `byte ${value} at offset ${from + at} is not UTF-8; export or save the file as UTF-8`;
    return new InputError(`${name}:${line}: ${message}`, [{ file: name, line, ...(column !== undefined ? { column } : {}), value, message }]);
  } finally {
    await fh.close();
  }
}

async function firstLine(fh: FileHandle): Promise<string[]> {
  const b = Buffer.alloc(4096);
  const { bytesRead } = await fh.read(b, 0, 4096, 0);
  return b.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.split(',');
}

export const ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DELIMITERS = ['auto', ',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * The separator of a file from its first line: the most frequent of `,`, `;` and tab outside
 * quotes (`,` on a tie or none). A European spreadsheet writes `;` (its decimal separator is the
 * comma); a copy from a table, tabs.
 */
export function sniffDelimiter(firstLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < firstLine.length; i++) {
    const c = firstLine[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/** What the reader found out about a file's bytes, for the preview and the batch. */
export interface FileForm {
  encoding: Exclude<Encoding, 'auto'>;
  delimiter: ',' | ';' | '\t';
  gzip: boolean;
}

/** gzip's magic bytes: a `.csv.gz` is read through a streaming gunzip, never whole. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The file's bytes in chunks: as they are, or gunzipped as they stream. */
async function* fileChunks(fh: FileHandle, size: number, chunkBytes: number, gzip: boolean, onRaw: (rawBytes: Uint8Array, offset: number) => void): AsyncGenerator<Uint8Array> {
  if (!gzip) {
    let offset = 0;
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(chunkBytes, size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return;
      const bytes = buf.subarray(0, bytesRead);
      offset += bytesRead;
      onRaw(bytes, offset);
      yield bytes;
    }
    return;
  }
  let offset = 0;
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  const raw = fh.createReadStream({ start: 0, highWaterMark: chunkBytes, autoClose: false });
  raw.on('data', (b: Buffer | string) => {
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    offset += bytes.length;
    onRaw(bytes, offset);
  });
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    throw new InputError(`the file is not a readable gzip archive (${(err as Error).message})`, [{ message: `not a readable gzip archive (${(err as Error).message})` }]);
  } finally {
    raw.unpipe(gunzip);
    raw.destroy();
  }
}

/**
 * Streams `path` through `parser`'s sink. Refuses, before anything is parsed, a 0-byte or
 * whitespace-only file, a UTF-16 file and a binary file; refuses a byte that is not UTF-8 with
 * its line.
 */
export async function readCsvFile(path: string, name: string, sink: RecordSink, options: ReadOptions = {}): Promise<ReadSummary> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`${name}: cannot read the file (${err.code ?? err.message})`, [{ file: name, message: `cannot read the file (${err.code ?? err.message})` }]);
  });
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw new InputError(`${name}: the file is empty (0 bytes)`, [{ file: name, line: 1, message: 'the file is empty (0 bytes); expected a CSV header line' }]);
    const hash = createHash('sha256');
    const parser = new CsvParser(name, sink);
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    const gzip = isGzip(head);
    let rawBytes = 0;
    // bytes of the file consumed: the chunks parsed (a gzip's compressed bytes read so far)
    const report = (): ReadProgress => ({ bytes: gzip ? rawBytes : Math.min(textOffset, size), totalBytes: size });
    const requested: Encoding = options.encoding ?? 'auto';
    let encoding: Exclude<Encoding, 'auto'> | null = requested === 'auto' ? null : requested;
    let decoder: { decode(input: Uint8Array, options?: { stream?: boolean }): string } | null = null;
    // a byte that is not UTF-8 before any other non-ASCII byte: the file is Windows-1252
    let sawNonAscii = false;
    let textOffset = 0;
    let sawText = false;
    let first = true;
    const requestedDelimiter = options.delimiter ?? 'auto';
    let sniffed = requestedDelimiter !== 'auto';
    if (sniffed) parser.delimiter = requestedDelimiter;
    let pendingHead = '';
    const chunks = fileChunks(fh, size, chunkBytes, gzip, (bytes, offset) => {
      hash.update(bytes);
      rawBytes = offset;
    });
    let done = false;
    let next = await chunks.next();
    while (!done) {
      if (options.signal?.aborted) throw new CancelledError();
      const bytes = next.done === true ? new Uint8Array(0) : next.value;
      next = next.done === true ? next : await chunks.next();
      const final = next.done === true;
      if (first) {
        first = false;
        if (encoding === null) {
          if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
          else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
        }
      }
      if (encoding !== 'utf-16le' && encoding !== 'utf-16be') {
        const nul = bytes.indexOf(0);
        if (nul !== -1) {
          let line = 1;
          if (textOffset === 0) for (let i = 0; i < nul; i++) if (bytes[i] === 10) line++;
          throw new InputError(`${name}: this is a binary file, not a CSV (NUL byte at offset ${textOffset + nul})`, [
            { file: name, ...(textOffset === 0 ? { line } : {}), value: '\\x00', message: `a binary file, not a CSV text file (NUL byte at offset ${textOffset + nul})` },
          ]);
        }
      }
      let text: string;
      if (encoding === null || encoding === 'utf-8') {
        decoder ??= new TextDecoder('utf-8', { fatal: true });
        try {
          text = decoder.decode(bytes, { stream: !final });
          if (!sawNonAscii) for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) { sawNonAscii = true; break; }
        } catch {
          const bad = locateInvalidUtf8(bytes)?.offset ?? 0;
          for (let i = 0; i < bad && !sawNonAscii; i++) if (bytes[i]! >= 0x80) sawNonAscii = true;
          if (encoding === 'utf-8' || sawNonAscii || gzip) {
            if (gzip) throw new InputError(`${name}: a byte is not UTF-8 (in the gzip's text at offset ${textOffset}); export or save the file as UTF-8`, [{ file: name, message: 'not UTF-8' }]);
            throw await encodingError(path, name, textOffset);
          }
          // not UTF-8 before anything else was: Windows-1252, as spreadsheets save "CSV" on Windows
          encoding = 'windows-1252';
          decoder = new TextDecoder('windows-1252');
          text = decoder.decode(bytes, { stream: !final });
        }
      } else {
        decoder ??= new TextDecoder(encoding);
        text = decoder.decode(bytes, { stream: !final });
      }
      textOffset += bytes.length;
      if (!sawText && /\S/.test(text)) sawText = true;
      if (!sniffed) {
        // the separator from the first line (a BOM or blank lines before it do not count)
        pendingHead += text;
        const body = pendingHead.replace(/^\uFEFF/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
        const nl = body.indexOf('\n');
        if (nl === -1 && !final && pendingHead.length < MAX_RECORD_CHARS) continue;
        parser.delimiter = sniffDelimiter(nl === -1 ? body : body.slice(0, nl));
        sniffed = true;
        text = pendingHead;
        pendingHead = '';
      }
      parser.push(text, final);
      options.onChunk?.(report());
      if (options.afterChunk !== undefined) await options.afterChunk(report());
      if (final) done = true;
      else if (options.enough?.() === true) {
        return { size, sha256: '', form: { encoding: encoding ?? 'utf-8', delimiter: parser.delimiter as FileForm['delimiter'], gzip }, partial: true };
      }
    }
    if (!sawText) throw new InputError(`${name}: the file is empty (only blank lines)`, [{ file: name, line: 1, message: 'the file is empty; expected a CSV header line' }]);
    const form: FileForm = { encoding: encoding ?? 'utf-8', delimiter: parser.delimiter as FileForm['delimiter'], gzip };
    return { size, sha256: hash.digest('hex'), form };
  } finally {
    await fh.close();
  }
}
