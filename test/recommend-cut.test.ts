/**
 * A history the platform's own limits already cut (SPEC section 9 rule 6): the exports hold only
 * what the platform admitted, so a key at its cap shows spend that stops mid-window and comes back
 * a day at a time as the re-based window frees it. When it works again follows the plan's profile.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

/** Mon 2026-01-05 */
const T0 = Date.UTC(2026, 0, 5);
const iso = (d: number) => new Date(T0 + d * DAY).toISOString().slice(0, 10);

/**
 * $10 a day at 12:00 against a $100 cap: days 0-9 fill it; the platform refused days 10-29 (not
 * in the export); from day 30 each day's $10 is freed at 00:00 UTC and spent again at 12:00.
 */
function cutHistory(offsetMs = 0) {
  const b = new EventColumnsBuilder();
  for (const d of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 30, 31, 32, 33, 34]) b.push(T0 + d * DAY + 12 * HOUR + offsetMs, EventType.api, 'k', 10_000_000);
  return b.build();
}

describe('a key the platform held at its cap: when it works again', () => {
  // At the end of day 34 the cap window holds days 5-9 and 30-34: $100, the cap.
  it('platform: day 5 frees at 00:00 UTC on day 35, and the key works again then', () => {
    const plan = validatePlan({ apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 100 }], workspace: { spendLimits: [] }, enforcement: { profile: 'platform' } });
    const [r] = recommend(cutHistory(), plan).recovery;
    expect(r).toMatchObject({ id: 'k', rollingSpendUsd: 100, usableAgain: `${iso(35)}T00:00:00.000Z` });
    expect(r!.schedule).toEqual([{ date: iso(35), freesUsd: 10, rollingAfterUsd: 90 }]);
    expect(r!.summary).toBe(
      `Pipeline has spent $100 (admitted by the engine) of its $100 cap in its cap window (the history's last UTC day and the 29 before: the platform's code re-bases caps per UTC day): $10 frees up at 00:00 UTC on ${iso(35)}; it works again at ${iso(35)} 00:00 UTC`,
    );
  });

  it('documented: the rolling window frees day 5 at 12:00, 30 days after it was spent', () => {
    const plan = validatePlan({ apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 100 }], workspace: { spendLimits: [] } });
    const [r] = recommend(cutHistory(), plan).recovery;
    expect(r).toMatchObject({ rollingSpendUsd: 100, usableAgain: `${iso(35)}T12:00:00.000Z` });
    expect(r!.summary).toContain(`in the last 30 days: $10 frees up on ${iso(35)}; it works again at ${iso(35)} 12:00 UTC`);
    // spent at 12:00:17, it is refused until 12:00:17: said with its seconds, never cut to 12:00
    const [late] = recommend(cutHistory(17_000), plan).recovery;
    expect(late).toMatchObject({ usableAgain: `${iso(35)}T12:00:17.000Z` });
    expect(late!.summary).toContain(`it works again at ${iso(35)} 12:00:17 UTC`);
  });

  it('sizes no cap past 10 × what the key ever spent in 30 days or its cap, and says why (issue: the forecast ran to $21 billion and crashed)', () => {
    for (const profile of ['documented', 'platform'] as const) {
      const plan = validatePlan({ apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 100 }], workspace: { spendLimits: [] }, enforcement: { profile } });
      const k = recommend(cutHistory(), plan).keys[0]!;
      expect(k.recommendedCapUsd).toBeLessThanOrEqual(1000);
      for (const t of k.tradeoff) expect(t.capUsd).toBeLessThanOrEqual(1000);
      if (k.reason.includes('run far past')) {
        expect(k.recommendedCapUsd).toBe(1000);
        expect(k.reason).toContain('cannot show demand beyond a cap, so raise it in steps and watch');
      }
    }
  });

  it('judges a spend limit on the history alone when the forecast runs away from it', () => {
    // $10 a day against a $50 daily limit: the history fits it every day
    const plan = validatePlan({ apiKeys: [{ id: 'k', name: 'Pipeline', capUsd: 100 }], workspace: { spendLimits: [{ id: 'd', amountUsd: 50, window: 'utc-day' }] }, enforcement: { profile: 'platform' } });
    const [d] = recommend(cutHistory(), plan).spendLimits;
    expect(d!.ordinary.p99).toBe(10);
    if (d!.projectedPeak.p90 > 10 * 50) {
      expect(d!.reason).toContain('so the limit is judged on the history alone');
      expect(d).toMatchObject({ action: 'keep', recommendedAmountUsd: 50 });
    }
  });
});
