const usdFmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const usdShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const intFmt = new Intl.NumberFormat('en-US');

export const usd = (n: number): string => usdFmt.format(n);
export const usdCompact = (n: number): string => usdShort.format(n);
export const int = (n: number): string => intFmt.format(n);
export const pct = (share: number | null): string => (share === null ? '—' : `${Math.round(share * 100)}%`);

export function duration(ms: number): string {
  if (ms <= 0) return '0';
  const min = ms / 60_000;
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} d`;
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

export function day(ms: number): string {
  return new Date(ms).toISOString().slice(5, 10);
}

export function limitText(n: number | null, unit = ''): string {
  return n === null ? 'unlimited' : `${int(n)}${unit}`;
}
