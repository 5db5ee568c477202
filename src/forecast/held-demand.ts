/**
 * The demand of a trigger its limit held. The platform's exports hold only the runs it admitted,
 * so a held trigger's days show the limit, a lower bound on demand; the pace its runs came at
 * while the limit let them through says how much more it needs. That estimate is read here, once
 * per history and plan (censor.ts `censoredFromEngine`, which `recommend` and `forecast` share),
 * and it is the one figure for the trigger's demand: the forecast draws the trigger's days around
 * it (`withHeldDemand`), so its paths, the Monte Carlo and the spend check carry it; `recommend`
 * gives it as the expected daily volume, in its advice, the report's Triggers table and the
 * support draft. It once gave three: 96 a day in the draft (this pace), the forecast's P90 in the
 * report's table and, in the forecast and the spend check, days drawn from the bound alone.
 */
import { DAY, HOUR, MINUTE } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { simulateSeries, weekdayOf } from './model.ts';
import type { SeriesModel } from './model.ts';
import { makeRng } from './rng.ts';

/** What a held trigger's runs say about its demand while its limit let them through. */
export interface HeldPace {
  /** runs per 24 h at the pace they came while admitted */
  perDay: number;
  /** the held stretches read (limit runs, a pause, runs again as soon as the window freed) */
  stretches: number;
  /** the median hours those stretches took to reach the limit */
  hours: number;
  /** the standard error of `perDay`, relative to it: the stretches' paces vary around it by their spread over √stretches */
  spread: number;
}

/** Stretches before a pace is read: one could be a burst. */
const PACE_STRETCHES_MIN = 2;

/** The days before the history's end a held trigger's runs are read over for its pace (the advice's last 28, and the day whose window reaches into them). */
export const PACE_DAYS = 29;

/**
 * The demand of a trigger its limit held, from the pace of its runs while the limit let them
 * through. Each held stretch: `limit` runs within 24 h, then a pause (longer than an hour and than
 * 3 of its gaps), then runs again as soon as the window freed (within max(15 min, 2 gaps) of its
 * oldest run leaving the window, either edge): requests that kept coming through the pause, refused
 * and absent from the export. Read at the stretch's pace, `limit - 1` gaps in its span, over 24 h.
 * That is demand if the requests kept their pace through the pause; it cannot tell that from a
 * burst each day at the same hour (the export is the same), so the advice says it. Null when fewer
 * than PACE_STRETCHES_MIN stretches show it. `times`: the trigger's run times, sorted.
 */
export function heldPace(times: readonly number[], limit: number): HeldPace | null {
  if (limit < 2 || times.length <= limit) return null;
  const paces: number[] = [];
  const spans: number[] = [];
  const gaps: number[] = [];
  for (let i = limit - 1; i + 1 < times.length; i++) {
    const lo = i - limit + 1;
    const span = times[i]! - times[lo]!;
    if (span <= 0 || span > DAY) continue;
    gaps.length = 0;
    for (let k = lo + 1; k <= i; k++) gaps.push(times[k]! - times[k - 1]!);
    gaps.sort((a, b) => a - b);
    const typical = gaps[gaps.length >> 1]!;
    const pause = times[i + 1]! - times[i]!;
    if (pause <= Math.max(HOUR, 3 * typical)) continue;
    const freed = times[lo]! + DAY;
    if (Math.abs(times[i + 1]! - freed) > Math.max(15 * MINUTE, 2 * typical)) continue;
    paces.push(((limit - 1) / span) * DAY);
    spans.push(span);
  }
  if (paces.length < PACE_STRETCHES_MIN) return null;
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const perDay = Math.round(mid(paces));
  const mean = paces.reduce((a, b) => a + b, 0) / paces.length;
  const sd = Math.sqrt(paces.reduce((a, b) => a + (b - mean) ** 2, 0) / (paces.length - 1));
  return { perDay, stretches: paces.length, hours: Math.round((mid(spans) / HOUR) * 10) / 10, spread: perDay > 0 ? sd / perDay / Math.sqrt(paces.length) : 0 };
}

/** A trigger's run times in `[from, to)`, sorted. */
export function triggerRunTimes(events: EventColumns, triggerId: string, from: number, to: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger || events.subjects[events.subject[i]!] !== triggerId) continue;
    const t = events.time[i]!;
    if (t >= from && t < to) times.push(t);
  }
  return times.sort((a, b) => a - b);
}

/** The held demand of trigger `id` held at `ceiling` runs per 24 h: the pace of its runs over the PACE_DAYS before `to`, or null. */
export function heldDemandOf(events: EventColumns, id: string, ceiling: number, to: number): HeldPace | null {
  return heldPace(triggerRunTimes(events, id, to - PACE_DAYS * DAY, to), ceiling);
}

/** Paths the bounds' reading is drawn over: as many as the forecast's own by default. */
const READING_PATHS = 200;

/**
 * How much of each weekday its limit held: per weekday (0 = Sunday), the runs of its held days over
 * the last PACE_DAYS, against as many days at the fullest held day's runs (0..1). The pace is read
 * on stretches that reach the limit, so it is the demand of a day held in full: a weekday held at
 * its limit every week reads about 1, a Saturday held only by the runs its Friday left in the
 * window (8 runs against a limit of 60) little, a quiet Sunday 0. Held before the pace's days only,
 * the same over the whole history. `values` and `censored` are the series' days and its bounds.
 */
export function heldShare(model: SeriesModel, values: readonly number[], censored: readonly boolean[]): number[] {
  const wd0 = weekdayOf(model.start);
  const over = (from: number): number[] | null => {
    const runs = new Array<number>(7).fill(0);
    const days = new Array<number>(7).fill(0);
    let fullest = 0;
    for (let t = Math.max(0, from); t < values.length; t++) {
      const w = (wd0 + t) % 7;
      days[w]! += 1;
      if (censored[t] !== true || !(values[t]! > 0)) continue;
      runs[w]! += values[t]!;
      fullest = Math.max(fullest, values[t]!);
    }
    return fullest > 0 ? runs.map((r, w) => (days[w]! > 0 ? Math.min(1, r / (fullest * days[w]!)) : 0)) : null;
  };
  return over(values.length - PACE_DAYS) ?? over(0) ?? new Array<number>(7).fill(1);
}

/** The weekday index (the model's `seasonal`) of a day held in full: the indices weighed by `heldShare`. */
export function heldIndex(model: SeriesModel, share: readonly number[]): number {
  const held = share.reduce((a, b) => a + b, 0);
  const index = held > 0 ? share.reduce((a, h, w) => a + h * model.seasonal[w]!, 0) / held : 1;
  return index > 0 ? index : 1;
}

/**
 * What a held trigger's model fitted on its bounds alone reads as its daily volume over `days`, on
 * a day whose weekday index is `index`: the P90 over paths of their deseasonalised daily mean
 * (their total over the weekday indices' total), times `index`. With no weekly pattern and index
 * 1, the P90 of the paths' daily means, as recommend reads any trigger's expected volume off the
 * forecast's paths. A fixed stream: the same history reads the same, whatever seed the paths take.
 */
export function boundsReading(model: SeriesModel, days: number, index = 1): number {
  const rng = makeRng(1);
  const day = new Float64Array(days);
  const wd0 = weekdayOf(model.start) + model.n;
  let season = 0;
  for (let h = 0; h < days; h++) season += model.seasonal[(wd0 + h) % 7]!;
  const means: number[] = [];
  for (let p = 0; p < READING_PATHS; p++) {
    simulateSeries(model, days, rng, day, null);
    means.push(day.reduce((a, b) => a + b, 0) / (season > 0 ? season : days));
  }
  means.sort((a, b) => a - b);
  return means[Math.ceil(0.9 * means.length) - 1]! * index;
}

/**
 * A held trigger's demand for `days` ahead: its pace when that says more than its bounds read on
 * a day its limit held in full (weekday index `index`, `heldIndex`), or null, when the forecast
 * fitted on the bounds stands (a pace from runs spread over a whole day reads about the limit
 * itself, below what the bounds already say). The one decision: the forecast draws the days around
 * the pace exactly when recommend gives the pace as its expected volume.
 */
export function paceAsDemand(model: SeriesModel, pace: HeldPace | undefined, days: number, index = 1): HeldPace | null {
  return pace !== undefined && pace.perDay > boundsReading(model, days, index) ? pace : null;
}

/**
 * A held trigger's fitted model, drawn around its held demand: `pace.perDay` runs on a day its limit
 * held in full (the weekdays so held keep their pattern among themselves), a day it never held as
 * the fit on the bounds reads it, and a weekday held on some days in between, by its share
 * (`heldShare`; the weekly pattern read again from these); the
 * level's error is the pace's own (`spread`), drawn on both sides: an estimate, no longer a bound
 * the paths stay above. A webhook held every weekday and quiet at weekends reads its pace on its
 * weekdays: applied to the level, the pace put its weekdays at 1.3 times it (84 runs for a pace of
 * 63) and lifted its weekends with them (12 runs for 8). Fitted on days the limit held, the model
 * saw only the limit; its trend and its alternatives read bounds, so they go, and its errors are
 * centred on the level (a censored fit's errors carry the offset of its imputed days above the
 * bound, which would lift the days above the pace again). With every weekday held alike (or no
 * weekly pattern), the level is the pace and the pattern is kept.
 */
export function withHeldDemand(model: SeriesModel, pace: HeldPace, share: readonly number[] = new Array<number>(7).fill(1)): SeriesModel {
  // per weekday, the fit's expected runs, raised by the weekday's held share so that a day held in
  // full (its share's mean) reads the pace: e·(1 + (k − 1)·h)
  const fitted = model.seasonal.map((s) => Math.max(0, model.level) * s);
  const h = model.seasonal.map((_, w) => share[w] ?? 1);
  const held = h.reduce((a, b) => a + b, 0);
  const reach = fitted.reduce((a, e, w) => a + h[w]! * h[w]! * e, 0);
  const k = reach > 0 ? 1 + (pace.perDay * held - fitted.reduce((a, e, w) => a + h[w]! * e, 0)) / reach : NaN;
  const expected = fitted.map((e, w) => e * (1 + (k - 1) * h[w]!));
  const mean = expected.reduce((a, b) => a + b, 0) / 7;
  const usable = Number.isFinite(k) && mean > 0 && expected.every((e) => e >= 0);
  const level = usable ? mean : pace.perDay;
  const seasonal = usable ? expected.map((e) => e / mean) : model.seasonal;
  const meanError = model.innovations.length ? model.innovations.reduce((a, b) => a + b, 0) / model.innovations.length : 0;
  const { mixture: _alternatives, ...rest } = model;
  return {
    ...rest,
    kind: 'level',
    seasonal,
    level,
    a: level,
    b: 0,
    slope: 0,
    aSd: level * pace.spread,
    bSd: 0,
    corr: 0,
    damping: 1,
    alpha: model.kind === 'level' ? model.alpha : 0,
    lastError: 0,
    innovations: model.innovations.map((e) => e - meanError),
    heldEveryDay: false,
    heldDemand: pace.perDay,
  };
}
