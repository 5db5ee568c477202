/**
 * The busy days a trigger's run limit must hold, read off the forecast's paths. A limit counts
 * any 24 h, so it is sized on the busiest days the forecast expects, not on an average day: a
 * webhook busy on weekdays and quiet at weekends averages far below its weekdays, and a limit
 * sized on that average (45 a day + 25 % = 60 for weekdays the forecast put at P90 67–72) dropped
 * runs on every weekday of every path. Read once per trigger, for either profile's advice
 * (index.ts recommendTriggers, triggers-platform.ts recommendTriggersPlatform), and checked by the
 * same paths as the forecast's Monte Carlo runs them: the ask is stepped up until the paths have
 * more runs than it in some 24 h in at most the risk's share of them (triggers-platform.ts
 * limitRequest), so the recommended plan, forecast, holds its trigger at that risk.
 */
import { quantile } from 'simple-statistics';
import { resolvePlan } from '../engine/plan-rules.ts';
import { weekdayOf } from '../forecast/model.ts';
import type { ModelKind } from '../forecast/model.ts';
import { drawPath, seriesLimits, seriesTimes } from '../forecast/generate.ts';
import type { PathDraw } from '../forecast/generate.ts';
import type { Scenario } from '../forecast/scenario.ts';

/** The forecast's busy days of one trigger, and a check of a limit against its paths. */
export interface BusyDays {
  /**
   * runs on a busy day: per UTC weekday, the P90 of that weekday's runs over the paths and the
   * horizon's days; the busiest weekday's, rounded up, at least the history's p90 day
   */
  runs: number;
  /** the weekdays whose P90 is near it (within BUSY_SHARE), in words: "Monday to Friday", "every day", "Tuesdays" */
  days: string;
  /** the forecast's paths the figures are read from (0: none, `runs` is the history's p90 day), and their days */
  paths: number;
  horizon: number;
  /**
   * share of the paths with more than `limit` runs in some 24 h (a run at `s` counting until
   * s + 24 h + the plan's edge, as the limit counts them), the runs of the history's last day
   * leading in: the paths in which a limit of `limit` refuses or delays some of its runs, as the
   * forecast's Monte Carlo places them (`windowPeaks`)
   */
  chanceAbove(limit: number): number;
  /** what the forecast's days of it were fitted on (absent: no series), which says how far its P90 is evidence */
  fit?: SeriesFit;
}

/**
 * The fit behind a trigger's forecast days: `heldEveryDay`, its limit held every day fitted, so
 * the band above it is an assumed spread, not a measured one (forecast/model.ts); `kind` and
 * `censoredDays`, a growth model fitted on days its limit held extrapolates past what it ever ran;
 * `maxDay`, the busiest day of its history, bounds included (its ceiling).
 */
export interface SeriesFit {
  heldEveryDay: boolean;
  kind: ModelKind;
  censoredDays: number;
  maxDay: number;
}

/**
 * What the forecast says of one trigger, the one reading both profiles' advice sizes its ask on:
 * `expected`, the runs of an average day (the P90 over paths of each path's daily mean, at least
 * the history's p90 day: what a programmatic trigger is billed for), `busy`, the days its limit
 * must hold, and `risk`, the share of paths the advice accepts a day above the ask in.
 */
export interface TriggerForecast {
  expected: number;
  busy: BusyDays;
  risk: number;
}

/** `TriggerForecast` of the series `j` of `draws` (its first day at `from`), `recent` its history's last days. */
export function triggerForecast(
  draws: readonly (readonly ArrayLike<number>[])[],
  j: number | undefined,
  from: number,
  recent: readonly number[],
  risk: number,
  /** per path, the most runs of series `j` in any 24 h (`windowPeaks`); read only when a limit is checked */
  peaks: () => ArrayLike<number> | undefined,
  fit?: SeriesFit,
): TriggerForecast {
  const busy = busyDays(draws, j, from, recent, peaks);
  if (fit !== undefined && busy.paths > 0) busy.fit = fit;
  return { expected: expectedDailyRuns(draws, j, recent), busy, risk };
}

/** Expected runs a day: the P90 over forecast paths of each path's daily mean, at least the history's p90 day. */
export function expectedDailyRuns(draws: readonly (readonly ArrayLike<number>[])[], j: number | undefined, recent: readonly number[]): number {
  let expected = 0;
  if (j !== undefined && draws.length) {
    const perPath = draws.map((d) => {
      const runs = d[j]!;
      let sum = 0;
      for (let h = 0; h < runs.length; h++) sum += runs[h]!;
      return sum / runs.length;
    });
    // a path's mean carries the float error of the model's exp and log (60.00000000001 runs a day is 60)
    expected = Math.ceil(quantile(perPath, 0.9) - 1e-9);
  }
  return Math.max(expected, recent.length ? Math.ceil(quantile([...recent], 0.9)) : 0);
}

/** A weekday's P90 this close to the busiest one's is one of the busy days the words name. */
const BUSY_SHARE = 0.85;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * The busy days of the series `j` of `draws` (path, series, forecast day, as recommend draws them:
 * ordinary + runaway), whose first day starts at `from` (00:00 UTC); `recent`: the history's last
 * days of it, whose p90 day is the least it is read at (as the average day's figure is).
 */
export function busyDays(
  draws: readonly (readonly ArrayLike<number>[])[],
  j: number | undefined,
  from: number,
  recent: readonly number[],
  peaks: () => ArrayLike<number> | undefined,
): BusyDays {
  const floor = recent.length ? Math.ceil(quantile([...recent], 0.9)) : 0;
  if (j === undefined || draws.length === 0) return { runs: floor, days: 'every day', paths: 0, horizon: 0, chanceAbove: () => 0 };
  const byWeekday: number[][] = Array.from({ length: 7 }, () => []);
  const wd0 = weekdayOf(from);
  for (const d of draws) {
    const runs = d[j]!;
    for (let h = 0; h < runs.length; h++) byWeekday[(wd0 + h) % 7]!.push(runs[h]!);
  }
  const p90 = byWeekday.map((xs) => (xs.length ? nearestRank(xs.sort((a, b) => a - b), 0.9) : 0));
  const busiest = p90.reduce((m, x) => (x > m ? x : m), 0);
  // a path's mean carries the float error of the model's exp and log (60.00000000001 runs is 60)
  const runs = Math.max(floor, Math.ceil(busiest - 1e-9));
  const near = p90.map((x, w) => (busiest > 0 && x >= BUSY_SHARE * busiest ? w : -1)).filter((w) => w >= 0);
  // each path's busiest 24 h, sorted once when a limit is first checked against them
  let sorted: Float64Array | null = null;
  return {
    runs,
    days: weekdayWords(near),
    paths: draws.length,
    horizon: draws[0]![j]!.length,
    chanceAbove: (limit) => {
      sorted ??= Float64Array.from(peaks() ?? []).sort();
      if (sorted.length === 0) return 0;
      // the paths whose busiest 24 h is above the limit: those from the first index past it
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! > limit) hi = mid;
        else lo = mid + 1;
      }
      return (sorted.length - lo) / sorted.length;
    },
  };
}

/** Nearest-rank quantile of sorted values. */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** Weekdays (0 = Sunday) in words: a run of them as "Monday to Friday", all as "every day". */
export function weekdayWords(days: readonly number[]): string {
  const set = new Set(days);
  if (set.size === 0 || set.size === 7) return 'every day';
  // a run of consecutive weekdays, the week read from Monday (a Saturday-to-Monday run wraps)
  for (let start = 0; start < 7; start++) {
    if (!set.has(start) || set.has((start + 6) % 7)) continue;
    let len = 0;
    while (set.has((start + len) % 7)) len++;
    if (len === set.size && len >= 3) return `${WEEKDAYS[start]} to ${WEEKDAYS[(start + len - 1) % 7]}`;
  }
  const names = [...set].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map((w) => `${WEEKDAYS[w]}s`);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Per path, the most runs of the trigger series `j` of `scenario` in any 24 h of the horizon (a
 * run at `s` counts while `t < s + windowMs`), the runs of the history before it (`lead`, sorted,
 * all before the horizon) leading in. The runs are placed as the forecast's Monte Carlo places them
 * (generate.ts: a path's counts from `drawPath`, its times from `seriesTimes`), for the same
 * scenario, seed and path blocks (`pathBlock`), so a limit at or above a path's peak refuses and
 * delays none of its runs there, and one below it does, as the forecast of a plan with that limit
 * finds. The returned reader draws every path's counts once, at its first call, keeping the
 * triggers' alone; each trigger's times are placed only when it is read (only a trigger whose ask
 * is checked is).
 */
export function windowPeaks(scenario: Scenario, blocks: readonly Float64Array[], seed: number, windowMs: number): (j: number, lead: readonly number[]) => Float64Array {
  let paths: PathDraw[] | null = null;
  const counts = (): PathDraw[] => {
    const plan = resolvePlan(scenario.plan);
    const limits = seriesLimits(scenario, plan);
    return blocks.map((block, p) => {
      // the counts alone (exact: no engine shortcuts read), in the buffers kept for the next call:
      // the triggers' copied out, the rest left empty
      const draw = drawPath(scenario, plan, limits, seed, p, true, block, true);
      const kept = scenario.series.map((s, j) => (s.kind === 'trigger_runs' ? draw.counts[j]!.slice() : NONE));
      return { counts: kept, micros: [], include: [], poolSafe: true, spendSafe: true, parts: block };
    });
  };
  const scratch = { time: new Float64Array(4096) };
  return (j, lead) => {
    paths ??= counts();
    const out = new Float64Array(paths.length);
    paths.forEach((draw, p) => (out[p] = peakIn(lead, seriesTimes(scenario, draw, j, seed, p, scratch), windowMs)));
    return out;
  };
}

const NONE = new Int32Array(0);

/** The most entries of `lead` then `times` (both sorted, `lead` all earlier) in one window ending at an entry of `times`. */
function peakIn(lead: readonly number[], times: ArrayLike<number>, windowMs: number): number {
  const at = (i: number): number => (i < lead.length ? lead[i]! : times[i - lead.length]!);
  const n = lead.length + times.length;
  let lo = 0;
  let peak = 0;
  for (let i = lead.length; i < n; i++) {
    const t = at(i);
    while (at(lo) + windowMs <= t) lo++;
    if (i - lo + 1 > peak) peak = i - lo + 1;
  }
  return peak;
}
