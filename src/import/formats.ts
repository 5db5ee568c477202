import { hash } from 'node:crypto';
import { z } from 'zod';
import { EventType } from '../engine/events.ts';
import type { EventTypeCode, EventTypeName } from '../engine/events.ts';
import { DAY, formatUsd, isoOf } from '../engine/units.ts';
import { isPlausibleTime, timeRangeMessage } from '../engine/time-range.ts';
import { costRowPieceTime } from '../engine/cost-rows.ts';
import { parseUsdToMicros } from '../engine/units.ts';
import { parseTimestampAt } from '../csv/timestamp.ts';
import { isConsumptionHeader } from '../csv/header.ts';
import { InputError } from '../errors.ts';
import {
  creditsToMicros,
  DATE_FORMATS,
  guessDateFormat,
  isDayAlone,
  isValidTimeZone,
  looksLikeTimeOfDay,
  parseDateAndTimeOfDay,
  parseMappedTime,
  parseMoneyToMicros,
  platformIsoTime,
  splitCurrency,
  toMicroCredits,
} from './parse.ts';
import type { DateFormat } from './parse.ts';
import { wasQuoted } from '../csv/records.ts';
import { splitByLargestRemainder } from './profile.ts';
import { canonicalColumns, ContentOccurrences } from './canonical.ts';
import { NO_KEY_PREFIX } from '../ledger/entities.ts';
import { isEscaped, isNoKey, norm, unescapeCell } from './cells.ts';
import { LineIdentity, LineOccurrences } from './consumption-line.ts';
import { dateFormsOf, DayOrderScan, DayOrderUnknown, dayOrderWords, DottedMonthFirstCheck, GivenDayOrderCheck, LaterOrderTell, SLASH_DAY, SLASH_TIME } from './day-order.ts';
import { DecimalScan, DecimalUnknown, twoWaysMessage } from './decimal-mark.ts';
import { EXCEL_SERIAL, excelSerialTime, SERIAL_RANGE_MESSAGE, TWO_DIGIT_YEAR, TWO_DIGIT_YEAR_MESSAGE } from './excel-dates.ts';
import { accountingNegative, accountingNegativeMessage, isAccountingZero } from './accounting.ts';
import { exponentIdMessage, idSpelling, isExponentNotation } from './number-like-ids.ts';
import type { AmountReader, DecimalMark } from './decimal-mark.ts';
import type { DateForm, DayOrder, DayOrderBasis, DottedMonthFirst, GivenDayOrder, GivenOrderDoubt, LocaleSign } from './day-order.ts';
import type { FileForm } from '../csv/read-file.ts';
import { mappingProblems } from './mapping-issues.ts';
import { costColumnsByName } from './renamed-export.ts';
import type { CostColumns, CostField } from './renamed-export.ts';

export { isNoKey, norm, unescapeCell } from './cells.ts';
import type { EntityFact } from '../ledger/entities.ts';

export const FORMATS = ['events', 'dust-cost', 'dust-consumption', 'mapping'] as const;
export type FormatName = (typeof FORMATS)[number];

/** Where rows go. `add` is false when the identity is already in the ledger. */
export interface EventSink {
  /**
   * `ident` null: a row without an id, whose identity is its content and `occurrence` (the n-th
   * identical row of the file); otherwise `occurrence` is 0. `givenId`: `ident` is the file's own
   * id column (not made up by the format, as dust-cost's are).
   */
  add(time: number, type: EventTypeCode, subject: string, cost: number, ident: string | null, occurrence: number, givenId: boolean): boolean;
  /**
   * One line of a message: folded into the message's event `ident` (made by this line when the
   * ledger has none), unless the line's own identity, its content hash `line` and occurrence
   * `occ` among identical lines of the file, is in the ledger already (a duplicate line).
   *
   * `amount` (the line's µUSD, even where `cost` is 0) and `amountOcc` (its occurrence among the
   * message's lines of that amount in the file) are its second identity, what a copy with columns
   * deleted still holds: a duplicate too when a line recorded for the message has it and that
   * line's cells (`cells`, LineIdentity) are a strict superset or subset of this one's. Between two
   * lines with the same cells (two exports of one shape) only `line` decides, so that lines of one
   * message with equal amounts never stand for each other.
   */
  fold(
    time: number,
    type: EventTypeCode,
    subject: string,
    cost: number,
    ident: string,
    line: number,
    occ: number,
    amount: number,
    amountOcc: number,
    cells: number,
  ): 'new' | 'merged' | 'duplicate';
  /**
   * The row's spend belongs to `scope` (`key:<name>`, or `agent:<name>` for spend without a key)
   * through `subject`'s events on the UTC day `day`: what ledger/overlap.ts compares between the
   * cost and the consumption export.
   */
  spend(scope: string, subject: string, day: number): void;
  /** what the row says about an entity (its name, a trigger's mode, its agent) */
  entity(fact: EntityFact): void;
  /**
   * The cost the ledger holds under these identities (counted, or held back by the overlap), null
   * when it holds none of them: what an identity of several events (a cost row's hours) stands for.
   */
  storedCost(idents: readonly string[]): number | null;
  /** a duplicate row whose amount is not the one the ledger holds for its identity (which is kept) */
  costDiffers(storedMicros: number, fileMicros: number): void;
  /** whether a cost export in the ledger covers the UTC day (its $0.00 rows made no events to find them by) */
  costCoversDay(day: number): boolean;
}

export type RowOutcome = 'new' | 'duplicate';

export class RowError extends Error {
  readonly column: string | undefined;
  readonly value: string | undefined;
  constructor(column: string | undefined, value: string | undefined, message: string) {
    super(message);
    this.column = column;
    this.value = value;
  }
}

/** What a format read its file as: the decimal mark, the order of re-saved days, how the first rows write their dates. */
export interface Guessed {
  decimal?: '.' | ',';
  dayOrder?: DayOrder | null;
  /**
   * Where the day order came from, when not from the rows: the mapping given (`mapping`), or the
   * one saved for the file's shape (`saved`). Said so, since nothing was guessed then.
   */
  dayOrderFrom?: 'mapping' | 'saved';
  /**
   * Why an export's order was taken (DayOrderBasis): the rows, the file's locale, or only how
   * close together its dates lie, a guess the "read as" line says how to undo.
   */
  dayOrderBy?: DayOrderBasis;
  /**
   * an order the first rows guessed by nearness that a later row told (`dayOrderBy` then `rows`):
   * the first value only that order reads, and its line
   */
  dayOrderToldBy?: { value: string; line: number };
  /** the forms of the dates the first rows write (`month-word` for 2-Dec-2026), in the order first seen */
  dates?: readonly DateForm[];
  /** a mapped file's column that gives each date its time of day (`Time` beside `Date`) */
  timeOfDay?: string;
}

export interface FormatHandler {
  format: FormatName;
  mapping: ColumnMapping | null;
  /** what the handler guessed from the first rows (or was told): said before importing, so that a wrong guess is caught */
  guessed?: Guessed;
  row(fields: string[], line: number, sink: EventSink): RowOutcome;
  /**
   * The header again inside the file: the rows after it are another export's, joined to this one
   * (`cat`). A format whose identities count occurrences within a file counts them afresh, so that
   * two overlapping exports joined add what they add imported one after the other (SPEC §8).
   */
  newFile?(): void;
  /** after the rows: dotted dates a mapping reads month first, said with what makes that doubtful */
  dottedMonthFirst?(): DottedMonthFirst | null;
  /**
   * after the rows, for an export read in the order the admin gave: whether it has slash dates at
   * all, and the doubt the reading leaves (GivenOrderDoubt)
   */
  givenDayOrder?(): { slashDates: boolean; doubt: GivenOrderDoubt | null };
  /**
   * after the rows, for an export whose order the first rows guessed only by nearness: the first
   * later value that tells it (LaterOrderTell), null when none did
   */
  orderToldLater?(): { value: string; line: number } | null;
}

const TYPE_CODES: Record<string, EventTypeCode> = { api: EventType.api, trigger: EventType.trigger, message: EventType.message };


/** A file's shape: its normalized header, hashed; the key its saved mapping is stored under. */
export function shapeOf(header: string[]): string {
  return hash('sha256', header.map(norm).join('\u0001'), 'hex').slice(0, 32);
}

export function detectFormat(header: string[]): Exclude<FormatName, 'mapping'> | null {
  // Most of a known header is that format with a column missing: say which, rather than guess a mapping.
  const exact = new Set(header.map((c) => c.trim().toLowerCase()));
  const has = (set: Set<string>, names: string[]) => names.filter((c) => set.has(c)).length;
  if (has(exact, ['timestamp', 'type', 'subject', 'cost_usd']) >= 3) return 'events';
  const h = new Set(header.map(norm));
  if (has(h, ['date', 'agentname', 'apikey', 'source', 'totalspendusd']) >= 4) return 'dust-cost';
  if (h.has('agentmessageid') && has(h, ['contextorigin', 'totalcredits', 'completedat']) >= 2) return 'dust-consumption';
  // cut down or missing agentMessageId, it is still the consumption export: guessed as a mapping it
  // made one api event per line, a trigger's spend went to a key named N/A and people's lines were refused
  if (isConsumptionHeader(h)) return 'dust-consumption';
  return null;
}

function columnIndex(header: string[], file: string, names: string[], required = true): number {
  const normalized = header.map(norm);
  for (const name of names) {
    const i = normalized.indexOf(norm(name));
    if (i !== -1) return i;
  }
  if (!required) return -1;
  throw new InputError(`${file}:1: missing column "${names[0]}" (header: ${header.join(',')})`, [
    { file, line: 1, column: names[0], value: header.join(','), message: `missing column "${names[0]}"` },
  ]);
}

/**
 * The platform streams a large export page by page; when a page fails or the stream times out it
 * appends `ERROR: Export timed out.` (or `ERROR: Internal server error.`) as a last line that is
 * deliberately no CSV row. Named for what it is, not as a row with too few fields.
 */
const PLATFORM_ERROR_LINE = /^ERROR: /;

function checkWidth(fields: string[], header: string[]): void {
  if (fields.length === header.length) return;
  if (fields.length === 1 && PLATFORM_ERROR_LINE.test(fields[0]!)) {
    throw new RowError(
      undefined,
      fields[0],
      `${JSON.stringify(fields[0])} is the platform's error line: its export stopped here (the download timed out or failed), so the file holds only the lines before it; export the period again, or a shorter one, and import that`,
    );
  }
  const column = fields.length < header.length ? header[fields.length] : `(extra field ${header.length + 1})`;
  const text = fields.join(',');
  throw new RowError(column, text.length > 80 ? `${text.slice(0, 77)}...` : text, `has ${fields.length} fields; the header has ${header.length}`);
}

// ---------------------------------------------------------------------------------------------
// events: the canonical CSV of SPEC §6

/** A subject or id as `simulate` reads it: a quoted one exactly as given, an unquoted one trimmed. */
function keptOrTrimmed(f: readonly string[], k: number): string {
  return wasQuoted(f, k) ? f[k]! : f[k]!.trim();
}

/**
 * What a canonical file's amount with a decimal comma is told (a sheet saved in a comma locale,
 * with `;` between fields): the events CSV is read exactly as `simulate` reads it, so the amount
 * is refused, but the way to import the file is said.
 */
function decimalCommaHint(audience: 'cli' | 'app'): string {
  const how = audience === 'app' ? 'save it again with a decimal point' : 'import it through a column mapping (--mapping FILE.json with "decimal": ",", docs/imports.md)';
  return `is not a number: the events CSV writes amounts with a decimal point and separates fields with "," (SPEC §6); this file has a decimal comma: ${how}`;
}

/** `0,105338`, `12,5`: an amount written with a decimal comma; not `1,234`, which may be a thousands comma */
function isDecimalComma(text: string): boolean {
  return /^[+-]?\d*,\d+$/.test(text) && !/^[+-]?[1-9]\d{0,2},\d{3}$/.test(text);
}

export function eventsHandler(header: string[], file: string, audience: 'cli' | 'app' = 'cli'): FormatHandler {
  // the same header rules and value parsers as `simulate` over a CSV, so both decide alike
  const { timestamp: ti, type: ty, subject: su, cost: co, id } = canonicalColumns(header, file);
  let occurrences = new ContentOccurrences();
  return {
    format: 'events',
    mapping: null,
    row(f, _line, sink) {
      checkWidth(f, header);
      const ts = f[ti]!.trim();
      const time = parseTimestampAt(ts, 0, ts.length);
      if (typeof time === 'string') throw new RowError('timestamp', f[ti], time);
      const typeText = f[ty]!.trim();
      const type = TYPE_CODES[typeText] ?? TYPE_CODES[typeText.toLowerCase()];
      if (type === undefined) throw new RowError('type', f[ty], typeText === '' ? 'is empty (expected api, trigger or message)' : 'is not api, trigger or message');
      const subject = keptOrTrimmed(f, su);
      if (subject === '') throw new RowError('subject', f[su], 'is empty (expected the API key, trigger or user id)');
      const costText = f[co]!.trim();
      let cost = 0;
      // cost is ignored for messages (SPEC §3), optional for triggers
      if (type !== EventType.message && !(type === EventType.trigger && costText === '')) {
        const c = parseUsdToMicros(costText);
        if (c === null) throw new RowError('cost_usd', f[co], costText === '' ? 'is required for api events' : isDecimalComma(costText) ? decimalCommaHint(audience) : 'is not a number');
        if (c < 0) throw new RowError('cost_usd', f[co], 'must be >= 0');
        cost = c;
      }
      const given = id === -1 ? '' : keptOrTrimmed(f, id);
      const added = given !== '' ? sink.add(time, type, subject, cost, given, 0, true) : sink.add(time, type, subject, cost, null, occurrences.next(time, type, subject, cost), false);
      return added ? 'new' : 'duplicate';
    },
    newFile() {
      // the header again is still a bad row here (as simulate reads it); the rows after it are
      // another file's, numbered afresh as the mapped CSV's are
      occurrences = new ContentOccurrences();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// dust-cost: one row per day, agent, key and source
//
// The exported USD includes the platform's 30 % markup over token prices. That marked-up amount
// is what a key's cap and the workspace spend limits count, so it is imported as is.
// Each row's spend becomes events at mid-hour, split over the UTC day by the hour-of-day profile
// (profile.ts) by largest remainder: the day's total is exact to the µUSD. A row of a key makes
// API events of that key. A row without a key (`api_key` N/A: programmatic trigger runs,
// workflows) is never a key: it is the agent's spend without a key, a programmatic trigger
// `no-key:<agent>` without a run limit, so it counts against the workspace spend limits only.
// A $0 row adds no event.


const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * An amount a spreadsheet wrote in exponent notation (`1.23E+03`): it keeps only the digits the
 * column showed, so the amount is not read (never $1,230 for $1,234.56) but named for what it is.
 */
function exponentProblem(text: string): string | null {
  if (!/^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+$/.test(text.trim())) return null;
  return 'is in exponent notation, as a spreadsheet writes a number its column is too narrow for, and may have lost digits: format the column as a number with 2 decimals and save again, or import the export as downloaded';
}

/** Where the reader gives an export's day order: the command line's option, or the app preview's control. */
const GIVE_ORDER: Record<'cli' | 'app', string> = {
  cli: 'give their order (--dates dmy or mdy)',
  app: 'choose “Dates are” in the import preview',
};

/**
 * A slash day or time read in `order`. `scanned`: the whole file was asked already; until then a
 * value the first rows cannot place sends the import back to ask it (DayOrderUnknown).
 */
function slashTime(text: string, order: DayOrder | null, scanned: boolean, column: string, value: string | undefined, what: string, iso: string, audience: 'cli' | 'app'): number {
  if (order === null || order === 'ymd') {
    if (!scanned) throw new DayOrderUnknown(column);
    throw new RowError(column, value, `could be day or month first, and no row of the file tells (no day above 12): ${GIVE_ORDER[audience]}, or save the ${what} as ${iso}, as the platform exports them`);
  }
  const t = parseMappedTime(text, order, 'UTC');
  if (t === null) throw new RowError(column, value, `is not ${dayOrderWords(order)}, as the file's other rows are`);
  return t;
}

/** A teller for an export's order the first rows guessed only by nearness (null otherwise). */
function laterTell(order: DayOrder | null, by: DayOrderBasis): LaterOrderTell | null {
  return by === 'nearness' && (order === 'dmy' || order === 'mdy') ? new LaterOrderTell(order) : null;
}

/** A slash time read in the order guessed, shown to its teller (when there is one): the time. */
function seenBy(later: LaterOrderTell | null, time: number, value: string, line: number): number {
  later?.see(value, line);
  return time;
}

/** The order given, as the reader gave it: `--dates mdy`, or the app preview's “Dates are: month first”. */
function givenOrderWords(order: GivenDayOrder, audience: 'cli' | 'app'): string {
  return audience === 'cli' ? `--dates ${order}` : `“Dates are: ${order === 'dmy' ? 'day' : 'month'} first”`;
}

/**
 * A slash day or time of an export read in the order the admin gave (GivenDayOrderCheck). A date
 * only the other order reads (`13/08/2026` under `--dates mdy`) says the file writes that order:
 * the option was wrong, not the row, so the whole file is refused (with --skip-bad-rows too),
 * naming the line and the way out; imported, every date up to the 12th would have landed on
 * another month, one day a month.
 */
function givenSlashTime(check: GivenDayOrderCheck, text: string, file: string, line: number, column: string, value: string | undefined, audience: 'cli' | 'app'): number {
  const { time, contradiction: c } = check.read(text, line);
  if (c !== null) {
    const writes = c.writes === 'dmy' ? 'day first' : 'month first';
    const way = audience === 'cli' ? `drop --dates or give --dates ${c.writes}` : `choose ${givenOrderWords(c.writes, audience)} (or automatic)`;
    const message = `${JSON.stringify(text)} has ${c.part} where ${givenOrderWords(check.order, audience)} puts the month: this file writes its dates ${writes}; ${way}`;
    throw new InputError(`${file}:${line}: ${message}`, [{ file, line, column, ...(value !== undefined ? { value } : {}), message }]);
  }
  if (time === null) throw new RowError(column, value, `is not ${dayOrderWords(check.order)}, as the file's other rows are`);
  return time;
}

/**
 * An export's time that is neither the platform's nor a re-saved slash time: an Excel date serial
 * (read), a 2-digit year (refused, never guessed), else `yyyy-mm-dd hh:mm` and the like.
 */
function otherTime(text: string, column: string, value: string | undefined): number | null {
  if (EXCEL_SERIAL.test(text)) {
    const t = excelSerialTime(text);
    if (t === null) throw new RowError(column, value, SERIAL_RANGE_MESSAGE);
    return t;
  }
  if (TWO_DIGIT_YEAR.test(text)) throw new RowError(column, value, TWO_DIGIT_YEAR_MESSAGE);
  // epoch seconds (10 digits) or milliseconds (13), as a script converting the export writes them:
  // nothing else in a time column has that many digits and no separator
  if (EPOCH.test(text)) return parseMappedTime(text, text.length === 13 ? 'epoch-ms' : 'epoch-s', 'UTC');
  return parseMappedTime(text, 'ymd', 'UTC');
}

/** epoch seconds or milliseconds from 2001 on (10 or 13 digits, seconds with a fraction) */
const EPOCH = /^(?:\d{10}(?:\.\d{1,3})?|\d{13})$/;

/**
 * A cost export's day that is neither `YYYY-MM-DD` nor a slash day: an Excel serial of a whole
 * day, a day with its month as a word (`2-Dec-2026`, `Dec 2, 2026`: Excel's and Numbers' date
 * formats for people), or null.
 */
function otherDate(text: string, column: string, value: string | undefined): number | null {
  if (!EXCEL_SERIAL.test(text) && !TWO_DIGIT_YEAR.test(text)) {
    const t = parseMappedTime(text, 'ymd', 'UTC');
    if (t === null) return null;
    if (t % DAY !== 0) throw new RowError(column, value, 'has a time of day: expected a day (YYYY-MM-DD, a UTC day)');
    return t;
  }
  const t = otherTime(text, column, value);
  if (t !== null && t % DAY !== 0) throw new RowError(column, value, 'is an Excel date serial with a time of day: expected a day (a whole number, or YYYY-MM-DD)');
  return t;
}

/** What the importer read from the whole file when a file's first rows could not tell it (importer.ts). */
export interface WholeFileFacts {
  /**
   * what the re-saved days or times tell of their order (each format takes what it may: an
   * export its locale and nearness too, a sheet to map only a part above 12)
   */
  dayOrder?: DayOrderScan;
  /** the order the admin gave for a built-in export's slash dates (ImportOptions.dates): decides over every guess */
  dayOrderGiven?: GivenDayOrder;
  /** the import's own time (epoch ms): a date the order given puts after it is doubtful (GivenOrderDoubt) */
  importTime?: number;
  /** the decimal mark of the amounts (null: amounts read two ways and nothing tells) */
  decimal?: DecimalMark | null;
}

/**
 * The decimal mark of an export's amount columns: told by the first rows when one of their
 * amounts only one reading takes, else by the whole file (`whole`, once the importer asked it).
 * `check` is called on each amount before it is read: until the mark is known, an amount that
 * reads two ways sends the import back to ask the whole file (DecimalUnknown); amounts that read
 * the same either way (whole numbers) need no mark.
 */
function decimalMarkOf(
  samples: readonly string[],
  columns: readonly string[],
  read: AmountReader,
  whole: DecimalMark | null | undefined,
): { mark: DecimalMark; told: DecimalMark | null; check: (text: string, column: string | undefined, value: string | undefined) => void } {
  const scan = new DecimalScan(read);
  for (const v of samples) scan.add(v);
  const known = whole !== undefined ? whole : scan.decided ? scan.mark(null) : null;
  if (known !== null) return { mark: known, told: known, check: () => {} };
  return {
    mark: '.',
    told: null,
    check(text, column, value) {
      const dot = read(text, '.');
      const comma = read(text, ',');
      if (dot === comma) return;
      if (whole === undefined) throw new DecimalUnknown(columns, read);
      // the whole file was asked: nothing tells, so an amount read two ways is never guessed
      if (dot !== null && comma !== null) throw new RowError(column, value, twoWaysMessage());
    },
  };
}

/**
 * What an export's form says of the locale it was saved in (LocaleSign): the decimal comma its
 * amounts are read with, else a `;` between its fields, unless an amount told a decimal point (a
 * `;` file with a decimal point is no decimal-comma locale's, and says nothing of its dates).
 * `told`: the mark an amount (or the whole file) told, null while none has.
 */
function localeSign(told: DecimalMark | null, separator: FileForm['delimiter'] | null): LocaleSign | null {
  if (told === ',') return 'decimal-comma';
  return separator === ';' && told === null ? 'semicolon' : null;
}

/**
 * The order of an export's re-saved days or times, and why (DayOrderScan#reading): the first
 * rows' when the dates tell or only nearness does (they decide, as they always have), the whole
 * file's (`whole`) once asked. An order the locale would give is only taken from the whole file: a
 * part above 12 on any row decides over it, and the first rows seldom show one (they often fall on
 * a few days at the start of a month); until then `order` is null, and the first slash date sends
 * the import back to ask the whole file (slashTime).
 */
function exportDayOrder(values: readonly string[], pattern: RegExp, sign: LocaleSign | null, whole: DayOrderScan | undefined, given: GivenDayOrder | undefined): { order: DayOrder | null; by: DayOrderBasis } {
  if (given !== undefined) return { order: given, by: 'given' };
  if (whole !== undefined) return whole.reading(sign);
  const scan = new DayOrderScan(pattern);
  for (const v of values) scan.add(v);
  const r = scan.reading(sign);
  return r.by === 'rows' || r.by === 'nearness' ? r : { order: null, by: r.by };
}

/**
 * `samples`: the file's first rows. The export writes `12.34`; the same file saved by a
 * spreadsheet in a European locale writes `12,34` (with `;` between fields): its amounts are read
 * with the decimal comma its amounts show (decimalMarkOf), never `5,65` as 565. `whole`: what the
 * whole file told when the first rows did not (importer.ts).
 */
export function dustCostHandler(
  header: string[],
  file: string,
  profile: readonly number[],
  samples: readonly string[][] = [],
  whole: WholeFileFacts = {},
  separator: FileForm['delimiter'] | null = null,
  audience: 'cli' | 'app' = 'cli',
  columns: CostColumns = costColumnsByName(header),
): FormatHandler {
  // each column by the export's name, else by the names a spreadsheet gives it (`Spend (USD)`,
  // renamed-export.ts); one not there is refused by the export's name
  const at = (field: CostField): number => columns[field] ?? columnIndex(header, file, [field]);
  const di = at('date');
  const ai = at('agent_name');
  const ki = at('api_key');
  const si = at('source');
  const ci = at('total_spend_usd');
  const readMoney: AmountReader = (v, d) => parseMoneyToMicros(v, d);
  // this file's rows by identity (as read: the escape and the day's spelling undone), their
  // amount and line: the export has one row per day, agent, key and source
  const own = new Map<string, { spend: number; line: number }>();
  const marks = decimalMarkOf(samples.map((r) => r[ci] ?? ''), [header[ci]!], readMoney, whole.decimal);
  const decimal = marks.mark;
  const decimalNote = decimal === ',' ? " (with a decimal comma, as the file's other amounts)" : '';
  const scanned = whole.dayOrder !== undefined || whole.dayOrderGiven !== undefined;
  const { order, by } = exportDayOrder(samples.map((r) => r[di] ?? ''), SLASH_DAY, localeSign(marks.told, separator), whole.dayOrder, whole.dayOrderGiven);
  const given = whole.dayOrderGiven === undefined ? null : new GivenDayOrderCheck(whole.dayOrderGiven, whole.importTime ?? Date.now());
  const later = laterTell(order, by);
  return {
    format: 'dust-cost',
    mapping: null,
    guessed: { decimal, dayOrder: order, dayOrderBy: by, dates: dateFormsOf(samples.map((r) => r[di] ?? '')) },
    ...(given !== null ? { givenDayOrder: () => ({ slashDates: given.sawSlashDates, doubt: given.doubt(header[di]!) }) } : {}),
    ...(later !== null ? { orderToldLater: () => later.told } : {}),
    row(f, line, sink) {
      checkWidth(f, header);
      const date = f[di]!.trim();
      let day: number | null;
      if (ISO_DAY.test(date)) {
        day = parseMappedTime(date.slice(0, 10), 'ymd', 'UTC');
        if (date.length > 10 && parseMappedTime(date, 'ymd', 'UTC') === null) day = null;
      } else if (SLASH_DAY.test(date)) {
        const t = given !== null ? givenSlashTime(given, date, file, line, header[di]!, f[di], audience) : slashTime(date, order, scanned, header[di]!, f[di], 'dates', 'YYYY-MM-DD', audience);
        later?.see(date, line);
        if (t % DAY !== 0) throw new RowError(header[di], f[di], `is not a date ${dayOrderWords(order!)}, as the file's other rows are`);
        day = t;
      } else day = otherDate(date, header[di]!, f[di]);
      if (day === null) throw new RowError(header[di], f[di], 'is not a date: expected YYYY-MM-DD (a UTC day)');
      if (!isPlausibleTime(day)) throw new RowError(header[di], f[di], timeRangeMessage());
      const negative = accountingNegative(f[ci]!);
      if (isAccountingZero(f[ci]!) || negative === 'zero') f[ci] = '0';
      else if (negative === 'negative') throw new RowError(header[ci], f[ci], accountingNegativeMessage('a spend'));
      marks.check(f[ci]!, header[ci], f[ci]);
      const spend = parseMoneyToMicros(f[ci]!, decimal);
      if (spend === null) {
        const named = splitCurrency(f[ci]!).currency;
        throw new RowError(
          header[ci],
          f[ci],
          named !== null && named !== 'USD'
            ? `is in ${named}: this export's amounts are USD; an amount in ${named} is never taken as USD`
            : (exponentProblem(f[ci]!) ?? `is not an amount: expected USD like ${decimal === ',' ? '12,34' : '12.34'}${decimalNote}`),
        );
      }
      if (spend < 0) throw new RowError(header[ci], f[ci], 'is negative: expected a spend >= 0');
      const agent = unescapeCell(f[ai]!);
      const key = unescapeCell(f[ki]!);
      if (isExponentNotation(key)) throw new RowError(header[ki], f[ki], exponentIdMessage('different API keys'));
      if (isExponentNotation(agent)) throw new RowError(header[ai], f[ai], exponentIdMessage('different agents'));
      const source = f[si]!.trim();
      const noKey = isNoKey(key);
      const agentName = agent || 'unknown agent';
      const subject = noKey ? `${NO_KEY_PREFIX}${agentName}` : key;
      const type = noKey ? EventType.trigger : EventType.api;
      // the day as the export writes it, whatever a spreadsheet made of it: the same row of the
      // export and of its re-saved copy is one identity
      const dayText = isoOf(day).slice(0, 10);
      // names of digits without their leading zeros (a spreadsheet drops them: `0007` is saved as `7`)
      const base = `dust-cost:${dayText}|${idSpelling(f[ai]!.trim())}|${idSpelling(f[ki]!.trim())}|${source}`;
      // The row is one identity over its hours: when any is in the ledger, so is the row (SPEC
      // section 8), even if this export splits it over other hours. A day exported before it
      // ended and again later keeps its first total: said, not silently (costDiffers). A name
      // with the platform's `'@` escape is the same name without it (a spreadsheet may drop
      // the `'`): both spellings are looked up, the identity kept as this file writes it.
      // The same identity again in this file: the same amount is the row repeated (exports
      // joined with a day in both), a duplicate; another amount is not the same row, and keeping
      // either amount would be a guess, so it is refused as the events CSV refuses an id repeated
      // with other content (never said to be a day "exported before it ended": it is one file)
      const mine = `${dayText}|${agent}|${key}|${source}`;
      const earlier = own.get(mine);
      if (earlier !== undefined) {
        if (earlier.spend === spend) return 'duplicate';
        throw new RowError(
          header[ci],
          f[ci],
          `repeats line ${earlier.line}'s ${header[di]}, ${header[ai]}, ${header[ki]} and ${header[si]} with another amount (${formatUsd(earlier.spend)} there): ` +
            'the export has one row per day, agent, key and source (files joined, or a row edited?); keep the right one',
        );
      }
      own.set(mine, { spend, line });
      // the spelling as written too: the identity a ledger made before leading zeros were dropped from it
      const written = `dust-cost:${dayText}|${f[ai]!.trim()}|${f[ki]!.trim()}|${source}`;
      const bases = written === base ? [base] : [base, written];
      const agentAlt = otherEscape(f[ai]!.trim());
      const keyAlt = otherEscape(f[ki]!.trim());
      if (agentAlt !== null || keyAlt !== null) {
        for (const a of [f[ai]!.trim(), ...(agentAlt === null ? [] : [agentAlt])]) {
          for (const k of [f[ki]!.trim(), ...(keyAlt === null ? [] : [keyAlt])]) {
            const b = `dust-cost:${dayText}|${idSpelling(a)}|${idSpelling(k)}|${source}`;
            if (!bases.includes(b)) bases.push(b);
          }
        }
      }
      const stored = sink.storedCost(bases.flatMap((b) => Array.from({ length: 24 }, (_, h) => `${b}#${h}`)));
      if (stored !== null) {
        if (stored !== spend) sink.costDiffers(stored, spend);
        return 'duplicate';
      }
      // a $0.00 row adds no event: the same row again is a duplicate when an export of that day is in the ledger
      if (spend === 0) return sink.costCoversDay(day) ? 'duplicate' : 'new';
      const parts = splitByLargestRemainder(spend, profile);
      let added = false;
      for (let h = 0; h < 24; h++) {
        const part = parts[h]!;
        if (part === 0) continue;
        // mid-hour: the spend of an hour, not of its first millisecond (engine/cost-rows.ts tells these pieces from requests by it)
        if (sink.add(costRowPieceTime(day, h), type, subject, part, `${base}#${h}`, 0, false)) added = true;
      }
      if (added) {
        sink.spend(noKey ? `agent:${agentName}` : `key:${key}`, subject, day);
        sink.entity(noKey ? { type, subject, label: `${agentName} (no key)`, mode: 'programmatic', kind: 'webhook', agent: agentName } : { type, subject, label: key });
      }
      return added ? 'new' : 'duplicate';
    },
  };
}

/**
 * A cell's other spelling under the platform's formula escape: `'@Bot` for `@Bot` and back (also
 * `=`, `+` and `-`, which unescapeCell reads the same way); null when the cell has no such spelling.
 */
function otherEscape(cell: string): string | null {
  const c = cell.charCodeAt(0);
  if (isEscaped(c)) return `'${cell}`;
  const unescaped = unescapeCell(cell);
  return unescaped !== cell ? unescaped : null;
}

// ---------------------------------------------------------------------------------------------
// dust-consumption: lines folded into one event per agent message

/** `contextOrigin` as raw values (`api`, `triggered_programmatic`) or display labels (`API`, `Trigger`, `Slack`). */
export function originKind(origin: string): 'api' | 'trigger' | 'person' {
  const o = norm(origin);
  if (o === 'api' || o === 'apikey' || o === 'publicapi') return 'api';
  if (o.startsWith('trigger') || o === 'schedule' || o === 'scheduled' || o === 'webhook' || isMonitorOrigin(origin)) return 'trigger';
  return 'person';
}

/**
 * The platform's newest trigger kind, "monitor" (it polls a mail box or a tool and runs the agent
 * on what it finds): as a raw value or a label (`monitor`, `triggered_monitor`, `Monitor`).
 * Without this its runs would read as a person's messages.
 */
export function isMonitorOrigin(origin: string): boolean {
  const o = norm(origin);
  return o === 'monitor' || o === 'monitored' || o === 'triggeredmonitor' || o === 'monitortrigger';
}

/** What a contextOrigin value means, for a line's identity: `API` and `api` are one origin, a monitor's label and raw value another. */
function originIdentity(origin: string): string {
  return isMonitorOrigin(origin) ? 'monitor' : originKind(origin) === 'person' ? norm(origin) : originKind(origin);
}

/** `usageType` (or the origin) says the line is programmatic usage (billed, not in the fair-use pool). */
export function isProgrammaticUsage(usageType: string, origin: string): boolean {
  const u = norm(usageType);
  return u.includes('programmatic') || u === 'workspacepool' || norm(origin) === 'triggeredprogrammatic';
}

const CREDIT_PARTS = ['creditsSystem', 'creditsInput', 'creditsOutput', 'creditsReasoning'];

/**
 * `samples`: the file's first rows, which tell a decimal comma (`12,34` credits) and the day order
 * of re-saved times (`01/09/2026 14:05`) as in dustCostHandler; `whole`: the day order and decimal mark
 * the whole file told (importer.ts asks it when the first rows do not).
 */
export function dustConsumptionHandler(
  header: string[],
  file: string,
  samples: readonly string[][] = [],
  whole: WholeFileFacts = {},
  separator: FileForm['delimiter'] | null = null,
  audience: 'cli' | 'app' = 'cli',
): FormatHandler {
  const ti = columnIndex(header, file, ['completedAt']);
  const mi = columnIndex(header, file, ['agentMessageId']);
  const oi = columnIndex(header, file, ['contextOrigin']);
  const ki = columnIndex(header, file, ['apiKeyName'], false);
  const tri = columnIndex(header, file, ['triggerId'], false);
  const ui = columnIndex(header, file, ['userId'], false);
  const uni = columnIndex(header, file, ['userName'], false);
  const ai = columnIndex(header, file, ['agentName'], false);
  const aidi = columnIndex(header, file, ['agentId'], false);
  const usi = columnIndex(header, file, ['usageType'], false);
  // totalCredits, or else the sum of the parts (one export version names creditsAction creditsDirect)
  const ci = columnIndex(header, file, ['totalCredits'], false);
  const parts = ci !== -1 ? [] : [...CREDIT_PARTS, 'creditsAction', 'creditsDirect'].map((c) => columnIndex(header, file, [c], false)).filter((i) => i !== -1);
  if (ci === -1 && parts.length === 0) columnIndex(header, file, ['totalCredits']);
  if (ui === -1 && uni === -1) columnIndex(header, file, ['userId']);
  const cell = (f: string[], i: number): string => (i === -1 ? '' : unescapeCell(f[i]!));
  const creditColumns = ci !== -1 ? [ci] : parts;
  const readCredits: AmountReader = (v, d) => toMicroCredits(v, d);
  const marks = decimalMarkOf(
    samples.flatMap((r) => creditColumns.map((i) => r[i] ?? '')),
    creditColumns.map((i) => header[i]!),
    readCredits,
    whole.decimal,
  );
  const decimal = marks.mark;
  const scanned = whole.dayOrder !== undefined || whole.dayOrderGiven !== undefined;
  const { order, by } = exportDayOrder(samples.map((r) => r[ti] ?? ''), SLASH_TIME, localeSign(marks.told, separator), whole.dayOrder, whole.dayOrderGiven);
  const given = whole.dayOrderGiven === undefined ? null : new GivenDayOrderCheck(whole.dayOrderGiven, whole.importTime ?? Date.now());
  const later = laterTell(order, by);
  const identity = new LineIdentity(header, decimal, originIdentity);
  // the export's other ids: one a spreadsheet wrote in exponent notation changes the line's identity for good
  const otherIds = ['conversationId', 'spaceId', 'agentId', 'agentRootId', 'agentParentId', 'toolActionId'].map((c) => columnIndex(header, file, [c], false)).filter((i) => i !== -1);
  let occurrences = new LineOccurrences();
  let amounts = new LineOccurrences();
  return {
    format: 'dust-consumption',
    mapping: null,
    guessed: { decimal, dayOrder: order, dayOrderBy: by, dates: dateFormsOf(samples.map((r) => r[ti] ?? '')) },
    ...(given !== null ? { givenDayOrder: () => ({ slashDates: given.sawSlashDates, doubt: given.doubt(header[ti]!) }) } : {}),
    ...(later !== null ? { orderToldLater: () => later.told } : {}),
    row(f, fileLine, sink) {
      checkWidth(f, header);
      // the platform writes UTC; a time written without a zone (a spreadsheet's re-save) is read as UTC too
      const text = f[ti]!.trim();
      const fast = platformIsoTime(text);
      const time =
        fast !== undefined
          ? fast
          : SLASH_TIME.test(text)
            ? given !== null
              ? givenSlashTime(given, text, file, fileLine, header[ti]!, f[ti], audience)
              : seenBy(later, slashTime(text, order, scanned, header[ti]!, f[ti], 'times', 'YYYY-MM-DD hh:mm', audience), text, fileLine)
            : otherTime(text, header[ti]!, f[ti]);
      if (time === null) throw new RowError(header[ti], f[ti], 'is not a time: expected ISO 8601 like 2026-01-05T10:00:00.000Z (or a re-saved 05/01/2026 10:00)');
      if (!isPlausibleTime(time)) throw new RowError(header[ti], f[ti], timeRangeMessage());
      const message = f[mi]!.trim();
      if (message === '') throw new RowError(header[mi], f[mi], 'is empty: expected the agent message id');
      if (isExponentNotation(message)) throw new RowError(header[mi], f[mi], exponentIdMessage("different agent messages' lines"));
      for (const i of otherIds) if (isExponentNotation(f[i]!)) throw new RowError(header[i], f[i], exponentIdMessage(`lines of different ${header[i]} values`));
      let cost = 0;
      for (const i of creditColumns) {
        // a zero re-saved as the Accounting format's dash is the export's 0 (its line's identity
        // too); an amount starting with a digit is neither, told without a pattern on the hot path
        const cell = f[i]!;
        const c0 = cell.charCodeAt(0);
        // a trailing minus (`1.00-`) is the one negative form that starts with a digit
        if (c0 >= 48 && c0 <= 57 && cell.charCodeAt(cell.length - 1) !== 45 && cell.charCodeAt(cell.length - 1) !== 0x2212) continue;
        const negative = accountingNegative(cell);
        if (isAccountingZero(cell) || negative === 'zero') f[i] = '0';
        else if (negative === 'negative') throw new RowError(header[i], f[i], accountingNegativeMessage('a credit amount'));
      }
      for (const i of creditColumns) {
        const text = f[i]!.trim();
        if (text === '' && ci === -1) continue;
        marks.check(text, header[i], f[i]);
        const c = creditsToMicros(text, decimal);
        if (c === null) throw new RowError(header[i], f[i], exponentProblem(f[i]!) ?? `is not a number: expected credits like ${decimal === ',' ? "12,34 (with a decimal comma, as the file's other amounts)" : '12.34'}`);
        if (c < 0) throw new RowError(header[i], f[i], 'is negative: expected credits >= 0');
        cost += c;
      }
      const originText = f[oi]!.trim();
      const origin = originKind(originText);
      const rawKey = cell(f, ki);
      const keyName = isNoKey(rawKey) ? '' : rawKey;
      const trigger = cell(f, tri);
      if (isExponentNotation(keyName)) throw new RowError(header[ki], f[ki], exponentIdMessage('different API keys'));
      if (isExponentNotation(trigger)) throw new RowError(header[tri], f[tri], exponentIdMessage('different triggers'));
      const agent = cell(f, ai) || cell(f, aidi) || 'unknown agent';
      const programmatic = isProgrammaticUsage(cell(f, usi), originText);
      const day = time - (time % DAY);
      let type: EventTypeCode;
      let subject: string;
      if (trigger !== '' || origin === 'trigger') {
        type = EventType.trigger;
        // a run without its trigger's id still belongs to its agent's (unnamed) trigger
        subject = trigger !== '' ? trigger : `trigger of ${agent}`;
        sink.entity({ type, subject, label: agent, mode: programmatic ? 'programmatic' : 'fair_use', agent, ...(isMonitorOrigin(originText) ? { kind: 'monitor' as const } : {}) });
        if (programmatic) sink.spend(`agent:${agent}`, subject, day);
      } else if (keyName !== '') {
        type = EventType.api;
        subject = keyName;
        sink.entity({ type, subject, label: keyName });
        sink.spend(`key:${keyName}`, subject, day);
      } else if (origin === 'api' || programmatic) {
        // programmatic spend without a key (a workflow, an API call the export names no key for)
        type = EventType.trigger;
        subject = `${NO_KEY_PREFIX}${agent}`;
        sink.entity({ type, subject, label: `${agent} (no key)`, mode: 'programmatic', kind: 'webhook', agent });
        sink.spend(`agent:${agent}`, subject, day);
      } else {
        type = EventType.message;
        subject = cell(f, ui) || cell(f, uni);
        if (isExponentNotation(subject)) throw new RowError(header[ui === -1 ? uni : ui], ui === -1 ? f[uni] : f[ui], exponentIdMessage('different people'));
        if (subject === '') throw new RowError(header[ui === -1 ? uni : ui], ui === -1 ? f[uni] : f[ui], 'is empty: expected the id of the person who sent the message');
        const userName = cell(f, uni);
        if (userName !== '' && userName !== subject) sink.entity({ type, subject, label: userName });
      }
      // the line's own identity (SPEC section 8: content and occurrence), folded into its message's event
      const line = identity.of(f);
      const spelled = idSpelling(message);
      const amountOcc = amounts.next(identity.amountOf(spelled, cost));
      const outcome = sink.fold(time, type, subject, type === EventType.message ? 0 : cost, `dust-msg:${spelled}`, line, occurrences.next(line), cost, amountOcc, identity.cells);
      return outcome === 'duplicate' ? 'duplicate' : 'new';
    },
    newFile() {
      occurrences = new LineOccurrences();
      amounts = new LineOccurrences();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// any other CSV, through a column mapping

export const columnMappingSchema = z.strictObject({
  time: z.string().min(1),
  dateFormat: z.enum(DATE_FORMATS),
  /**
   * A column holding the time of day when `time` holds the day alone (`Date,Time`: `2026-10-01`,
   * `14:35:10`): the two make one moment. Without it such a sheet's events all fell at midnight,
   * which moves them in every sliding 24 h window.
   */
  timeOfDay: z.string().min(1).nullable().default(null),
  /** IANA zone, UTC or ±HH:MM: for times the file writes without a zone */
  timeZone: z.string().default('UTC'),
  /** a column holding the type, or one type for every row */
  type: z.union([z.strictObject({ column: z.string().min(1) }), z.strictObject({ value: z.enum(['api', 'trigger', 'message']) })]),
  /** the file's words for the types (`request` → api); api, trigger and message are always known */
  typeValues: z.record(z.string(), z.enum(['api', 'trigger', 'message'])).default({}),
  subject: z.string().min(1),
  cost: z.string().min(1).nullable().default(null),
  /** cost unit: USD, or credits at $0.01 */
  costUnit: z.enum(['usd', 'credits']).default('usd'),
  decimal: z.enum(['.', ',']).default('.'),
  /** the cost column's currency (ISO code); other than USD it needs usdPerUnit */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code like USD or EUR').default('USD'),
  /** USD for one unit of `currency`: amounts are converted, never taken as USD */
  usdPerUnit: z.number().positive().finite().nullable().default(null),
  id: z.string().min(1).nullable().default(null),
});
export type ColumnMapping = z.output<typeof columnMappingSchema>;

export function parseColumnMapping(raw: unknown, source: string): ColumnMapping {
  const r = columnMappingSchema.safeParse(raw);
  const problems = r.success ? [] : mappingProblems(r.error.issues, raw);
  // read from the fields as written, so that a mapping that also lacks a field (dateFormat) still
  // names this mistake rather than only the missing field
  const written = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const time = written.time;
  const timeOfDay = written.timeOfDay;
  if (typeof time === 'string' && typeof timeOfDay === 'string' && timeOfDay.trim() !== '' && norm(timeOfDay) === norm(time)) {
    problems.unshift({ field: 'mapping.timeOfDay', value: timeOfDay, message: `${JSON.stringify(timeOfDay)} is the time column itself: name the column that holds the time of day, or leave timeOfDay out` });
  }
  if (r.success && r.data.timeOfDay !== null && (r.data.dateFormat === 'epoch-ms' || r.data.dateFormat === 'epoch-s')) {
    problems.push({
      field: 'mapping.timeOfDay',
      value: r.data.timeOfDay,
      message: `${JSON.stringify(r.data.timeOfDay)} completes a day, and epoch ${r.data.dateFormat === 'epoch-ms' ? 'milliseconds' : 'seconds'} are a moment already: leave timeOfDay out`,
    });
  }
  if (typeof written.timeZone === 'string' && !isValidTimeZone(written.timeZone)) {
    problems.push({ field: 'mapping.timeZone', value: written.timeZone, message: `${JSON.stringify(written.timeZone)} is not a time zone (IANA name like Europe/Paris, UTC, or +02:00)` });
  }
  if (problems.length > 0 || !r.success) {
    throw new InputError(
      `${source}: invalid column mapping: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      problems.map((p) => ({ file: source, column: p.field, ...(p.value !== undefined ? { value: p.value } : {}), message: p.message })),
    );
  }
  if (r.data.currency !== 'USD' && r.data.costUnit === 'usd' && r.data.usdPerUnit === null) {
    const column = r.data.cost ?? 'cost';
    throw new InputError(`${source}: the column "${column}" is in ${r.data.currency}: give its rate to USD (usdPerUnit), or convert it first; an amount in ${r.data.currency} is never taken as USD`, [
      { file: source, column, value: r.data.currency, message: `is in ${r.data.currency}: give the rate to USD (usdPerUnit)` },
    ]);
  }
  return r.data;
}

/**
 * The columns a mapping names, read from its fields as written (valid or not), that `header` does
 * not have: `mapping.time` "When". A mapping refused for its own fields (a missing dateFormat) was
 * refused for those alone, and the admin whose time column was not in the file heard only of the
 * secondary mistake first.
 */
export function mappingColumnProblems(raw: unknown, header: readonly string[]): { field: string; value: string }[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const o = raw as Record<string, unknown>;
  const type = typeof o.type === 'object' && o.type !== null ? (o.type as Record<string, unknown>).column : undefined;
  const named: [string, unknown][] = [
    ['time', o.time],
    ['timeOfDay', o.timeOfDay],
    ['type.column', type],
    ['subject', o.subject],
    ['cost', o.cost],
    ['id', o.id],
  ];
  const names = new Set(header.map(norm));
  return named.flatMap(([field, v]) => (typeof v === 'string' && v.trim() !== '' && !names.has(norm(v)) ? [{ field: `mapping.${field}`, value: v }] : []));
}

/**
 * A given mapping refused for its own fields, once the file's header is known: the columns it
 * names that the file lacks first (each with the field naming it, and the file's header), then the
 * mapping's own problems, in one refusal; the mapping's refusal as it is when every column is there.
 */
export function mappingRefusal(file: string, line: number, header: readonly string[], raw: unknown, refused: InputError): InputError {
  const missing = mappingColumnProblems(raw, header);
  if (missing.length === 0) return refused;
  const columns = missing.map((m) => `missing column ${JSON.stringify(m.value)} (${m.field})`).join(', ');
  const message = `${file}:${line}: ${columns}; the file's header: ${header.join(',')}`;
  return new InputError(`${message}; and ${refused.message}`, [
    ...missing.map((m) => ({ file, line, column: m.field, value: m.value, message: `is not a column of the file (header: ${header.join(',')})` })),
    ...refused.details,
  ]);
}

/**
 * Header names (as `norm` reads them) each field is guessed from, first match first: the English
 * ones, then those of a sheet made in German, French, Spanish, Portuguese or Italian.
 */
const GUESS = {
  time: ['timestamp', 'time', 'datetime', 'date', 'createdat', 'created', 'completedat', 'occurredat', 'when', 'day', 'eventtime',
    'datum', 'zeitpunkt', 'zeit', 'horodatage', 'dateheure', 'fecha', 'fechahora', 'data', 'dataehora', 'dataora'],
  type: ['type', 'eventtype', 'kind', 'category', 'typ', 'art', 'kategorie', 'categorie', 'tipo', 'categoria'],
  subject: ['subject', 'apikey', 'apikeyname', 'key', 'keyname', 'keyid', 'trigger', 'triggerid', 'user', 'userid', 'username', 'email', 'agent', 'agentname', 'name',
    'schlussel', 'apischlussel', 'benutzer', 'nutzer', 'cle', 'cleapi', 'utilisateur', 'clave', 'claveapi', 'usuario', 'chave', 'chaveapi', 'chiave', 'chiaveapi', 'utente'],
  cost: ['costusd', 'cost', 'amountusd', 'amount', 'spendusd', 'spend', 'totalspendusd', 'totalcostusd', 'totalcost', 'usd', 'price', 'total', 'credits', 'totalcredits',
    'kosten', 'betrag', 'preis', 'cout', 'montant', 'prix', 'coste', 'costo', 'importe', 'precio', 'custo', 'valor', 'importo', 'prezzo'],
  id: ['id', 'eventid', 'requestid', 'uuid'],
};

/**
 * Header names (as `norm` reads them) of a column holding the time of day beside a date column
 * (`Date,Time`, `Datum;Uhrzeit`, `Fecha;Hora`), first match first.
 */
const TIME_OF_DAY_NAMES = ['time', 'timeofday', 'clock', 'hour', 'uhrzeit', 'zeit', 'heure', 'hora', 'ora', 'orario'];

/**
 * Of TIME_OF_DAY_NAMES, those under which `14.35` or `1h30` may be a duration (seconds, hours and
 * minutes): such cells are taken for times of day unasked only under the other names (`Heure`:
 * `14h35`, `Uhrzeit`: `14.35`), or with `Uhr` after them.
 */
const ENGLISH_CLOCK_NAMES: ReadonlySet<string> = new Set(['time', 'clock', 'hour']);

/** GUESS.type's names in other languages than English (`art` is also an English word). */
const FOREIGN_TYPE_NAMES = new Set(['typ', 'art', 'kategorie', 'categorie', 'tipo', 'categoria']);

const TYPE_WORDS: Record<string, EventTypeName> = {
  api: 'api', request: 'api', apicall: 'api', apirequest: 'api', call: 'api',
  trigger: 'trigger', webhook: 'trigger', schedule: 'trigger', scheduled: 'trigger', run: 'trigger', triggerrun: 'trigger',
  message: 'message', msg: 'message', chat: 'message', usermessage: 'message',
  // a sheet made in German, French, Spanish, Portuguese or Italian
  anfrage: 'api', requete: 'api', solicitud: 'api', peticion: 'api', requisicao: 'api', richiesta: 'api',
  ausloser: 'trigger', declencheur: 'trigger', disparador: 'trigger', activador: 'trigger', gatilho: 'trigger', attivatore: 'trigger',
  nachricht: 'message', mensaje: 'message', mensagem: 'message', messaggio: 'message',
};

/**
 * Guesses a mapping from header names and sample values. Returns the mapping, or the list of
 * what it could not decide (then the caller asks the admin).
 */
export function guessMapping(header: string[], samples: string[][]): { mapping: ColumnMapping | null; missing: string[] } {
  const normalized = header.map(norm);
  const find = (names: string[], exclude: number[] = []): number => {
    for (const n of names) {
      const i = normalized.findIndex((h, k) => h === n && !exclude.includes(k));
      if (i !== -1) return i;
    }
    return -1;
  };
  const missing: string[] = [];
  // The time column: of the columns named as times (in GUESS's order), the first whose cells read
  // as dates; Excel serials only when none does (a `Time` of durations in ms beside a `Date` of
  // days was taken for serials: every date wrong by years, and the real dates left unread).
  const timeCandidates = GUESS.time.flatMap((name) => normalized.flatMap((h, k) => (h === name ? [k] : [])));
  const formats = new Map(timeCandidates.map((k) => [k, guessDateFormat(samples.map((r) => r[k] ?? ''))]));
  const ti =
    timeCandidates.find((k) => formats.get(k) !== null && formats.get(k) !== 'excel-serial') ?? timeCandidates.find((k) => formats.get(k) === 'excel-serial') ?? timeCandidates[0] ?? -1;
  const tdi = timeOfDayColumn(normalized, samples, ti, ti === -1 ? null : (formats.get(ti) ?? null));
  // A column named as a type only in another language (`Art`, `Tipo`) is the type when its cells
  // are event types: an English sheet's `Art` of paintings refused every row as no known type.
  const typeNamed = find(GUESS.type, [ti, tdi]);
  const foreignType = typeNamed !== -1 && FOREIGN_TYPE_NAMES.has(normalized[typeNamed]!);
  const tyi =
    foreignType && !samples.some((r) => { const v = (r[typeNamed] ?? '').trim(); return TYPE_WORDS[norm(v)] !== undefined || v in TYPE_CODES; }) ? -1 : typeNamed;
  const si = find(GUESS.subject, [ti, tdi, tyi]);
  let ci = find(GUESS.cost, [ti, tdi, tyi, si]);
  // `Amount (EUR)`, `Cost in €`: a money word first, the currency after
  if (ci === -1) ci = normalized.findIndex((h, k) => ![ti, tdi, tyi, si].includes(k) && /^(?:cost|amount|spend|price|total|montant|betrag|importe|kosten|cout|coste|costo|custo|importo)/.test(h));
  const ii = find(GUESS.id, [ti, tdi, tyi, si, ci]);
  if (ti === -1) missing.push('time');
  if (si === -1) missing.push('subject');
  const dateFormat = ti === -1 ? null : (formats.get(ti) ?? null);
  if (ti !== -1 && dateFormat === null) missing.push(`dateFormat${serialHint(samples.map((r) => (r[ti] ?? '').trim()).filter((v) => v !== ''))}`);
  let decimal: '.' | ',' = '.';
  let currency = 'USD';
  if (ci !== -1) {
    // a negative (`(1.00)`) tells nothing of the column's form: its row is refused as a negative when read
    const written = samples.map((r) => (r[ci] ?? '').trim()).filter((v) => v !== '' && accountingNegative(v) === null);
    currency = currencyOfColumn(header[ci]!, written);
    // decided by the amounts that read either way: a cell that reads neither ("n/a") is that
    // row's error when it is read, not the whole file's; most must read
    const vals = written.filter((v) => parseMoneyToMicros(v, '.', currency) !== null || parseMoneyToMicros(v, ',', currency) !== null);
    const dotOk = vals.every((v) => parseMoneyToMicros(v, '.', currency) !== null);
    const commaOk = vals.every((v) => parseMoneyToMicros(v, ',', currency) !== null);
    if (written.length > 0 && 2 * vals.length <= written.length) missing.push('cost');
    else if (!dotOk && commaOk) decimal = ',';
    else if (!dotOk) missing.push('cost');
    // never silently dollars: the admin gives the rate (the app asks; the CLI names the column)
    if (currency !== 'USD') missing.push(`usdPerUnit (the column "${header[ci]!}" is in ${currency})`);
  }
  const typeValues: Record<string, EventTypeName> = {};
  if (tyi !== -1) {
    for (const r of samples) {
      const v = (r[tyi] ?? '').trim();
      const t = TYPE_WORDS[norm(v)];
      if (t !== undefined && !(v in TYPE_CODES)) typeValues[v] = t;
    }
  }
  // only the rate missing: the mapping is shown with the question (the importer still refuses it)
  if (missing.some((m) => !m.startsWith('usdPerUnit')) || ti === -1 || si === -1 || dateFormat === null) return { mapping: null, missing };
  const costHeader = ci === -1 ? null : header[ci]!;
  return {
    mapping: {
      time: header[ti]!,
      dateFormat,
      timeOfDay: tdi === -1 ? null : header[tdi]!,
      timeZone: 'UTC',
      type: tyi !== -1 ? { column: header[tyi]! } : { value: ci !== -1 ? 'api' : 'message' },
      typeValues,
      subject: header[si]!,
      cost: costHeader,
      costUnit: costHeader !== null && norm(costHeader).includes('credit') ? 'credits' : 'usd',
      decimal,
      currency,
      usdPerUnit: null,
      id: ii === -1 ? null : header[ii]!,
    },
    missing,
  };
}

/**
 * The column that completes a time column of days with their time of day (`Date,Time`:
 * `2026-10-01`, `14:35:10`), or -1: one named as a time of day (TIME_OF_DAY_NAMES) most of whose
 * first cells are written as one (`14:35`, `2:35 PM`), beside a time column whose cells hold
 * the day alone. A `Time` of durations (`1250` ms) is not written so and is never taken: read as
 * 12:50 it would move every event. A cell of the right form but no time of day (`25:61`) is its
 * row's error when read, not a reason to leave the column out (its rows would all fall at midnight).
 */
function timeOfDayColumn(normalized: readonly string[], samples: readonly string[][], ti: number, dateFormat: DateFormat | null): number {
  for (const k of namedTimeOfDayColumns(normalized, samples, ti, dateFormat)) {
    const localeForms = !ENGLISH_CLOCK_NAMES.has(normalized[k]!);
    const cells = samples.map((r) => (r[k] ?? '').trim()).filter((v) => v !== '');
    if (cells.length > 0 && 2 * cells.filter((v) => looksLikeTimeOfDay(v, localeForms)).length > cells.length) return k;
  }
  return -1;
}

/**
 * The columns named as a time of day (TIME_OF_DAY_NAMES, first match first) beside a time column
 * whose cells mostly hold the day alone: the ones that may complete it. Most, not all: one date
 * cell with a time of its own (`2026-10-10 08:00`) is its row's error (dayAndTimeOfDay), and
 * leaving the column out for it put every other row at midnight.
 */
function namedTimeOfDayColumns(normalized: readonly string[], samples: readonly string[][], ti: number, dateFormat: DateFormat | null): number[] {
  if (ti === -1 || dateFormat === null || dateFormat === 'epoch-ms' || dateFormat === 'epoch-s') return [];
  const days = samples.map((r) => (r[ti] ?? '').trim()).filter((v) => parseMappedTime(v, dateFormat, 'UTC') !== null);
  if (days.length === 0 || 2 * days.filter((v) => isDayAlone(v, dateFormat)).length <= days.length) return [];
  return TIME_OF_DAY_NAMES.flatMap((name) => normalized.flatMap((h, k) => (k !== ti && h === name ? [k] : [])));
}

/**
 * A column named as a time of day beside a time column of days that no guess takes, with one of
 * its cells: its cells are not written as times of day (`1250`, `14.35` under `Time`, a typo in
 * most of them). Left out, its rows fall at midnight: said, never silently (importer.ts).
 */
export function unreadTimeOfDay(header: readonly string[], samples: readonly string[][], time: string, dateFormat: DateFormat): { column: string; cell: string } | null {
  const normalized = header.map(norm);
  const k = namedTimeOfDayColumns(normalized, samples, normalized.indexOf(norm(time)), dateFormat)[0];
  if (k === undefined) return null;
  const cells = samples.map((r) => (r[k] ?? '').trim()).filter((v) => v !== '');
  return { column: header[k]!, cell: cells.find((v) => !looksLikeTimeOfDay(v, !ENGLISH_CLOCK_NAMES.has(normalized[k]!))) ?? cells[0] ?? '' };
}

/**
 * The time-of-day column a guess would take beside the column `time` (timeOfDayColumn), by name;
 * null when none. For a mapping saved from a guess made before such columns were read: its
 * `Date,Time` files would otherwise go on falling at midnight.
 */
export function guessTimeOfDay(header: readonly string[], samples: readonly string[][], time: string, dateFormat: DateFormat): string | null {
  const normalized = header.map(norm);
  const k = timeOfDayColumn(normalized, samples, normalized.indexOf(norm(time)), dateFormat);
  return k === -1 ? null : header[k]!;
}

/**
 * Why a time column of 5-digit numbers was not guessed as Excel date serials (some are no day from
 * 2000 to 2099): said with the undecided date format, rather than leave the admin to guess what
 * the numbers are. Empty when most cells are not serial-shaped.
 */
function serialHint(cells: readonly string[]): string {
  const serials = cells.filter((v) => EXCEL_SERIAL.test(v));
  if (serials.length === 0 || 2 * serials.length <= cells.length) return '';
  const out = serials.find((v) => excelSerialTime(v) === null);
  return ` (the cells look like Excel date serials, days since 1899-12-30${out !== undefined ? `, but ${out} is no day from 2000 to 2099` : ''}: format the column as yyyy-mm-dd and save again)`;
}

/** The currency a cost column is in: named by its header (`Amount (EUR)`) or its values' marks. */
export function currencyOfColumn(header: string, values: readonly string[]): string {
  const h = header.toUpperCase();
  for (const code of ['EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD']) if (new RegExp(`(?:^|[^A-Z])${code}(?:$|[^A-Z])`).test(h) || h.endsWith(`_${code}`)) return code;
  if (h.includes('€')) return 'EUR';
  if (h.includes('£')) return 'GBP';
  for (const v of values) {
    const c = splitCurrency(v).currency;
    if (c !== null) return c;
  }
  return 'USD';
}

/**
 * A mapping guessed from the file's first rows (not given, not saved): its decimal mark and the
 * order of its slash dates are only guesses there, so, as for the exports, an amount or a date the
 * first rows cannot settle asks the whole file (importer.ts), and the mapping shown, used and saved
 * carries what the whole file told.
 */
export interface GuessedFrom {
  samples: readonly string[][];
  whole: WholeFileFacts;
  /**
   * What an earlier file of this shape told (a mapping saved from a guess): taken only where this
   * whole file tells nothing (every date reads both ways, every amount both ways in a tab file),
   * rather than refusing what last month's copy of the same report settled.
   */
  earlier?: { decimal: DecimalMark; dayOrder: 'dmy' | 'mdy' | null };
}

/**
 * The day order of a guessed mapping's slash dates: told by the first rows when a part above 12
 * shows it, else by the whole file (`whole`); until then a date that reads two ways sends the
 * import back to ask it (DayOrderUnknown). Null `order`: nothing in the file tells.
 */
function guessedDayOrder(samples: readonly string[], whole: DayOrder | null | undefined): { order: DayOrder | null; known: boolean; byRows: boolean } {
  const scan = new DayOrderScan(SLASH_TIME);
  for (const v of samples) scan.add(v);
  if (scan.decided) return { order: scan.told, known: true, byRows: true };
  if (whole !== undefined) return { order: whole === 'ymd' ? null : whole, known: true, byRows: false };
  return { order: null, known: false, byRows: false };
}

/**
 * A row's moment from its day (column `ti`) and its time of day (column `tdi`); a problem with
 * either names both columns, since the two cells make the one time.
 */
function dayAndTimeOfDay(f: readonly string[], header: readonly string[], ti: number, tdi: number, m: ColumnMapping): number {
  const day = f[ti]!;
  const clock = f[tdi]!;
  const t = parseDateAndTimeOfDay(day, clock, m.dateFormat, m.timeZone);
  if (typeof t === 'number') return t;
  const dayCell = `${header[ti]!} ${JSON.stringify(day.trim())}`;
  const clockCell = `${header[tdi]!} ${JSON.stringify(clock.trim())}`;
  if (t === 'date') throw new RowError(header[ti], day, `is not a date in the mapped format (${m.dateFormat}), to which ${clockCell} gives the time of day`);
  if (t === 'date-has-time') {
    throw new RowError(header[ti], day, `has a time of day of its own, and the mapping takes it from ${clockCell}: which one holds would be a guess; map only one time column, or keep the day alone in this one`);
  }
  if (clock.trim() === '') throw new RowError(header[tdi], clock, `is empty: expected the time of day of ${dayCell}`);
  throw new RowError(header[tdi], clock, `is not a time of day (hh:mm, hh:mm:ss or h:mm AM) for ${dayCell}`);
}

/**
 * The day order the admin gave for the command's slash dates (`headroom import --dates`), as a
 * mapped file takes it: `now` is the import's own time (GivenOrderDoubt), `audience` who reads
 * its messages.
 */
export interface GivenOrder {
  order: GivenDayOrder;
  now: number;
  audience: 'cli' | 'app';
}

/**
 * `--dates` beside a mapping given that orders its slash dates the other way: which one holds
 * would be a guess, so the import is refused, naming both. Null when they agree, or when the
 * mapping reads no slash dates (then `--dates` orders none of its dates, as for an export of
 * `YYYY-MM-DD` days).
 */
export function givenOrderConflict(mapping: Pick<ColumnMapping, 'dateFormat'>, order: GivenDayOrder, audience: 'cli' | 'app' = 'cli'): string | null {
  if ((mapping.dateFormat !== 'dmy' && mapping.dateFormat !== 'mdy') || mapping.dateFormat === order) return null;
  if (audience === 'app') {
    return `${givenOrderWords(order, 'app')} and the mapping's date format (${dayOrderWords(mapping.dateFormat)}) order the dates differently: choose “Dates are: automatic”, or the mapping's date format ${dayOrderWords(order)}`;
  }
  return `--dates ${order} and the mapping's "dateFormat": "${mapping.dateFormat}" order the dates differently: give the order once (drop --dates, or make the mapping's "dateFormat" "${order}")`;
}

/**
 * `samples`: the file's first rows, for what the "read as" line says of its dates. `source`: where
 * a mapping not guessed from this file came from (given, or saved for its shape), said with its day order.
 * `given`: the day order the admin gave (`--dates`): it orders the slash dates of a mapping
 * guessed or saved (a mapping given says its own, givenOrderConflict), and a date only the other
 * order reads refuses the file, as it does an export's; taken without a word, it left a sheet
 * whose rows could not tell refused row by row ("give the date format in the mapping").
 */
export function mappingHandler(
  header: string[],
  file: string,
  told: ColumnMapping,
  guessedFrom: GuessedFrom | null = null,
  samples: readonly string[][] = [],
  source: 'mapping' | 'saved' = 'mapping',
  given: GivenOrder | null = null,
  audience: 'cli' | 'app' = 'cli',
): FormatHandler {
  let mapping = told;
  // every column the mapping names that the file lacks, each with its field: the first alone left
  // the admin to find the next one at the next try
  const absent = mappingColumnProblems(told, header);
  if (absent.length > 0) {
    throw new InputError(`${file}:1: ${absent.map((a) => `missing column ${JSON.stringify(a.value)} (${a.field})`).join(', ')}; the file's header: ${header.join(',')}`, absent.map((a) => ({ file, line: 1, column: a.field, value: a.value, message: `is not a column of the file (header: ${header.join(',')})` })));
  }
  const ti = columnIndex(header, file, [mapping.time]);
  const tdi = mapping.timeOfDay === null ? -1 : columnIndex(header, file, [mapping.timeOfDay]);
  const si = columnIndex(header, file, [mapping.subject]);
  const tyi = 'column' in mapping.type ? columnIndex(header, file, [mapping.type.column]) : -1;
  const fixedType = 'value' in mapping.type ? TYPE_CODES[mapping.type.value]! : null;
  const ci = mapping.cost === null ? -1 : columnIndex(header, file, [mapping.cost]);
  const ii = mapping.id === null ? -1 : columnIndex(header, file, [mapping.id]);
  const words = new Map<string, EventTypeCode>();
  for (const [k, v] of Object.entries(mapping.typeValues)) words.set(norm(k), TYPE_CODES[v]!);
  if (mapping.currency !== 'USD' && mapping.costUnit === 'usd' && mapping.usdPerUnit === null && mapping.cost !== null) {
    throw new InputError(`${file}:1: the column "${mapping.cost}" is in ${mapping.currency}: give its rate to USD, or convert it first; an amount in ${mapping.currency} is never taken as USD`, [
      { file, line: 1, column: mapping.cost, value: mapping.currency, message: `is in ${mapping.currency}: give the rate to USD (usdPerUnit)` },
    ]);
  }
  if (given !== null && guessedFrom === null && source === 'mapping') {
    const conflict = givenOrderConflict(told, given.order, given.audience);
    if (conflict !== null) throw new InputError(`${file}:1: ${conflict}`, [{ file, line: 1, column: 'dateFormat', value: told.dateFormat, message: conflict }]);
  }
  // the order given decides a guessed or saved mapping's slash dates (one given says its own)
  const givenOrder = given !== null && !(guessedFrom === null && source === 'mapping') && (told.dateFormat === 'dmy' || told.dateFormat === 'mdy') ? given : null;
  if (givenOrder !== null) mapping = { ...mapping, dateFormat: givenOrder.order };
  const givenCheck = givenOrder === null ? null : new GivenDayOrderCheck(givenOrder.order, givenOrder.now);
  let occurrences = new ContentOccurrences();
  const readAmount: AmountReader = told.costUnit === 'credits' ? (v, d) => toMicroCredits(v, d) : (v, d) => parseMoneyToMicros(v, d, told.currency);
  // a guessed mapping's decimal mark and day order: the whole file's, when its first rows do not tell
  let checkAmount: (text: string, column: string | undefined, value: string | undefined) => void = () => {};
  let slashOrder: { order: DayOrder | null; known: boolean; byRows: boolean } | null = null;
  // the order was not guessed: the mapping's (given or saved), or the one an earlier file of this shape told
  let dayOrderFrom: 'mapping' | 'saved' | null = guessedFrom === null && givenCheck === null ? source : null;
  if (guessedFrom !== null) {
    if (ci !== -1) {
      const wholeDecimal = guessedFrom.whole.decimal === null && guessedFrom.earlier !== undefined ? guessedFrom.earlier.decimal : guessedFrom.whole.decimal;
      const marks = decimalMarkOf(guessedFrom.samples.map((r) => r[ci] ?? ''), [header[ci]!], readAmount, wholeDecimal);
      checkAmount = marks.check;
      mapping = { ...mapping, decimal: marks.mark };
    }
    if (givenCheck === null && (mapping.dateFormat === 'dmy' || mapping.dateFormat === 'mdy')) {
      // a sheet to map takes only what its dates themselves tell (a part above 12, dots): its rows
      // need not be consecutive days, and a mapping's decimal mark is no export's locale
      const wholeTold = guessedFrom.whole.dayOrder?.told;
      const earlier = wholeTold === null && guessedFrom.earlier?.dayOrder != null;
      const wholeOrder = earlier ? guessedFrom.earlier!.dayOrder : wholeTold;
      slashOrder = guessedDayOrder(guessedFrom.samples.map((r) => r[ti] ?? ''), wholeOrder);
      if (earlier && !slashOrder.byRows) dayOrderFrom = 'saved';
      if (slashOrder.known && slashOrder.order !== null) mapping = { ...mapping, dateFormat: slashOrder.order };
    }
  }
  const m = mapping;
  // dotted dates are written day first wherever they are written: a mapping that says month first
  // is the admin's to make, and kept, but its rows are watched for what says it is doubtful
  const dotted = m.dateFormat === 'mdy' && dayOrderFrom !== null ? new DottedMonthFirstCheck(header[ti]!, dayOrderFrom) : null;
  // serials need no day order: 'ymd' says so, and the forms the rows write name them (findings.ts)
  const order = m.dateFormat === 'dmy' || m.dateFormat === 'mdy' ? m.dateFormat : m.dateFormat === 'iso' || m.dateFormat === 'ymd' || m.dateFormat === 'excel-serial' ? 'ymd' : undefined;
  return {
    format: 'mapping',
    mapping: m,
    guessed: {
      ...(ci !== -1 ? { decimal: m.decimal } : {}),
      ...(order !== undefined ? { dayOrder: slashOrder !== null && slashOrder.known ? slashOrder.order : order, dates: dateFormsOf(samples.map((r) => r[ti] ?? '')) } : {}),
      ...(order !== undefined && order !== 'ymd' && dayOrderFrom !== null ? { dayOrderFrom } : {}),
      ...(givenCheck !== null ? { dayOrderBy: 'given' as const } : {}),
      ...(tdi !== -1 ? { timeOfDay: header[tdi]! } : {}),
    },
    ...(givenCheck !== null ? { givenDayOrder: () => ({ slashDates: givenCheck.sawSlashDates, doubt: givenCheck.doubt(header[ti]!) }) } : {}),
    row(f, line, sink) {
      checkWidth(f, header);
      if (givenCheck !== null) {
        // a date only the other order reads says the option was wrong, not the row: the whole file is refused
        const text = f[ti]!.trim();
        if (SLASH_TIME.test(text)) givenSlashTime(givenCheck, text, file, line, header[ti]!, f[ti], givenOrder!.audience);
      }
      if (dotted !== null) {
        const dayFirst = dotted.add(f[ti]!, line);
        if (dayFirst !== null) {
          const text = f[ti]!.trim();
          throw new RowError(
            header[ti],
            f[ti],
            `is not a time in the mapped format (mdy): ${Number(/^\d+/.exec(text)![0])} is no month. Dates written with dots are day first, and read so it is ${isoOf(dayFirst).slice(0, 10)}: ` +
              `is the ${dotted.from === 'saved' ? 'saved mapping' : 'mapping'}'s "dateFormat" "dmy"?`,
          );
        }
      }
      if (slashOrder !== null && (!slashOrder.known || slashOrder.order === null)) {
        // a date the first rows could not place: read two ways, it is never guessed
        const text = f[ti]!.trim();
        if (SLASH_TIME.test(text) && parseMappedTime(text, 'dmy', m.timeZone) !== parseMappedTime(text, 'mdy', m.timeZone)) {
          if (!slashOrder.known) throw new DayOrderUnknown(header[ti]!);
          // the command line takes the order for the whole command too (--dates), as for an export
          const way = audience === 'cli' ? ', or their order with --dates dmy or mdy' : '';
          throw new RowError(header[ti], f[ti], `could be day or month first, and no row of the file tells (no day above 12): give the date format (dmy or mdy) in the mapping${way}`);
        }
      }
      const time = tdi === -1 ? parseMappedTime(f[ti]!, m.dateFormat, m.timeZone) : dayAndTimeOfDay(f, header, ti, tdi, m);
      if (time === null) throw new RowError(header[ti], f[ti], `is not a time in the mapped format (${m.dateFormat})`);
      if (!isPlausibleTime(time)) throw new RowError(header[ti], f[ti], timeRangeMessage());
      let type = fixedType;
      if (type === null) {
        const v = f[tyi]!.trim();
        type = TYPE_CODES[v] ?? words.get(norm(v)) ?? null;
        if (type === null) {
          const known = words.size ? ` or ${Object.keys(mapping.typeValues).join(', ')}` : '';
          const guess = TYPE_WORDS[norm(v)];
          const example = `"typeValues": {${JSON.stringify(v || 'request')}: "${guess ?? 'api'}"}`;
          throw new RowError(header[tyi], f[tyi], `is not a known event type: expected api, trigger or message${known}; name the file's own words in the mapping's typeValues, e.g. ${example}`);
        }
      }
      const subject = f[si]!.trim();
      if (subject === '') throw new RowError(header[si], f[si], 'is empty: expected an API key, trigger or user');
      let cost = 0;
      if (ci !== -1 && type !== EventType.message) {
        let text = f[ci]!.trim();
        if (!(text === '' && type === EventType.trigger)) {
          // a negative in parentheses, after a minus before its currency mark or trailing: named as
          // a negative (never read as its positive), a rounded one (`(0.00)`) read as 0
          const negative = accountingNegative(text);
          if (negative === 'negative') throw new RowError(header[ci], f[ci], 'is negative (written as accountants write one: (1.00), -$1.00 or 1.00- is -1.00): expected a cost >= 0');
          if (negative === 'zero') text = '0';
          checkAmount(text, header[ci], f[ci]);
          // credits with the mapping's decimal mark as money is read (`1.234,5` is 1234.5 credits)
          let c = m.costUnit === 'credits' ? creditsToMicros(text, m.decimal) : parseMoneyToMicros(text, m.decimal, m.currency);
          if (c === null) {
            const named = splitCurrency(text).currency;
            if (named !== null && named !== m.currency) throw new RowError(header[ci], f[ci], `is in ${named}, but the mapping says ${m.currency}: an amount is never taken in another currency`);
            throw new RowError(header[ci], f[ci], text === '' ? 'is empty: an api event needs a cost' : `is not an amount (decimal separator "${m.decimal}")`);
          }
          if (m.usdPerUnit !== null && m.costUnit === 'usd') c = Math.round(c * m.usdPerUnit);
          if (c < 0) throw new RowError(header[ci], f[ci], 'is negative: expected a cost >= 0');
          cost = c;
        }
      } else if (ci === -1 && type === EventType.api) {
        throw new RowError(undefined, undefined, 'an api event needs a cost, and the mapping names no cost column');
      }
      const given = ii === -1 ? '' : f[ii]!.trim();
      const added = given !== '' ? sink.add(time, type, subject, cost, given, 0, true) : sink.add(time, type, subject, cost, null, occurrences.next(time, type, subject, cost), false);
      return added ? 'new' : 'duplicate';
    },
    newFile() {
      // rows without an id are numbered among identical rows of their file (SPEC §8): after the
      // header again, of the next file joined to this one, so that a row both files hold is a
      // duplicate, not a second occurrence counted twice
      occurrences = new ContentOccurrences();
    },
    dottedMonthFirst: () => dotted?.result() ?? null,
  };
}


