/**
 * Under the documented profile a programmatic trigger has no limit, but the platform's code holds
 * it at 42 per 24 h (SPEC section 9 rule 2). recommend read that held history with the code's
 * inclusive window edge while simulate reads it at the plan's: a run exactly 24 h after another
 * made recommend count 43 in 24 h and say "no change needed" (and 0 days at the limit, and a
 * support draft without them) while simulate named the trigger held at 42 on 10 days. Both now
 * read it at the replay's edge (recommend/held.ts codeHeldDaysByTrigger, windowPeakDays).
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { runsPer24h } from '../src/recommend/triggers-platform.ts';
import { supportRequests } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { heldLimitFigures } from '../src/views/held-limits.ts';

const T0 = Date.UTC(2026, 9, 1);
const HELD = new Set([1, 3, 12, 19, 26]);

/** t2 every 13 min from 06:00: 42 runs on five days, 20 on the others (the reviewer's c2) */
function everyThirteenMinutes() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 35; d++) {
    const n = HELD.has(d) ? 42 : 20;
    for (let k = 0; k < n; k++) b.push(T0 + d * DAY + 6 * HOUR + k * 13 * MINUTE, EventType.trigger, 't2', 100_000);
  }
  return b.build();
}

describe('a programmatic trigger the code held at 42, with a run exactly 24 h after another', () => {
  const events = everyThirteenMinutes();
  const plan = validatePlan({ triggers: [{ id: 't2', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] });

  it('is the case: the inclusive edge counts 43, simulate names it held at 42', () => {
    expect(runsPer24h(events, 't2', events.time[events.count - 1]! + 1).max).toBe(43);
    const sim = simulate(plan, events);
    const held = heldLimitFigures(events, sim, buildReport(events, sim)).limits.find((h) => h.id === 't2');
    expect(held).toMatchObject({ kind: 'trigger', limit: 42, peak: 42, days: 10 });
  });

  it('recommend asks for the override simulate implies, with the held days of the last 28', () => {
    const r = recommend(events, plan, { paths: 20 });
    const t = r.triggers.find((x) => x.id === 't2')!;
    expect(t.action).toBe('override');
    expect(t.requestedLimit).toBeGreaterThan(42);
    // days 12, 19 and 26 and each following day, whose first runs still have 42 in their 24 h
    expect(t.daily.daysAtLimit).toBe(6);
    expect(t.reason).toContain('held there on 6 of the last 28 days');
  });

  it("the support draft says the days the code's default held it, not 'above the current limit on 0'", () => {
    const r = recommend(events, plan, { paths: 20 });
    const body = supportRequests(r, 'A').find((x) => x.triggerId === 't2')!.body;
    expect(body).toContain("held at 42 (the platform's default) on 6, counted as the limit counts, in a sliding 24 hours");
    expect(body).not.toContain('above the current limit on');
  });
});
