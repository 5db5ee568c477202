/**
 * A webhook its limit held on every weekday, quiet at weekends: its weekly pattern must survive the
 * censoring. The weekday indices once skipped every held day, so with all five weekdays held no
 * week kept the 5 days an index is averaged over and the pattern fell back to flat: a webhook
 * wanting about 70 runs a weekday and 8 a weekend day, held at 60 in 24 h, was forecast at
 * 0 / 90 / 120 runs on every day, Saturdays and Sundays included, its 30 days at 1,418 / 2,118 /
 * 3,162 runs against about 1,570 wanted, and recommend asked support for a limit of 150. The held
 * days are lower bounds on their weekday's index now, and the pace read on them is a weekday's.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { fitSeries, pointAt, simulateSeries, weekdayOf } from '../src/forecast/model.ts';
import { heldIndex, heldShare, withHeldDemand } from '../src/forecast/held-demand.ts';
import { makeRng, poisson } from '../src/forecast/rng.ts';
import { recommend } from '../src/recommend/index.ts';
import { T0 } from './forecast-helpers.ts';

const DAYS = 75;
const HORIZON = 30;
const WEEKDAY_RUNS = 70;
const WEEKEND_RUNS = 8;
const LIMIT = 60;
/** T0 is a Monday */
const isWeekend = (d: number) => weekdayOf(T0 + d * DAY) === 0 || weekdayOf(T0 + d * DAY) === 6;

const plan: Plan = validatePlan({
  workspace: { name: 'W', seats: 18, messagesPerSeatPerDay: 100 },
  triggers: [{ id: 't_deploy', name: 'Deploy', kind: 'webhook', mode: 'fair_use', limitPer24h: LIMIT }],
  enforcement: { webhookWhenLimited: 'drop' },
});

/** What the platform's export shows: the runs the limit let through (07:00–22:00, Poisson demand), at the time they ran. */
function heldExport(): EventColumns {
  const rng = makeRng(23);
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    const n = poisson(rng, isWeekend(d) ? WEEKEND_RUNS : WEEKDAY_RUNS);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(T0 + d * DAY + 7 * HOUR + Math.floor(rng() * 15 * HOUR));
    times.sort((x, y) => x - y);
    for (const t of times) b.push(t, EventType.trigger, 't_deploy', 0);
  }
  const demand = b.build();
  const r = simulate(plan, demand, { until: T0 + DAYS * DAY - 1 });
  const ran: number[] = [];
  for (let i = 0; i < demand.count; i++) if (r.outcome[i] === Outcome.admitted) ran.push(r.admittedAt[i]);
  ran.sort((x, y) => x - y);
  const out = new EventColumnsBuilder();
  for (const t of ran) out.push(t, EventType.trigger, 't_deploy', 0);
  return out.build();
}

/** The runs wanted over the horizon: 70 a weekday, 8 a weekend day. */
const truth = Array.from({ length: HORIZON }, (_, h) => (isWeekend(DAYS + h) ? WEEKEND_RUNS : WEEKDAY_RUNS)).reduce((a, b) => a + b, 0);

describe('a webhook held at its limit every weekday, quiet at weekends', () => {
  const events = heldExport();

  it('keeps its weekly pattern: weekends stay near 8 runs, weekdays at or above the held level', async () => {
    const r = await forecast(events, plan, { days: HORIZON, paths: 0, workers: 0 });
    const s = r.series.find((x) => x.id === 't_deploy')!;
    // the limit held the weekdays (and the Saturdays its Friday's runs still filled)
    expect(s.censoredDays).toBeGreaterThanOrEqual(50);
    // Sunday and Saturday quiet, Monday to Friday busy (once all 1)
    expect(s.seasonal[0]).toBeLessThan(0.35);
    expect(s.seasonal[6]).toBeLessThan(0.35);
    for (let w = 1; w <= 5; w++) expect(s.seasonal[w]).toBeGreaterThan(1.15);
    for (const d of s.days) {
      const weekend = [0, 6].includes(new Date(`${d.date}T00:00:00Z`).getUTCDay());
      if (weekend) {
        // once P50 90, P90 120 on a Sunday
        expect(d.p50).toBeGreaterThan(4);
        expect(d.p50).toBeLessThan(13);
        expect(d.p90).toBeLessThan(20);
      } else {
        // demand on a held day is at least the limit's runs
        expect(d.p50).toBeGreaterThanOrEqual(LIMIT);
        expect(d.p10).toBeGreaterThan(40);
      }
    }
    // the 30-day total near the runs wanted (once 1,418 / 2,118 / 3,162 for about 1,570)
    expect(s.total.p50).toBeGreaterThan(0.85 * truth);
    expect(s.total.p50).toBeLessThan(1.1 * truth);
    expect(s.total.p90).toBeLessThan(1.25 * truth);
  });

  it('recommend asks for a limit its busiest 24 h need, not one sized on its weekdays spread over weekends', () => {
    const rec = recommend(events, plan, { paths: 100 });
    const t = rec.triggers.find((x) => x.id === 't_deploy')!;
    expect(t.requestedLimit).not.toBeNull();
    // its true busiest 24 h stay under 100 (70 a weekday, Poisson); the ask was once 150. Sized on
    // the forecast's busy weekdays (P90 about 85) + 25 %: its paths have more than 100 runs in some
    // 24 h in about 12 % of them, above the 5 % risk, so 125, not 100 (a webhook with the same
    // demand not held gets the same: the p95 of its runs per 24 h is about 82, + 25 %)
    expect(t.requestedLimit!).toBeGreaterThanOrEqual(75);
    expect(t.requestedLimit!).toBeLessThanOrEqual(125);
    expect(t.busyDays).toBe('Monday to Friday');
    expect(t.busyDayVolume).toBeGreaterThanOrEqual(WEEKDAY_RUNS);
    // what recommend expects a day is no more than a weekday's demand
    expect(t.expectedDailyVolume).toBeLessThanOrEqual(WEEKDAY_RUNS + 5);
  });

  it('the fit alone: held weekdays are bounds on their index, not missing days', () => {
    // 42 every weekday (held), a Poisson 8 at weekends
    const rng = makeRng(5);
    const values = Array.from({ length: 70 }, (_, d) => (isWeekend(d) ? poisson(rng, WEEKEND_RUNS) : 42));
    const censored = values.map((_, d) => !isWeekend(d));
    const m = fitSeries(values, T0, { censored, counts: true });
    expect(m.seasonal[0]).toBeLessThan(0.4);
    for (let w = 1; w <= 5; w++) expect(m.seasonal[w]).toBeGreaterThan(1.15);
    const day = new Float64Array(14);
    const sums = new Array<number>(14).fill(0);
    const prng = makeRng(9);
    for (let p = 0; p < 400; p++) {
      simulateSeries(m, 14, prng, day, null);
      for (let h = 0; h < 14; h++) sums[h]! += day[h]! / 400;
    }
    for (let h = 0; h < 14; h++) {
      if (isWeekend(70 + h)) expect(sums[h]).toBeLessThan(13);
      else expect(sums[h]).toBeGreaterThanOrEqual(42);
    }
  });

  it('a pace read while held is a held weekday\'s demand: its weekends keep their own few runs', () => {
    // 42 every weekday (held), a Poisson 8 at weekends; the runs came at 90 a day while admitted
    const rng = makeRng(5);
    const values = Array.from({ length: 70 }, (_, d) => (isWeekend(d) ? poisson(rng, WEEKEND_RUNS) : 42));
    const censored = values.map((_, d) => !isWeekend(d));
    const m = fitSeries(values, T0, { censored, counts: true });
    const share = heldShare(m, values, censored);
    expect(share[0]).toBe(0);
    expect(share[6]).toBe(0);
    for (let w = 1; w <= 5; w++) expect(share[w]).toBeCloseTo(1, 5);
    // the index of a held day is a weekday's, not the week's mean of 1
    expect(heldIndex(m, share)).toBeGreaterThan(1.15);
    const paced = withHeldDemand(m, { perDay: 90, stretches: 10, hours: 11, spread: 0.05 }, share);
    for (let h = 0; h < 14; h++) {
      const t = 70 + h;
      // once 1.3 × 90 = 117 a weekday and 90 × 0.2 = 18 at weekends: the pace applied to the level
      // (the fit's level on its last day: the pace's model is a level, as the fit's may not be)
      if (isWeekend(t)) expect(pointAt(paced, t)).toBeCloseTo(m.level * m.seasonal[weekdayOf(T0 + t * DAY)]!, 6);
      else expect(pointAt(paced, t)).toBeCloseTo(90, 0);
    }
    // held on every day alike, the level is the pace and the pattern is kept
    const every = withHeldDemand(m, { perDay: 90, stretches: 10, hours: 11, spread: 0.05 }, new Array<number>(7).fill(1));
    expect(every.level).toBeCloseTo(90, 6);
    for (let w = 0; w < 7; w++) expect(every.seasonal[w]).toBeCloseTo(m.seasonal[w]!, 6);
  });
});
