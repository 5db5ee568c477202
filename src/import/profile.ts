import type { HourSpend } from '../ledger/events.ts';

/**
 * Default hour-of-day shape (UTC) of API spend when the ledger holds no event-level API data:
 * quiet nights, a working-day plateau from 08:00 to 17:00 UTC, evening tail. Relative weights.
 */
export const DEFAULT_HOUR_PROFILE: readonly number[] = [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 8, 8, 7, 8, 8, 8, 7, 6, 4, 3, 2, 2, 1, 1];

/** Below this many event-level API requests the learned shape is noise: use the default. */
export const MIN_EVENTS_FOR_PROFILE = 200;

export interface HourProfile {
  weights: number[];
  source: 'ledger' | 'default';
}

/**
 * The hour-of-day profile from the ledger's API spend per UTC hour in event-level data (daily
 * cost exports excluded: they were spread by a profile themselves; ledger/events.ts). Every hour
 * keeps a small floor so that a day whose spend falls outside the learned hours still lands
 * somewhere plausible.
 */
export function learnHourProfile(rows: readonly HourSpend[]): HourProfile {
  const n = rows.reduce((a, r) => a + r.requests, 0);
  const total = rows.reduce((a, r) => a + r.micros, 0);
  if (n < MIN_EVENTS_FOR_PROFILE || total <= 0) return { weights: [...DEFAULT_HOUR_PROFILE], source: 'default' };
  const weights = new Array<number>(24).fill(0);
  for (const r of rows) weights[r.hour] = r.micros;
  const floor = total / 24 / 100;
  return { weights: weights.map((w) => Math.round((w + floor) * 1000) / 1000), source: 'ledger' };
}

/**
 * Splits `total` integer micro-USD over the weights by largest remainder: the parts are integers
 * that sum exactly to `total`; ties go to the earlier hour.
 */
export function splitByLargestRemainder(total: number, weights: readonly number[]): number[] {
  // scale weights to integers so the division is exact in BigInt
  const scaled = weights.map((w) => BigInt(Math.max(0, Math.round(w * 1e6))));
  const sum = scaled.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new RangeError('profile weights sum to zero');
  const t = BigInt(total);
  const parts = scaled.map((w) => (t * w) / sum);
  const rems = scaled.map((w, i) => ({ i, r: (t * w) % sum }));
  let left = Number(t - parts.reduce((a, b) => a + b, 0n));
  rems.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; left > 0; k++, left--) parts[rems[k % rems.length]!.i]! += 1n;
  return parts.map(Number);
}
