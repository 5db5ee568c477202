import { describe, expect, it } from 'vitest';
import { buildHistory, requireHistory } from '../src/forecast/series.ts';
import { fitSeries, pointAt, backtestSeries } from '../src/forecast/model.ts';
import { backtest } from '../src/forecast/daily.ts';
import { EventColumnsBuilder } from '../src/engine/events.ts';
import type { EventTypeCode } from '../src/engine/events.ts';
import { InputError } from '../src/errors.ts';
import { synthHistory, WEEKLY, wd, T0 } from './forecast-helpers.ts';
import { DAY } from '../src/engine/units.ts';

describe('forecast model', () => {
  it('recovers a known weekly pattern (±10 %) and trend (±15 %)', () => {
    // 200 runs/day rising by 2 a day, quiet weekends, Poisson noise
    const ev = synthHistory(91, [{ type: 'trigger', subject: 't1', daily: (d) => (200 + 2 * d) * WEEKLY[wd(d)] }]);
    const h = buildHistory(ev);
    expect(h.days).toBe(91);
    const s = h.triggers[0];
    const m = fitSeries(s.values, s.start);
    for (let w = 0; w < 7; w++) expect(Math.abs(m.seasonal[w] - WEEKLY[w]) / WEEKLY[w]).toBeLessThan(0.1);
    // the held-out backtest picks a trend (linear or compounding), not a flat level
    expect(m.kind).not.toBe('level');
    expect(Math.abs(m.slope - 2) / 2).toBeLessThan(0.3);
    // 30 days ahead, each day within 10 % of the truth
    for (let d = 91; d < 121; d++) {
      const truth = (200 + 2 * d) * WEEKLY[wd(d)];
      expect(Math.abs(pointAt(m, d) - truth) / truth).toBeLessThan(0.1);
    }
  });

  it('recovers spend in micro-USD with a downward trend', () => {
    const ev = synthHistory(42, [
      { type: 'api', subject: 'k', daily: (d) => (50_000_000 - 500_000 * d) * WEEKLY[wd(d)], costPerRequest: 50_000 },
    ]);
    const h = buildHistory(ev);
    const m = fitSeries(h.keys[0].values, h.keys[0].start);
    expect(Math.abs(m.slope + 500_000) / 500_000).toBeLessThan(0.15);
    // the level is the one the history ends on (day 41)
    expect(Math.abs(m.level - 29_500_000) / 29_500_000).toBeLessThan(0.05);
  });

  it('beats the seasonal-naive baseline on a noisy seasonal history', () => {
    const ev = synthHistory(56, [
      { type: 'trigger', subject: 't1', daily: (d) => 80 * WEEKLY[wd(d)] },
      { type: 'message', subject: 'u1', daily: (d) => (300 + d) * WEEKLY[wd(d)] },
      { type: 'api', subject: 'k', daily: (d) => 20_000_000 * WEEKLY[wd(d)], costPerRequest: 20_000 },
    ]);
    const report = backtest(buildHistory(ev));
    expect(report.overall).not.toBeNull();
    expect(report.overall?.beatsNaive).toBe(true);
    expect(report.overall!.model.mae).toBeLessThan(report.overall!.naive.mae);
    expect(report.series).toHaveLength(3);
    const one = backtestSeries(buildHistory(ev).messages.values, buildHistory(ev).messages.start);
    expect(one?.model.wape).toBeLessThan(one!.naive.wape!);
  });

  it('skips the backtest plainly when the history is under 28 days', () => {
    const ev = synthHistory(20, [{ type: 'message', subject: 'u', daily: () => 50 }]);
    const report = backtest(buildHistory(ev));
    expect(report.overall).toBeNull();
    expect(report.note).toMatch(/needs 28 days/);
  });

  it('starts a series on its first day, not the ledger’s', () => {
    const ev = synthHistory(30, [
      { type: 'message', subject: 'u', daily: () => 10 },
      { type: 'trigger', subject: 'late', daily: (d) => (d >= 20 ? 30 : 0) },
    ]);
    const h = buildHistory(ev);
    expect(h.triggers[0].values).toHaveLength(10);
    expect(h.triggers[0].start).toBe(T0 + 20 * DAY);
  });

  it('leaves out a last day the history ends part-way through', () => {
    const full = synthHistory(20, [{ type: 'message', subject: 'u', daily: () => 200, hours: [0, 24] }], 1, false);
    const h = buildHistory(full);
    expect(h.partialDay).toBeNull();
    expect(h.days).toBe(20);
    // the same, cut at 06:00 on the last day
    const b = new EventColumnsBuilder();
    for (let i = 0; i < full.count; i++) if (full.time[i] < T0 + 19 * DAY + 6 * 3_600_000) b.push(full.time[i], 2, 'u', 0);
    const cut = buildHistory(b.build());
    expect(cut.partialDay).toBe('2026-01-24');
    expect(cut.days).toBe(19);
    expect(cut.end).toBe(T0 + 19 * DAY);
    expect(cut.messages.values.every((v) => v === 200)).toBe(true);
  });

  it('stays bounded when one event is dated decades before the rest', async () => {
    const recent = synthHistory(40, [{ type: 'api', subject: 'k', daily: () => 5_000_000, costPerRequest: 100_000 }]);
    const b = new EventColumnsBuilder();
    b.push(Date.UTC(1971, 0, 1), 0, 'k', 1);
    for (let i = 0; i < recent.count; i++) b.push(recent.time[i], recent.type[i] as EventTypeCode, recent.subjects[recent.subject[i]], recent.cost[i]);
    const ev = b.build();
    const h = buildHistory(ev);
    expect(h.days).toBe(40);
    expect(h.eventsBefore).toBe(1);
    expect(h.keys[0].values).toHaveLength(40);
    const { forecast } = await import('../src/forecast/index.ts');
    const { validatePlan } = await import('../src/engine/plan.ts');
    const r = await forecast(ev, validatePlan({}), { days: 10, paths: 4, workers: 0 });
    expect(r.series[0].days).toHaveLength(10);
    expect(r.notes.join(' ')).toMatch(/1 event older than the last 730 days/);
  });

  it('refuses an empty or short history with a clear message', () => {
    expect(() => buildHistory(new EventColumnsBuilder().build())).toThrow(InputError);
    expect(() => buildHistory(new EventColumnsBuilder().build())).toThrow(/no events/);
    const h = buildHistory(synthHistory(9, [{ type: 'message', subject: 'u', daily: () => 10 }]));
    expect(() => requireHistory(h)).toThrow(InputError);
    expect(() => requireHistory(h)).toThrow(/only 9 days of history .* at least 14 days/);
  });
});
