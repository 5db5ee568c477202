import { linearRegression } from 'simple-statistics';
import { DAY } from '../engine/units.ts';
import type { Rng } from './rng.ts';

/**
 * The forecast model, per daily series: weekly seasonal indices (multiplicative, mean 1) times a
 * linear trend fitted on the deseasonalised values. Monte Carlo noise resamples the model's own
 * relative residuals (a residual bootstrap), so a spiky series gets spiky paths.
 */
export interface SeriesModel {
  /** epoch ms of 00:00 UTC of the first fitted day */
  start: number;
  /** days fitted */
  n: number;
  /** trend at day t (0-based from start) = level + slope * t */
  level: number;
  slope: number;
  /** index by UTC weekday (0 = Sunday), mean 1 */
  seasonal: number[];
  /** relative residuals (actual / fitted − 1) of the most recent days, for the bootstrap */
  residuals: number[];
  /** mean of the last 7 days, a sanity anchor shown in reports */
  recentMean: number;
}

const RESIDUAL_DAYS = 56;

export function weekdayOf(ms: number): number {
  // 1970-01-01 was a Thursday (weekday 4)
  return (Math.floor(ms / DAY) + 4) % 7;
}

/**
 * Ceiling for one day's value: 3 × the 90th percentile of the days with any activity. A runaway
 * day (a script looping for hours) is an incident, not a pattern: left in, it would set a weekday
 * index of 6 and a bootstrap residual of ×1000 that every later forecast repeats. Needs 7 active
 * days to judge; returns Infinity otherwise.
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

export function fitSeries(rawValues: readonly number[], start: number): SeriesModel {
  const values = winsorise(rawValues);
  const n = values.length;
  const seasonal = new Array<number>(7).fill(1);
  const recent = rawValues.slice(-7);
  const recentMean = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  const total = values.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return { start, n, level: 0, slope: 0, seasonal, residuals: [], recentMean };
  const wd0 = weekdayOf(start);
  let level = total / n;
  let slope = 0;
  // Under two full weeks a weekday index rests on one value and a slope on a handful: too noisy
  // to extrapolate, so a short series is forecast flat at its mean.
  const useSeasonal = n >= 14;
  for (let iter = 0; iter < 4 && useSeasonal; iter++) {
    // A weekday that is always idle (weekends of a weekday digest) has index 0: it says nothing
    // about the trend, and dividing by it gives 0/0. Only days with a usable index are regressed.
    const pts: number[][] = [];
    for (let t = 0; t < n; t++) {
      const s = seasonal[(wd0 + t) % 7];
      if (s >= 0.05) pts.push([t, values[t] / s]);
    }
    if (pts.length >= 2) {
      const fit = linearRegression(pts);
      if (Number.isFinite(fit.b) && Number.isFinite(fit.m)) {
        level = fit.b;
        slope = fit.m;
      }
    }
    const sum = new Array<number>(7).fill(0);
    const cnt = new Array<number>(7).fill(0);
    const floor = Math.max(total / n, 1e-9) * 0.05;
    for (let t = 0; t < n; t++) {
      const trend = Math.max(level + slope * t, floor);
      const w = (wd0 + t) % 7;
      sum[w] += values[t] / trend;
      cnt[w] += 1;
    }
    const raw = sum.map((s, w) => (cnt[w] ? s / cnt[w] : 1));
    const m = raw.reduce((a, b) => a + b, 0) / 7;
    for (let w = 0; w < 7; w++) seasonal[w] = m > 0 && Number.isFinite(raw[w] / m) ? raw[w] / m : 1;
  }
  if (!Number.isFinite(level) || !Number.isFinite(slope) || seasonal.some((x) => !Number.isFinite(x))) {
    // a degenerate fit must never read as "zero from now on": fall back to the flat mean
    level = total / n;
    slope = 0;
    seasonal.fill(1);
  }
  const model: SeriesModel = { start, n, level, slope, seasonal, residuals: [], recentMean };
  const residuals: number[] = [];
  for (let t = Math.max(0, n - RESIDUAL_DAYS); t < n; t++) {
    const f = pointAt(model, t);
    if (f > 0) residuals.push(values[t] / f - 1);
  }
  model.residuals = residuals;
  return model;
}

/** Fitted (or forecast) value at day t counted from the model's start. Never negative. */
export function pointAt(model: SeriesModel, t: number): number {
  const trend = model.level + model.slope * t;
  if (!(trend > 0)) return 0;
  return trend * model.seasonal[(weekdayOf(model.start) + t) % 7];
}

/** Point forecast for the UTC day starting at `dayStart`. */
export function forecastDay(model: SeriesModel, dayStart: number): number {
  return pointAt(model, Math.round((dayStart - model.start) / DAY));
}

/** One noisy draw for a day: the point forecast times (1 + a resampled residual). */
export function sampleDay(model: SeriesModel, dayStart: number, rng: Rng): number {
  const f = forecastDay(model, dayStart);
  if (f === 0 || model.residuals.length === 0) return f;
  const e = model.residuals[Math.floor(rng() * model.residuals.length)];
  return Math.max(0, f * (1 + e));
}

export interface ErrorStats {
  /** mean absolute error, in the series' unit per day */
  mae: number;
  /** mean absolute percentage error over days with a non-zero actual, 0..; null when none */
  mape: number | null;
  /** sum |error| / sum actual: the share of volume mis-forecast; null when the actual is all zero */
  wape: number | null;
}

export function errorStats(actual: readonly number[], predicted: readonly number[]): ErrorStats {
  let abs = 0;
  let sumA = 0;
  let pct = 0;
  let pctN = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - predicted[i]);
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

export interface SeriesBacktest {
  model: ErrorStats;
  naive: ErrorStats;
  actual: number[];
  forecast: number[];
  baseline: number[];
}

export const BACKTEST_DAYS = 14;

/**
 * Holds out the last 14 days, fits on the rest, and compares with the seasonal-naive baseline
 * (each held-out day predicted by the value 7 days before it, repeating the last training week).
 * Needs 14 training days as well; returns null with less.
 */
export function backtestSeries(values: readonly number[], start: number, holdout = BACKTEST_DAYS): SeriesBacktest | null {
  const train = values.length - holdout;
  if (train < 14) return null;
  const model = fitSeries(values.slice(0, train), start);
  const actual = values.slice(train);
  const forecast: number[] = [];
  const baseline: number[] = [];
  for (let h = 0; h < holdout; h++) {
    forecast.push(pointAt(model, train + h));
    baseline.push(values[train - 7 + (h % 7)]);
  }
  return { model: errorStats(actual, forecast), naive: errorStats(actual, baseline), actual, forecast, baseline };
}
