import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../src/engine/events.ts';
import { keyId, resolvePlan, triggerId, validatePlan } from '../src/engine/plan.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../src/engine/result.ts';
import type { SimulationResult } from '../src/engine/result.ts';
import { buildReport, formatDuration, formatSummary, plainNumber, reportToJson, verdict } from '../src/engine/report.ts';
import { asEpochMs, asMicros, HOUR, MINUTE } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 0, 5, 10);

const plan = resolvePlan(
  validatePlan({
    workspace: { seats: 2, messagesPerSeatPerDay: 5, fairUseShare: 0.5, spendLimits: [{ id: 'daily', amountUsd: 100, window: 'utc-day' }] },
    apiKeys: [
      { id: 'k_mkt', name: 'Marketing', capUsd: 0.3 },
      { id: 'k_ops', capUsd: null },
    ],
    triggers: [
      { id: 't_pr', name: 'PR review', kind: 'webhook', mode: 'fair_use', limitPer24h: 2 },
      { id: 't_sync', kind: 'webhook', mode: 'programmatic' },
    ],
  }),
);
// As the engine hands it back: entities seen only in the events appended, marked inferred.
plan.keys.push({ id: keyId('k_new'), name: 'k_new', capMicros: null, inferred: true });
plan.triggers.push({ id: triggerId('t_new'), name: 't_new', kind: 'webhook', mode: 'fair_use', limit: 42, inferred: true });

interface Row {
  t: number;
  type: EventTypeCode;
  subject: string;
  cost?: number;
  entity: number;
  outcome: number;
  at?: number;
  reason?: number;
}

function build(rows: Row[]): { events: EventColumns; result: SimulationResult } {
  const b = new EventColumnsBuilder();
  for (const r of rows) b.push(r.t, r.type, r.subject, r.cost ?? 0);
  const events = b.build();
  const n = rows.length;
  const result: SimulationResult = {
    count: n,
    outcome: Uint8Array.from(rows.map((r) => r.outcome)),
    admittedAt: Float64Array.from(rows.map((r) => r.at ?? Number.NaN)),
    reason: Uint8Array.from(rows.map((r) => r.reason ?? Reason.none)),
    entity: Int32Array.from(rows.map((r) => r.entity)),
    plan,
    horizon: asEpochMs(T0 + 30 * 24 * HOUR),
    keyStats: [
      {
        peakRollingMicros: asMicros(300_001),
        episodes: [{ from: asEpochMs(T0 + 2 * MINUTE), until: asEpochMs(T0 + 30 * 24 * HOUR) }, { from: asEpochMs(T0 + 40 * 24 * HOUR), until: asEpochMs(Number.POSITIVE_INFINITY) }],
        firstBlock: { from: asEpochMs(T0 + 2 * MINUTE), until: asEpochMs(T0 + 30 * 24 * HOUR) },
      },
      // blocked by the daily spend limit: usable again at the next UTC midnight
      { peakRollingMicros: asMicros(50_000), episodes: [], firstBlock: { from: asEpochMs(Date.UTC(2026, 0, 5, 9)), until: asEpochMs(Date.UTC(2026, 0, 6)) } },
      { peakRollingMicros: asMicros(0), episodes: [], firstBlock: null },
    ],
    triggerStats: [{ peakQueue: 2 }, { peakQueue: 0 }, { peakQueue: 0 }],
    allowancePeak: 7,
    poolPeak: 5,
    spendLimitPeakMicros: [asMicros(400_000)],
    checked: { allowance: 0, pool: 0, spendLimits: [400_000], keys: [] },
    peakQueue: 2,
    timeline: null,
  };
  return { events, result };
}

const { api, trigger, message } = EventType;
const { admitted, blocked, skipped, dropped, pending } = Outcome;
const SPEND = REASON_SPEND_LIMIT_BASE;

const scenario = build([
  { t: T0, type: api, subject: 'k_mkt', cost: 100_000, entity: 0, outcome: admitted, at: T0 },
  { t: T0 + MINUTE, type: api, subject: 'k_mkt', cost: 200_001, entity: 0, outcome: admitted, at: T0 + MINUTE },
  { t: T0 + 2 * MINUTE, type: api, subject: 'k_mkt', cost: 100_000, entity: 0, outcome: blocked, reason: Reason.key_cap },
  { t: T0 + 3 * MINUTE, type: api, subject: 'k_mkt', cost: 200_000, entity: 0, outcome: blocked, reason: Reason.key_cap },
  { t: T0 - HOUR, type: api, subject: 'k_ops', cost: 50_000, entity: 1, outcome: blocked, reason: SPEND },
  { t: T0 + HOUR, type: api, subject: 'k_new', cost: 0, entity: 2, outcome: admitted, at: T0 + HOUR },
  // t_pr: 2 at once, one 30 min late, one 2 h late, one still waiting, one dropped
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: admitted, at: T0 },
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: admitted, at: T0 },
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: admitted, at: T0 + 30 * MINUTE, reason: Reason.trigger_limit },
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: admitted, at: T0 + 2 * HOUR, reason: Reason.pool },
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: pending, reason: Reason.trigger_limit },
  { t: T0, type: trigger, subject: 't_pr', entity: 0, outcome: dropped, reason: Reason.trigger_limit },
  // t_sync: programmatic, its spend counts; one run waited for the spend limit
  { t: T0, type: trigger, subject: 't_sync', cost: 100_000, entity: 1, outcome: admitted, at: T0 },
  { t: T0, type: trigger, subject: 't_sync', cost: 200_000, entity: 1, outcome: admitted, at: T0 + HOUR, reason: SPEND },
  { t: T0 + 5 * HOUR, type: trigger, subject: 't_new', entity: 2, outcome: skipped, reason: Reason.allowance },
  { t: T0, type: message, subject: 'alice', entity: -1, outcome: admitted, at: T0 },
  { t: T0 + 6 * HOUR, type: message, subject: 'bob', entity: -1, outcome: blocked, reason: Reason.allowance },
]);

describe('buildReport', () => {
  const report = buildReport(scenario.events, scenario.result);

  it('summarises each key: counts, exact money, peak, first block and recovery schedule', () => {
    expect(report.keys[0]).toEqual({
      id: 'k_mkt',
      name: 'Marketing',
      capUsd: 0.3,
      inferred: false,
      requests: 4,
      admitted: 2,
      blocked: 2,
      admittedUsd: 0.300001,
      blockedUsd: 0.3,
      peakRollingUsd: 0.300001,
      firstBlockedAt: '2026-01-05T10:02:00.000Z',
      usableAgainAt: '2026-02-04T10:00:00.000Z',
      blockedBy: { key_cap: 2 },
      cappedOut: [
        { from: '2026-01-05T10:02:00.000Z', until: '2026-02-04T10:00:00.000Z' },
        { from: '2026-02-14T10:00:00.000Z', until: null },
      ],
    });
    expect(report.keys[1]).toMatchObject({ id: 'k_ops', capUsd: null, blocked: 1, firstBlockedAt: '2026-01-05T09:00:00.000Z', usableAgainAt: '2026-01-06T00:00:00.000Z', blockedBy: { 'spend_limit:daily': 1 }, cappedOut: [] });
    expect(report.keys[2]).toMatchObject({ id: 'k_new', inferred: true, requests: 1, admitted: 1, firstBlockedAt: null });
  });

  it('summarises each trigger: delays over admitted runs, nearest-rank p95, what limited it', () => {
    expect(report.triggers[0]).toEqual({
      id: 't_pr',
      name: 'PR review',
      kind: 'webhook',
      mode: 'fair_use',
      limit: 2,
      limitChecked: true,
      inferred: false,
      arrivals: 6,
      admitted: 4,
      delayed: 2,
      dropped: 1,
      skipped: 0,
      pending: 1,
      maxDelayMs: 2 * HOUR,
      // admitted delays 0, 0, 30 min, 2 h: rank ceil(0.95 * 4) = 4
      p95DelayMs: 2 * HOUR,
      rateLimited: true,
      limitedBy: { trigger_limit: 3, pool: 1 },
      peakQueue: 2,
      admittedUsd: 0,
    });
    expect(report.triggers[1]).toMatchObject({ id: 't_sync', limit: null, admitted: 2, delayed: 1, admittedUsd: 0.3, limitedBy: { 'spend_limit:daily': 1 } });
    expect(report.triggers[2]).toMatchObject({ id: 't_new', inferred: true, skipped: 1, admitted: 0, maxDelayMs: null, p95DelayMs: null, rateLimited: true });
  });

  it('summarises the shared limits, the inferred entities and the totals', () => {
    expect(report.allowance).toEqual({ limit: 10, peak: 7, messages: 2, blockedMessages: 1 });
    expect(report.pool).toEqual({ limit: 5, peak: 5 });
    expect(report.spendLimits).toEqual([{ id: 'daily', window: 'utc-day', amountUsd: 100, peakUsd: 0.4, blocked: 1, delayed: 1 }]);
    expect(report.inferred).toEqual({ keys: ['k_new'], triggers: ['t_new'] });
    expect(report.totals).toEqual({
      events: 17,
      admitted: 10,
      delayed: 3,
      blocked: 4,
      skipped: 1,
      dropped: 1,
      pending: 1,
      apiRequests: 6,
      triggerRuns: 9,
      messages: 2,
    });
    expect(report.from).toBe('2026-01-05T09:00:00.000Z');
    expect(report.to).toBe('2026-01-05T16:00:00.000Z');
    expect(report.horizon).toBe('2026-02-04T10:00:00.000Z');
    expect(report.peakQueue).toBe(2);
  });

  it('uses the nearest rank for p95 when most runs went through at once', () => {
    const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({
      t: T0,
      type: trigger,
      subject: 't_pr',
      entity: 0,
      outcome: admitted,
      at: T0 + (i < 37 ? 0 : (i - 36) * MINUTE),
    }));
    // delays: 37 zeros, then 1, 2, 3 minutes; rank ceil(0.95 * 40) = 38 → 1 minute
    const r = buildReport(...Object.values(build(rows)) as [EventColumns, SimulationResult]);
    expect(r.triggers[0]).toMatchObject({ admitted: 40, delayed: 3, p95DelayMs: MINUTE, maxDelayMs: 3 * MINUTE });
  });

  it('reports unlimited allowance and pool as null', () => {
    const open = resolvePlan(validatePlan({ workspace: { messagesPerSeatPerDay: null } }));
    const { events, result } = build([]);
    const r = buildReport(events, { ...result, plan: open, keyStats: [], triggerStats: [], spendLimitPeakMicros: [asMicros(0)] });
    expect(r.allowance.limit).toBeNull();
    expect(r.pool.limit).toBeNull();
    expect(r.from).toBeNull();
    expect(r.totals.events).toBe(0);
  });
});

describe('formatSummary', () => {
  const report = buildReport(scenario.events, scenario.result);
  const text = formatSummary(report);

  it('opens with a one-line verdict naming what hurts', () => {
    const first = text.split('\n')[0];
    expect(first).toBe(verdict(report));
    expect(first).toMatch(/^LIMITS HIT: 1 API key hit its cap; spend limit daily stopped spend; 3 triggers held back \(3 delayed, 1 dropped, 1 skipped, 1 still waiting\); 1 person's message blocked\. 7 of 17 events did not run, 3 ran late\.$/);
  });

  it('lists the capped key first, with its recovery time, and the troubled triggers', () => {
    const keyLines = text.split('\n').filter((l) => /k_mkt|Marketing|k_ops|k_new/.test(l) && l.startsWith('│'));
    expect(keyLines[0]).toContain('Marketing (k_mkt)');
    expect(keyLines[0]).toContain('2026-02-04 10:00 UTC (+1)');
    expect(text).toContain('PR review (t_pr)');
    expect(text).toContain('2h');
    expect(text).toContain('Spend limit daily (per UTC day)');
    expect(text).toContain('keys: k_new');
    expect(text).toContain('triggers: t_new');
  });

  it('shows a recovery time with its seconds when it has some: cut to the minute, the key would still be refused then', () => {
    const keys = report.keys.map((k, i) => (i === 0 ? { ...k, usableAgainAt: '2026-02-04T10:00:17.000Z' } : k));
    expect(formatSummary({ ...report, keys })).toContain('2026-02-04 10:00:17 UTC (+1)');
  });

  it('says so plainly when nothing hit a limit', () => {
    const calm = build([{ t: T0, type: message, subject: 'a', entity: -1, outcome: admitted, at: T0 }]);
    expect(verdict(buildReport(calm.events, calm.result))).toBe('OK: all 1 event went through at once; nothing hit a limit.');
  });

  it('marks spend limits that came from the defaults, only when told so (F15)', () => {
    expect(text).not.toContain('(default;');
    expect(formatSummary(report, { defaultSpendLimits: true })).toContain('Spend limit daily (per UTC day) (default; set spendLimits: [] for none)');
  });

  it('counts in the singular for one (F17)', () => {
    const one = build([
      { t: T0, type: message, subject: 'a', entity: -1, outcome: admitted, at: T0 },
      { t: T0, type: EventType.api, subject: 'k_ops', cost: 1, entity: 1, outcome: admitted, at: T0 },
      { t: T0, type: EventType.trigger, subject: 't_sync', entity: 1, outcome: admitted, at: T0 },
    ]);
    expect(formatSummary(buildReport(one.events, one.result))).toContain('(1 API request, 1 trigger run, 1 message)');
  });

  it('prints report money in plain decimals, never exponent notation (F17)', () => {
    expect(plainNumber(0.000003)).toBe('0.000003');
    expect(plainNumber(3e-7)).toBe('0.0000003');
    expect(plainNumber(1e21)).toBe('1000000000000000000000');
    expect(plainNumber(12.5)).toBe('12.5');
    const tiny = build([{ t: T0, type: EventType.api, subject: 'k_ops', cost: 3, entity: 1, outcome: admitted, at: T0 }]);
    const r = buildReport(tiny.events, tiny.result);
    const json = reportToJson(r);
    expect(json).not.toMatch(/\d[eE][+-]?\d/);
    expect(json).toContain('"admittedUsd": 0.000003');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(r)));
    // a number JSON.stringify would write with an exponent comes out plain
    expect(reportToJson({ ...r, peakQueue: 1e-7 })).toContain('"peakQueue": 0.0000001');
  });

  it('formats durations with two units at most', () => {
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(2 * HOUR + 30 * MINUTE + 5000)).toBe('2h 30m');
    expect(formatDuration(26 * HOUR)).toBe('1d 2h');
    expect(formatDuration(24 * HOUR + 5 * MINUTE)).toBe('1d');
    // rounded at the last unit shown, never cut: a wait a millisecond short of 48 h is 2 days, not 1d 23h
    expect(formatDuration(48 * HOUR - 1)).toBe('2d');
    expect(formatDuration(HOUR - 1)).toBe('1h');
    expect(formatDuration(2 * HOUR + 29 * MINUTE + 45_000)).toBe('2h 30m');
    expect(formatDuration(1999)).toBe('2s');
  });
});
