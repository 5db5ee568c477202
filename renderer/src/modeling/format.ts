/**
 * Numbers, money and dates in the user's own locale (the shell's format.ts is en-US throughout).
 * Dates are shown in UTC because the engine's days and months are UTC.
 */
import { duration } from '../format.ts';

const locale = typeof navigator !== 'undefined' ? navigator.languages?.[0] ?? navigator.language : undefined;

const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const moneyWhole = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const share = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
const date = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });

export const fmtUsd = (n: number): string => money.format(n);
export const fmtUsdWhole = (n: number): string => (Math.abs(n) >= 1000 ? moneyWhole.format(n) : money.format(n));
const dollars = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
/** Whole dollars, for percentiles and recommendations. */
export const fmtDollars = (n: number): string => dollars.format(Math.round(n));
export const fmtCount = (n: number): string => count.format(n);
export const fmtShare = (n: number): string => share.format(n);
export const fmtDate = (ms: number | null): string => (ms === null ? '—' : date.format(new Date(ms)));

/**
 * A wait in a table cell: "1d 13h", "23h", "45m", as every other screen and the docs-vs-code
 * sentences say it (format.ts `duration`); "—" when nothing waited.
 */
export function fmtDelay(ms: number | null): string {
  return ms === null || ms <= 0 ? '—' : duration(ms);
}

/** Signed difference for comparisons: "+3", "−$12.50", "+12 points" (of a share), "±0". */
export function fmtDelta(n: number, unit: 'count' | 'usd' | 'share'): string {
  if (n === 0) return '±0';
  const points = Math.round(Math.abs(n) * 100);
  if (unit === 'share' && points === 0) return '±0';
  const body = unit === 'usd' ? fmtUsd(Math.abs(n)) : unit === 'share' ? `${fmtCount(points)} point${points === 1 ? '' : 's'}` : fmtCount(Math.abs(n));
  return `${n > 0 ? '+' : '−'}${body}`;
}

/** A comparison's value in its unit: "$12.50", "1,204", "83 %". */
export function fmtMetric(n: number, unit: 'count' | 'usd' | 'share'): string {
  return unit === 'usd' ? fmtUsd(n) : unit === 'share' ? fmtShare(n) : fmtCount(n);
}

/** Parses what the user typed as dollars in their locale ("1,250.50" or "1.250,50"); null if empty. */
export function parseMoney(text: string): number | null | 'invalid' {
  const t = text.trim().replace(/[$\s\u00a0]/g, '');
  if (t === '') return null;
  const decimal = (1.5).toLocaleString(locale).includes(',') ? ',' : '.';
  const normal = decimal === ',' ? t.replace(/\./g, '').replace(',', '.') : t.replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(normal)) return 'invalid';
  return Number(normal);
}
