/**
 * One plan's figures for the modeling screens, from the engine's decisions and the report.
 */
import { simulate } from '../engine/simulate.ts';
import { buildReport } from '../engine/report.ts';
import type { EventColumns } from '../engine/events.ts';
import { EventType } from '../engine/events.ts';
import { canonicalMode, type Plan } from '../engine/plan.ts';
import { Outcome } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY, MICROS_PER_USD } from '../engine/units.ts';
import { metricsOf } from './scenarios.ts';
import type { ModelView } from './types.ts';
import { keyFigures } from '../views/key-figure.ts';
import { triggerStatus } from '../views/status.ts';

export const SPARK_DAYS = 60;


/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

export function median(sorted: readonly number[]): number {
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

export function viewOf(plan: Plan, events: EventColumns, result: SimulationResult): ModelView {
  const report = buildReport(events, result);
  const rp = result.plan;
  const nk = rp.keys.length;
  const nt = rp.triggers.length;

  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.count; i++) {
    const t = events.time[i] ?? 0;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const day0 = events.count ? Math.floor(first / DAY) : 0;
  const days = events.count ? Math.floor(last / DAY) - day0 + 1 : 0;

  // Admitted spend per key per day, and arrivals per trigger per day.
  const keyDaily = Array.from({ length: nk }, () => new Float64Array(days));
  const trigDaily = Array.from({ length: nt }, () => new Float64Array(days));
  for (let i = 0; i < result.count; i++) {
    const e = result.entity[i] ?? -1;
    if (e < 0) continue;
    const d = Math.floor((events.time[i] ?? 0) / DAY) - day0;
    if (events.type[i] === EventType.api) {
      if (result.outcome[i] === Outcome.admitted) {
        const at = Math.floor((result.admittedAt[i] ?? 0) / DAY) - day0;
        keyDaily[e]![Math.min(days - 1, at)]! += events.cost[i] ?? 0;
      }
    } else if (events.type[i] === EventType.trigger) {
      trigDaily[e]![d]! += 1;
    }
  }
  const windowDays = Math.max(1, Math.round(rp.keyCapWindowMs / DAY));

  const figures = keyFigures(events, result, report);
  const keys = figures.map((k, j) => {
    const daily = keyDaily[j] ?? new Float64Array(0);
    const rolling: number[] = [];
    let sum = 0;
    for (let d = 0; d < daily.length; d++) {
      sum += daily[d] ?? 0;
      if (d >= windowDays) sum -= daily[d - windowDays] ?? 0;
      rolling.push(Math.round(sum) / MICROS_PER_USD);
    }
    return { ...k, spark: rolling.slice(-SPARK_DAYS), rolling };
  });

  const triggers = report.triggers.map((t, j) => {
    const perDay = [...(trigDaily[j] ?? [])].sort((a, b) => a - b);
    const planned = plan.triggers.find((p) => p.id === t.id);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      mode: canonicalMode(t.mode),
      inferred: t.inferred,
      limitPer24h: planned ? planned.limitPer24h : null,
      limit: t.limit,
      runsPerDay: { median: median(perDay), p95: percentile(perDay, 0.95), max: perDay[perDay.length - 1] ?? 0, days: perDay.length },
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
    from: events.count ? first : null,
    to: events.count ? last : null,
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
