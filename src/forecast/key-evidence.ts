/**
 * How much of a key's own use its cap can rest on. A cap sized from a forecast is only as good as
 * the history behind it: a key seen on a day or two (one $1,234 request, a test script run twice)
 * gives the forecast one day's spend to extrapolate over 30, and the cap came out at 30 times
 * that day (a single $1,234 request on the history's last day: a cap of $47,000). Such a key is
 * given a provisional cap sized on the spend it has shown, and every place that shows its cap
 * says that its history is too thin to forecast.
 */
import { DAY, MICROS_PER_USD } from '../engine/units.ts';
import { counted } from '../engine/words.ts';
import { SHORT_DAYS } from './model.ts';
import { roundCapUsd } from './rounding.ts';
import type { DailySeries } from './series.ts';
import { batchCadenceOf } from './batch-key.ts';

/**
 * Fewer days with spend than this and a forecast cannot size a cap: it cannot tell ordinary use
 * from a one-off or a runaway (the forecast's own runaway test needs as many, `outlierCeiling`),
 * and a fit reads the days it has as the key's daily rate (its paths are drawn as the
 * provisional cap reads the history instead: thin-key.ts).
 */
export const THIN_ACTIVE_DAYS = 7;

/**
 * A thin key's provisional cap is this many times the most it has spent in any 30 days. Twice
 * the spend seen lets that use happen again inside one cap window, with as much again for it to
 * grow, and stops a runaway at twice anything the key has done; what a key may spend beyond what
 * it has shown is the admin's budget to decide, which a history this thin cannot answer. It
 * is the rule of a limit granted before a track record (start at what has been seen, with
 * room, and raise it as use accumulates), not a risk figure.
 */
export const PROVISIONAL_FACTOR = 2;

/** Days of its own history after which a provisional or short-history cap should be revisited. */
export const REVISIT_DAYS = 30;

export interface KeyEvidence {
  /**
   * requests in the history: its events, less the pieces the importer spread a cost export's
   * daily rows into (engine/cost-rows.ts), which are no requests
   */
  requests: number;
  /** UTC days with any spend */
  activeDays: number;
  /**
   * of those days, the ones whose spend the cost export gave as a daily total (no request count:
   * the key's days that the consumption export does not cover)
   */
  costRowDays: number;
  /** days from the key's first request's UTC day to the end of the history */
  days: number;
  /** ISO dates of its first and last day with a request */
  firstRequest: string;
  lastRequest: string;
  /** the most it spent in any 30 days of its history, as recorded (USD, nothing extrapolated) */
  largest30dUsd: number;
  /**
   * under THIN_ACTIVE_DAYS days with spend, and no regular batch (batch-key.ts): the cap is sized
   * on the spend seen, not a forecast
   */
  thin: boolean;
  /** first request under SHORT_DAYS days before the history ends (and not thin): a forecast from a few days */
  short: boolean;
}

/**
 * What a key's own history holds (its series starts on its first day with a request).
 * `costDays`: the key's days that hold a cost export's rows, with their pieces (costRowDays).
 */
export function keyEvidence(s: DailySeries, costDays?: ReadonlyMap<number, number>): KeyEvidence {
  // a last day the export cut short is kept apart from the series (series.ts): it is use all the same
  const values = s.partial ? [...s.values, s.partial.value] : s.values;
  const activeDays = values.filter((v) => v > 0).length;
  // the series' events are its full days' (series.ts): the pieces counted are those days' too
  let pieces = 0;
  let costRowDays = 0;
  const end = s.start + s.values.length * DAY;
  for (const [day, n] of costDays ?? []) {
    if (day < s.start || day >= end) continue;
    pieces += n;
    costRowDays++;
  }
  let largest = 0;
  let acc = 0;
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    acc += values[i];
    if (i >= 30) acc -= values[i - 30];
    if (acc > largest) largest = acc;
    if (values[i] > 0) last = i;
  }
  // a batch job's few days are its cadence, not too little to read (batch-key.ts): $300 on the 1st
  // of each month has spent on 3 days in 75, and is forecast from them
  const thin = activeDays < THIN_ACTIVE_DAYS && batchCadenceOf(s) === null;
  return {
    requests: Math.max(0, s.events - pieces),
    activeDays,
    costRowDays,
    days: values.length,
    firstRequest: isoDay(s.start),
    lastRequest: isoDay(s.start + Math.max(0, last) * DAY),
    largest30dUsd: Math.round(largest) / MICROS_PER_USD,
    thin,
    short: !thin && values.length < SHORT_DAYS,
  };
}

/** The provisional cap of a thin key, whole USD: PROVISIONAL_FACTOR × its largest 30 days, rounded up to a round cap. */
export function provisionalCapUsd(e: KeyEvidence): number {
  return roundCapUsd(Math.round(PROVISIONAL_FACTOR * e.largest30dUsd * MICROS_PER_USD));
}

/**
 * "1 request on 1 day with spend, over 3 days since its first on 2026-10-30"; for days the cost
 * export alone gives, which hold daily totals and no requests, "spend on 4 days from the cost
 * export's daily totals, which count no requests, over 9 days since its first on 2026-10-06"
 */
export function evidenceText(e: KeyEvidence): string {
  return `${usedText(e)}, over ${counted(e.days, 'day')} since its first on ${e.firstRequest}`;
}

/**
 * The key's use in short, as `headroom recommend` gives it beside a provisional cap: "one request
 * on 1 day", "spend on 4 days (cost export totals, no requests)", "5 requests on 4 days (2 of
 * them from cost export totals)"
 */
export function evidenceShort(e: KeyEvidence): string {
  const requests = e.requests === 1 ? 'one request' : counted(e.requests, 'request');
  if (e.costRowDays === 0) return `${requests} on ${counted(e.activeDays, 'day')}`;
  if (e.requests === 0) return `spend on ${counted(e.activeDays, 'day')} (cost export totals, no requests)`;
  return `${requests} on ${counted(e.activeDays, 'day')} (${e.costRowDays} of them from cost export totals)`;
}

/** What the key's days with spend hold: its requests, and the days known only by the cost export's daily totals. */
function usedText(e: KeyEvidence): string {
  if (e.costRowDays === 0) return `${counted(e.requests, 'request')} on ${counted(e.activeDays, 'day')} with spend`;
  const totals = "the cost export's daily totals, which count no requests";
  if (e.requests === 0) return `spend on ${counted(e.activeDays, 'day')} from ${totals}`;
  return `${counted(e.requests, 'request')} on ${counted(e.activeDays, 'day')} with spend, ${e.costRowDays} of them known only from ${totals}`;
}

/** The revisit date of a short or thin history: REVISIT_DAYS after its first request. */
export function revisitOn(e: KeyEvidence): string {
  return isoDay(Date.parse(`${e.firstRequest}T00:00:00Z`) + REVISIT_DAYS * DAY);
}

/**
 * The warning every place showing the key's cap carries (recommend's text and JSON, the report,
 * keys.csv, the app's key advice, the export's plan notes, the Forecast page), or null when its
 * history is long enough.
 */
export function evidenceWarning(e: KeyEvidence): string | null {
  if (e.thin) {
    return (
      `thin history (${evidenceText(e)}): too little to forecast, so the cap is provisional, ` +
      `${PROVISIONAL_FACTOR} × the most it has spent in 30 days; revisit it once the key has spent on ${THIN_ACTIVE_DAYS} days`
    );
  }
  if (e.short) {
    return `short history (first request ${e.firstRequest}, ${counted(e.days, 'day')} of history): the cap rests on a forecast from those days, with a widened band; revisit it after ${revisitOn(e)}`;
  }
  return null;
}

/**
 * Why a thin key's cap is what it is, in the words of the advice: the basis, and what the
 * forecast's paths (drawn as thin-key.ts reads such a history) size at the risk asked.
 */
export function provisionalReason(e: KeyEvidence, capUsd: number, forecastCapUsd: number | null): string {
  const forecast =
    forecastCapUsd !== null && forecastCapUsd !== capUsd
      ? ` (at the risk asked, the forecast's paths, which take its busiest 30 days as its spend per 30 days, would size ${usd(forecastCapUsd)})`
      : '';
  return (
    `provisional cap, not a forecast: ${PROVISIONAL_FACTOR} × the most this key has spent in any 30 days (${usd(e.largest30dUsd)}), rounded up: ${usd(capUsd)}. ` +
    `Its history is too thin to forecast: ${evidenceText(e)}; a forecast needs spend on ${THIN_ACTIVE_DAYS} days or more to tell ordinary use from a one-off or a runaway${forecast}. ` +
    `${usd(capUsd)} lets the spend seen happen again within the window, with as much again to grow, and stops a runaway at ${PROVISIONAL_FACTOR} × anything the key has done; ` +
    `what it may spend beyond that is a budget decision. Revisit the cap once the key has spent on ${THIN_ACTIVE_DAYS} days (now ${e.activeDays})`
  );
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

// whole dollars stay whole ($2,500), anything else shows cents ($1,234.56)
function usd(x: number): string {
  const cents = Math.round(x * 100) / 100;
  const d = Number.isInteger(cents) ? 0 : 2;
  return `$${cents.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })}`;
}
