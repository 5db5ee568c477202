/**
 * A programmatic trigger the platform's code held at 42 runs per 24 h (SPEC section 9 rule 2; the
 * docs set it no limit) has one demand figure. Its export shows 42 a day; the pace of its runs
 * while admitted says 96. The support draft gave 96 (that pace), the report's Triggers table the
 * forecast's P90 of the bounds (75 in the review), the forecast drew its days from the bounds alone
 * (56 a day at P50) and the spend check, on those draws, assumed the lowest. The pace is now read
 * once (forecast/held-demand.ts, with the censored days) and the forecast draws the trigger's days
 * around it, so the draft, the table, the forecast and the spend check give the same figure, and
 * the forecast's own P50 is said to be its median day.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventTypeCode } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';
import { buildExport, supportRequests } from '../src/export/index.ts';
import type { ExportFile } from '../src/export/index.ts';
import { forecast } from '../src/forecast/index.ts';
import type { ForecastReport } from '../src/forecast/index.ts';
import { recommend } from '../src/recommend/index.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 40;
/** $2 a run: its spend counts against the workspace spend limits (SPEC section 4) */
const RUN_COST = 2_000_000;

/** A webhook fed every 15 minutes (96 a day), as the platform's code admitted it: 42 per 24 h at its inclusive edge, each run completing 20-110 s later. */
function heldByTheCode(): number[] {
  const admitted: number[] = [];
  for (let t = T0; t < T0 + DAYS * DAY; t += 15 * MINUTE) {
    let inWindow = 0;
    for (let k = admitted.length - 1; k >= 0 && admitted[k]! >= t - DAY; k--) inWindow++;
    if (inWindow < 42) admitted.push(t);
  }
  return admitted.map((t, i) => t + 20_000 + ((i * 7919) % 90_000));
}

function history() {
  const rows: [number, EventTypeCode, string, number][] = heldByTheCode().map((t) => [t, EventType.trigger, 'pager', RUN_COST]);
  // an API key spending $10 a day
  for (let d = 0; d < DAYS; d++) for (let i = 0; i < 10; i++) rows.push([T0 + d * DAY + (9 + i) * HOUR, EventType.api, 'k', 1_000_000]);
  rows.sort((a, b) => a[0] - b[0]);
  const b = new EventColumnsBuilder();
  for (const [t, type, subject, cost] of rows) b.push(t, type, subject, cost);
  return b.build();
}

const plan = validatePlan({
  workspace: { name: 'Acme', spendLimits: [{ id: 'daily', amountUsd: 500, window: 'utc-day' }] },
  apiKeys: [{ id: 'k', capUsd: 400 }],
  triggers: [{ id: 'pager', name: 'Pager', kind: 'webhook', mode: 'programmatic', limitPer24h: null }],
});

describe('a programmatic trigger the platform held at 42: one demand figure', () => {
  const events = history();
  const rec = recommend(events, plan, { paths: 100 });
  const t = rec.triggers.find((x) => x.id === 'pager')!;
  const demand = t.heldPace!.perDay;
  // the export's forecast: the recommended plan, the history judged by the plan it was recorded under
  let fc: ForecastReport;
  let files: ExportFile[];
  beforeAll(async () => {
    fc = await forecast(events, rec.plan, { recordedPlan: plan, paths: 20, workers: 0 });
    files = buildExport(rec, fc);
  });

  it('is the pace of its runs while admitted, asked for as such', () => {
    expect(t.daily.max).toBe(42);
    expect(demand).toBeGreaterThanOrEqual(94);
    expect(demand).toBeLessThanOrEqual(98);
    expect(t.expectedDailyVolume).toBe(demand);
    expect(t.expectedFrom).toBe('held_pace');
    expect(t.action).toBe('override');
  });

  it('the support draft and the report table give it', () => {
    const draft = supportRequests(rec, 'Acme').find((r) => r.triggerId === 'pager')!.body;
    expect(draft).toContain(`While the limit let them through, our runs came at ${demand} per 24 hours`);
    expect(draft).toContain("the pace our forecast's days are drawn around");
    // first the busy days its limit must hold, read off the forecast drawn around that pace
    expect(draft).toContain(`About ${t.busyDayVolume} runs a day on our busy days (`);
    expect(t.busyDayVolume).toBeGreaterThan(demand);
    const report = files.find((f) => f.path === 'report.md')!.content;
    const row = report.split('\n').find((l) => l.startsWith('| pager | webhook |'))!.split(' | ');
    expect(row[5]).toBe(`${demand} (pace while held; the forecast's days drawn around it)`);
    // the column's heading is true of this cell too: a pace, not a P90
    const head = report.split('\n').find((l) => l.startsWith('| trigger | kind |'))!.split(' | ');
    expect(head[5]).toBe('expected per day (forecast P90, or pace where held)');
  });

  it("the forecast draws its days around it, and says its P50 is the forecast's median day", () => {
    const s = fc.series.find((x) => x.id === 'pager')!;
    expect(s.heldDemand).toBe(demand);
    const medianDay = s.days.map((d) => d.p50).sort((a, b) => a - b)[s.days.length >> 1]!;
    expect(Math.abs(medianDay - demand)).toBeLessThanOrEqual(0.05 * demand);
    expect(Math.abs(s.total.p50 - 30 * demand)).toBeLessThanOrEqual(0.05 * 30 * demand);
    expect(s.censorNote).toContain(`demand read at about ${demand} runs a day from the pace its runs came at while the limit let them through`);
    expect(s.censorNote).toContain('its P10 / P50 / P90 are the spread of those days and totals, not other estimates of demand');
    expect(describeForecast(fc)).toContain(`pager (about ${demand} runs a day)`);
    // the recommended plan's Monte Carlo runs it at that demand: its runs, and the spend they bill
    const m = fc.monteCarlo!.triggers.find((x) => x.id === 'pager')!;
    expect(Math.abs(m.arrivals.p50 - 30 * demand)).toBeLessThanOrEqual(0.05 * 30 * demand);
    expect(fc.monteCarlo!.programmaticUsd.p50).toBeGreaterThan(0.9 * 30 * demand * (RUN_COST / 1e6));
  });

  it('the spend check assumes it, and says so', () => {
    const l = rec.spendLimits.find((x) => x.id === 'daily')!;
    // a day of it at $2 a run and the key's $10, not the 42 a day the history shows ($94)
    expect(l.projectedPeak.p50).toBeGreaterThan(0.9 * (demand * 2 + 10));
    expect(l.reason).toContain(`held triggers' runs at the demand their pace while admitted gives: pager ${demand} runs a day`);
  });
});
