/**
 * The canonical events CSV (SPEC §6): `timestamp,type,subject,cost_usd` plus an optional `id`
 * column, in any order. A bad value is reported with its physical line, column and value; it
 * never silently becomes zero.
 *
 * Speed: a million rows must parse in a few hundred milliseconds, so the common shape (no quote
 * characters) is read by a hand-written scanner straight off the bytes (about 3x faster than
 * papaparse here), the timestamps by a fixed-position ISO 8601 reader, and repeated subjects are
 * interned. Quoted records (RFC 4180) are read by papaparse: one at a time while they are rare,
 * the whole rest of the file once they are common. Files are read in 16 MB blocks of whole
 * lines, so a 10M-row file (larger than V8's longest string) reads too.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { EventColumnsBuilder, EventType, NameTable } from './events.ts';
import type { EventColumns, EventTypeCode } from './events.ts';
import { parseUsdToMicros } from './units.ts';
import { firstIdClash } from './id-clash.ts';
import { MAX_TIME_MS_EXCLUSIVE, MIN_TIME_MS, isPlausibleTime, timeRangeMessage } from './time-range.ts';
import { InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';

export const CANONICAL_COLUMNS = ['timestamp', 'type', 'subject', 'cost_usd'] as const;
export const MAX_REPORTED_ERRORS = 20;
/**
 * The longest field a row may have, in characters: a longer one makes the row bad (named, never
 * truncated). The importer's reader applies the same limit, so the same bytes get the same verdict.
 */
export const MAX_FIELD_CHARS = 1 << 16;

/** Where each canonical column sits in a row (-1: no `id` column). */
export interface ColumnMap {
  timestamp: number;
  type: number;
  subject: number;
  cost: number;
  id: number;
  /** number of columns in the header; every row must have exactly this many */
  width: number;
}

/** One canonical row, parsed. */
export interface CanonicalRow {
  time: number;
  type: EventTypeCode;
  subject: string;
  costMicros: number;
  id: string | null;
}

/** A problem with one value of a row, before the file and line are known. */
export type FieldError = Omit<InputErrorDetail, 'file' | 'line'> & { column: string };

/**
 * Receives rows as they are read. Positional arguments, not an object per row: a million
 * allocations show up in the parse time.
 */
export interface CanonicalRowSink {
  row(time: number, type: EventTypeCode, subject: string, costMicros: number, id: string | null, line: number): void;
  /** Returns false to stop reading. */
  error(detail: InputErrorDetail): boolean;
  /**
   * When set, plain rows go straight into these columns instead of through `row` (no string per
   * row for its subject or id); rows read by papaparse still come through `row`.
   */
  columns?: EventColumnsBuilder;
  /** Reading a file: each run of bytes as read (before anything is taken off), e.g. to hash them. */
  onRead?(bytes: Uint8Array): void;
  /**
   * Reading a file: called between blocks of whole lines (and every few thousand rows of the
   * quoted path) with the bytes read so far, e.g. to hand the rows on in batches.
   */
  afterBlock?(bytes: number): void;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Value of `n` ASCII digits at `s[i..]`, or -1 when one of them is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const EPOCH_MS = /^-?\d{1,16}$/;
const EPOCH_SECONDS_FROM = 1e9;
const EPOCH_SECONDS_TO = 1e11;

/**
 * Why a cost that usdMicrosAt refused is wrong: exponent notation (what spreadsheets and pandas
 * write for tiny costs) is refused with the plain decimal to write instead, so that a cost is
 * always the decimal text it looks like; a decimal too large for exact micro-dollars is "too large".
 */
export function costProblem(text: string): string {
  const t = text.trim();
  // each pattern splits its digits one way only (`\d+\.?\d*` did not: quadratic in a field of a
  // million digits, which never matched)
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$/.test(t)) {
    const v = Number(t);
    const plain = Number.isFinite(v) ? v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : null;
    return `uses exponent notation, which is not accepted${plain === null ? '' : `; write ${plain}`}`;
  }
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t)) return 'is too large (at most 9,007,199,254.740991 USD)';
  return 'is not a number';
}

/**
 * Reads `s[start, end)` as a timestamp: ISO 8601 date-time with `Z` or a UTC offset
 * (`2026-01-05T10:00:00.000Z`, `2026-01-05T12:00:00+02:00`, `…+0200`, `…+02`; `T` or a space;
 * seconds and fraction optional; digits past milliseconds are truncated), or integer epoch
 * milliseconds. Returns epoch ms, or a message saying what is wrong.
 */
export function parseTimestampAt(s: string, start: number, end: number): number | string {
  const len = end - start;
  if (len === 0) return 'is empty';
  // Epoch milliseconds: all digits (an ISO date has a '-' at index 4).
  if (len < 5 || s.charCodeAt(start + 4) !== 45 /* - */) {
    const text = s.slice(start, end);
    if (EPOCH_MS.test(text)) {
      const ms = Number(text);
      if (!isPlausibleTime(ms)) return timeRangeMessage();
      // 10-11 digits as milliseconds is 1970-01-12..1973-03-03; as seconds it is 2001..5138:
      // almost surely seconds, and read as ms every window and UTC day would silently be wrong.
      if (ms >= EPOCH_SECONDS_FROM && ms < EPOCH_SECONDS_TO) return 'looks like epoch seconds; epoch milliseconds expected (multiply by 1000)';
      return ms;
    }
    return 'is not an ISO 8601 time (like 2026-01-05T10:00:00Z) or integer epoch milliseconds';
  }
  const bad = 'is not an ISO 8601 time (like 2026-01-05T10:00:00Z) or integer epoch milliseconds';
  if (len < 10) return bad;
  const y = digits(s, start, 4);
  if (y < 0 || s.charCodeAt(start + 7) !== 45) return bad;
  const mo = digits(s, start + 5, 2);
  const d = digits(s, start + 8, 2);
  if (mo < 0 || d < 0) return bad;
  if (len === 10) return 'has no time of day and no time zone (write e.g. 2026-01-05T00:00:00Z)';
  const sep = s.charCodeAt(start + 10);
  if (sep !== 84 /* T */ && sep !== 32 /* space */ && sep !== 116 /* t */) return bad;
  if (len < 16 || s.charCodeAt(start + 13) !== 58 /* : */) return bad;
  const h = digits(s, start + 11, 2);
  const mi = digits(s, start + 14, 2);
  if (h < 0 || mi < 0) return bad;
  let i = start + 16;
  let sec = 0;
  let ms = 0;
  if (i < end && s.charCodeAt(i) === 58) {
    sec = digits(s, i + 1, 2);
    if (sec < 0 || i + 3 > end) return bad;
    i += 3;
    const dot = s.charCodeAt(i);
    if (i < end && (dot === 46 /* . */ || dot === 44) /* , */) {
      i++;
      const fracStart = i;
      let scale = 100;
      while (i < end) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === fracStart) return bad;
      ms = Math.floor(ms);
    }
  }
  // Zone: Z, or ±HH[:MM] / ±HHMM.
  let offsetMin: number;
  if (i >= end) return 'has no time zone (add Z for UTC, or an offset like +02:00)';
  const z = s.charCodeAt(i);
  if ((z === 90 /* Z */ || z === 122) /* z */ && i + 1 === end) {
    offsetMin = 0;
  } else if (z === 43 /* + */ || z === 45 /* - */) {
    const rest = end - i - 1;
    const oh = digits(s, i + 1, 2);
    let om: number;
    if (rest === 2) om = 0;
    else if (rest === 4) om = digits(s, i + 3, 2);
    else if (rest === 5 && s.charCodeAt(i + 3) === 58) om = digits(s, i + 4, 2);
    else return bad;
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return 'has an invalid UTC offset';
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return bad;
  }
  if (mo < 1 || mo > 12) return 'has a month outside 1-12';
  const dim = mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1];
  if (d < 1 || d > dim) return `has a day outside 1-${dim} for that month`;
  if (h > 23 || mi > 59 || sec > 59) return 'has a time of day out of range';
  const at = daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + (mi - offsetMin) * 60_000 + sec * 1000 + ms;
  // year 0000 or 9999 is a valid date but opens a span no later stage should have to walk
  return isPlausibleTime(at) ? at : timeRangeMessage();
}

/**
 * Character codes of the text being read. Reading digits off a byte array is about twice as fast
 * as String#charCodeAt, so an ASCII file is scanned on its bytes (offsets then equal string
 * offsets) and anything else on a Uint16Array copy of its text.
 */
type Codes = Uint8Array | Uint16Array;

function codesOf(text: string): Codes {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === text.length) return bytes;
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

// The day of the last date seen: rows come mostly in time order, so most share it.
let cachedDateKey = -1;
let cachedDays = 0;

function d2(c: Codes, i: number): number {
  const a = c[i] - 48;
  const b = c[i + 1] - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/**
 * Fast timestamp reader: `YYYY-MM-DDTHH:MM:SS.sssZ` read in place, everything else through
 * parseTimestampAt. Returns NaN when the text is not a valid timestamp (ask parseTimestampAt why).
 */
function timestampAt(c: Codes, s: string, start: number, end: number): number {
  if (
    end - start === 24 &&
    c[start + 23] === 90 /* Z */ &&
    c[start + 4] === 45 &&
    c[start + 7] === 45 &&
    c[start + 10] === 84 /* T */ &&
    c[start + 13] === 58 &&
    c[start + 16] === 58 &&
    c[start + 19] === 46
  ) {
    const y1 = d2(c, start);
    const y2 = d2(c, start + 2);
    const mo = d2(c, start + 5);
    const d = d2(c, start + 8);
    const h = d2(c, start + 11);
    const mi = d2(c, start + 14);
    const sec = d2(c, start + 17);
    const m1 = d2(c, start + 20);
    const m2 = c[start + 22] - 48;
    if ((y1 | y2 | mo | d | h | mi | sec | m1) >= 0 && m2 >>> 0 <= 9 && h < 24 && mi < 60 && sec < 60) {
      const key = (y1 * 100 + y2) * 10000 + mo * 100 + d;
      if (key !== cachedDateKey) {
        const y = y1 * 100 + y2;
        if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1])) return Number.NaN;
        cachedDays = daysFromCivil(y, mo, d);
        cachedDateKey = key;
      }
      const at = cachedDays * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + m1 * 10 + m2;
      return at >= MIN_TIME_MS && at < MAX_TIME_MS_EXCLUSIVE ? at : Number.NaN;
    }
  }
  const v = parseTimestampAt(s, start, end);
  return typeof v === 'number' ? v : Number.NaN;
}

/** `parseTimestampAt` over a whole string; null when it is not a valid timestamp. */
export function parseTimestamp(text: string): number | null {
  const t = text.trim();
  const v = parseTimestampAt(t, 0, t.length);
  return typeof v === 'number' ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Money

/**
 * Plain `123.456` dollar text read off the characters; same result as parseUsdToMicros (which
 * handles everything else: signs, spaces, `.5`).
 */
function usdMicrosAt(codes: Codes, s: string, start: number, end: number): number | null {
  let whole = 0;
  let i = start;
  while (i < end) {
    const c = codes[i] - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    i++;
  }
  if (i === start || i - start > 9) return parseUsdToMicros(s.slice(start, end));
  let frac = 0;
  if (i < end) {
    if (codes[i] !== 46 /* . */) return parseUsdToMicros(s.slice(start, end));
    i++;
    let n = 0;
    let round = 0;
    while (i < end) {
      const c = codes[i] - 48;
      if (c < 0 || c > 9) return parseUsdToMicros(s.slice(start, end));
      if (n < 6) frac = frac * 10 + c;
      else if (n === 6) round = c >= 5 ? 1 : 0;
      n++;
      i++;
    }
    for (; n < 6; n++) frac *= 10;
    frac += round;
  }
  return whole * 1_000_000 + frac;
}

// ---------------------------------------------------------------------------------------------
// Header and rows

type Role = keyof Omit<ColumnMap, 'width'>;
const ROLES = new Map<string, Role>([
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['subject', 'subject'],
  ['cost_usd', 'cost'],
  ['id', 'id'],
]);

/** Maps header names to roles; names are matched trimmed and case-insensitively. */
export function readHeader(names: readonly string[]): ColumnMap | FieldError[] {
  const map: ColumnMap = { timestamp: -1, type: -1, subject: -1, cost: -1, id: -1, width: names.length };
  const errors: FieldError[] = [];
  names.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const role = ROLES.get(name);
    if (role !== undefined) {
      if (map[role] !== -1) errors.push({ column: name, message: `column "${name}" appears twice in the header` });
      else map[role] = i;
    }
    // Other columns are ignored, so exports with extra fields still load.
  });
  const missing = CANONICAL_COLUMNS.filter((c) => map[c === 'cost_usd' ? 'cost' : c] === -1);
  if (missing.length > 0) {
    errors.push({
      column: missing[0],
      message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header must name timestamp,type,subject,cost_usd, and optionally id; found: ${names.map((n) => n.trim()).join(',') || 'nothing'})`,
    });
  }
  return errors.length > 0 ? errors : map;
}

function typeCodeOf(c: Codes, s: string, start: number, end: number): EventTypeCode | -1 {
  const len = end - start;
  // Tell the three names apart by their first letter, then confirm.
  if (len === 3 && c[start] === 97 /* a */ && c[start + 1] === 112 && c[start + 2] === 105) return EventType.api;
  if (len === 7) {
    if (c[start] === 116 /* t */ && s.startsWith('trigger', start)) return EventType.trigger;
    if (c[start] === 109 /* m */ && s.startsWith('message', start)) return EventType.message;
  }
  switch (s.slice(start, end).trim().toLowerCase()) {
    case 'api':
      return EventType.api;
    case 'trigger':
      return EventType.trigger;
    case 'message':
      return EventType.message;
    default:
      return -1;
  }
}

/**
 * Whitespace around an unquoted value: the set String#trim removes (the importer's readers trim
 * with it), so the same bytes give the same value on every path: a BOM left mid-file by joining
 * two exports, a no-break space from a spreadsheet.
 */
function isSpace(c: number): boolean {
  if (c < 0xa0) return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A field's length in characters: its UTF-8 bytes counted only when they could exceed the limit. */
function fieldChars(c: Codes, start: number, end: number): number {
  if (end - start <= MAX_FIELD_CHARS || !(c instanceof Uint8Array)) return end - start;
  let n = 0;
  for (let i = start; i < end; i++) if ((c[i]! & 0xc0) !== 0x80) n++;
  return n;
}

function columnName(cols: ColumnMap, k: number): string {
  if (k === cols.timestamp) return 'timestamp';
  if (k === cols.type) return 'type';
  if (k === cols.subject) return 'subject';
  if (k === cols.cost) return 'cost_usd';
  if (k === cols.id) return 'id';
  return `(field ${k + 1})`;
}

function report(sink: CanonicalRowSink, file: string, line: number, column: string, s: string, start: number, end: number, message: string): boolean {
  // a value of megabytes is named by its start, not echoed whole
  return sink.error({ file, line, column, value: clip(s.slice(start, Math.min(end, start + 1000))), message });
}

/**
 * Parses one row's values given as offsets into `s` / `c` (starts/ends indexed by column). Calls
 * `sink.row`, or reports each bad value through `sink.error`; returns false to stop reading.
 */
function parseRowAt(
  s: string,
  c: Codes,
  starts: Int32Array,
  ends: Int32Array,
  cols: ColumnMap,
  file: string,
  line: number,
  sink: CanonicalRowSink,
  subjects: NameTable | null = null,
  quoted: Uint8Array | null = null,
): boolean {
  // Kept to echo a cost made only of spaces as it was given.
  const costRawStart = starts[cols.cost];
  const costRawEnd = ends[cols.cost];
  // Surrounding spaces of an unquoted field are not meaningful (`a, b` is read as `a`,`b`). A
  // quoted subject or id is kept exactly as given (RFC 4180: spaces are part of a field), so that
  // `" padded "` round-trips; a quoted time, type or cost is still read without them.
  for (let k = 0; k < cols.width; k++) {
    if (quoted !== null && quoted[k] === 1 && (k === cols.subject || k === cols.id)) continue;
    while (starts[k] < ends[k] && isSpace(c[starts[k]])) starts[k]++;
    while (ends[k] > starts[k] && isSpace(c[ends[k] - 1])) ends[k]--;
  }
  let ok = true;
  for (let k = 0; k < cols.width; k++) {
    const chars = fieldChars(c, starts[k]!, ends[k]!);
    if (chars > MAX_FIELD_CHARS) {
      ok = false;
      const message = `is ${chars.toLocaleString('en-US')} characters long; a field may hold at most ${MAX_FIELD_CHARS.toLocaleString('en-US')}`;
      if (!report(sink, file, line, columnName(cols, k), s, starts[k]!, ends[k]!, message)) return false;
    }
  }
  if (!ok) return true;
  const ts = cols.timestamp;
  const time = timestampAt(c, s, starts[ts], ends[ts]);
  if (time !== time) {
    ok = false;
    const message = parseTimestampAt(s, starts[ts], ends[ts]);
    if (!report(sink, file, line, 'timestamp', s, starts[ts], ends[ts], typeof message === 'string' ? message : 'is not a valid time')) return false;
  }

  const ty = cols.type;
  const type = typeCodeOf(c, s, starts[ty], ends[ty]);
  if (type === -1) {
    ok = false;
    const message = starts[ty] === ends[ty] ? 'is empty (expected api, trigger or message)' : 'is not api, trigger or message';
    if (!report(sink, file, line, 'type', s, starts[ty], ends[ty], message)) return false;
  }

  const su = cols.subject;
  if (starts[su] === ends[su]) {
    ok = false;
    if (!report(sink, file, line, 'subject', s, starts[su], ends[su], 'is empty (expected the API key, trigger or user id)')) return false;
  }

  let cost = 0;
  const co = cols.cost;
  // Spec: cost is ignored for messages, so whatever they carry is not checked.
  if (type === EventType.api || type === EventType.trigger) {
    let message: string | null = null;
    if (starts[co] === ends[co]) {
      if (type === EventType.api) message = 'is required for api events';
    } else {
      const micros = usdMicrosAt(c, s, starts[co], ends[co]);
      if (micros === null) message = costProblem(s.slice(starts[co], ends[co]));
      else if (micros < 0) message = 'must be >= 0';
      else cost = micros;
    }
    if (message !== null) {
      ok = false;
      if (starts[co] === ends[co]) {
        // blank: show the spaces that were there (a line's CR is not part of the value)
        let e = costRawEnd;
        if (e > costRawStart && c[e - 1] === 13) e--;
        if (!report(sink, file, line, 'cost_usd', s, costRawStart, e, message)) return false;
      } else if (!report(sink, file, line, 'cost_usd', s, starts[co], ends[co], message)) return false;
    }
  }
  if (!ok) return true;
  const into = sink.columns;
  if (into !== undefined && subjects !== null) {
    into.pushIndexed(time, type as EventTypeCode, into.subjectIdAt(s, c, starts[su], ends[su]), cost);
    const ic = cols.id;
    if (ic >= 0) {
      if (c instanceof Uint8Array) into.pushIdBytes(c, starts[ic], ends[ic]);
      else into.pushIdText(starts[ic] < ends[ic] ? s.slice(starts[ic], ends[ic]) : null);
    }
    return true;
  }
  const id = cols.id >= 0 && starts[cols.id] < ends[cols.id] ? s.slice(starts[cols.id], ends[cols.id]) : null;
  const subject = subjects === null ? s.slice(starts[su], ends[su]) : subjects.names[subjects.idAt(s, c, starts[su], ends[su])];
  sink.row(time, type as EventTypeCode, subject, cost, id, line);
  return true;
}

/**
 * Lays separate values out as one string (joined by NUL, which cannot occur in them usefully) so
 * that the offset-based row parser serves papaparse rows and importers too.
 */
class JoinedRow {
  text = '';
  codes: Uint16Array = new Uint16Array(256);
  starts = new Int32Array(8);
  ends = new Int32Array(8);

  /** 1 where the field was quoted in the file (set by markQuoted); all 0 for values given directly */
  quoted = new Uint8Array(8);

  set(values: readonly string[]): void {
    if (values.length > this.starts.length) {
      this.starts = new Int32Array(values.length);
      this.ends = new Int32Array(values.length);
      this.quoted = new Uint8Array(values.length);
    }
    this.quoted.fill(0);
    const text = values.join('\u0000');
    if (text.length > this.codes.length) this.codes = new Uint16Array(text.length * 2);
    for (let i = 0; i < text.length; i++) this.codes[i] = text.charCodeAt(i);
    let p = 0;
    for (let k = 0; k < values.length; k++) {
      this.starts[k] = p;
      this.ends[k] = p + values[k].length;
      p += values[k].length + 1;
    }
    this.text = text;
  }
}

/**
 * Parses one canonical row given as separate values (for importers that read rows themselves).
 * Returns the row, or every problem with its values (without file and line).
 */
export function parseCanonicalFields(
  timestamp: string,
  type: string,
  subject: string,
  costUsd: string,
  id: string | null = null,
): CanonicalRow | FieldError[] {
  const joined = new JoinedRow();
  joined.set(id === null ? [timestamp, type, subject, costUsd] : [timestamp, type, subject, costUsd, id]);
  let row: CanonicalRow | null = null;
  const errors: FieldError[] = [];
  const cols: ColumnMap = { timestamp: 0, type: 1, subject: 2, cost: 3, id: id === null ? -1 : 4, width: id === null ? 4 : 5 };
  parseRowAt(joined.text, joined.codes, joined.starts, joined.ends, cols, '', 0, {
    row(time, typeCode, subj, costMicros, rowId) {
      row = { time, type: typeCode, subject: subj, costMicros, id: rowId };
    },
    error(d) {
      errors.push({ column: d.column ?? '', value: d.value, message: d.message });
      return true;
    },
  });
  return row ?? errors;
}

// ---------------------------------------------------------------------------------------------
// The file

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Physical line (1-based) of the first byte that is not valid UTF-8. */
function firstBadUtf8Line(bytes: Uint8Array): { line: number; offset: number } {
  let line = 1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 10) line++;
    let need: number;
    let min = 0;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return { line, offset: i };
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return { line, offset: i };
      cp = (cp << 6) | (c & 0x3f);
    }
    if (need > 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return { line, offset: i };
    i += need + 1;
  }
  return { line, offset: i };
}

/** Bytes → text: checks UTF-8 and drops a BOM. Throws InputError naming the line. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (!isUtf8(bytes)) {
    const { line, offset } = firstBadUtf8Line(bytes);
    const detail = { file, line, message: `${NOT_UTF8} (byte 0x${bytes[offset]?.toString(16).padStart(2, '0')} at offset ${offset}); save the file as UTF-8` };
    throw new InputError(formatDetail(detail), [detail]);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Text and codes of an input: bytes are checked as UTF-8 and a BOM is dropped. */
function prepare(input: string | Uint8Array, file: string): { text: string; codes: Codes } {
  if (typeof input === 'string') {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return { text, codes: codesOf(text) };
  }
  let bytes = input;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (isAscii(bytes)) {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), codes: bytes };
  }
  const text = decodeUtf8(bytes, file);
  return { text, codes: codesOf(text) };
}

const EMPTY_MESSAGE = 'is empty (expected a header line: timestamp,type,subject,cost_usd)';

/** Lines end in CR alone (classic Mac): the whole file would read as one header line. */
export const CR_ONLY_MESSAGE = 'has lines that end in CR alone (old Mac line ends); save the file with LF or CRLF line ends';

/** A NUL byte: not a text file (the importer's reader says the same). */
function nulMessage(offset: number): string {
  return `contains a NUL byte (offset ${offset}): this is a binary file, not a CSV`;
}

/** Reports a NUL byte in `bytes` (whose first byte is on `line`, at file offset `offset`); true when there was one. */
function refuseNul(bytes: Uint8Array, line: number, offset: number, file: string, sink: CanonicalRowSink): boolean {
  const at = bytes.indexOf(0);
  if (at === -1) return false;
  let nl = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) nl++;
  sink.error({ file, line: line + nl, value: '\\x00', message: nulMessage(offset + at) });
  return true;
}

/**
 * Where the header starts: after any blank (whitespace-only) lines, which the importer skips too.
 * Returns its offset and physical line.
 */
function headerStart(text: string): { at: number; line: number } {
  let at = 0;
  let line = 1;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return { at, line };
    for (let i = at; i < nl; i++) if (!isSpace(text.charCodeAt(i))) return { at, line };
    at = nl + 1;
    line++;
  }
}

/** Reads the header line `text[start, end)` (physical line `line`); reports problems and returns null when it is unusable. */
function headerOf(text: string, end: number, file: string, sink: CanonicalRowSink, start = 0, line = 1): ColumnMap | null {
  const head = text.slice(start, end).replace(/\r$/, '');
  if (head.includes('\r')) {
    sink.error({ file, line, message: CR_ONLY_MESSAGE });
    return null;
  }
  const cols = readHeader(head.split(','));
  if (Array.isArray(cols)) {
    for (const e of cols) if (!sink.error({ file, line, ...e })) break;
    return null;
  }
  return cols;
}

interface ScanState {
  cols: ColumnMap;
  subjects: NameTable;
  /** quoted records read one at a time so far */
  quoted: number;
  joined: JoinedRow;
  starts: Int32Array;
  ends: Int32Array;
  /** physical line of the line at the current position */
  line: number;
}

/** Quoted records read one by one before papaparse takes the rest of the file whole. */
/**
 * Marks in `out` which of the first `width` fields of the record starting at `start` in `text`
 * are quoted (their first character is `"`), so that their value is kept as given.
 */
function markQuoted(text: string, start: number, width: number, out: Uint8Array): void {
  out.fill(0);
  let i = start;
  // a cursor may stand on the previous record's line ending
  while (i < text.length && (text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i++;
  for (let k = 0; k < width && i <= text.length; k++) {
    if (text.charCodeAt(i) === 34) {
      out[k] = 1;
      i++;
      while (i < text.length) {
        if (text.charCodeAt(i) === 34) {
          if (text.charCodeAt(i + 1) !== 34) {
            i++;
            break;
          }
          i++;
        }
        i++;
      }
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) break;
      if (c === 10 || c === 13) return;
    }
    i++;
  }
}

const MAX_QUOTED_RECORDS = 64;

/**
 * Reads the one record starting at `pos` with papaparse and hands it on. Returns where the next
 * record starts, -1 when the sink asked to stop, or -2 when the record may run past the end of
 * `text` (an unclosed quote: the caller decides with the rest of the file).
 */
function quotedRecord(text: string, pos: number, st: ScanState, file: string, sink: CanonicalRowSink, line: number): number {
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

/**
 * The fast path: scans the lines of `text[pos, n)` (`codes` holds the same characters), splitting
 * on commas; a line holding a quote (the first at `firstQuote`) is read by quotedRecord. Returns
 * `n` when done, the start of a line from which papaparse must read the rest, or -1 when the
 * sink asked to stop.
 */
function scanLines(text: string, codes: Codes, pos: number, n: number, firstQuote: number, st: ScanState, file: string, sink: CanonicalRowSink): number {
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

function stateFor(cols: ColumnMap, line: number): ScanState {
  return { cols, subjects: new NameTable(), quoted: 0, joined: new JoinedRow(), starts: new Int32Array(cols.width), ends: new Int32Array(cols.width), line };
}

/**
 * Reads canonical events CSV (text, or bytes that must be UTF-8) row by row into `sink`,
 * reporting every bad row through `sink.error`, which may stop the read. A missing header or
 * column is reported as an error of line 1.
 */
export function scanEventsCsv(input: string | Uint8Array, file: string, sink: CanonicalRowSink): void {
  if (typeof input !== 'string' && refuseNul(input, 1, 0, file, sink)) return;
  const { text, codes } = prepare(input, file);
  if (typeof input === 'string' && text.includes('\0')) {
    refuseNul(Buffer.from(text, 'utf8'), 1, 0, file, sink);
    return;
  }
  if (text.trim() === '') {
    sink.error({ file, line: 1, message: EMPTY_MESSAGE });
    return;
  }
  // The scanner splits on commas until the first quote character; from that line on, papaparse.
  const firstQuote = text.indexOf('"');
  const quoteAt = firstQuote === -1 ? Number.POSITIVE_INFINITY : firstQuote;
  const head = headerStart(text);
  const headerNl = text.indexOf('\n', head.at);
  const headerEnd = headerNl === -1 ? text.length : headerNl;
  if (quoteAt < headerEnd) {
    scanWithPapa(text, 0, 1, null, file, sink);
    return;
  }
  const cols = headerOf(text, headerEnd, file, sink, head.at, head.line);
  if (cols === null) return;
  const st = stateFor(cols, head.line + 1);
  const stop = scanLines(text, codes, headerEnd + 1, text.length, quoteAt, st, file, sink);
  if (stop >= 0 && stop < text.length) scanWithPapa(text, stop, st.line, cols, file, sink);
}

/** Bytes read per block by scanEventsCsvFile: large enough to amortise, small enough to not matter. */
const BLOCK_BYTES = 16 << 20;
/** V8's longest string: a quoted file past this cannot be handed to papaparse whole. */
const MAX_STRING = 0x1fffffe8;

function cannotRead(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = { file: path, message: code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})` };
  return new InputError(formatDetail(detail), [detail]);
}

const NOT_UTF8 = 'is not valid UTF-8';

/** Whether a reported problem is the file's encoding (the read stopped there), not a row's values. */
export function isEncodingProblem(detail: InputErrorDetail): boolean {
  return detail.message.startsWith(NOT_UTF8);
}

/** Reports invalid UTF-8 in `bytes`, whose first byte is on physical line `line`. */
function badUtf8(bytes: Uint8Array, line: number, file: string, sink: CanonicalRowSink): void {
  const at = firstBadUtf8Line(bytes);
  sink.error({ file, line: line + at.line - 1, message: `${NOT_UTF8} (byte 0x${bytes[at.offset]?.toString(16).padStart(2, '0')}); save the file as UTF-8` });
}

/**
 * `scanEventsCsv` over a file read in blocks of whole lines, so that neither the file nor one
 * string of it is ever held whole (a 10M-row file is larger than V8's longest string). Throws
 * InputError when the file cannot be opened.
 */
export function scanEventsCsvFile(path: string, file: string, sink: CanonicalRowSink, blockBytes = BLOCK_BYTES): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    let buf = Buffer.allocUnsafe(Math.max(4, blockBytes));
    let have = 0;
    let eof = false;
    let st: ScanState | null = null;
    // bytes of the file behind the current block (the BOM included)
    let consumed = 0;
    const readRest = (): Buffer[] => {
      const parts: Buffer[] = [];
      for (;;) {
        const chunk = Buffer.allocUnsafe(BLOCK_BYTES);
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) return parts;
        sink.onRead?.(chunk.subarray(0, n));
        parts.push(chunk.subarray(0, n));
      }
    };
    for (;;) {
      while (!eof && have < buf.length) {
        let n: number;
        try {
          n = readSync(fd, buf, have, buf.length - have, null);
        } catch (err) {
          throw cannotRead(path, err);
        }
        if (n === 0) eof = true;
        else {
          sink.onRead?.(buf.subarray(have, have + n));
          have += n;
        }
      }
      if (st === null && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf.copy(buf, 0, 3, have);
        have -= 3;
        consumed += 3;
      }
      const data = buf.subarray(0, have);
      const complete = eof ? have : data.lastIndexOf(10) + 1;
      if (complete === 0 && !eof) {
        // One line longer than the buffer: make room for it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
        continue;
      }
      const block = data.subarray(0, complete);
      const line = st === null ? 1 : st.line;
      if (refuseNul(block, line, consumed, file, sink)) return;
      if (!isUtf8(block)) {
        badUtf8(block, line, file, sink);
        return;
      }
      const ascii = isAscii(block);
      const text = ascii ? block.toString('latin1') : block.toString('utf8');
      const codes = ascii ? block : codesOf(text);
      let pos = 0;
      if (st === null) {
        if (eof && text.trim() === '') {
          sink.error({ file, line: 1, message: EMPTY_MESSAGE });
          return;
        }
        const head = headerStart(text);
        const headerNl = text.indexOf('\n', head.at);
        const headerEnd = headerNl === -1 ? text.length : headerNl;
        const quote = text.indexOf('"');
        if (quote !== -1 && quote < headerEnd) pos = -1;
        else {
          const cols = headerOf(text, headerEnd, file, sink, head.at, head.line);
          if (cols === null) return;
          st = stateFor(cols, head.line + 1);
          pos = headerEnd + 1;
        }
      }
      let stop = -1;
      if (pos >= 0 && st !== null) {
        const quote = text.indexOf('"', pos);
        stop = scanLines(text, codes, Math.min(pos, text.length), text.length, quote === -1 ? Number.POSITIVE_INFINITY : quote, st, file, sink);
        if (stop < 0) return;
      } else {
        stop = 0;
      }
      if (stop < text.length) {
        // A quote: papaparse reads everything from this line on, as one string.
        const from = ascii ? stop : Buffer.byteLength(text.slice(0, stop), 'utf8');
        const restBytes = Buffer.concat([block.subarray(from), data.subarray(complete), ...(eof ? [] : readRest())]);
        const restLine = st === null ? 1 : st.line;
        if (restBytes.length > MAX_STRING) {
          sink.error({ file, line: restLine, message: 'has quoted fields and is too large to read with them; remove the quotes or split the file' });
          return;
        }
        if (refuseNul(restBytes, restLine, consumed + from, file, sink)) return;
        if (!isUtf8(restBytes)) {
          badUtf8(restBytes, restLine, file, sink);
          return;
        }
        scanWithPapa(restBytes.toString('utf8'), 0, restLine, st === null ? null : st.cols, file, sink, consumed + from);
        return;
      }
      consumed += complete;
      sink.afterBlock?.(consumed);
      if (eof) return;
      buf.copy(buf, 0, complete, have);
      have -= complete;
    }
  } finally {
    closeSync(fd);
  }
}

/** Rows of the quoted path between two afterBlock calls. */
const PAPA_BLOCK_ROWS = 16384;

/** The general RFC 4180 path, from `pos` (the start of physical line `line`) to the end. */
function scanWithPapa(
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

export interface ReadEventsOptions {
  /** name used in messages, e.g. `events.csv` */
  file?: string;
  maxErrors?: number;
  /** bytes read at a time from a file (tests use tiny blocks to cross every boundary) */
  blockBytes?: number;
}

/** Runs a scan into columns; throws InputError listing up to `maxErrors` problems. */
function collect(file: string, maxErrors: number, scan: (sink: CanonicalRowSink) => void, expectedRows = 0): EventColumns {
  const builder = new EventColumnsBuilder();
  builder.reserve(expectedRows);
  const errors: InputErrorDetail[] = [];
  let truncated = false;
  scan({
    columns: builder,
    row(time, type, subject, cost, id) {
      builder.push(time, type, subject, cost, id);
    },
    error(d) {
      if (errors.length >= maxErrors) {
        truncated = true;
        return false;
      }
      errors.push(d);
      return true;
    },
  });
  if (errors.length > 0) {
    // Header problems carry no value and name their column in the message already.
    const lines = errors.map((d) => (d.value === undefined ? formatDetail({ ...d, column: undefined }) : formatDetail(d)));
    if (truncated) lines.push(`${file}: stopped after ${maxErrors} errors`);
    throw new InputError(lines.join('\n'), errors);
  }
  const events = builder.build();
  const clash = firstIdClash(events);
  if (clash !== null) throw idClashError(file, scan, events, clash);
  return events;
}

/** The error for two rows with one id and different content, named by their lines (found by reading again: only on this error). */
function idClashError(file: string, scan: (sink: CanonicalRowSink) => void, events: EventColumns, [first, second]: [number, number]): InputError {
  const lines: number[] = [];
  let row = 0;
  scan({
    row(_time, _type, _subject, _cost, _id, line) {
      if (row === first || row === second) lines.push(line);
      row++;
    },
    error: () => false,
  });
  const id = events.ids?.at(second) ?? '';
  const message = `repeats the id of the row on line ${lines[0] ?? '?'} with different content (time, type, subject or cost)`;
  const detail: InputErrorDetail = { file, line: lines[1], column: 'id', value: clip(id), message };
  return new InputError(formatDetail(detail), [detail]);
}

/**
 * Reads a whole canonical events CSV (text, or UTF-8 bytes) into columns. Throws InputError
 * listing up to `maxErrors` problems (`events.csv:118: cost_usd "abc" is not a number`).
 */
export function readEventsCsv(input: string | Uint8Array, options: ReadEventsOptions = {}): EventColumns {
  const file = options.file ?? 'events.csv';
  return collect(file, options.maxErrors ?? MAX_REPORTED_ERRORS, (sink) => scanEventsCsv(input, file, sink));
}

/** Reads a canonical events CSV file in blocks; messages name it by its base name. */
export function readEventsCsvFile(path: string, options: Omit<ReadEventsOptions, 'file'> = {}): EventColumns {
  const file = basename(path);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // reported when the scan opens it
  }
  // Rows of a canonical file take 40-60 bytes: sized up front, the columns are never copied to
  // grow (a generous guess is given back at the end).
  const expectedRows = Math.min(Math.ceil(size / 45), 1 << 28);
  return collect(file, options.maxErrors ?? MAX_REPORTED_ERRORS, (sink) => scanEventsCsvFile(path, file, sink, options.blockBytes), expectedRows);
}
