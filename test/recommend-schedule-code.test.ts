/**
 * A schedule above its limit under the docs (the default profile): the docs hold it at 42 runs per
 * 24 h on fair use, but the platform's code never checks a schedule against its own limit or the
 * pool (SPEC section 9 rule 3), and exports holding more than 42 of its runs in 24 h show the
 * platform admitted them. The advice and the support draft said only the docs' reading.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { supportRequests } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 9, 1);

/** a schedule firing every 18 minutes (80 a day) for 20 days */
function everyEighteenMinutes() {
  const b = new EventColumnsBuilder();
  for (let t = T0; t < T0 + 20 * DAY; t += 18 * 60_000) b.push(t, EventType.trigger, 't_big', 0);
  return b.build();
}

describe('a schedule above its limit under the docs', () => {
  it('says the platform does not limit it, with the history as evidence, before any support request', () => {
    const events = everyEighteenMinutes();
    const plan = validatePlan({ workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_big', name: 'Big', kind: 'scheduled', mode: 'fair_use', limitPer24h: null }] });
    const r = recommend(events, plan, { paths: 20 });
    const t = r.triggers.find((x) => x.id === 't_big')!;
    expect(t.action).toBe('cannot_move');
    expect(t.reason).toContain("the platform's code never checks a schedule against its own run limit or the fair-use pool");
    expect(t.reason).toContain('the exports hold up to 80 runs of it in 24 h, which the platform admitted');
    expect(t.reason).toContain('on the platform nothing needs changing');
    // two counts of its 24 h windows, each named: the docs' (a run exactly 24 h old has left) and
    // the platform's, which the ask is sized on
    expect(t.reason).toContain("(p95 80 per 24 h over the 20 days of history; 81 counted as the platform's code counts a 24 h window, a run exactly 24 h old still in it, which the ask is sized on)");
    expect(t.alternatives[0]).toContain('(p95 81 + 25 % headroom, rounded up)');
    const [draft] = supportRequests(r, 'A');
    expect(draft?.triggerId).toBe('t_big');
    expect(draft?.body).toContain("[Before sending: the docs limit scheduled triggers like any other, but the platform's code does not check a schedule against its run limit");
  });

  it('under the platform profile no request is drafted for it', () => {
    const events = everyEighteenMinutes();
    const plan = validatePlan({
      workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 },
      triggers: [{ id: 't_big', name: 'Big', kind: 'scheduled', mode: 'fair_use', limitPer24h: null }],
      enforcement: { profile: 'platform' },
    });
    const r = recommend(events, plan, { paths: 20 });
    expect(supportRequests(r, 'A').map((d) => d.triggerId)).not.toContain('t_big');
  });
});
