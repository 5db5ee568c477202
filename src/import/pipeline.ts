import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import { scanEventsCsvFile } from '../csv/scan-events-file.ts';
import { encodingError, isEncodingProblem } from '../csv/utf8.ts';
import { EventColumnsBuilder, PackedIds } from '../engine/events.ts';
import type { EventColumns, EventTypeCode } from '../engine/events.ts';
import { canonicalColumns, ContentOccurrences } from './canonical.ts';
import { norm } from './cells.ts';
import type { Method } from '../workers/protocol.ts';

/**
 * The parsing half of a pipelined import of a canonical events CSV: it reads, parses and checks
 * the file (row identities included) with the engine's own CSV scanner (the one `simulate`
 * reads with, three times faster than the general reader) and hands the rows over in batches of
 * columns, one per block read, while the other half (importer.ts, on the thread that owns the
 * ledger) writes the previous batch. It runs in a worker thread (src/entries/import-parse-worker.ts); what it
 * counts and reports mirrors importer.ts's in-thread path (test/import-pipeline.test.ts).
 */
export interface ParseRequest {
  path: string;
  name: string;
  /** the header as the importer read it (it chose this path from it) */
  header: string[];
  skipBad: boolean;
  maxErrors: number;
}

export interface RowErrorInfo {
  line: number;
  column: string | null;
  value: string | null;
  message: string;
}

export interface ParsedBatch {
  kind: 'batch';
  /** events in this batch */
  n: number;
  time: Float64Array;
  cost: Float64Array;
  type: Uint8Array;
  /** index into this batch's `subjects` */
  subject: Uint32Array;
  subjects: string[];
  /**
   * Each row's id from the file (a string each: the structured clone hands them over flat, and
   * slices of one joined string bind slower); null for a row without one, and no array at all
   * when no row of the batch has one.
   */
  idents: (string | null)[] | null;
  /** for a row without an id: its occurrence among identical rows of the file (its identity with the content); null when every row has an id */
  occ: Uint32Array | null;
  /** totals so far */
  rows: number;
  rejected: number;
  failed: boolean;
  /** errors found in this batch (the first `maxErrors` of the file) */
  errors: RowErrorInfo[];
  bytes: number;
  totalBytes: number;
}

export interface ParseDone {
  kind: 'done';
  size: number;
  sha256: string;
}

/**
 * The header again among the rows (files joined with `cat`), in a file whose good rows are
 * imported: the rows after it are another file's, numbered afresh, and may stand for rows before
 * it, which the bulk writing never looks up. The importer redoes the file on its own thread, row
 * by row (importer.ts, nextFile).
 */
export interface ParseJoined {
  kind: 'joined';
}

export interface ParseFailed {
  kind: 'error';
  /** an InputError (rebuilt as one), or anything else (a bug) */
  input: boolean;
  message: string;
  details: InputErrorDetail[];
}

export type FromParser = ParsedBatch | ParseDone | ParseFailed | ParseJoined;

/**
 * The parsing thread's one call (src/entries/import-parse-worker.ts): it streams the file's
 * batches, then `done` or the file's error, to the importer.
 */
export type ParseMethods = { parse: Method<ParseWorkerData, void, FromParser> };

/** What the importer shares with the parse worker (src/entries/import-parse-worker.ts). */
export interface ParseWorkerData {
  request: ParseRequest;
  /** Int32 slots: PARSE_IN_FLIGHT, PARSE_STOP */
  control: SharedArrayBuffer;
}
/** batches posted and not yet written */
export const PARSE_IN_FLIGHT = 0;
/** set by the importer when it stops early (an error, a cancel) */
export const PARSE_STOP = 1;
/** batches that may wait unwritten */
export const PARSE_AHEAD = 3;

/** Thrown by `afterBatch` to end the parse quietly: the importer stopped. */
export class ParseStopped extends Error {}

class HeaderAgain extends Error {}

/** Blocks of about this many bytes make a batch: the first rows reach the writer early. */
export const PARSE_BLOCK_BYTES = 1 << 20;

const RAGGED = /^has (\d+) fields; the header has (\d+)$/;

/** The occurrence numbers of a batch's rows without an id (0 for a row with one); null when every row has one. */
function occurrencesOf(cols: EventColumns, given: (string | null)[] | null, occurrences: ContentOccurrences): Uint32Array | null {
  let occ: Uint32Array | null = null;
  for (let i = 0; i < cols.count; i++) {
    if (given !== null && given[i] !== null && given[i] !== undefined) continue;
    occ ??= new Uint32Array(cols.count);
    occ[i] = occurrences.next(cols.time[i]!, cols.type[i]!, cols.subjects[cols.subject[i]!]!, cols.cost[i]!);
  }
  return occ;
}

/**
 * Parses `req.path`, calling `post` with each batch (and the buffers to transfer) and then
 * `afterBatch`, the consumer's back-pressure: it returns once the batch may be followed by
 * another (it blocks the thread meanwhile: the scanner is synchronous).
 */
export async function parseEventsFile(req: ParseRequest, post: (m: FromParser, transfer: ArrayBuffer[]) => void, afterBatch: () => void): Promise<void> {
  const { path, name, header, skipBad, maxErrors } = req;
  let rows = 0;
  let rejected = 0;
  let errorCount = 0;
  let failed = false;
  let errors: RowErrorInfo[] = [];
  let lastErrorLine = -1;
  const occurrences = new ContentOccurrences();
  const hash = createHash('sha256');
  let size = 0;
  let fileError: InputErrorDetail | null = null;
  // where the block being read starts (bytes): a bad byte is looked for from there
  let blockStart = 0;
  let badUtf8 = false;

  const fresh = (): EventColumnsBuilder => {
    const b = new EventColumnsBuilder();
    b.reserve(PARSE_BLOCK_BYTES / 32);
    return b;
  };

  try {
    try {
      size = statSync(path).size;
    } catch {
      // reported by the scan, which opens it
    }
    // the same header rules as the in-thread import (it throws the same InputError)
    canonicalColumns(header, name);
    const sink = {
      columns: fresh(),
      row(time: number, type: EventTypeCode, subject: string, cost: number, id: string | null) {
        sink.columns.push(time, type, subject, cost, id);
      },
      error(d: InputErrorDetail): boolean {
        const encoding = isEncodingProblem(d);
        if (d.line === undefined || d.line <= 1 || encoding) {
          // a problem of the file, not of a row: the in-thread import refuses the file for it
          fileError ??= d;
          badUtf8 ||= encoding;
          return false;
        }
        // a time that reads `timestamp`: the header again, perhaps (the in-thread import, which
        // redoes the file, tells it by the whole row), whichever of its cells was found bad first
        if (skipBad && d.column === 'timestamp' && norm(d.value ?? '') === 'timestamp') throw new HeaderAgain();
        // one error a row, as the in-thread import (it stops at a row's first bad value)
        if (d.line === lastErrorLine) return true;
        lastErrorLine = d.line;
        rejected++;
        if (!skipBad) failed = true;
        if (errorCount < maxErrors) {
          errorCount++;
          let column = d.column ?? null;
          const ragged = RAGGED.exec(d.message);
          if (ragged !== null) {
            const got = Number(ragged[1]);
            column = got < header.length ? header[got]! : `(extra field ${header.length + 1})`;
          }
          errors.push({ line: d.line, column, value: d.value ?? null, message: d.message });
        }
        return true;
      },
      onRead(bytes: Uint8Array) {
        hash.update(bytes);
      },
      afterBlock(bytes: number) {
        blockStart = bytes;
        flush(bytes);
      },
    };
    const flush = (bytes: number): void => {
      const builder = sink.columns;
      sink.columns = fresh();
      rows += builder.count;
      // once the file is refused, rows are only read to list their errors
      const cols = builder.build();
      const n = failed ? 0 : cols.count;
      const idents = n > 0 && cols.ids instanceof PackedIds ? cols.ids.strings() : null;
      const occ = n === 0 ? null : occurrencesOf(cols, idents, occurrences);
      const batch: ParsedBatch = {
        kind: 'batch',
        n,
        time: cols.time,
        cost: cols.cost,
        type: cols.type,
        subject: cols.subject,
        subjects: n === 0 ? [] : cols.subjects,
        idents,
        occ,
        rows: rows + rejected,
        rejected,
        failed,
        errors,
        bytes,
        totalBytes: size,
      };
      errors = [];
      const transfer = [cols.time.buffer as ArrayBuffer, cols.cost.buffer as ArrayBuffer, cols.type.buffer as ArrayBuffer, cols.subject.buffer as ArrayBuffer];
      if (occ !== null) transfer.push(occ.buffer as ArrayBuffer);
      post(batch, transfer);
      afterBatch();
    };
    scanEventsCsvFile(path, name, sink, PARSE_BLOCK_BYTES);
    // refused in the in-thread import's words (it names the byte, its offset and column)
    if (badUtf8) throw await encodingError(path, name, blockStart);
    const problem = fileError as InputErrorDetail | null;
    if (problem !== null) {
      const detail = { ...problem, file: name };
      throw new InputError(`${name}${detail.line !== undefined ? `:${detail.line}` : ''}: ${detail.message}`, [detail]);
    }
    // rows after the last block boundary (and the quoted path's last stretch)
    if (sink.columns.count > 0 || errors.length > 0) flush(size);
    post({ kind: 'done', size, sha256: hash.digest('hex') }, []);
  } catch (err) {
    if (err instanceof ParseStopped) return;
    if (err instanceof HeaderAgain) {
      post({ kind: 'joined' }, []);
      return;
    }
    if (err instanceof InputError) post({ kind: 'error', input: true, message: err.message, details: err.details }, []);
    else post({ kind: 'error', input: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err), details: [] }, []);
  }
}
