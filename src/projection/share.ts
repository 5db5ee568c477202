import type { KeyChart, Projection, Series } from '../api/types.ts';

/**
 * A new projection that keeps the previous one's objects wherever their values did not change,
 * so that the screen redraws only the charts a plan change touched: a change of seats moves the
 * pool and allowance lines and leaves every key's spend where it was, and a chart whose props keep
 * their identity is skipped whole (React.memo). Comparing a few thousand numbers costs far less
 * than drawing one chart again.
 */
export function shareUnchanged(prev: Projection | null, next: Projection): Projection {
  if (prev === null) return next;
  const sameAxis = prev.start === next.start && prev.end === next.end && prev.warmUntil === next.warmUntil && prev.bucketMs === next.bucketMs && prev.width === next.width;
  if (!sameAxis) return next;
  const before = new Map(prev.keys.map((k) => [k.id, k]));
  const limitsBefore = new Map(prev.spendLimits.map((l) => [l.id, l]));
  return {
    ...next,
    keys: next.keys.map((k) => {
      const old = before.get(k.id);
      return old !== undefined && sameKey(old, k) ? old : k;
    }),
    pool: prev.pool.limit === next.pool.limit && sameSeries(prev.pool.used, next.pool.used) ? prev.pool : next.pool,
    allowance: prev.allowance.limit === next.allowance.limit && sameSeries(prev.allowance.used, next.allowance.used) ? prev.allowance : next.allowance,
    queue: sameSeries(prev.queue.queued, next.queue.queued) && sameSeries(prev.queue.maxDelayMin, next.queue.maxDelayMin) ? prev.queue : next.queue,
    spendLimits: next.spendLimits.map((l) => {
      const old = limitsBefore.get(l.id);
      return old !== undefined && old.limitUsd === l.limitUsd && old.window === l.window && sameSeries(old.used, l.used) ? old : l;
    }),
  };
}

function sameKey(a: KeyChart, b: KeyChart): boolean {
  if (a.name !== b.name || a.status !== b.status || a.capUsd !== b.capUsd || a.peakUsd !== b.peakUsd || a.cappedSpans.length !== b.cappedSpans.length) return false;
  for (let i = 0; i < a.cappedSpans.length; i++) {
    if (a.cappedSpans[i]!.from !== b.cappedSpans[i]!.from || a.cappedSpans[i]!.until !== b.cappedSpans[i]!.until) return false;
  }
  return sameSeries(a.spend, b.spend);
}

/** Same values; the axis (start, bucketMs) was compared once for all. */
function sameSeries(a: Series, b: Series): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
