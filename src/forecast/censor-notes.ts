import { formatUsd } from '../engine/units.ts';
import { HELD_LEVEL_SD } from './model.ts';
import type { SeriesModel } from './model.ts';
import type { SeriesKind } from './series.ts';
import type { HeldByPool } from './censor.ts';
import { counted } from '../engine/words.ts';

/**
 * What a forecast says of a series whose history a limit held down, in the words the CLI, the
 * JSON report and the Forecast page all show (the renderer adds none of its own).
 */

/** A censored fit with under two weeks of days the limit let through (SeriesModel.fewObserved). */
export const FEW_OBSERVED_NOTE = 'under 14 days not held down by a limit: demand inferred mostly from the bounds, band widened';

/** The history's figure in its unit: dollars for key spend (micro-USD), runs or messages. */
export function amountOf(kind: SeriesKind, value: number): string {
  if (kind === 'key_spend') return formatUsd(value);
  const whole = Math.round(value).toLocaleString('en-US');
  return `${whole} ${kind === 'trigger_runs' ? 'runs' : 'messages'}`;
}

/** The days a held series' fit rests on, in words: its whole history or the days since its level shift. */
function heldSpan(model: SeriesModel): string {
  const days = model.n - model.fitFrom;
  if (model.shiftAt === null) return `on every day of its history (${days} days)`;
  return `on every day since its level shift on ${new Date(model.shiftAt).toISOString().slice(0, 10)} (${days} days)`;
}

/** "±34 %": the level's spread a held series borrows (HELD_LEVEL_SD). */
export const HELD_SPREAD = `±${Math.round(HELD_LEVEL_SD * 100)} %`;

/**
 * A series held at its limit on every day fitted (SeriesModel.heldEveryDay): demand is at least the
 * bound, and how far above it the history cannot say, so the band above it is an assumption. The
 * note says which, with the bound over the horizon (before any what-if), so the admin can tell the
 * figure the history holds from the one assumed.
 */
export function heldEveryDayNote(kind: SeriesKind, model: SeriesModel, horizonDays: number, heldBy = 'held at its limit'): string {
  const perDay = model.level;
  return (
    `${heldBy} ${heldSpan(model)}: demand is at least about ${amountOf(kind, perDay)} a day (${amountOf(kind, perDay * horizonDays)} over ${horizonDays} days), ` +
    `but the history holds no figure above that: the band above it is an assumption, a spread of ${HELD_SPREAD} on the level borrowed from the widest a censored fit gets, above the bound only`
  );
}

/**
 * A trigger its limit held, drawn around the demand the pace of its runs while admitted gives
 * (held-demand.ts): the figure, where it comes from, and what the bands beside it are, so a per-day
 * P50 a little off it reads as the forecast's median day, not a second estimate of demand. `weekly`:
 * its weekly pattern keeps days its limit did not hold (quiet weekends) off that figure.
 */
export function heldDemandNote(perDay: number, weekly = false): string {
  return (
    `held at its limit: demand read at about ${amountOf('trigger_runs', perDay)} a day from the pace its runs came at while the limit let them through (the expected daily volume recommend gives)` +
    `${weekly ? ', on the weekdays its limit held (its other days as its weekly pattern reads them)' : ''}; ` +
    "the forecast's days are drawn around that figure, so its P10 / P50 / P90 are the spread of those days and totals, not other estimates of demand"
  );
}

/** The fair-use pool in words: "the fair-use pool (100 runs per 24 h)". */
export function poolWords(pool: number): string {
  return `the fair-use pool (${counted(pool, 'run')} per 24 h)`;
}

/**
 * A trigger the fair-use pool held, on its own row: how many of its days, and that they are bounds
 * (the notes say why, `poolHeldNote`). Said before its other notes, as a cap a key's history reads
 * as held by is.
 */
export function poolHeldShort(h: HeldByPool): string {
  return `held by ${poolWords(h.pool)} on ${counted(h.days, 'day')}, read as lower bounds (see the notes)`;
}

/**
 * The fair-use triggers the pool held (censor.ts `HeldByPool`): on `poolDays` of the history's
 * `historyDays` the pool's 24 h were full, and on those days each trigger that shares it and ran
 * ran what the pool let through. The exports hold only what the platform admitted, whichever way
 * it held the rest (the docs' webhooks waited for the pool, its code dropped them), so those days
 * are lower bounds on each trigger's demand, as a day its own limit held is, and a day both held
 * is one bound. The same days recommend's seats advice counts (pool-hold.ts).
 */
export function poolHeldNote(pool: number, poolDays: number, historyDays: number, triggers: readonly { id: string; days: number }[]): string {
  const list = triggers.map((t) => `${t.id} (${counted(t.days, 'day')})`);
  return (
    `${poolWords(pool)} held the fair-use triggers' runs on ${poolDays} of the history's ${counted(historyDays, 'day')}: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, … ${list.length - 10} more` : ''}; ` +
    "the exports hold only the runs the platform admitted (the docs' webhooks wait for the pool, the platform's code drops them), so on those days each trigger's runs are what the pool let through, a lower bound on its demand, not the demand: " +
    "imputed above it from its days the pool did not hold and the band widened (a day its own limit held as well is one bound, counted once), so a plan with more seats (a larger pool) lets more of their runs through"
  );
}

/** The note a series' censored fit carries, or null when it needs none. `heldBy`: what held it, in words, when not its own limit. */
export function censorNoteOf(kind: SeriesKind, model: SeriesModel, horizonDays: number, heldBy?: string): string | null {
  // the pace is a held day's demand: a trigger quiet at weekends is drawn at it on its weekdays only
  if (model.heldDemand !== undefined) {
    const busiest = model.seasonal.reduce((a, b) => Math.max(a, b), 0);
    const quietest = model.seasonal.reduce((a, b) => Math.min(a, b), Infinity);
    return heldDemandNote(model.heldDemand, busiest >= 1.5 * quietest);
  }
  if (model.heldEveryDay) return heldEveryDayNote(kind, model, horizonDays, heldBy);
  return model.fewObserved ? FEW_OBSERVED_NOTE : null;
}
