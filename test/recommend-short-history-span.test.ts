/**
 * The trigger and seats advice looks back over the history's last 28 days at most. On a history
 * of 14 days it still said "over the last 28 days" (the p95 a limit is sized on, the busiest 24 h,
 * the people who hold a seat, the support draft's basis): four weeks of evidence that are not
 * there. It now says the real span, "over the 14 days of history", and keeps "the last 28 days"
 * where the history is longer.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { supportRequests } from '../src/export/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 9, 1);

/** `days` days: a webhook sent 60 times a day against its default limit of 42, and three people's messages */
function history(days: number) {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < 60; k++) b.push(T0 + d * DAY + Math.floor(((k + 0.5) * DAY) / 60), EventType.trigger, 'hook', 0);
    for (let k = 0; k < 6; k++) b.push(T0 + d * DAY + 9 * HOUR + k * HOUR, EventType.message, `u${k % 3}`, 0);
  }
  return b.build();
}

/** Every sentence the advice and its support draft give about triggers and seats. */
function words(r: RecommendReport): string {
  return [r.seats.reason, ...r.notes, ...r.triggers.flatMap((t) => [t.reason, t.requestBasis ?? '']), ...supportRequests(r, 'Acme').map((s) => s.body)].join('\n');
}

describe('the days the trigger and seats advice covers', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`are the 14 days of a 14-day history, never "the last 28 days" (${profile})`, () => {
      const plan = validatePlan({ workspace: { seats: 3, spendLimits: [] }, triggers: [{ id: 'hook', kind: 'webhook' }], enforcement: { profile } });
      const r = recommend(history(14), plan, { paths: 20 });
      expect(r.history.days).toBe(14);
      const hook = r.triggers.find((t) => t.id === 'hook')!;
      expect(hook.action).not.toBe('none');
      const text = words(r);
      expect(text).not.toMatch(/last 28 days/);
      expect(hook.reason).toContain('per 24 h over the 14 days of history');
      expect(r.seats.reason).toContain('busiest 24 h of the 14 days of history');
      const draft = supportRequests(r, 'Acme').find((s) => s.triggerId === 'hook')!.body;
      expect(draft).toContain('Over the 14 days of history, counted per calendar day (UTC)');
      expect(draft).toMatch(/Sized on .*over the 14 days of history/);
    });
  }

  it('are the last 28 days of a longer history', () => {
    const plan = validatePlan({ workspace: { seats: 3, spendLimits: [] }, triggers: [{ id: 'hook', kind: 'webhook' }], enforcement: { profile: 'platform' } });
    const r = recommend(history(40), plan, { paths: 20 });
    const hook = r.triggers.find((t) => t.id === 'hook')!;
    expect(hook.reason).toContain('per 24 h over the last 28 days');
    expect(r.seats.reason).toContain('busiest 24 h of the last 28 days');
    expect(words(r)).not.toContain('of history');
  });
});
