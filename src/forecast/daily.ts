import { quantile } from 'simple-statistics';
import { DAY } from '../engine/units.ts';
import { backtestSeries, BACKTEST_DAYS, dayError } from './model.ts';
import type { ErrorStats, ModelKind } from './model.ts';
import type { History, DailySeries, SeriesKind } from './series.ts';
import { pathBlock, pointForecast } from './path-block.ts';
import type { Scenario } from './scenario.ts';
import { selectRanks } from './select.ts';
import { censorNoteOf } from './censor-notes.ts';
import { thinBandNote } from './thin-key.ts';
import { batchText } from './batch-key.ts';

export { FEW_OBSERVED_NOTE } from './censor-notes.ts';

export interface Band {
  p10: number;
  p50: number;
  p90: number;
}

export type SeriesUnit = 'usd_micros' | 'runs' | 'messages';


export function unitOf(kind: SeriesKind): SeriesUnit {
  return kind === 'key_spend' ? 'usd_micros' : kind === 'trigger_runs' ? 'runs' : 'messages';
}

export interface SeriesForecast {
  kind: SeriesKind;
  id: string;
  /** unit of every value of this series: key spend is in micro-USD (1e6 = $1) */
  unit: SeriesUnit;
  /** fitted on fewer than 14 days of its own: flat at its mean */
  short: boolean;
  /** the model the held-out backtest chose for this series (see docs/forecast.md) */
  model: ModelKind;
  /** first day fitted when a sustained level shift was found (ISO date), else null */
  levelShift: string | null;
  /** history days a limit held down: lower bounds, imputed and the band widened */
  censoredDays: number;
  /**
   * Every day fitted was held at its limit: demand per day is at least this (the series' unit),
   * and the band above it is an assumption (censorNote says which); null when some day was not held
   */
  heldAtLeast: number | null;
  /**
   * A trigger its limit held: the demand, runs a day, read from the pace of its runs while
   * admitted, which its days are drawn around (held-demand.ts); the bands are the forecast's
   * spread around it. The same figure recommend gives as its expected daily volume; null otherwise
   */
  heldDemand: number | null;
  /** what the admin should know about a censored fit (every day held, too few days the limit let through), or null */
  censorNote: string | null;
  /**
   * A key too thin to forecast (spend on under 7 days): what its band is drawn from (its busiest
   * 30 days as its spend per 30 days, no trend; thin-key.ts), or null
   */
  thinNote: string | null;
  /**
   * A key whose spend is a regular batch (batch-key.ts): its cadence, on whose days its paths draw
   * its next batches, or null
   */
  batchNote: string | null;
  /** runaway incidents: share of history days, re-injected at that rate */
  runawayRate: number;
  /** weekday indices Sun..Sat and the trend per day, as fitted */
  seasonal: number[];
  trendPerDay: number;
  /** mean of the last 7 history days */
  recentDailyMean: number;
  days: ({ date: string; point: number } & Band)[];
  /** sum over the horizon */
  total: Band & { point: number };
}

/**
 * Daily bands straight from the model's Monte Carlo draws: what each series is expected to do,
 * before any limit acts on it. `blocks`: paths already drawn (laid out by `pathParts`, e.g. by the
 * Monte Carlo workers); the paths beyond them are drawn here.
 */
export function dailyForecasts(scenario: Scenario, paths: number, seed: number, blocks: readonly Float64Array[] = []): SeriesForecast[] {
  const all: Float64Array[] = [];
  for (let p = 0; p < paths; p++) all.push(blocks[p] ?? pathBlock(scenario, seed, p));
  const D = scenario.days;
  const n = scenario.series.length;
  const m = new Float64Array(D * paths);
  const totals = new Float64Array(paths);
  const bandOf = (sorted: Float64Array): Band => ({ p10: quantileSorted(sorted, 0.1), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) });
  const dates: string[] = [];
  for (let h = 0; h < D; h++) dates.push(new Date(scenario.from + h * DAY).toISOString().slice(0, 10));
  return scenario.series.map((s, j) => {
    // each path's day is its ordinary part plus its runaway part, read in place from its block
    const ord = j * D;
    const run = (n + j) * D;
    for (let p = 0; p < paths; p++) {
      const block = all[p];
      let total = 0;
      for (let h = 0; h < D; h++) {
        const v = block[ord + h] + block[run + h];
        m[h * paths + p] = v;
        total += v;
      }
      totals[p] = total;
    }
    const days = [];
    let pointTotal = 0;
    for (let h = 0; h < D; h++) {
      const point = pointForecast(s, scenario.from, h);
      pointTotal += point;
      const col = m.subarray(h * paths, (h + 1) * paths);
      days.push({ date: dates[h], point, ...selectBand(col) });
    }
    return {
      kind: s.kind,
      id: s.id,
      unit: unitOf(s.kind),
      short: s.short,
      model: s.model.kind,
      levelShift: s.model.shiftAt === null ? null : new Date(s.model.shiftAt).toISOString().slice(0, 10),
      censoredDays: s.model.censoredDays,
      heldAtLeast: s.model.heldEveryDay ? s.model.level : null,
      heldDemand: s.model.heldDemand ?? null,
      censorNote: censorNoteOf(s.kind, s.model, D),
      thinNote: s.model.thinHistory ? thinBandNote(s.model.thinHistory) : null,
      batchNote: s.batch ? `${batchText(s.batch)}: its next batches drawn on that cadence` : null,
      runawayRate: s.model.runaway.rate,
      seasonal: s.model.seasonal,
      trendPerDay: s.model.slope,
      recentDailyMean: s.model.recentMean,
      days,
      total: { point: pointTotal, ...bandOf(totals.sort()) },
    };
  });
}

/**
 * P10/P50/P90 of unsorted values (reordered in place), the same values `quantileSorted` gives on
 * the sorted array, found by selection: thousands of 200-value columns need no full sort.
 */
export function selectBand(values: Float64Array): Band {
  const n = values.length;
  if (n === 0) return { p10: 0, p50: 0, p90: 0 };
  // the ranks each percentile reads, lowest first, selected in one pass (`selectRanks`)
  const ks: number[] = [];
  const rule = (p: number): void => {
    const idx = n * p;
    if (idx % 1 !== 0) ks.push(Math.ceil(idx) - 1);
    else if (n % 2 === 0) ks.push(idx - 1, idx);
    else ks.push(idx);
  };
  rule(0.1);
  const a = ks.length;
  rule(0.5);
  const b = ks.length;
  rule(0.9);
  const v = rankScratch(ks.length);
  selectRanks(values, n, ks, v);
  const at = (lo: number, hi: number): number => (hi - lo === 2 ? (v[lo] + v[lo + 1]) / 2 : v[lo]);
  return { p10: at(0, a), p50: at(a, b), p90: at(b, ks.length) };
}

let ranks = new Float64Array(6);

function rankScratch(n: number): Float64Array {
  if (ranks.length < n) ranks = new Float64Array(n);
  return ranks;
}

/**
 * P10/P50/P90 of unsorted values (reordered in place) by linear interpolation between order
 * statistics, numpy's default (type 7): the values simple-statistics' `quantile` gives, found by
 * selection rather than by copying and sorting.
 */
export function selectBandLinear(values: Float64Array): Band {
  const n = values.length;
  if (n === 0) return { p10: 0, p50: 0, p90: 0 };
  // the two ranks each percentile lies between (one when it falls on a rank), lowest first
  const ks: number[] = [];
  const idx = [0.1, 0.5, 0.9].map((p) => (n - 1) * p);
  for (const x of idx) {
    if (x % 1 === 0) ks.push(x);
    else ks.push(Math.floor(x), Math.ceil(x));
  }
  const v = rankScratch(ks.length);
  selectRanks(values, n, ks, v);
  const out = [0, 0, 0];
  for (let q = 0, r = 0; q < 3; q++) {
    const x = idx[q];
    if (x % 1 === 0) out[q] = v[r++];
    else {
      const a = v[r++];
      const b = v[r++];
      out[q] = a + (x - Math.floor(x)) * (b - a);
    }
  }
  return { p10: out[0], p50: out[1], p90: out[2] };
}


/**
 * Quantile of sorted values by rank (the median of an even count averaged), the daily bands' rule;
 * simple-statistics' `quantile` now interpolates (type 7), see `selectBandLinear`.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const idx = n * p;
  if (p === 1) return sorted[n - 1];
  if (p === 0) return sorted[0];
  if (idx % 1 !== 0) return sorted[Math.ceil(idx) - 1];
  if (n % 2 === 0) return (sorted[idx - 1] + sorted[idx]) / 2;
  return sorted[idx];
}

export function band(values: number[]): Band {
  if (values.length === 0) return { p10: 0, p50: 0, p90: 0 };
  const [p10, p50, p90] = quantile(values, [0.1, 0.5, 0.9]);
  return { p10, p50, p90 };
}

export interface BacktestReport {
  holdoutDays: number;
  /** null when the history is shorter than 28 days (14 to fit, 14 to test); `verdict` 'equal' when both err the same (both 0 % on a perfectly regular history): a tie, not a loss */
  overall: { model: ErrorStats; naive: ErrorStats; beatsNaive: boolean; verdict: 'better' | 'equal' | 'worse' } | null;
  /** per series; errors (MAE) in the series' unit per day (`unit`: key spend in micro-USD) */
  series: { kind: SeriesKind; id: string; unit: SeriesUnit; model: ErrorStats; naive: ErrorStats; beatsNaive: boolean; verdict: 'better' | 'equal' | 'worse' }[];
  /** series on which the model's WAPE is below the baseline's, and the ids of those where it is above */
  seriesBeatingNaive: number;
  seriesLosingToNaive: string[];
  note: string | null;
}

/**
 * Backtest on the last 14 days of every series. Overall errors weigh each series by its volume
 * (WAPE) after scaling to its own mean, so dollars and run counts can be added.
 */
export function backtest(
  history: History,
  censored: Map<string, boolean[]> = new Map(),
  /** the model each series' full fit chose (`kind:id`): refitted as is, not chosen again */
  kinds: Map<string, ModelKind> = new Map(),
): BacktestReport {
  const all: DailySeries[] = [...history.keys, ...history.triggers, history.messages];
  const rows: BacktestReport['series'] = [];
  let absM = 0;
  let absN = 0;
  let act = 0;
  const actualAll: number[] = [];
  const modelAll: number[] = [];
  const naiveAll: number[] = [];
  const boundsAll: boolean[] = [];
  for (const s of all) {
    const bt = backtestSeries(s.values, s.start, BACKTEST_DAYS, censored.get(`${s.kind}:${s.id}`), kinds.get(`${s.kind}:${s.id}`));
    if (!bt) continue;
    const verdict = compare(bt.model, bt.naive);
    rows.push({ kind: s.kind, id: s.id, unit: unitOf(s.kind), model: bt.model, naive: bt.naive, beatsNaive: verdict === 'better', verdict });
    const mean = s.values.reduce((a, b) => a + b, 0) / s.values.length;
    if (!(mean > 0)) continue;
    for (let i = 0; i < bt.actual.length; i++) {
      absM += dayError(bt.actual[i], bt.forecast[i], bt.bounds[i]) / mean;
      absN += dayError(bt.actual[i], bt.baseline[i], bt.bounds[i]) / mean;
      act += bt.actual[i] / mean;
      actualAll.push(bt.actual[i] / mean);
      modelAll.push(bt.forecast[i] / mean);
      naiveAll.push(bt.baseline[i] / mean);
      boundsAll.push(bt.bounds[i]);
    }
  }
  if (rows.length === 0 || actualAll.length === 0) {
    return {
      holdoutDays: BACKTEST_DAYS,
      overall: null,
      series: rows,
      seriesBeatingNaive: rows.filter((r) => r.beatsNaive).length,
      seriesLosingToNaive: rows.filter((r) => r.verdict === 'worse').map((r) => r.id),
      note: `backtest skipped: it needs ${BACKTEST_DAYS + 14} days of history (14 to fit, ${BACKTEST_DAYS} to test); the ledger has ${history.days}`,
    };
  }
  const n = actualAll.length;
  const stats = (pred: number[], abs: number): ErrorStats => {
    let pct = 0;
    let pn = 0;
    for (let i = 0; i < n; i++) {
      if (actualAll[i] !== 0) {
        pct += dayError(actualAll[i], pred[i], boundsAll[i]) / actualAll[i];
        pn++;
      }
    }
    return { mae: abs / n, mape: pn ? pct / pn : null, wape: act > 0 ? abs / act : null };
  };
  const model = stats(modelAll, absM);
  const naive = stats(naiveAll, absN);
  const verdict = tie(absM, absN) ? 'equal' : absM < absN ? 'better' : 'worse';
  return {
    holdoutDays: BACKTEST_DAYS,
    overall: { model, naive, beatsNaive: verdict === 'better', verdict },
    series: rows,
    seriesBeatingNaive: rows.filter((r) => r.beatsNaive).length,
    seriesLosingToNaive: rows.filter((r) => r.verdict === 'worse').map((r) => r.id),
    note: null,
  };
}

/** By share of volume mis-forecast (WAPE; MAE when the actual is all zero); equal errors (a perfectly regular job) are a tie. */
function compare(model: ErrorStats, naive: ErrorStats): 'better' | 'equal' | 'worse' {
  const [a, b] = model.wape !== null && naive.wape !== null ? [model.wape, naive.wape] : [model.mae, naive.mae];
  if (tie(a, b)) return 'equal';
  return a < b ? 'better' : 'worse';
}

/** Errors equal up to float noise: sums of the same days' errors in another order differ in the last bits. */
function tie(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
