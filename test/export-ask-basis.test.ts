/**
 * What the advice and the support drafts say about the figures they give: the limit asked for
 * with what sized it (a draft gave "about 41 runs a day" and asked 75 without saying 75 was the
 * 24 h windows' p95 of 51 + 25 %), the ask raised to the smallest round limit above the current
 * one said as such, "per 24 hours" in the Subject as in the body, `--json` figures without float
 * noise, and the span each day count in the report covers.
 */
import { describe, expect, it } from 'vitest';
import { nightBursts } from './support/trigger-histories.ts';
import { recommend } from '../src/recommend/index.ts';
import { limitRequest } from '../src/recommend/triggers-platform.ts';
import { supportRequests } from '../src/export/index.ts';
import { recommendJson } from '../src/cli/commands/recommend.ts';
import { forecast } from '../src/forecast/index.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 9, 1);


describe('the limit asked of support and its basis', () => {
  for (const profile of ['documented', 'platform'] as const) {
    it(`${profile}: the draft says what sized the limit beside a smaller expected daily volume, per 24 hours in the Subject`, () => {
      const plan = validatePlan({ workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't6', name: 'Night', kind: 'webhook', mode: 'fair_use', limitPer24h: null }], enforcement: { profile } });
      const r = recommend(nightBursts(), plan, { paths: 20 });
      const t = r.triggers.find((x) => x.id === 't6')!;
      expect(t.requestedLimit).toBe(100);
      expect(t.expectedDailyVolume).toBeLessThan(50);
      const draft = supportRequests(r, 'A').find((x) => x.triggerId === 't6')!;
      // the busy days the limit must hold first, then the average day beside it
      expect(draft.body).toContain(`About ${t.busyDayVolume} runs a day on our busy days (`);
      expect(draft.body).toContain(`Averaged over the 30 days, about ${t.expectedDailyVolume} runs a day (90th percentile of our forecast)`);
      expect(draft.body).toContain('Sized on the 95th percentile of our runs in any 24 hours over the last 28 days, 76, + 25 % headroom, rounded up.');
      expect(draft.subject).toBe('Raise the execution limit to 100 per 24 hours for trigger "Night"');
      expect(draft.body).not.toMatch(/per day for trigger/);
    });
  }

  it('an ask the current limit decided says so, not the p95 it did not come from', () => {
    const r = limitRequest({ p95: 50 }, 40, null, 50, 0);
    expect(r.wanted).toBe(60);
    expect(r.ask).toBe('a limit of 60 runs per 24 h (the smallest round limit above the current 50: p95 50 + 0 % headroom, rounded up, is 50, not above it)');
    expect(r.basis).toContain('the smallest round limit above the current 50');
    // the headroom decides: its words as before
    expect(limitRequest({ p95: 60 }, 40, null, 42, 0.25)).toMatchObject({ wanted: 75, ask: 'a limit of 75 runs per 24 h (p95 60 + 25 % headroom, rounded up)' });
  });
});

describe('figures as they are printed', () => {
  it('--json writes a percentile between whole counts without float noise', () => {
    const b = new EventColumnsBuilder();
    const held = new Set([1, 3, 12, 19, 26]);
    for (let d = 0; d < 35; d++) for (let k = 0; k < (held.has(d) ? 42 : 20); k++) b.push(T0 + d * DAY + 6 * HOUR + k * 13 * MINUTE, EventType.trigger, 't2', 100_000);
    const r = recommend(b.build(), validatePlan({ triggers: [{ id: 't2', kind: 'webhook', mode: 'programmatic', limitPer24h: null }] }), { paths: 20 });
    const t = r.triggers.find((x) => x.id === 't2')!;
    expect(t.daily.p90).not.toBe(26.6);
    expect(Math.abs(t.daily.p90 - 26.6)).toBeLessThan(1e-9);
    const json = recommendJson(r);
    expect(json).toContain('"p90": 26.6,');
    expect(json).not.toMatch(/\d\.\d*0000000000\d/);
    expect(JSON.parse(json).triggers[0].daily.p90).toBe(26.6);
  });

  it("the report's censored days name their span, the whole history, beside the trigger advice's last 28 days", async () => {
    const b = new EventColumnsBuilder();
    const heldDays = new Set([5, 12, 19, 26]);
    for (let d = 0; d < 35; d++) {
      const n = heldDays.has(d) ? 10 : 6;
      for (let k = 0; k < n; k++) b.push(T0 + d * DAY + 8 * HOUR + k * Math.floor((10 * HOUR) / n), EventType.trigger, 't1', 0);
      b.push(T0 + d * DAY + 12 * HOUR, EventType.message, 'u1', 0);
    }
    const events = b.build();
    const plan = validatePlan({ workspace: { name: 'A', seats: 10, messagesPerSeatPerDay: 100 }, triggers: [{ id: 't1', name: 'Hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 10 }] });
    const fc = await forecast(events, plan, { paths: 0, workers: 0 });
    expect(fc.notes.join('\n')).toContain("t1 (8 of the history's 35 days)");
    const t = recommend(events, plan, { paths: 20 }).triggers.find((x) => x.id === 't1')!;
    expect(t.reason).toContain('on 0 of the last 28 days and held at it on 6');
  });
});
