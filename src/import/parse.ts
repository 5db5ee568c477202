import { parseUsdToMicros } from '../engine/units.ts';
import { EXCEL_SERIAL, excelSerialTime } from './excel-dates.ts';

export interface LocalTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  /** offset in minutes east of UTC when the text gave one, else null */
  offset: number | null;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(y: number, mo: number): number {
  // Date.UTC reads years 0-99 as 1900-1999: those (never a real export's) ask it
  if (y < 100) return new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : (MONTH_DAYS[mo - 1] ?? 0);
}

function valid(t: LocalTime): boolean {
  return t.mo >= 1 && t.mo <= 12 && t.d >= 1 && t.d <= daysIn(t.y, t.mo) && t.h <= 23 && t.mi <= 59 && t.s <= 59;
}

/** A zone as a time's text writes it: `Z`, `+02:00`, `-0500`, `+02`, `UTC`, `GMT`, `UTC+2`, `GMT-05:30`. */
function parseOffset(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  const z = zone.replace(/^(?:UTC|GMT)\s*/i, '');
  if (z === '' || z === 'Z' || z === 'z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const body = z.slice(1);
  // `+2` and `+02` are hours; `+0530` and `+05:30` hours and minutes
  const [hh, mm] = body.includes(':') ? body.split(':') : body.length > 2 ? [body.slice(0, body.length - 2), body.slice(-2)] : [body, '0'];
  const h = Number(hh);
  const m = Number(mm);
  if (h > 23 || m > 59) return Number.NaN;
  return sign * (h * 60 + m);
}

function utcOf(t: LocalTime): number {
  return Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s, t.ms);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` (IANA name, `UTC`, or `±HH:MM`) at the instant `utcMs`, in minutes. */
export function zoneOffsetMinutes(timeZone: string, utcMs: number): number {
  const fixed = /^(?:UTC|GMT)?\s*([+-]\d{2}(?::?\d{2})?)$/i.exec(timeZone);
  if (fixed) return parseOffset(fixed[1]) ?? 0;
  if (/^(?:UTC|GMT|Z)$/i.test(timeZone)) return 0;
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneOffsetMinutes(timeZone, 0);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock time in `timeZone` → epoch ms (the earlier instant when a DST change repeats it). */
export function zonedToUtc(t: LocalTime, timeZone: string): number {
  const wall = utcOf(t);
  if (t.offset !== null) return wall - t.offset * 60_000;
  let guess = wall - zoneOffsetMinutes(timeZone, wall) * 60_000;
  guess = wall - zoneOffsetMinutes(timeZone, guess) * 60_000;
  return guess;
}

export const DATE_FORMATS = ['iso', 'epoch-ms', 'epoch-s', 'ymd', 'mdy', 'dmy', 'excel-serial'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** a zone after a time: `Z`, `+02:00`, `-0500`, `UTC`, `GMT+2` */
const ZONE = String.raw`(Z|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)`;
/** a time of day: `15:04`, `15:04:05.123`, `3:04 PM` */
const CLOCK = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp]\.?[Mm]\.?)?`;
const YMD = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[T ]|,\s*)${CLOCK})?\s*${ZONE}?$`, 'i');
const XY = new RegExp(String.raw`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ,]+${CLOCK})?\s*${ZONE}?$`, 'i');
/**
 * A month written as a word, as a spreadsheet shows a date formatted for people: `2-Dec-2026`,
 * `02 Dec 2026 15:04`, `Wed, 02 Dec 2026 15:04:05 GMT` (day first), `Dec 2, 2026 3:04 PM`,
 * `December 2 2026`, `Sep 1, 2026 at 10:00:05 AM` (Numbers) (month first). The word tells the month, so no
 * day order is guessed.
 */
const DAY_MONTH_WORD = new RegExp(String.raw`^(?:[A-Za-z]{3,9}\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[-\s./]+([A-Za-z]{3,9})\.?[-\s./,]+(\d{4})(?:(?:[T ]|,\s*|\s+at\s+)\s*${CLOCK})?\s*${ZONE}?$`, 'i');
const MONTH_WORD_DAY = new RegExp(String.raw`^(?:[A-Za-z]{3,9}\.?,?\s+)?([A-Za-z]{3,9})\.?[-\s]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s]+(\d{4})(?:(?:[T ]|,\s*|\s+at\s+)\s*${CLOCK})?\s*${ZONE}?$`, 'i');

const MONTH_WORDS: ReadonlyMap<string, number> = new Map(
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].flatMap((w, i) => [
    [w, i + 1],
    [w.slice(0, 3), i + 1],
    ...(w === 'september' ? [['sept', i + 1] as [string, number]] : []),
  ]),
);

/** The month a word names (`Dec`, `december`, `Sept`), or 0. */
function monthOfWord(word: string): number {
  return MONTH_WORDS.get(word.toLowerCase()) ?? 0;
}

/** Hours, minutes, seconds and milliseconds of CLOCK's groups from `at`; null when an AM/PM hour is not 1-12. */
function clockOf(m: RegExpExecArray, at: number): { h: number; mi: number; s: number; ms: number } | null {
  let h = m[at] === undefined ? 0 : Number(m[at]);
  const half = m[at + 4];
  if (half !== undefined) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (half[0]!.toUpperCase() === 'P' ? 12 : 0);
  }
  return {
    h,
    mi: m[at + 1] === undefined ? 0 : Number(m[at + 1]),
    s: m[at + 2] === undefined ? 0 : Number(m[at + 2]),
    ms: m[at + 3] === undefined ? 0 : Number((m[at + 3] + '00').slice(0, 3)),
  };
}

/** A date whose month is a word (DAY_MONTH_WORD, MONTH_WORD_DAY); undefined when `v` is none. */
function monthWordTime(v: string): LocalTime | null | undefined {
  const a = DAY_MONTH_WORD.exec(v);
  const b = a === null ? MONTH_WORD_DAY.exec(v) : null;
  const m = a ?? b;
  if (m === null) return undefined;
  const mo = monthOfWord(a !== null ? m[2]! : m[1]!);
  if (mo === 0) return undefined;
  const clock = clockOf(m, 4);
  const offset = parseOffset(m[9]);
  if (clock === null || Number.isNaN(offset)) return null;
  return { y: Number(m[3]), mo, d: Number(a !== null ? m[1] : m[2]), ...clock, offset };
}

/**
 * The platform's own form, `2026-09-01T10:00:00.000Z` (or without the milliseconds), read
 * without a pattern: a few hundred thousand lines of an export take it. Undefined for any other
 * text (parseMappedTime reads it); null for a date that does not exist, as parseMappedTime says.
 */
export function platformIsoTime(v: string): number | null | undefined {
  const n = v.length;
  if ((n !== 24 && n !== 20) || v.charCodeAt(n - 1) !== 90) return undefined;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  if (n === 24 && v.charCodeAt(19) !== 46) return undefined;
  let bad = false;
  const num = (at: number, len: number): number => {
    let x = 0;
    for (let k = at; k < at + len; k++) {
      const c = v.charCodeAt(k) - 48;
      if (c < 0 || c > 9) bad = true;
      x = x * 10 + c;
    }
    return x;
  };
  const y = num(0, 4);
  const mo = num(5, 2);
  const d = num(8, 2);
  const h = num(11, 2);
  const mi = num(14, 2);
  const sec = num(17, 2);
  const ms = n === 24 ? num(20, 3) : 0;
  if (bad || y < 1970) return undefined;
  if (!valid({ y, mo, d, h, mi, s: sec, ms, offset: 0 })) return null;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** A timestamp in a mapped file; null when it does not match `format`. */
export function parseMappedTime(text: string, format: DateFormat, timeZone: string): number | null {
  const v = text.trim();
  if (format === 'epoch-ms' || format === 'epoch-s') {
    if (!/^-?\d+(?:\.\d+)?$/.test(v)) return null;
    const n = Number(v) * (format === 'epoch-s' ? 1000 : 1);
    return Number.isFinite(n) ? Math.floor(n) : null;
  }
  const t = mappedWallTime(v, format);
  return t === null ? null : zonedToUtc(t, timeZone);
}

/**
 * A mapped date or time as the sheet writes it, before its zone: the wall-clock time (and the
 * offset the text gives, if any); null when it does not match `format`. Epoch numbers are
 * instants, not wall-clock times: null for those formats.
 */
function mappedWallTime(v: string, format: DateFormat): LocalTime | null {
  if (format === 'epoch-ms' || format === 'epoch-s') return null;
  if (format === 'excel-serial') {
    // a serial is the sheet's wall-clock time: read in the mapping's time zone, as a written time is
    const at = EXCEL_SERIAL.test(v) ? excelSerialTime(v) : null;
    if (at === null) return null;
    const u = new Date(at);
    return { y: u.getUTCFullYear(), mo: u.getUTCMonth() + 1, d: u.getUTCDate(), h: u.getUTCHours(), mi: u.getUTCMinutes(), s: u.getUTCSeconds(), ms: u.getUTCMilliseconds(), offset: null };
  }
  let t: LocalTime;
  const c0 = v.charCodeAt(0);
  // a month as a word reads the same in every day order; it starts with a letter, or a day and a letter
  const worded = (c0 < 48 || c0 > 57) || /^\d{1,2}(?:st|nd|rd|th)?[-\s./]+[A-Za-z]/i.test(v) ? monthWordTime(v) : undefined;
  if (worded === null) return null;
  if (worded !== undefined) t = worded;
  else if (format === 'iso' || format === 'ymd') {
    const m = YMD.exec(v);
    if (!m) return null;
    const clock = clockOf(m, 4);
    const offset = parseOffset(m[9]);
    if (clock === null || Number.isNaN(offset)) return null;
    t = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), ...clock, offset };
  } else {
    const m = XY.exec(v);
    if (!m) return null;
    const clock = clockOf(m, 4);
    const offset = parseOffset(m[9]);
    if (clock === null || Number.isNaN(offset)) return null;
    const a = Number(m[1]);
    const b = Number(m[2]);
    t = { y: Number(m[3]), mo: format === 'mdy' ? a : b, d: format === 'mdy' ? b : a, ...clock, offset };
  }
  return valid(t) ? t : null;
}

/**
 * a time of day alone, as a sheet that keeps the date in another column writes it: `14:35`,
 * `14:35:10.250`, `2:35 PM`, a zone after it or not; `14:35 Uhr` as a German sheet may write it
 */
const TIME_OF_DAY = new RegExp(String.raw`^${CLOCK}(?:\s*Uhr)?\s*${ZONE}?$`, 'i');

/**
 * a time of day as a French or German sheet writes it without a colon: `14h35`, `14h`, `14 h 35`,
 * `14.35`, `14.35 Uhr`, `14 Uhr`
 */
const LOCALE_TIME_OF_DAY = new RegExp(String.raw`^(\d{1,2})(?:\s?h(?:\s?(\d{2})(?:\s?min)?)?|\.(\d{2})|(?=\s*Uhr))(\s*Uhr)?\s*${ZONE}?$`, 'i');

/**
 * Whether a cell is written as a time of day (`14:35`, `2:35 PM`), whatever its numbers: what
 * tells a column of times of day from one of durations (`1250` ms, `0.6` s), which never take
 * that form. `25:61` has the form; parseTimeOfDay refuses it. `localeForms`: `14h35` and `14.35`
 * count too (`14.35 Uhr` always does): in a column named in English they may be durations
 * (12.50 s, 1h30), so only a column named in the sheet's own language takes them unasked.
 */
export function looksLikeTimeOfDay(text: string, localeForms = true): boolean {
  const v = text.trim();
  if (TIME_OF_DAY.test(v)) return true;
  const m = LOCALE_TIME_OF_DAY.exec(v);
  return m !== null && (localeForms || m[4] !== undefined);
}

/** A time of day alone: its hours to milliseconds and the offset it writes (null: none); null when it is no time of day. */
export function parseTimeOfDay(text: string): { h: number; mi: number; s: number; ms: number; offset: number | null } | null {
  const v = text.trim();
  const m = TIME_OF_DAY.exec(v);
  let clock: { h: number; mi: number; s: number; ms: number } | null;
  let offset: number | null;
  if (m !== null) {
    clock = clockOf(m, 1);
    offset = parseOffset(m[6]);
  } else {
    const l = LOCALE_TIME_OF_DAY.exec(v);
    if (l === null) return null;
    clock = { h: Number(l[1]), mi: Number(l[2] ?? l[3] ?? 0), s: 0, ms: 0 };
    offset = parseOffset(l[5]);
  }
  if (clock === null || Number.isNaN(offset) || clock.h > 23 || clock.mi > 59 || clock.s > 59) return null;
  return { ...clock, offset };
}

/**
 * A date from one column and its time of day from another (`2026-10-01` and `14:35:10`): one
 * moment, the wall-clock time read in `timeZone` unless either cell writes a zone (the time's
 * first). What is wrong with it otherwise: `date` (not a date in `format`), `date-has-time`
 * (the date cell holds a time of day of its own, so which one counts would be a guess), `time`
 * (no time of day).
 */
export function parseDateAndTimeOfDay(dateText: string, timeText: string, format: DateFormat, timeZone: string): number | 'date' | 'date-has-time' | 'time' {
  const day = mappedWallTime(dateText.trim(), format);
  if (day === null) return 'date';
  if (day.h !== 0 || day.mi !== 0 || day.s !== 0 || day.ms !== 0) return 'date-has-time';
  const clock = parseTimeOfDay(timeText);
  if (clock === null) return 'time';
  return zonedToUtc({ y: day.y, mo: day.mo, d: day.d, h: clock.h, mi: clock.mi, s: clock.s, ms: clock.ms, offset: clock.offset ?? day.offset }, timeZone);
}

/** Whether a mapped date cell is a day alone (no time of day, or 00:00): what a separate time-of-day column may complete. */
export function isDayAlone(text: string, format: DateFormat): boolean {
  const t = mappedWallTime(text.trim(), format);
  return t !== null && t.h === 0 && t.mi === 0 && t.s === 0 && t.ms === 0;
}

/** Picks the date format that parses every sample (day-first only when a day above 12 shows it). */
export function guessDateFormat(samples: string[]): DateFormat | null {
  const written = samples.map((s) => s.trim()).filter((s) => s !== '');
  // decided by the values that read as a time at all: one cell of a spreadsheet's that does not
  // ("n/a", a typo) is that row's error when it is read, not the whole file's; most must read
  const vals = written.filter((v) => /^\d{9,14}(?:\.\d+)?$/.test(v) || DAY_ORDERS.some((f) => parseMappedTime(v, f, 'UTC') !== null));
  // Excel date serials (`46329.5`), as a sheet saves a date column that lost its format: when
  // nothing reads as another date and every serial is a day from 2000 to 2099 (a 5-digit count
  // or amount elsewhere is not taken for one)
  const serials = written.filter((v) => EXCEL_SERIAL.test(v));
  if (vals.length === 0 && serials.length > 0 && 2 * serials.length > written.length) return serials.every((v) => excelSerialTime(v) !== null) ? 'excel-serial' : null;
  if (vals.length === 0 || 2 * vals.length <= written.length) return null;
  if (vals.every((v) => /^\d{12,14}$/.test(v))) return 'epoch-ms';
  if (vals.every((v) => /^\d{9,11}(?:\.\d+)?$/.test(v))) return 'epoch-s';
  for (const f of DAY_ORDERS) {
    if (vals.every((v) => parseMappedTime(v, f, 'UTC') !== null)) return f;
  }
  return null;
}

const DAY_ORDERS = ['ymd', 'mdy', 'dmy'] as const;

/** Currency marks money text may carry, longest first, with the currency each names. */
const CURRENCY_MARKS: readonly (readonly [string, string])[] = [
  ['US$', 'USD'],
  ['USD', 'USD'],
  ['EUR', 'EUR'],
  ['GBP', 'GBP'],
  ['JPY', 'JPY'],
  ['CHF', 'CHF'],
  ['CAD', 'CAD'],
  ['AUD', 'AUD'],
  ['$', 'USD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['¥', 'JPY'],
];

/**
 * Splits a currency mark off the start or end of `text` (trimmed): the amount's text and the
 * currency named (null when none). Plain string checks, no regular expression: a cell of 100k
 * spaces costs one pass, not the quadratic backtracking a `\s*X$` pattern costs.
 */
export function splitCurrency(text: string): { amount: string; currency: string | null } {
  const v = text.trim();
  const upper = v.toUpperCase();
  for (const [mark, code] of CURRENCY_MARKS) {
    if (upper.startsWith(mark)) return { amount: v.slice(mark.length).trim(), currency: code };
    if (upper.endsWith(mark)) return { amount: v.slice(0, v.length - mark.length).trim(), currency: code };
  }
  return { amount: v, currency: null };
}

/** Longest money text read; anything longer is not an amount (and is never scanned twice). */
const MAX_AMOUNT_CHARS = 64;

/**
 * Money text as people write it: `$1,234.50`, `1 234,50`, `USD 12`. Null when not a number, or
 * when it names a currency other than `currency` (default USD): an amount in EUR is never taken
 * as dollars; splitCurrency tells the caller which currency it was.
 */
export function parseMoneyToMicros(text: string, decimal: '.' | ',' = '.', currency = 'USD'): number | null {
  const split = splitCurrency(text);
  if (split.currency !== null && split.currency !== currency) return null;
  let v = split.amount;
  if (v.length > MAX_AMOUNT_CHARS) return null;
  v = v.replace(/[\s\u00a0\u202f']/g, '');
  // thousands grouped: a first group of 1-3 digits that is not 0 (`0.105` is never 105, nor
  // `0,005` 5: read as thousands, a file's cents became dollars times a thousand)
  if (decimal === '.') {
    if (v.includes(',') && !/^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?$/.test(v)) return null;
    v = v.replace(/,/g, '');
  } else {
    if (v.includes('.') && !/^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?$/.test(v)) return null;
    v = v.replace(/\./g, '').replace(',', '.');
  }
  return parseUsdToMicros(v);
}

/**
 * Credits as millionths of a credit (an amount's own micro-units), null when the text is no amount.
 * The export's own `12.34` is read directly; anything else as parseMoneyToMicros reads money, with
 * the file's decimal mark: a spreadsheet's thousands (`1,234.56` in a US locale, `1.234,56` with a
 * decimal comma) are the same credits. A currency mark is never a credit amount.
 */
export function toMicroCredits(text: string, decimal: '.' | ',' = '.'): number | null {
  if (decimal === '.') {
    const plain = parseUsdToMicros(text);
    if (plain !== null) return plain;
  }
  return splitCurrency(text).currency === null ? parseMoneyToMicros(text, decimal) : null;
}

/**
 * Credits (decimal text) to micro-USD at $0.01 a credit, rounded half away from zero. With a
 * decimal comma (a spreadsheet saved in a European locale: `12,34`, `1.234,5`) the text is read
 * as parseMoneyToMicros reads money; a currency mark is never a credit amount.
 */

export function creditsToMicros(text: string, decimal: '.' | ',' = '.'): number | null {
  const microCredits = toMicroCredits(text, decimal);
  if (microCredits === null) return null;
  // 1 credit = 10,000 µUSD, so 1 µUSD = 100 micro-credits
  const q = Math.trunc(microCredits / 100);
  const r = microCredits - q * 100;
  return q + (Math.abs(r) >= 50 ? Math.sign(r) : 0);
}
