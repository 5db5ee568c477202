/**
 * A key too thin to forecast (spend on fewer than 7 days) gets a provisional cap of twice the most
 * it has spent in 30 days (key-evidence.ts), yet its own Monte Carlo paths read its few days as a
 * daily rate or a trend through them: a key that spent $250 on 5 of its 9 days was drawn at $139
 * a day, and its $2,500 provisional cap read "capped out in 94.5 % of paths"; one whose 6 days of
 * spend rose got a linear trend and 82.5 %. The admin relies on the chance beside a provisional
 * cap reading the history as the cap does (its busiest 30 days as its spend per 30 days, no trend)
 * and on it saying that it rests on thin history.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { recommend } from '../src/recommend/index.ts';
import type { RecommendReport } from '../src/recommend/index.ts';
import { forecast } from '../src/forecast/index.ts';
import type { ForecastReport } from '../src/forecast/index.ts';
import { buildExport } from '../src/export/index.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { T0 } from './forecast-helpers.ts';

const DAYS = 45;

/** $10 a day on k_main all along; k_flat $250 on 5 of its last 9 days; k_rising 6 days rising from $50 to $400. */
function history() {
  const rows: [number, string, number][] = [];
  for (let d = 0; d < DAYS; d++) for (let i = 0; i < 10; i++) rows.push([T0 + d * DAY + (8 + i) * HOUR, 'k_main', 1_000_000]);
  const spend = (id: string, days: [number, number][]) => {
    for (const [d, usd] of days) for (let i = 0; i < 5; i++) rows.push([T0 + d * DAY + (9 + i) * HOUR, id, (usd / 5) * 1_000_000]);
  };
  spend('k_flat', [[DAYS - 9, 250], [DAYS - 7, 250], [DAYS - 5, 250], [DAYS - 3, 250], [DAYS - 1, 250]]);
  spend('k_rising', [[DAYS - 20, 50], [DAYS - 16, 100], [DAYS - 10, 200], [DAYS - 4, 300], [DAYS - 2, 350], [DAYS - 1, 400]]);
  rows.sort((a, b) => a[0] - b[0]);
  const b = new EventColumnsBuilder();
  for (const [t, s, c] of rows) b.push(t, EventType.api, s, c);
  return b.build();
}

const plan = validatePlan({
  workspace: { seats: 5, messagesPerSeatPerDay: 100 },
  apiKeys: [
    { id: 'k_main', capUsd: 1000 },
    { id: 'k_flat', capUsd: null },
    { id: 'k_rising', capUsd: null },
  ],
});

describe("a thin key's paths read its history as its provisional cap does", () => {
  const events = history();
  let rec: RecommendReport;
  let fc: ForecastReport;
  beforeAll(async () => {
    rec = recommend(events, plan, { paths: 200 });
    // the export's forecast: the recommended plan (the provisional caps set), judged by the recorded one
    fc = await forecast(events, rec.plan, { recordedPlan: plan, paths: 50, workers: 0 });
  });

  it('gives each thin key a provisional cap of twice its busiest 30 days', () => {
    expect(rec.keys.find((k) => k.id === 'k_flat')).toMatchObject({ capBasis: 'observed_spend', recommendedCapUsd: 2500, evidence: { activeDays: 5, largest30dUsd: 1250 } });
    expect(rec.keys.find((k) => k.id === 'k_rising')).toMatchObject({ capBasis: 'observed_spend', recommendedCapUsd: 2800, evidence: { activeDays: 6, largest30dUsd: 1400 } });
  });

  it('states a capped-out chance for that cap that is not extreme, in the advice and the Monte Carlo alike', () => {
    for (const id of ['k_flat', 'k_rising']) {
      const k = rec.keys.find((x) => x.id === id)!;
      // reaching twice the spend seen within the window is possible, not all but certain
      expect(k.throttleChance, id).toBeGreaterThan(0);
      expect(k.throttleChance, id).toBeLessThan(0.4);
      const m = fc.monteCarlo!.keys.find((x) => x.id === id)!;
      expect(m.cap).toBe(k.recommendedCapUsd);
      expect(m.cappedOutChance!, id).toBeLessThan(0.4);
      expect(m.firstCappedOut.probability, id).toBeLessThan(0.4);
    }
  });

  it('draws no trend nor daily rate its few days cannot show: the 30 days ahead centre on its busiest 30 days', () => {
    for (const [id, busiest] of [['k_flat', 1250], ['k_rising', 1400]] as const) {
      const s = fc.series.find((x) => x.id === id)!;
      expect(s.model, id).toBe('level');
      expect(s.trendPerDay, id).toBe(0);
      expect(s.total.p50 / 1e6, id).toBeLessThan(1.25 * busiest);
      expect(s.total.p90 / 1e6, id).toBeGreaterThan(busiest);
      expect(s.thinNote, id).toMatch(/^its band takes the spend of its busiest 30 days \(\$[\d,.]+\) as its spend per 30 days, no trend/);
    }
    // a key with a history keeps its own fit and says nothing of it
    expect(fc.series.find((x) => x.id === 'k_main')!.thinNote).toBeNull();
    // the notes say the same, not that a thin key is forecast at its mean level
    const thinNote = fc.notes.find((n) => n.startsWith('2 keys with spend on fewer than 7 days, too thin to forecast: '));
    expect(thinNote).toMatch(/: (k_flat, k_rising|k_rising, k_flat); drawn at the spend of their busiest 30 days per 30 days, with no trend and a band as wide as so few days leave, as their provisional caps read them; any chance given for them rests on that thin history$/);
    expect(fc.notes.some((n) => n.startsWith('under 14 days of their own history') && n.includes('k_flat'))).toBe(false);
  });

  it('says wherever the chance is shown that it rests on thin history', () => {
    const m = fc.monteCarlo!.keys.find((x) => x.id === 'k_flat')!;
    const note = 'these chances rest on thin history (spend on 5 days): the paths take its busiest 30 days as its spend per 30 days, no trend, as its provisional cap does';
    expect(m.thinHistory).toEqual({ activeDays: 5, note });
    expect(fc.monteCarlo!.keys.find((x) => x.id === 'k_main')!.thinHistory).toBeNull();
    const report = buildExport(rec, fc).find((f) => f.path === 'report.md')!.content;
    // the Monte Carlo table: both chances of the thin key carry it
    const mcRow = report.split('\n').find((l) => l.startsWith('| k_flat | $2,500.00 |'))!.split(' | ');
    expect(mcRow[2]).toMatch(/^[\d.]+ % \(thin history: spend on 5 days\)$/);
    expect(mcRow[3]).toMatch(/^in [\d.]+ % of paths \(thin history: spend on 5 days\)$/);
    expect(report).toContain(`k_flat: ${note}.`);
    // the caps table's capped-out chance
    const capRow = report.split('\n').find((l) => l.startsWith('| k_flat | none | $2,500.00 |'))!.split(' | ');
    expect(capRow[7]).toMatch(/^[\d.]+ % \(thin history: spend on 5 days\)$/);
    expect(report).toContain('its capped-out chance rests on that thin history');
    expect(report).not.toContain('reads those few days as a daily rate');
  });

  it('says so in `headroom forecast` too', () => {
    const text = describeForecast(fc);
    expect(text).toMatch(/k_flat .*thin history: its band takes the spend of its busiest 30 days/);
    if (fc.monteCarlo!.keys.find((x) => x.id === 'k_flat')!.firstCappedOut.probability > 0) {
      expect(text).toMatch(/key k_flat: blocked by its cap in [\d.]+ % of paths.*; these chances rest on thin history \(spend on 5 days\)/);
    }
  });
});
