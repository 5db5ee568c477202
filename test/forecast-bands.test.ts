import { describe, expect, it } from 'vitest';
import { quantile } from 'simple-statistics';
import { quantileSorted, selectBand, selectBandLinear } from '../src/forecast/daily.ts';
import { makeRng } from '../src/forecast/rng.ts';

// Path figures with many ties (counts, zeros) and odd and even lengths, as the Monte Carlo gives
function samples(): number[][] {
  const rng = makeRng(7);
  const out: number[][] = [];
  for (let t = 0; t < 400; t++) {
    const n = 1 + Math.floor(rng() * 260);
    const ties = 1 + Math.floor(rng() * 4);
    out.push(Array.from({ length: n }, () => (rng() < 0.5 ? Math.floor(rng() * ties) : rng() * 1000)));
  }
  return out;
}

describe('path bands by selection', () => {
  it('give the Monte Carlo figures the same P10/P50/P90 as simple-statistics (linear interpolation)', () => {
    for (const v of samples()) {
      const [p10, p50, p90] = quantile(v, [0.1, 0.5, 0.9]);
      expect(selectBandLinear(Float64Array.from(v))).toEqual({ p10, p50, p90 });
    }
  });

  it('give the daily bands the values their rank rule gives on the sorted values', () => {
    for (const v of samples()) {
      const sorted = Float64Array.from(v).sort();
      const want = { p10: quantileSorted(sorted, 0.1), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) };
      expect(selectBand(Float64Array.from(v))).toEqual(want);
    }
  });
});
