import { DAY, HOUR } from '../engine/units.ts';
import type { Db } from '../ledger/ledger.ts';

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
 * API spend per UTC hour of day in the ledger's event-level data (daily cost exports excluded:
 * they were spread by a profile themselves). Every hour keeps a small floor so that a day whose
 * spend falls outside the learned hours still lands somewhere plausible. Rows without an id have
 * a NULL ident, which NOT LIKE alone would leave out.
 */
export function learnHourProfile(db: Db): HourProfile {
  const rows = db
    .prepare(`SELECT (time % ${DAY} + ${DAY}) % ${DAY} / ${HOUR} AS h, count(*) AS n, sum(cost) AS c FROM events WHERE type = 0 AND (ident IS NULL OR ident NOT LIKE 'dust-cost:%') GROUP BY h`)
    .all() as { h: number; n: number; c: number }[];
  const n = rows.reduce((a, r) => a + r.n, 0);
  const total = rows.reduce((a, r) => a + r.c, 0);
  if (n < MIN_EVENTS_FOR_PROFILE || total <= 0) return { weights: [...DEFAULT_HOUR_PROFILE], source: 'default' };
  const weights = new Array<number>(24).fill(0);
  for (const r of rows) weights[Math.floor(r.h)] = r.c;
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
