/**
 * The days a trigger's limit held, as `recommend` says them ("held at it on N") and as `headroom
 * simulate` and the Overview count them ("ran exactly 42 times in 24 h on N days"): the same rule,
 * so the same figure. recommend counted a UTC day whose 24 h window was still full at 00:00 though
 * nothing was admitted at the limit that day (the forecast's censoring), or a calendar day at exactly
 * the limit, and said more held days than simulate for the same history and plan.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { buildReport } from '../src/engine/report.ts';
import { simulate } from '../src/engine/simulate.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { recommend } from '../src/recommend/index.ts';
import { heldLimitFigures } from '../src/views/held-limits.ts';

const T0 = Date.UTC(2026, 8, 1);
const BURSTS = [5, 12, 19];

/**
 * 28 days of a webhook: 10 runs a morning, and on three days 42 runs from 20:00 to 23:00 (its
 * default limit, all admitted), the next day only 3 runs after 23:30, once the burst left the
 * window. The window is full from 23:00 through 00:00 of that next day, where nothing is held.
 */
function history() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 28; d++) {
    if (BURSTS.includes(d)) for (let k = 0; k < 42; k++) b.push(T0 + d * DAY + 20 * HOUR + k * 4 * MINUTE, EventType.trigger, 't_burst', 0);
    else if (BURSTS.includes(d - 1)) for (let k = 0; k < 3; k++) b.push(T0 + d * DAY + 23 * HOUR + 30 * MINUTE + k * 5 * MINUTE, EventType.trigger, 't_burst', 0);
    else for (let k = 0; k < 10; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 15 * MINUTE, EventType.trigger, 't_burst', 0);
  }
  return b.build();
}

describe('the days a trigger was held at its limit', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`${profile}: recommend counts them as simulate does`, () => {
      const events = history();
      const plan = validatePlan({ workspace: { seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_burst', name: 'Burst', kind: 'webhook' }], enforcement: { profile } });
      const result = simulate(plan, events);
      const held = heldLimitFigures(events, result, buildReport(events, result)).limits.find((l) => l.id === 't_burst');
      expect(held?.days).toBe(BURSTS.length);
      const t = recommend(events, plan, { paths: 20 }).triggers.find((x) => x.id === 't_burst')!;
      expect(t.daily.daysAtLimit).toBe(held!.days);
      expect(t.reason).toContain(`held at it on ${BURSTS.length}`);
    });

    it(`${profile}: asks the override for the days it was held, not for peaks it never showed`, () => {
      const plan = validatePlan({ workspace: { seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_burst', name: 'Burst', kind: 'webhook' }], enforcement: { profile } });
      const t = recommend(history(), plan, { paths: 20 }).triggers.find((x) => x.id === 't_burst')!;
      expect(t.action).toBe('override');
      expect(t.reason).toContain(`: held at its limit on ${BURSTS.length} days (demand beyond it is not in the exports), so request a limit of`);
      expect(t.reason).not.toContain('occasional peaks');
    });
  }

  it('are none for a trigger whose demand beyond its limit is in the export, as simulate names none', () => {
    // 60 a day evenly against 42: the replay refuses runs hours inside the window, though some
    // calendar days hold exactly 42 of the admitted ones
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 28; d++) for (let k = 0; k < (d % 2 === 0 ? 42 : 60); k++) b.push(T0 + d * DAY + Math.floor(((k + 0.5) * DAY) / (d % 2 === 0 ? 42 : 60)), EventType.trigger, 't_busy', 0);
    const events = b.build();
    const plan = validatePlan({ workspace: { seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_busy', kind: 'webhook' }], enforcement: { profile: 'platform' } });
    const result = simulate(plan, events);
    expect(heldLimitFigures(events, result, buildReport(events, result)).limits.find((l) => l.id === 't_busy')).toBeUndefined();
    const t = recommend(events, plan, { paths: 20 }).triggers.find((x) => x.id === 't_busy')!;
    expect(t.daily.daysAtLimit).toBe(0);
    expect(t.reason).not.toContain('held at it');
  });

  it('for the message allowance: the days it held, by the same rule', () => {
    // an allowance of 500 (5 seats of 100): 40 messages a morning, and on three days 500 from
    // 20:00 to 23:00, the next day only 3 after 23:30; full at 00:00 of that next day, held nowhere
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 28; d++) {
      const at = (k: number, n: number, from: number, span: number) => T0 + d * DAY + from + Math.floor((k * span) / n);
      if (BURSTS.includes(d)) for (let k = 0; k < 500; k++) b.push(at(k, 500, 20 * HOUR, 3 * HOUR), EventType.message, `u${k % 5}`, 0);
      else if (BURSTS.includes(d - 1)) for (let k = 0; k < 3; k++) b.push(at(k, 3, 23 * HOUR + 30 * MINUTE, 15 * MINUTE), EventType.message, `u${k % 5}`, 0);
      else for (let k = 0; k < 40; k++) b.push(at(k, 40, 9 * HOUR, 3 * HOUR), EventType.message, `u${k % 5}`, 0);
    }
    const events = b.build();
    const plan = validatePlan({ workspace: { seats: 5, messagesPerSeatPerDay: 100, spendLimits: [] }, enforcement: { profile: 'platform' } });
    const result = simulate(plan, events);
    expect(heldLimitFigures(events, result, buildReport(events, result)).limits.some((l) => l.kind === 'allowance')).toBe(true);
    const r = recommend(events, plan, { paths: 20 });
    expect(r.seats.allowanceHeldDays).toBe(BURSTS.length);
    // 28 days of events, the last one cut short: a history of 27 days, said as such (not "the last 27")
    expect(r.seats.reason).toContain(`held at the allowance of 500 per 24 h on ${BURSTS.length} of the 27 days of history`);
  });
});
