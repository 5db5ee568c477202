import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { censoredInformation, fitSeries, simulateSeries } from '../src/forecast/model.ts';
import { detectCensoredByLimit } from '../src/forecast/censor.ts';
import { hashSeed, makeRng } from '../src/forecast/rng.ts';
import { generateSeries } from './support/forecast-workspaces.ts';
import { T0 } from './forecast-helpers.ts';

describe('a count series held at its limit (Tobit fit with its Poisson spread)', () => {
  // 60 generated webhooks wanting 30–36 runs a day and growing 30 % a month, their history cut at
  // 42 a day by the limit: the forecast's bands against the next 30 days of true demand
  const D = 30;
  const P = 100;
  let below = 0;
  let inside = 0;
  let days = 0;
  let totalsBelow = 0;
  let totalsInside = 0;
  let series = 0;
  for (let seed = 0; seed < 60; seed++) {
    const g = generateSeries('trigger42', hashSeed(77, seed), `t${seed}`);
    const censored = detectCensoredByLimit(g.history, 42);
    if (!censored.some(Boolean)) continue;
    const m = fitSeries(g.history, g.start, { censored, counts: true });
    const rng = makeRng(seed);
    const sims = new Float64Array(P * D);
    const totals = new Float64Array(P);
    const row = new Float64Array(D);
    for (let p = 0; p < P; p++) {
      simulateSeries(m, D, rng, row, null);
      for (let h = 0; h < D; h++) {
        sims[h * P + p] = row[h];
        totals[p] += row[h];
      }
    }
    for (let h = 0; h < D; h++) {
      const col = sims.subarray(h * P, (h + 1) * P).sort();
      const y = g.future[h];
      below += y < col[P / 2 - 1] ? 1 : 0;
      inside += y >= col[P / 10 - 1] && y <= col[(9 * P) / 10 - 1] ? 1 : 0;
      days++;
    }
    totals.sort();
    const total = g.future.reduce((a, b) => a + b, 0);
    totalsBelow += total < totals[P / 2 - 1] ? 1 : 0;
    totalsInside += total >= totals[P / 10 - 1] && total <= totals[(9 * P) / 10 - 1] ? 1 : 0;
    series++;
  }

  it('is not biased by the days the limit held down', () => {
    expect(series).toBeGreaterThanOrEqual(40);
    // keeping the Poisson split but losing the Tobit fit's offset put 34 % of totals below P50
    expect(below / days).toBeGreaterThanOrEqual(0.4);
    expect(below / days).toBeLessThanOrEqual(0.6);
    expect(totalsBelow / series).toBeGreaterThanOrEqual(0.38);
    expect(totalsBelow / series).toBeLessThanOrEqual(0.62);
  });

  it('puts about 80 % of realized days and 30-day totals inside P10–P90, not nearly all of them', () => {
    expect(inside / days).toBeGreaterThanOrEqual(0.72);
    expect(inside / days).toBeLessThanOrEqual(0.88);
    // 30-day totals too: widening the level by the censored share (1 + 4 × the recent share)
    // instead of the bounds' information put 41 of these 47 totals inside, 94 % of all 159 in
    // the bench
    expect(totalsInside / series).toBeGreaterThanOrEqual(0.7);
    expect(totalsInside / series).toBeLessThanOrEqual(0.85);
  });

  it('counts a bound as part of a day’s information: 0.64 at the expected value, none far below it', () => {
    expect(censoredInformation(0)).toBeCloseTo(0.637, 2);
    // a bound far below the expected value says almost nothing (the day was surely above it)...
    expect(censoredInformation(-1)).toBeLessThan(censoredInformation(0));
    expect(censoredInformation(-6)).toBeLessThan(0.01);
    // ...one far above it says the day was just above it: nearly an observed day
    expect(censoredInformation(1)).toBeGreaterThan(censoredInformation(0));
    expect(censoredInformation(5)).toBeGreaterThan(0.9);
    expect(censoredInformation(40)).toBeGreaterThan(0.9);
    for (const z of [-2, -1, 0, 0.5, 2, 5, 40]) {
      expect(censoredInformation(z)).toBeGreaterThanOrEqual(0);
      expect(censoredInformation(z)).toBeLessThanOrEqual(1);
    }
  });
});

describe('the last history day', () => {
  /** `perDay` runs spread over 07:00–21:00 for 30 days; the last day's runs all before `lastBefore` h */
  function history(perDay: number, lastRuns: number, lastBefore: number) {
    const b = new EventColumnsBuilder();
    const rng = makeRng(5);
    for (let d = 0; d < 30; d++) {
      const n = d === 29 ? lastRuns : perDay;
      const to = d === 29 ? lastBefore : 21;
      for (let i = 0; i < n; i++) b.push(T0 + d * DAY + 7 * HOUR + Math.floor(rng() * (to - 7) * HOUR), EventType.trigger, 't', 0);
    }
    return b.build();
  }

  it('is a whole day when it was quiet and simply ended early', () => {
    // 11 runs of a webhook that runs 07:00–21:00, all before 18:00: one day in six does that
    const h = buildHistory(history(25, 11, 18));
    expect(h.partialDay).toBeNull();
    expect(h.days).toBe(30);
    expect(h.end).toBe(T0 + 30 * DAY);
  });

  it('is left out when it holds too many runs to have ended that early by chance', () => {
    // 25 runs all before 12:00 on a webhook whose runs spread to 21:00: an export taken at noon
    const h = buildHistory(history(25, 25, 12));
    expect(h.partialDay).toBe('2026-02-03');
    expect(h.days).toBe(29);
  });
});
