/**
 * The consumption export times each run by when it completed, not when the platform admitted it.
 * A webhook the platform held at 42 runs per 24 h, replayed at its completion times, shows a run
 * a few seconds inside the window now and then (the run of 24 h before took longer to complete):
 * that is the export's timing, not demand beyond the limit, and the history is still held.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { censoredFromEngine } from '../src/forecast/censor.ts';
import { EventColumnsBuilder } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { rngFor, uniform } from '../src/demo/prng.ts';
import { synthHistory } from './forecast-helpers.ts';

const DAY = 86_400_000;
const planInput = { workspace: { seats: 50, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_hot', kind: 'webhook' as const }] };

/** What the platform's export shows: the runs its limit admitted, each at its admission plus 5 s to 2 min to complete. */
function exported(events: EventColumns, profile: 'documented' | 'platform'): EventColumns {
  const r = simulate(validatePlan({ ...planInput, enforcement: { profile, webhookWhenLimited: 'drop' } }), events);
  const rng = rngFor(11, 'completion');
  const kept: { t: number; i: number }[] = [];
  for (let i = 0; i < events.count; i++) if (r.outcome[i] === 0) kept.push({ t: events.time[i] + Math.round(uniform(rng, 5_000, 120_000)), i });
  kept.sort((a, b) => a.t - b.t);
  const b = new EventColumnsBuilder();
  for (const { t, i } of kept) b.push(t, events.type[i] as EventTypeCode, events.subjects[events.subject[i]], events.cost[i]);
  return b.build();
}

describe('a trigger held at its limit, exported at completion times', () => {
  it.each(['documented', 'platform'] as const)('reads its days at the limit as bounds under the %s profile, although the replay refuses a few runs by seconds', (profile) => {
    const demand = synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 96, hours: [0, 24] }], 5, false);
    const cut = exported(demand, profile);
    const plan = validatePlan({ ...planInput, enforcement: { profile } });
    const replay = simulate(plan, cut);
    // the completion times do put some runs inside the window (what made the series read as demand)
    let refused = 0;
    for (let i = 0; i < cut.count; i++) if (replay.outcome[i] !== 0 || replay.admittedAt[i] > cut.time[i]) refused++;
    expect(refused).toBeGreaterThan(0);
    const c = censoredFromEngine(cut, replay, buildHistory(cut));
    const mask = c.days.get('trigger_runs:t_hot');
    expect(mask).toBeDefined();
    expect(mask!.filter(Boolean).length).toBeGreaterThan(30);
  });

  it('reads people\'s messages held at the allowance as held although the replay blocks a few by seconds', () => {
    // 1 seat x 20 messages: the platform admitted 20 per 24 h of people who wanted 40
    const input = { workspace: { seats: 1, messagesPerSeatPerDay: 20 } };
    const demand = synthHistory(40, [{ type: 'message', subject: 'u', daily: () => 40, hours: [0, 24] }], 5, false);
    const r = simulate(validatePlan(input), demand);
    const rng = rngFor(12, 'completion');
    const kept: number[] = [];
    for (let i = 0; i < demand.count; i++) if (r.outcome[i] === 0) kept.push(demand.time[i] + Math.round(uniform(rng, 5_000, 120_000)));
    kept.sort((a, b) => a - b);
    const b = new EventColumnsBuilder();
    for (const t of kept) b.push(t, 2, 'u', 0);
    const cut = b.build();
    const replay = simulate(validatePlan(input), cut);
    expect(Array.from(replay.outcome).some((o) => o !== 0)).toBe(true);
    const c = censoredFromEngine(cut, replay, buildHistory(cut));
    expect(c.series.map((x) => x.kind)).toEqual(['messages']);
    expect(c.series[0]!.days).toBeGreaterThan(30);
  });

  it('reads a key held at its cap as held although the replay blocks the requests that were in flight when it was reached', () => {
    // the platform checks the cap before a request runs and adds its cost when it completes: a
    // request that started while others ran passed under the cap and completed after them
    const capMicros = 10_000_000;
    const rng = rngFor(13, 'in-flight');
    const runs: { start: number; end: number; cost: number }[] = [];
    for (let d = 0; d < 45; d++) for (let k = 0; k < 400; k++) {
      const start = Date.UTC(2026, 0, 1) + d * DAY + Math.floor(uniform(rng, 0, DAY));
      runs.push({ start, end: start + Math.round(uniform(rng, 5_000, 600_000)), cost: 50_000 });
    }
    runs.sort((a, b) => a.start - b.start);
    const done: { end: number; cost: number }[] = [];
    for (const r of runs) {
      const spent = done.reduce((a, x) => a + (x.end <= r.start && x.end > r.start - 30 * DAY ? x.cost : 0), 0);
      if (spent < capMicros) done.push(r);
    }
    done.sort((a, b) => a.end - b.end);
    const b = new EventColumnsBuilder();
    for (const r of done) b.push(r.end, 0, 'k_capped', r.cost);
    const cut = b.build();
    const plan = validatePlan({ workspace: { seats: 5 }, apiKeys: [{ id: 'k_capped', capUsd: 10 }] });
    const replay = simulate(plan, cut);
    expect(Array.from(replay.outcome).some((o) => o !== 0)).toBe(true);
    const c = censoredFromEngine(cut, replay, buildHistory(cut));
    expect(c.series.map((x) => x.id)).toEqual(['k_capped']);
  });

  it('still reads an export holding the demand beyond the limit as demand', () => {
    const full = synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 55, hours: [0, 24] }], 5, false);
    const c = censoredFromEngine(full, simulate(validatePlan(planInput), full), buildHistory(full));
    expect(c.days.size).toBe(0);
  });
});
