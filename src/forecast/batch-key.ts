/**
 * A key whose spend is a batch job: the same amount on a regular cadence ($300 on the 1st of each
 * month, $50 every Monday) and nothing between. Read as any key's, its history was "too thin to
 * forecast" (3 days with spend in 75: a provisional cap, "revisit once the key has spent on 7
 * days", seven months away), and its paths resampled its days as if each were a coin toss (most of
 * them nothing, one in 25 a batch): $0 / $162 / $646 over the next 30 days, though the next batch
 * is certain, and its cap of 2 × the batch "capped out in 19 % of paths", which a monthly batch
 * never reaches. A regular batch says what it will do: the next batches fall on the cadence's days,
 * each about the amount the batches had. Its paths draw exactly that (path-block.ts), its cap lets
 * through as many batches as one cap window can hold (`batchCapFloorMicros`), and it is neither thin
 * (key-evidence.ts) nor read as held at a cap (implied-cap.ts `reachedInOneDay`).
 *
 * The reading is strict; a key is a batch only when all of these hold:
 * - its spend comes in runs of at most 2 days (a batch may cross midnight), at least `MIN_BATCHES`
 *   of them, and nothing between;
 * - each run's amount is within `AMOUNT_SHARE` of their median;
 * - the runs start on the same day of the month (1 to 28) in consecutive months, or `MIN_GAP_DAYS`
 *   or more apart, each gap within a day of their median;
 * - the next batch is not overdue when the history ends (a job that stopped is no cadence).
 */
import { DAY, formatUsd } from '../engine/units.ts';
import { counted } from '../engine/words.ts';
import type { SeriesModel } from './model.ts';
import { asPlainLevel } from './model.ts';
import type { DailySeries } from './series.ts';

/** Batches a cadence is read from: two gaps that agree. */
export const MIN_BATCHES = 3;
/** Each batch's amount within this share of the batches' median. */
const AMOUNT_SHARE = 0.15;
/** Batches closer than a week are a key spending most weeks: its weekday pattern is fitted as any key's. */
const MIN_GAP_DAYS = 7;
/** A batch may run past midnight: its spend over at most this many days is one batch. */
const MAX_BATCH_DAYS = 2;

export interface BatchCadence {
  /** `monthly`: on `dayOfMonth` of each month; `every`: every `everyDays` days */
  kind: 'monthly' | 'every';
  /** the UTC day of the month the batches start on (monthly), else 0 */
  dayOfMonth: number;
  /** the days between batches (`every`); for `monthly`, the shortest gap between two (28: February) */
  everyDays: number;
  /** the batches' median amount, µUSD */
  amount: number;
  /** the largest batch, µUSD */
  largest: number;
  /** each batch's amount over the median, less 1: what a next batch's amount is drawn from */
  spread: number[];
  /** how many batches the history holds */
  batches: number;
  /** the last batch's first UTC day (days since the epoch) */
  lastDay: number;
}

/** The cadence a key's spend per UTC day reads as (its series, the cut last day included), or null when it is no regular batch. */
export function batchCadenceOf(s: Pick<DailySeries, 'start' | 'values' | 'partial'>): BatchCadence | null {
  const values = s.partial ? [...s.values, s.partial.value] : s.values;
  const first = Math.round(s.start / DAY);
  const runs: { day: number; amount: number }[] = [];
  for (let d = 0; d < values.length; d++) {
    if (!(values[d]! > 0)) continue;
    let e = d;
    let amount = 0;
    while (e < values.length && values[e]! > 0) amount += values[e++]!;
    if (e - d > MAX_BATCH_DAYS) return null;
    runs.push({ day: first + d, amount });
    d = e;
  }
  if (runs.length < MIN_BATCHES) return null;
  const amounts = runs.map((r) => r.amount).sort((a, b) => a - b);
  const amount = amounts[Math.floor(amounts.length / 2)]!;
  if (runs.some((r) => Math.abs(r.amount - amount) > AMOUNT_SHARE * amount)) return null;
  const lastDay = runs[runs.length - 1]!.day;
  const endDay = first + values.length - 1;
  const common = { amount, largest: amounts[amounts.length - 1]!, spread: runs.map((r) => r.amount / amount - 1), batches: runs.length, lastDay };
  const dates = runs.map((r) => new Date(r.day * DAY));
  const dom = dates[0]!.getUTCDate();
  const monthOf = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  const monthly = dom <= 28 && dates.every((d, k) => d.getUTCDate() === dom && (k === 0 || monthOf(d) === monthOf(dates[k - 1]!) + 1));
  if (monthly) {
    // overdue once the month after the last batch has passed its day
    const next = Date.UTC(dates[dates.length - 1]!.getUTCFullYear(), dates[dates.length - 1]!.getUTCMonth() + 1, dom) / DAY;
    if (endDay > next + 1) return null;
    return { kind: 'monthly', dayOfMonth: dom, everyDays: 28, ...common };
  }
  const gaps = runs.slice(1).map((r, k) => r.day - runs[k]!.day);
  const sorted = gaps.slice().sort((a, b) => a - b);
  const gap = sorted[Math.floor(sorted.length / 2)]!;
  if (gap < MIN_GAP_DAYS || gaps.some((g) => Math.abs(g - gap) > 1)) return null;
  if (endDay > lastDay + gap + 1) return null;
  return { kind: 'every', dayOfMonth: 0, everyDays: gap, ...common };
}

/** Whether the UTC day `day` (days since the epoch) is one a batch of `c` starts on, after its last. */
export function isBatchDay(c: BatchCadence, day: number): boolean {
  if (day <= c.lastDay) return false;
  if (c.kind === 'monthly') return new Date(day * DAY).getUTCDate() === c.dayOfMonth;
  return (day - c.lastDay) % c.everyDays === 0;
}

/**
 * The key's model redrawn as its cadence reads it: a level at the batches' spend per day, no
 * trend, no weekday pattern, no error of its own. Its days are drawn by `drawBatchDays`; the level
 * is what the other figures read of it (a mean per day).
 */
export function withBatchCadence(model: SeriesModel, c: BatchCadence): SeriesModel {
  const perDay = c.kind === 'monthly' ? (c.amount * 12) / 365 : c.amount / c.everyDays;
  return asPlainLevel(model, perDay);
}

/**
 * One path's ordinary days of a batch key, into `out` from `at`: on each of the cadence's days
 * over the `days` from `from` (00:00 UTC), one batch of the median amount times one of the
 * batches' own ratios to it (drawn with `rng`), nothing on the others; `scale` per day as the
 * what-ifs give it. A first day the export was cut part-way through keeps its known part, and a
 * batch that part already holds (half the amount or more) is not drawn again.
 */
export function drawBatchDays(c: BatchCadence, from: number, days: number, rng: () => number, out: Float64Array, at: number, scale: Float64Array | null, known: number | null): void {
  const first = Math.round(from / DAY);
  for (let h = 0; h < days; h++) {
    let v = 0;
    if (isBatchDay(c, first + h) && !(h === 0 && known !== null && known >= c.amount / 2)) {
      v = c.amount * (1 + (c.spread.length ? c.spread[Math.floor(rng() * c.spread.length)]! : 0));
      if (scale) v *= scale[h]!;
    }
    out[at + h] = h === 0 && known !== null ? known + v : v;
  }
}

/** The expected spend of forecast day `h` (from `from`): the median batch on the cadence's days. */
export function batchPoint(c: BatchCadence, from: number, h: number): number {
  return isBatchDay(c, Math.round(from / DAY) + h) ? c.amount : 0;
}

/**
 * The most batches one cap window of `windowDays` can hold (today and the days before it, as the
 * platform counts it) over the year after the history: a monthly batch on the 1st has two in the
 * 30 days from February's to March's, 28 days apart.
 */
export function batchesPerWindow(c: BatchCadence, windowDays: number): number {
  if (c.kind === 'every') return Math.max(1, Math.ceil(windowDays / c.everyDays));
  const days: number[] = [];
  for (let d = c.lastDay + 1; d <= c.lastDay + 400; d++) if (isBatchDay(c, d)) days.push(d);
  let most = 1;
  let lo = 0;
  for (let k = 0; k < days.length; k++) {
    while (days[k]! - days[lo]! >= windowDays) lo++;
    most = Math.max(most, k - lo + 1);
  }
  return most;
}

/**
 * The least cap that lets a batch key's batches through (µUSD): as many of its largest batch as
 * one cap window can hold. The platform checks the spend before each request, so a window holding
 * exactly that much lets the last request through; the forecast's horizon may not reach the window
 * that holds the most (February's), so its paths alone would size a cap that blocks it.
 */
export function batchCapFloorMicros(c: BatchCadence, windowDays: number): number {
  return batchesPerWindow(c, windowDays) * c.largest;
}

/** The cadence in words: "a batch of about $300.00 on the 1st of each month (3 seen)". */
export function batchText(c: BatchCadence): string {
  const when = c.kind === 'monthly' ? `on the ${ordinal(c.dayOfMonth)} of each month` : `every ${counted(c.everyDays, 'day')}`;
  return `a batch of about ${formatUsd(c.amount)} ${when} (${counted(c.batches, 'batch', 'batches')} seen, nothing between)`;
}

/**
 * Why a batch key's cap is what it is when its floor sized it (`cap`: the cap, as the caller writes
 * amounts): "one 30-day cap window holds 2 of its batches … so the cap lets 2 batches as large as
 * its largest ($300.00) through: $600".
 */
export function batchFloorText(c: BatchCadence, windowDays: number, cap: string): string {
  const n = batchesPerWindow(c, windowDays);
  const held =
    n === 1
      ? `one ${windowDays}-day cap window holds one of its batches`
      : c.kind === 'monthly'
        ? `one ${windowDays}-day cap window holds ${n} of its batches where a month is shorter than the window (February's and March's, 28 days apart)`
        : `one ${windowDays}-day cap window holds ${n} of its batches`;
  const through = n === 1 ? `its largest batch (${formatUsd(c.largest)})` : `${n} batches as large as its largest (${formatUsd(c.largest)})`;
  return `${held}, so the cap lets ${through} through, the platform checking the spend before each request: ${cap}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}
