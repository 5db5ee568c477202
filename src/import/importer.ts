import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EVENT_TYPE_NAMES } from '../engine/events.ts';
import type { EventTypeCode, EventTypeName } from '../engine/events.ts';
import { isoOf } from '../engine/units.ts';
import { CancelledError, InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type Database from 'better-sqlite3';
import { CsvParser, MAX_FIELD_CHARS, readCsvFile, readHeaderRecord } from './csvReader.ts';
import type { Delimiter, Encoding, FileForm, ReadSummary } from './csvReader.ts';
import {
  detectFormat,
  dustConsumptionHandler,
  dustCostHandler,
  eventsHandler,
  guessMapping,
  mappingHandler,
  parseColumnMapping,
  RowError,
  shapeOf,
} from './formats.ts';
import type { ColumnMapping, EventSink, FormatHandler, FormatName } from './formats.ts';
import { learnHourProfile } from './profile.ts';
import { contentIdentity } from './canonical.ts';
import { EVENTS_IDENT_INDEX } from '../ledger/schema.ts';
import { PARSE_IN_FLIGHT, PARSE_STOP } from './pipeline.ts';
import type { FromParser, ParseRequest, ParseWorkerData } from './pipeline.ts';
import { findWorkerFile } from '../worker-files.ts';
import { reconcileSpend, recordBatchSpend } from '../ledger/overlap.ts';
import type { OverlapSummary } from '../ledger/overlap.ts';
import { activeSeats, EntityFacts, inferTriggerKinds } from '../ledger/entities.ts';

export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  /** `auto` (default) detects from the header */
  format?: FormatName | 'auto';
  skipBadRows?: boolean;
  /** a column mapping for any other CSV (implies format `mapping`) */
  mapping?: unknown;
  onProgress?: (p: ImportProgress) => void;
  signal?: { readonly aborted: boolean };
  /** name recorded and shown for the file; default its base name */
  displayName?: string;
  /** the file's text encoding (default auto: UTF-8, UTF-16 by BOM, else Windows-1252) */
  encoding?: Encoding;
  /** the field separator (default auto, from the first line) */
  delimiter?: Delimiter;
  /**
   * Who reads the messages: `cli` (default) names the command's options; `app` names the
   * import page's buttons and steps instead (no command-line flags in the window).
   */
  audience?: 'cli' | 'app';
  /** bytes read at a time (default 1 MiB); progress and cancellation are checked per chunk */
  chunkBytes?: number;
  /**
   * Parse in a worker thread while this one writes (an events CSV into an empty ledger only).
   * Default: for files of PIPELINE_MIN_BYTES and more, when the worker's file is there.
   */
  parseInWorker?: boolean;
}

export interface ImportRowError {
  line: number;
  column: string | null;
  value: string | null;
  message: string;
}

/** SPEC §8's per-file object, plus what the app shows beside it. */
export interface ImportResult {
  file: string;
  format: FormatName;
  batch: number | null;
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: ImportRowError[];
  /** events added to the ledger (a daily cost row makes up to 24, consumption lines fold) */
  events: number;
  mapping: ColumnMapping | null;
  /** for dust-cost: where the hour-of-day profile came from */
  profile?: 'ledger' | 'default';
  /** the cost and consumption exports' overlap in the ledger after this import (ledger/overlap.ts) */
  overlap?: OverlapSummary;
  /** people active in the last 30 days of the ledger's history: the seats to propose */
  activeSeats?: number | null;
  /** rows that failed to parse and read as a spreadsheet's summary (`TOTAL`, `Sum`): not data, not errors */
  summaryRows?: number;
  /** how the file's bytes were read: encoding, separator, gzip */
  form?: FileForm;
  /** what the file's new events hold (absent after a bulk import into an empty ledger) */
  found?: FoundSummary;
}

export interface FoundSummary {
  from: number | null;
  to: number | null;
  events: number;
  spendMicros: number;
  keys: number;
  triggers: number;
  people: number;
}

/** A spreadsheet's summary row: a cell saying total or sum. Only rows that fail to parse are asked. */
export function isSummaryRow(fields: readonly string[]): boolean {
  return fields.some((f) => /^(?:grand[\s-]*)?(?:sub[\s-]*)?(?:totals?|sum|summe|gesamt|totaux?|totale)\b/i.test(f.trim()));
}

export interface PreviewEvent {
  line: number;
  time: string;
  type: EventTypeName;
  subject: string;
  costMicros: number;
  id: string;
  duplicate: boolean;
}

export interface PreviewResult extends ImportResult {
  header: string[];
  /** the file's first records as read (after the header), for the column-mapping step */
  sampleRows: string[][];
  /** the first events the import would write (or skip as duplicates) */
  firstEvents: PreviewEvent[];
  /** for `mapping`: what could not be guessed (the UI asks for these) */
  missing: string[];
  /** false when the preview stopped after the first rows (columns not mapped yet): counts are of those rows only */
  readWhole: boolean;
}

/**
 * A file refused whole: nothing was written. `result` is what `--json` prints; `format` is the
 * format detected or asked for, null when the file was refused before one could be told (an
 * empty, binary or unreadable file read with `auto`).
 */
export class ImportRefusedError extends InputError {
  readonly result: ImportResult;
  readonly format: FormatName | null;
  constructor(message: string, details: InputErrorDetail[], result: ImportResult, format: FormatName | null = result.format) {
    super(message, details);
    this.result = result;
    this.format = format;
  }
}

/** Refused rows shown in the error message; the rest are counted ("... and 995 more"). */
const SHOWN_ERRORS = 5;

const MAX_ERRORS = 1000;
const SAMPLE_ROWS = 50;
const PREVIEW_EVENTS = 20;

export async function importFile(ledger: Ledger, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  let allowWorker = true;
  for (;;) {
    try {
      return await run(ledger, path, options, false, true, allowWorker);
    } catch (err) {
      // the parse worker could not start: the same import, parsed on this thread
      if (err instanceof PipelineUnavailable) {
        allowWorker = false;
        continue;
      }
      // the bulk path found the same identity twice in the file: redo it row by row (and count them)
      if (err instanceof BulkConflict) return run(ledger, path, options, false, false, false);
      throw err;
    }
  }
}

class BulkConflict extends Error {}
class PipelineUnavailable extends Error {}

/** Below this size a worker's start-up costs more than the overlap gains. */
const PIPELINE_MIN_BYTES = 4 << 20;
/** page cache during a pipelined import (negative: KiB) */
const PIPELINE_CACHE_KIB = -16384;
/** the parse worker's young generation: its garbage is short-lived, a small nursery keeps RSS down */
const PARSE_YOUNG_MB = 8;

/**
 * The parse worker: parse-worker.ts beside this file, or the desktop app's bundle's
 * `import-parse-worker` entry (src/worker-files.ts); null when neither is there (the import then
 * parses on its own thread).
 */
export function defaultParseWorkerUrl(): URL | null {
  return findWorkerFile('import-parse-worker');
}

/** The file's header when its first record is a canonical events header (only then may it be pipelined). */
async function eventsHeaderOf(path: string, name: string): Promise<string[] | null> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(1 << 16);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      let header: string[] | null = null;
      let bad = false;
      const parser = new CsvParser(name, (fields, _line, problem) => {
        if (header !== null || bad) return;
        if (problem === null && fields.every((f) => f.trim() === '')) return;
        if (problem !== null) bad = true;
        else header = fields.map((f) => f.trim());
      });
      parser.push(new TextDecoder('utf-8').decode(buf.subarray(0, bytesRead)), bytesRead < buf.length);
      const h = header as string[] | null;
      return !bad && h !== null && !h.includes('') && detectFormat(h) === 'events' ? h : null;
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

/** The real import, rolled back: what `importFile` would do, with the first events it would write. */
export function previewImport(ledger: Ledger, path: string, options: ImportOptions = {}): Promise<PreviewResult> {
  return run(ledger, path, options, true, false, false) as Promise<PreviewResult>;
}

/** Handlers that only add events (no folding into earlier ones) may take the bulk path. */
const BULK_FORMATS: ReadonlySet<FormatName> = new Set(['events', 'mapping']);

async function run(ledger: Ledger, path: string, options: ImportOptions, dryRun: boolean, allowBulk: boolean, allowWorker: boolean): Promise<ImportResult | PreviewResult> {
  const db = ledger.db;
  const name = options.displayName ?? basename(path);
  const skipBad = options.skipBadRows === true || dryRun;
  const requested: FormatName | 'auto' = options.mapping !== undefined ? 'mapping' : (options.format ?? 'auto');
  const given = options.mapping === undefined ? null : parseColumnMapping(options.mapping, 'mapping');

  let header: string[] | null = null;
  let handler: FormatHandler | null = null;
  let pending: { fields: string[]; line: number; problem: string | null }[] = [];
  let missing: string[] = [];
  let profileSource: 'ledger' | 'default' | undefined;
  // a preview whose columns cannot be mapped yet needs only the header and the first rows
  let undecided = false;
  const result: PreviewResult = {
    file: name,
    format: requested === 'auto' ? 'events' : requested,
    batch: null,
    rows: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    events: 0,
    mapping: null,
    header: [],
    sampleRows: [],
    firstEvents: [],
    missing: [],
    readWhole: true,
  };
  let currentLine = 0;
  let failed = false;
  let detected: FormatName | null = requested === 'auto' ? null : requested;
  // A row whose own id is already in the ledger is a duplicate, unless that event came from an
  // earlier row of THIS file with other content: a data error. Such duplicates are checked in
  // batches of ID_CHECK (one query for many rather than one per duplicate: re-importing a 300k-row
  // export with ids takes ~20 % longer than without the check, a lookup per row ~40 %), so the
  // error is counted a little after its row and the errors are sorted by line at the end.
  const ID_CHECK = 2048;
  const findThisImport = db.prepare('SELECT ident, time, type, subject, cost FROM events WHERE ident IN (SELECT value FROM json_each(?)) AND seq >= ?').raw();
  const dup = { ident: [] as string[], line: [] as number[], time: [] as number[], type: [] as number[], subject: [] as number[], cost: [] as number[] };
  const checkDuplicateIds = (): void => {
    if (dup.ident.length === 0) return;
    const found = new Map<string, [string, number, number, number, number]>();
    for (const r of findThisImport.all(JSON.stringify(dup.ident), firstSeq) as [string, number, number, number, number][]) found.set(r[0], r);
    for (let k = 0; k < dup.ident.length; k++) {
      const e = found.get(dup.ident[k]!);
      if (e === undefined || (e[1] === dup.time[k] && e[2] === dup.type[k] && e[3] === dup.subject[k] && e[4] === dup.cost[k])) continue;
      // counted as a duplicate when it was read (a refused file's counts are reset anyway)
      result.duplicates--;
      result.rejected++;
      if (result.errors.length < MAX_ERRORS) {
        result.errors.push({ line: dup.line[k]!, column: 'id', value: dup.ident[k]!, message: 'repeats the id of an earlier row of this file with different content (time, type, subject or cost)' });
      }
      if (!skipBad) failed = true;
    }
    for (const a of Object.values(dup)) a.length = 0;
  };

  const batchRow = db
    .prepare(
      `INSERT INTO batches(file_name, file_size, sha256, format, mapping, imported_at, rows, imported, duplicates, rejected, events)
       VALUES ('', 0, '', '', NULL, 0, 0, 0, 0, 0, 0) RETURNING id`,
    )
    .pluck();
  const insert = db.prepare('INSERT OR IGNORE INTO events(time, seq, type, subject, cost, ident, occ) VALUES (?, ?, ?, ?, ?, ?, ?)');
  // A row without an id is already in the ledger when an event of the same content is there with
  // the same occurrence number: found through the primary key, which time leads. (A lookup and
  // then an insert cost a third of one INSERT ... WHERE NOT EXISTS, measured.)
  // The events without an id at one time, read once per time: a file of rows that repeat at one
  // millisecond would otherwise scan that millisecond's events once per row (quadratic: 20k such
  // rows took 14 s). Rows this import adds never match a later row of the file (its content and
  // occurrence pairs are distinct), so events read before them are all a lookup needs.
  const contentAt = db.prepare('SELECT type, subject, cost, occ FROM events WHERE time = ? AND ident IS NULL').raw();
  let contentTime = Number.NaN;
  let contentKeys = new Set<string>();
  const hasContent = (time: number, type: number, subjectId: number, cost: number, occurrence: number): boolean => {
    if (time !== contentTime) {
      contentTime = time;
      contentKeys = new Set();
      for (const r of contentAt.iterate(time) as IterableIterator<[number, number, number, number]>) contentKeys.add(`${r[0]},${r[1]},${r[2]},${r[3]}`);
    }
    return contentKeys.has(`${type},${subjectId},${cost},${occurrence}`);
  };
  const findIdent = db.prepare('SELECT time, seq FROM events WHERE ident = ?');
  // events the other export's overlap holds back (ledger/overlap.ts) are in the ledger all the same
  const anyHeld = db.prepare('SELECT 1 FROM events_held LIMIT 1').get() !== undefined;
  const findHeld = db.prepare('SELECT 1 FROM events_held WHERE ident = ?').pluck();
  // spend per scope and the subjects it went to, rows per scope and day, entity facts
  const scopes = new Map<string, Set<string>>();
  const scopeRows = new Map<string, number>();
  const facts = new EntityFacts();
  const addCost = db.prepare('UPDATE events SET cost = cost + ?, time = min(time, ?) WHERE time = ? AND seq = ?');
  let seq = 0;
  let firstSeq = 0;
  // the ledger's latest event before this import: a row without an id from later on cannot be
  // in the ledger yet (the file's own rows differ in content or occurrence), so it needs no lookup
  let latestBefore = Number.POSITIVE_INFINITY;
  let bulk = false;

  // Bulk path: rows go in BULK_ROWS at a time through one statement, the values in one array:
  // a third less work per row than one call each (no identity index, so every row is added).
  const BULK_ROWS = 32;
  const bulkValues: (number | string | null)[] = new Array<number | string | null>(7 * BULK_ROWS);
  let bulkFill = 0;
  let bulkInsert: Database.Statement | null = null;
  const flushBulk = (): void => {
    if (bulkFill === 0) return;
    if (bulkFill === bulkValues.length) {
      bulkInsert ??= db.prepare(`INSERT INTO events(time, seq, type, subject, cost, ident, occ) VALUES ${Array(BULK_ROWS).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
      bulkInsert.run(bulkValues);
    } else {
      for (let k = 0; k < bulkFill; k += 7) insert.run(bulkValues.slice(k, k + 7));
    }
    bulkFill = 0;
  };

  const realSink: EventSink = {
    add(time, type, subject, cost, ident, occurrence, givenId) {
      if (bulk) {
        bulkValues[bulkFill++] = time;
        bulkValues[bulkFill++] = seq++;
        bulkValues[bulkFill++] = type;
        bulkValues[bulkFill++] = ledger.subjectId(subject);
        bulkValues[bulkFill++] = cost;
        bulkValues[bulkFill++] = ident;
        bulkValues[bulkFill++] = ident === null ? occurrence : null;
        if (bulkFill === bulkValues.length) flushBulk();
        result.events++;
        return true;
      }
      const subjectId = ledger.subjectId(subject);
      const added =
        ident === null
          ? (time > latestBefore || !hasContent(time, type, subjectId, cost, occurrence)) && insert.run(time, seq, type, subjectId, cost, null, occurrence).changes > 0
          : !(anyHeld && findHeld.get(ident) !== undefined) && insert.run(time, seq, type, subjectId, cost, ident, null).changes > 0;
      if (added) {
        result.events++;
        seq++;
      } else if (givenId && ident !== null) {
        dup.ident.push(ident);
        dup.line.push(currentLine);
        dup.time.push(time);
        dup.type.push(type);
        dup.subject.push(subjectId);
        dup.cost.push(cost);
        if (dup.ident.length >= ID_CHECK) checkDuplicateIds();
      }
      if (dryRun && result.firstEvents.length < PREVIEW_EVENTS) {
        result.firstEvents.push(previewEvent(currentLine, time, type, subject, cost, ident ?? contentIdentity(time, type, subject, cost, occurrence), !added));
      }
      return added;
    },
    fold(time, type, subject, cost, ident) {
      const found = findIdent.get(ident) as { time: number; seq: number } | undefined;
      if (found === undefined) {
        if (anyHeld && findHeld.get(ident) !== undefined) return 'duplicate';
        return realSink.add(time, type, subject, cost, ident, 0, false) ? 'new' : 'duplicate';
      }
      // seqs from firstSeq on were given in this import: an earlier line of the same message
      if (found.seq < firstSeq) return 'duplicate';
      addCost.run(cost, time, found.time, found.seq);
      return 'merged';
    },
    spend(scope, subject, day) {
      let subjects = scopes.get(scope);
      if (subjects === undefined) scopes.set(scope, (subjects = new Set()));
      subjects.add(subject);
      const k = `${scope}\u0000${day}`;
      scopeRows.set(k, (scopeRows.get(k) ?? 0) + 1);
    },
    entity(fact) {
      facts.add(fact);
    },
  };
  // once a file is refused, the remaining rows are only checked, to list their errors
  const checkSink: EventSink = { add: () => true, fold: () => 'new', spend: () => {}, entity: () => {} };

  const makeHandler = (): FormatHandler => {
    const h = header!;
    let format: FormatName | null = requested === 'auto' ? detectFormat(h) : requested;
    let mapping: ColumnMapping | null = given;
    if (format === null || (format === 'mapping' && mapping === null)) {
      const saved = ledger.getMapping(shapeOf(h));
      if (saved !== null) mapping = parseColumnMapping(saved, 'saved mapping');
      else {
        const guess = guessMapping(h, pending.map((p) => p.fields));
        mapping = guess.mapping;
        missing = guess.missing;
      }
      format = 'mapping';
      detected = 'mapping';
      result.format = 'mapping';
      if (dryRun && (mapping === null || missing.length > 0)) {
        // a preview answers with what it read (header, first rows, what is undecided): the
        // mapping step asks the admin, rather than the preview failing; the rest of the file is not read
        undecided = true;
        return { format: 'mapping', mapping: null, row: () => 'new' };
      }
      if (mapping !== null && missing.length > 0) {
        const message = `the mapping needs: ${missing.join(', ')}`;
        throw new InputError(`${name}:1: ${message}`, [{ file: name, line: 1, value: h.join(','), message }]);
      }
      if (mapping === null) {
        const message =
          `not a known export (header: ${h.join(',')}) and its columns could not be mapped (undecided: ${missing.join(', ')}). ` +
          'Accepted: events (timestamp,type,subject,cost_usd[,id]), dust-cost (date,agent_name,api_key,source,total_spend_usd), ' +
          `dust-consumption (completedAt,agentMessageId,contextOrigin,...,totalCredits), or any CSV with a column mapping (${options.audience === 'app' ? 'map its columns in the preview' : '--mapping FILE.json'})`;
        throw new InputError(`${name}:1: ${message}`, [{ file: name, line: 1, value: h.join(','), message }]);
      }
    }
    result.format = format;
    detected = format;
    switch (format) {
      case 'events':
        return eventsHandler(h, name);
      case 'dust-cost': {
        const profile = learnHourProfile(db);
        profileSource = profile.source;
        return dustCostHandler(h, name, profile.weights);
      }
      case 'dust-consumption':
        return dustConsumptionHandler(h, name);
      case 'mapping':
        return mappingHandler(h, name, mapping!);
    }
  };

  const handle = (fields: string[], line: number, problem: string | null): void => {
    currentLine = line;
    result.rows++;
    try {
      if (problem !== null) throw new RowError(undefined, undefined, problem);
      for (let k = 0; k < fields.length; k++) {
        if (fields[k]!.length > MAX_FIELD_CHARS) {
          throw new RowError(header![k] ?? `(field ${k + 1})`, `${fields[k]!.slice(0, 40)}...`, `is ${fields[k]!.length.toLocaleString('en-US')} characters long; a field may hold at most ${MAX_FIELD_CHARS.toLocaleString('en-US')}`);
        }
      }
      const outcome = handler!.row(fields, line, failed ? checkSink : realSink);
      if (!failed) {
        if (outcome === 'new') result.imported++;
        else result.duplicates++;
      }
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      if (problem === null && isSummaryRow(fields)) {
        result.summaryRows = (result.summaryRows ?? 0) + 1;
        return;
      }
      result.rejected++;
      if (result.errors.length < MAX_ERRORS) {
        result.errors.push({ line, column: err.column ?? null, value: err.value ?? null, message: err.message });
      }
      if (!skipBad) failed = true;
    }
  };

  const sink = (fields: string[], line: number, problem: string | null): void => {
    if (header === null) {
      header = readHeaderRecord(fields, line, problem, name);
      if (header === null) return;
      result.header = header;
      return;
    }
    if (dryRun && result.sampleRows.length < PREVIEW_EVENTS) result.sampleRows.push(fields);
    if (handler === null) {
      pending.push({ fields, line, problem });
      if (pending.length < SAMPLE_ROWS) return;
      flush();
      return;
    }
    handle(fields, line, problem);
  };

  const flush = (): void => {
    handler = makeHandler();
    // Bulk path: into an empty ledger, duplicates can only come from within the file. Drop the
    // identity index (inside the transaction: a rollback restores it) and build it once at the end.
    if (
      allowBulk &&
      !dryRun &&
      BULK_FORMATS.has(handler.format) &&
      db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined &&
      db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_ident'").get() !== undefined
    ) {
      db.exec('DROP INDEX events_ident');
      bulk = true;
    }
    const rows = pending;
    pending = [];
    for (const p of rows) handle(p.fields, p.line, p.problem);
  };

  // Pipelined: an events CSV into an empty ledger (checked below, in the transaction) is parsed in
  // a worker thread while this one writes the previous batch: on two cores the parse (about half
  // of the work) then costs little wall time.
  const workerUrl = allowBulk && allowWorker && !dryRun && options.parseInWorker !== false && (requested === 'auto' || requested === 'events') ? defaultParseWorkerUrl() : null;
  const pipedHeader =
    workerUrl !== null && (options.parseInWorker === true || (await fileSize(path)) >= PIPELINE_MIN_BYTES) ? await eventsHeaderOf(path, name) : null;
  const pipeline = pipedHeader !== null;

  const readPiped = async (url: URL, fileHeader: string[]): Promise<ReadSummary> => {
    const request: ParseRequest = { path, name, header: fileHeader, skipBad, maxErrors: MAX_ERRORS };
    const control = new SharedArrayBuffer(8);
    const state = new Int32Array(control);
    const data: ParseWorkerData = { request, control };
    let worker: Worker;
    try {
      worker = new Worker(url, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: PARSE_YOUNG_MB } });
    } catch (err) {
      throw new PipelineUnavailable((err as Error).message);
    }
    const queue: FromParser[] = [];
    let wake: (() => void) | null = null;
    let stopped: Error | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    worker.on('message', (m: FromParser) => {
      queue.push(m);
      notify();
    });
    worker.on('error', (err: Error) => {
      stopped ??= err;
      notify();
    });
    worker.on('exit', (code) => {
      stopped ??= new Error(`the import's parse worker stopped (exit code ${code})`);
      notify();
    });
    // ledger subject ids of the batch's subject numbers (each batch numbers its own)
    let batchIds = new Int32Array(64);
    let started = false;
    try {
      for (;;) {
        if (options.signal?.aborted) throw new CancelledError();
        const m = queue.shift();
        if (m === undefined) {
          const s = stopped as Error | null;
          if (s !== null) throw started ? s : new PipelineUnavailable(s.message);
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        started = true;
        if (m.kind === 'error') throw m.input ? new InputError(m.message, m.details) : new Error(m.message);
        if (m.kind === 'done') {
          header = fileHeader;
          result.header = fileHeader;
          // only a UTF-8, comma-separated events file is pipelined (eventsHeaderOf)
          return { size: m.size, sha256: m.sha256, form: { encoding: 'utf-8', delimiter: ',', gzip: false } };
        }
        const { n, time, type, subject, cost, idents, occ, subjects } = m;
        if (subjects.length > batchIds.length) batchIds = new Int32Array(subjects.length * 2);
        for (let k = 0; k < subjects.length; k++) batchIds[k] = ledger.subjectId(subjects[k]!);
        for (let i = 0; i < n; i++) {
          bulkValues[bulkFill++] = time[i]!;
          bulkValues[bulkFill++] = seq++;
          bulkValues[bulkFill++] = type[i]!;
          bulkValues[bulkFill++] = batchIds[subject[i]!]!;
          bulkValues[bulkFill++] = cost[i]!;
          const ident = idents === null ? null : idents[i]!;
          bulkValues[bulkFill++] = ident;
          bulkValues[bulkFill++] = ident === null ? occ![i]! : null;
          if (bulkFill === bulkValues.length) flushBulk();
        }
        result.events += n;
        result.imported += n;
        result.rows = m.rows;
        result.rejected = m.rejected;
        if (m.failed) failed = true;
        for (const e of m.errors) result.errors.push(e);
        Atomics.sub(state, PARSE_IN_FLIGHT, 1);
        Atomics.notify(state, PARSE_IN_FLIGHT);
        options.onProgress?.({ rows: result.rows, bytes: m.bytes, totalBytes: m.totalBytes });
      }
    } finally {
      Atomics.store(state, PARSE_STOP, 1);
      Atomics.notify(state, PARSE_IN_FLIGHT);
      void worker.terminate();
    }
  };

  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new InputError(`${ledger.path}: the ledger is busy (another import is writing to it); try again when it has finished`, [
      { file: ledger.path, message: 'the ledger is busy with another import' },
    ]);
  }
  let committed = false;
  let cacheBefore: number | null = null;
  try {
    const batchId = batchRow.get() as number;
    // seqs continue after every batch ever imported (undone ones too): never reused
    firstSeq = ((db.prepare('SELECT max(last_seq) FROM batches').pluck().get() as number | null) ?? 0) + 1;
    latestBefore = (db.prepare('SELECT max(time) FROM events').pluck().get() as number | null) ?? Number.NEGATIVE_INFINITY;
    seq = firstSeq;
    let piped = false;
    if (pipeline && db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined && db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_ident'").get() !== undefined) {
      // as the bulk path below: the identity index is built once at the end
      db.exec('DROP INDEX events_ident');
      bulk = true;
      piped = true;
      // Rows go in in key order: a small page cache writes them out as well, and the parse
      // worker's heap then fits beside it under the memory budget. Restored below.
      cacheBefore = db.pragma('cache_size', { simple: true }) as number;
      db.pragma(`cache_size = ${PIPELINE_CACHE_KIB}`);
      detected = 'events';
      result.format = 'events';
    }
    const read = piped
      ? await readPiped(workerUrl!, pipedHeader!)
      : await readCsvFile(path, name, sink, {
          signal: options.signal,
          ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
          ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
          ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
          enough: () => undecided,
          onChunk: (p) => options.onProgress?.({ rows: result.rows, bytes: p.bytes, totalBytes: p.totalBytes }),
        });
    if (header === null) throw new InputError(`${name}: the file is empty; expected a CSV header line`, [{ file: name, line: 1, message: 'no header line' }]);
    if (handler === null && !piped) flush();
    if (options.signal?.aborted) throw new CancelledError();
    result.mapping = (handler as FormatHandler | null)?.mapping ?? null;
    if (read.form !== undefined) result.form = read.form;
    if (read.partial === true) result.readWhole = false;
    if (profileSource !== undefined) result.profile = profileSource;
    result.missing = missing;
    checkDuplicateIds();
    // errors found by the batched id check come after later rows' errors: put them in file order
    result.errors.sort((a, b) => a.line - b.line);
    if (failed) {
      result.imported = 0;
      result.duplicates = 0;
      result.events = 0;
      if (!dryRun) {
        const details = result.errors.map((e) => ({ file: name, line: e.line, ...(e.column !== null ? { column: e.column } : {}), ...(e.value !== null ? { value: e.value } : {}), message: e.message }));
        const shown = details.slice(0, SHOWN_ERRORS).map(formatDetail);
        if (result.rejected > SHOWN_ERRORS) shown.push(`... and ${result.rejected - SHOWN_ERRORS} more bad row${result.rejected - SHOWN_ERRORS === 1 ? '' : 's'}`);
        throw new ImportRefusedError(
          `${name}: refused, ${result.rejected} bad row${result.rejected === 1 ? '' : 's'}; the ledger is unchanged (${options.audience === 'app' ? 'choose “Import the good rows, list the bad ones” to import the rest' : 'use --skip-bad-rows to import the good rows'})\n${shown.join('\n')}`,
          details,
          result,
        );
      }
    }
    const lastSeq = seq - 1;
    if (bulk) {
      flushBulk();
      // the index build's sorter takes as much memory as the page cache may: keep it small
      const cache = db.pragma('cache_size', { simple: true }) as number;
      db.pragma('cache_size = -16384');
      try {
        db.exec(EVENTS_IDENT_INDEX);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new BulkConflict();
        throw err;
      } finally {
        db.pragma(`cache_size = ${cache}`);
      }
    }
    db.prepare(
      `UPDATE batches SET file_name = ?, file_size = ?, sha256 = ?, format = ?, mapping = ?, imported_at = ?, rows = ?, imported = ?,
       duplicates = ?, rejected = ?, events = ?, first_seq = ?, last_seq = ? WHERE id = ?`,
    ).run(
      name,
      read.size,
      read.sha256,
      result.format,
      result.mapping === null ? null : JSON.stringify(result.mapping),
      Date.now(),
      result.rows,
      result.imported,
      result.duplicates,
      result.rejected,
      result.events,
      lastSeq >= firstSeq ? firstSeq : null,
      lastSeq >= firstSeq ? lastSeq : null,
      batchId,
    );
    if (result.format === 'mapping' && result.mapping !== null) ledger.saveMapping(shapeOf(header), header, result.mapping);
    if (!bulk && lastSeq >= firstSeq) {
      // before the overlap moves any of them: what the file itself holds
      const f = db
        .prepare(
          `SELECT min(time) AS lo, max(time) AS hi, count(*) AS n, coalesce(sum(cost), 0) AS c,
                  count(DISTINCT CASE WHEN type = 0 THEN subject END) AS k, count(DISTINCT CASE WHEN type = 1 THEN subject END) AS t,
                  count(DISTINCT CASE WHEN type = 2 THEN subject END) AS p
           FROM events WHERE seq BETWEEN ? AND ?`,
        )
        .get(firstSeq, lastSeq) as { lo: number | null; hi: number | null; n: number; c: number; k: number; t: number; p: number };
      result.found = { from: f.lo, to: f.hi, events: f.n, spendMicros: f.c, keys: f.k, triggers: f.t, people: f.p };
    }
    if (scopes.size > 0 && lastSeq >= firstSeq) {
      const ids = new Map<string, Set<number>>();
      for (const [scope, names] of scopes) ids.set(scope, new Set([...names].map((n) => ledger.subjectId(n))));
      recordBatchSpend(db, batchId, result.format === 'dust-cost' ? 'cost' : 'consumption', firstSeq, lastSeq, ids, result.format === 'dust-cost' ? scopeRows : null);
      result.overlap = reconcileSpend(db);
    }
    if (facts.size > 0) {
      facts.save(db);
      inferTriggerKinds(db);
    }
    // two passes over the events: only for the exports that carry people's messages by name,
    // not for a canonical CSV (the 1M-row import keeps its time; the app counts seats itself)
    if (result.format === 'dust-consumption' || result.format === 'mapping') result.activeSeats = activeSeats(db);
    if (dryRun) {
      result.batch = null;
      return result;
    }
    db.exec('COMMIT');
    committed = true;
    result.batch = batchId;
    const { header: _h, sampleRows: _s, firstEvents: _f, missing: _m, readWhole: _w, ...plain } = result;
    return plain;
  } catch (err) {
    // any other refusal (header, encoding, an unknown file) carries the per-file result too, so
    // that `--json` reports the format actually detected and the place of the problem
    if (err instanceof InputError && !(err instanceof ImportRefusedError)) {
      const { header: _h, sampleRows: _s, firstEvents: _f, missing: _m, readWhole: _w, ...plain } = result;
      throw new ImportRefusedError(
        err.message,
        err.details,
        {
          ...plain,
          batch: null,
          imported: 0,
          duplicates: 0,
          events: 0,
          rejected: result.rejected,
          // a problem of the file as a whole (no line: binary, empty) is placed at its first line
          errors: err.details.map((d) => ({ line: d.line ?? 1, column: d.column ?? null, value: d.value ?? null, message: d.message })),
        },
        detected,
      );
    }
    throw err;
  } finally {
    if (!committed) {
      if (db.inTransaction) db.exec('ROLLBACK');
      ledger.resetSubjectCache();
    }
    if (cacheBefore !== null) db.pragma(`cache_size = ${cacheBefore}`);
  }
}

function previewEvent(line: number, time: number, type: EventTypeCode, subject: string, cost: number, ident: string, duplicate: boolean): PreviewEvent {
  return { line, time: isoOf(time), type: EVENT_TYPE_NAMES[type], subject, costMicros: cost, id: ident, duplicate };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
