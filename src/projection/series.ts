import { MICROS_PER_USD, MINUTE } from '../engine/units.ts';
import type { SimulationResult, Timeline } from '../engine/result.ts';
import type { Projection } from '../api/types.ts';

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

export function buildProjection(
  result: SimulationResult,
  width: number,
  compute: { ms: number; threads: number },
  maxKeys = Number.POSITIVE_INFINITY,
): Projection {
  const computeMs = compute.ms;
  const computeThreads = compute.threads;
  const tl: Timeline | null = result.timeline;
  const plan = result.plan;
  if (tl === null || tl.buckets === 0) {
    return {
      start: 0, end: 0, bucketMs: 0, width, events: result.count, keys: [], totalKeys: result.plan.keys.length,
      pool: { limit: null, used: [] }, allowance: { limit: null, used: [] }, queue: { queued: [], maxDelayMin: [] }, spendLimits: [], computeMs, computeThreads,
    };
  }
  const target = Math.max(1, Math.min(width, tl.buckets));
  const bucketMs = (tl.bucketMs * tl.buckets) / target;
  const start = tl.start;
  const end = tl.start + tl.bucketMs * tl.buckets;


  const fin = (n: number): number | null => (Number.isFinite(n) ? n : null);
  return {
    start,
    end,
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
      spend: series(tl.keySpend[i], target, MICROS_PER_USD),
      cappedSpans: mergedSpans(result.keyStats[i]?.episodes ?? [], end, bucketMs),
    })),
    pool: { limit: fin(plan.pool), used: series(tl.poolUsed, target) },
    allowance: { limit: fin(plan.allowance), used: series(tl.allowanceUsed, target) },
    queue: { queued: series(tl.queued, target), maxDelayMin: series(tl.maxDelay, target, MINUTE) },
    spendLimits: plan.spendLimits.map((l, j) => ({
      id: l.id,
      limitUsd: l.amountMicros / MICROS_PER_USD,
      used: series(tl.spendLimitUsed[j], target, MICROS_PER_USD),
    })),
    computeMs,
    computeThreads,
  };
}
