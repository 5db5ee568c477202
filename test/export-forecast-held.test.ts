/**
 * One report, one story: the Triggers table reads the history's calendar days, the Monte Carlo
 * runs the recommended plan over forecast days against limits that count any 24 hours. A webhook
 * at 30-odd runs a weekday whose busiest 24 h held 41 is "within its limit" of 42 in the table, and
 * its runs wait in most of the forecast's paths: the report says so beside it, with the chance,
 * how many runs, how long and why the table's figures did not show it.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { buildExport } from '../src/export/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { makeRng, poisson } from '../src/forecast/rng.ts';
import { recommend } from '../src/recommend/index.ts';
import { T0 } from './forecast-helpers.ts';

/**
 * 56 days of a webhook: Poisson around 36 a weekday and 4 a weekend day, 09:00–18:00, never more
 * than 41 in any 24 h (a run that would make 42 is left out): within its limit of 42 however the
 * limit counts, as the advice decides on the sliding 24 h the limit counts.
 */
function nearItsLimit() {
  const rng = makeRng(41);
  const b = new EventColumnsBuilder();
  const kept: number[] = [];
  for (let d = 0; d < 56; d++) {
    const weekend = d % 7 >= 5;
    const n = Math.min(41, poisson(rng, weekend ? 4 : 36));
    const times = Array.from({ length: n }, () => T0 + d * DAY + 9 * HOUR + Math.floor(rng() * 9 * HOUR)).sort((x, y) => x - y);
    for (const t of times) {
      // runs in the 24 h up to t, both edges counted (the stricter reading)
      if (kept.filter((s) => s >= t - DAY).length >= 41) continue;
      kept.push(t);
      b.push(t, EventType.trigger, 't_ci', 0);
    }
  }
  return b.build();
}

describe("the report's Triggers section and its Monte Carlo", () => {
  it('says where the forecast holds back runs of a trigger the table calls within its limit', async () => {
    const plan = validatePlan({
      workspace: { name: 'Near', seats: 50, messagesPerSeatPerDay: 100, spendLimits: [] },
      triggers: [{ id: 't_ci', name: 'CI', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }],
    });
    const events = nearItsLimit();
    const rec = recommend(events, plan, { paths: 20 });
    const t = rec.triggers.find((x) => x.id === 't_ci')!;
    expect(t.action).toBe('none');
    expect(t.reason).toContain('within its limit');
    const fc = await forecast(events, rec.plan, { recordedPlan: plan, paths: 100, workers: 0 });
    const m = fc.monteCarlo!.triggers.find((x) => x.id === 't_ci')!;
    expect(m.delayChance).toBeGreaterThan(rec.risk);
    const report = buildExport(rec, fc).find((f) => f.path === 'report.md')!.content;
    const pct = `${(m.delayChance * 100).toFixed(1)} %`;
    const row = report.split('\n').find((l) => l.startsWith('| t_ci | webhook |'))!;
    expect(row).toContain(`| none | delayed in ${pct} of paths | within its limit`);
    expect(report).toContain(`t_ci: the forecast of the recommended plan delays some of its runs in ${pct} of paths (P50 / P90: `);
    expect(report).toContain('held back by its own limit of 42 runs per 24 h.');
    expect(report).toContain(`its limit counts any 24 hours, which can span two busy days, and the forecast's days vary beyond the history's: ${pct} of paths is above the 5 % risk`);
  });

  it('adds no column without Monte Carlo paths', () => {
    const plan = validatePlan({ triggers: [{ id: 't_ci', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }] });
    const report = buildExport(recommend(nearItsLimit(), plan, { paths: 20 }), null).find((f) => f.path === 'report.md')!.content;
    expect(report).not.toContain('forecast: runs held back');
    expect(report).not.toContain('the forecast of the recommended plan');
  });
});
