import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { simulate } from '../src/engine/simulate.ts';
import { reasonName } from '../src/engine/result.ts';
import { T0 } from './forecast-helpers.ts';

/** $3 a day in $0.50 requests for 60 days; a runaway script requests $4,500 on day 50. */
function runaway() {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 60; d++) {
    for (let i = 0; i < 6; i++) b.push(T0 + d * DAY + (9 + i) * HOUR, EventType.api, 'k_pipe', 500_000);
    if (d === 50) for (let i = 0; i < 4500; i++) b.push(T0 + d * DAY + 16 * HOUR + i * 1000, EventType.api, 'k_pipe', 1_000_000);
  }
  return b.build();
}

describe('QA F3: a runaway day is an incident, not ordinary use', () => {
  const plan = validatePlan({ apiKeys: [{ id: 'k_pipe', capUsd: 240 }], workspace: { spendLimits: [] } });
  const r = recommend(runaway(), plan);
  const k = r.keys[0];

  it('does not raise the cap that stopped it', () => {
    expect(k.recommendedCapUsd).toBeLessThanOrEqual(240);
    expect(k.action).not.toBe('raise');
    // ordinary: $90 per 30 days (+ the runaway day counted at the $4.50 ceiling)
    expect(k.rolling30.p99).toBeLessThan(100);
    expect(k.throttleChance).toBeLessThanOrEqual(0.1);
  });

  it('names the incident and what the current cap blocked of it', () => {
    expect(k.incidents).toHaveLength(1);
    expect(k.incidents[0].date).toBe(new Date(T0 + 50 * DAY).toISOString().slice(0, 10));
    expect(k.incidents[0].requestedUsd).toBeCloseTo(4503, 6);
    expect(k.incidents[0].blockedByCapUsd).toBeGreaterThan(4000);
    expect(k.reason).toMatch(/runaway day left out of ordinary use as incident.*\$4,503 requested on .*the current cap blocked/);
  });
});

describe('QA F4: workspace spend limits', () => {
  // two keys, $20 a day each: $40 a day of ordinary workspace spend
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 40; d++) {
    for (let i = 0; i < 20; i++) {
      b.push(T0 + d * DAY + (8 + i / 2) * HOUR, EventType.api, 'k_a', 1_000_000);
      b.push(T0 + d * DAY + (8 + i / 2) * HOUR + 1, EventType.api, 'k_b', 1_000_000);
    }
  }
  const events = b.build();

  it('advises raising a limit the recommended plan runs into, with numbers the engine agrees with', () => {
    const plan = validatePlan({ workspace: { spendLimits: [{ id: 'daily', amountUsd: 30, window: 'utc-day' }, { id: 'month', amountUsd: 5000, window: 'calendar-month' }] } });
    const r = recommend(events, plan);
    const daily = r.spendLimits.find((l) => l.id === 'daily')!;
    const sim = simulate(r.plan, events);
    const blockedByEngine = Array.from(sim.reason).filter((c) => reasonName(sim.plan, c) === 'spend_limit:daily').length;
    expect(blockedByEngine).toBe(400);
    expect(daily).toMatchObject({ action: 'raise', blockedRequests: 400, blockedRuns: 0, daysWithBlocks: 40, recommendedAmountUsd: 50 });
    expect(daily.ordinary.p99).toBeCloseTo(40, 6);
    expect(daily.reason).toMatch(/blocks 400 requests .* raise it to \$50/);
    expect(r.notes.join('\n')).toMatch(/spend limit daily/);
    expect(r.spendLimits.find((l) => l.id === 'month')).toMatchObject({ action: 'keep', blockedRequests: 0, recommendedAmountUsd: 5000 });
    // limits are a budget decision: the recommended plan keeps them
    expect(r.plan.workspace.spendLimits[0].amountUsd).toBe(30);
  });
});

describe('QA F8: recovery comes from admitted spend', () => {
  // k_cap: $10 a day on days 0..19 against a $100 cap: days 10..19 are blocked, then it goes quiet.
  // Over the last 30 days (to day 34) it was ADMITTED $50 (days 5..9) though $150 was requested.
  const b = new EventColumnsBuilder();
  for (let d = 0; d < 35; d++) {
    if (d < 20) b.push(T0 + d * DAY + 12 * HOUR, EventType.api, 'k_cap', 10_000_000);
    b.push(T0 + d * DAY + 13 * HOUR, EventType.api, 'k_other', 1_000_000);
  }
  const events = b.build();
  const plan = validatePlan({ apiKeys: [{ id: 'k_cap', capUsd: 100 }] });

  it('does not call a usable key blocked', () => {
    expect(recommend(events, plan).recovery).toEqual([]);
  });

  it('schedules a key the engine has at its cap at the end, ending when the engine says', () => {
    const b2 = new EventColumnsBuilder();
    for (let d = 0; d < 25; d++) b2.push(T0 + d * DAY + 12 * HOUR, EventType.api, 'k_cap', 10_000_000);
    const ev = b2.build();
    const r = recommend(ev, plan);
    expect(r.recovery).toHaveLength(1);
    expect(r.recovery[0].rollingSpendUsd).toBe(100);
    const sim = simulate(plan, ev);
    const ep = sim.keyStats[0].episodes.at(-1)!;
    expect(r.recovery[0].usableAgain).toBe(new Date(ep.until).toISOString());
    expect(r.recovery[0].summary).toMatch(/\$100 \(admitted by the engine\) of its \$100 cap/);
  });
});

describe('issue 17: caps sized by a stated risk, runaways as incidents', () => {
  const plan = validatePlan({ apiKeys: [{ id: 'k_pipe', capUsd: 240 }], workspace: { spendLimits: [] } });

  it('shows what the cap stops of the runaway spend against what it blocks of ordinary use', () => {
    const k = recommend(runaway(), plan).keys[0];
    expect(k.runawayRate).toBeGreaterThan(1 / 61);
    expect(k.runawayRate).toBeLessThan(1 / 58);
    // one $4,500 incident in 60 days: about half a month's worth of it in the next 30 days, most stopped
    expect(k.runawayStoppedUsd).toBeGreaterThan(1000);
    expect(k.ordinaryBlockedUsd).toBeLessThan(20);
    const current = k.tradeoff.find((t) => t.label === 'current')!;
    expect(current.capUsd).toBe(240);
    // a tighter risk never means a smaller cap
    const byRisk = ['1 % risk', '5 % risk', '10 % risk', '25 % risk'].map((l) => k.tradeoff.find((t) => t.label === l)!);
    for (let i = 1; i < byRisk.length; i++) expect(byRisk[i].capUsd).toBeLessThanOrEqual(byRisk[i - 1].capUsd);
    for (const t of byRisk) expect(t.cappedOutChance).toBeLessThanOrEqual(Number(t.label.split(' ')[0]) / 100);
    // a $50 cap against ~$90 a month of ordinary use blocks ordinary use too
    const tight = recommend(runaway(), validatePlan({ apiKeys: [{ id: 'k_pipe', capUsd: 50 }], workspace: { spendLimits: [] } })).keys[0];
    const now = tight.tradeoff.find((t) => t.label === 'current')!;
    expect(now.cappedOutChance).toBe(1);
    expect(now.ordinaryBlockedUsd).toBeGreaterThan(20);
    expect(now.runawayStoppedUsd).toBeGreaterThan(1000);
  });

  it('moves the cap with the admin’s risk and never states a chance above it', () => {
    // noisy ordinary spend: ~$6 a day
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 60; d++) {
      const n = 8 + ((d * 7919) % 9);
      for (let i = 0; i < n; i++) b.push(T0 + d * DAY + (8 + i / 2) * HOUR, EventType.api, 'k_noisy', 600_000);
    }
    const events = b.build();
    const noCap = validatePlan({ workspace: { spendLimits: [] } });
    const strict = recommend(events, noCap, { risk: 0.01 }).keys[0];
    const loose = recommend(events, noCap, { risk: 0.25 }).keys[0];
    expect(strict.throttleChance).toBeLessThanOrEqual(0.01);
    expect(loose.throttleChance).toBeLessThanOrEqual(0.25);
    expect(loose.recommendedCapUsd).toBeLessThan(strict.recommendedCapUsd);
    expect(strict.reason).toMatch(/at most 1 % of 200 forecast paths/);
    expect(() => recommend(events, noCap, { risk: 0 })).toThrow(/--risk/);
  });
});
