/**
 * Timestamps of the canonical format (SPEC §6): ISO 8601 with a zone, or integer epoch
 * milliseconds; a fast fixed-position reader for the common `YYYY-MM-DDTHH:MM:SS.sssZ` shape and
 * a general one that also says what is wrong.
 */
import { MAX_TIME_MS_EXCLUSIVE, MIN_TIME_MS, isPlausibleTime, timeRangeMessage } from '../engine/time-range.ts';
import { asEpochMs } from '../engine/units.ts';
import type { EpochMs } from '../engine/units.ts';
import type { Codes } from './chars.ts';

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
 * Reads `s[start, end)` as a timestamp: ISO 8601 date-time with `Z` or a UTC offset
 * (`2026-01-05T10:00:00.000Z`, `2026-01-05T12:00:00+02:00`, `…+0200`, `…+02`; `T` or a space;
 * seconds and fraction optional; digits past milliseconds are truncated), or integer epoch
 * milliseconds. Returns epoch ms, or a message saying what is wrong.
 */
export function parseTimestampAt(s: string, start: number, end: number): EpochMs | string {
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
      return asEpochMs(ms);
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
  return isPlausibleTime(at) ? asEpochMs(at) : timeRangeMessage();
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
export function timestampAt(c: Codes, s: string, start: number, end: number): number {
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
export function parseTimestamp(text: string): EpochMs | null {
  const t = text.trim();
  const v = parseTimestampAt(t, 0, t.length);
  return typeof v === 'number' ? v : null;
}
