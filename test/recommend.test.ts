import { describe, expect, it } from 'vitest';
import { recommend, roundCapUsd, roundCount, rolling30 } from '../src/recommend/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { InputError } from '../src/errors.ts';
import { synthHistory, T0 } from './forecast-helpers.ts';

const basePlan = validatePlan({
  workspace: { name: 'Acme', seats: 10, messagesPerSeatPerDay: 100 },
  apiKeys: [
    { id: 'k_big', name: 'Big', capUsd: 100 },
    { id: 'k_keep', capUsd: 390 },
  ],
  triggers: [
    { id: 't_pr', kind: 'webhook' },
    { id: 't_peaky', kind: 'webhook' },
    { id: 't_cron', kind: 'scheduled' },
    { id: 't_quiet', kind: 'webhook' },
  ],
});

function handMade() {
  return synthHistory(
    60,
    [
      { type: 'api', subject: 'k_big', daily: () => 10_000_000, costPerRequest: 100_000 },
      { type: 'api', subject: 'k_small', daily: () => 1_000_000, costPerRequest: 50_000 },
      { type: 'api', subject: 'k_keep', daily: () => 10_000_000, costPerRequest: 100_000 },
      // $1 a day rising by $0.10 a day: the last 30 days hold $163.50, the next 30 will hold $253.50
      { type: 'api', subject: 'k_rise', daily: (d) => 1_000_000 + 100_000 * d, costPerRequest: 100_000 },
      { type: 'trigger', subject: 't_pr', daily: () => 60 },
      { type: 'trigger', subject: 't_peaky', daily: (d) => (d === 50 || d === 55 ? 50 : 30) },
      { type: 'trigger', subject: 't_cron', daily: () => 48, hours: [0, 24] },
      { type: 'trigger', subject: 't_quiet', daily: () => 10 },
      { type: 'message', subject: 'u1', daily: () => 200 },
    ],
    3,
    false,
  );
}

describe('rounding', () => {
  it('rounds caps up to $5/$10/$25/$50/$100 steps by size', () => {
    expect(roundCapUsd(1_000_000)).toBe(5);
    expect(roundCapUsd(37_500_000)).toBe(40);
    expect(roundCapUsd(87_000_000)).toBe(90);
    expect(roundCapUsd(180_000_000)).toBe(200);
    expect(roundCapUsd(375_000_000)).toBe(400);
    expect(roundCapUsd(1_234_000_000)).toBe(1300);
    expect(roundCapUsd(500_000_000)).toBe(500);
    expect(roundCount(42)).toBe(50);
    expect(roundCount(16.8)).toBe(20);
    expect(roundCount(57.6)).toBe(60);
    expect(roundCount(1200)).toBe(1500);
  });

  it('rolling 30-day sums, extrapolated under 30 days', () => {
    expect(rolling30(new Array(31).fill(2)).sums).toEqual([60, 60]);
    const short = rolling30(new Array(15).fill(2));
    expect(short).toEqual({ sums: [60], daysObserved: 15, extrapolated: true });
  });
});

describe('recommend on hand-made histories', () => {
  const report = recommend(handMade(), basePlan);

  it('caps each key at the smallest round cap its ordinary use reaches in at most 5 % of the paths', () => {
    const big = report.keys.find((k) => k.id === 'k_big')!;
    expect(big.rolling30).toMatchObject({ p50: 300, p90: 300, p99: 300, daysObserved: 60, windows: 31 });
    // exactly $300 every 30 days: a $300 cap is reached (spent >= cap blocks), the next round cap is $350
    expect(big.recommendedCapUsd).toBe(350);
    expect(big.action).toBe('raise');
    expect(big.throttleChance).toBe(0);
    expect(big.currentThrottleChance).toBe(1);
    expect(big.risk).toBe(0.05);
    expect(big.reason).toMatch(/smallest round cap that ordinary use reaches in at most 5 %.*\$350, reached in 0 %/);
    const small = report.keys.find((k) => k.id === 'k_small')!;
    expect(small.recommendedCapUsd).toBe(35);
    expect(small.action).toBe('set');
    const keep = report.keys.find((k) => k.id === 'k_keep')!;
    expect(keep).toMatchObject({ action: 'keep', recommendedCapUsd: 390, currentThrottleChance: 0 });
  });

  it('sizes the cap of a key whose spend is rising for the coming month, not the past one', () => {
    const rise = report.keys.find((k) => k.id === 'k_rise')!;
    expect(rise.rolling30.max).toBeCloseTo(163.5, 6);
    expect(rise.rolling30.p99).toBeCloseTo(162.6, 6);
    expect(Math.abs(rise.projectedPeak.p50 - 253.5)).toBeLessThan(2);
    // $253.50 in the next 30 days: the next round cap above it
    expect(rise.recommendedCapUsd).toBe(300);
    expect(rise.throttleChance).toBe(0);
    expect(rise.model).toBe('trend');
    expect(rise.reason).toMatch(/linear trend/);
  });

  it('moves consistent webhooks to programmatic, asks overrides for peaks, keeps scheduled on fair use', () => {
    const by = Object.fromEntries(report.triggers.map((t) => [t.id, t]));
    expect(by.t_pr.action).toBe('programmatic');
    expect(by.t_pr.daily.daysAboveLimit).toBe(28);
    expect(by.t_pr.expectedDailyVolume).toBe(60);
    expect(by.t_peaky.action).toBe('override');
    expect(by.t_peaky.requestedLimit).toBe(60);
    expect(by.t_cron.action).toBe('cannot_move');
    expect(by.t_cron.requestedLimit).toBe(75);
    expect(by.t_cron.alternatives.join(' ')).toMatch(/at most 42 times a day/);
    expect(by.t_quiet.action).toBe('none');
  });

  it('writes the recommendations into a valid plan', () => {
    const p = validatePlan(report.plan);
    expect(p.apiKeys).toEqual([
      { id: 'k_big', name: 'Big', capUsd: 350 },
      { id: 'k_keep', capUsd: 390 },
      { id: 'k_small', capUsd: 35 },
      { id: 'k_rise', capUsd: 300 },
    ]);
    // with the run limit override it asks for: the platform's code keeps 42 in programmatic mode too
    const pr = report.triggers.find((t) => t.id === 't_pr')!;
    expect(pr.requestedLimit).toBeGreaterThan(42);
    expect(p.triggers.find((t) => t.id === 't_pr')).toMatchObject({ mode: 'programmatic', limitPer24h: pr.requestedLimit });
    expect(p.triggers.find((t) => t.id === 't_cron')).toMatchObject({ mode: 'fair_use', limitPer24h: 75 });
  });
});

describe('seats and recovery', () => {
  it('finds the seats at which fair-use triggers stop queueing', () => {
    // 600 runs and 240 messages per 24 h, evenly: the pool needs ceil(0.5 * s * 100) >= 600
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 20; d++) {
      for (let h = 0; h < 24; h++) {
        for (let i = 0; i < 25; i++) b.push(T0 + d * DAY + h * HOUR + i * 1000, EventType.trigger, 't_big', 0);
        for (let i = 0; i < 10; i++) b.push(T0 + d * DAY + h * HOUR + i * 1000, EventType.message, 'u', 0);
      }
    }
    const plan = validatePlan({ workspace: { seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't_big', limitPer24h: -1 }] });
    const r = recommend(b.build(), plan);
    expect(r.seats.peakFairUseRuns24h).toBe(600);
    expect(r.seats.peakMessages24h).toBe(240);
    expect(r.seats.seatsNeeded).toBe(12);
  });

  it('gives the recovery schedule of a key at its cap', () => {
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 20; d++) b.push(T0 + d * DAY + 12 * HOUR, EventType.api, 'k', 5_000_000);
    const plan = validatePlan({ apiKeys: [{ id: 'k', capUsd: 100 }] });
    const r = recommend(b.build(), plan);
    expect(r.recovery).toHaveLength(1);
    expect(r.recovery[0].rollingSpendUsd).toBe(100);
    expect(r.recovery[0].usableAgain).toBe(new Date(T0 + 30 * DAY + 12 * HOUR).toISOString());
    expect(r.recovery[0].schedule).toEqual([{ date: '2026-02-04', freesUsd: 5, rollingAfterUsd: 95 }]);
    expect(r.recovery[0].summary).toMatch(/\$5 frees up on 2026-02-04/);
  });

  it('refuses an empty or short history instead of inventing numbers', () => {
    expect(() => recommend(new EventColumnsBuilder().build(), basePlan)).toThrow(/no events/);
    const short = synthHistory(10, [{ type: 'api', subject: 'k', daily: () => 1_000_000 }]);
    expect(() => recommend(short, basePlan)).toThrow(InputError);
    expect(() => recommend(short, basePlan)).toThrow(/only 10 days/);
  });
});

describe('--risk', () => {
  it('takes a share above 0 and below 100 % and refuses anything else by name', async () => {
    const { parseRisk } = await import('../src/cli/commands/recommend.ts');
    expect(parseRisk('10%')).toBeCloseTo(0.1, 12);
    expect(parseRisk('0.02')).toBeCloseTo(0.02, 12);
    for (const bad of ['0%', '100%', '-5%', 'often']) expect(() => parseRisk(bad)).toThrow(InputError);
    expect(() => parseRisk('0%')).toThrow(/--risk must be above 0 and below 100 %/);
  });
});
