/**
 * The allowance part's own pass (src/engine/allowance-pass.ts), which a seats edit runs: on any
 * part of people's messages and fair-use runs without a queue wait limit it must give what
 * `simulate()` gives, field by field (decisions, inferred triggers, peaks, what the checks saw,
 * charts, the queue log), under both profiles (SPEC section 9); and it must refuse what it was not
 * written for rather than decide it differently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateAllowancePart, simulateAllowancePartInSteps } from '../src/engine/allowance-pass.ts';
import { CancelledError } from '../src/errors.ts';
import { validatePlan, type Plan } from '../src/engine/plan.ts';
import { Outcome, Reason, type SimulationResult } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import type { PassArrays } from '../src/engine/pass-arrays.ts';
import { addQueueLogs, levelsFromDecisions, QueueLog } from '../src/engine/queue-log.ts';
import { passTallies } from '../src/engine/pass-tallies.ts';
import { dayFrameOf, tally } from '../src/engine/report-tallies.ts';
import { DAY, events, HOUR, MINUTE, scenarioSource, T0, type Row } from './support/scenario.ts';
import { throttledSenders } from '../src/engine/limits/throttle-reach.ts';

const RUNS = Number(process.env.HEADROOM_PROPERTY_RUNS ?? 300);
const params = { numRuns: RUNS, ...(process.env.HEADROOM_PROPERTY_RUNS === undefined ? { seed: 20261203 } : {}) };

const TRIGGERS = ['t_hook', 't_hook2', 't_sched'];
/** one subject no trigger of the plan names: inferred, fair use */
const EVENT_TRIGGERS = [...TRIGGERS, 't_new'];
const USERS = ['u0', 'u1', 'u2'];

const planArb = fc
  .record({
    profile: fc.constantFrom('documented' as const, 'platform' as const),
    seats: fc.constantFrom(0, 1, 1, 2, 3),
    messagesPerSeatPerDay: fc.constantFrom<number | null>(null, 1, 2, 3, 5),
    fairUseShare: fc.constantFrom(0, 0.34, 0.5, 1),
    hookLimit: fc.constantFrom<number | null>(null, 0, 1, 2, 3),
    hook2Limit: fc.constantFrom<number | null>(null, 1, 2),
    webhookWhenLimited: fc.constantFrom('queue' as const, 'queue' as const, 'drop' as const),
    throttle: fc.constantFrom<number | undefined>(undefined, undefined, 1, 2),
    workspacePerSeatPerMinute: fc.constantFrom<number | null | undefined>(undefined, null, 1, 2),
  })
  .map(
    (g): Plan =>
      validatePlan({
        version: 1,
        workspace: { seats: g.seats, messagesPerSeatPerDay: g.messagesPerSeatPerDay, fairUseShare: g.fairUseShare, spendLimits: [] },
        apiKeys: [],
        triggers: [
          { id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: g.hookLimit },
          { id: 't_hook2', kind: 'webhook', mode: 'fair_use', limitPer24h: g.hook2Limit },
          { id: 't_sched', kind: 'scheduled', mode: 'fair_use', limitPer24h: null },
          // a programmatic trigger with no runs here, as the parts simulator leaves it in place
          { id: 't_prog', kind: 'webhook', mode: 'programmatic', limitPer24h: null },
        ],
        enforcement: {
          profile: g.profile,
          webhookWhenLimited: g.webhookWhenLimited,
          maxQueueWaitHours: null,
          ...(g.throttle === undefined ? {} : { actorPerMinute: g.throttle, actorPerHour: g.throttle * 2 }),
          ...(g.workspacePerSeatPerMinute === undefined ? {} : { workspacePerSeatPerMinute: g.workspacePerSeatPerMinute }),
        },
      }),
  );

/** Times on a coarse grid over three days, so that ties and exact expiries (s + 24 h) are common. */
const rowArb: fc.Arbitrary<Row> = fc
  .record({
    slot: fc.integer({ min: 0, max: 3 * 24 * 4 }),
    trigger: fc.boolean(),
    user: fc.constantFrom(...USERS),
    subject: fc.constantFrom(...EVENT_TRIGGERS),
  })
  .map(({ slot, trigger, user, subject }): Row => [T0 + slot * 15 * 60_000, trigger ? 'trigger' : 'message', trigger ? subject : user]);

/** The queue log as logged: its buffers are sized ahead (the pass knows its runs), not its entries. */
const comparable = (r: SimulationResult): object => {
  const { queueLog, ...rest } = r;
  return { ...rest, queueLog: queueLog && { count: queueLog.count, time: queueLog.time.slice(0, queueLog.count), level: queueLog.level.slice(0, queueLog.count) } };
};

/** Arrays of another result, every element and log entry a decision this one must not keep. */
function junk(count: number): PassArrays {
  const queueLog = new QueueLog(4);
  for (let i = 0; i < 40; i++) queueLog.push(T0 + i, 7);
  return {
    outcome: new Uint8Array(count).fill(Outcome.dropped),
    admittedAt: new Float64Array(count).fill(T0 - 1),
    reason: new Uint8Array(count).fill(Reason.pool),
    entity: new Int32Array(count).fill(99),
    queueLog,
  };
}

const scenarioArb = fc.record({
  plan: planArb,
  rows: fc.array(rowArb, { minLength: 1, maxLength: 60 }),
  // rows left in arrival order, or shuffled so that the pass follows its processing order
  sorted: fc.boolean(),
  buckets: fc.constantFrom(0, 1, 7, 40),
});

/** The platform profile with no allowance to speak of and people's throttles at `perMinute` a minute, 20 an hour. */
const platformPlan = (perMinute: number): Plan =>
  validatePlan({
    version: 1,
    workspace: { seats: 100, messagesPerSeatPerDay: 100, fairUseShare: 0.5, spendLimits: [] },
    apiKeys: [],
    triggers: [],
    enforcement: { profile: 'platform', webhookWhenLimited: 'queue', maxQueueWaitHours: null, actorPerMinute: perMinute, actorPerHour: 20 },
  });

describe('the allowance part simulated by its own pass', () => {
  it('gives simulate()\'s result, field by field, under both profiles', () => {
    let queued = 0;
    let refused = 0;
    fc.assert(
      fc.property(scenarioArb, ({ plan, rows, sorted, buckets }) => {
        const ordered = sorted ? [...rows].sort((a, b) => Number(a[0]) - Number(b[0])) : rows;
        const ev = events(ordered);
        const options = { timelineBuckets: buckets, logQueue: true };
        const whole = simulate(plan, ev, options);
        const runs = ordered.filter((r) => r[1] === 'trigger').length;
        const part = simulateAllowancePart(plan, ev, { ...options, runs });
        const source = scenarioSource(plan, ev);
        expect({ ...comparable(part), source }).toEqual({ ...comparable(whole), source });
        // the same pass writing over another result's arrays (as a seats edit does): every trace
        // of what they held is gone
        const frame = dayFrameOf(ev);
        const span = { first: Math.min(...ev.time), last: Math.max(...ev.time) };
        const written = simulateAllowancePart(plan, ev, { ...options, runs, reuse: junk(ev.count), tally: { frame, span } });
        expect({ ...comparable(written), source }).toEqual({ ...comparable(whole), source });
        // the tallies it counted while deciding: those read back from the whole's decisions
        expect({ ...passTallies(written), source }).toEqual({ ...tally(ev, whole, frame), source });
        // again over the same events, with the arrivals the first pass counted (seats-blind) copied in
        const again = simulateAllowancePart(plan, ev, { ...options, runs, tally: { frame, span } });
        expect({ ...passTallies(again), source }).toEqual({ ...tally(ev, whole, frame), source });
        if (whole.peakQueue > 0) queued++;
        if (whole.reason.includes(Reason.allowance)) refused++;
      }),
      params,
    );
    // the comparison covered runs that waited and an allowance that refused
    expect(queued).toBeGreaterThan(RUNS / 10);
    expect(refused).toBeGreaterThan(RUNS / 10);
  });

  it('seats that make the allowance refuse and stop refusing: runs waiting on it are released as simulate() releases them', () => {
    // a busy first day: messages and queued webhook runs, more than the allowance holds
    const rows: Row[] = [];
    for (let i = 0; i < 40; i++) rows.push([T0 + i * 20 * 60_000, i % 3 === 0 ? 'trigger' : 'message', i % 3 === 0 ? 't_hook' : USERS[i % 3]]);
    for (let i = 0; i < 10; i++) rows.push([T0 + DAY + i * HOUR, 'trigger', 't_hook2']);
    const ev = events(rows);
    for (const profile of ['documented', 'platform'] as const) {
      for (const seats of [1, 2, 3, 4, 10, 3, 1]) {
        const plan = validatePlan({
          version: 1,
          workspace: { seats, messagesPerSeatPerDay: 5, fairUseShare: 0.5, spendLimits: [] },
          apiKeys: [],
          triggers: [
            { id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: null },
            { id: 't_hook2', kind: 'webhook', mode: 'fair_use', limitPer24h: 3 },
          ],
          enforcement: { profile, webhookWhenLimited: 'queue', maxQueueWaitHours: null },
        });
        const options = { timelineBuckets: 30, logQueue: true };
        const whole = simulate(plan, ev, options);
        expect(comparable(simulateAllowancePart(plan, ev, options))).toEqual(comparable(whole));
        if (seats === 1) {
          // the case this covers: runs admitted after waiting for the allowance, messages it refused
          const waited = [...whole.reason.keys()].filter((e) => whole.reason[e] === Reason.allowance && whole.outcome[e] === Outcome.admitted);
          expect(waited.length).toBeGreaterThan(0);
          expect(whole.messagesByReason?.[Reason.allowance]).toBeGreaterThan(0);
        }
      }
    }
  });

  it('over more events than one step of the pass (64k): steps end inside instants and queues, and decide as simulate()', () => {
    // 7 events an instant, so that a step's end (every 65,536 positions) falls inside one; a run in
    // five, on hooks whose own limits make them wait, and an allowance that refuses the afternoons
    const rows: Row[] = [];
    const PER_INSTANT = 7;
    const COUNT = 140_000;
    for (let i = 0; i < COUNT; i++) {
      const at = T0 + Math.floor(i / PER_INSTANT) * 9_000;
      rows.push(i % 5 === 0 ? [at, 'trigger', i % 3 === 0 ? 't_hook2' : 't_hook'] : [at, 'message', `u${i % 97}`]);
    }
    const ev = events(rows);
    const frame = dayFrameOf(ev);
    const span = { first: ev.time[0]!, last: ev.time[ev.count - 1]! };
    const runs = COUNT / 5;
    for (const profile of ['documented', 'platform'] as const) {
      for (const webhookWhenLimited of ['queue', 'drop'] as const) {
        const plan = validatePlan({
          version: 1,
          workspace: { seats: 250, messagesPerSeatPerDay: 100, fairUseShare: 0.3, spendLimits: [] },
          apiKeys: [],
          triggers: [
            { id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 4000 },
            { id: 't_hook2', kind: 'webhook', mode: 'fair_use', limitPer24h: 900 },
          ],
          enforcement: { profile, webhookWhenLimited, maxQueueWaitHours: null, ...(profile === 'platform' ? { actorPerMinute: 3, actorPerHour: 40 } : {}) },
        });
        const options = { timelineBuckets: 50, logQueue: true };
        const whole = simulate(plan, ev, options);
        const steps: number[] = [];
        const part = simulateAllowancePart(plan, ev, { ...options, runs, tally: { frame, span }, onProgress: (done) => steps.push(done) });
        expect(steps.length).toBeGreaterThan(2);
        expect(comparable(part)).toEqual(comparable(whole));
        expect(passTallies(part)).toEqual(tally(ev, whole, frame));
        // what it covers: the allowance refused, and runs waited (queue) or were dropped (drop)
        expect(whole.messagesByReason?.[Reason.allowance]).toBeGreaterThan(0);
        if (webhookWhenLimited === 'queue') expect(whole.peakQueue).toBeGreaterThan(100);
        else expect(whole.outcome.includes(Outcome.dropped)).toBe(true);
      }
    }
  });

  it('in steps, with other passes run between them (the seats simulated ahead while edits are answered): the same result; a cancel stops it at the next step', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 140_000; i++) {
      const at = T0 + Math.floor(i / 7) * 9_000;
      rows.push(i % 5 === 0 ? [at, 'trigger', i % 3 === 0 ? 't_hook2' : 't_hook'] : [at, 'message', `u${i % 97}`]);
    }
    const ev = events(rows);
    const frame = dayFrameOf(ev);
    const span = { first: ev.time[0]!, last: ev.time[ev.count - 1]! };
    const withSeats = (seats: number): Plan =>
      validatePlan({
        version: 1,
        workspace: { seats, messagesPerSeatPerDay: 100, fairUseShare: 0.3, spendLimits: [] },
        apiKeys: [],
        triggers: [
          { id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 4000 },
          { id: 't_hook2', kind: 'webhook', mode: 'fair_use', limitPer24h: 900 },
        ],
        enforcement: { profile: 'documented', webhookWhenLimited: 'queue', maxQueueWaitHours: null },
      });
    const options = { timelineBuckets: 50, logQueue: true, runs: 28_000, tally: { frame, span } };
    const alone = simulateAllowancePart(withSeats(250), ev, options);
    const wanted = { result: comparable(alone), tallies: passTallies(alone) };
    // between its steps, passes of other seats take and hand back the queues and tables a pass borrows
    let between = 0;
    const others = async (): Promise<void> => {
      between++;
      simulateAllowancePart(withSeats(200 + between), ev, options);
      await Promise.resolve();
    };
    const stepped = await simulateAllowancePartInSteps(withSeats(250), ev, options, others);
    // 140,000 events: three steps, two pauses
    expect(between).toBe(2);
    expect(comparable(stepped)).toEqual(wanted.result);
    expect(passTallies(stepped)).toEqual(wanted.tallies);
    // stopped after its second step: no result, and a pass after it decides as before
    const stop = new AbortController();
    let paused = 0;
    const stopping = simulateAllowancePartInSteps(withSeats(250), ev, { ...options, signal: stop.signal }, async () => {
      if (++paused === 2) stop.abort();
    });
    await expect(stopping).rejects.toThrow(CancelledError);
    expect(paused).toBe(2);
    expect(comparable(simulateAllowancePart(withSeats(250), ev, options))).toEqual(wanted.result);
  });

  it("its waiting runs read back from its decisions add to another part's as its own queue log does", () => {
    const rows: Row[] = [];
    for (let i = 0; i < 20_000; i++) {
      const at = T0 + Math.floor(i / 7) * 9_000;
      rows.push(i % 5 === 0 ? [at, 'trigger', i % 3 === 0 ? 't_hook2' : 't_hook'] : [at, 'message', `u${i % 97}`]);
    }
    const ev = events(rows);
    const plan = validatePlan({
      version: 1,
      workspace: { seats: 30, messagesPerSeatPerDay: 100, fairUseShare: 0.3, spendLimits: [] },
      apiKeys: [],
      triggers: [
        { id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 300 },
        { id: 't_hook2', kind: 'webhook', mode: 'fair_use', limitPer24h: 90 },
      ],
      enforcement: { profile: 'documented', webhookWhenLimited: 'queue', maxQueueWaitHours: null },
    });
    const result = simulateAllowancePart(plan, ev, { logQueue: true, timelineBuckets: 40 });
    const logged = result.queueLog!;
    expect(result.peakQueue).toBeGreaterThan(100);
    const read = levelsFromDecisions(ev, null, result.outcome, result.admittedAt);
    const grid = result.timeline!;
    // another part's runs waiting now and then, at instants of this part's and between them
    const other = new QueueLog();
    for (let k = 0; k < 300; k++) other.push(ev.time[k * 60]! + (k % 2) * 1_000, k % 7);
    for (const with_ of [new QueueLog(), other]) expect(addQueueLogs(with_, read, grid)).toEqual(addQueueLogs(with_, logged, grid));
    // alone, they are the pass's own peak and chart
    expect(addQueueLogs(new QueueLog(), read, grid)).toEqual({ peak: result.peakQueue, series: grid.queued });
  });

  it('an allowance larger than its window first holds: the window grows mid-instant and still drops what expired, as simulate()', () => {
    // 70,000 messages in 12 minutes, one every 10 ms, no limit met (700 seats), runs between them;
    // a day later, from when the first 5 minutes' have left, 75,000 more at twice that pace: the
    // allowance fills and then admits one as each of the first day's leaves, past the 65,536th.
    // The allowance's window starts with room for 65,536 entries (limits/count-limit.ts), so it
    // grows while full: each entry after that must still leave at its own time.
    const rows: Row[] = [];
    for (let i = 0; i < 70_000; i++) rows.push(i % 500 === 0 ? [T0 + i * 10, 'trigger', 't_hook'] : [T0 + i * 10, 'message', `u${i % 7}`]);
    for (let i = 0; i < 75_000; i++) rows.push([T0 + DAY + 5 * MINUTE + i * 5, i % 500 === 0 ? 'trigger' : 'message', i % 500 === 0 ? 't_hook' : `u${i % 7}`]);
    const ev = events(rows);
    for (const profile of ['documented', 'platform'] as const) {
      const plan = validatePlan({
        version: 1,
        workspace: { seats: 700, messagesPerSeatPerDay: 100, fairUseShare: 1, spendLimits: [] },
        apiKeys: [],
        triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
        // no throttle: seven people sending 100 a second meet only the allowance
        enforcement: { profile, webhookWhenLimited: 'queue', maxQueueWaitHours: null, actorPerMinute: null, actorPerHour: null, workspacePerSeatPerMinute: null },
      });
      const options = { timelineBuckets: 40, logQueue: true };
      const whole = simulate(plan, ev, options);
      expect(comparable(simulateAllowancePart(plan, ev, options))).toEqual(comparable(whole));
      // what it covers: the window held more than 65,536, and the second day was refused in part
      expect(whole.allowancePeak).toBeGreaterThan(65_536);
      expect(whole.messagesByReason?.[Reason.allowance]).toBeGreaterThan(1_000);
    }
  });

  it("people's throttles left out only for those who cannot meet them: binding, near and far, with the allowance and the workspace refusing", () => {
    // 'burst' sends 6 messages a minute (its minute throttle binds), 'steady' one every 10 minutes
    // (never near), 'edge' 4 in a minute that the allowance sometimes refuses (it reaches the
    // throttle only if all of them were admitted), and everyone at once at each hour's start (the
    // workspace's minute binds)
    const rows: Row[] = [];
    for (let m = 0; m < 6 * 60; m += 7) for (let i = 0; i < 6; i++) rows.push([T0 + m * MINUTE + i * 5_000, 'message', 'burst']);
    for (let m = 0; m < 6 * 60; m += 10) rows.push([T0 + m * MINUTE + 1_000, 'message', 'steady']);
    for (let m = 3; m < 6 * 60; m += 20) for (let i = 0; i < 4; i++) rows.push([T0 + m * MINUTE + i * 1_000, 'message', 'edge']);
    for (let hour = 0; hour < 6; hour++) for (let u = 0; u < 12; u++) rows.push([T0 + hour * HOUR + 30_000, 'message', `crowd${u}`]);
    for (let m = 0; m < 6 * 60; m += 13) rows.push([T0 + m * MINUTE + 2_000, 'trigger', 't_hook']);
    const ev = events([...rows].sort((a, b) => Number(a[0]) - Number(b[0])));
    const seen = { actor: false, workspace: false, allowance: false };
    for (const seats of [1, 2, 4, 40]) {
      const plan = validatePlan({
        version: 1,
        workspace: { seats, messagesPerSeatPerDay: 60, fairUseShare: 0.5, spendLimits: [] },
        apiKeys: [],
        triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 10 }],
        enforcement: { profile: 'platform', webhookWhenLimited: 'queue', maxQueueWaitHours: null, actorPerMinute: 3, actorPerHour: 60, workspacePerSeatPerMinute: 3 },
      });
      const options = { timelineBuckets: 20, logQueue: true };
      const whole = simulate(plan, ev, options);
      expect(comparable(simulateAllowancePart(plan, ev, options))).toEqual(comparable(whole));
      const by = whole.messagesByReason ?? [];
      seen.actor ||= (by[Reason.actor_minute] ?? 0) > 0;
      seen.workspace ||= (by[Reason.workspace_minute] ?? 0) > 0;
      seen.allowance ||= (by[Reason.allowance] ?? 0) > 0;
    }
    expect(seen).toEqual({ actor: true, workspace: true, allowance: true });
    // who is checked: those whose messages, all admitted, would meet their throttles
    const senders = throttledSenders(ev, null, 3, 60, MINUTE + 1, HOUR + 1);
    const names = ev.subjects.filter((_, s) => senders?.[s] === 1);
    expect(names).toEqual(['burst', 'edge']);
    expect(throttledSenders(ev, null, 7, 1000, MINUTE + 1, HOUR + 1)).toBeNull();
    // three messages just before a minute's boundary and one just after: its window holds all four
    const edge = (Math.ceil(T0 / (MINUTE + 1)) + 10) * (MINUTE + 1);
    const straddling = events([-3_000, -2_000, -1_000, 1_000].map((d): Row => [edge + d, 'message', 'x']));
    expect(throttledSenders(straddling, null, 3, 60, MINUTE + 1, HOUR + 1)?.[straddling.subjects.indexOf('x')]).toBe(1);
    expect(simulateAllowancePart(platformPlan(3), straddling).reason[3]).toBe(Reason.actor_minute);
  });

  it("arrivals counted once per part's events are copied only into a pass that numbers the triggers and days the same", () => {
    const rows: Row[] = [];
    for (let i = 0; i < 30; i++) rows.push([T0 + i * 3 * HOUR, 'trigger', i % 3 === 0 ? 't_hook' : i % 3 === 1 ? 't_hook2' : 't_new']);
    for (let i = 0; i < 30; i++) rows.push([T0 + i * 2 * HOUR + 60_000, 'message', USERS[i % 3]]);
    const ev = events([...rows].sort((a, b) => Number(a[0]) - Number(b[0])));
    const span = { first: ev.time[0]!, last: ev.time[ev.count - 1]! };
    const planWith = (ids: string[], seats: number): Plan =>
      validatePlan({
        version: 1,
        workspace: { seats, messagesPerSeatPerDay: 4, fairUseShare: 0.5, spendLimits: [] },
        apiKeys: [],
        triggers: ids.map((id) => ({ id, kind: 'webhook', mode: 'fair_use', limitPer24h: 2 })),
        enforcement: { webhookWhenLimited: 'queue', maxQueueWaitHours: null },
      });
    const own = dayFrameOf(ev);
    // the whole's days can start before the part's first event (another part's events came first)
    const wider = { day0: own.day0 - 2, days: own.days + 3 };
    for (const [ids, frame, seats] of [
      [['t_hook', 't_hook2'], own, 1],
      [['t_hook', 't_hook2'], own, 2],
      [['t_hook2', 't_hook'], own, 1],
      [['t_hook2'], own, 2],
      [['t_hook2'], wider, 1],
      [['t_hook', 't_hook2'], wider, 3],
    ] as const) {
      const plan = planWith([...ids], seats);
      const whole = simulate(plan, ev, { logQueue: true });
      const part = simulateAllowancePart(plan, ev, { logQueue: true, tally: { frame, span } });
      expect(passTallies(part)).toEqual(tally(ev, whole, frame));
    }
  });

  it('refuses events and plans of the spend part, or a queue wait limit, instead of deciding them', () => {
    const base = { version: 1 as const, workspace: { seats: 1, messagesPerSeatPerDay: 5, spendLimits: [] }, apiKeys: [] };
    const fair = validatePlan({ ...base, triggers: [{ id: 't_prog', kind: 'webhook', mode: 'programmatic', limitPer24h: null }], enforcement: {} });
    expect(() => simulateAllowancePart(fair, events([[T0, 'api', 'k0', 1]]))).toThrow(/API request/);
    expect(() => simulateAllowancePart(fair, events([[T0, 'trigger', 't_prog']]))).toThrow(/programmatic run of t_prog/);
    const waits = validatePlan({ ...base, triggers: [], enforcement: { maxQueueWaitHours: 1 } });
    expect(() => simulateAllowancePart(waits, events([[T0, 'message', 'u0']]))).toThrow(/queue wait limit/);
    const keyed = validatePlan({ ...base, apiKeys: [{ id: 'k0', capUsd: 1 }], triggers: [], enforcement: {} });
    expect(() => simulateAllowancePart(keyed, events([[T0, 'message', 'u0']]))).toThrow(/no keys/);
  });
});
