/**
 * Time is integer epoch milliseconds (UTC); money is integer micro-USD. Where mixing them up is a
 * real bug (a plan's caps and limits, window lengths, results' money and times), the number
 * carries its unit in its type: a plain `number` (a dollar amount, a count) does not pass as
 * `Micros`, nor an `EpochMs` as a `DurationMs`. Arithmetic gives plain numbers again; only the
 * functions below (and the plan's resolver and the time parsers) make branded ones.
 */

/** Integer micro-USD (1 USD = 1,000,000). */
export type Micros = number & { readonly __unit: 'micros' };
/** A moment: integer milliseconds since 1970-01-01T00:00:00Z. */
export type EpochMs = number & { readonly __unit: 'epoch-ms' };
/** A length of time in milliseconds (a window, a wait); Infinity where it is without limit. */
export type DurationMs = number & { readonly __unit: 'duration-ms' };

/** An amount already in micro-USD (a sum or difference of Micros, a typed array's element) as Micros. */
export function asMicros(micros: number): Micros {
  return micros as Micros;
}

/** A moment already in epoch milliseconds (a typed array's element, arithmetic on EpochMs) as EpochMs. */
export function asEpochMs(ms: number): EpochMs {
  return ms as EpochMs;
}

/** A length already in milliseconds (a count of units times SECOND, MINUTE, HOUR or DAY) as DurationMs. */
export function asDurationMs(ms: number): DurationMs {
  return ms as DurationMs;
}

export const SECOND = asDurationMs(1000);
export const MINUTE = asDurationMs(60 * SECOND);
export const HOUR = asDurationMs(60 * MINUTE);
export const DAY = asDurationMs(24 * HOUR);
export const MICROS_PER_USD = 1_000_000;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Parses a decimal dollar amount into integer micro-USD, rounding half away from zero at the
 * sixth decimal. Works on the digits, never through a binary float, so "0.0000005" is 1 µUSD
 * and "2.675" is exactly 2,675,000. Returns null when the text is not a plain decimal number.
 */
export function parseUsdToMicros(text: string): Micros | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, sign, whole = '', frac = ''] = m;
  if (whole === '' && frac === '') return null;
  const padded = (frac + '0000000').slice(0, 7);
  let micros = Number(whole || '0') * MICROS_PER_USD + Number(padded.slice(0, 6));
  if (padded.charCodeAt(6) >= 53 /* '5' */) micros += 1;
  if (!Number.isSafeInteger(micros)) return null;
  return asMicros(sign === '-' && micros !== 0 ? -micros : micros);
}

/** Converts a dollar amount given as a JS number (from a plan file) into micro-USD, exactly. */
export function usdNumberToMicros(usd: number): Micros {
  // Number#toString gives the shortest decimal that round-trips, so 0.1 becomes "0.1", not
  // 0.1000000000000000055…; rounding that text is what the admin meant.
  const text = Math.abs(usd) < 1e21 ? usd.toString() : usd.toFixed(0);
  const micros = parseUsdToMicros(text.includes('e') ? usd.toFixed(12) : text);
  if (micros === null) throw new RangeError(`not a dollar amount: ${usd}`);
  return micros;
}

/**
 * Whole cents of a micro-USD amount, a half cent rounded up: the one rounding every dollar figure
 * shown to people goes through. A figure rounded on its binary float instead (`toFixed(2)`) reads
 * $300.005 as 300.00 where the same figure elsewhere reads $300.01.
 */
export function centsOf(micros: number): number {
  return Math.round(micros / 10_000);
}

/**
 * Whole cents of a dollar figure held as a number (a report's figure: micro-USD / 1e6), through its
 * micro-dollars, so it rounds as `formatUsd` rounds the same amount.
 */
export function centsOfUsd(usd: number): number {
  return centsOf(Math.round(usd * MICROS_PER_USD));
}

/** "$1,234.56" style text of a micro-USD amount, rounded to cents for people. */
export function formatUsd(micros: number): string {
  const cents = centsOf(micros);
  return `${cents < 0 ? '-' : ''}$${centsText(Math.abs(cents), true)}`;
}

/** "1234.56": the same cents as `formatUsd`, for a CSV cell (no sign of the currency, no grouping). */
export function formatUsdPlain(micros: number): string {
  return centsText(centsOf(micros), false);
}

function centsText(cents: number, grouped: boolean): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  return `${sign}${grouped ? whole.toLocaleString('en-US') : String(whole)}.${String(abs % 100).padStart(2, '0')}`;
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
