import { DAY } from '../engine/units.ts';
import type { Rng } from './rng.ts';
import { gamma, makeRng, normal, poisson } from './rng.ts';
import { detectShift, LATE_AFTER } from './shift.ts';
import { leastSquares } from './least-squares.ts';
import type { ThinHistory } from './thin-key.ts';

/**
 * The forecast model, per daily series: weekly seasonal indices (multiplicative, mean 1) times a
 * deseasonalised level, simulated path by path with the uncertainty a 30-day sum really has:
 * - the level and the trend are drawn once per path from their estimation error (a path that
 *   starts high stays high), and the errors are AR(1) (a bad week is followed by a bad day);
 * - runaway days (incidents) are left out of ordinary demand and re-injected at their observed
 *   rate as a separate, rare process;
 * - days a limit held the history down (censored) are lower bounds: imputed from the model
 *   (Tobit-style, E[y | y > bound]) and the level band widened by their share;
 * - only the days after the last sustained level shift are fitted.
 * Three candidates per series (local level, linear trend, exponential growth) are fitted and
 * the one with the best probabilistic score on the last days (a held-out backtest) is kept.
 */
export type ModelKind = 'level' | 'trend' | 'growth' | 'flat';

export interface SeriesModel {
  /** epoch ms of 00:00 UTC of the series' first day */
  start: number;
  /** days in the series */
  n: number;
  kind: ModelKind;
  /** first day (index) fitted: after the last sustained level shift (0 = none found) */
  fitFrom: number;
  /** epoch ms of the detected level shift, or null */
  shiftAt: number | null;
  /** index by UTC weekday (0 = Sunday), mean 1 */
  seasonal: number[];
  /** deseasonalised level on the last history day, in the series' unit per day */
  level: number;
  /** trend per day at the end of the history, in the series' unit per day (0 for level models) */
  slope: number;
  /** internal parameters: trend: level, slope; growth: log level, log growth per day */
  a: number;
  b: number;
  damping: number;
  /** estimation error (sd) of a and b, and their correlation */
  aSd: number;
  bSd: number;
  corr: number;
  /** local level: smoothing of the level by each day's relative error */
  alpha: number;
  /** AR(1) coefficient of the relative errors, and the last error */
  ar: number;
  lastError: number;
  /** relative innovations, bootstrapped */
  innovations: number[];
  /** runaway incidents: share of days, over how many days it was seen, and their excess over ordinary demand (unit per day) */
  runaway: { rate: number; days: number; excess: number[] };
  /** days a limit held down, treated as lower bounds */
  censoredDays: number;
  /**
   * A censored fit resting on fewer than SHORT_DAYS days the limit did not hold down: its level
   * and trend are mostly inferred from bounds, so the band is widened (see fitKind)
   */
  fewObserved: boolean;
  /**
   * Every day fitted was held at its limit: the history holds no figure above the bound, only
   * that demand reached it every day. Each path draws its level one-sided, at or above the
   * bounds' level, with a spread borrowed (HELD_LEVEL_SD), not measured (see fitKind).
   */
  heldEveryDay: boolean;
  /**
   * A trigger its limit held, drawn around the demand the pace of its runs while admitted gives
   * (runs a day; held-demand.ts withHeldDemand), not around the bounds; absent otherwise
   */
  heldDemand?: number;
  /**
   * A key too thin to forecast (spend on under 7 days), drawn at its busiest 30 days' spend per 30
   * days, no trend (thin-key.ts withThinHistory); absent otherwise
   */
  thinHistory?: ThinHistory;
  /** the busiest ordinary day of the history, bounds included (series' unit; 0 = no history) */
  maxDay: number;
  /** days the weekday indices were estimated from (0: under two weeks, no weekday pattern) */
  seasonalDays: number;
  /**
   * A series of whole events (trigger runs, messages): a path's day is a Poisson count around
   * the modelled value, and the innovations carry only the spread beyond Poisson's. A censored
   * series keeps the split: its days at the ceiling are imputed (Tobit) with that spread plus
   * Poisson's, and its innovations keep the fit's mean offset (see fitOn).
   */
  counts: boolean;
  /** relative errors of the fitted days (kept for reports and checks) */
  residuals: number[];
  /** mean of the last 7 days, a sanity anchor shown in reports */
  recentMean: number;
  /** held-out score of each candidate fitted (lower is better), for the report */
  scores: Partial<Record<ModelKind, number>>;
  /** the other candidates and the share of paths each draws (the rest follow this model) */
  mixture?: { model: SeriesModel; share: number }[];
  /**
   * The first forecast day is the one the export was cut part-way through: its known part is
   * kept and only the rest of the day (a share of a whole day's draw) is forecast.
   */
  firstDay?: FirstDay;
}

export interface FirstDay {
  /** what the export holds of the day, in the series' unit */
  known: number;
  /** share of the day still to come, 0..1 */
  rest: number;
}

export interface FitOptions {
  /** per day: a limit held the day's value down (it is a lower bound) */
  censored?: readonly boolean[];
  /** skip the held-out model choice (used inside the backtest itself) */
  kind?: ModelKind;
  /** whole events per day (trigger runs, messages): see SeriesModel.counts */
  counts?: boolean;
}

export function weekdayOf(ms: number): number {
  // 1970-01-01 was a Thursday (weekday 4)
  return (Math.floor(ms / DAY) + 4) % 7;
}

/**
 * Ceiling for one day's ordinary value: 3 × the 90th percentile of the days with any activity. A
 * runaway day (a script looping for hours) is an incident, not a pattern. Needs 7 active days to
 * judge; returns Infinity otherwise.
 */
export function outlierCeiling(values: readonly number[]): number {
  const active = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (active.length < 7) return Infinity;
  const p90 = active[Math.min(active.length - 1, Math.ceil(active.length * 0.9) - 1)];
  return 3 * p90;
}

/** The values with every day above `outlierCeiling` clipped to it. */
export function winsorise(values: readonly number[]): number[] {
  const c = outlierCeiling(values);
  return Number.isFinite(c) ? values.map((v) => Math.min(v, c)) : values.slice();
}

/** A series under two weeks long has no weekday pattern or trend one can trust. */
export const SHORT_DAYS = 14;
/** days of history fitted at most (older days describe a workspace that has moved on) */
const MAX_FIT_DAYS = 120;
// a trend is carried on undamped (phi = 1); `damping` stays a field so that the arithmetic that
// reads a model (`dampedSum`) says what it assumes
const DAMPING = 1;
/**
 * Days a linear trend is fitted on. A straight line across compounding growth bends below the
 * recent days and under-forecasts the horizon's end: on 56 days the growth keys' last-10-day sums
 * fell below P50 in only 37.5 % of 200 generated series (39 % on 200 others), on 42 days 45 % and
 * 50 %, with stable, step and AR(1) series unchanged. Shorter still, the slope's noise outgrows
 * the bend (35 days: 30-day total coverage of growth keys 91.5 %).
 */
const TREND_DAYS = 42;
/**
 * Censored and count series keep the longer window. Near its ceiling a censored series' recent
 * days are bounds, and on 42 days the line rested mostly on its own Tobit imputations, which
 * raise the slope that raises them (the triggers held at 42 a day: 30-day totals below P50 went
 * from 53.5 % to 60.4 %). A count's delay odds hang on its busiest day, where the slope's extra
 * noise on 42 days showed most: the generated webhooks' 30–70 % bucket stated 49.7 % against the
 * process's own 41.6 % (56 days: within 2 points).
 */
const LONG_TREND_DAYS = 56;
const ALPHAS = [0.05, 0.1, 0.2, 0.35, 0.5];
/**
 * A candidate whose held-out score is 25 % worse keeps e^-1 of the best one's weight. The
 * held-out days are few and noisy, and they are the same days the chosen model is then refitted
 * on: a sharp choice picks the level model exactly when a growing series' last weeks happened to
 * run low, so the forecast inherits that low luck (at 5 %, growth keys' 30-day totals fell below
 * the median in only 36.5 % of 1,400 generated series; at 25 %, 42.5 %, with stable and step
 * unchanged and the capped-out chances better calibrated).
 */
const MIX_SCALE = 0.25;
/**
 * Tobit imputation rounds. Iterating (expectation-maximisation) lifted a series held at its
 * ceiling on most days (demand 50 held at 42: 42.7 → 43.6), but with the imputed days' errors in
 * the pooled spread it can run away (the spread grows the imputations, which grow the spread), so
 * each imputed day is capped at TOBIT_MAX_RATIO times its bound.
 */
const TOBIT_ITERATIONS = 4;
/**
 * What bounds the iteration: an imputed day is at most this many times its bound, so the spread
 * cannot grow the imputations without end (a day held at 42 reads as at most 84).
 */
const TOBIT_MAX_RATIO = 2;
/** most a censored fit's level and trend errors are widened by (see fitKind) */
const MAX_CENSORED_WIDEN = Math.sqrt(5);
/** least relative error of a short history's level (under 28 known days) */
const SHORT_LEVEL_SD = 0.15;
/**
 * The level's relative spread above the bound of a series held at its limit on every day fitted.
 * Such a history measures no spread at all (its days are the limit's, not demand's), so it is
 * borrowed: the widest a censored fit's level gets elsewhere (a short history's floor, widened
 * the most a censored fit may be, ±34 %). Drawn above the bound only: a path's level sits at or
 * above the bounds' level, with median +23 %, P90 +55 %.
 */
export const HELD_LEVEL_SD = SHORT_LEVEL_SD * MAX_CENSORED_WIDEN;
/**
 * Most one path's ordinary day may reach: this many times the larger of the history's busiest
 * ordinary day and the model's own expected value that day. A draw past it is no forecast but a
 * degenerate estimate compounding (the key held at its cap: a P90 of $70 million for 30 days).
 * Growth the fit itself expects passes; runaway incidents are a separate process, not bounded here.
 */
export const MAX_DAY_MULTIPLE = 10;

export function fitSeries(rawValues: readonly number[], start: number, options: FitOptions = {}): SeriesModel {
  const censored = options.censored ?? [];
  const ceiling = outlierCeiling(rawValues);
  const runawayDay = rawValues.map((v) => v > ceiling);
  const model = fitWithSeason(rawValues, start, options, runawayDay, seasonalIndices(rawValues, start, runawayDay, censored));
  // A held weekday's index is a lower bound, and the Tobit fit lifts the one level above the
  // bounds: the weekdays the limit let through were lifted with it (a webhook held every weekday
  // had its Sundays of 8 runs forecast at 11). Read again with the held days at their imputed
  // demand, each weekday's index is what its days show around the fit, and the series is fitted
  // once more on those indices.
  const lifted = censored.some(Boolean) ? seasonAfterImputation(model, rawValues, runawayDay, censored) : null;
  return lifted === null ? model : fitWithSeason(rawValues, start, options, runawayDay, lifted);
}

/** `fitSeries` on given weekday indices. */
function fitWithSeason(rawValues: readonly number[], start: number, options: FitOptions, runawayDay: readonly boolean[], seasonal: number[]): SeriesModel {
  const n = rawValues.length;
  const recent = rawValues.slice(-7);
  const recentMean = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  const censored = options.censored ?? [];
  // a runaway day, or a held day with nothing let through (see below); any other held day is a bound
  const unknown = rawValues.map((v, t) => runawayDay[t] || (censored[t] === true && !(v > 0)));
  const wd0 = weekdayOf(start);
  // deseasonalised values; a weekday that is always idle says nothing about the level
  // A censored day with nothing let through (a key refused all day at its cap) is a bound of
  // zero on demand that cannot be negative: it says nothing, so it is an unknown day. Read as an
  // observed zero it was imputed as zero (a bound's imputation is capped at TOBIT_MAX_RATIO × 0),
  // and a key that spent $10 a day, then was refused for 20 days, fitted relative errors of
  // +570 % and −100 %, whose spread ran its 30-day P90 to $14.6 billion.
  const d: (number | null)[] = rawValues.map((v, t) => (unknown[t] || seasonal[(wd0 + t) % 7] < 0.05 ? null : v / seasonal[(wd0 + t) % 7]));
  const cens = rawValues.map((_, t) => censored[t] === true && d[t] !== null);
  const base: SeriesModel = {
    ...flatModel(start, n, 0, seasonal),
    censoredDays: censored.slice(0, n).filter(Boolean).length,
    maxDay: rawValues.reduce((a, v, t) => (runawayDay[t] ? a : Math.max(a, v)), 0),
    // a held day counts: its bound is read into its weekday's index (seasonalIndices)
    seasonalDays: n < SHORT_DAYS ? 0 : unknown.slice(Math.max(0, n - MAX_FIT_DAYS)).filter((x) => !x).length,
    counts: options.counts === true,
    recentMean,
  };
  const total = rawValues.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return base;
  const oldest = Math.max(0, n - MAX_FIT_DAYS);
  let fitFrom = oldest;
  const shift = detectShift(d, cens, fitFrom);
  if (shift !== null) {
    fitFrom = shift;
    base.fitFrom = shift;
    base.shiftAt = start + shift * DAY;
  }
  const seg = d.slice(fitFrom);
  const segCens = cens.slice(fitFrom);
  const candidates: ModelKind[] = options.kind ? [options.kind] : candidateKinds(seg, segCens);
  let model: SeriesModel;
  if (candidates.length === 1) {
    model = fitKind(base, candidates[0], seg, segCens);
    if (shift !== null && model.innovations.length < LATE_AFTER) borrowErrors(model, fitKind({ ...base, fitFrom: oldest }, 'level', d.slice(oldest, shift), cens.slice(oldest, shift)));
  } else {
    // choose by a held-out backtest: the last 7 to 21 days of the fitted segment, and the same
    // span before them when the segment is long enough (two origins halve the luck of one)
    const hold = Math.min(21, Math.max(7, Math.floor(seg.length / 4)));
    const origins = seg.length - 2 * hold >= 28 ? [seg.length - hold, seg.length - 2 * hold] : [seg.length - hold];
    let best: ModelKind = candidates[0];
    let bestScore = Infinity;
    for (const k of candidates) {
      let s = 0;
      for (const o of origins) {
        const trial = fitKind(base, k, seg.slice(0, o), segCens.slice(0, o));
        s += heldOutScore(trial, fitFrom + o, rawValues.slice(fitFrom + o, fitFrom + o + hold), segCens.slice(o, o + hold), hold) / origins.length;
      }
      base.scores[k] = s;
      // candidates run simplest first: a more complex one must win by 5 %, or a few noisy held-out days pick it
      if (s < bestScore * 0.95 - 1e-12) {
        bestScore = s;
        best = k;
      }
    }
    model = fitKind(base, best, seg, segCens);
    // the held-out days rarely single out one model: the others keep paths in proportion to
    // how close their score came (a choice that follows a few noisy days biases the forecast)
    const others: { model: SeriesModel; weight: number }[] = [];
    let total = 1;
    for (const k of candidates) {
      const sk = base.scores[k];
      if (k === best || sk === undefined) continue;
      const w = Math.exp(-(sk - bestScore) / (MIX_SCALE * bestScore + 1e-12));
      if (w < 0.05) continue;
      others.push({ model: fitKind(base, k, seg, segCens), weight: w });
      total += w;
    }
    if (others.length) model.mixture = others.map((o) => ({ model: o.model, share: o.weight / total }));
  }
  // runaway incidents: their excess over what the model expects that day
  const excess: number[] = [];
  for (let t = 0; t < n; t++) if (runawayDay[t]) excess.push(Math.max(0, rawValues[t] - Math.max(0, inSample(model, t))));
  model.runaway = { rate: excess.length / n, days: n, excess };
  // the alternatives were fitted on the same days: they share the runaway process
  for (const alt of model.mixture ?? []) alt.model.runaway = model.runaway;
  return model;
}

/**
 * A level shift found in the last days leaves a handful of days after it: too few to show the
 * day-to-day spread (4 errors, each read against their own mean, resampled). The errors are
 * relative, so the days before the shift show the same series' spread: a doubling 4 days before
 * the end put 74 % of later days inside P10–P90 on its own 4 days' errors.
 */
function borrowErrors(m: SeriesModel, before: SeriesModel): void {
  if (before.innovations.length <= m.innovations.length) return;
  m.innovations = before.innovations;
  if (before.counts !== m.counts) m.counts = before.counts;
}

function candidateKinds(seg: readonly (number | null)[], cens: readonly boolean[]): ModelKind[] {
  const known = seg.filter((x): x is number => x !== null);
  if (known.length < SHORT_DAYS) return known.length ? ['level'] : ['flat'];
  // every day a bound: a trend or growth would be the limit's, and the held-out days, bounds too,
  // score every candidate only by its shortfall below them (near nothing), so noise would choose
  if (seg.every((x, i) => x === null || cens[i])) return ['level'];
  const positive = known.filter((x) => x > 0).length / known.length;
  const kinds: ModelKind[] = ['level', 'trend'];
  if (positive >= 0.9) kinds.push('growth');
  return kinds;
}

/**
 * Multiplicative weekday indices: each day over the mean of the 7 days around it, averaged per
 * weekday, mean 1. Under two weeks they are all 1.
 *
 * A censored day (a limit held it) is a lower bound, not a missing day: it counts in the 7 days'
 * mean at its held value, and its own ratio says its weekday is at least that busy. A weekday's
 * index is the mean of its days' ratios, bounds at their value, or of its days the limit let
 * through alone when that is higher (a day held by the window's carry-over, a Saturday at 5 after
 * a held Friday, is a weak bound beside the Saturdays at 8). Left out instead, a webhook held at
 * its limit every weekday kept no week with 5 days to average over, and its pattern fell back to
 * flat: its quiet weekends were forecast at the weekdays' level and the weekdays' demand spread
 * over 7 days.
 */
function seasonalIndices(values: readonly number[], start: number, runaway: readonly boolean[], censored: readonly boolean[]): number[] {
  const n = values.length;
  const out = new Array<number>(7).fill(1);
  if (n < SHORT_DAYS) return out;
  const from = Math.max(0, n - MAX_FIT_DAYS);
  const wd0 = weekdayOf(start);
  // a bound of nothing (a key refused all day at its cap) says nothing, as in fitSeries
  const unknown = values.map((v, t) => runaway[t] === true || (censored[t] === true && !(v > 0)));
  // per weekday: the ratios of the days the limit let through, and of all days, bounds included
  const seen = new Array<number>(7).fill(0);
  const seenN = new Array<number>(7).fill(0);
  const all = new Array<number>(7).fill(0);
  const allN = new Array<number>(7).fill(0);
  for (let t = from; t < n; t++) {
    if (unknown[t]) continue;
    const lo = Math.max(from, Math.min(t - 3, n - 7));
    let acc = 0;
    let k = 0;
    for (let u = lo; u < lo + 7 && u < n; u++) {
      if (unknown[u]) continue;
      acc += values[u];
      k++;
    }
    if (k < 5 || acc <= 0) continue;
    const w = (wd0 + t) % 7;
    const r = values[t] / (acc / k);
    all[w] += r;
    allN[w] += 1;
    if (censored[t] !== true) {
      seen[w] += r;
      seenN[w] += 1;
    }
  }
  const raw = all.map((s, w) => (allN[w] ? Math.max(s / allN[w], seenN[w] ? seen[w] / seenN[w] : 0) : 1));
  const m = raw.reduce((a, b) => a + b, 0) / 7;
  for (let w = 0; w < 7; w++) out[w] = m > 0 && Number.isFinite(raw[w] / m) ? raw[w] / m : 1;
  return out;
}

/**
 * A censored fit's weekday indices read again around it: per weekday, its days (a held day at its
 * Tobit imputation, E[y | y > bound], as the fit took it, weighed by the information its bound
 * carries) over the fit's expected values, times the index, mean 1. Null when no weekday is off by
 * more than 5 % (the fit already reads its days so), under two weeks, or when every day was held
 * (no day to read a weekday against).
 */
function seasonAfterImputation(m: SeriesModel, values: readonly number[], runaway: readonly boolean[], censored: readonly boolean[]): number[] | null {
  if (m.n < SHORT_DAYS || m.heldEveryDay || m.kind === 'flat') return null;
  const wd0 = weekdayOf(m.start);
  const seen = new Array<number>(7).fill(0);
  const fit = new Array<number>(7).fill(0);
  for (let t = m.fitFrom; t < m.n; t++) {
    const v = values[t]!;
    const w = (wd0 + t) % 7;
    const s = m.seasonal[w]!;
    if (runaway[t] || s < 0.05 || (censored[t] === true && !(v > 0))) continue;
    const expected = inSample(m, t);
    if (!(expected > 0)) continue;
    let actual = v;
    let weight = 1;
    if (censored[t] === true) {
      const mu = expected / s;
      const bound = v / s;
      const sd = daySd(m, mu, s);
      actual = s * Math.max(bound, Math.min(TOBIT_MAX_RATIO * bound, tobitMean(mu, sd, bound)));
      // a bound far below the fit's value says nothing of it (its imputation is the fit itself):
      // a Saturday held only by the runs its Friday left in the window weighs next to nothing
      // beside the Saturdays the limit let through
      weight = censoredInformation((bound - mu) / sd);
    }
    seen[w] += weight * actual;
    fit[w] += weight * expected;
  }
  const ratio = seen.map((x, w) => (fit[w] > 1e-9 ? x / fit[w] : 1));
  const mean = ratio.reduce((a, b) => a + b, 0) / 7;
  if (!(mean > 0) || ratio.every((r) => Math.abs(r / mean - 1) <= 0.05)) return null;
  const raw = m.seasonal.map((s, w) => s * ratio[w]!);
  const norm = raw.reduce((a, b) => a + b, 0) / 7;
  return norm > 0 ? raw.map((x) => x / norm) : null;
}

interface Line {
  a: number;
  b: number;
  aSd: number;
  bSd: number;
  corr: number;
  sigma: number;
}

/**
 * Least squares of y on x (x = day − last day), each point weighted by `ws` (mean 1 over the
 * points), with the estimates' errors; null under 3 points. A spend series' trend and growth
 * lines weigh each day by its weekday index, as the local level does (`levelWeights`):
 * unweighted, a quiet day's deseasonalised value (its spend over an index of 0.1–0.2) pulled the
 * line's end as far as a weekday, and the demo's CI checks (seed 24, no trend) ended a line at
 * $8.84 a day above its recent averages of $7.58 (7 days), $7.88 (14) and $8.06 (28).
 */
function fitLine(xs: readonly number[], ys: readonly number[], ws: readonly number[]): Line | null {
  const N = xs.length;
  if (N < 3) return null;
  const { mx, my, sxx, slope: b, sse } = leastSquares(xs, ys, ws);
  if (!(sxx > 0)) return null;
  const a = my - b * mx;
  const s2 = sse / Math.max(1, N - 2);
  const va = s2 * (1 / N + (mx * mx) / sxx);
  const vb = s2 / sxx;
  const cov = (-mx * s2) / sxx;
  return { a, b, aSd: Math.sqrt(va), bSd: Math.sqrt(vb), corr: va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0, sigma: Math.sqrt(s2) };
}

/**
 * The AR(1) coefficient that gives the errors' k-day means the variance they really have (k = 14,
 * or a quarter of the days). A slow wander hidden under day-to-day noise has a small lag-1
 * correlation but makes a month's total swing far more than independent days would: matching the
 * variance of multi-day means keeps that swing in the 30-day sums. Kept in 0..0.95.
 */
export function effectiveAr(errors: readonly (number | null)[]): number {
  const known = errors.filter((e): e is number => e !== null);
  const N = known.length;
  const k = Math.min(14, Math.floor(N / 4));
  if (k < 3) return 0;
  let mean = 0;
  for (const e of known) mean += e;
  mean /= N;
  let v = 0;
  for (const e of known) v += (e - mean) ** 2;
  v /= N;
  if (!(v > 0)) return 0;
  let acc = 0;
  let vm = 0;
  let windows = 0;
  for (let i = 0; i < N; i++) {
    acc += known[i];
    if (i >= k) acc -= known[i - k];
    if (i >= k - 1) {
      vm += (acc / k - mean) ** 2;
      windows++;
    }
  }
  // overlapping windows share days: scale back the bias of their variance (about k / N)
  vm = vm / windows / Math.max(0.2, 1 - k / N);
  const vr = vm / (v / k);
  if (!(vr > 1)) return 0;
  let lo = 0;
  let hi = 0.95;
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    if (varianceRatio(mid, k) < vr) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Var(mean of k days) / (var / k) for an AR(1) with coefficient r. */
function varianceRatio(r: number, k: number): number {
  if (r === 0) return 1;
  return (1 + r) / (1 - r) - (2 * r * (1 - Math.pow(r, k))) / (k * (1 - r) ** 2);
}

/**
 * Fits one kind on a deseasonalised segment (null = unknown day); censored days are first left
 * out, then imputed as E[y | y > bound] under the first fit, and the whole fitted again.
 */
function fitKind(base: SeriesModel, kind: ModelKind, seg: readonly (number | null)[], cens: readonly boolean[]): SeriesModel {
  const m: SeriesModel = { ...base, kind, scores: base.scores, runaway: base.runaway };
  const values = seg.map((v, i) => (cens[i] ? null : v));
  const nCens = cens.filter(Boolean).length;
  fitOn(m, kind, values, seg.length);
  if (nCens > 0) {
    // A count its limit held keeps its Poisson days. The days the limit let through may read as
    // steadier than Poisson (a webhook's weekends at 8 runs every one), but they say nothing of
    // the held days' spread: taken for the whole series, the held weekdays were imputed at their
    // bound exactly and drawn as a point there. (With no such day at all the bounds are the
    // level, drawn one-sided above it: see heldEveryDay below.)
    const keepCounts = base.counts && values.some((v) => v !== null);
    if (keepCounts) m.counts = true;
    // Tobit: each censored day is imputed as E[y | y > bound] under the current fit, and the fit
    // redone (TOBIT_ITERATIONS rounds). The imputed days' errors stay in the
    // innovations: left out, the errors came from the quiet days alone, and the delay odds of
    // the generated triggers held at 42 a day fell from 98 % to 90 % (the process gives 99.9 %).
    const wd0 = weekdayOf(m.start) + m.fitFrom;
    let previous = -1;
    for (let iter = 0; iter < TOBIT_ITERATIONS; iter++) {
      const imputed = seg.map((v, i) => {
        if (!cens[i] || v === null) return v;
        const mu = Math.max(0, segPoint(m, i, seg.length));
        // a count's Poisson variance (raw mean mu·s) is mu / s once deseasonalised
        return Math.max(v, Math.min(TOBIT_MAX_RATIO * v, tobitMean(mu, daySd(m, mu, m.seasonal[(wd0 + i) % 7]), v)));
      });
      fitOn(m, kind, imputed, seg.length, true);
      if (keepCounts) m.counts = true;
      if (Math.abs(m.level - previous) <= 0.002 * Math.max(m.level, 1e-9)) break;
      previous = m.level;
    }
    // The bound says the day was at least this much, not how much, yet the refit counted each
    // imputed day as a full observation: widen the level by the information the recent days
    // really hold. A day censored at z sd above its expected value carries λ(z)(λ(z) − z) of an
    // observed day's information (λ the inverse Mills ratio): 0.64 when the bound is the day's
    // expected value, nearly none when far below it (the day was surely above), nearly all when
    // far above it (the day was just above the bound).
    // (Widening by 1 + 4 × the censored share instead put 94 % of the held-at-42 triggers'
    // 30-day totals inside P10–P90.)
    const recent = Math.min(14, seg.length);
    let information = 0;
    for (let i = seg.length - recent; i < seg.length; i++) {
      if (seg[i] === null) continue;
      if (!cens[i]) {
        information++;
        continue;
      }
      const mu = Math.max(0, segPoint(m, i, seg.length));
      const sd = daySd(m, mu, m.seasonal[(wd0 + i) % 7]);
      information += censoredInformation(((seg[i] as number) - mu) / sd);
    }
    const known = seg.slice(-recent).filter((v) => v !== null).length;
    // at most √5, the widening of a fit whose every recent day is a bound under the old rule: a
    // model with no spread puts any bound infinitely many sd from its expected value
    const widen = Math.min(MAX_CENSORED_WIDEN, Math.sqrt(known / Math.max(information, 1e-9)));
    m.aSd *= widen;
    m.bSd *= widen;
    // Under two weeks of days the limit let through, the errors and the line come mostly from
    // bounds and imputations: a spread of zero (a key that spent exactly $10 a day until its cap)
    // would make the band a point, and a wild one would be widened without end. The level gets
    // at least the short history's floor, widened the most a censored fit may be. Not a count's:
    // its days keep Poisson's spread, and the floor moved the held-at-42 triggers' median below
    // 42 a day (the Tobit widening above already sizes their band).
    const observed = seg.filter((v, i) => v !== null && !cens[i]).length;
    if (observed < SHORT_DAYS) m.fewObserved = true;
    if (observed === 0) {
      // Every day was held: the bounds say demand reached the limit each day and nothing about
      // how far beyond. The Tobit fit has no spread to impute with (the days' steadiness is the
      // limit's), so the widening above multiplied ~0 and the band was a point at the limit
      // (messages held at 500 a day: 15,000 / 15,000 / 15,000 for 30 days). The level's error is
      // borrowed and drawn above the bounds' level only (simulateInto): the median is not below
      // the limit (a count held on every day could not have a mean at it, or half its days would
      // have fallen short) and the band reaches above it. A count keeps its Poisson days: the
      // fit found the bounds steadier than Poisson because the limit made them so.
      m.heldEveryDay = true;
      m.counts = base.counts;
      m.aSd = Math.max(m.aSd, kind === 'growth' ? HELD_LEVEL_SD : HELD_LEVEL_SD * m.level);
    } else if (observed < SHORT_DAYS && !base.counts) {
      const floor = SHORT_LEVEL_SD * MAX_CENSORED_WIDEN;
      if (kind === 'growth') m.aSd = Math.max(m.aSd, floor);
      else m.aSd = Math.max(m.aSd, floor * m.level);
    }
  }
  // A weekday index estimated from k days of its weekday absorbs part of their noise: the errors
  // left behind understate a new day's, whose index is off by the estimate's own error, by
  // (k − 1) / (k + 1) in variance. Most of it on a new key: 20 days of history put 70.7 % of
  // realized days inside P10–P90 (14 days: 63 %, 28–42 days: 70–72 %, 90 days: 78 %); with the
  // errors scaled back 78–80 % at every length, the 30-day totals within 0.77–0.88.
  const perWeekday = m.seasonalDays / 7;
  if (perWeekday > 1) {
    const f = Math.sqrt((perWeekday + 1) / (perWeekday - 1));
    m.innovations = m.innovations.map((x) => x * f);
  }
  // a short history borrows a wide band: its level rests on a handful of days
  const known = seg.filter((v) => v !== null).length;
  if (known < 28) {
    const widen = Math.sqrt(28 / Math.max(known, 1));
    m.aSd *= widen;
    m.bSd *= widen;
    if (kind === 'level' || kind === 'flat') m.aSd = Math.max(m.aSd, SHORT_LEVEL_SD * m.level);
  }
  return m;
}

/**
 * Spread of one deseasonalised day around its expected value `mu` (weekday index `s`): the
 * model's errors, plus a count's Poisson variance (raw mean mu·s) of mu / s.
 */
function daySd(m: SeriesModel, mu: number, s: number): number {
  return Math.max(1e-9, Math.sqrt((mu * errorSd(m)) ** 2 + (m.counts ? mu / Math.max(s, 0.05) : 0)));
}

/**
 * Share of an observed day's information about the level that a day known only to exceed its
 * expected value by z sd carries: λ(z)(λ(z) − z), λ the inverse Mills ratio φ(z) / (1 − Φ(z)).
 */
export function censoredInformation(z: number): number {
  // far above: λ(z) ≈ z + 1/z − 2/z³, where 1 − Φ(z) is too small for the erf approximation
  if (z > 4) return 1 - 1 / (z * z);
  const tail = 1 - normalCdf(z);
  const lambda = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / tail;
  return Math.min(1, Math.max(0, lambda * (lambda - z)));
}

function errorSd(m: SeriesModel): number {
  const u = m.innovations;
  if (u.length < 2) return 0.3;
  let s = 0;
  for (const x of u) s += x * x;
  return Math.sqrt(s / u.length / Math.max(1e-6, 1 - m.ar * m.ar));
}

/** E[Y | Y > c] for Y ~ N(mu, sd²). */
function tobitMean(mu: number, sd: number, c: number): number {
  const z = (c - mu) / sd;
  const tail = 1 - normalCdf(z);
  if (tail < 1e-9) return c + sd / Math.max(z, 1e-9);
  return mu + (sd * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI) / tail;
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

function fitOn(m: SeriesModel, kind: ModelKind, seg: readonly (number | null)[], len: number, censoredFit = false): void {
  const xs: number[] = [];
  const ys: number[] = [];
  seg.forEach((v, i) => {
    if (v !== null) {
      xs.push(i - (len - 1));
      ys.push(v);
    }
  });
  // a refit names its own kind: a first pass with every day a bound came out 'flat'
  m.kind = kind;
  m.damping = 1;
  m.alpha = 0;
  m.slope = 0;
  m.b = 0;
  m.bSd = 0;
  m.corr = 0;
  const mean = ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
  if (kind === 'flat' || ys.length === 0) {
    m.kind = 'flat';
    m.level = m.a = mean;
    m.aSd = 0.3 * mean;
    m.innovations = [];
    m.residuals = [];
    return;
  }
  let fitted: (i: number) => number;
  // first segment index the fit used (a trend's line sees only its last days)
  let fitStart = 0;
  if (kind === 'trend' || kind === 'growth') {
    // a straight line is a local description: across months of compounding growth it bends
    // below the recent days, so it is fitted on the last TREND_DAYS only
    const window = m.censoredDays > 0 || m.counts ? LONG_TREND_DAYS : TREND_DAYS;
    if (kind === 'trend' && xs.length > window) {
      const cut = xs.findIndex((x) => x > -window);
      xs.splice(0, cut);
      ys.splice(0, cut);
      fitStart = xs[0] + (len - 1);
    }
    const growth = kind === 'growth';
    // A count's line stays unweighted: its quiet days' spread is Poisson's, drawn per day, and the
    // censored counts' bands are sized on unweighted lines (weighted, 89 % of the triggers held
    // at 42 a day had their 30-day totals inside P10–P90, against the 80 % meant; unweighted 85 %)
    const lw = m.counts ? null : levelWeights(m, len);
    const ws = xs.map((x) => (lw ? lw[x + len - 1] : 1));
    const line = growth
      ? fitLine(
          xs.filter((_, i) => ys[i] > 0),
          ys.filter((y) => y > 0).map((y) => Math.log(y)),
          ws.filter((_, i) => ys[i] > 0),
        )
      : fitLine(xs, ys, ws);
    if (!line) return fitOn(m, 'level', seg, len, censoredFit);
    m.a = line.a;
    m.b = line.b;
    m.aSd = line.aSd;
    m.bSd = line.bSd;
    m.corr = line.corr;
    m.damping = growth ? 1 : DAMPING;
    fitted = growth ? (i: number) => Math.exp(line.a + line.b * (i - (len - 1))) : (i: number) => line.a + line.b * (i - (len - 1));
    m.level = Math.max(0, fitted(len - 1));
    m.slope = growth ? m.level * line.b : line.b;
  } else {
    // local level (simple exponential smoothing, multiplicative errors): alpha by one-step error.
    // Each day moves the level by its error in the series' own units, i.e. by its deseasonalised
    // error weighted by its weekday index (`levelWeights`), and the level starts where these
    // errors put it (`startLevel`). Weighted alike, a near-idle weekend's few cents over its
    // index of 0.1 read as a weekday's worth of spend: the demo's Developer sandbox (seed 29, no
    // trend) was forecast at $0.82 a day against recent averages of $0.79 (7 days), $0.65 (14)
    // and $0.70 (28); now $0.68.
    const w = levelWeights(m, seg.length);
    let bestA = ALPHAS[0];
    let bestSse = Infinity;
    let bestLevel = mean;
    let bestStart = mean;
    for (const alpha of ALPHAS) {
      const start = startLevel(seg, w, alpha);
      let l = start;
      let sse = 0;
      for (let i = 0; i < seg.length; i++) {
        const v = seg[i];
        if (v === null) continue;
        sse += (w[i] * (v - l)) ** 2;
        l += Math.min(1, alpha * w[i]) * (v - l);
      }
      if (sse < bestSse) {
        bestSse = sse;
        bestA = alpha;
        bestLevel = l;
        bestStart = start;
      }
    }
    m.alpha = bestA;
    m.a = m.level = Math.max(0, bestLevel);
    const levels: number[] = [];
    let l = bestStart;
    for (let i = 0; i < seg.length; i++) {
      levels.push(l);
      const v = seg[i];
      if (v !== null) l += Math.min(1, bestA * w[i]) * (v - l);
    }
    fitted = (i: number) => levels[i];
  }
  // relative errors, their AR(1) and the innovations the paths resample
  const errs: (number | null)[] = seg.map((v, i) => {
    if (v === null) return null;
    const f = fitted(i);
    return f > 0 ? v / f - 1 : null;
  });
  // The AR is read from the days the fit used. Before a trend's window the line's errors are its
  // misfit drifting away from the data, which reads as persistence (AR 0.6–0.7 in pure Poisson
  // trigger series, and a trigger's delay odds stated at 60 % where the process gives 1–5 %).
  // Those errors stay in the innovations: a straight line under-forecasts compounding growth,
  // and that misfit is what they carry forward.
  const ar = effectiveAr(errs.map((e, i) => (i < fitStart ? null : e)));
  m.ar = ar;
  // the errors themselves, scaled so the AR(1) keeps their variance: e = ar·e' + √(1−ar²)·u
  const innovations: number[] = [];
  const shrink = Math.sqrt(1 - ar * ar);
  // What a local level's paths carry of its errors' mean: each path's day is multiplied by 1 + a
  // resampled error and its level moved by α times it, so the innovations' mean is a daily offset
  // and a compounding drift. On a growing series that mean is the smoothing's lag, and the drift
  // carries the growth on; but errors from the fitted span's early days are no lag: the climb
  // from a first week that ran low, a step the smoothing has since caught up with. A flat key
  // whose first week ran at 60 % chose α 0.2–0.35 and kept a mean error of +3–5 %, and its
  // paths' median ran 4–40 % above the highest of its 7-, 14- and 28-day averages (20 such keys,
  // test/forecast-flat-level). So the mean carried is the last TREND_DAYS' (a trend's own
  // window), each day weighted by its weekday index as the level's update weighs it. Taken out
  // altogether, the growing keys the level model won were forecast 13 % low at the horizon's
  // end. A count series keeps its mean, shrunk with its spread beyond Poisson's, and a censored
  // one the Tobit fit's offset (below).
  const drift = kind === 'level' && !censoredFit && !m.counts ? earlyErrorShift(m, errs) : 0;
  // the spread beyond Poisson's kept around the errors' mean (see below); 1 = all of it
  let excess = 1;
  let meanError = 0;
  if (m.counts) {
    // a count's own Poisson spread (relative variance 1 / mean) is drawn again on each path's
    // day, sized by that day's mean: pooled into the relative errors it would put a quiet
    // Sunday's spread on a busy Tuesday, where a limit bites. Only the excess is kept here.
    let v = 0;
    let poissonShare = 0;
    let k = 0;
    for (const e of errs) {
      if (e === null) continue;
      meanError += e;
      k++;
    }
    meanError /= Math.max(1, k);
    // the spread beyond Poisson's is read, like the AR, from the days the fit used: before a
    // trend's window the errors are the line's drift away from the data, not day-to-day spread
    // (read from all days, it put the generated webhooks' delay odds 1–2 points higher still)
    // How much is beyond Poisson's is read on the busy days first: each day's squared error less
    // its Poisson share, weighted by its mean squared (the negative binomial's moment estimator).
    // Averaged evenly, quiet days ruled it (a weekend of 7 runs is off by ±40 % where a weekday
    // of 50 is off by ±7 %) and the paths drew it onto the weekdays, where a limit bites: the
    // demo's PR review drew Mondays of 35–72 from a history of 47–60, and the override of 75 the
    // export recommends delayed runs in 60 % of its Monte Carlo paths.
    let days = 0;
    let busyExcess = 0;
    let busyWeight = 0;
    errs.forEach((e, i) => {
      if (e === null || i < fitStart) return;
      const mean = Math.max(1e-9, fitted(i) * m.seasonal[(weekdayOf(m.start) + m.fitFrom + i) % 7]);
      const sq = (e - meanError) ** 2;
      v += sq;
      poissonShare += 1 / mean;
      days++;
      busyExcess += mean * mean * sq - mean;
      busyWeight += mean * mean;
    });
    // far steadier than Poisson (a schedule firing the same number of times every day): no
    // Poisson draw, the series keeps its own, smaller errors. A Poisson series' sample variance
    // falls below half its expected value only by chance of ~3 sd over 60 days or more.
    if (k > 0 && v >= 0.5 * poissonShare) excess = v > 0 && busyWeight > 0 ? Math.sqrt(Math.min(1, (Math.max(0, busyExcess / busyWeight) * days) / v)) : 0;
    else m.counts = false;
  }
  // A censored count series: only the errors' spread is Poisson's. Their mean is the Tobit fit's
  // own offset (it sits above the days the limit let through, which are its low draws), and the
  // resampled errors must carry it forward: shrunk with the spread it was lost, and the trigger
  // held at 42 a day, fitted with its Poisson split, had 30-day totals below P50 in only 34 % of
  // 159 series (45–52 % kept). An uncensored count series' mean error is a local level's lag,
  // which the level's own update (level × (1 + α·e) on each path) already turns into drift; kept
  // in the day as well it counted twice, and the generated webhooks' delay odds ran 4–7 points
  // higher. (An uncensored spend series' local level keeps its recent days' mean: `drift` above.)
  const centre = m.counts && censoredFit ? meanError : 0;
  for (const e of errs) if (e !== null) innovations.push((centre + (e - drift - centre) * (m.counts ? excess : 1)) * shrink);
  m.innovations = innovations.slice(-90);
  m.residuals = errs.filter((e): e is number => e !== null).slice(-56);
  let last: number | null = null;
  for (let i = errs.length - 1; i >= 0 && last === null; i--) last = errs[i];
  m.lastError = last === null ? 0 : last - drift;
  const sdRel = Math.sqrt(innovations.reduce((a, x) => a + x * x, 0) / Math.max(1, innovations.length));
  // correlated errors carry less information than as many independent ones
  const inflate = Math.sqrt((1 + ar) / (1 - ar));
  if (kind === 'level') {
    // the smoothed level's own error under the fitted alpha
    m.aSd = m.level * sdRel * Math.sqrt(m.alpha / (2 - m.alpha)) * inflate;
  } else {
    m.aSd *= inflate;
    m.bSd *= inflate;
  }
}

/**
 * How far a local level's innovations (the last 90 errors, as resampled) are moved so that their
 * mean is that of the last TREND_DAYS known days' errors, weighted by weekday index (see fitOn).
 */
function earlyErrorShift(m: SeriesModel, errs: readonly (number | null)[]): number {
  const known: number[] = [];
  errs.forEach((e, i) => {
    if (e !== null) known.push(i);
  });
  const kept = known.slice(-90);
  if (kept.length === 0) return 0;
  let all = 0;
  for (const i of kept) all += errs[i] as number;
  all /= kept.length;
  const wd0 = weekdayOf(m.start) + m.fitFrom;
  let num = 0;
  let den = 0;
  for (const i of known.slice(-TREND_DAYS)) {
    const w = m.seasonal[(wd0 + i) % 7];
    num += w * (errs[i] as number);
    den += w;
  }
  return den > 0 ? all - num / den : 0;
}

/**
 * The level the smoothing starts from, fitted with it: the value that minimises the same squared
 * one-step errors (each day's level is the start times a known factor plus the smoothed days
 * before it, so the best start has a closed form), as exponential smoothing's initial states are
 * estimated. Started at the first week's mean, a local level spent its first 1 / alpha days (20
 * at 0.05) climbing or sinking from one week's luck, and those days' errors, all of one sign,
 * chose the smoothing and sat in what the paths resample: the default demo's Developer sandbox
 * started from a first week at $0.48 a day against a level of $0.74, and its errors averaged +12 %.
 */
function startLevel(seg: readonly (number | null)[], w: readonly number[], alpha: number): number {
  // the level before day i is c·start + g
  let c = 1;
  let g = 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < seg.length; i++) {
    const v = seg[i];
    if (v === null) continue;
    const r = w[i] * w[i];
    num += r * c * (v - g);
    den += r * c * c;
    const k = Math.min(1, alpha * w[i]);
    c *= 1 - k;
    g += k * (v - g);
  }
  return den > 0 ? Math.max(0, num / den) : 0;
}

/**
 * Each fitted day's weight in the local level: its weekday index, the share of an average day's
 * volume it carries (mean 1 over a week). A deseasonalised day is its value over that index, so
 * its error is the index's inverse times the error in the series' own units: weighting by the
 * index makes each day count by what it adds to a total, not by its size relative to a tiny
 * expectation. Under two weeks every index is 1 and so is every weight.
 */
function levelWeights(m: SeriesModel, len: number): number[] {
  const wd0 = weekdayOf(m.start) + m.fitFrom;
  const out = new Array<number>(len);
  for (let i = 0; i < len; i++) out[i] = m.seasonal[(wd0 + i) % 7];
  return out;
}

/** Deseasonalised expected value at segment index i (fitted days and beyond), no noise. */
function segPoint(m: SeriesModel, i: number, len: number): number {
  const x = i - (len - 1);
  if (m.kind === 'trend') return m.a + m.b * (x <= 0 ? x : dampedSum(m.damping, x));
  if (m.kind === 'growth') return Math.exp(m.a + m.b * x);
  return m.level;
}

function dampedSum(phi: number, h: number): number {
  return phi === 1 ? h : (phi * (1 - Math.pow(phi, h))) / (1 - phi);
}

/** Expected value on series day t (from the model's start), fitted days and forecast alike. */
function inSample(m: SeriesModel, t: number): number {
  const i = t - m.fitFrom;
  const len = m.n - m.fitFrom;
  return Math.max(0, segPoint(m, i, len)) * m.seasonal[(weekdayOf(m.start) + t) % 7];
}

/** Fitted (or forecast) ordinary value at day t counted from the model's start. Never negative. */
export function pointAt(model: SeriesModel, t: number): number {
  return inSample(model, t);
}

/** Point forecast for the UTC day starting at `dayStart` (a cut first day: its known part and the expected rest). */
export function forecastDay(model: SeriesModel, dayStart: number): number {
  const t = Math.round((dayStart - model.start) / DAY);
  const point = pointAt(model, t);
  const first = model.firstDay;
  return first && t === model.n ? first.known + first.rest * point : point;
}

/**
 * What a path's days read of a model that no draw changes: per forecast day, its weekday index
 * and the most the day may reach (`MAX_DAY_MULTIPLE`). Computed once per model (a scenario's
 * 200 paths, a backtest's 50) instead of on every day of every path, where a growth model's
 * bound cost an `exp` per day. The fields it was computed from are kept to check that the model
 * was not refitted since.
 */
interface DayConstants {
  days: number;
  n: number;
  kind: ModelKind;
  a: number;
  b: number;
  damping: number;
  level: number;
  maxDay: number;
  start: number;
  seasonal: readonly number[];
  innovations: readonly number[];
  season: Float64Array;
  /**
   * the innovations as doubles: a model copied from a worker's message holds them as an array
   * of boxed numbers, a pointer chase on every day of every path
   */
  inn: Float64Array;
  /** null when the model has no history to bound by (maxDay 0) */
  bound: Float64Array | null;
}

const dayConstantsCache = new WeakMap<SeriesModel, DayConstants>();

function dayConstants(m: SeriesModel, days: number): DayConstants {
  const c = dayConstantsCache.get(m);
  if (
    c !== undefined &&
    c.days >= days &&
    c.n === m.n &&
    c.kind === m.kind &&
    c.a === m.a &&
    c.b === m.b &&
    c.damping === m.damping &&
    c.level === m.level &&
    c.maxDay === m.maxDay &&
    c.start === m.start &&
    c.seasonal === m.seasonal &&
    c.innovations === m.innovations
  )
    return c;
  const wd0 = weekdayOf(m.start) + m.n;
  const len = m.n - m.fitFrom;
  const season = new Float64Array(days);
  const bound = m.maxDay > 0 ? new Float64Array(days) : null;
  for (let h = 0; h < days; h++) {
    const sh = m.seasonal[(wd0 + h) % 7];
    season[h] = sh;
    if (bound) bound[h] = MAX_DAY_MULTIPLE * Math.max(m.maxDay, sh * Math.max(0, segPoint(m, len + h, len)));
  }
  const out: DayConstants = {
    days,
    n: m.n,
    kind: m.kind,
    a: m.a,
    b: m.b,
    damping: m.damping,
    level: m.level,
    maxDay: m.maxDay,
    start: m.start,
    seasonal: m.seasonal,
    innovations: m.innovations,
    season,
    inn: Float64Array.from(m.innovations),
    bound,
  };
  dayConstantsCache.set(m, out);
  return out;
}

/**
 * One path of the next `days` days (the first = the day after the history), into `ordinary` and
 * `runaway` (either may be null). `scale[h]` multiplies ordinary demand (what-if growth, seats).
 */
export function simulateSeries(model: SeriesModel, days: number, rng: Rng, ordinary: Float64Array, runaway: Float64Array | null, scale: Float64Array | null = null): void {
  simulateInto(model, days, rng, ordinary, 0, runaway, 0, scale);
}

/**
 * `simulateSeries` into `ordinary` from index `ord` and `runaway` from `run`: a path's every
 * series is drawn into one block, with no view made per series and path.
 */
export function simulateInto(
  model: SeriesModel,
  days: number,
  rng: Rng,
  ordinary: Float64Array,
  ord: number,
  runaway: Float64Array | null,
  run: number,
  scale: Float64Array | null,
): void {
  let m = model;
  const first = model.firstDay;
  if (model.mixture) {
    let u = rng();
    for (const alt of model.mixture) {
      if (u < alt.share) {
        // fitted on the same days: same start and length; fitSeries gave it the same runaways
        m = alt.model.n === model.n && alt.model.runaway === model.runaway ? alt.model : { ...alt.model, runaway: model.runaway, n: model.n };
        break;
      }
      u -= alt.share;
    }
  }
  // a series held at its limit on every day: its level at or above the bounds' (see fitKind)
  const z1 = m.heldEveryDay ? Math.abs(normal(rng)) : normal(rng);
  const z2 = normal(rng);
  const corr = m.corr;
  const a = m.a + m.aSd * z1;
  const b = m.b + m.bSd * (corr * z1 + Math.sqrt(Math.max(0, 1 - corr * corr)) * z2);
  // every field the days read, read once: the models come in many shapes (mixtures, cut days,
  // copies from a worker's message), and a property read per day is a slow, polymorphic one
  const { season, bound, inn } = dayConstants(m, days);
  const nInn = inn.length;
  const ar = m.ar;
  const kind = m.kind === 'trend' ? 1 : m.kind === 'growth' ? 2 : 0;
  const alpha = m.alpha;
  const damping = m.damping;
  const counts = m.counts;
  let e = m.lastError;
  // a rare event's rate is itself uncertain (three incidents in 90 days could be one a month or
  // one a week): each path draws its own rate from the Jeffreys posterior, Gamma(k + ½) / days
  const ex = m.runaway.excess;
  const nEx = ex.length;
  const rate = nEx && runaway ? gamma(rng, nEx + 0.5) / m.runaway.days : 0;
  let level = Math.max(0, a);
  let cum = 0;
  let pow = 1;
  let grown = Math.exp(a);
  const step = Math.exp(b);
  for (let h = 0; h < days; h++) {
    let mean: number;
    if (kind === 1) {
      pow *= damping;
      cum += pow;
      mean = a + b * cum;
    } else if (kind === 2) mean = grown *= step;
    else mean = level;
    if (!(mean > 0)) mean = 0;
    e = ar * e + (nInn ? inn[Math.floor(rng() * nInn)] : 0);
    if (e < -1) e = -1;
    // the fit's own update: a day moves the level by its weekday's share of a week (levelWeights)
    if (kind === 0) level = Math.max(0, level * (1 + Math.min(1, alpha * season[h]) * e));
    let value = season[h] * mean * (1 + e);
    if (bound !== null && value > bound[h]) {
      value = bound[h];
      // a local level drifts by its errors: held too, or it compounds past the bound unseen
      if (kind === 0) level = Math.min(level, value);
    }
    if (scale) value *= scale[h];
    if (h === 0 && first) {
      // a day the export was cut part-way through: its known part as is, only the rest drawn
      const rest = first.rest * value;
      ordinary[ord] = first.known * (scale ? scale[0] : 1) + (counts ? poisson(rng, rest) : rest);
      if (runaway) runaway[run] = rate > 0 && rng() < rate ? first.rest * ex[Math.floor(rng() * nEx)] : 0;
      continue;
    }
    ordinary[ord + h] = counts ? poisson(rng, value) : value;
    if (runaway) runaway[run + h] = rate > 0 && rng() < rate ? ex[Math.floor(rng() * nEx)] : 0;
  }
}

/**
 * Continuous ranked probability score of the held-out days and of their total, each scaled by
 * the actual mean, from 50 simulated paths of the model fitted before them. A censored day (a
 * limit held it down) only says demand was at least that much: it scores the paths' shortfall
 * below it, never their excess.
 */
function heldOutScore(m: SeriesModel, firstHeld: number, actual: readonly number[], censored: readonly boolean[], hold: number): number {
  const P = 50;
  const rng = makeRng(0x5eed + hold);
  const fit = { ...m, n: firstHeld };
  const sims = new Float64Array(P * hold);
  const totals = new Float64Array(P);
  const row = new Float64Array(hold);
  const run = new Float64Array(hold);
  for (let p = 0; p < P; p++) {
    simulateSeries(fit, hold, rng, row, run);
    for (let h = 0; h < hold; h++) {
      sims[h * P + p] = row[h] + run[h];
      totals[p] += row[h] + run[h];
    }
  }
  const scaleBy = Math.max(1e-9, actual.reduce((x, y) => x + y, 0) / hold);
  let s = 0;
  for (let h = 0; h < hold; h++) {
    const col = sims.subarray(h * P, (h + 1) * P);
    s += censored[h] ? shortfall(col, actual[h]) : crps(col, actual[h]);
  }
  const total = actual.reduce((x, y) => x + y, 0);
  const anyCensored = censored.some(Boolean);
  return s / hold / scaleBy + (anyCensored ? shortfall(totals, total) : crps(totals, total)) / (hold * scaleBy);
}

/**
 * Sorts in place, ascending: by insertion up to 64 values (the held-out scores sort thousands of
 * 50-value ensembles per fit, where the built-in sort's setup costs more than the sorting), else
 * by the built-in sort. The same order as the built-in sort but for -0 and 0 (equal here, which
 * no sum or difference the callers take can tell apart); with a NaN, the built-in sort.
 */
function sortSmall(a: Float64Array): void {
  const n = a.length;
  if (n > 64) {
    a.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i];
    if (x !== x) {
      a.sort();
      return;
    }
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
  if (n > 0 && a[0] !== a[0]) a.sort();
}

/** Mean shortfall of an ensemble below a lower bound. */
function shortfall(sample: Float64Array, bound: number): number {
  let s = 0;
  for (const x of sample) if (x < bound) s += bound - x;
  return s / sample.length;
}

/** CRPS of an ensemble against one outcome (sorts `sample` in place). */
export function crps(sample: Float64Array, y: number): number {
  sortSmall(sample);
  const n = sample.length;
  let abs = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    abs += Math.abs(sample[i] - y);
    spread += sample[i] * (2 * i - n + 1);
  }
  return abs / n - spread / (n * n);
}

export interface ErrorStats {
  /** mean absolute error, in the series' unit per day */
  mae: number;
  /** mean absolute percentage error over days with a non-zero actual, 0..; null when none */
  mape: number | null;
  /** sum |error| / sum actual: the share of volume mis-forecast; null when the actual is all zero */
  wape: number | null;
}

export function errorStats(actual: readonly number[], predicted: readonly number[], bounds?: readonly boolean[]): ErrorStats {
  let abs = 0;
  let sumA = 0;
  let pct = 0;
  let pctN = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = dayError(actual[i], predicted[i], bounds?.[i] === true);
    abs += e;
    sumA += Math.abs(actual[i]);
    if (actual[i] !== 0) {
      pct += e / Math.abs(actual[i]);
      pctN++;
    }
  }
  return {
    mae: actual.length ? abs / actual.length : 0,
    mape: pctN ? pct / pctN : null,
    wape: sumA > 0 ? abs / sumA : null,
  };
}

/**
 * How far a prediction missed a day. A day a limit held (`bound`) says demand was at least its
 * value, not how much: only a prediction under it is known to be wrong, so a model that forecasts
 * demand above the limit is not scored as missing a day it may have got right.
 */
export function dayError(actual: number, predicted: number, bound: boolean): number {
  return bound ? Math.max(0, actual - predicted) : Math.abs(actual - predicted);
}

export interface SeriesBacktest {
  model: ErrorStats;
  naive: ErrorStats;
  actual: number[];
  forecast: number[];
  baseline: number[];
  /** per held-out day, true when a limit held it: its value is a lower bound on demand */
  bounds: boolean[];
}

export const BACKTEST_DAYS = 14;

/**
 * Holds out the last 14 days, fits on the rest, and compares with the seasonal-naive baseline
 * (each held-out day predicted by the value 7 days before it, repeating the last training week).
 * Needs 14 training days as well; returns null with less.
 */
export function backtestSeries(values: readonly number[], start: number, holdout = BACKTEST_DAYS, censored?: readonly boolean[], kind?: ModelKind): SeriesBacktest | null {
  const train = values.length - holdout;
  if (train < 14) return null;
  const model = fitSeries(values.slice(0, train), start, { ...(censored ? { censored: censored.slice(0, train) } : {}), ...(kind && kind !== 'flat' ? { kind } : {}) });
  const actual = values.slice(train);
  const forecast: number[] = [];
  const baseline: number[] = [];
  for (let h = 0; h < holdout; h++) {
    forecast.push(pointAt(model, train + h));
    baseline.push(values[train - 7 + (h % 7)]);
  }
  const bounds = actual.map((_, h) => censored?.[train + h] === true);
  return { model: errorStats(actual, forecast, bounds), naive: errorStats(actual, baseline, bounds), actual, forecast, baseline, bounds };
}

/** A series known only by its expected daily value (a what-if trigger that does not exist yet). */
export function fixedModel(start: number, n: number, level: number): SeriesModel {
  return flatModel(start, n, level, [1, 1, 1, 1, 1, 1, 1]);
}

/**
 * `model` redrawn as a plain level of `level` a day: no trend, no weekday pattern, no error of its
 * own, its alternatives dropped. For a series whose days a rule other than the fit draws (a batch
 * key's cadence, a thin key's pace): the fields its runaways, censoring and scores hold stay.
 */
export function asPlainLevel(model: SeriesModel, level: number): SeriesModel {
  const { mixture: _alternatives, thinHistory: _thin, ...rest } = model;
  return {
    ...rest,
    kind: 'level',
    level,
    a: level,
    b: 0,
    slope: 0,
    aSd: 0,
    bSd: 0,
    corr: 0,
    damping: 1,
    alpha: 0,
    ar: 0,
    lastError: 0,
    seasonal: [1, 1, 1, 1, 1, 1, 1],
    seasonalDays: 0,
    innovations: [],
    heldEveryDay: false,
  };
}

/** A flat series at `level` with no trend, no error and no runaways: what every fit starts from. */
function flatModel(start: number, n: number, level: number, seasonal: number[]): SeriesModel {
  return {
    start,
    n,
    kind: 'flat',
    fitFrom: 0,
    shiftAt: null,
    seasonal,
    level,
    slope: 0,
    a: level,
    b: 0,
    damping: 1,
    aSd: 0,
    bSd: 0,
    corr: 0,
    alpha: 0,
    ar: 0,
    lastError: 0,
    innovations: [],
    runaway: { rate: 0, days: 0, excess: [] },
    censoredDays: 0,
    fewObserved: false,
    heldEveryDay: false,
    maxDay: 0,
    seasonalDays: 0,
    counts: false,
    residuals: [],
    recentMean: level,
    scores: {},
  };
}

/**
 * The history as ordinary use: runaway days (above `outlierCeiling`) count at what the model
 * expects of an ordinary day, so a cap sized on it is sized for ordinary use.
 */
export function ordinaryHistory(values: readonly number[], model: SeriesModel): number[] {
  const ceiling = outlierCeiling(values);
  return values.map((v, t) => (v > ceiling ? Math.min(v, pointAt(model, t)) : v));
}
