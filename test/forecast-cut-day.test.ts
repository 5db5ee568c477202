import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventTypeCode } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildHistory, shareAfter } from '../src/forecast/series.ts';
import { forecast } from '../src/forecast/index.ts';
import { synthHistory, T0 } from './forecast-helpers.ts';

/**
 * 30 whole days (a key spending $5 a day over 08:00–18:00, 200 messages a day round the clock),
 * then an export taken at noon on day 30: the key had already spent $8 that morning.
 */
function cutHistory() {
  const whole = synthHistory(
    30,
    [
      { type: 'api', subject: 'k', daily: () => 5_000_000, costPerRequest: 100_000 },
      { type: 'message', subject: 'u', daily: () => 200, hours: [0, 24] },
    ],
    3,
  );
  const b = new EventColumnsBuilder();
  for (let i = 0; i < whole.count; i++) b.push(whole.time[i], whole.type[i] as EventTypeCode, whole.subjects[whole.subject[i]], whole.cost[i]);
  const cutDay = T0 + 30 * DAY;
  for (let i = 0; i < 80; i++) b.push(cutDay + 8 * HOUR + Math.floor((i / 80) * 4 * HOUR), EventType.api, 'k', 100_000);
  for (let i = 0; i < 100; i++) b.push(cutDay + Math.floor((i / 100) * 12 * HOUR), EventType.message, 'u', 0);
  return b.build();
}

describe('an export cut part-way through its last day', () => {
  it('keeps the cut day’s known part per series and the share of the day still to come', () => {
    const h = buildHistory(cutHistory());
    expect(h.partialDay).toBe('2026-02-04');
    expect(h.days).toBe(30);
    const key = h.keys.find((k) => k.id === 'k');
    expect(key?.partial?.value).toBe(8_000_000);
    expect(key?.partial?.events).toBe(80);
    // the key's day runs 08:00–18:00: the cut just before noon leaves about 6 of its 10 hours
    expect(key?.partial?.rest).toBeGreaterThan(0.55);
    expect(key?.partial?.rest).toBeLessThan(0.65);
    expect(h.messages.partial?.value).toBe(100);
    // a history of whole days holds no cut part
    const whole = buildHistory(synthHistory(20, [{ type: 'message', subject: 'u', daily: () => 200, hours: [0, 24] }]));
    expect(whole.cutAt).toBeNull();
    expect(whole.messages.partial).toBeNull();
  });

  it('forecasts that day as its known part plus the rest of the day, never below what was already spent', async () => {
    const r = await forecast(cutHistory(), validatePlan({}), { days: 7, paths: 0, workers: 0, simulate });
    const key = r.series.find((s) => s.id === 'k');
    if (!key) throw new Error('no forecast for k');
    expect(r.horizon.from).toBe('2026-02-04');
    const [first, second] = key.days;
    // $8 known by noon and about 60 % of a $5 day still to come: about $11, and at least $8
    expect(first.p10).toBeGreaterThanOrEqual(8_000_000);
    expect(first.point).toBeGreaterThan(10_000_000);
    expect(first.point).toBeLessThan(12_500_000);
    // the next day is a whole day again
    expect(second.p50).toBeGreaterThan(4_000_000);
    expect(second.p50).toBeLessThan(6_000_000);
    const messages = r.series.find((s) => s.kind === 'messages');
    expect(messages?.days[0].p10).toBeGreaterThanOrEqual(100);
    expect(r.notes.join(' ')).toMatch(/known part is kept and only the rest of the day forecast/);
  });

  it('runs the Monte Carlo on the same day values', async () => {
    const plan = validatePlan({ apiKeys: [{ id: 'k', capUsd: 1000 }] });
    const r = await forecast(cutHistory(), plan, { days: 7, paths: 8, workers: 0, simulate });
    expect(r.monteCarlo).not.toBeNull();
    expect(r.series.find((s) => s.id === 'k')?.days[0].p10).toBeGreaterThanOrEqual(8_000_000);
  });
});

describe('share of a day after a time', () => {
  it('counts the hour the cut falls in by the part of it left', () => {
    const profile = new Array<number>(24).fill(0);
    profile[10] = 0.5;
    profile[14] = 0.5;
    expect(shareAfter(profile, T0 + 10 * HOUR + 30 * 60_000)).toBeCloseTo(0.75, 9);
    expect(shareAfter(profile, T0 + 15 * HOUR)).toBe(0);
    expect(shareAfter(profile, T0)).toBeCloseTo(1, 9);
  });
});
