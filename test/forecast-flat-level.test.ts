/**
 * A key whose spend does not trend is forecast at about its recent spend. Its quiet days (a
 * weekend at 5–20 % of a weekday, a few requests) are divided by their small weekday index to
 * deseasonalise them, so a few cents over a quiet Sunday's expectation read as a weekday's worth
 * of extra spend: counted like a busy day they moved the level (and a straight line's end) well
 * above every recent average. And a local level started from its first week's mean spent weeks
 * climbing or sinking from that week's luck: those days' errors, all of one sign, are what every
 * path resamples, so their mean became a daily offset and a drift of the paths' level.
 */
import { describe, expect, it } from 'vitest';
import { DAY } from '../src/engine/units.ts';
import { generateWorkspace } from '../src/demo/generator.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { fitSeries, forecastDay, outlierCeiling, simulateSeries, weekdayOf } from '../src/forecast/model.ts';
import { makeRng, normal } from '../src/forecast/rng.ts';
import { T0 } from './forecast-helpers.ts';

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe('a key whose spend does not trend', () => {
  it('is forecast near its recent spend, not above every recent average (the demo keys with no trend)', () => {
    // The demo's four keys generated with no trend (ETL, Analytics, CI checks, Developer sandbox),
    // 60 days each of 30 seeded workspaces: 120 keys. Before, 8 of them had a median path above
    // the highest of their 7-, 14- and 28-day averages by 11–40 % (the sandbox of seed 29 by
    // 40 %), and one point forecast by 15 % (CI checks of seed 24).
    const FLAT = ['k_data_pipeline', 'k_analytics', 'k_ci_bot', 'k_dev_sandbox'];
    const D = 28;
    const P = 200;
    const over: { what: string; ratio: number }[] = [];
    const ratios: number[] = [];
    const ord = new Float64Array(D);
    const run = new Float64Array(D);
    for (let seed = 1; seed <= 30; seed++) {
      const history = buildHistory(generateWorkspace({ seed }).events);
      for (const id of FLAT) {
        const s = history.keys.find((k) => k.id === id);
        if (!s) throw new Error(`the demo has no key ${id}`);
        const model = fitSeries(s.values, s.start);
        // recent averages of ordinary spend, as the model reads it (a runaway day clipped)
        const ceiling = outlierCeiling(s.values);
        const ordinary = s.values.map((v) => Math.min(v, ceiling));
        const highest = Math.max(...[7, 14, 28].map((n) => mean(ordinary.slice(-n))));
        let point = 0;
        for (let h = 0; h < D; h++) point += forecastDay(model, history.end + h * DAY) / D;
        const rng = makeRng(seed);
        const perDay: number[] = [];
        for (let p = 0; p < P; p++) {
          simulateSeries(model, D, rng, ord, run);
          perDay.push(mean(Array.from(ord)));
        }
        perDay.sort((a, b) => a - b);
        const median = (perDay[P / 2 - 1] + perDay[P / 2]) / 2;
        ratios.push(median / mean(ordinary.slice(-28)));
        if (point > 1.1 * highest) over.push({ what: `seed ${seed} ${id}: point forecast`, ratio: point / highest });
        if (median > 1.1 * highest) over.push({ what: `seed ${seed} ${id}: median path`, ratio: median / highest });
      }
    }
    // none far past (before: 6 forecasts, up to 1.40 ×); one key's noise may put it a little past
    // (now the sandbox of seed 18, 1.10 ×; before: 9 forecasts of 8 keys)
    expect(over.filter((x) => x.ratio > 1.15)).toEqual([]);
    expect(over.length).toBeLessThanOrEqual(2);
    // and centred on the 28-day average, 28 days holding four of each weekday
    ratios.sort((a, b) => a - b);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeGreaterThan(0.93);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeLessThan(1.05);
  });

  it('does not raise every weekday by what a quiet Sunday spent beyond its usual few cents', () => {
    // $10 a weekday, $0.50 a weekend day, for 8 weeks; the last Sunday spent $2.50. That is $2
    // more in a week of $51: its level may rise by a few per cent at most. Divided by its weekday
    // index of 0.07, the Sunday read as a $37 day and raised the level by 8.7 %: $4.43 more
    // forecast over the next week for the $2 it spent.
    const days = 56;
    const values = Array.from({ length: days }, (_, t) => {
      const wd = weekdayOf(T0 + t * DAY);
      const weekend = wd === 0 || wd === 6;
      // a little noise, so the weekday indices and the smoothing are fitted, not given
      const wobble = 1 + 0.04 * Math.sin(t * 2.3);
      return (weekend ? 0.5e6 : 10e6) * wobble;
    });
    const lastSunday = values.map((_, t) => t).filter((t) => weekdayOf(T0 + t * DAY) === 0).pop() ?? -1;
    const plain = fitSeries(values, T0, { kind: 'level' });
    const spiked = values.slice();
    spiked[lastSunday] = 2.5e6;
    const after = fitSeries(spiked, T0, { kind: 'level' });
    expect(after.level / plain.level).toBeLessThan(1.05);
    // the week's forecast moves by about what the week spent more, not by a weekday's worth a day
    let before = 0;
    let now = 0;
    const end = T0 + days * DAY;
    for (let h = 0; h < 7; h++) {
      before += forecastDay(plain, end + h * DAY);
      now += forecastDay(after, end + h * DAY);
    }
    expect(now - before).toBeLessThan(2e6);
  });

  it('keeps its paths at its level when its first week ran low', () => {
    // 20 flat keys (±15 % a day) whose first week ran at 60 % of their usual spend, as a new key's
    // often does. The smoothing's climb out of that week chose a quick α (0.2–0.35), and the
    // climb's errors, all positive, stayed in what every path resamples: a mean error of +3–5 %,
    // a daily offset and, through the level's own update, a drift. The paths' median ran 4–34 %
    // above the highest of each key's 7-, 14- and 28-day averages, on every one of the 20 (15 of
    // them by more than 10 %, typically by 17 %).
    const D = 30;
    const P = 400;
    const ord = new Float64Array(D);
    const run = new Float64Array(D);
    const ratios: number[] = [];
    const above: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const noise = makeRng(seed);
      const values = Array.from({ length: 60 }, (_, t) => (t < 7 ? 0.6 : 1) * 10e6 * Math.exp(0.15 * normal(noise) - 0.15 ** 2 / 2));
      const model = fitSeries(values, T0, { kind: 'level' });
      const rng = makeRng(5);
      const perDay: number[] = [];
      for (let p = 0; p < P; p++) {
        simulateSeries(model, D, rng, ord, run);
        perDay.push(mean(Array.from(ord)));
      }
      perDay.sort((a, b) => a - b);
      const median = perDay[P / 2];
      const highest = Math.max(...[7, 14, 28].map((n) => mean(values.slice(-n))));
      ratios.push(median / highest);
      if (median > 1.1 * highest) above.push(`seed ${seed}: ${(median / highest).toFixed(2)} × its highest recent average`);
    }
    expect(above).toEqual([]);
    // a quick smoothing still lets each key's noise move its median (now 0.83–1.06 × its highest
    // recent average), but no longer one way
    const typical = Math.exp(mean(ratios.map((r) => Math.log(r))));
    expect(typical).toBeGreaterThan(0.85);
    expect(typical).toBeLessThan(1.02);
  });
});
