import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantile } from 'simple-statistics';
import { KeyCaps } from '../src/engine/limits/key-cap.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { IsolatedKey } from '../src/forecast/isolated-key.ts';
import { quantileType7 } from '../src/forecast/queue.ts';
import { fillUniforms, makeRng } from '../src/forecast/rng.ts';
import { fitSeries, simulateSeries } from '../src/forecast/model.ts';
import type { SeriesModel } from '../src/forecast/model.ts';

// The Monte Carlo paths' fast pieces must give exactly what the plain ones give: a forecast's
// numbers for a seed do not depend on how fast it was computed.

const FROM = Date.UTC(2026, 2, 1);

describe('a series stream drawn at once', () => {
  it('is the stream makeRng gives, number for number', () => {
    for (const seed of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 2_654_435_769, -5]) {
      const rng = makeRng(seed);
      const out = new Float64Array(1000);
      fillUniforms(seed, out, out.length);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBe(rng());
    }
  });
});

describe('a 95th percentile by selection', () => {
  it('equals simple-statistics quantile (type 7) on the first n values', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 80 }), fc.constantFrom(0.1, 0.5, 0.9, 0.95), (xs, p) => {
        // a longer buffer: only its first n values count
        const buf = new Float64Array(xs.length + 5).fill(-1);
        buf.set(xs);
        expect(quantileType7(buf, xs.length, p)).toBe(quantile(xs, p));
      }),
      { numRuns: 300 },
    );
  });
});

interface Requests {
  time: number[];
  cost: number[];
}

/**
 * A fresh engine cap: the key's history held unchecked (the spend the platform holds, whatever
 * cap it ran under), then its future through the cap's checks.
 */
function reference(cap: number, windowMs: number, byDay: boolean, plusCost: boolean, history: Requests, future: Requests) {
  const caps = new KeyCaps(windowMs, byDay, plusCost);
  caps.add(cap);
  const step = (t: number, c: number) => {
    if (caps.refuses(0, t, c)) {
      caps.recordBlock(0, t, c);
      return false;
    }
    caps.admit(0, t, c);
    return true;
  };
  history.time.forEach((t, i) => caps.hold(0, t, history.cost[i]));
  let blocked = 0;
  let blockedMicros = 0;
  let admittedMicros = 0;
  future.time.forEach((t, i) => {
    const c = future.cost[i];
    if (step(t, c)) admittedMicros += c;
    else {
      blocked++;
      blockedMicros += c;
    }
  });
  return { blocked, blockedMicros, admittedMicros, episodes: caps.episodes[0] };
}

const requests = (from: number, hours: number) =>
  fc
    .array(fc.record({ at: fc.integer({ min: 0, max: hours * 2 - 1 }), cost: fc.integer({ min: 0, max: 40 }) }), { maxLength: 60 })
    .map((rs): Requests => {
      const sorted = rs.map((r) => ({ t: from + r.at * 30 * 60_000, c: r.cost * 250_000 })).sort((a, b) => a.t - b.t);
      return { time: sorted.map((r) => r.t), cost: sorted.map((r) => r.c) };
    });

describe('a key on its own, path after path', () => {
  it('decides each future as a fresh replay of its history would, its window restored rather than replayed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).map((d) => d * DAY),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 60 }).map((usd) => usd * 250_000),
        fc.boolean(),
        requests(FROM - 5 * DAY, 5 * 24),
        fc.array(requests(FROM, 3 * 24), { minLength: 1, maxLength: 4 }),
        (windowMs, byDay, plusCost, cap, fractional, history, futures) => {
          // fractional costs: the window's sum could round differently, so each path replays the history
          const hist = fractional ? { time: history.time, cost: history.cost.map((c) => c + 0.1) } : history;
          const key = new IsolatedKey({ capMicros: cap, windowMs, byDay, plusCost });
          for (const future of futures) {
            const want = reference(cap, windowMs, byDay, plusCost, hist, future);
            const got = key.run(hist, future);
            expect({ ...got, episodes: [...got.episodes] }).toEqual({ ...want, episodes: [...want.episodes] });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds a history over its cap whole: spend the platform ran under another cap, which this one re-decides none of', () => {
    // $16 held against a $10 cap: the key is refused until the first $4 leaves, 2 days on
    const history = { time: [0, 1, 2, 3].map((h) => FROM - DAY + h * HOUR), cost: [4e6, 4e6, 4e6, 4e6] };
    const future = { time: [FROM, FROM + HOUR, FROM + DAY + 2 * HOUR], cost: [1e6, 1e6, 1e6] };
    const key = new IsolatedKey({ capMicros: 10e6, windowMs: 2 * DAY, byDay: false, plusCost: true });
    const want = reference(10e6, 2 * DAY, false, true, history, future);
    expect(key.run(history, future)).toEqual(want);
    expect(key.run(history, future)).toEqual(want);
    expect(want).toMatchObject({ blocked: 2, admittedMicros: 1e6 });
    // refused from its first request until the window falls to $9: the second $4 leaving, at FROM + DAY + 1 h
    expect(want.episodes).toEqual([{ from: FROM, until: FROM + DAY + HOUR }]);
  });
});

describe("a series' draws with its per-model day table", () => {
  const values = Array.from({ length: 90 }, (_, d) => 100 + 2 * d + 25 * Math.sin(d * 1.7));
  const drawOf = (model: SeriesModel): number[] => {
    const ordinary = new Float64Array(30);
    const runaway = new Float64Array(30);
    simulateSeries(model, 30, makeRng(11), ordinary, runaway);
    return [...ordinary, ...runaway];
  };
  const fitted = (kind?: 'level'): SeriesModel => {
    const m = fitSeries(values, FROM - 90 * DAY, kind ? { kind } : {});
    // the alternatives draw some paths: left out, every path reads the fields changed below
    delete m.mixture;
    return m;
  };

  it('are the same for a copy of the model as a worker receives it (structured clone)', () => {
    const m = fitted();
    expect(drawOf(structuredClone(m))).toEqual(drawOf(m));
  });

  it('follow the model when it is refitted in place, field by field (the table is not kept stale)', () => {
    // a local level whose bound clips its days: its busiest day and level held low
    const clipped = (m: SeriesModel): void => {
      m.maxDay = 1e-6;
      m.level = 1e-6;
    };
    const changes: [string, 'level' | undefined, (m: SeriesModel) => void][] = [
      ['a', undefined, (m) => (m.a *= 1.5)],
      ['b', undefined, (m) => (m.b += 3)],
      ['kind', undefined, (m) => (m.kind = m.kind === 'level' ? 'trend' : 'level')],
      ['damping', undefined, (m) => (m.damping = 0.9)],
      ['n', undefined, (m) => (m.n -= 3)],
      ['start', undefined, (m) => (m.start -= DAY)],
      ['seasonal', undefined, (m) => (m.seasonal = [0.2, 1.5, 1.5, 1.2, 1, 1, 0.6])],
      ['innovations', undefined, (m) => (m.innovations = m.innovations.map((x) => x * 3))],
      ['level', 'level', (m) => (m.level = 1)],
      ['maxDay', 'level', (m) => (m.maxDay = 1e9)],
    ];
    for (const [field, kind, change] of changes) {
      const m = fitted(kind);
      if (kind) clipped(m);
      const before = drawOf(m);
      change(m);
      // a fresh object has no table yet: what the changed model must draw
      expect(drawOf(m), field).toEqual(drawOf({ ...m }));
      expect(drawOf(m), field).not.toEqual(before);
    }
  });
});
