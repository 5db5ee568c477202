/**
 * Edits on the modeling screens, through the parts simulator: one key's cap (that key's requests
 * simulated alone and the kept spend result patched, src/engine/isolated-cap.ts, when no spend
 * limit can be reached) and seats (the allowance part, tallied without reading its messages). The
 * result, charts and tallies must be a fresh whole simulation's, bit for bit, under both profiles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePlan, type Plan } from '../src/engine/plan.ts';
import { PartsSimulator } from '../src/engine/parts.ts';
import { Reason, type SimulationResult } from '../src/engine/result.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { dayFrameOf, talliesOf, tally } from '../src/engine/report-tallies.ts';
import { simulate } from '../src/engine/simulate.ts';
import { DAY, events, HOUR, scenarioSource, T0, type Row } from './support/scenario.ts';

const RUNS = Number(process.env.HEADROOM_PROPERTY_RUNS ?? 200);
const params = { numRuns: RUNS, ...(process.env.HEADROOM_PROPERTY_RUNS === undefined ? { seed: 20261202 } : {}) };
// a deep run (HEADROOM_PROPERTY_RUNS) takes longer than the default 30 s
const TIMEOUT = 30_000 + RUNS * 150;

const KEYS = ['k0', 'k1', 'k2'];
const capArb = fc.constantFrom<number | null>(null, null, 0, 0.5, 1, 2, 3, 5, 100);

const planArb = fc
  .record({
    profile: fc.constantFrom('documented', 'platform'),
    caps: fc.array(capArb, { minLength: 3, maxLength: 3 }),
    // small amounts bind, large ones never do: both ways through the isolation check
    limits: fc.subarray([
      { id: 'day', window: 'utc-day' as const },
      { id: 'month', window: 'calendar-month' as const },
      { id: 'roll', window: 'rolling-30d' as const },
    ]),
    amount: fc.constantFrom(1, 6, 20, 1000, 1000),
    capCheck: fc.constantFrom('spent' as const, 'spent_plus_cost' as const),
    keyCapWindowDays: fc.constantFrom(1, 2, 30),
    webhookWhenLimited: fc.constantFrom('queue' as const, 'drop' as const),
    programmaticLimit: fc.constantFrom<number | null>(null, 1, 2),
    throttle: fc.constantFrom<number | undefined>(undefined, 1, 2),
    // a queue wait limit simulates the whole: the edits must still come out right
    maxQueueWaitHours: fc.constantFrom<number | null>(null, null, null, null, 1),
  })
  .map(
    (g): Plan =>
      validatePlan({
        version: 1,
        workspace: { seats: 1, messagesPerSeatPerDay: 3, fairUseShare: 0.5, spendLimits: g.limits.map((l) => ({ ...l, amountUsd: g.amount })) },
        apiKeys: KEYS.map((id, i) => ({ id, name: id, capUsd: g.caps[i] })),
        triggers: [
          { id: 't_prog', kind: 'webhook', mode: 'programmatic', limitPer24h: g.programmaticLimit },
          { id: 't_fair', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 },
        ],
        enforcement: {
          profile: g.profile,
          capCheck: g.capCheck,
          keyCapWindowDays: g.keyCapWindowDays,
          webhookWhenLimited: g.webhookWhenLimited,
          maxQueueWaitHours: g.maxQueueWaitHours,
          ...(g.throttle === undefined ? {} : { actorPerMinute: g.throttle, actorPerHour: g.throttle * 3 }),
        },
      }),
  );

const rowArb = (step: number): fc.Arbitrary<Row> =>
  fc
    .record({
      slot: fc.integer({ min: 0, max: 40 }),
      kind: fc.constantFrom('api', 'api', 'api', 'trigger', 'trigger', 'message', 'message'),
      key: fc.constantFrom(...KEYS, 'k_new'),
      trigger: fc.constantFrom('t_prog', 't_fair'),
      user: fc.constantFrom('u', 'v'),
      cost: fc.constantFrom(1, 250_000, 500_000, 1_000_000, 2_000_000),
    })
    .map((e): Row => {
      const t = T0 + e.slot * step;
      if (e.kind === 'api') return [t, 'api', e.key, e.cost];
      if (e.kind === 'trigger') return [t, 'trigger', e.trigger, e.cost];
      return [t, 'message', e.user, 0];
    });

const scenarioArb = fc
  .record({
    plan: planArb,
    step: fc.constantFrom(30_000, HOUR, 6 * HOUR, DAY),
    // one cap edit after another, each on the plan the last one left
    edits: fc.array(fc.record({ key: fc.integer({ min: 0, max: 2 }), cap: capArb }), { minLength: 1, maxLength: 5 }),
    seats: fc.array(fc.constantFrom(0, 1, 2, 3, 5, 50), { minLength: 1, maxLength: 7 }),
    buckets: fc.constantFrom(0, 7, 40),
  })
  // a message, so that the allowance part is never empty (else the whole is simulated)
  .chain((s) => fc.array(rowArb(s.step), { minLength: 4, maxLength: 50 }).map((rows) => ({ ...s, events: events([[T0, 'message', 'u', 0], ...rows]) })));

/**
 * The parts simulator's answer to `plan` equals a fresh whole simulation, charts included, and so
 * do its tallies; gives the fresh result.
 */
function expectWholeSimulation(sim: PartsSimulator, plan: Plan, evs: EventColumns, options: { timelineBuckets: number; recycle?: SimulationResult }): SimulationResult {
  return expectWhole(sim, plan, evs, options).fresh;
}

/** `sim`'s result for `plan` (returned as `result`) against a fresh whole simulation (`fresh`). */
function expectWhole(sim: PartsSimulator, plan: Plan, evs: EventColumns, options: { timelineBuckets: number; recycle?: SimulationResult }): { result: SimulationResult; fresh: SimulationResult } {
  const result = sim.run(plan, options);
  const fresh = simulate(plan, evs, options);
  const source = scenarioSource(plan, evs);
  expect({ ...result, source }).toEqual({ ...fresh, source });
  expect(talliesOf(evs, result)).toEqual(tally(evs, fresh, dayFrameOf(evs)));
  return { result, fresh };
}

describe('cap and seats edits give the whole simulation', () => {
  it('gives the whole simulation, charts and tallies included, over a series of cap edits', () => {
    let isolated = 0;
    let simulated = 0;
    let edits = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const sim = new PartsSimulator(s.events);
        const options = { timelineBuckets: s.buckets };
        let plan = s.plan;
        sim.run(plan, options);
        for (const edit of s.edits) {
          plan = { ...plan, apiKeys: plan.apiKeys.map((k, i) => (i === edit.key ? { ...k, capUsd: edit.cap } : k)) };
          expectWholeSimulation(sim, plan, s.events, options);
          edits++;
          if (sim.lastIsolatedKey === null && sim.lastSimulated.includes('spend')) simulated++;
          if (sim.lastIsolatedKey !== null) {
            isolated++;
            expect(sim.lastIsolatedKey).toBe(KEYS[edit.key]);
          }
        }
      }),
      params,
    );
    // the comparison covers the patched results, and the edits that had to simulate the part
    // (most edits are answered by a kept result, or move nothing, or the whole is simulated)
    expect(isolated).toBeGreaterThan(edits / 20);
    expect(simulated).toBeGreaterThan(edits / 40);
   }, TIMEOUT);

  it('seats that make the allowance refuse and stop refusing: the whole simulation, and its tallies', () => {
    let refusing = 0;
    let edits = 0;
    let reused = 0;
    let passes = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const sim = new PartsSimulator(s.events);
        const options = { timelineBuckets: s.buckets };
        // as the compute worker runs edits: the last result given back, its parts' arrays reused
        let last = sim.run(s.plan, options);
        for (const seats of s.seats) {
          const plan = { ...s.plan, workspace: { ...s.plan.workspace, seats } };
          const { result, fresh } = expectWhole(sim, plan, s.events, { ...options, recycle: last });
          last = result;
          edits++;
          if (sim.lastArraysReused) reused++;
          if (sim.lastSimulated.includes('allowance')) passes++;
          if (fresh.reason.some((why) => why === Reason.allowance)) refusing++;
        }
      }),
      params,
    );
    // both ways: seats the messages run out of, and seats that leave room
    expect(refusing).toBeGreaterThan(edits / 10);
    expect(refusing).toBeLessThan(edits * 0.9);
    // and passes that wrote over an earlier result's arrays, not only fresh ones
    expect(reused).toBeGreaterThan(passes / 20);
   }, TIMEOUT);

  it('a result not given back stays its own after any number of later edits; one given back is never another plan\'s', () => {
    // a busy day: each seat more lets more messages and runs through
    const busy: Row[] = [[T0, 'api', 'k0', 1_000_000]];
    for (let i = 0; i < 60; i++) busy.push([T0 + i * 10 * 60_000, i % 4 === 0 ? 'trigger' : 'message', i % 4 === 0 ? 't_hook' : `u${i % 3}`]);
    const s = { events: events(busy) };
    const plan0 = validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 5, fairUseShare: 0.5, spendLimits: [] },
      apiKeys: [{ id: 'k0', capUsd: 5 }],
      triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { webhookWhenLimited: 'queue', maxQueueWaitHours: null },
    });
    const sim = new PartsSimulator(s.events);
    const options = { timelineBuckets: 4 };
    const plans = [1, 2, 3, 4, 1, 2, 5, 6].map((seats) => ({ ...plan0, workspace: { ...plan0.workspace, seats } }));
    // held by the caller: never recycled
    const held = sim.run(plans[0]!, options);
    let last = sim.run(plans[1]!, options);
    const given: [SimulationResult, Plan][] = [[last, plans[1]!]];
    let reused = 0;
    for (const plan of plans.slice(2)) {
      last = sim.run(plan, { ...options, recycle: last });
      given.push([last, plan]);
      if (sim.lastArraysReused) reused++;
    }
    expect(reused).toBeGreaterThan(0);
    expect({ ...held }).toEqual({ ...simulate(plans[0]!, s.events, options) });
    for (const [result, plan] of given) {
      let own = true;
      try {
        void result.outcome;
      } catch (err) {
        expect(String(err)).toMatch(/superseded part result/);
        own = false;
      }
      if (own) expect({ ...result }).toEqual({ ...simulate(plan, s.events, options) });
    }
  });

  it('the second seats edit already writes over the arrays of the result it pushes out, unless something still reads it', () => {
    const busy: Row[] = [[T0, 'api', 'k0', 1_000_000]];
    for (let i = 0; i < 60; i++) busy.push([T0 + i * 10 * 60_000, i % 4 === 0 ? 'trigger' : 'message', i % 4 === 0 ? 't_hook' : `u${i % 3}`]);
    const ev = events(busy);
    const plan0 = validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 5, fairUseShare: 0.5, spendLimits: [] },
      apiKeys: [{ id: 'k0', capUsd: 5 }],
      triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { webhookWhenLimited: 'queue', maxQueueWaitHours: null },
    });
    const seats = (n: number): Plan => ({ ...plan0, workspace: { ...plan0.workspace, seats: n } });
    const options = { timelineBuckets: 4 };

    // as the compute worker runs them: each result given back by the next run
    const sim = new PartsSimulator(ev);
    let last = sim.run(seats(1), options);
    const reusedAt: boolean[] = [];
    for (const n of [2, 3, 4]) {
      last = sim.run(seats(n), { ...options, recycle: last });
      reusedAt.push(sim.lastArraysReused);
      expect(sim.lastSimulated).toEqual(['allowance']);
      expect({ ...last }).toEqual({ ...simulate(seats(n), ev, options) });
    }
    // the first edit finds one kept result only; the second pushes the opening one out
    expect(reusedAt).toEqual([false, true, true]);

    // the opening result held by its caller (never given back): its arrays stay its own
    const holding = new PartsSimulator(ev);
    const held = holding.run(seats(1), options);
    let next = holding.run(seats(2), options);
    next = holding.run(seats(3), { ...options, recycle: next });
    expect(holding.lastArraysReused).toBe(false);
    expect({ ...held }).toEqual({ ...simulate(seats(1), ev, options) });
    expect({ ...next }).toEqual({ ...simulate(seats(3), ev, options) });
  });

  // A day of requests: k0 spends $1 an hour, k1 $0.50; programmatic runs $0.25 each.
  const rows: Row[] = [];
  for (let i = 0; i < 24; i++) {
    rows.push([T0 + i * HOUR, 'api', 'k0', 1_000_000], [T0 + i * HOUR + 1, 'api', 'k1', 500_000], [T0 + i * HOUR + 2, 'trigger', 't_prog', 250_000]);
  }
  const ev = events([[T0, 'message', 'u', 0], ...rows]);
  const withCap = (p: Plan, cap: number | null): Plan => ({ ...p, apiKeys: p.apiKeys.map((k) => (k.id === 'k0' ? { ...k, capUsd: cap } : k)) });
  const dayPlan = (amountUsd: number): Plan =>
    validatePlan({
      workspace: { seats: 1, spendLimits: [{ id: 'day', amountUsd, window: 'utc-day' }] },
      apiKeys: [
        { id: 'k0', capUsd: 5 },
        { id: 'k1', capUsd: null },
      ],
      triggers: [{ id: 't_prog', kind: 'webhook', mode: 'programmatic' }],
    });

  it('a key from a cap to none and back: only its requests, and the result a fresh one', () => {
    const roomy = dayPlan(1000);
    const sim = new PartsSimulator(ev);
    sim.run(roomy, { timelineBuckets: 12 });
    // the last two results are kept: 5 comes back after two others, so it is patched again too
    for (const cap of [null, 10, 5]) {
      const plan = withCap(roomy, cap);
      const r = sim.run(plan, { timelineBuckets: 12 });
      expect(sim.lastIsolatedKey).toBe('k0');
      expect(r).toEqual(simulate(plan, ev, { timelineBuckets: 12 }));
      expect(r.keyStats[0]!.peakRollingMicros).toBe(cap === null ? 24_000_000 : cap * 1_000_000);
    }
  });

  it('a spend limit the key could now reach: the part is simulated as before', () => {
    // $30 a day: with k0 at $5 the day spends 5 + 12 + 6 = $23; uncapped k0 adds $19 and reaches it
    const tight = dayPlan(30);
    const sim = new PartsSimulator(ev);
    sim.run(tight, { timelineBuckets: 12 });
    const open = withCap(tight, null);
    const r = sim.run(open, { timelineBuckets: 12 });
    expect(sim.lastIsolatedKey).toBeNull();
    expect(sim.lastSimulated).toEqual(['spend']);
    expect(r).toEqual(simulate(open, ev, { timelineBuckets: 12 }));
    expect(r.reason.some((why) => why >= 8)).toBe(true);
    // and a cap the limit leaves alone: $6 adds at most $1 to $23
    const six = withCap(tight, 6);
    sim.run(tight, { timelineBuckets: 12 });
    expect(sim.run(six, { timelineBuckets: 12 })).toEqual(simulate(six, ev, { timelineBuckets: 12 }));
    expect(sim.lastIsolatedKey).toBe('k0');
  });

  it("the key's own throttles still decide its requests when it is simulated alone", () => {
    // k0 asks every 20 s for 10 minutes at $0.50; one request a minute gets through the throttle
    const burst: Row[] = [[T0, 'message', 'u', 0]];
    for (let i = 0; i < 30; i++) burst.push([T0 + i * 20_000, 'api', 'k0', 500_000], [T0 + i * 20_000 + 1, 'api', 'k1', 1]);
    const throttled = validatePlan({
      workspace: { seats: 1, spendLimits: [{ id: 'day', amountUsd: 1000, window: 'utc-day' }] },
      apiKeys: [{ id: 'k0', capUsd: 1 }, { id: 'k1', capUsd: null }],
      enforcement: { profile: 'platform', actorPerMinute: 1 },
    });
    const bursty = events(burst);
    const sim = new PartsSimulator(bursty);
    sim.run(throttled, { timelineBuckets: 4 });
    const raised = withCap(throttled, 4);
    const r = sim.run(raised, { timelineBuckets: 4 });
    expect(sim.lastIsolatedKey).toBe('k0');
    expect(r).toEqual(simulate(raised, bursty, { timelineBuckets: 4 }));
    // eight admitted ($4), the rest throttled or capped
    expect(r.reason.filter((why) => why === 5).length).toBeGreaterThan(0);
    expect(r.keyStats[0]!.peakRollingMicros).toBe(4_000_000);
  });
});

/**
 * A trigger's mode moves its runs between the parts, so both are simulated again over a new split
 * of the events. The new split's memory is touched ahead (`prepareSplitMemory`) or taken over from
 * a split no longer kept, and the allowance pass writes over the arrays of a result of another
 * size: none of it may show in a result, nor change one still held.
 */
describe('trigger mode edits give the whole simulation', () => {
  type ModeEdit = { kind: 'mode'; triggers: ('t_prog' | 't_fair')[]; named: boolean } | { kind: 'seats'; seats: number } | { kind: 'cap'; key: number; cap: number | null };
  const editArb: fc.Arbitrary<ModeEdit> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mode' as const), triggers: fc.subarray(['t_prog', 't_fair'] as ('t_prog' | 't_fair')[], { minLength: 1 }), named: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('seats' as const), seats: fc.constantFrom(0, 1, 2, 5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cap' as const), key: fc.integer({ min: 0, max: 2 }), cap: capArb }) },
  );
  const modeScenarioArb = fc
    .record({ edits: fc.array(editArb, { minLength: 2, maxLength: 8 }), ahead: fc.boolean(), hold: fc.integer({ min: 0, max: 7 }) })
    .chain((m) => scenarioArb.map((s) => ({ ...s, ...m })));

  /** `plan` with each of `ids` in the other mode; under the platform's names when `named`. */
  const switched = (plan: Plan, ids: string[], named: boolean): Plan => ({
    ...plan,
    triggers: plan.triggers.map((t) => {
      if (!ids.includes(t.id)) return t;
      const programmatic = t.mode === 'programmatic' || t.mode === 'workspace_pool';
      return { ...t, mode: programmatic ? (named ? 'user_pool' : 'fair_use') : named ? 'workspace_pool' : 'programmatic' };
    }),
  });

  it('one or two triggers switched back and forth between seats and cap edits, under both profiles: the whole, bit for bit', () => {
    const memory = { ahead: 0, 'taken over': 0, fresh: 0 };
    let switches = 0;
    // new splits made from a kept one, only the switched triggers' runs moved
    let moved = 0;
    let both = 0;
    let reused = 0;
    let held = 0;
    // spend parts patched from a kept one, only their runs simulated again (src/engine/spend-runs.ts)
    let runsOnly = 0;
    fc.assert(
      fc.property(modeScenarioArb, (s) => {
        const sim = new PartsSimulator(s.events);
        const options = { timelineBuckets: s.buckets };
        let plan = s.plan;
        // as the compute worker runs edits: the last result given back, the split memory touched ahead
        let last: SimulationResult | undefined = sim.run(plan, options);
        if (s.ahead) sim.prepareSplitMemory();
        let kept: { result: SimulationResult; plan: Plan } | null = null;
        s.edits.forEach((edit, i) => {
          if (edit.kind === 'mode') plan = switched(plan, edit.triggers, edit.named);
          else if (edit.kind === 'seats') plan = { ...plan, workspace: { ...plan.workspace, seats: edit.seats } };
          else plan = { ...plan, apiKeys: plan.apiKeys.map((k, j) => (j === edit.key ? { ...k, capUsd: edit.cap } : k)) };
          // one result the caller holds on to (never given back) is not read until every later
          // edit is done: its per-event arrays and tallies are made from its split's parts then
          if (i === s.hold) {
            kept = { result: sim.run(plan, { ...options, recycle: last }), plan };
            last = undefined;
            return;
          }
          last = expectWhole(sim, plan, s.events, { ...options, recycle: last }).result;
          if (edit.kind === 'mode') switches++;
          if (sim.lastSplitMemory !== null) memory[sim.lastSplitMemory]++;
          if (sim.lastSplitMoved !== null) moved++;
          if (sim.lastSimulated.length === 2) both++;
          if (sim.lastArraysReused && edit.kind === 'mode') reused++;
          if (sim.lastRunsOnly) runsOnly++;
        });
        if (kept !== null) {
          const { result, plan: p } = kept;
          const fresh = simulate(p, s.events, options);
          expect(talliesOf(s.events, result)).toEqual(tally(s.events, fresh, dayFrameOf(s.events)));
          expect(result).toEqual(fresh);
          held++;
        }
      }),
      params,
    );
    expect(switches).toBeGreaterThan(RUNS);
    // every way to a new split's memory was taken, and both parts simulated again often
    expect(memory.ahead).toBeGreaterThan(RUNS / 10);
    expect(memory['taken over']).toBeGreaterThan(RUNS / 10);
    expect(memory.fresh).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(RUNS / 2);
    expect(both).toBeGreaterThan(RUNS / 2);
    expect(reused).toBeGreaterThan(RUNS / 20);
    expect(held).toBeGreaterThan(RUNS / 2);
    expect(runsOnly).toBeGreaterThan(RUNS / 10);
  }, TIMEOUT);
});
