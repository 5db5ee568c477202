/**
 * Figures an admin pastes into a support request or reads as a verdict must not contradict each
 * other: a trigger the platform held at 42 in a sliding 24 h shows at most 41 in any calendar day,
 * so the draft says which count is which; and a backtest where the model and the baseline err the
 * same (0.0 % each on a perfectly regular history) is a tie, not "does NOT beat the baseline".
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend/index.ts';
import { buildExport, supportRequests } from '../src/export/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventTypeCode } from '../src/engine/events.ts';
import { DAY, HOUR } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 2, 1);

/**
 * The reviewer's cut case: a webhook wanted every 24 minutes (60 a day), as the platform's sliding
 * limit of 42 per 24 h admits it (an entry counts through exactly 24 h, SPEC section 9 rule 1): the
 * export then holds 41 or 42 runs in each calendar day. Five people send 10 messages a day.
 */
function heldSliding() {
  const admitted: number[] = [];
  for (let t = T0 + 5000; t < T0 + 60 * DAY; t += 24 * 60_000) {
    let inWindow = 0;
    for (let i = admitted.length - 1; i >= 0 && admitted[i]! >= t - DAY; i--) inWindow++;
    if (inWindow < 42) admitted.push(t);
  }
  const events: [number, EventTypeCode, string, number][] = admitted.map((t) => [t, EventType.trigger, 't1', 0]);
  for (let d = 0; d < 60; d++) {
    for (let u = 0; u < 5; u++) for (let m = 0; m < 10; m++) events.push([T0 + d * DAY + (9 + m) * HOUR + u * 60_000 + 9000, EventType.message, `u${u}`, 0]);
    events.push([T0 + d * DAY + 12 * HOUR + 17_000, EventType.api, 'k', 1_000_000]);
  }
  events.sort((a, b) => a[0] - b[0]);
  const b = new EventColumnsBuilder();
  for (const [t, type, subject, cost] of events) b.push(t, type, subject, cost);
  return b.build();
}

describe('wording the admin reads', () => {
  const plan = validatePlan({
    workspace: { name: 'Cut', seats: 5, messagesPerSeatPerDay: 100, spendLimits: [] },
    apiKeys: [{ id: 'k', capUsd: 100 }],
    triggers: [{ id: 't1', name: 'T1', kind: 'webhook', mode: 'fair_use', limitPer24h: null }],
    enforcement: { profile: 'platform' },
  });
  const events = heldSliding();

  it('the support draft says the day figures count calendar days and the limit a sliding 24 h', () => {
    const rec = recommend(events, plan, { paths: 20 });
    const t = rec.triggers.find((x) => x.id === 't1')!;
    expect(t.daily.max).toBeLessThan(42);
    expect(t.daily.daysAtLimit).toBeGreaterThan(0);
    const body = supportRequests(rec, 'Cut').find((r) => r.triggerId === 't1')!.body;
    expect(body).toContain(`counted per calendar day (UTC): median`);
    expect(body).toContain(`highest ${t.daily.max} runs a day`);
    expect(body).toContain(`held at 42 on ${t.daily.daysAtLimit}, counted as the limit counts, in a sliding 24 hours (which can span two calendar days)`);
  });

  it('a backtest where both score the same reads as a tie', async () => {
    // every series the same each day: the model and the same-weekday baseline both err 0 %
    const b = new EventColumnsBuilder();
    for (let d = 0; d < 40; d++) {
      b.push(T0 + d * DAY + 12 * HOUR, EventType.api, 'k', 1_000_000);
      for (let m = 0; m < 5; m++) b.push(T0 + d * DAY + (9 + m) * HOUR, EventType.message, 'u0', 0);
    }
    const regular = b.build();
    const p = validatePlan({ workspace: { spendLimits: [] }, apiKeys: [{ id: 'k', capUsd: 100 }] });
    const fc = await forecast(regular, p, { paths: 4, workers: 0 });
    expect(fc.backtest.overall).toMatchObject({ verdict: 'equal', beatsNaive: false });
    expect(fc.backtest.overall!.model.wape).toBe(0);
    expect(fc.notes.join('\n')).not.toContain('treat the trend with caution');
    expect(describeForecast(fc)).toContain('ties with (the same error as) the baseline overall');
    const report = buildExport(recommend(regular, p, { paths: 20 }), fc).find((f) => f.path === 'report.md')!.content;
    expect(report).toContain('Overall the model ties with the baseline (the same error)');
    expect(report).not.toContain('does NOT beat');
  });
});
