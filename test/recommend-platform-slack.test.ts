/**
 * Under the platform profile, the advice for a webhook its limit held says how many runs the
 * replay refuses. When the export times runs by completion, the replay refuses a few runs by
 * seconds: the advice says that is the cut the history shows, not demand beyond it.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { EventColumnsBuilder } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { recommend } from '../src/recommend/index.ts';
import { rngFor, uniform } from '../src/demo/prng.ts';
import { synthHistory } from './forecast-helpers.ts';

const input = { workspace: { seats: 50, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_hot', kind: 'webhook' as const }], enforcement: { profile: 'platform' as const } };

/** the runs the platform admitted, each at its admission plus 5 s to 2 min to complete */
function exported(events: EventColumns, jitter: boolean): EventColumns {
  const r = simulate(validatePlan(input), events);
  const rng = rngFor(11, 'completion');
  const kept: { t: number; i: number }[] = [];
  for (let i = 0; i < events.count; i++) if (r.outcome[i] === 0) kept.push({ t: events.time[i] + (jitter ? Math.round(uniform(rng, 5_000, 120_000)) : 0), i });
  kept.sort((a, b) => a.t - b.t);
  const b = new EventColumnsBuilder();
  for (const { t, i } of kept) b.push(t, events.type[i] as EventTypeCode, events.subjects[events.subject[i]], events.cost[i]);
  return b.build();
}

describe('platform advice for a webhook held at 42, exported at completion times', () => {
  it('says the runs the replay refuses by seconds are the cut, not demand', () => {
    const cut = exported(synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 96, hours: [0, 24] }], 5, false), true);
    const t = recommend(cut, validatePlan(input)).triggers.find((x) => x.id === 't_hot')!;
    expect(t.reason).toMatch(/under the current plan the platform's code refuses \d+ runs \(\d+ by its 24 h run limit\), each within 15 min of a run's 24 h ending: the export times runs when they completed, so that is the limit the history was cut at, not demand beyond it/);
  });

  it('says nothing of the kind for runs refused hours inside the window (demand beyond the limit)', () => {
    const full = synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 96, hours: [0, 24] }], 5, false);
    const t = recommend(full, validatePlan(input)).triggers.find((x) => x.id === 't_hot')!;
    expect(t.reason).toMatch(/the platform's code refuses/);
    expect(t.reason).not.toMatch(/each within 15 min/);
  });
});

describe('platform advice for a fair-use webhook its limit reached once, refused only within the slack', () => {
  it('asks no override, as there is no demand above its limit to size one on', () => {
    // 20 a day, and a day of 150 the limit of 42 cut: exported at completion times, one 24 h holds 43
    const cut = exported(synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: (d) => (d === 30 ? 150 : 20), hours: [0, 24] }], 5, false), true);
    const rec = recommend(cut, validatePlan(input), { paths: 20 });
    const t = rec.triggers.find((x) => x.id === 't_hot')!;
    expect(t.reason).toMatch(/refuses 1 run \(1 by its 24 h run limit\), each within 15 min of a run's 24 h ending/);
    expect(t.action).toBe('none');
    expect(t.requestedLimit).toBeNull();
    expect(t.reason).toContain('no override: the history shows no demand above its limit');
    expect(t.reason).not.toContain('occasional peaks');
    expect(rec.plan.triggers.find((x) => x.id === 't_hot')!.limitPer24h).toBeNull();
  });

  it('asks the override for the days its limit held, not for peaks, when it held it on a few days', () => {
    // a day of 150 every sixth day: held there on several days, refused only within the slack
    const cut = exported(synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: (d) => (d % 6 === 0 ? 150 : 20), hours: [0, 24] }], 1, false), true);
    const t = recommend(cut, validatePlan(input), { paths: 20 }).triggers.find((x) => x.id === 't_hot')!;
    expect(t.action).toBe('override');
    expect(t.reason).toMatch(/: held at its limit on \d+ days \(demand beyond it is not in the exports\), so request a limit of/);
    expect(t.reason).not.toContain('occasional peaks');
  });
});
