/**
 * The paths of a key whose history is too thin to forecast (spend on fewer than THIN_ACTIVE_DAYS
 * days, key-evidence.ts). Its cap is provisional, 2 × the most it has spent in any 30 days, because
 * a few days cannot show a daily rate; yet its paths were fitted as any key's: its days read as a
 * rate (a key that spent $250 on 5 of its 9 days was drawn at $139 a day, $4,170 in 30) or a trend
 * through them, so the same key's $2,500 provisional cap was "reached in 94.5 % of paths", and in
 * 82.5 % for one whose 6 days rose (a linear trend through them). Its paths now read the history
 * the way the cap was sized: the spend of its busiest 30 days as its spend per 30 days, no trend,
 * no weekday pattern; each day's spend resampled from its own days (most of them nothing), and the
 * level's spread that of a rate read off so few days with spend. A chance for such a cap is
 * said to rest on the thin history wherever it is shown.
 */
import { formatUsd, MICROS_PER_USD } from '../engine/units.ts';
import { counted } from '../engine/words.ts';
import type { SeriesModel } from './model.ts';
import { asPlainLevel } from './model.ts';
import type { KeyEvidence } from './key-evidence.ts';
import type { DailySeries } from './series.ts';

/** Days the pace of a thin key is spread over: the cap's window, as its provisional cap reads it. */
export const THIN_PACE_DAYS = 30;

/** What a thin key's paths are drawn from (SeriesModel.thinHistory). */
export interface ThinHistory {
  /** what its history holds (key-evidence.ts) */
  evidence: KeyEvidence;
  /** the spend of its busiest 30 days, µUSD: its paths' spend per 30 days */
  busiest30: number;
}

/**
 * A thin key's fitted model, redrawn as its provisional cap reads its history: a level at its
 * busiest 30 days' spend over 30 days, held (no smoothing, no trend, no alternatives); a day's
 * spend that level times one of its own days over their mean (its history, zero-padded to 30
 * days when shorter), so a path spends on about as many days as the key did, in amounts it has
 * shown. The level's error is that of a rate read off k days with spend (1 / √k, a count's
 * relative error), on top of the days' own spread: the next 30 days may hold more such days or
 * fewer, and so few say little of which.
 */
export function withThinHistory(model: SeriesModel, s: DailySeries, evidence: KeyEvidence): SeriesModel {
  const days = s.partial ? [...s.values, s.partial.value] : s.values.slice();
  while (days.length < THIN_PACE_DAYS) days.unshift(0);
  const mean = days.reduce((a, b) => a + b, 0) / days.length;
  const busiest30 = Math.round(evidence.largest30dUsd * MICROS_PER_USD);
  const level = busiest30 / THIN_PACE_DAYS;
  const activeDays = Math.max(1, evidence.activeDays);
  return {
    ...asPlainLevel(model, level),
    aSd: level / Math.sqrt(activeDays),
    // a weekly pattern from a handful of days with spend is their luck, not the key's: the plain level's
    innovations: mean > 0 ? days.map((v) => v / mean - 1) : [],
    thinHistory: { evidence, busiest30 },
  };
}

/**
 * What a thin key's band is, said beside it (SeriesForecast.thinNote); the warning its provisional
 * cap carries already says what its history holds.
 */
export function thinBandNote(t: ThinHistory): string {
  return (
    `its band takes the spend of its busiest 30 days (${formatUsd(t.busiest30)}) as its spend per 30 days, no trend: too few days with spend to read a rate or a trend from; ` +
    `each day drawn from its own days, with the spread of a rate read off ${counted(t.evidence.activeDays, 'day')} with spend`
  );
}

/** Said with any chance a thin key's paths give (its provisional cap's capped-out chance, the simulation's blocked share). */
export function thinChanceNote(e: KeyEvidence): string {
  return `these chances rest on thin history (spend on ${counted(e.activeDays, 'day')}): the paths take its busiest 30 days as its spend per 30 days, no trend, as its provisional cap does`;
}

/** The same in a table's cell, beside the chance: "thin history: spend on 5 days". */
export function thinChanceShort(activeDays: number): string {
  return `thin history: spend on ${counted(activeDays, 'day')}`;
}
