import { describe, expect, it } from 'vitest';
import { readEventsCsv } from '../src/csv/read-events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { asDurationMs, asEpochMs } from '../src/engine/units.ts';
import { buildOverview } from '../src/projection/overview.ts';
import { axisEnd, buildProjection } from '../src/projection/series.ts';
import { projectPlan } from '../src/modeling/project.ts';
import { showKeyAdvice } from '../src/views/key-advice.ts';
import { tickLabel, valueScale } from '../src/projection/scale.ts';
import { keyHistoryChart } from '../src/projection/key-history.ts';
import { reportWithCharts } from '../src/projection/report-html.ts';
import { keyStatus, NEAR_SHARE, STATUS_LABEL, UNUSED_DAYS } from '../src/views/status.ts';

// k_wide has no cap but is held by the $5 workspace spend limit on 2026-10-01 (its fourth
// request finds $7 spent); k_near reaches 90 % of its cap; k_old last ran 90 days before the end;
// k_free has no cap and is never held.
const CSV = [
  'timestamp,type,subject,cost_usd,id',
  '2026-07-01T10:00:00Z,api,k_old,1.00,o1',
  '2026-10-01T10:00:00Z,api,k_wide,2.00,w1',
  '2026-10-01T10:01:00Z,api,k_wide,2.00,w2',
  '2026-10-01T10:02:00Z,api,k_wide,3.00,w3',
  '2026-10-01T10:03:00Z,api,k_wide,1.00,w4',
  '2026-10-02T10:00:00Z,api,k_near,9.00,n1',
  '2026-10-03T10:00:00Z,api,k_free,1.00,f1',
  '2026-09-29T10:00:00Z,api,k_free,1.00,f2',
].join('\n');
const PLAN = validatePlan({
  workspace: { name: 'Views', seats: 2, spendLimits: [{ id: 'daily', amountUsd: 5, window: 'utc-day' }] },
  apiKeys: [
    { id: 'k_near', capUsd: 10 },
    { id: 'k_old', capUsd: 50 },
  ],
});

describe('one status vocabulary (src/views)', () => {
  const events = readEventsCsv(CSV);
  const result = simulate(PLAN, events);
  const overview = buildOverview('Views', events, result);
  const model = projectPlan(PLAN, events);
  const projection = buildProjection(simulate(PLAN, events, { timelineBuckets: 400 }), 200, { ms: 0, threads: 1 }, Infinity, events);
  const status = (list: { id: string; status: string }[], id: string) => list.find((k) => k.id === id)?.status;

  it('gives each key the same status on Overview, Projection and API keys', () => {
    for (const id of ['k_wide', 'k_near', 'k_old', 'k_free']) {
      expect(status(model.keys, id), id).toBe(status(overview.keys, id));
      expect(status(projection.keys, id), id).toBe(status(overview.keys, id));
    }
  });

  it('calls a key held by a spend limit rate limited, even without a cap of its own', () => {
    expect(status(overview.keys, 'k_wide')).toBe('limited');
    expect(STATUS_LABEL.limited).toBe('Rate limited');
  });

  it('says near, no limit and unused where they apply, never "within" a cap a key does not have', () => {
    expect(status(overview.keys, 'k_near')).toBe('near');
    expect(status(overview.keys, 'k_free')).toBe('unlimited');
    expect(status(overview.keys, 'k_old')).toBe('unused');
  });

  it('keeps the thresholds at their edges', () => {
    const end = Date.UTC(2026, 9, 1);
    const day = 86_400_000;
    const k = { blocked: 0, capUsd: 100, peakShare: NEAR_SHARE, lastUsed: end - UNUSED_DAYS * day };
    expect(keyStatus(k, end)).toBe('near');
    expect(keyStatus({ ...k, peakShare: NEAR_SHARE - 0.001 }, end)).toBe('ok');
    expect(keyStatus({ ...k, lastUsed: end - UNUSED_DAYS * day - 1 }, end)).toBe('unused');
    expect(keyStatus({ ...k, lastUsed: null, blocked: 1 }, end)).toBe('limited');
  });
});

describe('the projection axis (src/projection/series.ts)', () => {
  const tl = (queued: number[]) => ({
    start: asEpochMs(0), bucketMs: asDurationMs(10), buckets: queued.length, queued: Float64Array.from(queued),
    allowanceUsed: new Float64Array(queued.length), poolUsed: new Float64Array(queued.length), maxDelay: new Float64Array(queued.length), keySpend: [], spendLimitUsed: [],
  });

  it('ends one bucket past the last event when nothing waits, not at the horizon', () => {
    expect(axisEnd(tl([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 35)).toEqual({ end: 45, drainEnd: null });
  });

  it('runs on while runs queued before the data end still wait, and marks the drain', () => {
    expect(axisEnd(tl([0, 0, 0, 2, 3, 1, 1, 0, 0, 0]), 35)).toEqual({ end: 70, drainEnd: 70 });
  });
});

describe('advice the screens show (src/views/key-advice.ts)', () => {
  const end = Date.UTC(2026, 10, 1);
  const base = { recommendedCapUsd: 1250, rolling30: { p50: 700, p90: 900, p99: 999, max: 1010, daysObserved: 60 }, projectedPeak: { p10: 800, p50: 900, p90: 1000 }, reason: 'p99 + 25 %' };

  it('advises revoking a key unused for 60 days instead of a cap', () => {
    expect(showKeyAdvice(base, end - 61 * 86_400_000, end).kind).toBe('revoke');
    expect(showKeyAdvice(base, null, end).kind).toBe('revoke');
    expect(showKeyAdvice(base, end - 59 * 86_400_000, end)).toMatchObject({ kind: 'cap', capUsd: 1250 });
  });

  it('does not make a cap far above a steady key’s ordinary use', () => {
    const shown = showKeyAdvice({ ...base, recommendedCapUsd: 2100 }, end, end);
    expect(shown).toMatchObject({ kind: 'cap', capUsd: 1300, replaced: 2100 });
  });

  it('keeps a far-above cap that rising spend explains, and says so', () => {
    const shown = showKeyAdvice({ ...base, recommendedCapUsd: 2100, projectedPeak: { p10: 1200, p50: 1500, p90: 1700 } }, end, end);
    expect(shown).toMatchObject({ kind: 'cap', capUsd: 2100, replaced: null });
    expect(shown.kind === 'cap' && shown.explained).toContain('rising');
  });
});

describe('chart scales (src/projection/scale.ts)', () => {
  it('gives round ticks and lets the peak fill most of the height', () => {
    const s = valueScale(1400, 1500);
    expect(s.ticks).toEqual([0, 500, 1000, 1500, 2000]);
    expect(s.top).toBe(2000);
    expect(s.limitAbove).toBe(false);
    expect(tickLabel(500, 'usd')).toBe('$500');
    expect(tickLabel(1000, 'usd')).toBe('$1K');
    expect(tickLabel(1500, 'count')).toBe('1,500');
  });

  it('keeps a pool peak of 300 readable under a limit of 1,250 and says the limit is above', () => {
    const s = valueScale(300, 1250);
    expect(s.top).toBeLessThanOrEqual(400);
    expect(300 / s.top).toBeGreaterThan(0.7);
    expect(s.limitAbove).toBe(true);
  });
});

describe('a key’s history chart (src/projection/key-history.ts)', () => {
  const from = Date.UTC(2026, 8, 1);
  const rolling = Array.from({ length: 60 }, (_, d) => Math.min(d + 1, 30) * 10);
  const chart = keyHistoryChart({ from, rolling, windowDays: 30, capUsd: 400, recommendedUsd: 375, band: { p10: 280, p50: 300, p90: 330 }, incidents: ['2026-09-10', '2025-01-01'] });

  it('marks the first 30 days as the window filling, and ends at the data plus the forecast band', () => {
    expect(chart.warmUntil).toBe(from + 30 * 86_400_000);
    expect(chart.dataEnd).toBe(from + 60 * 86_400_000);
    expect(chart.end).toBe(chart.dataEnd + 30 * 86_400_000);
  });

  it('keeps both caps in view with round ticks, and the runaway days inside the history', () => {
    expect(chart.scale.top).toBeGreaterThanOrEqual(400);
    expect(chart.scale.limitAbove).toBe(false);
    expect(chart.scale.ticks).toEqual([0, 100, 200, 300, 400, 500]);
    expect(chart.incidents).toEqual([Date.UTC(2026, 8, 10, 12)]);
    expect(chart.summary).toContain('1 runaway day left out');
  });
});

describe('the report with its charts drawn in (src/projection/report-html.ts)', () => {
  it('embeds one inline SVG per key before the end of the page, with no script', () => {
    const html = reportWithCharts('<html><body><h1>Report</h1></body></html>', [
      { title: 'k_a <rolling>', from: Date.UTC(2026, 8, 1), rolling: [1, 2, 3], windowDays: 30, capUsd: 5, recommendedUsd: 5, band: null },
      { title: 'k_b', from: Date.UTC(2026, 8, 1), rolling: [4, 5, 6], windowDays: 30, capUsd: null, recommendedUsd: 10, band: null },
    ]);
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html.indexOf('<svg')).toBeLessThan(html.indexOf('</body>'));
    expect(html).not.toContain('<script');
    expect(html).toContain('k_a &lt;rolling&gt;');
  });
});
