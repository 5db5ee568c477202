/**
 * A history the fair-use pool held: three fair-use webhooks want about 40 runs a day each (under
 * their own limit of 42), the pool of 2 seats (half of 2 × 100 messages) admits 100 per 24 h, and
 * the export holds only what it admitted, whichever way the rest was held (the docs' webhooks wait
 * for the pool, the platform's code drops them). Each trigger's exported runs on those days are
 * what the pool let through, not its demand: the forecast read them as demand and drew about 33 a
 * day each, the pool's share, and a plan with more seats ran no more than the pool of 2 had.
 */
import { describe, expect, it } from 'vitest';
import { forecast } from '../src/forecast/index.ts';
import type { ForecastReport } from '../src/forecast/index.ts';
import { heldPoolDays } from '../src/recommend/held.ts';
import { recommend } from '../src/recommend/index.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { buildExport } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 7, 3);
const DAYS = 42;
const HOOKS = ['hook_a', 'hook_b', 'hook_c'];
const HORIZON = 30;

function planOf(profile: 'platform' | 'documented', seats: number, limits: Record<string, number> = {}): Plan {
  return validatePlan({
    workspace: { name: 'Pool', seats, messagesPerSeatPerDay: 100, fairUseShare: 0.5, spendLimits: [] },
    triggers: HOOKS.map((id) => ({ id, name: `Agent ${id}`, kind: 'webhook', mode: 'fair_use', limitPer24h: limits[id] ?? null })),
    enforcement: { profile },
  });
}

/**
 * What was sent: each hook `perDay(d, h)` runs on day d, spread evenly over the day, and two
 * people 15 to 19 messages in office hours.
 */
function demand(perDay: (d: number, h: number) => number): EventColumns {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    HOOKS.forEach((id, h) => {
      const n = perDay(d, h);
      for (let k = 0; k < n; k++) b.push(T0 + d * DAY + Math.floor(((k + h / 3) * DAY) / n) + 11 * h, EventType.trigger, id, 0);
    });
    for (let u = 0; u < 2; u++) {
      const n = 15 + ((d + u) % 5);
      for (let k = 0; k < n; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 25 * MINUTE + u * 7 * MINUTE, EventType.message, `u${u}`, 0);
    }
  }
  return b.build();
}

/** About 40 a day each, 120 against a pool of 100; every seventh day a quiet 24 each. */
const overThePool = (d: number, h: number): number => (d % 7 === 6 ? 24 : 38 + ((d * 7 + h * 3) % 4));
/** 28 to 31 a day each: the pool busy (up to 93 of its 100), never full. */
const underThePool = (d: number, h: number): number => 28 + ((d * 5 + h * 3) % 4);

/** The platform's export of that demand under `plan`: only what it admitted, at the time it admitted it. */
function exported(events: EventColumns, plan: Plan): EventColumns {
  const sim = simulate(plan, events);
  const kept: { t: number; type: EventTypeCode; subject: string }[] = [];
  for (let i = 0; i < events.count; i++) {
    if (sim.outcome[i] !== Outcome.admitted) continue;
    kept.push({ t: sim.admittedAt[i]!, type: events.type[i] as EventTypeCode, subject: events.subjects[events.subject[i]!]! });
  }
  kept.sort((a, b) => a.t - b.t);
  const b = new EventColumnsBuilder();
  for (const e of kept) b.push(e.t, e.type, e.subject, 0);
  return b.build();
}

/** A trigger's exported runs a day over the history's last 28 days. */
function admittedMean(events: EventColumns, id: string): number {
  let last = 0;
  for (let i = 0; i < events.count; i++) last = Math.max(last, events.time[i]!);
  const to = (Math.floor(last / DAY) + 1) * DAY;
  let n = 0;
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] === EventType.trigger && events.subjects[events.subject[i]!] === id && events.time[i]! >= to - 28 * DAY) n++;
  }
  return n / 28;
}

/** The forecast's P50 runs a day of a trigger, before any limit acts on it. */
const p50PerDay = (fc: ForecastReport, id: string): number => fc.series.find((s) => s.kind === 'trigger_runs' && s.id === id)!.total.p50 / HORIZON;

/** The fair-use runs a day the Monte Carlo admits, at its P50 over the paths (arrivals less what it refused or left waiting). */
function admittedPerDay(fc: ForecastReport): number {
  return fc.monteCarlo!.triggers.reduce((a, t) => a + t.arrivals.p50 - t.dropped.p50 - t.skipped.p50 - t.pending.p50, 0) / HORIZON;
}

describe('a history the fair-use pool held', () => {
  for (const profile of ['platform', 'documented'] as const) {
    describe(profile, () => {
      const plan = planOf(profile, 2);
      const events = exported(demand(overThePool), plan);

      it('reads each trigger on the days the pool held as a lower bound, the days recommend counts', async () => {
        const fc = await forecast(events, plan, { paths: 0, days: HORIZON });
        const poolDays = heldPoolDays(events, simulate(plan, events), Date.parse(`${fc.history.from}T00:00:00Z`))!;
        expect(poolDays).toBeGreaterThanOrEqual(30);
        for (const id of HOOKS) {
          const c = fc.censored.find((x) => x.kind === 'trigger_runs' && x.id === id)!;
          expect(c.heldByPool).toMatchObject({ pool: 100, ownLimit: false });
          // the pool's days on which the trigger ran: no more than the pool held, and most of the history
          expect(c.heldByPool!.days).toBeLessThanOrEqual(poolDays);
          expect(c.heldByPool!.days).toBeGreaterThanOrEqual(30);
          expect(c.days).toBe(c.heldByPool!.days);
        }
        const note = fc.notes.find((n) => n.startsWith('the fair-use pool (100 runs per 24 h) held'))!;
        expect(note).toContain(`held the fair-use triggers' runs on ${poolDays} of the history's ${fc.history.days} days`);
        expect(note).toContain("so on those days each trigger's runs are what the pool let through, a lower bound on its demand");
        // said as the pool's, not as a limit of the triggers' own
        expect(fc.notes.some((n) => n.startsWith("history censored by the plan's own limits"))).toBe(false);
      });

      it("forecasts each trigger above the runs the pool let through, and said so in the forecast's output and the report", async () => {
        const fc = await forecast(events, plan, { paths: 0, days: HORIZON });
        let admitted = 0;
        let forecastTotal = 0;
        for (const id of HOOKS) {
          const mean = admittedMean(events, id);
          admitted += mean;
          forecastTotal += p50PerDay(fc, id);
          // the pool's share of 100 a day, about 33 each; the demand about 37 a day over the week
          expect(mean).toBeLessThan(35);
          expect(p50PerDay(fc, id)).toBeGreaterThan(1.1 * mean);
          const row = fc.series.find((s) => s.kind === 'trigger_runs' && s.id === id)!;
          expect(row.censorNote).toContain('held by the fair-use pool (100 runs per 24 h)');
          expect(row.censorNote).not.toContain('held at its limit');
        }
        expect(forecastTotal).toBeGreaterThan(1.1 * admitted);
        const cli = describeForecast(fc);
        expect(cli).toContain("note: the fair-use pool (100 runs per 24 h) held the fair-use triggers' runs on");
        expect(cli).toMatch(/trigger_runs +hook_a .*censored \d+ d, held by the fair-use pool/);
        const rec = recommend(events, plan, { paths: 20 });
        const report = buildExport(rec, fc).find((f) => f.path === 'report.md')!.content;
        expect(report).toContain("the fair-use pool (100 runs per 24 h) held the fair-use triggers' runs on");
      });

      it('forecasts a plan with more seats to run more than the pool of 2 seats let through', async () => {
        const two = await forecast(events, plan, { paths: 40, workers: 0, days: HORIZON });
        const four = await forecast(events, plan, { paths: 40, workers: 0, days: HORIZON, whatIf: { seats: 4 } });
        // the pool of 2 seats holds about 100 a day; of 4 seats, 200 holds all of about 111
        expect(admittedPerDay(two)).toBeLessThanOrEqual(101);
        expect(admittedPerDay(four)).toBeGreaterThan(108);
        expect(four.monteCarlo!.triggers.every((t) => t.causes.every((c) => c.cause !== 'pool'))).toBe(true);
      });
    });
  }

  it('a busy pool that never filled holds nothing: the runs are the demand', async () => {
    for (const profile of ['platform', 'documented'] as const) {
      const plan = planOf(profile, 2);
      const events = exported(demand(underThePool), plan);
      expect(heldPoolDays(events, simulate(plan, events), T0)).toBeNull();
      const fc = await forecast(events, plan, { paths: 0, days: HORIZON });
      expect(fc.censored).toEqual([]);
      expect(fc.notes.some((n) => n.includes('fair-use pool'))).toBe(false);
      for (const id of HOOKS) {
        const mean = admittedMean(events, id);
        expect(Math.abs(p50PerDay(fc, id) - mean)).toBeLessThan(0.1 * mean);
      }
    }
  });

  it('a day held by its own limit and by the pool is one bound, said with both', async () => {
    // hook_c held at an override of 30 on about 40 a day (its runs waiting for it, as the docs
    // read a webhook), hooks a and b cut by the pool beside it
    const plan = planOf('documented', 2, { hook_c: 30 });
    const events = exported(demand(overThePool), plan);
    const fc = await forecast(events, plan, { paths: 0, days: HORIZON });
    const c = fc.censored.find((x) => x.id === 'hook_c')!;
    expect(c.heldByPool).toMatchObject({ pool: 100, ownLimit: true });
    expect(c.heldByPool!.days).toBeGreaterThanOrEqual(20);
    // its days held by either, each once: never more than the history's days, though the two
    // overlap (its own limit held it on more days than the pool's share leaves)
    expect(c.days).toBeGreaterThanOrEqual(c.heldByPool!.days);
    expect(c.days).toBeLessThanOrEqual(fc.history.days);
    expect(c.days + c.heldByPool!.days).toBeGreaterThan(fc.history.days);
    expect(fc.series.find((s) => s.id === 'hook_c')!.censoredDays).toBe(c.days);
    // listed with the plan's own limits and with the pool's triggers
    expect(fc.notes.find((n) => n.startsWith("history censored by the plan's own limits"))).toContain('hook_c');
    expect(fc.notes.find((n) => n.startsWith('the fair-use pool (100 runs per 24 h) held'))).toContain(`hook_c (${c.heldByPool!.days} days)`);
  });
});
