import { describe, expect, it } from 'vitest';
import { capCurve, capOnCurve, capsAtRisks, RISK_RANGE } from '../src/forecast/cap-risk.ts';
import { makeRng, normal } from '../src/forecast/rng.ts';

// The Forecast page moves the cap risk continuously and reads the cap off each key's risk curve,
// with no new simulation: the curve must give the same cap as sizing it from the paths directly.
describe('a key’s risk curve', () => {
  const rng = makeRng(42);
  const P = 200;
  const last29 = Array.from({ length: 29 }, () => 10e6 * (1 + 0.2 * normal(rng)));
  const ordinary = Array.from({ length: P }, () => {
    const level = 10e6 * Math.exp(0.25 * normal(rng));
    return Float64Array.from({ length: 30 }, () => Math.max(0, level * (1 + 0.3 * normal(rng))));
  });
  const runaway = Array.from({ length: P }, () => Float64Array.from({ length: 30 }, () => (rng() < 0.03 ? 80e6 : 0)));
  const roundUp = (m: number) => Math.ceil(m / 5e6) * 5e6;
  const curve = capCurve(last29, ordinary, runaway, roundUp);

  it('gives, at every risk, the cap sized directly from the paths, with its chance and trade-off', () => {
    const risks = [RISK_RANGE.min, 0.01, 0.0137, 0.05, 0.123, 0.25, 0.333, RISK_RANGE.max];
    const direct = capsAtRisks(last29, ordinary, runaway, roundUp, risks);
    risks.forEach((risk, i) => {
      const c = capOnCurve(curve, risk);
      expect(c, `risk ${risk}`).not.toBeNull();
      expect(c?.capUsd, `risk ${risk}`).toBe(direct[i].capUsd);
      expect(c?.cappedOutChance).toBe(direct[i].cappedOutChance);
      expect(c?.cappedOutChance).toBeLessThanOrEqual(risk);
      expect(c?.ordinaryBlockedUsd).toBe(direct[i].ordinaryBlockedUsd);
      expect(c?.runawayStoppedUsd).toBe(direct[i].runawayStoppedUsd);
    });
  });

  it('is ordered: a higher risk never asks for a higher cap, and the cap moves across the range', () => {
    let last = Infinity;
    for (let r = RISK_RANGE.min; r <= RISK_RANGE.max; r += 0.001) {
      const cap = capOnCurve(curve, r)?.capUsd ?? NaN;
      expect(cap).toBeLessThanOrEqual(last);
      last = cap;
    }
    expect(capOnCurve(curve, RISK_RANGE.max)?.capUsd).toBeLessThan(capOnCurve(curve, RISK_RANGE.min)?.capUsd ?? 0);
    // caps are distinct and ascending, chances descending
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i].capUsd).toBeGreaterThan(curve[i - 1].capUsd);
      expect(curve[i].cappedOutChance).toBeLessThanOrEqual(curve[i - 1].cappedOutChance);
    }
  });
});
