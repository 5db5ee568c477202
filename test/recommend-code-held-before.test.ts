/**
 * A programmatic trigger the docs set no limit, which the platform's code held at its default of
 * 42 runs per 24 h only more than 28 days before the history ends. recommend asks for the
 * override all the same (its peak over the whole replay is 42, as simulate names it held), but
 * said "held there on 0 of the last 28 days": the evidence the request rests on, denied in the
 * same sentence. It now says the days it was held over the history and the last of them, none in
 * the last 28 days; the support draft says them too.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { supportRequests } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { heldLimitFigures } from '../src/views/held-limits.ts';

const T0 = Date.UTC(2026, 9, 1);
const HELD = new Set([1, 2, 3]);

/** t2 every 13 min from 06:00 for 40 days: 42 runs on days 1 to 3, 20 on the others */
function heldLongAgo() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 40; d++) {
    const n = HELD.has(d) ? 42 : 20;
    for (let k = 0; k < n; k++) b.push(T0 + d * DAY + 6 * HOUR + k * 13 * MINUTE, EventType.trigger, 't2', 100_000);
  }
  return b.build();
}

describe('a programmatic trigger the code held at 42 only before the last 28 days', () => {
  const events = heldLongAgo();
  const plan = validatePlan({ triggers: [{ id: 't2', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] });

  it('says the days it was held and the last of them, as simulate counts them, never "0 of the last 28 days"', () => {
    const sim = simulate(plan, events);
    // days 1 to 3 and day 4, whose first runs still have 42 in their 24 h
    expect(heldLimitFigures(events, sim, buildReport(events, sim)).limits.find((h) => h.id === 't2')).toMatchObject({ limit: 42, peak: 42, days: 4 });
    const t = recommend(events, plan, { paths: 20 }).triggers.find((x) => x.id === 't2')!;
    // the evidence is used: the override is asked for, as simulate names it held
    expect(t.action).toBe('override');
    expect(t.daily.daysAtLimit).toBe(0);
    expect(t.codeHeldBefore).toEqual({ days: 4, lastDay: '2026-10-05' });
    expect(t.reason).not.toMatch(/held there on 0 of/);
    expect(t.reason).toContain('held there on 4 days of the history, the last on 2026-10-05, none of them in the last 28 days, when it ran at most 20 runs a day: the history was held there then');
  });

  it('the support draft says when it was held, not only that nothing is above a limit', () => {
    const body = supportRequests(recommend(events, plan, { paths: 20 }), 'A').find((x) => x.triggerId === 't2')!.body;
    expect(body).toContain("before them it was held at 42 (the platform's default) on 4 days, the last on 2026-10-05, counted as the limit counts");
  });
});
