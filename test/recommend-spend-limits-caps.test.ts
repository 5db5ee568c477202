/**
 * A workspace spend limit is advised on the spend that passes the recommended key caps, in the
 * history and in every forecast path, daily and monthly alike: the forecast's runaway draws are
 * what the caps stop, not a budget to raise the limit for (the demo's monthly limit was advised at
 * $19,500 from "forecast demand (before caps)" while its caps add up to about $2,235 a month).
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { generateWorkspace } from '../src/demo/generator.ts';

describe('spend limit advice and the recommended key caps', () => {
  it('does not raise a monthly limit for forecast spend the recommended cap refuses', () => {
    // $10 a day on one key, and two runaway days of $1,000 (a looping script)
    const T0 = Date.UTC(2026, 0, 5);
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 60; d++) {
      for (let i = 0; i < 10; i++) b.push(T0 + d * DAY + (8 + i) * HOUR, EventType.api, 'k', 1_000_000);
      if (d === 20 || d === 45) for (let i = 0; i < 200; i++) b.push(T0 + d * DAY + 20 * HOUR + i * 1000, EventType.api, 'k', 5_000_000);
    }
    const plan = validatePlan({ workspace: { spendLimits: [{ id: 'day', amountUsd: 100, window: 'utc-day' }, { id: 'month', amountUsd: 600, window: 'calendar-month' }] }, apiKeys: [{ id: 'k', capUsd: null }] });
    const r = recommend(b.build(), plan);
    const cap = r.keys[0]!.recommendedCapUsd;
    expect(cap).toBeLessThan(600);
    const [day, month] = r.spendLimits;
    expect(month).toMatchObject({ id: 'month', action: 'keep', recommendedAmountUsd: 600 });
    // a 31-day window holds at most the cap plus the day that frees as it slides
    expect(month!.projectedPeak.p90).toBeLessThanOrEqual(cap + 30);
    // the daily limit is judged on the same basis, not on the history alone
    expect(day!.projectedPeak.p90).toBeLessThanOrEqual(100);
    for (const l of [day!, month!]) {
      expect(l.reason).toContain('the forecast spend that passes the recommended key caps (each key held to its cap over 30 days)');
      expect(l.reason).toContain('keys within their recommended caps');
      expect(l.reason).not.toContain('before caps');
      expect(l.reason).not.toContain('judged on the history alone');
    }
  });

  it("the demo: its $2,200 monthly and $380 daily limits fit the spend its recommended caps let through", () => {
    const demo = generateWorkspace();
    const r = recommend(demo.events, demo.plan);
    const caps = r.keys.reduce((a, k) => a + k.recommendedCapUsd, 0);
    const month = r.spendLimits.find((l) => l.window === 'calendar-month')!;
    const day = r.spendLimits.find((l) => l.window === 'utc-day')!;
    expect(month).toMatchObject({ action: 'keep', recommendedAmountUsd: month.amountUsd });
    expect(day).toMatchObject({ action: 'keep', recommendedAmountUsd: day.amountUsd });
    // programmatic runs come on top of the caps: the busiest month stays near what the caps allow, nowhere near 9 ×
    expect(month.projectedPeak.p90).toBeLessThan(1.25 * caps);
    for (const l of [day, month]) expect(l.reason).not.toContain('judged on the history alone');
    expect(r.notes.join('\n')).not.toMatch(/spend limit monthly/);
  });
});
