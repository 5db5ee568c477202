/**
 * Dates as a spreadsheet may save them when it lost their format: Excel's date serial (`45987`,
 * `45987.5`: days since 1899-12-30, the time as the fraction) and a 2-digit year (`01/09/26`).
 */
import { DAY } from '../engine/units.ts';

/** a date serial: 5 digits (every day from 1973 to 2173), a fraction for the time of day */
export const EXCEL_SERIAL = /^\d{5}(?:\.\d+)?$/;

/** a re-saved day with a 2-digit year, a time after it or not */
export const TWO_DIGIT_YEAR = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(?:[ T]\d{1,2}:\d{2}.*)?$/;

/** Excel's day 0: 1899-12-30 (so that its 1900 leap-year bug gives the right days after February 1900). */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
/** serials read: 2000-01-01 to 2099-12-31, a span no other reading of 5 digits in a date column shares */
const FIRST_SERIAL = 36526;
const LAST_SERIAL = 73050;

/**
 * The UTC time (ms) of an Excel date serial, to the millisecond; null when it is outside 2000 to
 * 2099. A 5-digit number in an export's date or time column is nothing else: the platform writes
 * `YYYY-MM-DD`, epoch times have 10 or 13 digits, and `yyyymmdd` has 8.
 */
export function excelSerialTime(text: string): number | null {
  const n = Number(text);
  if (!Number.isFinite(n) || n < FIRST_SERIAL || n >= LAST_SERIAL + 1) return null;
  return EXCEL_EPOCH + Math.round(n * DAY);
}

export const SERIAL_RANGE_MESSAGE = 'is a number: read as an Excel date serial (days since 1899-12-30), it is not a day from 2000 to 2099; format the column as yyyy-mm-dd and save again';

export const TWO_DIGIT_YEAR_MESSAGE =
  'has a 2-digit year: which century, and whether it is day, month or year first, is not written; format the column with a 4-digit year (yyyy-mm-dd) and save again, or import the export as downloaded';
