/**
 * Random small scenarios where limits bite: the engine must decide exactly like the reference
 * (test/support/reference-engine.ts), and its result must satisfy invariants that follow from
 * SPEC §4 whatever the decisions are.
 *
 * Timestamps sit on a coarse grid so that ties and exact expiries (s + 24 h, s + N days) are
 * common. HEADROOM_PROPERTY_RUNS=20000 npx vitest run test/engine-property.test.ts for a deep run
 * (random seed, printed on failure); HEADROOM_PROPERTY_SEED=<n> replays a seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan, PlanInput, SpendLimitWindow } from '../src/engine/plan.ts';
import { Outcome, Reason } from '../src/engine/result.ts';
import type { SimulationResult } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import { PartsSimulator } from '../src/engine/parts.ts';
import { PartThread } from '../src/engine/part-thread.ts';
import { referenceSimulate, utcDayStart, utcMonthStart } from './support/reference-engine.ts';
import {
  DAY,
  HOUR,
  diffDecisions,
  engineDecisions,
  events,
  isoOf,
  referenceAsResult,
  referenceDecisions,
  scenarioSource,
} from './support/scenario.ts';
import type { RawPlan, Row } from './support/scenario.ts';

const RUNS = Number(process.env.HEADROOM_PROPERTY_RUNS ?? 300);
// The quick default run is reproducible (fixed seed); a deep run (HEADROOM_PROPERTY_RUNS set)
// explores fresh scenarios each time unless HEADROOM_PROPERTY_SEED pins them.
const SEED =
  process.env.HEADROOM_PROPERTY_SEED !== undefined
    ? Number(process.env.HEADROOM_PROPERTY_SEED)
    : process.env.HEADROOM_PROPERTY_RUNS === undefined
      ? 20261121
      : undefined;
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

// ---------------------------------------------------------------------------------------------
// Scenarios

const KEY_IDS = ['k0', 'k1'];
const TRIGGER_IDS = ['t0', 't1', 't2'];
/** subjects used by events: one more of each than the plan may hold, so some get inferred */
const EVENT_KEYS = [...KEY_IDS, 'k_new'];
const EVENT_TRIGGERS = [...TRIGGER_IDS, 't_new'];
const COSTS = [0, 1, 500_000, 1_000_000, 2_000_000];

const dollars = fc.constantFrom<number>(0, 0.5, 1, 2, 2, 3, 5);

const keyArb = (id: string) => fc.record({ id: fc.constant(id), capUsd: fc.constantFrom(null, 0, 0.5, 1, 2, 3, 0.000001) });

const triggerArb = (id: string) =>
  fc
    .record({
      id: fc.constant(id),
      kind: fc.constantFrom('webhook' as const, 'webhook' as const, 'webhook' as const, 'scheduled' as const),
      mode: fc.constantFrom('fair_use' as const, 'programmatic' as const),
      limitPer24h: fc.constantFrom(null, -1, 0, 1, 1, 2, 2, 3),
    })
    .map((t) => (t.kind === 'scheduled' ? { ...t, mode: 'fair_use' as const } : t));

/**
 * `queueFocus` plans make webhooks queue under small, finite limits, so that runs wait and get
 * released often (expiries, midnights, wait limits, FIFO) instead of being refused for good.
 */
const planArb = (queueFocus: boolean): fc.Arbitrary<Plan> =>
  fc
    .record({
      seats: fc.constantFrom<number>(0, 1, 1, 2, 3),
      messagesPerSeatPerDay: fc.constantFrom<number | null>(null, null, 0, 1, 2, 3, 5),
      fairUseShare: fc.constantFrom<number>(0, 0.1, 0.34, 0.5, 0.5, 1),
      spendLimits: fc.subarray([
        { id: 'L0', window: 'utc-day' as const },
        { id: 'L1', window: 'calendar-month' as const },
        { id: 'L2', window: 'rolling-30d' as const },
      ]),
      amounts: fc.array(dollars, { minLength: 3, maxLength: 3 }),
      shuffleLimits: fc.boolean(),
      keys: fc.tuple(...KEY_IDS.map((id) => fc.option(keyArb(id), { nil: undefined }))),
      triggers: fc.tuple(...TRIGGER_IDS.map((id) => fc.option(triggerArb(id), { nil: undefined }))),
      enforcement: fc.record({
        keyCapWindowDays: fc.constantFrom(1, 2, 30),
        capCheck: fc.constantFrom('spent' as const, 'spent_plus_cost' as const),
        webhookWhenLimited: fc.constantFrom('queue' as const, 'queue' as const, 'drop' as const),
        maxQueueWaitHours: fc.constantFrom(null, null, null, null, 0, 0.5, 1, 6, 12, 24, 36),
      }),
    })
    .map((generated) => {
      // fast-check reuses generated values while shrinking: derive, never mutate
      const r = queueFocus
        ? {
            ...generated,
            seats: Math.max(generated.seats, 1),
            messagesPerSeatPerDay: generated.messagesPerSeatPerDay === null ? null : Math.max(generated.messagesPerSeatPerDay, 2),
            fairUseShare: Math.max(generated.fairUseShare, 0.34),
            amounts: generated.amounts.map((a) => Math.max(a, 2)),
            triggers: generated.triggers.map((t) => t && { ...t, kind: 'webhook' as const, limitPer24h: t.limitPer24h === 0 ? 1 : t.limitPer24h }),
            enforcement: { ...generated.enforcement, webhookWhenLimited: 'queue' as const },
          }
        : generated;
      const limits = r.spendLimits.map((l, i) => ({ ...l, amountUsd: r.amounts[i]! }));
      if (r.shuffleLimits) limits.reverse();
      const input: PlanInput = {
        version: 1,
        workspace: {
          seats: r.seats,
          messagesPerSeatPerDay: r.messagesPerSeatPerDay,
          fairUseShare: r.fairUseShare,
          spendLimits: limits,
        },
        apiKeys: r.keys.filter((k) => k !== undefined),
        triggers: r.triggers.filter((t) => t !== undefined),
        enforcement: r.enforcement,
      };
      return validatePlan(input);
    });

/** a day start, the last days of a 31-day month, the end of February */
const BASES = [Date.UTC(2026, 0, 5), Date.UTC(2026, 0, 30, 18), Date.UTC(2026, 1, 27, 6)];

const rowArb = (base: number, step: number, queueFocus: boolean): fc.Arbitrary<Row> =>
  fc
    .record({
      slot: fc.integer({ min: 0, max: 16 }),
      nudge: fc.constantFrom(0, 0, 0, 0, 0, 0, -1, 1),
      kind: queueFocus
        ? fc.constantFrom('api', 'trigger', 'trigger', 'trigger', 'trigger', 'message')
        : fc.constantFrom('api', 'api', 'trigger', 'trigger', 'trigger', 'message'),
      key: fc.constantFrom(...EVENT_KEYS),
      trigger: fc.constantFrom(...EVENT_TRIGGERS),
      cost: fc.constantFrom(...COSTS),
    })
    .map((e): Row => {
      const t = base + e.slot * step + e.nudge;
      if (e.kind === 'api') return [t, 'api', e.key, e.cost];
      if (e.kind === 'trigger') return [t, 'trigger', e.trigger, e.cost];
      return [t, 'message', 'u', 0];
    });

interface Scenario {
  plan: Plan;
  events: EventColumns;
  until: number | undefined;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    plan: fc.boolean().chain((q) => planArb(q).map((plan) => ({ plan, q }))),
    base: fc.constantFrom(...BASES),
    step: fc.constantFrom(HOUR, 6 * HOUR, 8 * HOUR, 12 * HOUR, DAY, 3 * DAY),
    extra: fc.constantFrom(undefined, undefined, undefined, 0, HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY),
  })
  .chain((s) =>
    fc.array(rowArb(s.base, s.step, s.plan.q), { minLength: 1, maxLength: 24 }).map((rows): Scenario => {
      const ev = events(rows);
      const last = Math.max(...rows.map((r) => r[0] as number));
      return { plan: s.plan.plan, events: ev, until: s.extra === undefined ? undefined : last + s.extra };
    }),
  );

const optionsOf = (s: Scenario) => (s.until === undefined ? {} : { until: s.until });

// ---------------------------------------------------------------------------------------------
// Invariants on the engine's result alone

interface Admission {
  at: number;
  cost: number;
}

/**
 * Every window, seen at each admission instant, holds at most its limit: under `spent` the
 * last admission at an instant may cross it (so the total minus the largest cost admitted then
 * stays below the limit); under `spent_plus_cost` the total stays within it.
 */
function checkSpendWindow(label: string, entries: Admission[], limit: number, plusCost: boolean, from: (t: number) => number): string[] {
  const problems: string[] = [];
  for (const at of new Set(entries.map((e) => e.at))) {
    const start = from(at);
    let total = 0;
    let largest = 0;
    for (const e of entries) {
      if (e.at >= start && e.at <= at) total += e.cost;
      if (e.at === at) largest = Math.max(largest, e.cost);
    }
    const ok = plusCost ? total <= limit : total - largest < limit;
    if (!ok) problems.push(`${label}: ${total} µUSD admitted in the window at ${isoOf(at)} (limit ${limit}, ${plusCost ? 'spent_plus_cost' : 'spent'})`);
  }
  return problems;
}

function checkCountWindow(label: string, times: number[], limit: number): string[] {
  const problems: string[] = [];
  for (const at of new Set(times)) {
    const count = times.filter((s) => at - DAY < s && s <= at).length;
    if (count > limit) problems.push(`${label}: ${count} in the 24 h window at ${isoOf(at)} (limit ${limit})`);
  }
  return problems;
}

/** the first instant a spend limit's window still counts, seen at `t` */
function windowStart(window: SpendLimitWindow): (t: number) => number {
  if (window === 'utc-day') return utcDayStart;
  if (window === 'calendar-month') return utcMonthStart;
  return (t) => t - 30 * DAY + 1;
}

function invariantProblems(s: Scenario, r: SimulationResult, checkPeaks = true): string[] {
  const ev = s.events;
  const plan = r.plan;
  const problems: string[] = [];
  const queue = s.plan.enforcement.webhookWhenLimited === 'queue';
  const keyAdmissions = plan.keys.map((): Admission[] => []);
  const triggerAdmissions = plan.triggers.map((): number[] => []);
  const workspaceSpend: Admission[] = [];
  const pool: number[] = [];
  const allowance: number[] = [];

  for (let i = 0; i < ev.count; i++) {
    const t = ev.time[i]!;
    const type = ev.type[i]!;
    const outcome = r.outcome[i]!;
    const at = r.admittedAt[i]!;
    const reason = r.reason[i]!;
    const name = ev.subjects[ev.subject[i]!]!;
    const where = `#${i} (${isoOf(t)} ${name})`;
    if (outcome === Outcome.admitted) {
      if (!(at >= t)) problems.push(`${where} admitted at ${at} before it arrived`);
      if (!(at <= r.horizon)) problems.push(`${where} admitted after the horizon`);
      if ((reason === Reason.none) !== (at === t)) problems.push(`${where} reason ${reason} does not match its delay ${at - t} ms`);
    } else {
      if (!Number.isNaN(at)) problems.push(`${where} not admitted but admittedAt ${at}`);
      if (reason === Reason.none) problems.push(`${where} refused without a reason`);
    }
    if (type === EventType.api || type === EventType.message) {
      if (outcome !== Outcome.admitted && outcome !== Outcome.blocked) problems.push(`${where} ${type} event has outcome ${outcome}`);
      if (outcome === Outcome.admitted && at !== t) problems.push(`${where} request admitted late`);
    }
    if (type === EventType.message) {
      if (r.entity[i] !== -1) problems.push(`${where} message has an entity`);
      if (outcome === Outcome.admitted) allowance.push(at);
      continue;
    }
    const entity = r.entity[i]!;
    if (type === EventType.api) {
      const key = plan.keys[entity];
      if (!key || key.id !== name) {
        problems.push(`${where} entity ${entity} is not key ${name}`);
        continue;
      }
      if (outcome === Outcome.admitted) {
        keyAdmissions[entity]!.push({ at, cost: ev.cost[i]! });
        workspaceSpend.push({ at, cost: ev.cost[i]! });
      }
      continue;
    }
    const trigger = plan.triggers[entity];
    if (!trigger || trigger.id !== name) {
      problems.push(`${where} entity ${entity} is not trigger ${name}`);
      continue;
    }
    if (outcome === Outcome.blocked) problems.push(`${where} trigger run blocked (not skipped/dropped/pending)`);
    if (outcome === Outcome.skipped && trigger.kind !== 'scheduled') problems.push(`${where} webhook skipped`);
    if (trigger.kind === 'scheduled' && outcome !== Outcome.admitted && outcome !== Outcome.skipped) problems.push(`${where} scheduled run ${outcome}`);
    if (outcome === Outcome.pending && !queue) problems.push(`${where} pending without a queue`);
    if (outcome === Outcome.admitted && at > t + plan.maxWaitMs) problems.push(`${where} admitted after its wait limit`);
    if (outcome === Outcome.admitted) {
      triggerAdmissions[entity]!.push(at);
      if (trigger.mode === 'programmatic') workspaceSpend.push({ at, cost: ev.cost[i]! });
      else {
        pool.push(at);
        allowance.push(at);
      }
    }
  }

  const plusCost = plan.capCheckPlusCost;
  plan.keys.forEach((k, j) => {
    if (k.capMicros !== null) {
      problems.push(...checkSpendWindow(`key ${k.id}`, keyAdmissions[j]!, k.capMicros, plusCost, (t) => t - plan.keyCapWindowMs + 1));
    }
  });
  for (const l of plan.spendLimits) {
    problems.push(...checkSpendWindow(`spend limit ${l.id}`, workspaceSpend, l.amountMicros, plusCost, windowStart(l.window)));
  }
  plan.triggers.forEach((tr, j) => {
    problems.push(...checkCountWindow(`trigger ${tr.id}`, triggerAdmissions[j]!, tr.limit));
  });
  problems.push(...checkCountWindow('pool', pool, plan.pool));
  problems.push(...checkCountWindow('allowance', allowance, plan.allowance));

  // each trigger's queue is first-in first-out
  const order = [...Array(ev.count).keys()].sort((a, b) => ev.time[a]! - ev.time[b]! || a - b);
  plan.triggers.forEach((tr, j) => {
    let lastAdmitted = -Infinity;
    let pendingSeen = false;
    for (const i of order) {
      if (ev.type[i] !== EventType.trigger || r.entity[i] !== j) continue;
      const o = r.outcome[i]!;
      const queued = (o === Outcome.admitted && r.admittedAt[i]! > ev.time[i]!) || o === Outcome.pending;
      if (!queued) continue;
      if (o === Outcome.pending) pendingSeen = true;
      else {
        if (pendingSeen) problems.push(`trigger ${tr.id}: run #${i} admitted behind a run still pending`);
        if (r.admittedAt[i]! < lastAdmitted) problems.push(`trigger ${tr.id}: run #${i} admitted before an earlier waiting run`);
        lastAdmitted = r.admittedAt[i]!;
      }
    }
  });
  // reported peaks are the fullest each window ever was
  if (!checkPeaks) return problems;
  const peakSum = (entries: Admission[], from: (t: number) => number) =>
    Math.max(0, ...entries.map((x) => entries.filter((e) => e.at >= from(x.at) && e.at <= x.at).reduce((a, e) => a + e.cost, 0)));
  const peakCount = (times: number[]) => Math.max(0, ...times.map((at) => times.filter((s) => at - DAY < s && s <= at).length));
  plan.keys.forEach((k, j) => {
    const want = peakSum(keyAdmissions[j]!, (t) => t - plan.keyCapWindowMs + 1);
    if (r.keyStats[j]!.peakRollingMicros !== want) problems.push(`key ${k.id}: peak ${r.keyStats[j]!.peakRollingMicros}, recomputed ${want}`);
  });
  plan.spendLimits.forEach((l, j) => {
    const want = peakSum(workspaceSpend, windowStart(l.window));
    if (r.spendLimitPeakMicros[j] !== want) problems.push(`spend limit ${l.id}: peak ${r.spendLimitPeakMicros[j]}, recomputed ${want}`);
  });
  if (plan.pool !== Infinity && r.poolPeak !== peakCount(pool)) problems.push(`pool peak ${r.poolPeak}, recomputed ${peakCount(pool)}`);
  if (plan.allowance !== Infinity && r.allowancePeak !== peakCount(allowance)) {
    problems.push(`allowance peak ${r.allowancePeak}, recomputed ${peakCount(allowance)}`);
  }

  return problems;
}

// ---------------------------------------------------------------------------------------------

/** Differences between the engine's chart samples and the same recomputed from its admissions. */
function timelineProblems(s: Scenario, buckets: number): string[] {
  const r = simulate(s.plan, s.events, { ...optionsOf(s), timelineBuckets: buckets });
  const tl = r.timeline!;
  const allowance: Admission[] = [];
  const pool: Admission[] = [];
  const keys = r.plan.keys.map((): Admission[] => []);
  for (let i = 0; i < s.events.count; i++) {
    if (r.outcome[i] !== Outcome.admitted) continue;
    const at = r.admittedAt[i]!;
    const type = s.events.type[i];
    if (type === EventType.api) keys[r.entity[i]!]!.push({ at, cost: s.events.cost[i]! });
    else if (type === EventType.message) allowance.push({ at, cost: 1 });
    else if (r.plan.triggers[r.entity[i]!]!.mode === 'fair_use') {
      allowance.push({ at, cost: 1 });
      pool.push({ at, cost: 1 });
    }
  }
  const bucketOf = (t: number) => Math.min(Math.floor((t - tl.start) / tl.bucketMs), tl.buckets - 1);
  /** per bucket: what the window held just before its start, or after an admission inside it if more */
  const expected = (entries: Admission[], windowMs: number): number[] =>
    Array.from({ length: tl.buckets }, (_, b) => {
      const b0 = tl.start + b * tl.bucketMs;
      const held = (from: number, to: number, orAt: boolean) =>
        entries.reduce((sum, e) => (e.at > from && (e.at < to || (orAt && e.at === to)) ? sum + e.cost : sum), 0);
      let level = held(b0 - windowMs, b0, false);
      for (const e of entries) if (bucketOf(e.at) === b) level = Math.max(level, held(e.at - windowMs, e.at, true));
      return level;
    });
  const problems: string[] = [];
  const compare = (label: string, got: Float64Array, want: number[]) => {
    if (JSON.stringify(Array.from(got)) !== JSON.stringify(want)) problems.push(`${label}\n  engine:     ${Array.from(got).join(' ')}\n  recomputed: ${want.join(' ')}`);
  };
  compare('allowance', tl.allowanceUsed, expected(allowance, DAY));
  compare('pool', tl.poolUsed, expected(pool, DAY));
  r.plan.keys.forEach((k, j) => compare(`key ${k.id}`, tl.keySpend[j]!, expected(keys[j]!, r.plan.keyCapWindowMs)));
  // the longest wait of the runs admitted in each bucket
  const waits = new Array<number>(tl.buckets).fill(0);
  for (let i = 0; i < s.events.count; i++) {
    if (r.outcome[i] !== Outcome.admitted || s.events.type[i] !== EventType.trigger) continue;
    const b = bucketOf(r.admittedAt[i]!);
    waits[b] = Math.max(waits[b]!, r.admittedAt[i]! - s.events.time[i]!);
  }
  compare('longest wait', tl.maxDelay, waits);
  return problems;
}


describe('engine vs reference on random small scenarios', () => {
  it('decides every event exactly like the reference', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const engine = simulate(s.plan, s.events, optionsOf(s));
        const reference = referenceSimulate(s.plan, s.events, optionsOf(s));
        const diff = diffDecisions(s.events, engineDecisions(engine), referenceDecisions(s.plan, reference));
        if (diff !== '') throw new Error(`engine and reference disagree:\n${diff}\n\n${scenarioSource(s.plan, s.events, s.until)}`);
        expect(engine.horizon).toBe(reference.horizon);
        const inferred = (list: { id: string; inferred: boolean }[]) => list.filter((e) => e.inferred).map((e) => e.id).sort();
        expect(inferred(engine.plan.keys)).toEqual([...reference.inferredKeys].sort());
        expect(inferred(engine.plan.triggers)).toEqual([...reference.inferredTriggers].sort());
        for (let i = 0; i < s.events.count; i++) {
          const id = reference.entityId[i];
          const list = s.events.type[i] === EventType.api ? engine.plan.keys : engine.plan.triggers;
          expect(id === null ? engine.entity[i] : list[engine.entity[i]!]?.id, `entity of #${i}`).toBe(id === null ? -1 : id);
        }
        expect(engine.peakQueue, 'peakQueue').toBe(reference.peakQueue);
        engine.plan.triggers.forEach((t, j) => {
          expect(engine.triggerStats[j]!.peakQueue, `peakQueue of ${t.id}`).toBe(reference.peakQueueByTrigger.get(t.id) ?? 0);
        });
      }),
      params,
    );
  });

  it('reports the same capped-out episodes as the reference', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const engine = simulate(s.plan, s.events, optionsOf(s));
        const reference = referenceSimulate(s.plan, s.events, optionsOf(s));
        engine.plan.keys.forEach((k, j) => {
          if (k.capMicros === null) return;
          const want = reference.episodes.get(k.id) ?? [];
          const got = engine.keyStats[j]!.episodes;
          const text = (list: { from: number; until: number }[]) => list.map((e) => `${isoOf(e.from)} → ${Number.isFinite(e.until) ? isoOf(e.until) : e.until}`);
          if (JSON.stringify(text(got)) !== JSON.stringify(text(want))) {
            throw new Error(`key ${k.id} episodes\n  engine:    ${text(got).join(', ')}\n  reference: ${text(want).join(', ')}\n\n${scenarioSource(s.plan, s.events, s.until)}`);
          }
        });
      }),
      params,
    );
  });

  it('never lets a window hold more than its limit, nor admits a run before it arrives; reports true peaks; leaves its inputs alone', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const planBefore = JSON.stringify(s.plan);
        const eventsBefore = [Array.from(s.events.time), Array.from(s.events.type), Array.from(s.events.subject), Array.from(s.events.cost)];
        const problems = invariantProblems(s, simulate(s.plan, s.events, optionsOf(s)));
        if (JSON.stringify(s.plan) !== planBefore) problems.push('simulate() modified the plan');
        const eventsAfter = [Array.from(s.events.time), Array.from(s.events.type), Array.from(s.events.subject), Array.from(s.events.cost)];
        if (JSON.stringify(eventsAfter) !== JSON.stringify(eventsBefore)) problems.push('simulate() modified the events');
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${scenarioSource(s.plan, s.events, s.until)}`);
      }),
      params,
    );
  });

  it('decides the same with a timeline and a progress callback', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 40 }), (s, buckets) => {
        const plain = simulate(s.plan, s.events, optionsOf(s));
        const charted = simulate(s.plan, s.events, { ...optionsOf(s), timelineBuckets: buckets, onProgress: () => {} });
        expect(charted.timeline).not.toBeNull();
        expect(Array.from(charted.outcome)).toEqual(Array.from(plain.outcome));
        expect(Array.from(charted.admittedAt)).toEqual(Array.from(plain.admittedAt));
        expect(Array.from(charted.reason)).toEqual(Array.from(plain.reason));
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 3)) },
    );
  });

  it('charts each bucket from its start, raised to the highest level reached inside it', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 40 }), (s, buckets) => {
        const problems = timelineProblems(s, buckets);
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${scenarioSource(s.plan, s.events, s.until)}`);
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 3)) },
    );
    // events on every bucket boundary: each belongs to the bucket it opens
    const hourly: Row[] = [];
    for (let h = 0; h < 48; h++) hourly.push([BASES[0]! + h * HOUR, 'message', 'u', 0], [BASES[0]! + h * HOUR, 'api', 'k0', 1_000_000], [BASES[0]! + h * HOUR, 'trigger', 't0', 0]);
    const plan = validatePlan({ workspace: { seats: 1, messagesPerSeatPerDay: 30 }, apiKeys: [{ id: 'k0', capUsd: 20 }], enforcement: { keyCapWindowDays: 1 } });
    expect(timelineProblems({ plan, events: events(hourly), until: BASES[0]! + 47 * HOUR }, 47)).toEqual([]);
  });

  it('the reference itself satisfies the same invariants (guards the checker)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const ref = referenceSimulate(s.plan, s.events, optionsOf(s));
        const asResult = referenceAsResult(s.plan, ref);
        const problems = invariantProblems(s, asResult, false);
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${scenarioSource(s.plan, s.events, s.until)}`);
      }),
      params,
    );
  });
});

// The whole result, field by field: decisions, entities, stats, the plan with inferred entities, charts.
const expectSame = (parts: SimulationResult, whole: SimulationResult, source: string): void => {
  expect({ ...parts, source }).toEqual({ ...whole, source });
};

describe('the spend and allowance parts simulated apart', () => {
  it('give the same result as the whole, charts included', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(0, 1, 7, 40), (s, buckets) => {
        const options = { ...optionsOf(s), timelineBuckets: buckets };
        const parts = new PartsSimulator(s.events).run(s.plan, options);
        expectSame(parts, simulate(s.plan, s.events, options), scenarioSource(s.plan, s.events, s.until));
      }),
      params,
    );
  });

  it('give the same results over a series of plans, reusing a part only where the plan left it alone', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.boolean().chain(planArb), { minLength: 1, maxLength: 3 }), (s, others) => {
        const simulator = new PartsSimulator(s.events);
        const options = { ...optionsOf(s), timelineBuckets: 9 };
        // each plan, then the first again: the parts it left are found among the kept ones
        for (const plan of [s.plan, ...others, s.plan, others[0]!]) {
          expectSame(simulator.run(plan, options), simulate(plan, s.events, options), scenarioSource(plan, s.events, s.until));
        }
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 3)) },
    );
  });
});

describe('one part simulated in another thread, and the arrays of the last result reused', () => {
  const thread = new PartThread();
  beforeAll(async () => {
    thread.start();
    while (!thread.available) await new Promise((r) => setTimeout(r, 5));
  });
  afterAll(() => thread.close());

  it('gives the same results as the whole over a series of plans', async () => {
    let remote = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.array(fc.boolean().chain(planArb), { minLength: 1, maxLength: 3 }), async (s, others) => {
        const simulator = new PartsSimulator(s.events);
        const options = { ...optionsOf(s), timelineBuckets: 9 };
        let last: SimulationResult | undefined;
        const all: [SimulationResult, Plan][] = [];
        for (const plan of [s.plan, ...others, s.plan]) {
          const result = await simulator.runAsync(plan, { ...options, recycle: last }, thread.remote(null));
          if (simulator.lastSimulated.length === 2) remote++;
          expectSame(result, simulate(plan, s.events, options), scenarioSource(plan, s.events, s.until));
          last = result;
          all.push([result, plan]);
        }
        // A result given back (recycle) may have lent its arrays to a newer one: read again it
        // gives its own decisions, or says it was superseded; never another plan's decisions.
        for (const [result, plan] of all) {
          let own: boolean;
          try {
            void result.outcome;
            own = true;
          } catch (err) {
            expect(String(err)).toMatch(/superseded part result/);
            own = false;
          }
          if (own) expectSame(result, simulate(plan, s.events, options), scenarioSource(plan, s.events, s.until));
        }
        // the newest was never given back: always readable
        expectSame(all[all.length - 1][0], simulate(s.plan, s.events, options), scenarioSource(s.plan, s.events, s.until));
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 3)) },
    );
    // the comparison above covers runs where the thread took a part
    expect(remote).toBeGreaterThan(RUNS / 6);
  });
});

describe('a part kept for other limits', () => {
  // the same plan with new limit values: seats, messages per seat, the fair-use share, caps, spend limits
  const limitsArb = fc.record({
    seats: fc.constantFrom<number>(0, 1, 2, 3, 50),
    messagesPerSeatPerDay: fc.constantFrom<number | null>(null, 1, 2, 5, 100),
    fairUseShare: fc.constantFrom<number>(0, 0.34, 0.5, 1),
    caps: fc.array(fc.constantFrom<number | null>(null, 0, 0.5, 1, 2, 3, 100), { minLength: 2, maxLength: 2 }),
    amounts: fc.array(fc.constantFrom<number>(0, 0.5, 1, 2, 3, 5, 1000), { minLength: 3, maxLength: 3 }),
    which: fc.constantFrom('workspace', 'caps', 'amounts', 'all'),
  });
  type Limits = typeof limitsArb extends fc.Arbitrary<infer T> ? T : never;
  const withLimits = (plan: Plan, l: Limits): Plan => ({
    ...plan,
    workspace: {
      ...plan.workspace,
      ...(l.which === 'workspace' || l.which === 'all' ? { seats: l.seats, messagesPerSeatPerDay: l.messagesPerSeatPerDay, fairUseShare: l.fairUseShare } : {}),
      spendLimits: plan.workspace.spendLimits.map((s, i) => (l.which === 'amounts' || l.which === 'all' ? { ...s, amountUsd: l.amounts[i]! } : s)),
    },
    apiKeys: plan.apiKeys.map((k, i) => (l.which === 'caps' || l.which === 'all' ? { ...k, capUsd: l.caps[i]! } : k)),
  });

  it('is reused only where it gives what simulating would', () => {
    let reused = 0;
    fc.assert(
      fc.property(scenarioArb, fc.array(limitsArb, { minLength: 1, maxLength: 4 }), (s, edits) => {
        const simulator = new PartsSimulator(s.events);
        const options = { ...optionsOf(s), timelineBuckets: 5 };
        for (const plan of [s.plan, ...edits.map((l) => withLimits(s.plan, l))]) {
          const parts = simulator.run(plan, options);
          if (!simulator.lastSimulated.includes('whole') && simulator.lastSimulated.length < 2) reused++;
          expect({ ...parts, source: scenarioSource(plan, s.events, s.until) }).toEqual({ ...simulate(plan, s.events, options), source: scenarioSource(plan, s.events, s.until) });
        }
      }),
      params,
    );
    // the comparison above covers reuse, not just fresh simulations
    expect(reused).toBeGreaterThan(RUNS / 2);
  });
});

describe('the scenario generator', () => {
  it('produces every kind of decision, so the comparison above exercises every rule', () => {
    const seen = new Map<string, number>();
    const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const s of fc.sample(scenarioArb, { numRuns: 400, seed: 42 })) {
      const ref = referenceSimulate(s.plan, s.events, optionsOf(s));
      const d = referenceDecisions(s.plan, ref);
      d.forEach((x, i) => {
        const late = x.admittedAt !== null && x.admittedAt !== s.events.time[i];
        note(late ? 'admitted late' : x.outcome);
        if (x.reason) note(x.reason.startsWith('spend_limit:') ? `spend_limit ${x.outcome}` : `${x.reason} ${x.outcome}`);
      });
    }
    if (process.env.HEADROOM_PROPERTY_STATS) console.log(Object.fromEntries([...seen].sort()));
    for (const k of [
      'admitted',
      'admitted late',
      'blocked',
      'skipped',
      'dropped',
      'pending',
      'key_cap blocked',
      'spend_limit blocked',

      'trigger_limit dropped',
      'trigger_limit pending',
      'pool admitted',
      'pool dropped',
      'allowance blocked',
    ]) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(3);
    }
    // rarer: a queued run released once spend rolls out, its trigger's window frees, or the allowance does
    for (const k of ['spend_limit admitted', 'trigger_limit admitted', 'allowance admitted']) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// SPEC §9: random plans of both profiles, written as an admin writes them (fields left out take
// the profile's default: the reference reads the raw object, the engine its validated plan),
// with the throttles, the newer mode names, programmatic schedules, queue or drop.

interface RawScenario {
  raw: RawPlan;
  plan: Plan;
  events: EventColumns;
  until: number | undefined;
}

/** a field left out (undefined) is dropped from the object, so that "explicit wins" is exercised */
const present = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const throttleArb = fc.constantFrom<number | null | undefined>(undefined, undefined, undefined, null, 0, 1, 2, 3);

const anyTriggerArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    kind: fc.constantFrom('webhook', 'webhook', 'scheduled'),
    mode: fc.constantFrom<string | undefined>('fair_use', 'programmatic', 'user_pool', 'workspace_pool', undefined),
    limitPer24h: fc.constantFrom(null, null, -1, 0, 1, 2, 3),
  });

const rawPlanArb: fc.Arbitrary<RawPlan> = fc
  .record({
    profile: fc.constantFrom<string | undefined>('platform', 'platform', 'platform', 'documented', undefined),
    seats: fc.constantFrom<number>(0, 1, 1, 2, 3),
    messagesPerSeatPerDay: fc.constantFrom<number | null>(null, 0, 1, 2, 3, 5),
    fairUseShare: fc.constantFrom<number>(0, 0.34, 0.5, 0.5, 1),
    spendLimits: fc.subarray([
      { id: 'L0', window: 'utc-day' },
      { id: 'L1', window: 'calendar-month' },
      { id: 'L2', window: 'rolling-30d' },
    ]),
    amounts: fc.array(dollars, { minLength: 3, maxLength: 3 }),
    keys: fc.tuple(...KEY_IDS.map((id) => fc.option(keyArb(id), { nil: undefined }))),
    triggers: fc.tuple(...TRIGGER_IDS.map((id) => fc.option(anyTriggerArb(id), { nil: undefined }))),
    keyCapWindowDays: fc.constantFrom(1, 2, 30, undefined),
    capCheck: fc.constantFrom('spent', 'spent_plus_cost', undefined),
    webhookWhenLimited: fc.constantFrom<string | undefined>(undefined, undefined, 'queue', 'drop'),
    maxQueueWaitHours: fc.constantFrom(null, null, 0, 1, 12, 36, undefined),
    actorPerMinute: throttleArb,
    actorPerHour: throttleArb,
    workspacePerSeatPerMinute: throttleArb,
    queueFocus: fc.boolean(),
  })
  .map((generated): RawPlan => {
    // as above: half the plans queue under small, finite limits, so that waiting runs get released
    const r = generated.queueFocus
      ? {
          ...generated,
          messagesPerSeatPerDay: generated.messagesPerSeatPerDay === null ? null : Math.max(generated.messagesPerSeatPerDay, 2),
          seats: Math.max(generated.seats, 1),
          fairUseShare: Math.max(generated.fairUseShare, 0.34),
          triggers: generated.triggers.map((t) => t && { ...t, limitPer24h: t.limitPer24h === 0 ? 1 : t.limitPer24h }),
          webhookWhenLimited: 'queue',
        }
      : generated;
    const platform = r.profile === 'platform';
    const triggers = r.triggers
      .filter((t) => t !== undefined)
      // the docs reject a programmatic schedule: there it stays on fair use
      .map((t) => (platform || t.kind !== 'scheduled' || t.mode === undefined || !/programmatic|workspace_pool/.test(t.mode) ? present(t) : { ...t, mode: 'user_pool' }));
    return {
      version: 1,
      workspace: {
        seats: r.seats,
        messagesPerSeatPerDay: r.messagesPerSeatPerDay,
        fairUseShare: r.fairUseShare,
        spendLimits: r.spendLimits.map((l, i) => ({ ...l, amountUsd: r.amounts[i]! })),
      },
      apiKeys: r.keys.filter((k) => k !== undefined),
      triggers,
      enforcement: present({
        profile: r.profile,
        keyCapWindowDays: r.keyCapWindowDays,
        capCheck: r.capCheck,
        webhookWhenLimited: r.webhookWhenLimited,
        maxQueueWaitHours: r.maxQueueWaitHours,
        actorPerMinute: r.actorPerMinute,
        actorPerHour: r.actorPerHour,
        workspacePerSeatPerMinute: r.workspacePerSeatPerMinute,
      }),
    };
  });

/** steps down to seconds, so that the minute and hour throttles bite and their edges are hit */
const rawRowArb = (base: number, step: number): fc.Arbitrary<Row> =>
  fc
    .record({
      slot: fc.integer({ min: 0, max: 16 }),
      nudge: fc.constantFrom(0, 0, 0, 0, 0, -1, 1),
      kind: fc.constantFrom('api', 'api', 'trigger', 'trigger', 'trigger', 'message', 'message'),
      key: fc.constantFrom(...EVENT_KEYS),
      trigger: fc.constantFrom(...EVENT_TRIGGERS),
      user: fc.constantFrom('u', 'u', 'v'),
      cost: fc.constantFrom(...COSTS),
    })
    .map((e): Row => {
      const t = base + e.slot * step + e.nudge;
      if (e.kind === 'api') return [t, 'api', e.key, e.cost];
      if (e.kind === 'trigger') return [t, 'trigger', e.trigger, e.cost];
      return [t, 'message', e.user, 0];
    });

const rawScenarioArb: fc.Arbitrary<RawScenario> = fc
  .record({
    raw: rawPlanArb,
    base: fc.constantFrom(...BASES),
    step: fc.constantFrom(20_000, 30_000, 60_000, 20 * 60_000, HOUR, 6 * HOUR, 12 * HOUR, DAY, 3 * DAY),
    extra: fc.constantFrom(undefined, undefined, 0, HOUR, DAY, 3 * DAY),
  })
  .chain((s) =>
    fc.array(rawRowArb(s.base, s.step), { minLength: 1, maxLength: 24 }).map((rows): RawScenario => {
      const last = Math.max(...rows.map((r) => r[0] as number));
      return { raw: s.raw, plan: validatePlan(s.raw), events: events(rows), until: s.extra === undefined ? undefined : last + s.extra };
    }),
  );

const rawOptions = (s: RawScenario) => (s.until === undefined ? {} : { until: s.until });

describe('engine vs reference on random plans of both profiles (SPEC §9)', () => {
  it('decides every event exactly like the reference', () => {
    fc.assert(
      fc.property(rawScenarioArb, (s) => {
        const engine = simulate(s.plan, s.events, rawOptions(s));
        const reference = referenceSimulate(s.raw, s.events, rawOptions(s));
        const diff = diffDecisions(s.events, engineDecisions(engine), referenceDecisions(s.raw, reference));
        if (diff !== '') throw new Error(`engine and reference disagree:\n${diff}\n\n${scenarioSource(s.raw, s.events, s.until)}`);
        expect(engine.horizon).toBe(reference.horizon);
        const inferred = (list: { id: string; inferred: boolean }[]) => list.filter((e) => e.inferred).map((e) => e.id).sort();
        expect(inferred(engine.plan.keys)).toEqual([...reference.inferredKeys].sort());
        expect(inferred(engine.plan.triggers)).toEqual([...reference.inferredTriggers].sort());
        expect(engine.peakQueue, 'peakQueue').toBe(reference.peakQueue);
        engine.plan.triggers.forEach((t, j) => {
          expect(engine.triggerStats[j]!.peakQueue, `peakQueue of ${t.id}`).toBe(reference.peakQueueByTrigger.get(t.id) ?? 0);
        });
      }),
      params,
    );
  });

  it('reports the same capped-out episodes as the reference (rule 6: keys free up at midnights)', () => {
    fc.assert(
      fc.property(rawScenarioArb, (s) => {
        const engine = simulate(s.plan, s.events, rawOptions(s));
        const reference = referenceSimulate(s.raw, s.events, rawOptions(s));
        engine.plan.keys.forEach((k, j) => {
          if (k.capMicros === null) return;
          const text = (list: { from: number; until: number }[]) => list.map((e) => `${isoOf(e.from)} → ${Number.isFinite(e.until) ? isoOf(e.until) : e.until}`);
          const got = text(engine.keyStats[j]!.episodes);
          const want = text(reference.episodes.get(k.id) ?? []);
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            throw new Error(`key ${k.id} episodes\n  engine:    ${got.join(', ')}\n  reference: ${want.join(', ')}\n\n${scenarioSource(s.raw, s.events, s.until)}`);
          }
        });
      }),
      params,
    );
  });

  it('the spend and allowance parts simulated apart give the whole result, and so do charts and progress', () => {
    fc.assert(
      fc.property(rawScenarioArb, fc.constantFrom(0, 1, 7, 40), (s, buckets) => {
        const options = { ...rawOptions(s), timelineBuckets: buckets };
        const whole = simulate(s.plan, s.events, options);
        expectSame(new PartsSimulator(s.events).run(s.plan, options), whole, scenarioSource(s.raw, s.events, s.until));
        const plain = simulate(s.plan, s.events, rawOptions(s));
        expect(Array.from(whole.outcome)).toEqual(Array.from(plain.outcome));
        expect(Array.from(whole.admittedAt)).toEqual(Array.from(plain.admittedAt));
        expect(Array.from(whole.reason)).toEqual(Array.from(plain.reason));
      }),
      { ...params, numRuns: Math.max(1, Math.floor(RUNS / 2)) },
    );
  });

  it('the generator produces every §9 decision, so the comparison above exercises every rule', () => {
    const seen = new Map<string, number>();
    const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const s of fc.sample(rawScenarioArb, { numRuns: 600, seed: 42 })) {
      const ref = referenceSimulate(s.raw, s.events, rawOptions(s));
      const platform = s.raw.enforcement?.profile === 'platform';
      if (ref.burned.pool > 0) note('pool unit burned');
      if (ref.burned.trigger > 0) note('trigger unit burned');
      referenceDecisions(s.raw, ref).forEach((x, i) => {
        const late = x.admittedAt !== null && x.admittedAt !== s.events.time[i];
        const what = `${platform ? 'platform' : 'documented'} ${late ? 'admitted late' : x.outcome}`;
        note(what);
        if (x.reason) note(`${platform ? 'platform' : 'documented'} ${x.reason.startsWith('spend_limit:') ? 'spend_limit' : x.reason} ${x.outcome}`);
      });
    }
    if (process.env.HEADROOM_PROPERTY_STATS) console.log(Object.fromEntries([...seen].sort()));
    for (const k of [
      'pool unit burned',
      'trigger unit burned',
      'platform admitted late',
      'platform pending',
      'platform skipped',
      'platform actor_minute blocked',
      'platform actor_hour blocked',
      'platform workspace_minute blocked',
      'platform key_cap blocked',
      'platform spend_limit blocked',
      'platform spend_limit dropped',
      'platform spend_limit skipped',
      'platform trigger_limit dropped',
      'platform pool dropped',
      'platform allowance dropped',
      'platform allowance skipped',
      'documented actor_minute blocked',
      'documented trigger_limit pending',
    ]) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(2);
    }
  });
});
