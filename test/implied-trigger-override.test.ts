/**
 * A webhook the platform held at its default 42 runs per 24 h and then, support having granted an
 * override part-way, at 60: read under a plan that does not state the 60 (it leaves the trigger
 * out, so the default 42, or it states 50). Judged by the plan's limit, the replay dropped (or
 * queued) hundreds of runs the platform had run, the forecast read its days at 60 as plain demand
 * (below the runs the platform admitted over the last 30 days) and recommend sized its ask on them.
 * The history shows the override in force, as implied-cap.ts reads a key's cap the plan does not
 * state: its days are read as held at 60, as they are when the plan states 60
 * (src/forecast/default-hold.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport, verdict } from '../src/engine/report.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { makeRng } from '../src/forecast/rng.ts';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { supportRequests } from '../src/export/index.ts';
import { heldLimitFigures, heldLimits, heldReading } from '../src/views/held-limits.ts';

/** 2026-08-03, a Monday */
const T0 = Date.UTC(2026, 7, 3);
const DAYS = 84;
const STEP = 50;
const stepOn = new Date(T0 + STEP * DAY).toISOString().slice(0, 10);

/**
 * A webhook's runs as the platform's export holds them: requests at `arrivals`, admitted while
 * fewer than `limitAt(t)` were admitted in [t - 24 h, t] (its inclusive window edge, SPEC section 9
 * rule 1), the rest dropped; each run completing 20 to 110 s after its admission, as in an export,
 * and in time order, as a ledger holds them.
 */
function exported(id: string, arrivals: number[], limitAt: (t: number) => number): EventColumns {
  const admitted: number[] = [];
  for (const t of arrivals) {
    let inWindow = 0;
    for (let k = admitted.length - 1; k >= 0 && admitted[k]! >= t - DAY; k--) inWindow++;
    if (inWindow < limitAt(t)) admitted.push(t);
  }
  const completed = admitted.map((t, i) => t + 20_000 + ((i * 7919) % 90_000)).sort((a, b) => a - b);
  const b = new EventColumnsBuilder();
  for (const t of completed) b.push(t, EventType.trigger, id, 0);
  return b.build();
}

/** `perDay(d)` requests on day d, at random times between 06:00 and 22:00 */
function requests(days: number, perDay: (d: number, rng: () => number) => number, seed: number): number[] {
  const rng = makeRng(seed);
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const n = perDay(d, rng);
    for (let i = 0; i < n; i++) out.push(T0 + d * DAY + 6 * HOUR + Math.floor(rng() * 16 * HOUR));
  }
  return out.sort((a, b) => a - b);
}

/** 65 to 85 a weekday, 10 a weekend day (the deploy webhook of the red team's workspace) */
const busyWeekdays = (d: number, rng: () => number): number => (d % 7 >= 5 ? 10 : 65 + Math.floor(rng() * 21));

const workspace = { name: 'Acme', seats: 50, messagesPerSeatPerDay: 100 };
/** the plan an admin has when the trigger came from the exports: it names no trigger, so the default 42 */
const leftOut = (profile: 'documented' | 'platform'): Plan => validatePlan({ workspace, enforcement: { profile } });
const stating = (limitPer24h: number, profile: 'documented' | 'platform'): Plan =>
  validatePlan({ workspace, enforcement: { profile }, triggers: [{ id: 't_dep', name: 'Deploy Bot', kind: 'webhook', mode: 'fair_use', limitPer24h }] });

const events = exported('t_dep', requests(DAYS, busyWeekdays, 11), (t) => (t < T0 + STEP * DAY ? 42 : 60));

/** the runs the platform admitted over the history's last 30 days: a lower bound on the demand of any 30 days like them */
function admittedLast30(): number {
  const from = T0 + (DAYS - 30) * DAY;
  let n = 0;
  for (let i = 0; i < events.count; i++) if (events.time[i]! >= from) n++;
  return n;
}

const cases: [string, Plan, number][] = [
  ['leaves the trigger out (docs)', leftOut('documented'), 42],
  ['leaves the trigger out (platform)', leftOut('platform'), 42],
  ['states 50 (docs)', stating(50, 'documented'), 50],
  ['states 50 (platform)', stating(50, 'platform'), 50],
];

for (const [what, plan, planLimit] of cases) {
  const profile = plan.enforcement.profile ?? 'documented';
  describe(`a webhook held at 42, then at 60 from day ${STEP}, under a plan that ${what}`, () => {
    let rec: RecommendReport;
    let stated: RecommendReport;
    beforeAll(() => {
      rec = recommend(events, plan, { paths: 60 });
      // the same history under a plan that states the 60 support granted
      stated = recommend(events, stating(60, profile), { paths: 60 });
    });

    it('the forecast reads its days at 60 as held there, not as demand, and forecasts above the runs the platform admitted', async () => {
      const fc = await forecast(events, plan, { days: 30, paths: 0, workers: 0 });
      const s = fc.series.find((x) => x.id === 't_dep')!;
      // the last 30 days' admitted runs are themselves bounds: demand is at least that
      expect(s.total.p50).toBeGreaterThan(admittedLast30());
      const c = fc.censored.find((x) => x.id === 't_dep');
      expect(c?.heldAtDefault).toEqual({ limit: 42, planLimit, stepOn, after: 60, impliedLimit: 60 });
      // as with the 60 in the plan
      const withSixty = (await forecast(events, stating(60, profile), { days: 30, paths: 0, workers: 0 })).series.find((x) => x.id === 't_dep')!;
      expect(s.censoredDays).toBe(withSixty.censoredDays);
      expect(s.total.p50).toBeCloseTo(withSixty.total.p50, -1);
      expect(fc.notes.some((n) => n.startsWith("history censored by the plan's own limits") && n.includes('t_dep'))).toBe(false);
      expect(fc.notes).toContain(
        `t_dep: a limit of 60 looks granted, and the plan's ${planLimit}${planLimit === 42 ? " (the platform's default)" : ''} was not in force from ${stepOn}: its days at 60 are read as held there, as if the plan stated it; if 60 is its limit now, put 60 in the plan`,
      );
    });

    it('recommend names the override the history shows and asks at least for it, sized on the demand beyond it', () => {
      const t = rec.triggers.find((x) => x.id === 't_dep')!;
      expect(t.heldAtDefault).toMatchObject({ limit: 42, planLimit, stepOn, after: 60, impliedLimit: 60 });
      expect(t.reason).toMatch(new RegExp(`^held at the platform's default 42 until ${stepOn}, then at 60, above the plan's ${planLimit}, on \\d+ of the last 28 days`));
      expect(t.reason).toContain(`a limit of 60 looks granted, and the plan's ${planLimit}`);
      expect(t.reason).toContain(`was not in force from ${stepOn}`);
      expect(t.requestedLimit).toBeGreaterThan(60);
      // the ask the plan stating 60 gets: the same demand, held alike
      expect(t.requestedLimit).toBe(stated.triggers.find((x) => x.id === 't_dep')!.requestedLimit);
      expect(t.expectedDailyVolume).toBeGreaterThanOrEqual(60);
      // the exported plan carries it, and the support draft says which limit held the days it counts
      expect(rec.plan.triggers.find((x) => x.id === 't_dep')!.limitPer24h).toBe(t.requestedLimit);
      const draft = supportRequests(rec, 'Acme').find((r) => r.triggerId === 't_dep')!.body;
      expect(draft).toContain(`held at the platform's default of 42 runs per 24 hours until ${stepOn} and at 60 runs per 24 hours since`);
      expect(draft).toContain('never above the limit then in force');
      if (profile === 'platform') expect(t.reason).toContain(`admitted under the 60 in force from ${stepOn}, that only the plan's ${planLimit} refuses`);
    });

    it("simulate's held list names it held at the override, and says the replay's refusals beyond the plan's limit are not the platform's", () => {
      const sim = simulate(plan, events);
      const report = buildReport(events, sim);
      const refused = report.triggers.find((x) => x.id === 't_dep')!;
      // the plan's lower limit refuses (or queues) runs the history holds
      expect(refused.dropped + refused.delayed).toBeGreaterThan(100);
      const held = heldLimits(events, sim, report).find((h) => h.id === 't_dep');
      expect(held).toMatchObject({ kind: 'trigger', limit: 60, heldAtDefault: { limit: 42, planLimit, stepOn, after: 60, impliedLimit: 60 } });
      expect(held!.text).toContain(`then at 60, above the plan's ${planLimit}`);
      expect(held!.text).toContain(`a limit of 60 looks granted`);
      expect(held!.text).toMatch(new RegExp(`the replay (refuses|delays) [\\d,]+ runs of it by the plan's limit of ${planLimit}, which the platform did not: the export holds those runs, admitted under the 60 in force from ${stepOn}\\)$`));
      const figure = heldLimitFigures(events, sim, report).limits.find((h) => h.id === 't_dep');
      expect(figure?.heldAtDefault?.impliedLimit).toBe(60);
      expect(figure?.sentence).toContain('which the platform did not');
    });

    it('the verdict counts those runs and says they are in the export, as the held list does', () => {
      const sim = simulate(plan, events);
      const report = buildReport(events, sim);
      const t = report.totals;
      const stopped = t.blocked + t.dropped + t.skipped + t.pending;
      const { limits, explained } = heldReading(events, sim, report);
      // every refusal and delay of the replay is the plan's lower limit against runs the history holds
      expect(explained).toEqual({ notRun: stopped, late: t.delayed });
      // the Overview reads the same count
      expect(heldLimitFigures(events, sim, report).explained).toEqual(explained);
      const line = verdict(report, limits.length, explained);
      expect(line).toMatch(/^LIMITS HIT: 1 trigger held back/);
      if (stopped > 0) expect(line).toContain(`${stopped.toLocaleString('en-US')} of ${t.events.toLocaleString('en-US')} events did not run in the replay`);
      expect(line).toContain('in the export, so the platform let them through (see "Held at a limit?" below).');
      expect(line).toContain(stopped > 0 ? `all ${stopped.toLocaleString('en-US')}` : `the ${t.delayed.toLocaleString('en-US')} late`);
    });
  });
}

describe('not read as an override the plan does not state', () => {
  const cases: [string, number[]][] = [
    // a webhook that just runs 30 to 40 a day
    ['runs 30 to 40 a day', requests(60, (_, rng) => 30 + Math.floor(rng() * 11), 3)],
    // 30 to 41 a day for 40 days, then 45 to 58 as it grew: demand, never held at one level
    ['grew past 42 without sitting at a ceiling', requests(60, (d, rng) => (d < 40 ? 30 + Math.floor(rng() * 12) : 45 + Math.floor(rng() * 14)), 5)],
  ];
  for (const [what, arrivals] of cases) {
    for (const profile of ['documented', 'platform'] as const) {
      it(`a webhook that ${what} (${profile})`, async () => {
        // the platform let every request through: its demand
        const ev = exported('t_nat', arrivals, () => 100);
        const plan = leftOut(profile);
        const sim = simulate(plan, ev);
        expect(heldLimits(ev, sim, buildReport(ev, sim)).some((h) => h.id === 't_nat')).toBe(false);
        const fc = await forecast(ev, plan, { paths: 0, workers: 0 });
        expect(fc.censored.find((c) => c.id === 't_nat')?.heldAtDefault).toBeUndefined();
        expect(fc.notes.some((n) => n.includes('looks granted'))).toBe(false);
        const t = recommend(ev, plan, { paths: 20 }).triggers.find((x) => x.id === 't_nat')!;
        expect(t.heldAtDefault).toBeUndefined();
        expect(t.reason).not.toContain('looks granted');
      });
    }
  }
});
