/**
 * One plan's figures for the modeling screens, from the engine's decisions and the report.
 */
import { simulate } from '../engine/simulate.ts';
import { reportFromTallies } from '../engine/report.ts';
import { talliesOf } from '../engine/report-tallies.ts';
import type { EventColumns } from '../engine/events.ts';
import { canonicalMode, type Plan } from '../engine/plan.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY, MICROS_PER_USD } from '../engine/units.ts';
import { metricsOf } from './scenarios.ts';
import type { ModelView } from './types.ts';
import { keyFigures } from '../views/key-figure.ts';
import { triggerStatus } from '../views/status.ts';

/**
 * Rolling spend goes to the page in whole cents: it is drawn (a sparkline, the key's history
 * chart) and read in dollars and cents, and micro-dollars would make a quarter of the answer.
 */
const MICROS_PER_CENT = MICROS_PER_USD / 100;


/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface ProjectOptions {
  signal?: { readonly aborted: boolean };
  onProgress?: (done: number, total: number) => void;
}

export function projectPlan(plan: Plan, events: EventColumns, options: ProjectOptions = {}): ModelView {
  const started = performance.now();
  const result = simulate(plan, events, { signal: options.signal, onProgress: options.onProgress });
  const view = viewOf(plan, events, result);
  view.computeMs = Math.round(performance.now() - started);
  view.computeThreads = 1;
  view.simulated = ['whole'];
  return view;
}

type RunsPerDay = ModelView['triggers'][number]['runsPerDay'];

/**
 * Each trigger's runs per day as last summed, with the day row they came from. A run's arrival is
 * the same whatever the limits, so an edit of seats, caps or limits finds every row unchanged, and
 * hundreds of triggers' rows copied and sorted again were a few milliseconds of every edit.
 */
const runsPerDayKept = new Map<string, { row: Float64Array; runs: RunsPerDay }>();

/** Median, p95 and busiest of trigger `id`'s runs per day (`row`, null: none seen). */
function runsPerDayOf(id: string, row: Float64Array | null, days: number): RunsPerDay {
  const kept = runsPerDayKept.get(id);
  if (row !== null && kept !== undefined && sameRow(kept.row, row)) return { ...kept.runs };
  // runs per arrival day, ascending
  const perDay = row !== null ? row.slice().sort() : new Float64Array(days);
  const runs = { median: median(perDay), p95: percentile(perDay, 0.95), max: perDay[perDay.length - 1] ?? 0, days: perDay.length };
  if (row !== null) {
    // a history's triggers, not an unbounded set; a new history's rows replace them
    if (runsPerDayKept.size >= 4096) runsPerDayKept.clear();
    runsPerDayKept.set(id, { row: row.slice(), runs });
  }
  return { ...runs };
}

function sameRow(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The view from the decisions' tallies (src/engine/report-tallies.ts): per key and trigger per day,
 * never a pass over the events once a result's tallies are known, and for a result of parts only
 * the part simulated again is tallied again.
 */
export function viewOf(plan: Plan, events: EventColumns, result: SimulationResult): ModelView {
  const tallies = talliesOf(events, result);
  const report = reportFromTallies(result, tallies);
  const rp = result.plan;
  const { minTime: first, maxTime: last } = tallies;
  const { days } = tallies.frame;
  const windowDays = Math.max(1, Math.round(rp.keyCapWindowMs / DAY));
  const { keys: kt, triggers: tt } = tallies;

  const figures = keyFigures(events, result, report);
  const keys = figures.map((k, j) => {
    const rolling = new Array<number>(days);
    if (j >= kt.count) {
      rolling.fill(0);
      return { ...k, rolling };
    }
    // admitted spend per day: key j's row of the key × day table
    const daily = kt.daily.subarray(j * days, (j + 1) * days);
    let sum = 0;
    for (let d = 0; d < days; d++) {
      sum += daily[d];
      if (d >= windowDays) sum -= daily[d - windowDays];
      rolling[d] = Math.round(sum / MICROS_PER_CENT) / 100;
    }
    return { ...k, rolling };
  });

  const planned = new Map(plan.triggers.map((p) => [p.id, p]));
  const triggers = report.triggers.map((t, j) => {
    const p = planned.get(t.id);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      mode: canonicalMode(t.mode),
      inferred: t.inferred,
      limitPer24h: p ? p.limitPer24h : null,
      limit: t.limit,
      runsPerDay: runsPerDayOf(t.id, j < tt.count ? tt.daily.subarray(j * days, (j + 1) * days) : null, days),
      arrivals: t.arrivals,
      admitted: t.admitted,
      delayed: t.delayed,
      dropped: t.dropped,
      skipped: t.skipped,
      pending: t.pending,
      maxDelayMs: t.maxDelayMs,
      p95DelayMs: t.p95DelayMs,
      rateLimited: t.rateLimited,
      status: triggerStatus(t.rateLimited, t.limit),
      programmaticUsd: canonicalMode(t.mode) === 'programmatic' ? t.admittedUsd : 0,
    };
  });

  return {
    planName: plan.workspace.name,
    events: events.count,
    from: Number.isFinite(first) ? first : null,
    to: Number.isFinite(last) ? last : null,
    horizon: result.horizon,
    workspace: {
      allowance: report.allowance.limit,
      pool: report.pool.limit,
      allowancePeak: report.allowance.peak,
      poolPeak: report.pool.peak,
      messages: report.allowance.messages,
      blockedMessages: report.allowance.blockedMessages,
      spendLimits: report.spendLimits.map((l) => ({ id: l.id, window: l.window, amountUsd: l.amountUsd, peakUsd: l.peakUsd, blocked: l.blocked, delayed: l.delayed })),
    },
    keys,
    triggers,
    metrics: metricsOf(report),
    computeMs: 0,
    computeThreads: 0,
    simulated: [],
  };
}
