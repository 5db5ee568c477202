import { describe, expect, it } from 'vitest';
import { buildHistory } from '../src/forecast/series.ts';
import { fitSeries, pointAt } from '../src/forecast/model.ts';
import { backtest, dailyForecasts } from '../src/forecast/daily.ts';
import { buildScenario } from '../src/forecast/scenario.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { InputError } from '../src/errors.ts';
import { synthHistory, T0, wd } from './forecast-helpers.ts';
import { weekdayOf } from '../src/forecast/model.ts';

describe('QA F2: series idle on some weekdays', () => {
  it('forecasts a weekday-only series at its weekday level, not 0', () => {
    // 1 a day Monday..Friday, 0 at weekends (a weekday digest), 60 days from a Monday
    const values = Array.from({ length: 60 }, (_, d) => (wd(d) === 0 || wd(d) === 6 ? 0 : 1));
    const m = fitSeries(values, T0);
    expect(Number.isFinite(m.level)).toBe(true);
    expect(Number.isFinite(m.slope)).toBe(true);
    for (let d = 60; d < 74; d++) expect(pointAt(m, d)).toBeCloseTo(wd(d) === 0 || wd(d) === 6 ? 0 : 1, 6);
  });

  it('forecasts a Monday-only job once a week', () => {
    const values = Array.from({ length: 63 }, (_, d) => (wd(d) === 1 ? 1 : 0));
    const m = fitSeries(values, T0);
    let total = 0;
    for (let d = 63; d < 91; d++) total += pointAt(m, d);
    expect(total).toBeCloseTo(4, 6);
  });
});

describe('QA F3: one runaway day', () => {
  // $2..$5 a day, except a $4,534 runaway on day 38 (a Thursday: T0 is a Monday)
  const values = Array.from({ length: 60 }, (_, d) => (d === 38 ? 4_534_000_000 : 2_000_000 + (d % 4) * 1_000_000));

  it('neither becomes a weekly spike nor dominates the bootstrap', () => {
    expect(weekdayOf(T0 + 38 * 86_400_000)).toBe(4);
    const m = fitSeries(values, T0);
    for (const s of m.seasonal) expect(s).toBeLessThan(1.5);
    for (const r of m.residuals) expect(r).toBeLessThan(3);
    let total = 0;
    for (let d = 60; d < 90; d++) total += pointAt(m, d);
    // 30 days at $2..$5 a day: about $105, not $1,400
    expect(total / 1e6).toBeLessThan(150);
    expect(total / 1e6).toBeGreaterThan(60);
  });

  it('judges the model against the baseline per series and says where it loses', () => {
    const ev = synthHistory(60, [
      // a step from $3 to $9 a day on day 38: last week's values predict the held-out days better than a trend
      { type: 'api', subject: 'k_step', daily: (d) => (d < 38 ? 3_000_000 : 9_000_000), costPerRequest: 100_000 },
      { type: 'trigger', subject: 't_cron', daily: () => 24 },
      { type: 'api', subject: 'k_steady', daily: () => 5_000_000, costPerRequest: 100_000 },
    ], 5, false);
    const bt = backtest(buildHistory(ev));
    const step = bt.series.find((s) => s.id === 'k_step')!;
    expect(step).toMatchObject({ beatsNaive: false, verdict: 'worse' });
    // a perfectly regular job is forecast exactly by both: a tie, not a loss
    expect(bt.series.find((s) => s.id === 't_cron')!.verdict).toBe('equal');
    expect(bt.seriesLosingToNaive).toEqual(['k_step']);
    expect(bt.seriesBeatingNaive).toBe(bt.series.filter((s) => s.verdict === 'better').length);
  });
});

describe('QA F5: units in the forecast JSON', () => {
  it('labels each series with its unit', () => {
    const ev = synthHistory(30, [
      { type: 'api', subject: 'k', daily: () => 5_000_000, costPerRequest: 100_000 },
      { type: 'trigger', subject: 't', daily: () => 10 },
    ], 5, false);
    const h = buildHistory(ev);
    const sc = buildScenario(h, validatePlan({}), 7);
    const f = dailyForecasts(sc, 4, 1);
    expect(f.find((s) => s.kind === 'key_spend')!.unit).toBe('usd_micros');
    expect(f.find((s) => s.kind === 'trigger_runs')!.unit).toBe('runs');
    expect(f.find((s) => s.kind === 'messages')!.unit).toBe('messages');
  });
});

describe('QA F6: what-if knobs', () => {
  const ev = synthHistory(30, [
    { type: 'api', subject: 'k', daily: () => 5_000_000, costPerRequest: 100_000 },
    { type: 'trigger', subject: 't', daily: () => 10 },
  ], 5, false);
  const h = buildHistory(ev);
  const plan = validatePlan({ apiKeys: [{ id: 'k_plan_only', capUsd: 10 }] });

  it('refuses a growth below -100 %', () => {
    expect(() => buildScenario(h, plan, 7, { keyGrowth: { k: -1.5 } })).toThrow(InputError);
    expect(() => buildScenario(h, plan, 7, { keyGrowth: { k: -1.5 } })).toThrow(/-150 %.*-100 %/);
    expect(() => buildScenario(h, plan, 7, { triggerGrowth: { t: -2 } })).toThrow(/-100 %/);
    const ok = buildScenario(h, plan, 7, { keyGrowth: { k: -1 } });
    expect(ok.series.find((s) => s.id === 'k')!.growth).toBe(-1);
  });

  it('refuses an id that is neither in the plan nor in the ledger', () => {
    expect(() => buildScenario(h, plan, 7, { keyGrowth: { nokey: 0.2 } })).toThrow(/unknown API key "nokey"/);
    expect(() => buildScenario(h, plan, 7, { triggerGrowth: { t_typo: 0.2 } })).toThrow(/unknown trigger "t_typo"/);
    expect(() => buildScenario(h, plan, 7, { modes: { t_typo: 'programmatic' } })).toThrow(InputError);
    expect(() => buildScenario(h, plan, 7, { keyGrowth: { k_plan_only: 0.2, '*': 0.1 }, triggerGrowth: { t: 0.1 } })).not.toThrow();
  });
});

describe('QA F4: the Monte Carlo reports the workspace spend limits', () => {
  it('counts what each spend limit blocks on the paths', async () => {
    const { forecast } = await import('../src/forecast/index.ts');
    const ev = synthHistory(28, [{ type: 'api', subject: 'k', daily: () => 40_000_000, costPerRequest: 1_000_000 }], 5, false);
    const plan = validatePlan({ workspace: { spendLimits: [{ id: 'tight', amountUsd: 30, window: 'utc-day' }, { id: 'loose', amountUsd: 100_000, window: 'rolling-30d' }] } });
    const r = await forecast(ev, plan, { days: 7, paths: 4, workers: 0 });
    const [tight, loose] = r.monteCarlo!.spendLimits;
    expect(tight).toMatchObject({ id: 'tight', amountUsd: 30, blockedShareOfPaths: 1 });
    // $40 requested a day against $30: 10 requests of $1 blocked a day, 7 days
    expect(tight.blockedRequests.p50).toBe(70);
    expect(tight.blockedUsd.p50).toBeCloseTo(70, 6);
    expect(loose).toMatchObject({ id: 'loose', blockedShareOfPaths: 0 });
  });
});
