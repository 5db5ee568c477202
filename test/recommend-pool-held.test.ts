/**
 * A history the fair-use pool held (the reviewer's cons_pool.csv, .tmp/rt4): three fair-use
 * webhooks want about 45 runs a day each, the pool of 2 seats (half of 2 × 100 messages) admits
 * 100 per 24 h, and the export holds only what it admitted. Its busiest 24 h are the pool itself,
 * and recommend said "Triggers: no change needed" and "the pool … hold them from 2 seats (already
 * enough)", the exported plan kept 2 seats, beside a report whose forecast drops runs for the pool
 * in every path.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { heldPoolDays } from '../src/recommend/held.ts';
import { describeRecommend } from '../src/cli/commands/recommend.ts';
import { buildExport } from '../src/export/index.ts';
import { parsePlanJson } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { heldLimits } from '../src/views/held-limits.ts';
import { DAY } from '../src/engine/units.ts';
import { exportedUnder, POOL_HOOKS, poolDemand, poolPlan } from './support/platform-export.ts';

const T0 = Date.UTC(2026, 7, 1);
const HOOKS = POOL_HOOKS;

function exportedPlanSeats(r: RecommendReport): number {
  return parsePlanJson(buildExport(r, null).find((f) => f.path === 'plan.json')!.content, 'plan.json').workspace.seats;
}

describe('a history the fair-use pool held', () => {
  for (const profile of ['platform', 'documented'] as const) {
    it(`${profile}: the pool reads as held, as simulate names it`, () => {
      const plan = poolPlan(profile, 2);
      const events = exportedUnder(plan, poolDemand(40, T0));
      const sim = simulate(plan, events);
      expect(heldLimits(events, sim, buildReport(events, sim)).map((h) => h.kind)).toContain('pool');
      expect(heldPoolDays(events, sim, T0 + 12 * DAY)).toBeGreaterThanOrEqual(20);
    });

    it(`${profile}: seats are sized beyond the pool, not "already enough", and the exported plan carries them`, () => {
      const plan = poolPlan(profile, 2);
      const r = recommend(exportedUnder(plan, poolDemand(40, T0)), plan, { paths: 40 });
      expect(r.seats.poolHeldDays).toBeGreaterThanOrEqual(20);
      expect(r.seats.reason).not.toContain('already enough');
      expect(r.seats.reason).toMatch(/the fair-use pool \(50 % of 100 messages a seat: 100 runs per 24 h at 2 seats\) held the fair-use triggers' runs on \d+ of the last 28 days/);
      expect(r.seats.reason).toContain('are the pool itself, not the demand');
      // 3 hooks of about 45 a day want more than the pool of 2 seats' 100: at least 3 seats
      expect(r.seats.seatsNeeded).toBeGreaterThanOrEqual(3);
      const seats = r.seats.seatsNeededAfterChanges!;
      expect(seats).toBeGreaterThanOrEqual(3);
      // sized before the trigger changes first; the own limits raised below admit more into the pool, which the figure after them holds
      const before = r.seats.seatsNeeded!;
      expect(r.seats.reason).toContain(`${before} seats (a pool of ${before * 50} runs per 24 h) give the pool and the allowance room for every forecast day`);
      expect(seats).toBeGreaterThanOrEqual(before);
      expect(r.plan.workspace.seats).toBe(seats);
      expect(exportedPlanSeats(r)).toBe(seats);
      expect(r.notes).toContain(`the recommended plan holds ${seats} seats, not 2: the fair-use pool held the history on ${r.seats.poolHeldDays} of the last 28 days, and the forecast needs them (see Seats)`);
    });

    it(`${profile}: the trigger advice says the pool holds them back and names the seats, never "no change needed"`, () => {
      const plan = poolPlan(profile, 2);
      const r = recommend(exportedUnder(plan, poolDemand(40, T0)), plan, { paths: 40 });
      const seats = r.seats.seatsNeededAfterChanges!;
      for (const id of HOOKS) {
        const t = r.triggers.find((x) => x.id === id)!;
        expect(t.heldByPool).toEqual({ days: r.seats.poolHeldDays, seats });
        expect(t.reason).toContain('the pool holds its runs back');
        expect(t.reason).toContain(`${seats} seats would give the pool room for them (see Seats; the recommended plan holds them)`);
      }
      const cli = describeRecommend(r);
      expect(cli).not.toContain('no change needed');
      // about 45 a day each, above their own 42 too: an override beside the seats (recommend-own-limit.test.ts)
      const limit = r.triggers.find((x) => x.id === 'hook_a')!.requestedLimit;
      expect(cli).toContain(`hook_a: override (limit ${limit}), held back by the fair-use pool: ${seats} seats (see Seats)`);
      const report = buildExport(r, null).find((f) => f.path === 'report.md')!.content;
      expect(report).not.toContain('already enough');
      expect(report).toContain(`override (${limit}); held back by the pool: ${seats} seats (see Seats)`);
      expect(report).toContain(r.seats.reason);
    });
  }

  it('with seats enough for the same demand, nothing is held and the advice is as before', () => {
    const plan = poolPlan('platform', 4);
    const r = recommend(exportedUnder(plan, poolDemand(40, T0)), plan, { paths: 40 });
    expect(r.seats.poolHeldDays).toBeUndefined();
    expect(r.triggers.every((t) => t.heldByPool === undefined)).toBe(true);
    expect(r.seats.reason).toContain('(already enough)');
    expect(r.plan.workspace.seats).toBe(4);
  });
});
