/**
 * Censored trigger history: the platform's exports hold only the runs it admitted, so a webhook
 * its limit held shows as day after day at exactly 42, never above. That is not "within its
 * limit": under either profile the advice must move it (the demand was at least 42), and say why.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { recommend } from '../src/recommend/index.ts';
import { supportRequests } from '../src/export/index.ts';

/** 30 days of a webhook at exactly `perDay` runs between 06:00 and 20:00 UTC, plus a few messages. */
function held(perDay: number): EventColumns {
  const b = new EventColumnsBuilder();
  const start = Date.UTC(2026, 8, 1);
  for (let d = 0; d < 30; d++) {
    for (let k = 0; k < perDay; k++) b.push(start + d * DAY + 6 * HOUR + Math.floor((k * 14 * HOUR) / perDay), EventType.trigger, 't_pr', 0);
    for (let k = 0; k < 5; k++) b.push(start + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k}`, 0);
  }
  return b.build();
}

const plan = (profile: 'documented' | 'platform') =>
  validatePlan({ version: 1, triggers: [{ id: 't_pr', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: null }], enforcement: { profile } });

describe('a trigger held at its limit every day', () => {
  it('is moved to programmatic under the docs, the held days said', () => {
    const t = recommend(held(42), plan('documented'), { paths: 40 }).triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('programmatic');
    expect(t.reason).toContain('at it on 28 more');
    expect(t.reason).toContain('demand was at least 42');
  });

  it('is moved to programmatic with a limit override under the platform profile', () => {
    const rec = recommend(held(42), plan('platform'), { paths: 40 });
    const t = rec.triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('programmatic');
    // the support request says the history understates the demand
    const draft = supportRequests(rec, 'Acme').find((r) => r.triggerId === 't_pr')!;
    expect(draft.body).toContain('at exactly 42 on 28: runs refused at the limit are not in our usage exports');
    expect(t.requestedLimit).toBeGreaterThan(42);
    expect(t.reason).toContain('at it on 28: the exports hold only the runs the platform admitted');
  });

  it('leaves a trigger below its limit alone', () => {
    const t = recommend(held(41), plan('documented'), { paths: 40 }).triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('none');
  });
});
