/**
 * A series its limit held on every day of its history (issue 17 item 3): the export holds no
 * figure above the limit, so the forecast's band must reach above it, its median must not fall
 * below it, and the output must say that the figure above it is an assumption. Both once gave a
 * band that was a point at the limit: messages held at 500 a day, 15,000 / 15,000 / 15,000 over
 * 30 days; a trigger held at 42 a day, 1,269 / 1,270 / 1,272.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import type { ForecastReport, SeriesForecast } from '../src/forecast/index.ts';
import { fitSeries, simulateSeries } from '../src/forecast/model.ts';
import { makeRng, poisson } from '../src/forecast/rng.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { T0 } from './forecast-helpers.ts';

const DAYS = 45;
const HORIZON = 30;

/**
 * What the platform's export shows of `perDay` events a day wanted (07:00–21:00, Poisson): only
 * those its own limits let through, at the time they ran.
 */
function heldExport(plan: Plan, type: EventTypeCode, subjects: readonly string[], perDay: number): EventColumns {
  const rng = makeRng(17);
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    const n = poisson(rng, perDay);
    for (let i = 0; i < n; i++) b.push(T0 + d * DAY + 7 * HOUR + Math.floor(rng() * 14 * HOUR), type, subjects[Math.floor(rng() * subjects.length)], 0);
  }
  const demand = b.build();
  const r = simulate(plan, demand, { until: T0 + DAYS * DAY - 1 });
  const ran: { t: number; s: string }[] = [];
  for (let i = 0; i < demand.count; i++) if (r.outcome[i] === Outcome.admitted) ran.push({ t: r.admittedAt[i], s: demand.subjects[demand.subject[i]] });
  ran.sort((x, y) => x.t - y.t);
  const out = new EventColumnsBuilder();
  for (const x of ran) out.push(x.t, type, x.s, 0);
  return out.build();
}

async function heldForecast(plan: Plan, events: EventColumns, kind: SeriesForecast['kind']): Promise<{ r: ForecastReport; s: SeriesForecast }> {
  const r = await forecast(events, plan, { days: HORIZON, paths: 0, workers: 0 });
  const s = r.series.find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} series`);
  return { r, s };
}

const messagesPlan = validatePlan({ workspace: { seats: 5, messagesPerSeatPerDay: 100 } });
const triggerPlan = validatePlan({
  workspace: { seats: 50, messagesPerSeatPerDay: 100 },
  triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }],
  enforcement: { webhookWhenLimited: 'drop' },
});
const users = Array.from({ length: 40 }, (_, i) => `u${i}`);

describe('a series held at its limit on every day of its history', () => {
  it('messages held at a 500-a-day allowance: the band reaches above 15,000 for 30 days, never below it, and says it is assumed', async () => {
    const { r, s } = await heldForecast(messagesPlan, heldExport(messagesPlan, EventType.message, users, 650), 'messages');
    expect(s.censoredDays).toBe(DAYS);
    const bound = 500 * HORIZON;
    // the history says demand reached 500 every day: the median is not below it...
    expect(s.total.p50).toBeGreaterThanOrEqual(bound);
    expect(s.total.p10).toBeGreaterThanOrEqual(0.98 * bound);
    // ...and how far above, it cannot say: the band reaches well above it (once 15,029)
    expect(s.total.p90).toBeGreaterThan(1.2 * bound);
    expect(s.heldAtLeast).toBeGreaterThanOrEqual(490);
    // the output says plainly that every day was held and what the band above it assumes
    expect(s.censorNote).toMatch(/held at its limit on every day of its history \(45 days\)/);
    expect(s.censorNote).toMatch(/at least about 50\d messages a day/);
    expect(s.censorNote).toMatch(/assumption/);
    expect(r.notes.join('\n')).toMatch(/1 series held at the limit on every day fitted: \(people\) \(demand at least about 50\d messages a day\).*assumed spread/);
    expect(describeForecast(r)).toMatch(/messages +\(people\) .*held at its limit on every day/);
    // the model is named for what it is, not as a short history (its first pass had no observed day)
    expect(s.model).toBe('level');
  });

  it('a trigger held at 42 runs a day: its median stays at or above 42 a day, its band reaches above', async () => {
    const { r, s } = await heldForecast(triggerPlan, heldExport(triggerPlan, EventType.trigger, ['t_hook'], 60), 'trigger_runs');
    expect(s.censoredDays).toBe(DAYS);
    const bound = 42 * HORIZON;
    expect(s.total.p50).toBeGreaterThanOrEqual(bound);
    expect(s.total.p10).toBeGreaterThanOrEqual(0.97 * bound);
    // once 1,262: the history holds no figure above 42, so 42 is no ceiling on demand
    expect(s.total.p90).toBeGreaterThan(1.2 * bound);
    for (const d of s.days) expect(d.p50).toBeGreaterThanOrEqual(42);
    expect(s.censorNote).toMatch(/held at its limit on every day of its history/);
    expect(s.censorNote).toMatch(/at least about 42 runs a day/);
    expect(describeForecast(r)).toMatch(/trigger_runs t_hook .*held at its limit on every day/);
    // its held-out days are bounds too: forecasting demand above them is no miss, so the backtest
    // does not call the model worse than repeating last week's bounds (it once did)
    const row = r.backtest.series.find((x) => x.id === 't_hook');
    expect(row?.verdict).not.toBe('worse');
    expect(r.backtest.seriesLosingToNaive).not.toContain('t_hook');
    expect(r.notes.join('\n')).not.toMatch(/did worse than the seasonal-naive baseline on .*t_hook/);
  });

  it('a spend series held at its cap on every day gets the same one-sided band from the model', () => {
    // $10 a day every day, each day a bound: the fit alone, 400 paths of 30 days
    const values = Array.from({ length: DAYS }, () => 10_000_000);
    const m = fitSeries(values, T0, { censored: values.map(() => true) });
    const rng = makeRng(3);
    const day = new Float64Array(HORIZON);
    const totals: number[] = [];
    for (let p = 0; p < 400; p++) {
      simulateSeries(m, HORIZON, rng, day, null);
      totals.push(day.reduce((a, b) => a + b, 0));
    }
    totals.sort((a, b) => a - b);
    const bound = 10_000_000 * HORIZON;
    // every path's total at or above the bound (no day noise left in the bounds), most above it
    expect(totals[0]).toBeGreaterThanOrEqual(0.999 * bound);
    expect(totals[200]).toBeGreaterThan(1.1 * bound);
    expect(totals[360]).toBeGreaterThan(1.3 * bound);
    expect(m.heldEveryDay).toBe(true);
  });

  it('a series with days the limit let through is not read as held every day', () => {
    const values = Array.from({ length: DAYS }, (_, d) => (d % 3 === 0 ? 30 : 42));
    const m = fitSeries(values, T0, { censored: values.map((v) => v >= 42), counts: true });
    expect(m.heldEveryDay).toBe(false);
  });
});
