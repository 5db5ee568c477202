const usdFmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const usdShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat('en-US');

export const usd = (n: number): string => usdFmt.format(n);
export const usdCompact = (n: number): string => usdShort.format(n);
export const int = (n: number): string => intFmt.format(n);
/** What a cell shows when there is nothing to show (no wait, no share of a limit there is not). */
export const NOTHING = '—';

export const pct = (share: number | null): string => (share === null ? NOTHING : `${Math.round(share * 100)}%`);

/**
 * A wait as the two largest units, "1d 13h", "12h 50m", "45m", "30s": the same words the
 * docs-vs-code sentences (src/compare) use, so one wait reads alike on every screen. No wait is
 * "—", the one sign every table uses for nothing (a "none" in one cell and a "—" in another read
 * as two different facts).
 */
export function duration(ms: number): string {
  if (!(ms > 0)) return NOTHING;
  if (ms < 1000) return '<1s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  // rounded at the second unit shown, as src/engine/report.ts formatDuration: a wait a millisecond
  // short of 48 h is "2d", not "1d 23h"
  const lead = units.findIndex(([, size]) => ms >= size);
  const step = units[Math.min(lead + 1, units.length - 1)][1];
  const whole = Math.round(ms / step) * step;
  const first = units.findIndex(([, size]) => whole >= size);
  const [name, size] = units[first];
  const q = Math.floor(whole / size);
  const next = units[first + 1];
  // "1d 13h", never "1d 0h" nor a third unit
  const r = next ? Math.floor((whole - q * size) / next[1]) : 0;
  return next && r > 0 ? `${q}${name} ${r}${next[0]}` : `${q}${name}`;
}

const whenFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Sep 24, 13:05" in UTC: the engine's days are UTC days. */
export function when(ms: number | null): string {
  if (ms === null) return '—';
  return whenFmt.format(new Date(ms));
}

/** Rounds a chart's top up to 1, 2, 2.5 or 5 × 10ⁿ so the axis ticks are round numbers. */
export function niceCeil(n: number): number {
  if (!(n > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

const dayFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });

/** "Sep 4" in UTC: a chart's day tick, in the words the tables use ("09-04" read as either order). */
export function day(ms: number): string {
  return dayFmt.format(new Date(ms));
}

export function limitText(n: number | null, unit = ''): string {
  return n === null ? 'unlimited' : `${int(n)}${unit}`;
}

/** "1 event", "2 events", "1 person", "3 people": a count with its noun agreeing. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

const dateYearFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
const dateTimeYearFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Jan 5, 2026" in UTC: a file's dates, where the year matters (an export may span years). */
export function dateWithYear(ms: number): string {
  return dateYearFmt.format(new Date(ms));
}

/** "Jan 5, 2026, 10:00 UTC": an event's time as the admin reads it, not as it is stored. */
export function timeWithYear(ms: number): string {
  return `${dateTimeYearFmt.format(new Date(ms))} UTC`;
}

/**
 * "Sep 3, 2026, 00:00 → Nov 1, 2026, 23:58 UTC": the span a history covers, with its years (a
 * history may cross New Year) and its zone said once (the engine's days are UTC days, which an
 * admin east or west of Greenwich would otherwise read as local).
 */
export function timeSpan(from: number | null, to: number | null): string {
  if (from === null || to === null) return '—';
  return `${dateTimeYearFmt.format(new Date(from))} → ${timeWithYear(to)}`;
}
