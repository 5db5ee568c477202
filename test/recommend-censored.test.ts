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
import { runsPer24h } from '../src/recommend/triggers-platform.ts';

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

/**
 * What the platform's export holds of a webhook wanting `demand` runs a day under its sliding
 * 24 h limit of 42 (the window's edge inclusive): only the admitted runs. No UTC day then need
 * sit at exactly 42, and no 24 h ever holds more than 42.
 */
function slidingHeld(demand: number): EventColumns {
  const b = new EventColumnsBuilder();
  const start = Date.UTC(2026, 8, 1);
  const wanted: number[] = [];
  for (let d = 0; d < 30; d++) {
    // a different spacing each day, so that the window's ceiling falls at different hours
    const step = Math.floor(DAY / (demand + (d % 7)));
    for (let k = 0; k < demand; k++) wanted.push(start + d * DAY + ((k * step + d * 7_919_000) % DAY));
    for (let k = 0; k < 5; k++) b.push(start + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k}`, 0);
  }
  const admitted: number[] = [];
  for (const t of wanted.sort((x, y) => x - y)) {
    if (admitted.filter((s) => s >= t - DAY).length < 42) admitted.push(t);
  }
  for (const t of admitted) b.push(t, EventType.trigger, 't_pr', 0);
  return b.build();
}

const plan = (profile: 'documented' | 'platform') =>
  validatePlan({ version: 1, triggers: [{ id: 't_pr', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: null }], enforcement: { profile } });

describe('a trigger held at its limit every day', () => {
  it('is moved to programmatic under the docs, the held days said', () => {
    const t = recommend(held(42), plan('documented'), { paths: 40 }).triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('programmatic');
    expect(t.reason).toContain('held at it on 28');
    expect(t.reason).toContain('demand was at least 42 in 24 h');
  });

  it('is moved to programmatic with a limit override under the platform profile', () => {
    const rec = recommend(held(42), plan('platform'), { paths: 40 });
    const t = rec.triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('programmatic');
    // the support request says the history understates the demand
    const draft = supportRequests(rec, 'Acme').find((r) => r.triggerId === 't_pr')!;
    expect(draft.body).toContain('held at 42 on 28, counted as the limit counts, in a sliding 24 hours (which can span two calendar days): runs refused at the limit are not in our usage exports');
    expect(t.requestedLimit).toBeGreaterThan(42);
    expect(t.reason).toContain('held at it on 28: the exports hold only the runs the platform admitted');
  });

  it("is moved under the platform profile when the platform's sliding limit held it (no 24 h above 42)", () => {
    const events = slidingHeld(55);
    const rec = recommend(events, plan('platform'), { paths: 40 });
    const t = rec.triggers.find((x) => x.id === 't_pr')!;
    expect(runsPer24h(events, 't_pr', Date.UTC(2026, 9, 1)).max).toBe(42);
    expect(t.action).toBe('programmatic');
    expect(t.requestedLimit).toBeGreaterThan(42);
    expect(t.reason).toMatch(/held at it on \d+: /);
  });

  it('leaves a trigger below its limit alone', () => {
    const t = recommend(held(41), plan('documented'), { paths: 40 }).triggers.find((x) => x.id === 't_pr')!;
    expect(t.action).toBe('none');
  });
});
