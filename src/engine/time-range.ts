/**
 * The times Headroom accepts anywhere (CSV rows, imports, plan fields, --from/--to/--until):
 * from 1970-01-01T00:00:00.000Z up to, not including, 2200-01-01T00:00:00.000Z.
 *
 * Why a range at all: one row dated year 9999 or 8.64e15 ms used to make every later stage
 * (timelines, rolling sums, forecast horizons) as long as the span it opens. Inside this range a
 * span is at most ~84,000 days, and every stage still caps its work in buckets, not in time.
 * Why these ends: epoch 0 keeps small test timestamps (0, 60000, …) valid; 2200 is far past any
 * plan an admin makes while still refusing a 14-digit typo (year 2508 and later).
 */
export const MIN_TIME_MS = 0;
/** Date.UTC(2200, 0, 1) */
export const MAX_TIME_MS_EXCLUSIVE = 7_258_118_400_000;

export const TIME_RANGE_TEXT = 'between 1970-01-01 and 2199-12-31 (UTC)';

export function isPlausibleTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms < MAX_TIME_MS_EXCLUSIVE;
}

/** The message for a time outside the range, to follow the field's name and value. */
export function timeRangeMessage(): string {
  return `is outside the supported range: times must be ${TIME_RANGE_TEXT}`;
}
