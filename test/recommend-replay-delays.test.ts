/**
 * A plan that queues refuses nothing and still makes runs wait: the recommended plan's replay
 * announces the runs it delays (how many, what they waited for, the longest wait), as it announces
 * those it refuses. It said nothing of them, so an admin read "no note" as "no effect".
 */
import { describe, expect, it } from 'vitest';
import { nightBursts } from './support/trigger-histories.ts';
import { recommend } from '../src/recommend/index.ts';
import { replayAnnouncements } from '../src/recommend/triggers-platform.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome } from '../src/engine/result.ts';
import { formatDuration } from '../src/engine/report.ts';

describe('the recommended plan replayed: runs it delays', () => {
  it('are counted per trigger with what they waited for and the longest wait', () => {
    const events = nightBursts();
    const plan = validatePlan({
      workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 },
      triggers: [{ id: 't6', name: 'Night', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'documented' },
    });
    const sim = simulate(plan, events);
    let delayed = 0;
    let longest = 0;
    for (let i = 0; i < events.count; i++) {
      if (sim.outcome[i] !== Outcome.admitted) continue;
      const wait = sim.admittedAt[i]! - events.time[i]!;
      if (wait > 0) {
        delayed++;
        longest = Math.max(longest, wait);
      }
    }
    expect(delayed).toBeGreaterThan(0);
    const a = replayAnnouncements(events, sim);
    expect(a.triggers).toEqual([expect.objectContaining({ id: 't6', refused: 0, waiting: 0, delayed, longestWaitMs: longest, delayedByReason: { trigger_limit: delayed } })]);
    const said = a.sentences.join('\n');
    expect(said).toContain(`the recommended plan still delays ${delayed.toLocaleString('en-US')} runs of trigger Night (${delayed.toLocaleString('en-US')} by its 24 h run limit): admitted only after waiting, up to ${formatDuration(longest)}`);
    expect(said).not.toContain('refuses');
  });

  it("reach recommend's notes when the recommended plan still makes runs wait", () => {
    const events = nightBursts();
    // the pool of 2 seats holds the night bursts back: the plan the platform queues under still delays them
    const plan = validatePlan({
      workspace: { name: 'A', seats: 2, messagesPerSeatPerDay: 50 },
      triggers: [{ id: 't6', name: 'Night', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'platform', webhookWhenLimited: 'queue' },
    });
    const r = recommend(events, plan, { paths: 20 });
    const replay = simulate(r.plan, events);
    let delayed = 0;
    for (let i = 0; i < events.count; i++) if (replay.outcome[i] === Outcome.admitted && replay.admittedAt[i]! > events.time[i]!) delayed++;
    expect(delayed).toBeGreaterThan(0);
    expect(r.replay.triggers.find((t) => t.id === 't6')).toMatchObject({ delayed, refused: 0, waiting: 0 });
    // and the trigger's own advice says it, in words and in --json
    const advice = r.triggers.find((t) => t.id === 't6')!;
    expect(advice.stillDelayed).toMatchObject({ runs: delayed, byReason: { pool: delayed } });
    expect(advice.reason).toContain(`still delays ${delayed.toLocaleString('en-US')} of its runs (${delayed.toLocaleString('en-US')} by the fair-use pool), up to `);
    // the plan keeps the 2 seats it has; the advice says how many would hold the runs the pool delays
    expect(r.plan.workspace.seats).toBe(2);
    expect(r.seats.seatsNeededAfterChanges).toBeGreaterThan(2);
    expect(advice.reason).toContain(`(${r.seats.seatsNeededAfterChanges} seats would hold them: see Seats)`);
    expect(r.notes.join('\n')).toContain(`under the platform's code, the recommended plan still delays ${delayed.toLocaleString('en-US')} runs of trigger Night (${delayed.toLocaleString('en-US')} by the fair-use pool)`);
  });
});
