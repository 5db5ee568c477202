import { describe, expect, it } from 'vitest';
import { shareUnchanged } from '../src/projection/share.ts';
import { chartRows } from '../src/projection/rows.ts';
import type { KeyChart, Projection } from '../src/api/types.ts';

/** A projection of two keys over three buckets; `over` replaces parts of it. */
function projection(over: Partial<Projection> = {}): Projection {
  const key = (id: string, spend: number[]): KeyChart => ({
    id,
    name: id,
    capUsd: 10,
    peakUsd: Math.max(...spend),
    status: 'limited',
    spend,
    cappedSpans: [{ from: 1000, until: 2000 }],
  });
  return {
    start: 0,
    end: 3000,
    dataEnd: 3000,
    drainEnd: null,
    warmUntil: 0,
    bucketMs: 1000,
    width: 3,
    events: 10,
    totalKeys: 2,
    keys: [key('a', [1, 2, 3]), key('b', [4, 5, 6])],
    pool: { limit: 21, used: [0, 1, 2] },
    allowance: { limit: 300, used: [0, 10, 20] },
    queue: { queued: [0, 0, 0], maxDelayMin: [0, 0, 0] },
    spendLimits: [{ id: 'all', limitUsd: 50, window: 'utc-day', used: [0, 1, 2] }],
    computeMs: 5,
    computeThreads: 1,
    ...over,
  };
}

describe('shareUnchanged (only the charts a change touched are drawn again)', () => {
  it('keeps the previous objects of every series whose values are the same', () => {
    const prev = projection();
    // a change of seats: the allowance limit and line move, the keys and the rest do not
    const next = projection({ allowance: { limit: 400, used: [0, 12, 24] }, computeMs: 7 });
    const shared = shareUnchanged(prev, next);
    expect(shared.keys[0]).toBe(prev.keys[0]);
    expect(shared.keys[1]).toBe(prev.keys[1]);
    expect(shared.pool).toBe(prev.pool);
    expect(shared.queue).toBe(prev.queue);
    expect(shared.spendLimits[0]).toBe(prev.spendLimits[0]);
    expect(shared.allowance).toBe(next.allowance);
    expect(shared.computeMs).toBe(7);
    expect(shared).toEqual(next);
  });

  it('takes the new objects where a value, a capped span or a limit changed', () => {
    const prev = projection();
    const next = projection();
    next.keys[1] = { ...next.keys[1]!, spend: [4, 5, 6.5] };
    next.queue = { ...next.queue, maxDelayMin: [0, 0, 3] };
    next.keys[0] = { ...next.keys[0]!, cappedSpans: [{ from: 1000, until: 3000 }] };
    next.pool = { ...next.pool, limit: 22 };
    const shared = shareUnchanged(prev, next);
    expect(shared.keys[0]).toBe(next.keys[0]);
    expect(shared.keys[1]).toBe(next.keys[1]);
    expect(shared.pool).toBe(next.pool);
    expect(shared.allowance).toBe(prev.allowance);
    expect(shared.queue).toBe(next.queue);
    expect(shared).toEqual(next);
  });

  it('shares nothing when the time axis moved (a resize pools the buckets anew)', () => {
    const prev = projection();
    const next = projection({ width: 4 });
    const shared = shareUnchanged(prev, next);
    expect(shared).toBe(next);
    expect(shareUnchanged(null, next)).toBe(next);
  });
});

describe('chartRows (the rows a chart draws from its series)', () => {
  it('places row i at start + i * bucketMs, with the i-th value of every series', () => {
    expect(chartRows(1000, 60, { queued: [0, 2, 1], maxDelayMin: [0, 0, 4.5] })).toEqual([
      { t: 1000, queued: 0, maxDelayMin: 0 },
      { t: 1060, queued: 2, maxDelayMin: 0 },
      { t: 1120, queued: 1, maxDelayMin: 4.5 },
    ]);
    expect(chartRows(0, 1, { used: [] })).toEqual([]);
  });
});
