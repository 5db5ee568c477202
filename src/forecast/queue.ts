import { selectKth } from './select.ts';

export interface TriggerRunStats {
  arrivals: number;
  delayed: number;
  dropped: number;
  skipped: number;
  pending: number;
  maxDelayMs: number;
  p95DelayMs: number;
}

export interface IsolatedTriggerOptions {
  /** runs per sliding window (finite) */
  limit: number;
  windowMs: number;
  /** scheduled: a limited fire is skipped */
  scheduled: boolean;
  /** webhooks: queue (wait for capacity) or drop */
  queue: boolean;
  /** how long a queued run may wait; Infinity = without limit */
  maxWaitMs: number;
  /** horizon: waiting runs are released up to and including it */
  until: number;
}

/**
 * One trigger on its own, when only its own limit can stop it (the pool, the allowance and the
 * spend limits provably never bind on this path): SPEC section 4 reduced to one first-in
 * first-out queue behind a sliding-window limit. The k-th admitted run needs the (k − limit)-th
 * to have left the window, so it is admitted at max(arrival, previous admission,
 * that run's admission + window). The history tail runs first and is not counted. Both lists
 * must be in time order.
 *
 * It runs for hundreds of triggers on every path, so its admissions and delays live in buffers
 * kept between calls (one array growth per forecast, not one per trigger and path).
 */
export function isolatedTrigger(history: ArrayLike<number>, future: ArrayLike<number>, o: IsolatedTriggerOptions): TriggerRunStats {
  const stats: TriggerRunStats = { arrivals: future.length, delayed: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 0, p95DelayMs: 0 };
  const L = o.limit;
  const H = history.length;
  const size = Math.max(1, Math.min(L, H + future.length));
  if (ringBuffer.length < size) ringBuffer = new Float64Array(Math.max(size, ringBuffer.length * 2));
  if (delayBuffer.length < future.length) delayBuffer = new Float64Array(Math.max(future.length, delayBuffer.length * 2));
  const ring = ringBuffer;
  const delays = delayBuffer;
  const queued = o.queue && !o.scheduled;
  const window = o.windowMs;
  let admitted = 0;
  let prev = -Infinity;
  let delayCount = 0;
  // the history first: it fills the window and the queue, and is not counted
  for (let i = 0; i < H; i++) {
    const a = history[i];
    // with fewer than L admitted so far the window cannot be full
    const constraint = L === 0 ? Infinity : admitted >= L ? ring[(admitted - L) % size] + window : -Infinity;
    if (!queued) {
      if (constraint <= a) ring[admitted++ % size] = a;
      continue;
    }
    const s = Math.max(a, prev, constraint);
    if (s > o.until || s > a + o.maxWaitMs) continue;
    ring[admitted++ % size] = s;
    prev = s;
  }
  for (let i = 0; i < future.length; i++) {
    const a = future[i];
    const constraint = L === 0 ? Infinity : admitted >= L ? ring[(admitted - L) % size] + window : -Infinity;
    if (!queued) {
      if (constraint <= a) ring[admitted++ % size] = a;
      else if (o.scheduled) stats.skipped++;
      else stats.dropped++;
      continue;
    }
    const s = Math.max(a, prev, constraint);
    if (s > o.until) {
      // still waiting at the horizon: dropped if its wait limit ended before it, else pending
      if (a + o.maxWaitMs < o.until) stats.dropped++;
      else stats.pending++;
      continue;
    }
    if (s > a + o.maxWaitMs) {
      stats.dropped++;
      continue;
    }
    ring[admitted++ % size] = s;
    prev = s;
    if (s > a) {
      const d = s - a;
      delays[delayCount++] = d;
      if (d > stats.maxDelayMs) stats.maxDelayMs = d;
    }
  }
  stats.delayed = delayCount;
  if (delayCount > 0) stats.p95DelayMs = quantileType7(delays, delayCount, 0.95);
  return stats;
}

let ringBuffer = new Float64Array(64);
let delayBuffer = new Float64Array(1024);

/**
 * The p-quantile of the first n values, interpolated between order statistics (numpy's default,
 * type 7): what simple-statistics' `quantile` gives, found by selection in place (the values are
 * reordered).
 */
export function quantileType7(values: Float64Array, n: number, p: number): number {
  const idx = (n - 1) * p;
  if (idx % 1 === 0) return selectKth(values, n, idx);
  const lower = Math.floor(idx);
  const a = selectKth(values, n, lower);
  // after selecting `lower`, the next order statistic is the smallest value above it
  let b = Infinity;
  for (let i = lower + 1; i < n; i++) if (values[i] < b) b = values[i];
  return a + (idx - lower) * (b - a);
}

