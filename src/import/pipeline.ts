import { InputError } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import { readCsvFile, readHeaderRecord } from './csvReader.ts';
import { eventsHandler, RowError } from './formats.ts';
import type { EventSink, FormatHandler } from './formats.ts';
import { resized } from '../engine/events.ts';

/**
 * The parsing half of a pipelined import of a canonical events CSV: it reads, parses and checks
 * the file (row identities included) and hands the rows over in batches of columns, one per chunk
 * read, while the other half (importer.ts, on the thread that owns the ledger) writes the previous
 * batch. It runs in a worker thread (parse-worker.ts); the counting mirrors importer.ts's bulk path.
 */
export interface ParseRequest {
  path: string;
  name: string;
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
  /** index into the subjects named so far, in the order of `newSubjects` over all batches */
  subject: Uint32Array;
  /** one string each: the structured clone hands them over flat (slices of one joined string bind slower) */
  idents: string[];
  newSubjects: string[];
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
  header: string[] | null;
  size: number;
  sha256: string;
}

export interface ParseFailed {
  kind: 'error';
  /** an InputError (rebuilt as one), or anything else (a bug) */
  input: boolean;
  message: string;
  details: InputErrorDetail[];
}

export type FromParser = ParsedBatch | ParseDone | ParseFailed;

const START_CAPACITY = 1 << 15;

/**
 * Parses `req.path`, calling `post` with each batch (and the arrays to transfer) and awaiting
 * `afterBatch` (the consumer's back-pressure) before reading on.
 */
export async function parseEventsFile(
  req: ParseRequest,
  post: (m: FromParser, transfer: ArrayBuffer[]) => void,
  afterBatch: () => Promise<void> | void,
): Promise<void> {
  const { name, skipBad, maxErrors } = req;
  let header: string[] | null = null;
  let handler: FormatHandler | null = null;
  let rows = 0;
  let rejected = 0;
  let errorCount = 0;
  let failed = false;
  let errors: RowErrorInfo[] = [];
  const subjects = new Map<string, number>();
  let newSubjects: string[] = [];

  let cap = START_CAPACITY;
  let n = 0;
  let time = new Float64Array(cap);
  let cost = new Float64Array(cap);
  let type = new Uint8Array(cap);
  let subject = new Uint32Array(cap);
  let idents: string[] = [];
  const grow = (): void => {
    cap *= 2;
    time = resized(time, cap);
    cost = resized(cost, cap);
    type = resized(type, cap);
    subject = resized(subject, cap);
  };

  const packSink: EventSink = {
    add(t, ty, subj, c, ident) {
      if (n === cap) grow();
      let s = subjects.get(subj);
      if (s === undefined) {
        s = subjects.size;
        subjects.set(subj, s);
        newSubjects.push(subj);
      }
      time[n] = t;
      cost[n] = c;
      type[n] = ty;
      subject[n] = s;
      idents.push(ident);
      n++;
      return true;
    },
    fold() {
      throw new Error('unreachable: the events format does not fold');
    },
  };
  // once a file is refused, the remaining rows are only checked, to list their errors
  const checkSink: EventSink = { add: () => true, fold: () => 'new' };

  const sink = (fields: string[], line: number, problem: string | null): void => {
    if (header === null) {
      header = readHeaderRecord(fields, line, problem, name);
      if (header === null) return;
      handler = eventsHandler(header, name);
      return;
    }
    rows++;
    try {
      if (problem !== null) throw new RowError(undefined, undefined, problem);
      handler!.row(fields, line, failed ? checkSink : packSink);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      rejected++;
      if (errorCount < maxErrors) {
        errorCount++;
        errors.push({ line, column: err.column ?? null, value: err.value ?? null, message: err.message });
      }
      if (!skipBad) failed = true;
    }
  };

  const flush = async (bytes: number, totalBytes: number): Promise<void> => {
    const batch: ParsedBatch = {
      kind: 'batch',
      n,
      time,
      cost,
      type,
      subject,
      idents,
      newSubjects,
      rows,
      rejected,
      failed,
      errors,
      bytes,
      totalBytes,
    };
    post(batch, [time.buffer, cost.buffer, type.buffer, subject.buffer]);
    cap = Math.max(START_CAPACITY, n);
    n = 0;
    time = new Float64Array(cap);
    cost = new Float64Array(cap);
    type = new Uint8Array(cap);
    subject = new Uint32Array(cap);
    idents = [];
    newSubjects = [];
    errors = [];
    await afterBatch();
  };

  try {
    const read = await readCsvFile(req.path, name, sink, { afterChunk: (p) => flush(p.bytes, p.totalBytes) });
    post({ kind: 'done', header, size: read.size, sha256: read.sha256 }, []);
  } catch (err) {
    if (err instanceof InputError) post({ kind: 'error', input: true, message: err.message, details: err.details }, []);
    else post({ kind: 'error', input: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err), details: [] }, []);
  }
}
