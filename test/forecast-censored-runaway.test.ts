/**
 * A key whose spend stopped at its cap (issue 17 item 3): the export holds $10 a day until the
 * $100 cap filled, nothing while the platform refused the key, and $10 a day again as its rolling
 * window freed. Its forecast once ran to a 30-day P90 of millions of dollars.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { fitSeries, simulateSeries, MAX_DAY_MULTIPLE } from '../src/forecast/model.ts';
import { makeRng } from '../src/forecast/rng.ts';
import { FEW_OBSERVED_NOTE } from '../src/forecast/daily.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';

const T0 = Date.UTC(2026, 0, 5);
const USD = 1_000_000;

function cutHistory() {
  const b = new EventColumnsBuilder();
  for (const d of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 30, 31, 32, 33, 34]) b.push(T0 + d * DAY + 12 * HOUR, EventType.api, 'k', 10 * USD);
  return b.build();
}

describe('a key held at its cap: the forecast stays near the demand its history shows', () => {
  it('forecasts 30 days around $300 (demand $10 a day), not millions, and reads the history as censored', async () => {
    for (const profile of ['documented', 'platform'] as const) {
      const plan = validatePlan({ apiKeys: [{ id: 'k', capUsd: 100 }], workspace: { spendLimits: [] }, enforcement: { profile } });
      const r = await forecast(cutHistory(), plan, { days: 30, paths: 0, workers: 0 });
      const s = r.series.find((x) => x.id === 'k')!;
      expect(s.censoredDays).toBeGreaterThan(20);
      // 9 days the cap let through: the band is widened, and the series says so
      expect(s.censorNote).toBe(FEW_OBSERVED_NOTE);
      expect(describeForecast(r)).toContain(FEW_OBSERVED_NOTE);
      // demand is at least what was let through ($10 a day), and a few times that at most
      expect(s.total.p50).toBeGreaterThan(200 * USD);
      expect(s.total.p50).toBeLessThan(600 * USD);
      expect(s.total.p90).toBeGreaterThan(100 * USD);
      expect(s.total.p90).toBeLessThan(1500 * USD);
    }
  });

  it('a censored fit on a few days the limit let through keeps a band, neither a point nor unbounded', () => {
    // 35 days: $10 on days 0–9 and 30–34, the cap binding from day 9 on
    const values = Array.from({ length: 35 }, (_, d) => (d < 10 || d >= 30 ? 10 * USD : 0));
    const censored = values.map((_, d) => d >= 9);
    const m = fitSeries(values, T0, { censored });
    expect(m.fewObserved).toBe(true);
    const rng = makeRng(7);
    const day = new Float64Array(30);
    const run = new Float64Array(30);
    const totals: number[] = [];
    for (let p = 0; p < 400; p++) {
      simulateSeries(m, 30, rng, day, run);
      for (const v of day) expect(v).toBeLessThanOrEqual(MAX_DAY_MULTIPLE * 10 * USD * 1.000001);
      totals.push(day.reduce((a, b) => a + b, 0));
    }
    totals.sort((a, b) => a - b);
    // wider than a point: the P10–P90 spans at least ±10 % of the median
    expect(totals[360]! - totals[40]!).toBeGreaterThan(0.2 * totals[200]!);
  });
});
