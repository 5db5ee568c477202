/**
 * A plan change re-simulates only the part of the events it touches (src/engine/parts.ts); the
 * results themselves are checked against the whole in test/engine-property.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan, type Plan } from '../src/engine/plan.ts';
import { PartsSimulator } from '../src/engine/parts.ts';
import { PartThread, type RemotePart } from '../src/engine/part-thread.ts';
import { Outcome, Reason, type SimulationResult } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import { dayFrameOf, talliesOf, tally } from '../src/engine/report-tallies.ts';
import { events, h, HOUR, T0, type Row } from './support/scenario.ts';

/** A part thread for one describe block, closed after it; `started()` waits until it takes work. */
function startedPartThread(): () => Promise<PartThread> {
  const thread = new PartThread();
  afterAll(() => thread.close());
  return async () => {
    thread.start();
    while (!thread.available) await new Promise((r) => setTimeout(r, 5));
    return thread;
  };
}

const rows: Row[] = [];
for (let i = 0; i < 30; i++) {
  rows.push([T0 + i * HOUR, 'api', 'k_etl', 2_000_000], [T0 + i * HOUR, 'message', 'u1', 0], [T0 + i * HOUR + 1, 'trigger', 't_pr', 0]);
  rows.push([T0 + i * HOUR + 2, 'trigger', 't_hook', 1_000_000]);
}
const ev = events(rows);
const base: Plan = validatePlan({
  workspace: { seats: 1, messagesPerSeatPerDay: 20, spendLimits: [{ id: 'daily', amountUsd: 30, window: 'utc-day' }] },
  apiKeys: [{ id: 'k_etl', name: 'ETL', capUsd: 20 }],
  triggers: [
    { id: 't_pr', kind: 'webhook', mode: 'fair_use', limitPer24h: 5 },
    { id: 't_hook', kind: 'webhook', mode: 'programmatic' },
  ],
});
const options = { timelineBuckets: 50 };

function changed(edit: (p: Plan) => Plan): Plan {
  return edit(structuredClone(base));
}

describe('a plan change re-simulates only the part it touches', () => {
  it('seats: the allowance part; a key cap or a spend limit: the spend part; a name: neither', () => {
    const sim = new PartsSimulator(ev);
    sim.run(base, options);
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);

    const seats = changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 2 } }));
    const r = sim.run(seats, options);
    expect(sim.lastSimulated).toEqual(['allowance']);
    expect(r).toEqual(simulate(seats, ev, options));

    const renamed = changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 2, name: 'Renamed' }, apiKeys: [{ ...p.apiKeys[0]!, name: 'Pipeline' }] }));
    const named = sim.run(renamed, options);
    expect(sim.lastSimulated).toEqual([]);
    expect(named.plan.keys[0]?.name).toBe('Pipeline');

    const cap = changed((p) => ({ ...p, apiKeys: [{ ...p.apiKeys[0]!, capUsd: 40 }] }));
    expect(sim.run(cap, options)).toEqual(simulate(cap, ev, options));
    expect(sim.lastSimulated).toEqual(['spend']);

    const limit = changed((p) => ({ ...p, workspace: { ...p.workspace, spendLimits: [{ id: 'daily', amountUsd: 10, window: 'utc-day' as const }] } }));
    sim.run(limit, options);
    expect(sim.lastSimulated).toEqual(['spend']);

  });

  it('a trigger moved between fair use and programmatic: both parts, the runs counted where they now belong', () => {
    const sim = new PartsSimulator(ev);
    sim.run(base, options);
    const moved = changed((p) => ({ ...p, triggers: p.triggers.map((t) => ({ ...t, mode: 'programmatic' as const, limitPer24h: null })) }));
    const r = sim.run(moved, options);
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
    expect(r).toEqual(simulate(moved, ev, options));
    // programmatic runs skip the pool: nothing of t_pr is refused for it any more
    expect(r.poolPeak).toBe(0);
  });

  it('a trigger mode switched back and forth: the kept splits and results answer, nothing is copied or simulated', () => {
    const sim = new PartsSimulator(ev);
    const moved = changed((p) => ({ ...p, triggers: p.triggers.map((t) => (t.id === 't_pr' ? { ...t, mode: 'programmatic' as const, limitPer24h: null } : t)) }));
    sim.run(base, options);
    expect(sim.lastSplitKept).toBe(false);
    sim.run(moved, options);
    expect(sim.lastSplitKept).toBe(false);
    const back = sim.run(base, options);
    expect(sim.lastSimulated).toEqual([]);
    expect(sim.lastSplitKept).toBe(true);
    expect(back).toEqual(simulate(base, ev, options));
    const again = sim.run(moved, options);
    expect([sim.lastSimulated, sim.lastSplitKept]).toEqual([[], true]);
    expect(again).toEqual(simulate(moved, ev, options));
  });

  it('a limit that refused nothing, moved anywhere its checks still pass: nothing simulated', () => {
    const sim = new PartsSimulator(ev);
    const roomy = changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 10 } }));
    const first = sim.run(roomy, options);
    // 200 messages a day against at most 24 in any 24 h: the allowance and the pool never refuse
    expect(first.checked.allowance).toBeLessThan(first.plan.pool);
    for (const seats of [3, 50, 1000]) {
      const plan = changed((p) => ({ ...p, workspace: { ...p.workspace, seats } }));
      const r = sim.run(plan, options);
      expect(sim.lastSimulated, `${seats} seats`).toEqual([]);
      expect(r).toEqual(simulate(plan, ev, options));
      expect(r.plan.allowance).toBe(seats * 20);
    }
    // one seat (20 a day) is below what the allowance saw: that one is simulated
    sim.run(changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 1 } })), options);
    expect(sim.lastSimulated).toEqual(['allowance']);
  });

  it('keeps the last two results of each part, so switching back simulates nothing', () => {
    const sim = new PartsSimulator(ev);
    const two = changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 2 } }));
    sim.run(base, options);
    sim.run(two, options);
    sim.run(base, options);
    expect(sim.lastSimulated).toEqual([]);
    // a different chart size is a different result
    sim.run(base, { timelineBuckets: 10 });
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
  });

  it('simulates the whole when a queue wait limit ties the parts together, or a part has no events', () => {
    const sim = new PartsSimulator(ev);
    const waiting = changed((p) => ({ ...p, enforcement: { ...p.enforcement, maxQueueWaitHours: 2 } }));
    expect(sim.run(waiting, options)).toEqual(simulate(waiting, ev, options));
    expect(sim.lastSimulated).toEqual(['whole']);
    const onlyApi = new PartsSimulator(events([[h(1), 'api', 'k_etl', 1_000_000]]));
    expect(onlyApi.run(base).outcome[0]).toBe(Outcome.admitted);
    expect(onlyApi.lastSimulated).toEqual(['whole']);
  });

  it('refuses a horizon before the last event, as the whole does', () => {
    expect(() => new PartsSimulator(ev).run(base, { until: T0 })).toThrow(/before the last event/);
  });
});

describe('both parts to simulate: the smaller in another thread', () => {
  const started = startedPartThread();

  it('sends only the smaller part, and only when both must be simulated', async () => {
    const sent: EventColumns[] = [];
    const remote: RemotePart = async (events, plan, opts) => {
      sent.push(events);
      return simulate(plan, events, opts);
    };
    // one more spend event than allowance events: the allowance part is the smaller
    const more = events([...rows, [T0 + 40 * HOUR, 'api', 'k_etl', 1]]);
    const sim = new PartsSimulator(more);
    expect(await sim.runAsync(base, options, remote)).toEqual(simulate(base, more, options));
    expect(sent.map((e) => e.count)).toEqual([60]);
    expect(sent[0]!.type.every((t) => t !== 0)).toBe(true);
    await sim.runAsync(changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 2 } })), options, remote);
    expect(sim.lastSimulated).toEqual(['allowance']);
    expect(sent).toHaveLength(1);
  });

  it('simulates here what a failed thread could not, and stops when cancelled', async () => {
    const failing: RemotePart = () => Promise.reject(new Error('the part thread stopped (code 1)'));
    expect(await new PartsSimulator(ev).runAsync(base, options, failing)).toEqual(simulate(base, ev, options));
    const cancelled: RemotePart = () => Promise.reject(new CancelledError());
    await expect(new PartsSimulator(ev).runAsync(base, options, cancelled)).rejects.toBeInstanceOf(CancelledError);
  });

  it('through a real thread: the same result, and a cancel flag stops both threads', async () => {
    const part = await started();
    // enough events that the engine looks at the flag (every 65,536)
    const many: Row[] = [];
    for (let i = 0; i < 70_000; i++) many.push([T0 + i * 1000, 'api', 'k_etl', 10], [T0 + i * 1000, 'message', 'u1', 0]);
    const big = events(many);
    const sim = new PartsSimulator(big);
    expect(await sim.runAsync(base, options, part.remote(null))).toEqual(simulate(base, big, options));
    const cancel = new SharedArrayBuffer(4);
    new Int32Array(cancel)[0] = 1;
    const flag = { get aborted() { return Atomics.load(new Int32Array(cancel), 0) === 1; } };
    const seats = changed((p) => ({ ...p, workspace: { ...p.workspace, seats: 3 }, apiKeys: [{ ...p.apiKeys[0]!, capUsd: 7 }] }));
    await expect(sim.runAsync(seats, { ...options, signal: flag }, part.remote(cancel))).rejects.toBeInstanceOf(CancelledError);
    await expect(part.remote(cancel)(big, seats, options)).rejects.toBeInstanceOf(CancelledError);
    // the thread is still there for the next run
    expect(part.available).toBe(true);
    expect(await sim.runAsync(seats, options, part.remote(null))).toEqual(simulate(seats, big, options));
  });
});

describe('the platform profile (SPEC section 9) keeps the parts apart', () => {
  // bursts: 12 messages of two users and 12 requests of a key within a minute, every hour,
  // beside a fair-use webhook whose refused runs take pool units and a programmatic schedule
  const burst: Row[] = [];
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 12; j++) {
      burst.push([T0 + i * HOUR + j * 1000, 'message', j % 2 === 0 ? 'u1' : 'u2', 0], [T0 + i * HOUR + j * 1000, 'api', 'k_etl', 100_000]);
    }
    burst.push([T0 + i * HOUR + 20_000, 'trigger', 't_pr', 0], [T0 + i * HOUR + 20_000, 'trigger', 't_pr', 0], [T0 + i * HOUR + 30_000, 'trigger', 't_sched', 500_000]);
  }
  const bursty = events(burst);
  const platform: Plan = validatePlan({
    workspace: { seats: 1, messagesPerSeatPerDay: 300, fairUseShare: 0.1, spendLimits: [{ id: 'daily', amountUsd: 30, window: 'utc-day' }] },
    apiKeys: [{ id: 'k_etl', capUsd: 20 }],
    triggers: [
      { id: 't_pr', kind: 'webhook', mode: 'user_pool', limitPer24h: 5 },
      { id: 't_sched', kind: 'scheduled', mode: 'workspace_pool' },
    ],
    enforcement: { profile: 'platform', actorPerMinute: 8 },
  });
  const edit = (f: (p: Plan) => Plan): Plan => f(structuredClone(platform));

  it('joined parts decide as the whole, the throttles, burned units and schedules included', () => {
    const sim = new PartsSimulator(bursty);
    const whole = simulate(platform, bursty, options);
    expect(sim.run(platform, options)).toEqual(whole);
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
    // the pins are not vacuous: each platform rule refused something here
    const reasons = new Set(Array.from(whole.reason));
    for (const code of [Reason.actor_minute, Reason.workspace_minute, Reason.pool, Reason.trigger_limit]) expect(reasons, `reason ${code}`).toContain(code);
    // 60 runs of t_pr, 5 admitted a day at most, yet the pool (0.1 × 300 = 30) filled with units
    expect(whole.poolPeak).toBe(30);
  });

  it('seats move the workspace throttle: the allowance part alone, exact; a roomier limit than it saw: nothing', () => {
    const sim = new PartsSimulator(bursty);
    sim.run(platform, options);
    // the same allowance and pool (2 × 150 = 300), twice the messages a minute
    const two = edit((p) => ({ ...p, workspace: { ...p.workspace, seats: 2, messagesPerSeatPerDay: 150 } }));
    expect(sim.run(two, options)).toEqual(simulate(two, bursty, options));
    expect(sim.lastSimulated).toEqual(['allowance']);
    // with 2 seats the workspace throttle saw at most 11 messages in a minute: 5 seats (50) pass them all too
    const five = edit((p) => ({ ...p, workspace: { ...p.workspace, seats: 5, messagesPerSeatPerDay: 60 } }));
    expect(sim.run(five, options)).toEqual(simulate(five, bursty, options));
    expect(sim.lastSimulated).toEqual([]);
    // turning the workspace throttle off, then on at another value: never answered by a result that did not count
    const off = edit((p) => ({ ...p, enforcement: { ...p.enforcement, workspacePerSeatPerMinute: null } }));
    sim.run(off, options);
    const on = edit((p) => ({ ...p, enforcement: { ...p.enforcement, workspacePerSeatPerMinute: 5 } }));
    expect(sim.run(on, options)).toEqual(simulate(on, bursty, options));
    expect(sim.lastSimulated).toEqual(['allowance']);
  });

  it('a key throttle change touches the spend part; a profile change both', () => {
    const sim = new PartsSimulator(bursty);
    sim.run(platform, options);
    const documented = edit((p) => ({ ...p, enforcement: { ...p.enforcement, profile: 'documented' as const } }));
    expect(sim.run(documented, options)).toEqual(simulate(documented, bursty, options));
    expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
  });
});

describe('a trigger mode edit: a new split of the events', () => {
  // three webhooks, each moved on its own or with another; requests, messages and runs every hour
  const mixed: Row[] = [];
  for (let i = 0; i < 48; i++) {
    mixed.push([T0 + i * HOUR, 'api', 'k_etl', 1_500_000], [T0 + i * HOUR, 'message', 'u1', 0], [T0 + i * HOUR + 1, 'message', 'u2', 0]);
    mixed.push([T0 + i * HOUR + 2, 'trigger', 't_pr', 0], [T0 + i * HOUR + 3, 'trigger', 't_hook', 1_000_000], [T0 + i * HOUR + 4, 'trigger', i % 2 ? 't_ci' : 't_pr', 500_000]);
  }
  const mixedEv = events(mixed);
  const three: Plan = validatePlan({
    workspace: { seats: 1, messagesPerSeatPerDay: 30, spendLimits: [{ id: 'daily', amountUsd: 40, window: 'utc-day' }] },
    apiKeys: [{ id: 'k_etl', capUsd: 25 }],
    triggers: [
      { id: 't_pr', kind: 'webhook', mode: 'fair_use', limitPer24h: 6 },
      { id: 't_hook', kind: 'webhook', mode: 'programmatic' },
      { id: 't_ci', kind: 'webhook', mode: 'fair_use', limitPer24h: 4 },
    ],
  });
  const modes = (plan: Plan, set: Record<string, 'fair_use' | 'programmatic' | 'user_pool' | 'workspace_pool'>): Plan => ({
    ...plan,
    triggers: plan.triggers.map((t) => (set[t.id] === undefined ? t : { ...t, mode: set[t.id]! })),
  });
  const started = startedPartThread();

  it('switched back and forth through the part thread: the whole each time, the memory touched ahead used once', async () => {
    const part = await started();
    const sim = new PartsSimulator(mixedEv);
    let last = await sim.runAsync(three, options, part.remote(null));
    expect(sim.prepareSplitMemory()).toBe(true);
    // touched already: nothing more to do
    expect(sim.prepareSplitMemory()).toBe(false);
    const moved = modes(three, { t_pr: 'programmatic' });
    const seen: string[] = [];
    for (const plan of [moved, three, moved, three]) {
      last = await sim.runAsync(plan, { ...options, recycle: last }, part.remote(null));
      const whole = simulate(plan, mixedEv, options);
      expect(last).toEqual(whole);
      // the other part's tallies counted on its thread
      expect(talliesOf(mixedEv, last)).toEqual(tally(mixedEv, whole, dayFrameOf(mixedEv)));
      seen.push(`${sim.lastSimulated.join('+') || 'nothing'} ${sim.lastSplitMemory ?? 'kept'}`);
    }
    expect(seen).toEqual(['spend+allowance ahead', 'nothing kept', 'nothing kept', 'nothing kept']);
    // two splits kept: a third takes over the oldest's memory, none is touched ahead
    expect(sim.prepareSplitMemory()).toBe(false);
  });

  it('two triggers switched, at once and one after the other: each split its own, the oldest taken over', async () => {
    const part = await started();
    const sim = new PartsSimulator(mixedEv);
    let last = await sim.runAsync(three, options, part.remote(null));
    // each from the last split: only the runs of the triggers whose mode differs from it move
    // (t_pr 72 runs, t_hook 48, t_ci 24)
    const steps: [Plan, string, number][] = [
      [modes(three, { t_pr: 'programmatic', t_ci: 'programmatic' }), 'fresh', 96],
      [modes(three, { t_pr: 'programmatic' }), 'taken over', 24],
      [modes(three, { t_pr: 'programmatic', t_hook: 'fair_use' }), 'taken over', 48],
      [modes(three, { t_hook: 'fair_use', t_ci: 'programmatic' }), 'taken over', 96],
      [three, 'taken over', 72],
    ];
    for (const [plan, memory, moved] of steps) {
      last = await sim.runAsync(plan, { ...options, recycle: last }, part.remote(null));
      const whole = simulate(plan, mixedEv, options);
      expect(last).toEqual(whole);
      expect(talliesOf(mixedEv, last)).toEqual(tally(mixedEv, whole, dayFrameOf(mixedEv)));
      expect([sim.lastSimulated, sim.lastSplitMemory, sim.lastSplitMoved]).toEqual([['spend', 'allowance'], memory, moved]);
    }
  });

  it("switched back after another trigger's edit: the plan's own split and results answer, the least recently used go", async () => {
    const part = await started();
    const sim = new PartsSimulator(mixedEv);
    let last = await sim.runAsync(three, options, part.remote(null));
    const both = ['spend', 'allowance'];
    const steps: [Plan, string[], string | null][] = [
      [modes(three, { t_pr: 'programmatic' }), both, 'fresh'],
      [three, [], null],
      // the t_pr split was used last but one: it goes, and the plan's own stays
      [modes(three, { t_ci: 'programmatic' }), both, 'taken over'],
      [three, [], null],
      [modes(three, { t_ci: 'programmatic' }), [], null],
      [three, [], null],
    ];
    for (const [plan, simulated, memory] of steps) {
      last = await sim.runAsync(plan, { ...options, recycle: last }, part.remote(null));
      expect(last).toEqual(simulate(plan, mixedEv, options));
      expect([sim.lastSimulated, sim.lastSplitMemory]).toEqual([simulated, memory]);
    }
  });

  it('under the platform profile, with its names for the modes: the whole, burned pool units included', async () => {
    const part = await started();
    const platform = validatePlan({ ...structuredClone(three), workspace: { ...three.workspace, fairUseShare: 0.2 }, enforcement: { profile: 'platform', actorPerMinute: 1 } });
    const sim = new PartsSimulator(mixedEv);
    let last = await sim.runAsync(platform, options, part.remote(null));
    sim.prepareSplitMemory();
    const sets: Record<string, 'user_pool' | 'workspace_pool'>[] = [{ t_pr: 'workspace_pool' }, { t_pr: 'user_pool', t_hook: 'user_pool' }, { t_ci: 'workspace_pool' }];
    for (const set of sets) {
      const plan = modes(platform, set);
      last = await sim.runAsync(plan, { ...options, recycle: last }, part.remote(null));
      const whole = simulate(plan, mixedEv, options);
      expect(last).toEqual(whole);
      expect(talliesOf(mixedEv, last)).toEqual(tally(mixedEv, whole, dayFrameOf(mixedEv)));
      expect(sim.lastSimulated).toEqual(['spend', 'allowance']);
    }
    // not vacuous: the pool and the trigger limits refused runs in the last plan
    expect(Array.from(last.reason)).toContain(Reason.trigger_limit);
  });

  it('a rare trigger among thousands of events: its few runs moved, long stretches copied in blocks, the whole', () => {
    const long: Row[] = [];
    for (let i = 0; i < 3000; i++) {
      long.push([T0 + i * 60_000, i % 3 === 0 ? 'api' : 'message', i % 3 === 0 ? 'k_etl' : `u${i % 4}`, i % 3 === 0 ? 200_000 : 0]);
      if (i % 500 === 250) long.push([T0 + i * 60_000 + 1, 'trigger', 't_pr', 0]);
      if (i % 7 === 0) long.push([T0 + i * 60_000 + 2, 'trigger', 't_hook', 100_000]);
    }
    const longEv = events(long);
    const sim = new PartsSimulator(longEv);
    let last = sim.run(three, options);
    for (const plan of [modes(three, { t_pr: 'programmatic' }), modes(three, { t_hook: 'fair_use' }), three]) {
      last = sim.run(plan, { ...options, recycle: last });
      expect(last).toEqual(simulate(plan, longEv, options));
      expect(sim.lastSplitMoved).toBeGreaterThan(0);
    }
  });

  it('under a queue wait limit the whole is simulated, the split left alone', async () => {
    const part = await started();
    const waiting: Plan = { ...three, enforcement: { ...three.enforcement, maxQueueWaitHours: 3 } };
    const sim = new PartsSimulator(mixedEv);
    let last = await sim.runAsync(waiting, options, part.remote(null));
    for (const plan of [modes(waiting, { t_pr: 'programmatic' }), waiting, modes(waiting, { t_ci: 'programmatic', t_hook: 'fair_use' })]) {
      last = await sim.runAsync(plan, { ...options, recycle: last }, part.remote(null));
      expect(last).toEqual(simulate(plan, mixedEv, options));
      expect([sim.lastSimulated, sim.lastThreads, sim.lastSplitMemory]).toEqual([['whole'], 1, null]);
    }
  });

  it('cancelled mid-edit: the other thread still reads its split, which no later split writes over', async () => {
    // the other thread, held: it reads its part after the edit here was cancelled
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent: { events: EventColumns; copy: Float64Array }[] = [];
    const slow: RemotePart = async (evs, plan, opts) => {
      sent.push({ events: evs, copy: Float64Array.from(evs.time.subarray(0, evs.count)) });
      await held;
      return simulate(plan, evs, opts);
    };
    const direct: RemotePart = async (evs, plan, opts) => simulate(plan, evs, opts);
    // enough requests that the pass here looks at its signal (every 65,536 events) before it ends
    const busy: Row[] = [...mixed];
    for (let i = 0; i < 70_000; i++) busy.push([T0 + i * 2000, 'api', 'k_etl', 1000]);
    const busyEv = events(busy);
    const sim = new PartsSimulator(busyEv);
    let last = await sim.runAsync(three, options, direct);
    const cancelled = { aborted: true };
    await expect(sim.runAsync(modes(three, { t_pr: 'programmatic' }), { ...options, signal: cancelled, recycle: last }, slow)).rejects.toBeInstanceOf(CancelledError);
    expect(sent).toHaveLength(1);
    // two more splits: the cancelled edit's is then the oldest kept, and still read
    for (const plan of [modes(three, { t_ci: 'programmatic' }), modes(three, { t_hook: 'fair_use' }), modes(three, { t_pr: 'programmatic', t_ci: 'programmatic' })]) {
      last = await sim.runAsync(plan, { ...options, recycle: last }, direct);
      expect(last).toEqual(simulate(plan, busyEv, options));
    }
    const [away] = sent;
    expect(Array.from(away!.events.time.subarray(0, away!.events.count))).toEqual(Array.from(away!.copy));
    release();
    // the edit asked again after the cancel: the whole
    const again = modes(three, { t_pr: 'programmatic' });
    expect(await sim.runAsync(again, { ...options, recycle: last }, direct)).toEqual(simulate(again, busyEv, options));
  });
});

describe('a trigger mode edit with no spend limit in reach: the spend part from a kept one, its runs alone', () => {
  // three keys (a cap that binds, a roomy cap, none), a fair-use webhook that costs when
  // programmatic, a programmatic webhook whose limit makes its runs wait, people's messages
  const rows: Row[] = [];
  for (let i = 0; i < 72; i++) {
    const t = T0 + i * HOUR;
    rows.push([t, 'api', 'k_capped', 1_000_000], [t, 'api', 'k_roomy', 2_000_000], [t + 1, 'api', 'k_open', 500_000], [t + 2, 'message', `u${i % 3}`, 0]);
    rows.push([t + 3, 'trigger', 't_pr', 250_000], [t + 4, 'trigger', 't_hook', 100_000]);
    if (i % 5 === 0) rows.push([t + 5, 'trigger', 't_pr', 250_000], [t + 5, 'api', 'k_inferred', 10_000]);
    // a second request of one key within the minute: the platform's key throttle (one a minute below) refuses it
    if (i % 7 === 0) rows.push([t + 30_000, 'api', 'k_open', 500_000]);
  }
  const ev = events(rows);
  const plan = (daily: number, profile: 'documented' | 'platform' = 'documented'): Plan =>
    validatePlan({
      workspace: { seats: 1, messagesPerSeatPerDay: 30, spendLimits: [{ id: 'daily', amountUsd: daily, window: 'utc-day' }, { id: 'month', amountUsd: 10_000, window: 'rolling-30d' }] },
      apiKeys: [
        { id: 'k_capped', capUsd: 5 },
        { id: 'k_roomy', capUsd: 500 },
        { id: 'k_open', capUsd: null },
      ],
      triggers: [
        { id: 't_pr', kind: 'webhook', mode: 'fair_use', limitPer24h: 6 },
        { id: 't_hook', kind: 'webhook', mode: 'programmatic', limitPer24h: 10 },
      ],
      enforcement: { profile, webhookWhenLimited: 'queue', ...(profile === 'platform' ? { actorPerMinute: 1 } : {}) },
    });
  const modes = (p: Plan, set: Record<string, 'fair_use' | 'programmatic' | 'user_pool' | 'workspace_pool'>): Plan => ({
    ...p,
    triggers: p.triggers.map((t) => (set[t.id] === undefined ? t : { ...t, mode: set[t.id]! })),
  });
  const capOf = (p: Plan, id: string, capUsd: number | null): Plan => ({ ...p, apiKeys: p.apiKeys.map((k) => (k.id === id ? { ...k, capUsd } : k)) });
  const expectWhole = (result: SimulationResult, p: Plan): void => {
    const whole = simulate(p, ev, options);
    expect(result).toEqual(whole);
    expect(talliesOf(ev, result)).toEqual(tally(ev, whole, dayFrameOf(ev)));
  };
  const started = startedPartThread();

  it("a mode switch warmed ahead (warmModeSwitch): its split and patched spend part kept, not its allowance pass; the plan's own stays the one kept last", () => {
    const sim = new PartsSimulator(ev);
    const roomy = plan(1000);
    // each result given back once read, as the compute worker does
    let last = sim.run(roomy, options);
    const run = (p: Plan): SimulationResult => {
      last = sim.run(p, { ...options, recycle: last });
      expectWhole(last, p);
      return last;
    };
    const pr = modes(roomy, { t_pr: 'programmatic' });
    expect(sim.warmModeSwitch(roomy, pr, options)).toBe(true);
    // the plan's own: nothing to simulate
    run(roomy);
    expect(sim.lastSimulated).toEqual([]);
    // the warmed switch: its split kept, its spend part kept, the allowance part alone simulated
    run(pr);
    expect([sim.lastSimulated, sim.lastSplitKept]).toEqual([['allowance'], true]);
    // another switch takes over the warmed split, least recently used; the plan's own is still kept
    run(roomy);
    run(modes(roomy, { t_hook: 'fair_use' }));
    expect(sim.lastSplitMemory).toBe('taken over');
    run(roomy);
    expect(sim.lastSimulated).toEqual([]);
    // nothing to patch under a spend limit that refused: false
    const tight = plan(1);
    run(tight);
    expect(sim.warmModeSwitch(tight, modes(tight, { t_pr: 'programmatic' }), options)).toBe(false);
  });

  it("moves a webhook's costly runs in and out while every key's requests keep their decisions: its runs alone, the whole each time", async () => {
    const part = await started();
    const sim = new PartsSimulator(ev);
    const roomy = plan(1000);
    let last = await sim.runAsync(roomy, options, part.remote(null));
    sim.prepareSplitMemory();
    const seen: string[] = [];
    // in, then a cap edit on that split (that key alone), then out again (its split and the
    // allowance part kept; the spend part patched back from the capped one), then both webhooks swapped
    const steps = [modes(roomy, { t_pr: 'programmatic' }), capOf(modes(roomy, { t_pr: 'programmatic' }), 'k_capped', 7), capOf(roomy, 'k_capped', 7), capOf(modes(roomy, { t_pr: 'programmatic', t_hook: 'fair_use' }), 'k_capped', 7)];
    for (const p of steps) {
      last = await sim.runAsync(p, { ...options, recycle: last }, part.remote(null));
      expectWhole(last, p);
      seen.push(`${sim.lastSimulated.join('+')} ${sim.lastRunsOnly ? 'runs' : sim.lastIsolatedKey ?? 'part'} ${sim.lastThreads}`);
    }
    expect(seen).toEqual(['spend+allowance runs 1', 'spend k_capped 1', 'spend runs 1', 'spend+allowance runs 1']);
    // not vacuous: the capped key is refused, the programmatic runs waited for their limit
    expect(Array.from(last.reason)).toContain(Reason.key_cap);
    expect(Array.from(last.outcome.filter((_, i) => ev.type[i] === 1 && last.admittedAt[i] > ev.time[i]))).not.toHaveLength(0);
  });

  it('a spend limit the moved runs could reach, or one that refused already: the part simulated as before', async () => {
    const part = await started();
    // the first day's spend peaks at $66.05 ($67.55 with the moved webhook's runs): a $67 day is
    // reached only once they count, a $60 one refuses already
    for (const daily of [67, 60]) {
      const sim = new PartsSimulator(ev);
      const p = plan(daily);
      let last = await sim.runAsync(p, options, part.remote(null));
      const moved = modes(p, { t_pr: 'programmatic' });
      last = await sim.runAsync(moved, { ...options, recycle: last }, part.remote(null));
      expectWhole(last, moved);
      expect([sim.lastSimulated, sim.lastRunsOnly, sim.lastThreads]).toEqual([['spend', 'allowance'], false, 2]);
      expect(Array.from(last.reason)).toContain(8);
    }
  });

  it("under the platform profile, with its names for the modes and a key's throttle: the runs alone, the whole", () => {
    const p = plan(1000, 'platform');
    const sim = new PartsSimulator(ev);
    let last = sim.run(p, options);
    const sets: Record<string, 'user_pool' | 'workspace_pool'>[] = [{ t_pr: 'workspace_pool' }, { t_pr: 'workspace_pool', t_hook: 'user_pool' }, { t_hook: 'workspace_pool' }];
    for (const set of sets) {
      const q = modes(p, set);
      last = sim.run(q, { ...options, recycle: last });
      expectWhole(last, q);
      expect(sim.lastRunsOnly).toBe(true);
    }
    // the webhooks' own limits and the key throttle refused
    expect(Array.from(last.reason)).toEqual(expect.arrayContaining([Reason.trigger_limit, Reason.actor_minute]));
  });

  it("a programmatic trigger's limit edited: its runs alone", () => {
    const p = plan(1000);
    const sim = new PartsSimulator(ev);
    let last = sim.run(p, options);
    for (const limit of [3, 40, -1]) {
      const q = { ...p, triggers: p.triggers.map((t) => (t.id === 't_hook' ? { ...t, limitPer24h: limit } : t)) };
      last = sim.run(q, { ...options, recycle: last });
      expectWhole(last, q);
      expect([sim.lastSimulated, sim.lastRunsOnly]).toEqual([['spend'], true]);
    }
  });

  it('the first allowance edit after opening writes into the pass arrays touched ahead, once; the whole', () => {
    const p = plan(1000);
    const sim = new PartsSimulator(ev);
    let last = sim.run(p, options);
    const before = { outcome: [...last.outcome], admittedAt: [...last.admittedAt], reason: [...last.reason], entity: [...last.entity] };
    expect(sim.preparePassArrays()).toBe(true);
    expect(sim.preparePassArrays()).toBe(false);
    // the kept results' arrays, touched so that later edits write into memory faulted in, read as before
    expect({ outcome: [...last.outcome], admittedAt: [...last.admittedAt], reason: [...last.reason], entity: [...last.entity] }).toEqual(before);
    const seen: (string | null)[] = [];
    // fewer messages a seat than people send: the allowance refuses, each edit differently
    for (const perSeat of [10, 12, 14]) {
      const q = { ...p, workspace: { ...p.workspace, messagesPerSeatPerDay: perSeat } };
      last = sim.run(q, { ...options, recycle: last });
      expectWhole(last, q);
      seen.push(sim.lastPassArrays);
    }
    // two allowance results are kept, so the first edit has none to push out; the next ones take
    // the arrays of the one they push out
    expect(seen).toEqual(['ahead', 'reused', 'reused']);
  });

  it('cancelled in the allowance pass after the spend part was patched: the edit asked again is the whole', async () => {
    // enough messages that the allowance pass looks at its signal (every 65,536 events)
    const busy: Row[] = [...rows];
    for (let i = 0; i < 70_000; i++) busy.push([T0 + i * 3000, 'message', `u${i % 5}`, 0]);
    const busyEv = events(busy);
    const sim = new PartsSimulator(busyEv);
    const p = plan(1000);
    let last = sim.run(p, options);
    const moved = modes(p, { t_pr: 'programmatic' });
    expect(() => sim.run(moved, { ...options, signal: { aborted: true }, recycle: last })).toThrow(CancelledError);
    expect(sim.lastRunsOnly).toBe(true);
    last = sim.run(moved, { ...options, recycle: last });
    expect(last).toEqual(simulate(moved, busyEv, options));
    // the patched spend part was kept: only the allowance part was left
    expect(sim.lastSimulated).toEqual(['allowance']);
    last = sim.run(p, { ...options, recycle: last });
    expect(last).toEqual(simulate(p, busyEv, options));
  });
});
