/**
 * The seats next to an edit's, simulated ahead on the compute thread, a step of the pass at a
 * time, while the window is idle (src/entries/compute-worker.ts `stepAheadFrom`,
 * PartsSimulator.simulateAllowanceAhead): a step up or down is answered from the result simulated
 * ahead, or joins it under way, and every answer is a cold worker's.
 */
import { describe, expect, it } from 'vitest';
import type { ComputeClient } from '../src/api/compute.ts';
import { computeClients, wholeViewOf } from './support/compute-clients.ts';
import { readEventsCsv } from '../src/csv/read-events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';

// messages, a key's requests and two webhooks' runs: 467 messages and runs in 200 minutes, so at
// 40 messages a seat the allowance refuses at every seat count below
const rows = ['timestamp,type,subject,cost_usd'];
for (let i = 0; i < 200; i++) {
  const t = 1_790_000_000_000 + i * 60_000;
  rows.push(`${t},message,u_${i % 5},`, `${t + 1},api,k_small,0.05`, `${t + 2},trigger,t_pr,0.01`);
  if (i % 3 === 0) rows.push(`${t + 3},trigger,t_ci,0.02`);
}
const events = readEventsCsv(rows.join('\n'));
const seated = (seats: number, capUsd = 3): Plan =>
  validatePlan({
    workspace: { name: 'W', seats, messagesPerSeatPerDay: 40 },
    apiKeys: [{ id: 'k_small', capUsd }],
    triggers: [
      { id: 't_pr', kind: 'webhook', mode: 'fair_use', limitPer24h: 50 },
      { id: 't_ci', kind: 'webhook', mode: 'fair_use', limitPer24h: 20 },
    ],
  });

const worker = computeClients();
const client = (): ComputeClient => worker(events);
const answerOf = wholeViewOf;

/** A worker whose part thread is up: it starts a second after the first result. */
async function withPartThread(): Promise<ComputeClient> {
  const c = client();
  for (let i = 0; i < 100; i++) {
    // both parts new each time (seats and a spend limit that refuses): simulated on both threads once the second is up
    const p = validatePlan({
      workspace: { name: 'W', seats: 1, messagesPerSeatPerDay: 10 + i, spendLimits: [{ id: 'day', amountUsd: 1.5 + i / 100, window: 'utc-day' }] },
      apiKeys: [{ id: 'k_small', capUsd: 3 }],
    });
    if ((await c.run('projection', p, 'W', 100)).computeThreads === 2) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the part thread never came up');
}

const idle = () => new Promise((r) => setTimeout(r, 100));

describe('the seats next to an edit, simulated ahead', () => {
  it('answers a step up, then steps back down, from results simulated ahead: a cold worker\'s answers', async () => {
    const c = await withPartThread();
    const cold = client();
    await answerOf(c, seated(4));
    const five = await answerOf(c, seated(5));
    expect(five.simulated).toEqual(['allowance']);
    expect(five.view).toEqual((await answerOf(cold, seated(5))).view);
    // the admin reads the figures, then steps on: 6 was simulated ahead (an edit while it runs waits for it)
    await idle();
    const six = await answerOf(c, seated(6));
    expect(six.simulated).toEqual([]);
    expect(six.view).toEqual((await answerOf(cold, seated(6))).view);
    // a step back: 5 is the last edit's own result, kept
    expect((await answerOf(c, seated(5))).simulated).toEqual([]);
    // going down now: 4 was an edit's result once, pushed out since, and simulated ahead again
    await idle();
    const four = await answerOf(c, seated(4));
    expect(four.simulated).toEqual([]);
    expect(four.view).toEqual((await answerOf(cold, seated(4))).view);
    const three = await answerOf(c, seated(3));
    expect(three.view).toEqual((await answerOf(cold, seated(3))).view);
  });

  it('steps typed as soon as each answer arrives (joining the step simulated ahead, under way or done): each answer a cold worker\'s', async () => {
    const c = client();
    const cold = client();
    await answerOf(c, seated(4));
    const got = [];
    for (const seats of [5, 6, 7, 8, 7, 6]) got.push({ seats, answer: await answerOf(c, seated(seats)) });
    for (const { seats, answer } of got) expect(answer.view).toEqual((await answerOf(cold, seated(seats))).view);
  });

  it('an edit of another kind or a jump while a step is simulated ahead: each answer a cold worker\'s', async () => {
    const c = await withPartThread();
    const cold = client();
    await answerOf(c, seated(4));
    await answerOf(c, seated(5));
    // at once, while 6 and 4 are simulated ahead: a cap, then seats far off, then a step on from there
    for (const p of [seated(5, 0.5), seated(9, 0.5), seated(10, 0.5)]) {
      const got = await answerOf(c, p);
      expect(got.view).toEqual((await answerOf(cold, p)).view);
    }
    // what was simulated ahead for 5 seats and a $3 cap still answers it
    await idle();
    const back = await answerOf(c, seated(6));
    expect(back.view).toEqual((await answerOf(cold, seated(6))).view);
  });
});
