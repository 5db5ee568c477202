/**
 * A webhook the platform held at its default of 42 runs per 24 h, read under a plan that sets it
 * more: the forecast read its days at 42 as bounds (an override the history predates), while
 * recommend called it "within its limit: at most 42 runs a day" (action none), simulate's held list
 * left it out and the report put that row under a paragraph saying half the forecast's paths delay
 * it. And a webhook granted a higher limit part-way (42, then 60): every reading took its days at
 * 42 for demand (16 of 75 days censored, a forecast of 153 a day and an ask of 200 for a trigger
 * wanting 60 to 80). One reading now (src/forecast/default-hold.ts), in all four.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import type { ForecastReport } from '../src/forecast/index.ts';
import { defaultHoldOf } from '../src/forecast/default-hold.ts';
import { makeRng } from '../src/forecast/rng.ts';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { buildExport, supportRequests } from '../src/export/index.ts';
import { heldLimitFigures, heldLimits } from '../src/views/held-limits.ts';

/** 2026-08-03, a Monday */
const T0 = Date.UTC(2026, 7, 3);

/**
 * A webhook's runs as the platform's export holds them: requests at `arrivals`, admitted while
 * fewer than `limitAt(t)` were admitted in [t - 24 h, t] (its inclusive window edge, SPEC section 9
 * rule 1), the rest dropped; each run completing 20 to 110 s after its admission, as in an export.
 */
function exported(id: string, arrivals: number[], limitAt: (t: number) => number): EventColumns {
  const admitted: number[] = [];
  for (const t of arrivals) {
    let inWindow = 0;
    for (let k = admitted.length - 1; k >= 0 && admitted[k]! >= t - DAY; k--) inWindow++;
    if (inWindow < limitAt(t)) admitted.push(t);
  }
  const b = new EventColumnsBuilder();
  admitted.forEach((t, i) => b.push(t + 20_000 + ((i * 7919) % 90_000), EventType.trigger, id, 0));
  return b.build();
}

/** one request every 20 minutes, day and night: 72 a day, which is also the pace its runs come at */
function steady(days: number): number[] {
  const out: number[] = [];
  for (let t = T0; t < T0 + days * DAY; t += 20 * MINUTE) out.push(t);
  return out;
}

const planOf = (id: string, limitPer24h: number, profile: 'documented' | 'platform' = 'documented'): Plan =>
  validatePlan({ workspace: { name: 'Acme', seats: 50, messagesPerSeatPerDay: 100 }, enforcement: { profile }, triggers: [{ id, name: 'Hook', kind: 'webhook', mode: 'fair_use', limitPer24h }] });

interface Readings {
  rec: RecommendReport;
  fc: ForecastReport;
  report: string;
  draft: string;
}

async function readings(events: EventColumns, plan: Plan): Promise<Readings> {
  const rec = recommend(events, plan, { paths: 60 });
  // the export's forecast: the recommended plan, the history judged by the plan it was recorded under
  const fc = await forecast(events, rec.plan, { recordedPlan: plan, paths: 20, workers: 0 });
  const report = buildExport(rec, fc).find((f) => f.path === 'report.md')!.content;
  const draft = supportRequests(rec, 'Acme').map((r) => r.body).join('\n');
  return { rec, fc, report, draft };
}

const rowOf = (report: string, id: string) => report.split('\n').find((l) => l.startsWith(`| ${id} | webhook |`))!.split(' | ');

describe("a webhook held at the platform's default 42 before the plan's 100", () => {
  const events = exported('t_pr', steady(45), () => 42);
  const plan = planOf('t_pr', 100);
  let r: Readings;
  beforeAll(async () => {
    r = await readings(events, plan);
  });

  it('recommend reads its days as held at 42, sizes on its held pace and says the plan\'s 100 is an override the history predates', () => {
    const t = r.rec.triggers.find((x) => x.id === 't_pr')!;
    // every day of the last 28: 72 requests a day, 42 let through
    expect(t.daily.daysAtLimit).toBeGreaterThanOrEqual(27);
    expect(t.action).not.toBe('none');
    expect(t.reason).not.toContain('within its limit');
    expect(t.reason).toMatch(/^held at the platform's default 42 on \d+ of the last 28 days, before the plan's 100: its runs sat at exactly 42 in 24 h and never more/);
    // the pace its runs came at while admitted: its demand, 72 a day
    expect(t.expectedFrom).toBe('held_pace');
    expect(t.expectedDailyVolume).toBeGreaterThanOrEqual(70);
    expect(t.expectedDailyVolume).toBeLessThanOrEqual(74);
    expect(t.reason).toContain(`the plan's 100 is an override the history predates: if support has granted 100, its demand beyond 42 is not in the history; expect about ${t.expectedDailyVolume} runs a day`);
    // sized on the forecast drawn around that pace: its busy days at P90 (84) + 25 % is 105, above
    // the plan's 100 (which its paths pass in some 24 h in about 12 % of them, above the 5 % risk):
    // 125 is asked, not the plan's 100 (once asked on 72 + 25 % = 90, within it)
    expect(t.busyDayVolume).toBeGreaterThan(t.expectedDailyVolume);
    expect(t.requestedLimit).toBe(125);
    expect(t.reason).toContain(`request a limit of 125 runs per 24 h (the forecast's ${t.busyDayVolume} a day on its busy days (every day, P90)`);
    expect(t.heldAtDefault).toEqual({ limit: 42, planLimit: 100, daysAtDefault: t.daily.daysAtLimit });
  });

  it("simulate's held list and the Overview name it held at 42, the platform's default, as the forecast reads it", async () => {
    const fc = await forecast(events, plan, { paths: 0, workers: 0 });
    expect(fc.censored.find((c) => c.id === 't_pr')?.heldAtDefault).toEqual({ limit: 42, planLimit: 100 });
    expect(fc.notes.find((n) => n.startsWith("held at the platform's default 42 a day before the plan's higher limit"))).toContain('t_pr (limit 100;');
    const sim = simulate(plan, events);
    const report = buildReport(events, sim);
    const cli = heldLimits(events, sim, report).find((h) => h.id === 't_pr');
    expect(cli).toMatchObject({ kind: 'trigger', limit: 42, peak: 42, heldAtDefault: { limit: 42, planLimit: 100 } });
    expect(cli!.text).toMatch(/^Hook \(t_pr\): held at the platform's default 42 on \d+ days, before the plan's 100: its runs sat at exactly 42 in 24 h and never more; the plan's 100 is an override the history predates/);
    const figure = heldLimitFigures(events, sim, report).limits.find((h) => h.id === 't_pr');
    expect(figure?.sentence).toMatch(/^Trigger Hook was held at the platform's default 42 on \d+ days, before the plan's 100: .*: the platform held it; real demand was higher than this history shows\.$/);
  });

  it('the report and the support draft say the same', () => {
    const t = r.rec.triggers.find((x) => x.id === 't_pr')!;
    const row = rowOf(r.report, 't_pr');
    expect(row[6]).toBe(`${t.busyDayVolume} (every day)`);
    expect(row[7]).toBe(`${t.action} (125)`);
    expect(row[row.length - 1]).toContain("held at the platform's default 42 on");
    expect(r.report).not.toMatch(/\| t_pr \|[^\n]*within its limit/);
    expect(r.draft).toContain("limited to 100 runs per 24 hours in our plan, but held at the platform's default of 42 runs per 24 hours throughout our usage exports");
    expect(r.draft).toContain("held at 42 (the platform's default) on");
    // the export's forecast reads the history as the plain forecast does
    expect(r.fc.censored.find((c) => c.id === 't_pr')?.heldAtDefault).toEqual({ limit: 42, planLimit: 100 });
  });
});

describe('a webhook granted a higher limit part-way: 42 for 30 days, then 60', () => {
  const STEP = 30;
  const events = exported('t_ovr', steady(50), (t) => (t < T0 + STEP * DAY ? 42 : 60));
  const plan = planOf('t_ovr', 60);
  const stepOn = new Date(T0 + STEP * DAY).toISOString().slice(0, 10);
  // the same demand held at 60 throughout: what its step should read like, no more
  const atSixty = exported('t_ovr', steady(50), () => 60);
  let r: Readings;
  beforeAll(async () => {
    r = await readings(events, plan);
  });

  it('the forecast censors each stretch at its own ceiling and says so', async () => {
    const fc = await forecast(events, plan, { paths: 0, workers: 0 });
    const c = fc.censored.find((x) => x.id === 't_ovr')!;
    expect(c.heldAtDefault).toEqual({ limit: 42, planLimit: 60, stepOn, after: 60 });
    // every day but the first, whose 24 h the history does not yet fill: not only the 20 at 60
    expect(c.days).toBeGreaterThanOrEqual(48);
    const note = fc.notes.find((n) => n.startsWith("held at the platform's default 42 a day until a higher limit was granted part-way through the history"));
    expect(note).toContain(`t_ovr (42 until ${stepOn}, then 60, the plan's limit; ${c.days} of the history's 50 days)`);
    expect(fc.notes.some((n) => n.startsWith("history censored by the plan's own limits"))).toBe(false);
    // bounds at 42 then 60, not a level rising from 42 to 60 and on: about what the same demand
    // held at 60 throughout forecasts
    const s = fc.series.find((x) => x.id === 't_ovr')!;
    const held = (await forecast(atSixty, plan, { paths: 0, workers: 0 })).series.find((x) => x.id === 't_ovr')!;
    expect(s.total.p90).toBeLessThanOrEqual(1.1 * held.total.p90);
    expect(s.total.p50).toBeGreaterThanOrEqual(30 * 60);
  });

  it("recommend reads the days at 42 as held, and its ask rests on the demand, not on a rise from 42 to 60", () => {
    const t = r.rec.triggers.find((x) => x.id === 't_ovr')!;
    expect(t.daily.daysAtLimit).toBeGreaterThanOrEqual(27);
    expect(t.heldAtDefault).toMatchObject({ limit: 42, planLimit: 60, stepOn, after: 60 });
    expect(t.heldAtDefault!.daysAtDefault).toBeGreaterThanOrEqual(7);
    expect(t.reason).toMatch(new RegExp(`^held at the platform's default 42 until ${stepOn}, then at its limit of 60, on \\d+ of the last 28 days \\(\\d+ of them at 42\\)`));
    // about the ask the same demand held at 60 throughout gets (72 a day; its forecast's busy days
    // at P90 + 25 % headroom), not the 200 a rise from 42 to 60 read as demand asked for. The
    // forecast of the two bounds is a little wider (busy days at P90 100, not 94), and the ask is
    // sized on it and checked on its paths, which pass 125 in some 24 h in 10 % of them: one
    // step of the ladder above
    const held = recommend(atSixty, plan, { paths: 60 }).triggers.find((x) => x.id === 't_ovr')!;
    expect(t.expectedDailyVolume).toBeLessThanOrEqual(1.1 * held.expectedDailyVolume);
    expect(t.busyDayVolume).toBeLessThanOrEqual(1.1 * held.busyDayVolume);
    expect(held.requestedLimit).toBe(125);
    expect(t.requestedLimit).toBeGreaterThanOrEqual(held.requestedLimit!);
    expect(t.requestedLimit).toBeLessThanOrEqual(150);
  });

  it("simulate's held list, the report and the draft say the same", () => {
    const sim = simulate(plan, events);
    const cli = heldLimits(events, sim, buildReport(events, sim)).find((h) => h.id === 't_ovr');
    expect(cli).toMatchObject({ limit: 60, heldAtDefault: { limit: 42, planLimit: 60, stepOn, after: 60 } });
    expect(cli!.text).toMatch(new RegExp(`^Hook \\(t_ovr\\): held at the platform's default 42 until ${stepOn}, then at its limit of 60, on \\d+ days \\(\\d+ of them at 42\\): .*a higher limit granted part-way through the history$`));
    const row = rowOf(r.report, 't_ovr');
    expect(row[7]).toBe(`${r.rec.triggers.find((x) => x.id === 't_ovr')!.action} (${r.rec.triggers.find((x) => x.id === 't_ovr')!.requestedLimit})`);
    expect(row[row.length - 1]).toContain(`held at the platform's default 42 until ${stepOn}, then at its limit of 60`);
    expect(r.draft).toContain(`held at the platform's default of 42 runs per 24 hours until ${stepOn} and at 60 runs per 24 hours since`);
  });
});

/**
 * The same histories read under the platform profile: the replay under the plan's 60 refuses none
 * of the runs (42 a day), so its advice called the webhook "within its limit: at most 42 runs a
 * day", action none, while the platform's code had dropped every run beyond 42 and the forecast of
 * the same report dropped runs in every path.
 */
describe("under the platform profile, a webhook held at the platform's default", () => {
  it("held at 42 before the plan's 60: named held, the platform's code dropping the rest, and asked the limit its demand needs", async () => {
    const events = exported('t_pf', steady(45), () => 42);
    const plan = planOf('t_pf', 60, 'platform');
    const r = await readings(events, plan);
    const t = r.rec.triggers.find((x) => x.id === 't_pf')!;
    expect(t.profile).toBe('platform');
    expect(t.action).not.toBe('none');
    expect(t.reason).not.toContain('within its limit');
    expect(t.daily.daysAtLimit).toBeGreaterThanOrEqual(27);
    expect(t.heldAtDefault).toEqual({ limit: 42, planLimit: 60, daysAtDefault: t.daily.daysAtLimit });
    expect(t.reason).toMatch(/^held at the platform's default 42 on \d+ of the last 28 days, before the plan's 60: its runs sat at exactly 42 in 24 h and never more/);
    // the code drops a limited webhook; the docs would have it wait
    expect(t.reason).toContain(`the platform's code dropped its runs beyond 42 in 24 h, marking each request "Rate Limited", never queuing or retrying it`);
    expect(t.reason).toContain("the plan's 60 is an override the history predates: if support has granted 60, its demand beyond 42 is not in the history");
    // sized on its demand beyond the 42 in force (72 a day; the forecast drawn around it puts its
    // busy days at P90 84, + 25 %), not on the plan's 60: above it
    expect(t.expectedFrom).toBe('held_pace');
    expect(t.expectedDailyVolume).toBeGreaterThanOrEqual(70);
    expect(t.expectedDailyVolume).toBeLessThanOrEqual(74);
    expect(t.requestedLimit).toBe(125);
    expect(t.reason).toContain('request a limit of 125 runs per 24 h');
    // the docs' advice asks the same of the same history
    const docs = recommend(events, planOf('t_pf', 60), { paths: 60 }).triggers.find((x) => x.id === 't_pf')!;
    expect(t.requestedLimit).toBe(docs.requestedLimit);
    // the exported plan, the report's row and the support draft agree
    expect(r.rec.plan.triggers.find((x) => x.id === 't_pf')!.limitPer24h).toBe(125);
    const row = rowOf(r.report, 't_pf');
    expect(row[7]).toBe(`${t.action} (125)`);
    expect(row[row.length - 1]).toContain("held at the platform's default 42 on");
    expect(r.report).not.toMatch(/\| t_pf \|[^\n]*within its limit/);
    expect(r.draft).toContain("limited to 60 runs per 24 hours in our plan, but held at the platform's default of 42 runs per 24 hours throughout our usage exports");
    expect(r.draft).toContain('125 runs per 24 hours');
  });

  it("held at 42 before the plan's 125, which holds its demand: the plan's limit is what is asked", () => {
    const events = exported('t_pf', steady(45), () => 42);
    const t = recommend(events, planOf('t_pf', 125, 'platform'), { paths: 60 }).triggers.find((x) => x.id === 't_pf')!;
    expect(t.action).not.toBe('none');
    expect(t.heldAtDefault).toMatchObject({ limit: 42, planLimit: 125 });
    expect(t.reason).toContain("the plan's 125 is an override the history predates");
    expect(t.requestedLimit).toBe(125);
    expect(t.reason).toContain("request a limit of 125 runs per 24 h, the plan's, if support has not granted it yet: sized on the history, the ask comes to 125");
  });

  it('held at 42 until a step to 60 part-way: read stretch by stretch, as the docs profile reads it', async () => {
    const STEP = 30;
    const events = exported('t_pf', steady(50), (t) => (t < T0 + STEP * DAY ? 42 : 60));
    const stepOn = new Date(T0 + STEP * DAY).toISOString().slice(0, 10);
    const r = await readings(events, planOf('t_pf', 60, 'platform'));
    const t = r.rec.triggers.find((x) => x.id === 't_pf')!;
    // its days at 42 are held too, not only the 20 at 60
    expect(t.daily.daysAtLimit).toBeGreaterThanOrEqual(27);
    expect(t.heldAtDefault).toMatchObject({ limit: 42, planLimit: 60, stepOn, after: 60 });
    expect(t.heldAtDefault!.daysAtDefault).toBeGreaterThanOrEqual(7);
    expect(t.reason).toMatch(new RegExp(`^held at the platform's default 42 until ${stepOn}, then at its limit of 60, on \\d+ of the last 28 days \\(\\d+ of them at 42\\)`));
    expect(t.reason).toContain(`the platform's code dropped its runs beyond 42 in 24 h until ${stepOn} and beyond 60 from then`);
    // the ask the docs' advice gives the same history, sized on its demand beyond the 60 in force
    const docs = recommend(events, planOf('t_pf', 60), { paths: 60 }).triggers.find((x) => x.id === 't_pf')!;
    expect(t.requestedLimit).toBe(docs.requestedLimit);
    expect(t.requestedLimit).toBeGreaterThan(60);
    expect(t.requestedLimit).toBeLessThanOrEqual(150);
    expect(r.rec.plan.triggers.find((x) => x.id === 't_pf')!.limitPer24h).toBe(t.requestedLimit);
    expect(rowOf(r.report, 't_pf').at(-1)).toContain(`held at the platform's default 42 until ${stepOn}, then at its limit of 60`);
    expect(r.draft).toContain(`held at the platform's default of 42 runs per 24 hours until ${stepOn} and at 60 runs per 24 hours since`);
  });
});

describe('not read as held at the default', () => {
  /** `perDay(d)` requests on day d, at random times between 08:00 and 20:00 */
  function natural(days: number, perDay: (d: number, rng: () => number) => number, seed: number): number[] {
    const rng = makeRng(seed);
    const out: number[] = [];
    for (let d = 0; d < days; d++) {
      const n = perDay(d, rng);
      for (let i = 0; i < n; i++) out.push(T0 + d * DAY + 8 * HOUR + Math.floor(rng() * 12 * HOUR));
    }
    return out.sort((a, b) => a - b);
  }

  const cases: [string, number[]][] = [
    // 25 to 40 a day, and now and then a busy day of 45 to 55
    ['at most 42 most days and sometimes more', natural(60, (d, rng) => (d % 9 === 4 ? 45 + Math.floor(rng() * 11) : 25 + Math.floor(rng() * 16)), 3)],
    // growing: 30 to 41 a day for 40 days, then 45 to 58
    ['at most 42 for weeks, then more as it grew', natural(60, (d, rng) => (d < 40 ? 30 + Math.floor(rng() * 12) : 45 + Math.floor(rng() * 14)), 5)],
  ];

  for (const [what, arrivals] of cases) {
    it(`a webhook ${what}`, async () => {
      // the platform let every request through: its demand, under the plan's 100
      const events = exported('t_nat', arrivals, () => 100);
      const plan = planOf('t_nat', 100);
      const sim = simulate(plan, events);
      const times = Float64Array.from(sim.admittedAt.filter((_, i) => events.type[i] === EventType.trigger)).sort();
      expect(defaultHoldOf({ kind: 'webhook', limit: 100 }, times, sim.plan.edgeMs)).toBeNull();
      expect(heldLimits(events, sim, buildReport(events, sim)).some((h) => h.id === 't_nat')).toBe(false);
      const fc = await forecast(events, plan, { paths: 0, workers: 0 });
      expect(fc.censored.find((c) => c.id === 't_nat')).toBeUndefined();
      const t = recommend(events, plan, { paths: 20 }).triggers.find((x) => x.id === 't_nat')!;
      expect(t.heldAtDefault).toBeUndefined();
      expect(t.reason).not.toContain("platform's default");
    });
  }
});
