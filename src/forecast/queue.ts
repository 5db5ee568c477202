import { quantile } from 'simple-statistics';

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
 */
export function isolatedTrigger(history: ArrayLike<number>, future: ArrayLike<number>, o: IsolatedTriggerOptions): TriggerRunStats {
  const stats: TriggerRunStats = { arrivals: future.length, delayed: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 0, p95DelayMs: 0 };
  const L = o.limit;
  const ring = new Float64Array(Math.max(1, Math.min(L, history.length + future.length)));
  const size = ring.length;
  let admitted = 0;
  let prev = -Infinity;
  const delays: number[] = [];
  const sortedFuture = future;
  const n = history.length + sortedFuture.length;
  for (let i = 0; i < n; i++) {
    const isFuture = i >= history.length;
    const a = isFuture ? sortedFuture[i - history.length] : history[i];
    // with fewer than L admitted so far the window cannot be full
    const constraint = L === 0 ? Infinity : admitted >= L ? ring[(admitted - L) % size] + o.windowMs : -Infinity;
    if (!o.queue || o.scheduled) {
      if (constraint <= a) {
        ring[admitted % size] = a;
        admitted++;
      } else if (isFuture) {
        if (o.scheduled) stats.skipped++;
        else stats.dropped++;
      }
      continue;
    }
    const s = Math.max(a, prev, constraint);
    if (s > o.until) {
      // still waiting at the horizon: dropped if its wait limit ended before it, else pending
      if (isFuture) {
        if (a + o.maxWaitMs < o.until) stats.dropped++;
        else stats.pending++;
      }
      continue;
    }
    if (s > a + o.maxWaitMs) {
      if (isFuture) stats.dropped++;
      continue;
    }
    ring[admitted % size] = s;
    admitted++;
    prev = s;
    if (isFuture && s > a) {
      stats.delayed++;
      delays.push(s - a);
      if (s - a > stats.maxDelayMs) stats.maxDelayMs = s - a;
    }
  }
  if (delays.length) stats.p95DelayMs = quantile(delays, 0.95);
  return stats;
}
