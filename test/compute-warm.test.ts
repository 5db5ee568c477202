import { describe, expect, it } from 'vitest';
import type { ComputeClient } from '../src/api/compute.ts';
import { computeClients, wholeViewOf } from './support/compute-clients.ts';
import { readEventsCsv } from '../src/csv/read-events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { simulate } from '../src/engine/simulate.ts';

// 300 messages in one hour and a $2 key tried three times: one seat allows 100 messages a day,
// three seats 300, so every plan below throttles differently.
const rows = ['timestamp,type,subject,cost_usd'];
for (let i = 0; i < 300; i++) rows.push(`${1_790_000_000_000 + i * 10_000},message,u_${i % 7},`);
for (let i = 0; i < 3; i++) rows.push(`${1_790_003_000_000 + i * 1000},api,k_small,1.00`);
const events = readEventsCsv(rows.join('\n'));
const plan = (seats: number): Plan => validatePlan({ workspace: { name: 'W', seats }, apiKeys: [{ id: 'k_small', capUsd: 2 }] });

const worker = computeClients();
const client = (): ComputeClient => worker(events);

describe('simulating a saved plan ahead of the call for it', () => {
  it('answers the call with the result a cold run gives, for the plan saved last', async () => {
    const expected = await client().run('overview', plan(3), 'W', 0);
    const warmed = client();
    warmed.warm(plan(1));
    warmed.warm(plan(3)); // a newer save: the first warm-up is stopped or superseded
    expect(await warmed.run('overview', plan(3), 'W', 0)).toEqual(expected);
    expect(expected.headline.blockedMessages).toBe(0);
  });

  it('never answers a call with the warm-up of another plan', async () => {
    const one = await client().run('overview', plan(1), 'W', 0);
    const c = client();
    c.warm(plan(3));
    const got = await c.run('overview', plan(1), 'W', 0);
    expect(got).toEqual(one);
    expect(got.headline.blockedMessages).toBe(200);
  });

  it('shows the progress of the warm-up to the call that waits for it', async () => {
    // enough events for the engine to report progress (every 65,536)
    const n = 200_000;
    const many: EventColumns = {
      count: n,
      time: Float64Array.from({ length: n }, (_, i) => 1_790_000_000_000 + i * 1000),
      type: new Uint8Array(n).fill(EventType.message),
      subject: new Uint32Array(n),
      cost: new Float64Array(n),
      subjects: ['u_1'],
      ids: null,
    };
    const c = worker(many);
    c.warm(plan(1));
    const seen: number[] = [];
    const got = await c.run('overview', plan(1), 'W', 0, { onProgress: (done) => seen.push(done) });
    expect(got.events).toBe(n);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => d > 0 && d <= n)).toBe(true);
  });

  it('does nothing before there are events', async () => {
    const c = worker();
    expect(() => c.warm(plan(1))).not.toThrow();
    await expect(c.run('overview', plan(1), 'W', 0)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the compute worker with its part thread', () => {
  it('simulates both parts at once once the thread is up, with the answer one thread gives', async () => {
    const c = client();
    const single = client();
    const first = await c.run('projection', plan(1), 'W', 100);
    expect(first.computeThreads).toBe(1);
    // the thread starts a second after the first result; each plan below changes both parts
    let threads = 0;
    for (let i = 0; i < 100 && threads < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      // spend limits and allowances that refuse, each new: no kept result answers them, and no
      // kept spend part can be patched (a cap alone would be: that key's requests, on this thread)
      const p = validatePlan({
        workspace: { name: 'W', seats: 1, messagesPerSeatPerDay: 10 + i, spendLimits: [{ id: 'day', amountUsd: 1.5 + i / 100, window: 'utc-day' }] },
        apiKeys: [{ id: 'k_small', capUsd: 0.1 + i / 100 }],
      });
      const got = await c.run('projection', p, 'W', 100);
      threads = got.computeThreads;
      if (threads === 2) expect({ ...got, computeMs: 0 }).toEqual({ ...(await single.run('projection', p, 'W', 100)), computeMs: 0, computeThreads: 2 });
    }
    expect(threads).toBe(2);
  });
});

describe('the edit paths warmed once the window is idle', () => {
  // messages, a key's requests and two webhooks' runs: a mode moves runs between the parts
  const mixed = ['timestamp,type,subject,cost_usd'];
  for (let i = 0; i < 200; i++) {
    const t = 1_790_000_000_000 + i * 60_000;
    mixed.push(`${t},message,u_${i % 5},`, `${t + 1},api,k_small,0.05`, `${t + 2},trigger,t_pr,0.01`);
    if (i % 3 === 0) mixed.push(`${t + 3},trigger,t_ci,0.02`);
  }
  const ev = readEventsCsv(mixed.join('\n'));
  const hooks = (pr: 'fair_use' | 'programmatic', ci: 'fair_use' | 'programmatic'): Plan =>
    validatePlan({
      workspace: { name: 'W', seats: 1, messagesPerSeatPerDay: 40 },
      apiKeys: [{ id: 'k_small', capUsd: 3 }],
      triggers: [
        { id: 't_pr', kind: 'webhook', mode: pr, limitPer24h: 50 },
        { id: 't_ci', kind: 'webhook', mode: ci, limitPer24h: 20 },
      ],
    });
  /** A worker to warm and a cold one beside it, over the same events: their answers must agree. */
  const warmedAndCold = () => ({ warmed: worker(ev), cold: worker(ev) });
  const answerOf = wholeViewOf;

  it('a warm-up that an edit stopped before its end runs again when asked again, and only then is it done', async () => {
    const c = worker(ev);
    const saved = hooks('fair_use', 'fair_use');
    // the admin edits at once: the edit's call (another plan) stops the warm-up
    const first = c.warm(saved, true);
    const edit = c.ask({ kind: 'project', plan: hooks('programmatic', 'fair_use') });
    expect(await first).toBe('stopped');
    await edit;
    // the next screen's ask warms them, this time to the end; after that there is nothing to do
    expect(await c.warm(saved, true)).toBe('warmed');
    expect(await c.warm(saved, true)).toBe('already');
  });

  it("a seats edit after the warm-up, which ran one where the allowance refuses: every answer is a cold worker's", async () => {
    const seated = (seats: number): Plan => ({ ...hooks('fair_use', 'fair_use'), workspace: { ...hooks('fair_use', 'fair_use').workspace, seats } });
    const { warmed, cold } = warmedAndCold();
    warmed.warm(seated(5), true);
    await warmed.run('overview', seated(5), 'W', 0);
    // the warm-up's seats: 60 % of the busiest 24 h at 40 a seat, less 5 (under 5 seats, at least 1)
    const peak = simulate(seated(5), ev).allowancePeak;
    const tight = Math.max(1, Math.min(4, Math.floor((0.6 * peak) / 40) - 5));
    expect(tight).toBeLessThan(5);
    // (its pass there is not kept for long: the mode switched after it, at the ledger's size, pushes it out)
    for (const seats of [tight, 3, 4, 2, 5]) {
      const got = await answerOf(warmed, seated(seats));
      expect(got.view, `${seats} seats`).toEqual((await answerOf(cold, seated(seats))).view);
    }
  });

  it("the warm-up switched its quietest webhook's mode at the ledger's size: that switch's spend part is kept, its allowance part is not; the plan's own is kept", async () => {
    const { warmed, cold } = warmedAndCold();
    expect(await warmed.warm(hooks('fair_use', 'fair_use'), true)).toBe('warmed');
    // t_ci has a third of t_pr's runs: its split and spend part were made by the warm-up, and kept
    const back0 = await answerOf(warmed, hooks('fair_use', 'fair_use'));
    expect(back0.simulated).toEqual([]);
    const switched = await answerOf(warmed, hooks('fair_use', 'programmatic'));
    expect(switched.simulated).toEqual(['allowance']);
    expect(switched.view).toEqual((await answerOf(cold, hooks('fair_use', 'programmatic'))).view);
    const back = await answerOf(warmed, hooks('fair_use', 'fair_use'));
    expect(back.simulated).toEqual([]);
    expect(back.view).toEqual((await answerOf(cold, hooks('fair_use', 'fair_use'))).view);
  });

  it('trigger modes switched after the warm-up (the split memory touched ahead): the answers of a cold worker', async () => {
    const { warmed, cold } = warmedAndCold();
    warmed.warm(hooks('fair_use', 'fair_use'), true);
    // served after the warm-up, which it joins (the same plan)
    await warmed.run('overview', hooks('fair_use', 'fair_use'), 'W', 0);
    // the plan's own (switched back to) stays kept; the warm-up's switch (t_ci) was pushed out by the fourth
    for (const [pr, ci, kept] of [
      ['programmatic', 'fair_use', false],
      ['fair_use', 'fair_use', true],
      ['programmatic', 'programmatic', false],
      ['fair_use', 'programmatic', false],
    ] as const) {
      const got = await answerOf(warmed, hooks(pr, ci));
      const want = await answerOf(cold, hooks(pr, ci));
      expect(got.view, `${pr} ${ci}`).toEqual(want.view);
      expect(got.simulated.length === 0, `${pr} ${ci}`).toBe(kept);
    }
  });
});
