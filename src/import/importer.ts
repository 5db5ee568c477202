import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EVENT_TYPE_NAMES, EventType } from '../engine/events.ts';
import type { EventTypeCode, EventTypeName } from '../engine/events.ts';
import { DAY, formatUsd, isoOf } from '../engine/units.ts';
import { CancelledError, InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { ImportSession } from '../ledger/import-session.ts';
import type { SeqRangeSummary } from '../ledger/event-writer.ts';
import type { Delimiter } from '../csv/delimiter.ts';
import type { Encoding } from '../csv/decode.ts';
import { readHeaderRecord } from '../csv/header.ts';
import { headerIndex, isSeparatorHint, LEAD_RECORDS, preambleText } from './preamble.ts';
import { CR_ONLY_MESSAGE } from '../csv/messages.ts';
import { MAX_FIELD_CHARS, fieldTooLong } from '../csv/limits.ts';
import { readCsvFile } from '../csv/read-file.ts';
import type { FileForm, ReadSummary } from '../csv/read-file.ts';
import { CsvParser } from '../csv/records.ts';
import {
  detectFormat,
  dustConsumptionHandler,
  dustCostHandler,
  eventsHandler,
  guessMapping,
  guessTimeOfDay,
  mappingHandler,
  mappingRefusal,
  unreadTimeOfDay,
  norm,
  parseColumnMapping,
  RowError,
  shapeOf,
} from './formats.ts';
import type { ColumnMapping, EventSink, FormatHandler, FormatName, GivenOrder, Guessed, GuessedFrom, WholeFileFacts } from './formats.ts';
import { costColumnsByName, costExportLikeness, matchedByName, renamedColumns } from './renamed-export.ts';
import type { CostColumns, ExportLike, RecognisedExport } from './renamed-export.ts';
import { exportLikeText } from './findings.ts';
import { learnHourProfile } from './profile.ts';
import { guessDateFormat } from './parse.ts';
import { DayOrderScan, DayOrderUnknown, SLASH_TIME } from './day-order.ts';
import { DecimalScan, DecimalUnknown } from './decimal-mark.ts';
import type { DecimalMark } from './decimal-mark.ts';
import type { DottedMonthFirst, GivenDayOrder, GivenOrderDoubt } from './day-order.ts';
import { contentIdentity } from './canonical.ts';
import { PARSE_IN_FLIGHT, PARSE_STOP } from './pipeline.ts';
import type { FromParser, ParseRequest, ParseWorkerData } from './pipeline.ts';
import type { ParseMethods } from './pipeline.ts';
import { WorkerClient } from '../workers/client.ts';
import { findWorkerFile } from '../worker-files.ts';
import type { BatchOverlap, OverlapSummary } from '../ledger/overlap.ts';
import { TriggerAgentWatch } from './trigger-agents.ts';
import type { TriggerAgents } from './trigger-agents.ts';
import { EntityFacts } from '../ledger/entities.ts';
import type { EntityFact } from '../ledger/entities.ts';

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
  /** where the mapping came from, as its refusal names it (`map.json`); default `mapping` */
  mappingName?: string;
  onProgress?: (p: ImportProgress) => void;
  signal?: { readonly aborted: boolean };
  /** name recorded and shown for the file; default its base name */
  displayName?: string;
  /** the file's text encoding (default auto: UTF-8, UTF-16 by BOM, else Windows-1252) */
  encoding?: Encoding;
  /** the field separator (default auto, from the first line) */
  delimiter?: Delimiter;
  /**
   * The day order of a built-in export's slash dates (`dmy`, `mdy`), when the admin knows it: a
   * re-saved export whose dates are all ambiguous and whose file shows no locale is otherwise read
   * by how close together its dates lie. A mapped CSV takes it too where its mapping was guessed or
   * saved; a mapping given that orders them the other way is refused (formats.ts givenOrderConflict).
   */
  dates?: GivenDayOrder;
  /** the import's own time (epoch ms; default the clock's): dates read in the order given that fall after it are said (GivenOrderDoubt) */
  now?: number;
  /**
   * Who reads the messages: `cli` (default) names the command's options; `app` names the
   * import page's buttons and steps instead (no command-line flags in the window).
   */
  audience?: 'cli' | 'app';
  /**
   * Files of the same command imported before this one: a refusal then says that nothing of this
   * file was imported, not that the ledger is unchanged (it holds theirs). The command line names
   * them, and those after it, once every file was tried (cli/commands/import.ts ledgerClause).
   */
  afterImported?: boolean;
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
  /** the cost and consumption exports' overlap in the whole ledger after this import (ledger/overlap.ts) */
  overlap?: OverlapSummary;
  /**
   * this file's share of it: its own key-days, and those of them the other export covers. Said
   * apart from `overlap`, which spans every batch and was read as describing the file.
   */
  fileOverlap?: BatchOverlap;
  /** people active in the last 30 days of the ledger's history: the seats to propose */
  activeSeats?: number | null;
  /** rows that failed to parse and read as a spreadsheet's summary (`TOTAL`, `Sum`): not data, not errors */
  summaryRows?: number;
  /** the header line again among the rows (monthly exports joined into one file): not data, not errors */
  /** lines above the header that are not data (a title, notes): their physical lines, and the first one's text */
  preamble?: { lines: number[]; text: string; header: number; separatorHint: boolean };
  repeatedHeaders?: number;
  /** the physical lines of the first repeated headers (as many as errors are listed) */
  repeatedHeaderLines?: number[];
  /** what the format guessed from the first rows: the decimal mark, the order of re-saved days */
  guessed?: Guessed;
  /** how the file's bytes were read: encoding, separator, gzip */
  form?: FileForm;
  /**
   * Consumption lines this file added to messages that earlier imports hold in part (an export
   * cut mid-message, then the next one): counted in `imported`, folded into those messages.
   */
  completedMessages?: { messages: number; lines: number };
  /** what the file's new events hold (absent after a bulk import into an empty ledger) */
  found?: FoundSummary;
  /**
   * Duplicates (counted in `duplicates`) whose amount differs from the one the ledger keeps for
   * their identity: a cost export's day exported before it ended, then again. The first `rows`
   * (as many as errors are listed) with their physical lines.
   */
  differingDuplicates?: { count: number; rows: DifferingDuplicate[] };
  /**
   * Rows whose own id an earlier import gave to an event of other content (time, type, subject
   * or cost): duplicates all the same (SPEC §8, the ledger's is kept), said rather than dropped
   * without a word. The first `rows`, as many as errors are listed.
   */
  differingIds?: { count: number; rows: DifferingId[] };
  /** a mapped file's column of times of day that its rows are not read with, or that makes rows imported before count again (findings.ts) */
  timeOfDay?: TimeOfDayNote;
  /** dotted dates (`01.10.2026`) read month first as the mapping says, which they seldom are (findings.ts) */
  dottedMonthFirst?: DottedMonthFirst;
  /** trigger ids whose runs this file gives to more than one agent (findings.ts) */
  triggerAgents?: TriggerAgents;
  /** slash dates read in the order the admin gave, which the file cannot contradict, spread as no export's are (findings.ts) */
  givenOrderDoubt?: GivenOrderDoubt;
  /** the cost export read with its columns renamed: which column as which (renamed-export.ts) */
  recognised?: RecognisedExport;
  /** a file read as a sheet to map that looks like the cost export: its spend counts again beside the export's (renamed-export.ts) */
  exportLike?: ExportLike;
}

/**
 * What a mapped file's time-of-day column did not do, said rather than left to be found as every
 * event at midnight, or as spend counted twice. `batches`: the imports, not undone, whose rows
 * were read without a time of day from files of these columns, and the events they added.
 * - `kept`: the mapping saved from a guess (before such columns were read) leaves `column` out,
 *   and is kept so, since the ledger holds rows read with it: read at their time, they would all
 *   count again;
 * - `left-out`: the mapping given (or saved by the admin for this shape) leaves `column` out;
 * - `again`: the mapping reads `column`, and the ledger holds rows of these columns read at midnight;
 * - `unread`: a column named as a time of day whose cells (`cell`) are not written as one.
 */
export type TimeOfDayNote =
  | { kind: 'kept' | 'again'; column: string; time: string; batches: number[]; events: number }
  | { kind: 'left-out'; column: string; time: string; from: 'mapping' | 'saved'; batches: number[]; events: number }
  | { kind: 'unread'; column: string; time: string; cell: string };

/** A row whose id is in the ledger with other content: each side as `time type subject $cost`. */
export interface DifferingId {
  line: number;
  id: string;
  stored: string;
  file: string;
}

/** A duplicate row of another amount: the ledger keeps `storedMicros`; the file says `fileMicros`. */
export interface DifferingDuplicate {
  line: number;
  storedMicros: number;
  fileMicros: number;
}

/** What a file's new events hold: span, count, spend, distinct keys, triggers, people (as the ledger sums them). */
export type FoundSummary = SeqRangeSummary;

/** A spreadsheet's summary row: a cell saying total or sum. Only rows that fail to parse are asked. */
export function isSummaryRow(fields: readonly string[]): boolean {
  return fields.some((f) => /^(?:grand[\s-]*)?(?:sub[\s-]*)?(?:totals?|sum|summe|gesamt|totaux?|totale)\b/i.test(f.trim()));
}

/** a number as a spreadsheet shows a sum: `1234.5`, `1,234.50`, `$1 234,50`, `(12.00)`, `12 €` */
const SUM_CELL = /^[-+(]?\s*[$€£]?\s*\d[\d.,' \u00a0\u202f]*\)?\s*[$€£]?$/;

/**
 * A sum a spreadsheet added without a label (AutoSum under the amount column): its first cell
 * empty, numbers only, in fewer cells than half the row's, the rest empty. No data row of the
 * exports or of a mapped file is that: each has a time, a subject or a type in words (a number of
 * 9 digits or more, an epoch time, is never taken for a sum). Only rows that fail to parse are asked.
 */
export function isUnlabelledSum(fields: readonly string[]): boolean {
  if (fields.length === 0 || fields[0]!.trim() !== '') return false;
  let numbers = 0;
  for (const f of fields) {
    const v = f.trim();
    if (v === '') continue;
    if (!SUM_CELL.test(v) || /^\d{9,}(?:\.\d*)?$/.test(v)) return false;
    numbers++;
  }
  return numbers > 0 && numbers * 2 < fields.length;
}

/**
 * A record that is not data in a spreadsheet-made file: every field blank (what a spreadsheet
 * writes for an empty row, `,,,,`), or the header again (exports joined one after the other).
 * Only for the platform's exports and mapped CSVs: the canonical events CSV is read exactly as
 * `simulate` reads it, which refuses both.
 */
function notData(fields: readonly string[], header: readonly string[], names: ReadonlySet<string>): 'blank' | 'header' | 'other-header' | null {
  if (fields.every((f) => f.trim() === '')) return 'blank';
  // a first field that is none of the header's names is data; one starting with a digit (the
  // exports' times and days; no column name does) is told without normalizing it, for a
  // million-row file's sake
  const first = fields[0]!.trim().charCodeAt(0);
  if ((first >= 48 && first <= 57) || !names.has(norm(fields[0]!))) return null;
  if (fields.length === header.length && fields.every((f, k) => norm(f) === norm(header[k]!))) return 'header';
  // another export's header (its columns in another order, or one more or fewer): the rows after
  // it are not in this header's columns
  const known = fields.filter((f) => names.has(norm(f))).length;
  return known >= Math.max(3, Math.ceil(header.length / 2)) ? 'other-header' : null;
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
  /** refused for its bad rows (badRowsRefusal), which its message counts; otherwise refused as a whole file */
  badRows = false;
  constructor(message: string, details: InputErrorDetail[], result: ImportResult, format: FormatName | null = result.format) {
    super(message, details);
    this.result = result;
    this.format = format;
  }
}

/** What a refused file's message says of the ledger when nothing else of the command was imported. */
export const LEDGER_UNCHANGED = 'the ledger is unchanged';

/** Refused rows shown in the error message; the rest are counted ("... and 995 more"). */
const SHOWN_ERRORS = 5;

/**
 * The refusal of a file with bad rows, imported without skipping them: nothing is written, the
 * first bad rows are named. Also what the command line's preview (the import's dry run) answers
 * for such a file, from its counts. `ledger`: what is said of the ledger, when another file of the
 * same command went in (`afterImported`, or the command's own words naming those files).
 */
export function badRowsRefusal(name: string, result: ImportResult, audience: ImportOptions['audience'], ledger: boolean | string = false): ImportRefusedError {
  const clause = typeof ledger === 'string' ? ledger : ledger ? 'nothing of it was imported (the files before it were)' : LEDGER_UNCHANGED;
  const details = result.errors.map((e) => ({ file: name, line: e.line, ...(e.column !== null ? { column: e.column } : {}), ...(e.value !== null ? { value: e.value } : {}), message: e.message }));
  const shown = details.slice(0, SHOWN_ERRORS).map(formatDetail);
  if (result.rejected > SHOWN_ERRORS) shown.push(`... and ${result.rejected - SHOWN_ERRORS} more bad row${result.rejected - SHOWN_ERRORS === 1 ? '' : 's'}`);
  const { differingDuplicates: _d, differingIds: _i, ...kept } = result;
  const refused = new ImportRefusedError(
    `${name}: refused, ${result.rejected} bad row${result.rejected === 1 ? '' : 's'}; ${clause} (${audience === 'app' ? 'choose “Import the good rows, list the bad ones” to import the rest' : 'use --skip-bad-rows to import the good rows'})\n${shown.join('\n')}`,
    details,
    { ...kept, batch: null, imported: 0, duplicates: 0, events: 0 },
  );
  refused.badRows = true;
  return refused;
}

const MAX_ERRORS = 1000;
/** messages whose place in the ledger an import remembers (importer's openMessage), the most recent */
const SEEN_MESSAGES = 16384;
const SAMPLE_ROWS = 50;
const PREVIEW_EVENTS = 20;

/** The day order the admin gave (`--dates`), as a mapped file reads it (formats.ts mappingHandler); null when none was. */
function givenOrderOf(whole: WholeFileFacts, audience: 'cli' | 'app'): GivenOrder | null {
  return whole.dayOrderGiven === undefined ? null : { order: whole.dayOrderGiven, now: whole.importTime ?? Date.now(), audience };
}

/** What the admin told of the file before any of it was read. */
function givenFacts(options: ImportOptions): WholeFileFacts {
  return options.dates === undefined ? {} : { dayOrderGiven: options.dates, importTime: options.now ?? Date.now() };
}

export async function importFile(ledger: Ledger, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  let allowWorker = true;
  let allowBulk = true;
  const whole: WholeFileFacts = givenFacts(options);
  for (;;) {
    try {
      return await run(ledger, path, options, false, allowBulk, allowWorker, whole);
    } catch (err) {
      // the parse worker could not start: the same import, parsed on this thread
      if (err instanceof PipelineUnavailable) {
        allowWorker = false;
        continue;
      }
      // the bulk path found the same identity twice in the file: redo it row by row (and count them)
      if (err instanceof BulkConflict) {
        allowBulk = false;
        allowWorker = false;
        continue;
      }
      // re-saved days or amounts the first rows cannot place: the whole file tells, then the same import again
      if (await askWholeFile(err, whole, path, options)) continue;
      throw err;
    }
  }
}

/**
 * When `err` says the first rows could not tell a re-saved file's day order or decimal mark (and
 * the whole file was not asked yet), asks the whole file and records the answer in `whole`: true
 * when the import is to run again with it.
 */
async function askWholeFile(err: unknown, whole: WholeFileFacts, path: string, options: ImportOptions): Promise<boolean> {
  if (err instanceof DayOrderUnknown && whole.dayOrder === undefined) {
    whole.dayOrder = await scanDayOrder(path, options, err.column);
    return true;
  }
  if (err instanceof DecimalUnknown && whole.decimal === undefined) {
    whole.decimal = await scanDecimalMark(path, options, err);
    return true;
  }
  return false;
}

/**
 * The decimal mark of a re-saved file's amount columns, told by the whole file: read until an
 * amount only one reading takes, else to the end (then the file's separator decides for amounts
 * that read two ways, DecimalScan#mark). Only run when the first rows did not tell: an export of
 * mostly whole amounts may show its first `0,5` on its last line.
 */
async function scanDecimalMark(path: string, options: ImportOptions, unknown: DecimalUnknown): Promise<DecimalMark | null> {
  const scan = new DecimalScan(unknown.read);
  const summary = await rescan(path, options, unknown.columns, (cells) => cells.forEach((c) => scan.add(c)), () => scan.decided);
  return scan.mark(summary.form?.delimiter ?? null);
}

/**
 * What a re-saved column's values (`01/09/2026`) tell of their order, over the whole file: read
 * until a day above 12 tells, else to the end; each format then takes what it may (an export its
 * locale and the nearness of its days too, a sheet to map only a part above 12 or dots). Only run
 * when the first rows did not tell: an export's first rows often all fall on its first day.
 */
async function scanDayOrder(path: string, options: ImportOptions, column: string): Promise<DayOrderScan> {
  const scan = new DayOrderScan(SLASH_TIME);
  await rescan(path, options, [column], (cells) => cells.forEach((c) => scan.add(c)), () => scan.decided);
  return scan;
}

/**
 * The file read once more for a guess its first rows left open: each data row's cells of the
 * named `columns` (the header's names), until `enough` says the guess is made.
 */
function rescan(path: string, options: ImportOptions, columns: readonly string[], add: (cells: string[]) => void, enough: () => boolean): ReturnType<typeof readCsvFile> {
  const name = options.displayName ?? basename(path);
  let at: number[] | null = null;
  return readCsvFile(
    path,
    name,
    (fields, _line, problem) => {
      if (problem !== null) return;
      if (at === null) {
        // the header is the record naming every column asked, below any title, notes or `sep=;`
        // above it (preamble.ts): taken for the header, a title named none of them, and the whole
        // file told nothing (a day above 12 on line 64 was "no row of the file tells")
        const found = columns.map((c) => fields.findIndex((f) => f.trim() === c));
        if (!found.includes(-1)) at = found;
        return;
      }
      if (at.length) add(at.map((i) => fields[i] ?? ''));
    },
    {
      signal: options.signal,
      ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
      ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
      ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
      enough,
    },
  );
}

/** A message of the consumption export while its lines are read (importer's fold). */
interface OpenMessage {
  ident: string;
  type: EventTypeCode;
  subject: string;
  /** the physical line of its first line in this file */
  line: number;
  /** its event when the ledger has one (counted, or held back when `held`) */
  at: { time: number; seq: number } | null;
  held: boolean;
  /** folded before lines had identities: takes no more lines */
  legacy: boolean;
  /** the seq this batch gives the message, once it adds a line */
  seq: number | null;
  /** new lines, their cost and earliest time */
  lines: number;
  cost: number;
  time: number;
  /** every line's cost in this file, new or not: what a preview shows of a message the ledger holds */
  fileCost: number;
}

class BulkConflict extends Error {}
class PipelineUnavailable extends Error {}

/** Below this size a worker's start-up costs more than the overlap gains. */
const PIPELINE_MIN_BYTES = 4 << 20;
/** page cache during a pipelined import, in KiB */
const PIPELINE_CACHE_KIB = 16384;
/** the parse worker's young generation: its garbage is short-lived, a small nursery keeps RSS down */
const PARSE_YOUNG_MB = 8;

/**
 * The parse worker: src/entries/import-parse-worker.ts, or the desktop app's bundle's
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
export async function previewImport(ledger: Ledger, path: string, options: ImportOptions = {}): Promise<PreviewResult> {
  const whole: WholeFileFacts = givenFacts(options);
  for (;;) {
    try {
      return (await run(ledger, path, options, true, false, false, whole)) as PreviewResult;
    } catch (err) {
      if (!(await askWholeFile(err, whole, path, options))) throw err;
    }
  }
}

/** An event as a finding shows it: `2026-10-01T10:00:00Z api k1 $0.50` (a message has no cost). */
function eventText(time: number, type: EventTypeCode, subject: string, cost: number): string {
  const name = EVENT_TYPE_NAMES[type];
  return `${isoOf(time).replace('.000Z', 'Z')} ${name} ${subject}${name === 'message' ? '' : ` ${formatUsd(cost)}`}`;
}

/** A format as the admin knows it, for messages. */
const FORMAT_WORDS: Record<FormatName, string> = {
  events: 'canonical events CSV',
  'dust-cost': "platform's cost export",
  'dust-consumption': "platform's consumption export",
  mapping: 'CSV to map',
};

/** Handlers that only add events (no folding into earlier ones) may take the bulk path. */
const BULK_FORMATS: ReadonlySet<FormatName> = new Set(['events', 'mapping']);

/** `whole`: the day order and decimal mark the whole file told (askWholeFile), when its first rows did not. */
async function run(
  ledger: Ledger,
  path: string,
  options: ImportOptions,
  dryRun: boolean,
  allowBulk: boolean,
  allowWorker: boolean,
  whole: WholeFileFacts = {},
): Promise<ImportResult | PreviewResult> {
  const name = options.displayName ?? basename(path);
  const skipBad = options.skipBadRows === true || dryRun;
  const requested: FormatName | 'auto' = options.mapping !== undefined ? 'mapping' : (options.format ?? 'auto');
  // a mapping refused for its own fields is said once the header is known, after the columns it
  // names that the file lacks (mappingRefusal): those are the first thing to put right
  let given: ColumnMapping | null = null;
  let givenRefused: InputError | null = null;
  if (options.mapping !== undefined) {
    try {
      given = parseColumnMapping(options.mapping, options.mappingName ?? 'mapping');
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      givenRefused = err;
    }
  }

  let header: string[] | null = null;
  /** the header's names as compared (norm), and its physical line */
  let headerNames: Set<string> | null = null;
  let headerLine = 1;
  let handler: FormatHandler | null = null;
  let pending: { fields: string[]; line: number; problem: string | null }[] = [];
  let missing: string[] = [];
  // the mapping was guessed from this file (or from an earlier one of its shape), not given: saved as such
  let mappingGuessed = false;
  let profileSource: 'ledger' | 'default' | undefined;
  // a preview whose columns cannot be mapped yet needs only the header and the first rows
  let undecided = false;
  // lines end in CR alone (old Mac "CSV (Macintosh)"): read as LF by the reader, except in the canonical events CSV
  let crLineEnds = false;
  // the file's field separator, once the reader knows it: a `;` is what a day-first locale writes (formats.ts localeSign)
  let separator: FileForm['delimiter'] | null = null;
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
  const dup = { ident: [] as string[], line: [] as number[], time: [] as number[], type: [] as number[], subject: [] as number[], cost: [] as number[], name: [] as string[] };
  const checkDuplicateIds = (): void => {
    if (dup.ident.length === 0) return;
    const found = new Map<string, [string, number, number, number, number]>();
    for (const r of session!.events.eventsSince(dup.ident, firstSeq)) found.set(r[0], r);
    // ids an earlier import gave: kept as the ledger has them (SPEC §8), but other content is said
    const earlier = dup.ident.filter((i) => !found.has(i));
    const before = new Map<string, [string, number, number, string, number]>();
    if (earlier.length > 0) for (const r of session!.events.eventsBefore(earlier, firstSeq)) before.set(r[0], r);
    for (let k = 0; k < dup.ident.length; k++) {
      const b = before.get(dup.ident[k]!);
      if (b !== undefined && !(b[1] === dup.time[k] && b[2] === dup.type[k] && b[3] === dup.name[k] && b[4] === dup.cost[k])) {
        const d = (result.differingIds ??= { count: 0, rows: [] });
        d.count++;
        if (d.rows.length < MAX_ERRORS) {
          d.rows.push({ line: dup.line[k]!, id: dup.ident[k]!, stored: eventText(b[1], b[2] as EventTypeCode, b[3], b[4]), file: eventText(dup.time[k]!, dup.type[k] as EventTypeCode, dup.name[k]!, dup.cost[k]!) });
        }
      }
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

  // the import's write transaction (ledger/import-session.ts), begun below before the file is read
  let session: ImportSession | null = null;
  // spend per scope and the subjects it went to, rows per scope and day, entity facts
  const scopes = new Map<string, Set<string>>();
  const scopeRows = new Map<string, number>();
  const facts = new EntityFacts();
  // the last spend and fact a row gave (EntityFacts#add of the same fact again changes nothing)
  let lastSpend = { scope: '', subject: '', day: Number.NaN, key: '' };
  let lastFact: EntityFact | null = null;
  // each trigger's agents and modes, line by line: trigger ids a later row gives another agent
  const triggerAgents = new TriggerAgentWatch();
  let seq = 0;
  let firstSeq = 0;
  // the ledger's latest event before this import: a row without an id from later on cannot be
  // in the ledger yet (the file's own rows differ in content or occurrence), so it needs no lookup
  let latestBefore = Number.POSITIVE_INFINITY;
  let bulk = false;

  // The consumption export's message whose lines are being read (they come together): its new
  // lines' cost is summed here and written to its event once, when the next message starts.
  let message: OpenMessage | null = null;
  // lines added to messages that earlier batches hold (an overlapping export completing them)
  const completed = { lines: 0, messages: 0 };
  const elsewhere: { subject: string; day: number; micros: number }[] = [];
  // Messages this file already opened, as their last close left them: an export in time order
  // interleaves the lines of concurrent messages, and asking the ledger again at each switch (the
  // message's lines so far included) made two messages of 20k alternating lines take minutes.
  const seen = new Map<string, Pick<OpenMessage, 'at' | 'held' | 'legacy' | 'seq'>>();
  const openMessage = (ident: string, time: number, type: EventTypeCode, subject: string): OpenMessage => {
    const writer = session!.events;
    const m: OpenMessage = { ident, type, subject, line: currentLine, at: null, held: false, legacy: false, seq: null, lines: 0, cost: 0, time, fileCost: 0 };
    const known = seen.get(ident);
    if (known !== undefined) return { ...m, ...known, at: known.at === null ? null : { ...known.at } };
    let at = writer.findIdent(ident);
    if (at === undefined) {
      at = writer.findHeldIdent(ident);
      m.held = at !== undefined;
    }
    if (at === undefined) return m;
    m.at = at;
    // the event's lines say whether it predates line identities, and which seq this batch gave it
    for (const [line, lineSeq] of writer.linesOf(at.seq)) {
      if (line === -1) m.legacy = true;
      if (lineSeq >= firstSeq) m.seq = lineSeq;
    }
    return m;
  };
  const closeMessage = (): void => {
    const m = message;
    message = null;
    if (m === null) return;
    if (m.lines > 0) {
      if (m.at === null) {
        session!.events.insert(m.time, m.seq!, m.type, session!.subjectId(m.subject), m.cost, m.ident, null);
        result.events++;
      } else {
        session!.events.addCost(m.cost, m.time, m.at.time, m.at.seq, m.held);
        if (m.at.seq < firstSeq) {
          completed.lines += m.lines;
          completed.messages++;
          // its spend is this batch's too, on the event's day (ledger/overlap.ts)
          elsewhere.push({ subject: m.subject, day: m.at.time - (m.at.time % DAY), micros: m.cost });
        }
      }
    }
    if (dryRun && result.firstEvents.length < PREVIEW_EVENTS) {
      // a duplicate shows what its lines cost in the file (it adds nothing), a new event what it adds
      result.firstEvents.push(previewEvent(m.line, m.time, m.type, m.subject, m.lines === 0 ? m.fileCost : m.cost, m.ident, m.lines === 0));
    }
    // where the message's event is now (made, or its time moved to its earliest line), for its next lines
    const at = m.lines === 0 ? m.at : m.at === null ? { time: m.time, seq: m.seq! } : { time: Math.min(m.at.time, m.time), seq: m.at.seq };
    // forgotten all at once when full (a forgotten message asks the ledger again): evicting the
    // oldest one at a time walks the map's deleted slots and cost more than it saved
    if (seen.size >= SEEN_MESSAGES && !seen.has(m.ident)) seen.clear();
    seen.set(m.ident, { at, held: m.held, legacy: m.legacy, seq: m.seq });
  };

  // Bulk path (into an empty ledger): every row is added, BULK_ROWS at a time (EventWriter#bulk)
  const realSink: EventSink = {
    add(time, type, subject, cost, ident, occurrence, givenId) {
      const writer = session!.events;
      if (bulk) {
        writer.bulk(time, seq++, type, session!.subjectId(subject), cost, ident, ident === null ? occurrence : null);
        result.events++;
        return true;
      }
      const subjectId = session!.subjectId(subject);
      const added =
        ident === null
          ? (time > latestBefore || !writer.hasContent(time, type, subjectId, cost, occurrence)) && writer.insert(time, seq, type, subjectId, cost, null, occurrence)
          : !writer.isHeld(ident) && writer.insert(time, seq, type, subjectId, cost, ident, null);
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
        dup.name.push(subject);
        if (dup.ident.length >= ID_CHECK) checkDuplicateIds();
      }
      if (dryRun && result.firstEvents.length < PREVIEW_EVENTS) {
        result.firstEvents.push(previewEvent(currentLine, time, type, subject, cost, ident ?? contentIdentity(time, type, subject, cost, occurrence), !added));
      }
      return added;
    },
    fold(time, type, subject, cost, ident, line, occ, amount, amountOcc, cells) {
      const writer = session!.events;
      let m = message;
      if (m === null || m.ident !== ident) {
        closeMessage();
        m = message = openMessage(ident, time, type, subject);
      }
      m.fileCost += cost;
      // a message the ledger folded before lines had identities (ledger/migrations/006) takes no more lines
      if (m.legacy) return 'duplicate';
      // one seq per message and batch, given at its first new line: inside the batch's seq
      // range, so that undo finds the line; the event's seq when this batch makes the event
      if (m.seq === null) m.seq = seq++;
      if (m.at === null) writer.queueLine(m.seq, line, occ, m.seq, time, cost, amount, amountOcc, cells);
      else if (!writer.insertLine(m.at.seq, line, occ, m.seq, time, cost, amount, amountOcc, cells)) return 'duplicate';
      m.lines++;
      m.cost += cost;
      m.time = Math.min(m.time, time);
      return m.at === null ? 'new' : 'merged';
    },
    spend(scope, subject, day) {
      // the lines of one message come together: the same scope, subject and day as the last line
      if (scope !== lastSpend.scope || subject !== lastSpend.subject || day !== lastSpend.day) {
        let subjects = scopes.get(scope);
        if (subjects === undefined) scopes.set(scope, (subjects = new Set()));
        subjects.add(subject);
        lastSpend = { scope, subject, day, key: `${scope}\u0000${day}` };
      }
      scopeRows.set(lastSpend.key, (scopeRows.get(lastSpend.key) ?? 0) + 1);
    },
    entity(fact) {
      const l = lastFact;
      if (l !== null && l.type === fact.type && l.subject === fact.subject && l.label === fact.label && l.mode === fact.mode && l.kind === fact.kind && l.agent === fact.agent) return;
      lastFact = fact;
      facts.add(fact);
      if (fact.type === EventType.trigger && fact.agent !== undefined && fact.agent !== '') triggerAgents.add(fact.subject, fact.agent, fact.mode, currentLine);
    },
    storedCost(idents) {
      return session!.events.storedCost(idents);
    },
    costCoversDay(day) {
      return session!.events.costCoversDay(day);
    },
    costDiffers(storedMicros, fileMicros) {
      const d = (result.differingDuplicates ??= { count: 0, rows: [] });
      d.count++;
      if (d.rows.length < MAX_ERRORS) d.rows.push({ line: currentLine, storedMicros, fileMicros });
    },
  };
  // once a file is refused, the remaining rows are only checked, to list their errors
  const checkSink: EventSink = { add: () => true, fold: () => 'new', spend: () => {}, entity: () => {}, storedCost: () => null, costDiffers: () => {}, costCoversDay: () => false };

  /** what is said of a file asked to be read as another format than its header's */
  const wrongFormatHint = (is: FormatName, asked: FormatName): string =>
    `this is the ${FORMAT_WORDS[is]}, not the ${FORMAT_WORDS[asked]}: ${options.audience === 'app' ? 'choose “Detect automatically”' : `import it with --format ${is} or auto`}`;

  const makeHandler = (): FormatHandler => {
    const h = header!;
    // the first rows that are data: what the mapping, the decimal separator and the dates are guessed from
    // (a TOTAL row among them is no date nor amount to guess from: it left the dates undecided)
    const samples = pending.filter((p) => p.problem === null && notData(p.fields, h, headerNames!) === null && !isSummaryRow(p.fields) && !isUnlabelledSum(p.fields)).map((p) => p.fields);
    if (givenRefused !== null) throw mappingRefusal(name, headerLine, h, options.mapping, givenRefused);
    let format: FormatName | null = requested === 'auto' ? detectFormat(h) : requested;
    let mapping: ColumnMapping | null = given;
    // the cost export with its header renamed (`Date,Agent,API Key,Source,Spend (USD)`), told by
    // its columns' meaning and its first rows: read as a sheet to map, each day's spend fell at
    // midnight under a sheet's identities, so the export and the consumption export counted it
    // again, and `N/A` became a key (renamed-export.ts)
    const likeness = format === null || format === 'mapping' || format === 'dust-cost' ? costExportLikeness(h, samples) : null;
    if (format === 'mapping' && given === null) {
      // a mapping guessed for a known export reads it wrongly (a cost row's day at midnight, N/A
      // as a key): refused as a mapping that does not fit it is, naming the export
      const is = detectFormat(h) ?? (likeness?.kind === 'confident' ? 'dust-cost' : null);
      if (is !== null) {
        const message = wrongFormatHint(is, 'mapping');
        throw new InputError(`${name}:${headerLine}: ${message}`, [{ file: name, line: headerLine, value: h.join(','), message }]);
      }
    }
    let costColumns: CostColumns | undefined;
    if (format === null && likeness?.kind === 'confident') {
      // a mapping the admin saved for this shape of file says how they read it; one the importer
      // guessed (before renamed exports were told) does not
      const saved = session!.getMapping(shapeOf(h));
      if (saved === null || saved.fromGuess) {
        format = 'dust-cost';
        costColumns = likeness.columns;
      }
    }
    if (format === 'dust-cost') {
      // told by the file (or the names alone, for a header the export's own names mostly tell): a
      // `Type` of api and trigger is the source column with --format dust-cost too
      costColumns ??= likeness?.kind === 'confident' ? likeness.columns : undefined;
      const columns = costColumns ?? costColumnsByName(h);
      const matched = costColumns !== undefined && likeness?.kind === 'confident' ? likeness.matched : matchedByName(h, columns);
      if (renamedColumns(matched).length > 0) result.recognised = { export: 'dust-cost', columns: matched, sheetsBefore: sheetsReadAs(h, columns) };
      costColumns = columns;
    }
    /** said when a file like the cost export is read as a sheet to map (ExportLike): its spend counts again beside the export's */
    const noteExportLike = (read: ExportLike['read'], m: ColumnMapping | null): void => {
      if (likeness === null) return;
      const noKey = likeness.noKeyColumn;
      result.exportLike = {
        export: 'dust-cost',
        read,
        matched: likeness.matched,
        unmatched: likeness.kind === 'partial' ? likeness.unmatched : [],
        reasons: likeness.kind === 'partial' ? likeness.reasons : [],
        noKeyAsKey: noKey !== null && (m === null || norm(m.subject) === norm(noKey)) ? noKey : null,
      };
    };
    // a mapping guessed from the first rows: its decimal mark and day order are settled by the whole file when those rows cannot
    let guessedFrom: GuessedFrom | null = null;
    // a mapping not guessed from this file: given, or saved for its shape (said with its day order)
    let source: 'mapping' | 'saved' = 'mapping';
    let savedGuess = false;
    if (format === null || (format === 'mapping' && mapping === null)) {
      const saved = session!.getMapping(shapeOf(h));
      if (saved !== null) {
        mapping = parseColumnMapping(saved.mapping, 'saved mapping');
        source = 'saved';
        if (saved.fromGuess) {
          // what an earlier file of this shape told (its decimal mark, its dates' form and order)
          // is not pinned on this one: a copy saved in another locale decides its own, as a guess would
          const ti = h.map(norm).indexOf(norm(mapping.time));
          const dates = ti === -1 ? null : guessDateFormat(samples.map((r) => r[ti] ?? ''));
          const earlierOrder = mapping.dateFormat === 'dmy' || mapping.dateFormat === 'mdy' ? mapping.dateFormat : null;
          const earlier = { decimal: mapping.decimal, dayOrder: earlierOrder };
          if (dates !== null) mapping = { ...mapping, dateFormat: dates };
          // a guess saved before time-of-day columns were read has none: this file's guess completes
          // it, unless the ledger holds rows read without it (then they would all count again, at
          // their time: the saved reading stands, and is said, timeOfDayNote)
          if (mapping.timeOfDay === null) {
            const column = guessTimeOfDay(h, samples, mapping.time, mapping.dateFormat);
            if (column !== null && readWithout(mapping).length === 0) mapping = { ...mapping, timeOfDay: column };
          }
          savedGuess = true;
          // what the earlier file told stands only where this one tells nothing
          guessedFrom = { samples, whole: { ...whole }, earlier };
        }
      } else {
        const guess = guessMapping(h, samples);
        mapping = guess.mapping;
        missing = guess.missing;
        guessedFrom = { samples, whole: { ...whole } };
      }
      mappingGuessed = guessedFrom !== null;
      noteExportLike(source === 'saved' && !savedGuess ? 'saved' : 'guess', mapping);
      format = 'mapping';
      detected = 'mapping';
      result.format = 'mapping';
      if (dryRun && options.audience === 'app' && (mapping === null || missing.length > 0)) {
        // the app's preview answers with what it read (header, first rows, what is undecided):
        // its mapping step asks the admin, rather than the preview failing; the rest of the file
        // is not read. The command line's is the import's dry run: refused below, as it would be.
        undecided = true;
        return { format: 'mapping', mapping: null, row: () => 'new' };
      }
      if (mapping !== null && missing.length > 0) {
        const message = `the mapping needs: ${missing.join(', ')}`;
        throw new InputError(`${name}:${headerLine}: ${message}`, [{ file: name, line: headerLine, value: h.join(','), message }]);
      }
      if (mapping === null) {
        const like = result.exportLike === undefined ? '' : `${exportLikeText(name, result.exportLike, options.audience === 'app' ? 'app-preview' : 'cli-preview')} `;
        const message =
          `not a known export (header: ${h.join(',')}) and its columns could not be mapped (undecided: ${missing.join(', ')}). ${like}` +
          'Accepted: events (timestamp,type,subject,cost_usd[,id]), dust-cost (date,agent_name,api_key,source,total_spend_usd), ' +
          `dust-consumption (completedAt,agentMessageId,contextOrigin,...,totalCredits), or any CSV with a column mapping (${options.audience === 'app' ? 'map its columns in the preview' : '--mapping FILE.json'})`;
        throw new InputError(`${name}:${headerLine}: ${message}`, [{ file: name, line: headerLine, value: h.join(','), message }]);
      }
    }
    result.format = format;
    detected = format;
    if (format === 'mapping' && given !== null && mapping === given) noteExportLike('mapping', mapping);
    if (format === 'mapping' && mapping !== null) {
      const note = timeOfDayNote(h, samples, mapping, savedGuess ? 'saved-guess' : source);
      if (note !== null) result.timeOfDay = note;
    }
    try {
      return handlerOf(format, h, samples, mapping, guessedFrom, source, costColumns);
    } catch (err) {
      // `--format` named another export than the file is: say which one it is
      const is = requested !== 'auto' ? detectFormat(h) : null;
      if (!(err instanceof InputError) || is === null || is === format || err.message.includes('this is the')) throw err;
      const hint = wrongFormatHint(is, format);
      throw new InputError(`${err.message}; ${hint}`, err.details.map((d) => ({ ...d, message: `${d.message}; ${hint}` })));
    }
  };

  /**
   * The imports not undone whose rows were read from files of `m`'s columns without a time of day:
   * rows of theirs read with one now would not find them (their time is another) and count again.
   */
  const readWithout = (m: ColumnMapping): { id: number; events: number }[] => {
    const same = (a: unknown, b: string | null): boolean => (a === undefined || a === null ? b === null : typeof a === 'string' && b !== null && norm(a) === norm(b));
    return session!.liveMappedBatches().filter((b) => {
      if (typeof b.mapping !== 'object' || b.mapping === null) return false;
      const o = b.mapping as Record<string, unknown>;
      return same(o.timeOfDay, null) && same(o.time, m.time) && same(o.subject, m.subject) && same(o.cost, m.cost);
    });
  };

  /** What the file's time-of-day column did not do (TimeOfDayNote), or null. */
  const timeOfDayNote = (h: string[], samples: string[][], m: ColumnMapping, from: 'mapping' | 'saved' | 'saved-guess'): TimeOfDayNote | null => {
    if (m.dateFormat === 'epoch-ms' || m.dateFormat === 'epoch-s') return null;
    const held = readWithout(m);
    const batches = { batches: held.map((b) => b.id), events: held.reduce((s, b) => s + b.events, 0) };
    if (m.timeOfDay !== null) return held.length > 0 ? { kind: 'again', column: m.timeOfDay, time: m.time, ...batches } : null;
    const column = guessTimeOfDay(h, samples, m.time, m.dateFormat);
    if (column !== null) return from === 'saved-guess' ? { kind: 'kept', column, time: m.time, ...batches } : { kind: 'left-out', column, time: m.time, from, ...batches };
    const unread = unreadTimeOfDay(h, samples, m.time, m.dateFormat);
    return unread === null ? null : { kind: 'unread', time: m.time, ...unread };
  };

  /**
   * The imports not undone that read files of these columns (the cost export's, renamed) as a sheet
   * to map: a mapping whose time and cost columns are the file's date and amount. Their rows are
   * under a sheet's identities, so this file's rows, read as the export's, do not find them.
   */
  const sheetsReadAs = (h: string[], columns: CostColumns): RecognisedExport['sheetsBefore'] => {
    if (columns.date === undefined || columns.total_spend_usd === undefined) return null;
    const date = norm(h[columns.date]!);
    const spend = norm(h[columns.total_spend_usd]!);
    const live = session!.liveMappedBatches().filter((b) => {
      const o = typeof b.mapping === 'object' && b.mapping !== null ? (b.mapping as Record<string, unknown>) : {};
      return typeof o.time === 'string' && typeof o.cost === 'string' && norm(o.time) === date && norm(o.cost) === spend;
    });
    return live.length === 0 ? null : { batches: live.map((b) => b.id), events: live.reduce((a, b) => a + b.events, 0) };
  };

  const handlerOf = (
    format: FormatName,
    h: string[],
    samples: string[][],
    mapping: ColumnMapping | null,
    guessedFrom: GuessedFrom | null,
    source: 'mapping' | 'saved',
    costColumns: CostColumns | undefined,
  ): FormatHandler => {
    switch (format) {
      case 'events':
        // the canonical events CSV stays as strict as simulate, which refuses old Mac line ends
        if (crLineEnds) throw new InputError(`${name}:${headerLine}: ${CR_ONLY_MESSAGE}`, [{ file: name, line: headerLine, message: CR_ONLY_MESSAGE }]);
        return eventsHandler(h, name, options.audience ?? 'cli');
      case 'dust-cost': {
        const profile = learnHourProfile(session!.apiSpendByHour());
        profileSource = profile.source;
        return dustCostHandler(h, name, profile.weights, samples, { ...whole }, separator, options.audience ?? 'cli', costColumns);
      }
      case 'dust-consumption':
        return dustConsumptionHandler(h, name, samples, { ...whole }, separator, options.audience ?? 'cli');
      case 'mapping':
        return mappingHandler(h, name, mapping!, guessedFrom, samples, source, givenOrderOf(whole, options.audience ?? 'cli'), options.audience ?? 'cli');
    }
  };

  /**
   * The header again (files joined with `cat`): the rows after it are another file's, whose
   * occurrences the handler numbers afresh (SPEC §8). A row of it may then stand for one this
   * import wrote before the header, which neither the bulk path (it looks nothing up) nor the
   * shortcut for rows later than the ledger's latest (`latestBefore`) would notice: the import is
   * redone row by row, every row looked up.
   */
  const nextFile = (): void => {
    if (handler!.newFile === undefined) return;
    handler!.newFile();
    if (bulk) throw new BulkConflict();
    latestBefore = Number.POSITIVE_INFINITY;
  };

  const handle = (fields: string[], line: number, problem: string | null): void => {
    currentLine = line;
    // the canonical events CSV refuses its header again as a bad row, as simulate does; with
    // the good rows imported, those after it are still another file's
    const eventsHeaderAgain = problem === null && handler!.format === 'events' && notData(fields, header!, headerNames!) === 'header';
    if (eventsHeaderAgain) nextFile();
    if (problem === null && handler!.format !== 'events') {
      const skip = notData(fields, header!, headerNames!);
      // a blank row is no row, as a blank line is; a repeated header is counted and said
      if (skip === 'blank') return;
      // read under the first header, the rows after it would go to other columns: refused whole,
      // even with --skip-bad-rows, rather than read a source as an agent
      if (skip === 'other-header') {
        const message = `the header again, with other columns or in another order than line ${headerLine}'s (files exported differently, joined): import each file on its own`;
        throw new InputError(`${name}:${line}: ${message}`, [{ file: name, line, value: fields.join(',').slice(0, 200), message }]);
      }
      // not data, so not in `rows`: SPEC §8's imported + duplicates + rejected = rows holds
      if (skip === 'header') {
        // the next export's lines: a message open across the join is closed, so that its lines
        // again after it are looked up among those recorded (as in another file), not only queued
        closeMessage();
        nextFile();
        result.repeatedHeaders = (result.repeatedHeaders ?? 0) + 1;
        const lines = (result.repeatedHeaderLines ??= []);
        if (lines.length < MAX_ERRORS) lines.push(line);
        return;
      }
    }
    try {
      if (problem !== null) throw new RowError(undefined, undefined, problem);
      // said as what it is: read as an event, its first cell was "not an ISO 8601 time"
      if (eventsHeaderAgain) throw new RowError(header![0], fields[0], `is the header line again (files joined one after the other?), not an event: the canonical events CSV refuses it, as simulate does`);
      for (let k = 0; k < fields.length; k++) {
        if (fields[k]!.length > MAX_FIELD_CHARS) {
          throw new RowError(header![k] ?? `(field ${k + 1})`, `${fields[k]!.slice(0, 40)}...`, fieldTooLong(fields[k]!.length));
        }
      }
      const outcome = handler!.row(fields, line, failed ? checkSink : realSink);
      result.rows++;
      if (!failed) {
        if (outcome === 'new') result.imported++;
        else result.duplicates++;
      }
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      // a spreadsheet's TOTAL row is not data either: counted apart, not in `rows`
      if (problem === null && (isSummaryRow(fields) || (handler!.format !== 'events' && isUnlabelledSum(fields)))) {
        result.summaryRows = (result.summaryRows ?? 0) + 1;
        return;
      }
      result.rows++;
      result.rejected++;
      if (result.errors.length < MAX_ERRORS) {
        // a byte order mark inside the file (a second file's, joined) is invisible in a message: not shown
        result.errors.push({ line, column: err.column ?? null, value: err.value === undefined ? null : err.value.replace(/^\uFEFF/, ''), message: err.message });
      }
      if (!skipBad) failed = true;
    }
  };

  /** the file's first non-blank records, until it is decided which is the header (src/import/preamble.ts) */
  let lead: { fields: string[]; line: number; problem: string | null }[] | null = [];
  const decideHeader = (): void => {
    const records = lead ?? [];
    lead = null;
    const k = headerIndex(records);
    if (k > 0) {
      result.preamble = { lines: records.slice(0, k).map((r) => r.line), text: preambleText(records[0]!.fields), header: records[k]!.line, separatorHint: isSeparatorHint(records[0]) };
    }
    for (const r of records.slice(k)) sink(r.fields, r.line, r.problem);
  };

  const sink = (fields: string[], line: number, problem: string | null): void => {
    if (lead !== null) {
      // blank lines before the first are skipped, as before a header; later ones are the file's to judge
      if (lead.length === 0 && problem === null && fields.every((f) => f.trim() === '')) return;
      lead.push({ fields, line, problem });
      if (lead.length >= LEAD_RECORDS) decideHeader();
      return;
    }
    if (header === null) {
      header = readHeaderRecord(fields, line, problem, name);
      if (header === null) return;
      headerNames = new Set(header.filter((h) => h !== '').map(norm));
      headerLine = line;
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
      session!.canDropIdentIndex()
    ) {
      session!.dropIdentIndex();
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
    const worker = new WorkerClient<ParseMethods>(url, { name: "the import's parse worker", resourceLimits: { maxYoungGenerationSizeMb: PARSE_YOUNG_MB } });
    const queue: FromParser[] = [];
    let wake: (() => void) | null = null;
    let stopped: Error | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    worker
      .call('parse', data, {
        onEmit: (m) => {
          queue.push(m);
          notify();
        },
      })
      .then(
        // its last message (done, or the file's error) came before this
        () => (stopped ??= new Error("the import's parse worker ended before the end of the file")),
        (err: unknown) => (stopped ??= err as Error),
      )
      .finally(notify);
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
        // files joined: redone on this thread, row by row (nextFile)
        if (m.kind === 'joined') throw new BulkConflict();
        if (m.kind === 'done') {
          header = fileHeader;
          result.header = fileHeader;
          // only a UTF-8, comma-separated events file is pipelined (eventsHeaderOf)
          return { size: m.size, sha256: m.sha256, form: { encoding: 'utf-8', delimiter: ',', gzip: false } };
        }
        const { n, time, type, subject, cost, idents, occ, subjects } = m;
        if (subjects.length > batchIds.length) batchIds = new Int32Array(subjects.length * 2);
        for (let k = 0; k < subjects.length; k++) batchIds[k] = session!.subjectId(subjects[k]!);
        const writer = session!.events;
        for (let i = 0; i < n; i++) {
          const ident = idents === null ? null : idents[i]!;
          writer.bulk(time[i]!, seq++, type[i]!, batchIds[subject[i]!]!, cost[i]!, ident, ident === null ? occ![i]! : null);
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
      void worker.close();
    }
  };

  session = ledger.beginImport();
  let committed = false;
  let restoreCache: (() => void) | null = null;
  try {
    const batchId = session.batchId;
    // seqs continue after every batch ever imported (undone ones too): never reused
    firstSeq = session.firstSeq;
    latestBefore = session.latestBefore;
    seq = firstSeq;
    let piped = false;
    if (pipeline && session.canDropIdentIndex()) {
      // as the bulk path below: the identity index is built once at the end
      session.dropIdentIndex();
      bulk = true;
      piped = true;
      // Rows go in in key order: a small page cache writes them out as well, and the parse
      // worker's heap then fits beside it under the memory budget. Restored below.
      restoreCache = session.cacheKib(PIPELINE_CACHE_KIB);
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
          onCrLineEnds: () => {
            crLineEnds = true;
          },
          onDelimiter: (d) => {
            separator = d;
          },
          onChunk: (p) => options.onProgress?.({ rows: result.rows, bytes: p.bytes, totalBytes: p.totalBytes }),
        });
    if (lead !== null) decideHeader();
    if (header === null) throw new InputError(`${name}: the file is empty; expected a CSV header line`, [{ file: name, line: 1, message: 'no header line' }]);
    if (handler === null && !piped) flush();
    closeMessage();
    session.events.flushLines();
    if (completed.messages > 0 && !failed) result.completedMessages = { ...completed };
    if (options.signal?.aborted) throw new CancelledError();
    result.mapping = (handler as FormatHandler | null)?.mapping ?? null;
    const shared = triggerAgents.result();
    if (shared !== null) result.triggerAgents = shared;
    const dotted = (handler as FormatHandler | null)?.dottedMonthFirst?.() ?? null;
    if (dotted !== null) result.dottedMonthFirst = dotted;
    let guessed = (handler as FormatHandler | null)?.guessed;
    const givenOrder = (handler as FormatHandler | null)?.givenDayOrder?.();
    if (givenOrder !== undefined) {
      if (givenOrder.doubt !== null) result.givenOrderDoubt = givenOrder.doubt;
      // the first rows' forms, with the slash dates a later row wrote (the "read as" line names the order given only for those)
      const forms = guessed?.dates ?? [];
      if (guessed !== undefined && givenOrder.slashDates && !forms.includes('slash')) guessed = { ...guessed, dates: [...forms, 'slash'] };
    }
    // an order the first rows only guessed by nearness that a later row told: said as told by it
    const toldLater = (handler as FormatHandler | null)?.orderToldLater?.() ?? null;
    if (guessed !== undefined && toldLater !== null) guessed = { ...guessed, dayOrderBy: 'rows', dayOrderToldBy: toldLater };
    if (guessed !== undefined && !undecided) result.guessed = guessed;
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
      delete result.differingDuplicates;
      delete result.differingIds;
      result.events = 0;
      if (!dryRun) throw badRowsRefusal(name, result, options.audience, options.afterImported === true);
    }
    const lastSeq = seq - 1;
    if (bulk && session.finishBulk() === 'conflict') throw new BulkConflict();
    session.closeBatch({
      fileName: name,
      fileSize: read.size,
      sha256: read.sha256,
      format: result.format,
      mapping: result.mapping,
      rows: result.rows,
      imported: result.imported,
      duplicates: result.duplicates,
      rejected: result.rejected,
      events: result.events,
      seqs: lastSeq >= firstSeq ? { first: firstSeq, last: lastSeq } : null,
    });
    if (result.format === 'mapping' && result.mapping !== null) session.saveMapping(shapeOf(header), header, result.mapping, mappingGuessed);
    // before the overlap moves any of them: what the file itself holds
    if (!bulk && lastSeq >= firstSeq) result.found = session.summarize(firstSeq, lastSeq);
    if (scopes.size > 0 && lastSeq >= firstSeq) {
      const spend = session.recordSpend(result.format === 'dust-cost' ? 'cost' : 'consumption', firstSeq, lastSeq, scopes, result.format === 'dust-cost' ? scopeRows : null, elsewhere);
      result.overlap = spend.ledger;
      result.fileOverlap = spend.batch;
    }
    if (facts.size > 0) session.saveFacts(facts);
    // two passes over the events: only for the exports that carry people's messages by name,
    // not for a canonical CSV (the 1M-row import keeps its time; the app counts seats itself)
    if (result.format === 'dust-consumption' || result.format === 'mapping') result.activeSeats = session.activeSeats();
    if (dryRun) {
      result.batch = null;
      // one file of a set previewed together (Ledger.previewSet): kept for the next file to see,
      // in the set's transaction, which is rolled back at its end; unless its import would be
      // refused for its bad rows (then it adds nothing for the next file to see)
      if (session.inSet && (result.rejected === 0 || options.skipBadRows === true)) {
        session.commit();
        committed = true;
      }
      return result;
    }
    session.commit();
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
    if (!committed) session.rollback();
    restoreCache?.();
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
