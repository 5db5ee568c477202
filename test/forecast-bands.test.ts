import { describe, expect, it } from 'vitest';
import { quantile } from 'simple-statistics';
import { quantileSorted, selectBand, selectBandLinear } from '../src/forecast/daily.ts';
import { makeRng } from '../src/forecast/rng.ts';
import { selectKth, selectRanks } from '../src/forecast/select.ts';
import { crps } from '../src/forecast/model.ts';

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

  it('find each rank among all the values when a NaN breaks the split (the same ranks one by one)', () => {
    const rng = makeRng(11);
    for (let t = 0; t < 200; t++) {
      const n = 2 + Math.floor(rng() * 60);
      const v = Float64Array.from({ length: n }, () => (rng() < 0.1 ? NaN : Math.floor(rng() * 5)));
      const ks = [Math.floor(n / 10), Math.floor(n / 2), Math.floor((9 * n) / 10)].sort((a, b) => a - b);
      const one = v.slice();
      const want = ks.map((k) => selectKth(one, n, k));
      const out = new Float64Array(ks.length);
      selectRanks(v.slice(), n, ks, out);
      expect(Array.from(out)).toEqual(want);
    }
  });

  it('score an ensemble (CRPS) the same whatever its order, with ties, zeros and a NaN', () => {
    const rng = makeRng(5);
    const reference = (v: Float64Array, y: number): number => {
      const a = Float64Array.from(v).sort();
      let abs = 0;
      let spread = 0;
      a.forEach((x, i) => {
        abs += Math.abs(x - y);
        spread += x * (2 * i - a.length + 1);
      });
      return abs / a.length - spread / (a.length * a.length);
    };
    for (let t = 0; t < 300; t++) {
      const n = [1, 2, 50, 64, 65, 200][t % 6];
      const v = Float64Array.from({ length: n }, () => (rng() < 0.3 ? Math.floor(rng() * 3) : rng() * 100));
      if (t % 50 === 0) v[Math.floor(rng() * n)] = NaN;
      const y = rng() * 100;
      expect(crps(v.slice(), y)).toBe(reference(v, y));
    }
  });
});
