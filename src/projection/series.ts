import { MICROS_PER_USD, MINUTE } from '../engine/units.ts';
import type { SimulationResult, Timeline } from '../engine/result.ts';
import type { EventColumns } from '../engine/events.ts';
import type { Projection } from '../api/types.ts';
import { keyStatuses } from '../views/key-figure.ts';

/**
 * Max-pools `values` into `target` buckets: a chart one pixel per bucket wide must still show
 * every peak, which averaging would flatten.
 */
export function downsampleMax(values: ArrayLike<number>, target: number): Float64Array {
  const n = values.length;
  if (n <= target) return Float64Array.from(values as ArrayLike<number>);
  const out = new Float64Array(target);
  for (let b = 0; b < target; b++) {
    const lo = Math.floor((b * n) / target);
    const hi = Math.max(lo + 1, Math.floor(((b + 1) * n) / target));
    let m = Number.NEGATIVE_INFINITY;
    for (let i = lo; i < hi; i++) m = Math.max(m, values[i] ?? 0);
    out[b] = m;
  }
  return out;
}

/** `values` max-pooled into `target` points, each divided by `scale`. */
function series(values: Float64Array | undefined, target: number, scale = 1): number[] {
  const pooled = downsampleMax(values ?? new Float64Array(0), target);
  const out = new Array<number>(pooled.length);
  for (let i = 0; i < pooled.length; i++) out[i] = pooled[i] / scale;
  return out;
}

/**
 * Capped-out spans as a chart can draw them: spans closer than one point apart are one shade, so
 * a key capped out ten thousand times still sends at most a span per point, not one per episode.
 */
export function mergedSpans(episodes: readonly { from: number; until: number }[], end: number, bucketMs: number): { from: number; until: number }[] {
  const out: { from: number; until: number }[] = [];
  for (const ep of episodes) {
    const until = Math.min(ep.until, end);
    const last = out[out.length - 1];
    if (last !== undefined && ep.from - last.until < bucketMs) last.until = Math.max(last.until, until);
    else out.push({ from: ep.from, until });
  }
  return out;
}

/** The projection's chart data: every series cut to at most `width` points. */
/**
 * Keys most worth a chart first: those that capped out, then by how close they came to their cap.
 */
export function keyOrder(result: SimulationResult): number[] {
  const keys = result.plan.keys;
  const share = (i: number): number => {
    const cap = keys[i]?.capMicros ?? null;
    return cap ? (result.keyStats[i]?.peakRollingMicros ?? 0) / cap : -1;
  };
  return keys.map((_, i) => i).sort((a, b) => (result.keyStats[b]?.episodes.length ?? 0) - (result.keyStats[a]?.episodes.length ?? 0) || share(b) - share(a));
}

/**
 * Where the charts' time axis ends: the data's last event, or later while webhook runs queued
 * before it still wait (the queue's drain), never the simulation's whole horizon (30 days past
 * the data by default), which drew a month of flat lines after the history.
 */
export function axisEnd(tl: Timeline, dataEnd: number): { end: number; drainEnd: number | null } {
  const last = tl.start + tl.bucketMs * tl.buckets;
  const from = Math.max(0, Math.min(tl.buckets, Math.ceil((dataEnd - tl.start) / tl.bucketMs)));
  let drained = from;
  while (drained < tl.buckets && (tl.queued[drained] ?? 0) > 0) drained++;
  const drainEnd = drained > from ? Math.min(last, tl.start + drained * tl.bucketMs) : null;
  // one bucket past the last event, so its own bucket is drawn whole
  const end = Math.min(last, Math.max(dataEnd + tl.bucketMs, drainEnd ?? 0));
  return { end, drainEnd };
}

/**
 * The projection's chart data: every series cut to the data's end (plus the queue's drain) and
 * max-pooled to at most `width` points, with each key's status from the one view model
 * (src/views) and the stretch in which the rolling windows are still filling.
 */
export function buildProjection(
  result: SimulationResult,
  width: number,
  compute: { ms: number; threads: number },
  maxKeys = Number.POSITIVE_INFINITY,
  events: EventColumns | null = null,
): Projection {
  const computeMs = compute.ms;
  const computeThreads = compute.threads;
  const tl: Timeline | null = result.timeline;
  const plan = result.plan;
  if (tl === null || tl.buckets === 0) {
    return {
      start: 0, end: 0, dataEnd: null, drainEnd: null, warmUntil: 0, bucketMs: 0, width, events: result.count, keys: [], totalKeys: result.plan.keys.length,
      pool: { limit: null, used: [] }, allowance: { limit: null, used: [] }, queue: { queued: [], maxDelayMin: [] }, spendLimits: [], computeMs, computeThreads,
    };
  }
  const start = tl.start;
  const activity = events !== null ? keyStatuses(events, result) : null;
  const dataEnd = activity?.dataEnd ?? null;
  const { end, drainEnd } = dataEnd !== null ? axisEnd(tl, dataEnd) : { end: tl.start + tl.bucketMs * tl.buckets, drainEnd: null };
  // the timeline's buckets up to the axis' end, pooled to the width
  const used = Math.max(1, Math.min(tl.buckets, Math.ceil((end - start) / tl.bucketMs)));
  const cut = (values: Float64Array | undefined): Float64Array | undefined => (values === undefined || values.length <= used ? values : values.subarray(0, used));
  const target = Math.max(1, Math.min(width, used));
  const bucketMs = (tl.bucketMs * used) / target;
  const statuses = activity?.statuses ?? null;


  const fin = (n: number): number | null => (Number.isFinite(n) ? n : null);
  return {
    start,
    end,
    dataEnd,
    drainEnd,
    warmUntil: Math.min(end, start + plan.keyCapWindowMs),
    bucketMs,
    width,
    events: result.count,
    totalKeys: plan.keys.length,
    keys: keyOrder(result)
      .slice(0, maxKeys)
      .map((i) => ({ i, k: plan.keys[i]! }))
      .map(({ i, k }) => ({
      id: k.id,
      name: k.name,
      capUsd: k.capMicros === null ? null : k.capMicros / MICROS_PER_USD,
      peakUsd: (result.keyStats[i]?.peakRollingMicros ?? 0) / MICROS_PER_USD,
      status: statuses?.[i] ?? 'ok',
      spend: series(cut(tl.keySpend[i]), target, MICROS_PER_USD),
      cappedSpans: mergedSpans(result.keyStats[i]?.episodes ?? [], end, bucketMs),
    })),
    pool: { limit: fin(plan.pool), used: series(cut(tl.poolUsed), target) },
    allowance: { limit: fin(plan.allowance), used: series(cut(tl.allowanceUsed), target) },
    queue: { queued: series(cut(tl.queued), target), maxDelayMin: series(cut(tl.maxDelay), target, MINUTE) },
    spendLimits: plan.spendLimits.map((l, j) => ({
      id: l.id,
      limitUsd: l.amountMicros / MICROS_PER_USD,
      window: l.window,
      used: series(cut(tl.spendLimitUsed[j]), target, MICROS_PER_USD),
    })),
    computeMs,
    computeThreads,
  };
}
