/**
 * A webhook the platform held at its default 42 runs per 24 h, forecast under a plan that already
 * sets the override recommend asked for (the exported plan, put in force before support granted
 * it): its history predates that limit, so its days at 42 are still bounds and its demand is the
 * pace its runs came at. Judged by the plan's 125, it read as wanting 42 a day: the report said
 * 2,874 runs over 30 days, the forecast of the report's own plan 1,260.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { T0 } from './forecast-helpers.ts';

/** a webhook wanting one run every 15 minutes (96 a day); the exports hold what 42 per 24 h let through */
function heldAtDefault() {
  const b = new EventColumnsBuilder();
  const window: number[] = [];
  for (let t = T0; t < T0 + 45 * DAY; t += 15 * 60_000) {
    while (window.length > 0 && window[0]! + DAY <= t) window.shift();
    if (window.length >= 42) continue;
    window.push(t);
    b.push(t, EventType.trigger, 't_pr', 0);
  }
  return b.build();
}

const planWith = (limitPer24h: number | null, kind: 'webhook' | 'scheduled' = 'webhook') =>
  validatePlan({ workspace: { seats: 50, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_pr', kind, mode: 'fair_use', limitPer24h }] });

async function total(plan: ReturnType<typeof planWith>) {
  const r = await forecast(heldAtDefault(), plan, { days: 30, paths: 0, workers: 0 });
  return { r, s: r.series.find((x) => x.id === 't_pr')! };
}

describe('a webhook held at the default 42, under a plan with a higher limit', () => {
  it('is forecast at the pace its runs came at, as under the default', async () => {
    const atDefault = await total(planWith(null));
    const overridden = await total(planWith(125));
    expect(atDefault.s.censoredDays).toBeGreaterThan(0);
    expect(overridden.s.censoredDays).toBe(atDefault.s.censoredDays);
    // about 96 a day, not the 42 the history shows
    expect(overridden.s.total.p50).toBeGreaterThan(2500);
    expect(overridden.s.total.p50).toBeCloseTo(atDefault.s.total.p50, -1);
  });

  it("says its history was held at the platform's default before the plan's higher limit, not by the plan's own limits", async () => {
    const { r } = await total(planWith(125));
    const own = r.notes.find((n) => n.startsWith("history censored by the plan's own limits"));
    expect(own ?? '').not.toContain('t_pr');
    const note = r.notes.find((n) => n.startsWith("held at the platform's default 42 a day before the plan's higher limit"));
    expect(note).toMatch(/^held at the platform's default 42 a day before the plan's higher limit: 1 series: t_pr \(limit 125; \d+ of the history's 45 days\)/);
    expect(r.censored.find((c) => c.id === 't_pr')?.heldAtDefault).toEqual({ limit: 42, planLimit: 125 });
  });

  it("keeps the plan's own limits' wording for a webhook the plan itself holds at 42", async () => {
    const { r } = await total(planWith(null));
    expect(r.notes.find((n) => n.startsWith("history censored by the plan's own limits"))).toMatch(/on 1 series: t_pr/);
    expect(r.notes.some((n) => n.startsWith("held at the platform's default"))).toBe(false);
  });

  it('says a programmatic trigger the docs leave unlimited was held at the default by the platform\'s code, not by the plan', async () => {
    const plan = validatePlan({ workspace: { seats: 50, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_pr', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] });
    const r = await forecast(heldAtDefault(), plan, { days: 30, paths: 0, workers: 0 });
    expect(r.notes.some((n) => n.startsWith("history censored by the plan's own limits"))).toBe(false);
    expect(r.notes.find((n) => n.startsWith("held at the platform's default 42 a day, where the plan read as the docs sets no limit"))).toMatch(/: 1 series: t_pr \(\d+ of the history's 45 days\)/);
    expect(r.censored.find((c) => c.id === 't_pr')?.heldAtDefault).toEqual({ limit: 42, planLimit: null });
  });

  it('a schedule at 42 is not: the platform never holds a schedule, its runs are its demand', async () => {
    const { s } = await total(planWith(125, 'scheduled'));
    expect(s.censoredDays ?? 0).toBe(0);
    expect(s.total.p50).toBeLessThan(1400);
  });
});
