/**
 * The importer's reader of any CSV file: streamed in chunks (memory stays flat whatever the size),
 * hashed as it passes for the batch's sha256, decoded (UTF-8, UTF-16 by its BOM, Windows-1252),
 * its separator sniffed, and split into records with their physical lines (records.ts).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CancelledError, InputError } from '../errors.ts';
import { CrLineEnds } from './cr-line-ends.ts';
import { ChunkDecoder } from './decode.ts';
import type { Encoding } from './decode.ts';
import type { Delimiter } from './delimiter.ts';
import { firstLinesOf, sniffDelimiterOf } from './delimiter.ts';
import { fileChunks, isGzip } from './file-chunks.ts';
import { newlinesIn } from './lines.ts';
import { workbookMessage } from './messages.ts';
import { CsvParser } from './records.ts';
import type { RecordSink } from './records.ts';
import { encodingError } from './utf8.ts';

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
  /** called once, before any record is parsed, with the separator given or sniffed */
  onDelimiter?: (delimiter: FileForm['delimiter']) => void;
  /** called once, before any of its text is parsed, when the file's lines end in CR alone (read as LF) */
  onCrLineEnds?: () => void;
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

/** What the reader found out about a file's bytes, for the preview and the batch. */
export interface FileForm {
  encoding: Exclude<Encoding, 'auto'>;
  delimiter: ',' | ';' | '\t';
  gzip: boolean;
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
    const decoding = new ChunkDecoder(options.encoding ?? 'auto');
    const lineEnds = new CrLineEnds();
    let textOffset = 0;
    let sawText = false;
    const requestedDelimiter = options.delimiter ?? 'auto';
    let sniffed = requestedDelimiter !== 'auto';
    if (requestedDelimiter !== 'auto') {
      parser.delimiter = requestedDelimiter;
      options.onDelimiter?.(requestedDelimiter);
    }
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
      decoding.start(bytes);
      if (!decoding.utf16) {
        const nul = bytes.indexOf(0);
        if (nul !== -1) {
          const workbook = textOffset === 0 ? workbookMessage(bytes) : null;
          if (workbook !== null) throw new InputError(`${name}: ${workbook}`, [{ file: name, line: 1, message: workbook }]);
          let line = 1;
          if (textOffset === 0) line += newlinesIn(bytes, 0, nul);
          throw new InputError(`${name}: this is a binary file, not a CSV (NUL byte at offset ${textOffset + nul})`, [
            { file: name, ...(textOffset === 0 ? { line } : {}), value: '\\x00', message: `a binary file, not a CSV text file (NUL byte at offset ${textOffset + nul})` },
          ]);
        }
      }
      // a gzip's text is never guessed to be Windows-1252: its offsets are not the file's
      const decoded = decoding.decode(bytes, final, gzip);
      if (decoded === null) {
        if (gzip) throw new InputError(`${name}: a byte is not UTF-8 (in the gzip's text at offset ${textOffset}); export or save the file as UTF-8`, [{ file: name, message: 'not UTF-8' }]);
        throw await encodingError(path, name, textOffset);
      }
      const wasCr = lineEnds.crOnly;
      let text = lineEnds.translate(decoded, final);
      if (!wasCr && lineEnds.crOnly) options.onCrLineEnds?.();
      textOffset += bytes.length;
      if (!sawText && /\S/.test(text)) sawText = true;
      if (!sniffed) {
        // the separator from the first lines (a BOM and blank lines do not count)
        pendingHead += text;
        const headLines = firstLinesOf(pendingHead, final);
        if (headLines === null) continue;
        const sniffedDelimiter = sniffDelimiterOf(headLines);
        parser.delimiter = sniffedDelimiter;
        options.onDelimiter?.(sniffedDelimiter);
        sniffed = true;
        text = pendingHead;
        pendingHead = '';
      }
      parser.push(text, final);
      options.onChunk?.(report());
      if (options.afterChunk !== undefined) await options.afterChunk(report());
      if (final) done = true;
      else if (options.enough?.() === true) {
        return { size, sha256: '', form: { encoding: decoding.encoding ?? 'utf-8', delimiter: parser.delimiter as FileForm['delimiter'], gzip }, partial: true };
      }
    }
    if (!sawText) throw new InputError(`${name}: the file is empty (only blank lines)`, [{ file: name, line: 1, message: 'the file is empty; expected a CSV header line' }]);
    const form: FileForm = { encoding: decoding.encoding ?? 'utf-8', delimiter: parser.delimiter as FileForm['delimiter'], gzip };
    return { size, sha256: hash.digest('hex'), form };
  } finally {
    await fh.close();
  }
}
