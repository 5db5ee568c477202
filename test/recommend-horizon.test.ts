/**
 * recommend replays a plan as `headroom simulate` does, up to its horizon (the last event + 30
 * days, SPEC section 4): queued runs keep being released after the history ends, and a run still
 * waiting at the horizon is pending, not refused. Replaying only to the history's end said "670
 * are never admitted" of a queue simulate admitted in full, and "still refuses 38 runs" of a
 * docs queue that simulate released.
 */
import { describe, expect, it } from 'vitest';
import { nightBursts } from './support/trigger-histories.ts';
import { recommend } from '../src/recommend/index.ts';
import { replayAnnouncements } from '../src/recommend/triggers-platform.ts';
import { buildExport } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';

const T0 = Date.UTC(2026, 9, 1);

/** 35 days of one webhook t4, 50 to 69 runs a day at random times (the reviewer's c4) */
function busyQueue() {
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const times: number[] = [];
  for (let d = 0; d < 35; d++) {
    const n = 50 + Math.floor(rnd() * 20);
    for (let k = 0; k < n; k++) times.push(T0 + d * DAY + Math.floor(rnd() * DAY));
  }
  times.sort((a, b) => a - b);
  const b = new EventColumnsBuilder();
  for (const t of times) b.push(t, EventType.trigger, 't4', 0);
  return b.build();
}


function delayedAndLost(events: ReturnType<typeof busyQueue>, plan: ReturnType<typeof validatePlan>) {
  const sim = simulate(plan, events);
  let delayed = 0;
  let lost = 0;
  for (let i = 0; i < events.count; i++) {
    if (sim.outcome[i] !== Outcome.admitted) lost++;
    else if (sim.admittedAt[i]! > events.time[i]!) delayed++;
  }
  return { delayed, lost };
}

describe('recommend counts queued runs as simulate does', () => {
  it('platform with the queue the plan sets: the runs simulate admits after waiting are not "never admitted"', () => {
    const events = busyQueue();
    const plan = validatePlan({
      workspace: { name: 'A', seats: 2, messagesPerSeatPerDay: 50 },
      triggers: [{ id: 't4', name: 'Busy', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'platform', webhookWhenLimited: 'queue' },
    });
    const { delayed, lost } = delayedAndLost(events, plan);
    expect(lost).toBe(0);
    expect(delayed).toBeGreaterThan(2000);
    const r = recommend(events, plan, { paths: 20 });
    const t = r.triggers.find((x) => x.id === 't4')!;
    expect(t.reason).toContain(`${delayed.toLocaleString('en-US')} of its runs wait before being admitted`);
    expect(t.reason).not.toMatch(/never admitted|refuse/);
    const md = buildExport(r, null).find((f) => f.path === 'report.md')!.content;
    expect(md).not.toContain('never admitted');
  });

  it('documented: a queue simulate releases after the history ends is not "still refuses"', () => {
    const events = nightBursts();
    const plan = validatePlan({
      workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 },
      triggers: [{ id: 't6', name: 'Night', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'documented' },
    });
    const r = recommend(events, plan, { paths: 20 });
    const t = r.triggers.find((x) => x.id === 't6')!;
    // simulate of the recommended plan drops and skips nothing, and leaves nothing waiting
    expect(delayedAndLost(events, r.plan).lost).toBe(0);
    expect(t.stillRefused).toBeNull();
    expect(t.reason).not.toContain('still refuses');
    expect(r.notes.join('\n')).not.toContain('still refuses');
  });

  it('a run still waiting at the horizon is announced as waiting, never as refused', () => {
    const events = busyQueue();
    const plan = validatePlan({
      workspace: { name: 'A', seats: 2, messagesPerSeatPerDay: 50 },
      triggers: [{ id: 't4', name: 'Busy', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'documented' },
    });
    // a horizon at the last event leaves the queue's tail pending
    const last = events.time[events.count - 1]!;
    const sim = simulate(plan, events, { until: last + 1 });
    let pending = 0;
    for (let i = 0; i < events.count; i++) if (sim.outcome[i] === Outcome.pending) pending++;
    expect(pending).toBeGreaterThan(0);
    const a = replayAnnouncements(events, sim);
    expect(a.triggers[0]).toMatchObject({ id: 't4', refused: 0, waiting: pending });
    expect(a.sentences.join('\n')).toContain(`still leaves ${pending.toLocaleString('en-US')} runs waiting at the end`);
    expect(a.sentences.join('\n')).not.toContain('refuses');
  });
});
