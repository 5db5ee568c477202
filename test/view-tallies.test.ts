/**
 * The modeling view of an edit is built from per-part tallies (src/engine/report-tallies.ts): a
 * part simulated again is tallied again, the other part's tallies are kept. Whatever the edit, the
 * view must equal the one a fresh whole simulation gives.
 */
import { describe, expect, it } from 'vitest';
import { generateWorkspace } from '../src/demo/generator.ts';
import { PartsSimulator } from '../src/engine/parts.ts';
import { validatePlan, type Plan } from '../src/engine/plan.ts';
import { buildReport } from '../src/engine/report.ts';
import { addTallies, dayFrameOf, tally } from '../src/engine/report-tallies.ts';
import { simulate } from '../src/engine/simulate.ts';
import { viewOf } from '../src/modeling/project.ts';
import type { ModelView } from '../src/modeling/types.ts';
import { keyStatuses } from '../src/views/key-figure.ts';
import { events as eventsOf, h, type Row } from './support/scenario.ts';

const { plan: generated, events } = generateWorkspace({ days: 21, seed: 7, keys: 9, triggers: 14, seats: 12 });
const options = { timelineBuckets: 60 };

/** The demo's plan (caps, a daily and a monthly spend limit, triggers in both modes), the month's limit made to bite too. */
const base: Plan = validatePlan({
  ...JSON.parse(JSON.stringify(generated)),
  workspace: { ...generated.workspace, spendLimits: generated.workspace.spendLimits.map((l) => (l.window === 'calendar-month' ? { ...l, amountUsd: 2000 } : l)) },
});

/** The figures a view shows, without how it was computed. */
function shown(view: ModelView): Omit<ModelView, 'computeMs' | 'computeThreads' | 'simulated'> {
  const { computeMs: _ms, computeThreads: _threads, simulated: _simulated, ...rest } = view;
  return rest;
}

const wholeView = (plan: Plan): ModelView => viewOf(plan, events, simulate(plan, events, options));

describe('a view from per-part tallies equals the whole simulation\'s', () => {
  it('holds several keys, triggers in both modes, and spend limits that refuse', () => {
    const r = simulate(base, events, options);
    const report = buildReport(events, r);
    expect(report.keys.length).toBeGreaterThan(5);
    const modes = new Set(r.plan.triggers.map((t) => t.mode));
    expect([...modes].sort()).toEqual(['fair_use', 'programmatic']);
    expect(report.spendLimits.some((l) => l.blocked + l.delayed > 0)).toBe(true);
    expect(report.keys.some((k) => (k.blockedBy.key_cap ?? 0) > 0)).toBe(true);
  });

  it('an edited cap, seats and a trigger mode: each view equals a fresh whole simulation\'s', () => {
    const sim = new PartsSimulator(events);
    const first = sim.run(base, options);
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
    expect(shown(viewOf(base, events, first))).toEqual(shown(wholeView(base)));

    // the key its cap stopped most, its cap doubled
    const stopped = buildReport(events, first).keys.reduce((a, b) => ((b.blockedBy.key_cap ?? 0) > (a.blockedBy.key_cap ?? 0) ? b : a));
    const capped = base.apiKeys.find((k) => k.id === stopped.id);
    expect(capped?.capUsd).not.toBeNull();
    const cap: Plan = { ...base, apiKeys: base.apiKeys.map((k) => (k === capped ? { ...k, capUsd: (k.capUsd ?? 0) * 2 } : k)) };
    const afterCap = sim.run(cap, { ...options, recycle: first });
    expect(sim.lastSimulated).toEqual(['spend']);
    const capView = viewOf(cap, events, afterCap);
    expect(shown(capView)).toEqual(shown(wholeView(cap)));
    // the edit shows: the key's figures are not the first plan's
    expect(capView.keys.find((k) => k.id === capped?.id)).not.toEqual(viewOf(base, events, first).keys.find((k) => k.id === capped?.id));

    const seats: Plan = { ...cap, workspace: { ...cap.workspace, seats: 2 } };
    const afterSeats = sim.run(seats, options);
    expect(sim.lastSimulated).toEqual(['allowance']);
    const seatsView = viewOf(seats, events, afterSeats);
    expect(seatsView.workspace.blockedMessages).toBeGreaterThan(0);
    expect(shown(seatsView)).toEqual(shown(wholeView(seats)));

    const fairUse = seats.triggers.find((t) => t.mode === 'fair_use');
    const moved: Plan = { ...seats, triggers: seats.triggers.map((t) => (t === fairUse ? { ...t, mode: 'programmatic' as const } : t)) };
    const afterMove = sim.run(moved, options);
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
    expect(shown(viewOf(moved, events, afterMove))).toEqual(shown(wholeView(moved)));

    // back to the seats edit: both kept results answer, and the view is still the whole's
    const again = sim.run(seats, options);
    expect(sim.lastSimulated).toEqual([]);
    expect(shown(viewOf(seats, events, again))).toEqual(shown(wholeView(seats)));
  });

  it('the projection\'s key statuses from the tallies equal those of the report', () => {
    const sim = new PartsSimulator(events);
    const r = sim.run(base, options);
    const { statuses } = keyStatuses(events, r);
    expect(statuses).toEqual(viewOf(base, events, r).keys.map((k) => k.status));
    expect(new Set(statuses).has('limited')).toBe(true);
  });
});

describe('tallies added', () => {
  it('two halves of the events add up to the whole\'s tallies, an entity seen by one half only included', () => {
    const rows: Row[] = [
      [h(1), 'api', 'k1', 6_000_000],
      [h(2), 'trigger', 't1', 0],
      [h(30), 'api', 'k1', 4_000_000],
      [h(31), 'api', 'k2', 1_000_000],
      [h(50), 'trigger', 't2', 0],
    ];
    const plan = validatePlan({ apiKeys: [{ id: 'k1', capUsd: 5 }], triggers: [{ id: 't1' }, { id: 't2' }] });
    const whole = eventsOf(rows);
    const r = simulate(plan, whole, {});
    const frame = dayFrameOf(whole);
    // the same decisions, tallied as two sets of events (the first three, the last two)
    const half = (from: number, to: number) => {
      const ev = { ...whole, count: to - from, time: whole.time.slice(from, to), type: whole.type.slice(from, to), subject: whole.subject.slice(from, to), cost: whole.cost.slice(from, to) };
      const res = { ...r, count: to - from, outcome: r.outcome.slice(from, to), admittedAt: r.admittedAt.slice(from, to), reason: r.reason.slice(from, to), entity: r.entity.slice(from, to) };
      return tally(ev, res, frame);
    };
    const added = addTallies(half(0, 3), half(3, 5));
    expect(added).toEqual(tally(whole, r, frame));
    // k1's second request went over its cap: blocked, on day 1
    expect(added.keys.requests[0]).toBe(2);
    expect(added.keys.admitted[0]).toBe(1);
    expect(added.keys.firstBlocked[0]).toBe(h(30));
    expect(added.triggers.daily[1 * frame.days + 2]).toBe(1);
  });
});
