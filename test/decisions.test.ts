import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { resolvePlan, validatePlan } from '../src/engine/plan.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../src/engine/result.ts';
import type { SimulationResult } from '../src/engine/result.ts';
import { decisionAt, decisionsNdjson, emitDecisions, writeDecisionsFile } from '../src/engine/decisions.ts';
import { AtomicWriter, writeFileAtomic } from '../src/fs/atomic.ts';

const T0 = Date.UTC(2026, 0, 5, 10);
const DAY = 86_400_000;
const plan = resolvePlan(validatePlan({ workspace: { spendLimits: [{ id: 'daily', amountUsd: 10, window: 'utc-day' }, { id: 'mois-€', amountUsd: 100, window: 'calendar-month' }] } }));

interface Row {
  t: number;
  id?: string | null;
  outcome: number;
  at?: number;
  reason?: number;
}

function build(rows: Row[]): { events: EventColumns; result: SimulationResult } {
  const b = new EventColumnsBuilder();
  for (const r of rows) b.push(r.t, EventType.trigger, 't', 0, r.id ?? null);
  const events = b.build();
  const result: SimulationResult = {
    count: rows.length,
    outcome: Uint8Array.from(rows.map((r) => r.outcome)),
    admittedAt: Float64Array.from(rows.map((r) => r.at ?? Number.NaN)),
    reason: Uint8Array.from(rows.map((r) => r.reason ?? 0)),
    entity: new Int32Array(rows.length),
    plan,
    horizon: T0 + 30 * DAY,
    keyStats: [],
    triggerStats: [],
    allowancePeak: 0,
    poolPeak: 0,
    spendLimitPeakMicros: [0, 0],
    peakQueue: 0,
    timeline: null,
  };
  return { events, result };
}

describe('decisions NDJSON', () => {
  it('writes SPEC §5 lines exactly, keys in order, in input order', () => {
    const { events, result } = build([
      { t: T0, id: 'e1', outcome: Outcome.admitted, at: T0 },
      { t: T0, id: null, outcome: Outcome.admitted, at: T0 + 90_061, reason: Reason.trigger_limit },
      { t: T0 - DAY, id: 'e3', outcome: Outcome.dropped, reason: Reason.pool },
      { t: T0, id: 'e4', outcome: Outcome.blocked, reason: REASON_SPEND_LIMIT_BASE },
      { t: T0, id: 'e5', outcome: Outcome.pending, reason: REASON_SPEND_LIMIT_BASE + 1 },
      { t: T0, id: 'e6', outcome: Outcome.skipped, reason: Reason.allowance },
      { t: T0, id: 'e7', outcome: Outcome.blocked, reason: Reason.key_cap },
    ]);
    expect(decisionsNdjson(events, result).split('\n')).toEqual([
      '{"row":1,"id":"e1","outcome":"admitted","admittedAt":"2026-01-05T10:00:00.000Z","delayMs":0,"reason":null}',
      '{"row":2,"id":"2","outcome":"admitted","admittedAt":"2026-01-05T10:01:30.061Z","delayMs":90061,"reason":"trigger_limit"}',
      '{"row":3,"id":"e3","outcome":"dropped","admittedAt":null,"delayMs":null,"reason":"pool"}',
      '{"row":4,"id":"e4","outcome":"blocked","admittedAt":null,"delayMs":null,"reason":"spend_limit:daily"}',
      '{"row":5,"id":"e5","outcome":"pending","admittedAt":null,"delayMs":null,"reason":"spend_limit:mois-€"}',
      '{"row":6,"id":"e6","outcome":"skipped","admittedAt":null,"delayMs":null,"reason":"allowance"}',
      '{"row":7,"id":"e7","outcome":"blocked","admittedAt":null,"delayMs":null,"reason":"key_cap"}',
      '',
    ]);
  });

  it('matches JSON.stringify of each decision for any ids, times and delays', () => {
    const row = fc.record({
      t: fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
      id: fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: null }),
      outcome: fc.integer({ min: 0, max: 4 }),
      delay: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 400 * DAY })),
      reason: fc.integer({ min: 0, max: REASON_SPEND_LIMIT_BASE + 1 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.integer({ min: 1, max: 600 }), (rs, chunk) => {
        const { events, result } = build(rs.map((r) => ({ t: r.t, id: r.id, outcome: r.outcome, at: r.outcome === Outcome.admitted ? r.t + r.delay : undefined, reason: r.reason })));
        const expected = rs.map((_, i) => `${JSON.stringify(decisionAt(events, result, i))}\n`).join('');
        expect(decisionsNdjson(events, result)).toBe(expected);
        // Chunk boundaries never change the bytes, even inside multi-byte characters.
        const parts: string[] = [];
        emitDecisions(events, result, (c) => parts.push(c), chunk);
        expect(parts.join('')).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('atomic files', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('puts the decisions file in place whole, leaving no temporary file', () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-dec-'));
    const { events, result } = build([{ t: T0, id: 'a', outcome: Outcome.admitted, at: T0 }]);
    const out = join(dir, 'out.ndjson');
    writeDecisionsFile(out, events, result);
    expect(readFileSync(out, 'utf8')).toBe(decisionsNdjson(events, result));
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('leaves the previous file untouched and no temporary file when writing fails', () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-dec-'));
    const out = join(dir, 'out.ndjson');
    writeFileSync(out, 'previous run\n');
    const rows: Row[] = Array.from({ length: 50_000 }, (_, i) => ({ t: T0 + i, outcome: Outcome.admitted, at: T0 + i }));
    rows.push({ t: T0, outcome: Outcome.blocked, reason: 200 }); // no such reason: fails after chunks were written
    const { events, result } = build(rows);
    expect(() => writeDecisionsFile(out, events, result)).toThrow();
    expect(readFileSync(out, 'utf8')).toBe('previous run\n');
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });

  it('fails at once when the directory does not exist', () => {
    expect(() => new AtomicWriter('/nonexistent-dir/x/out.ndjson')).toThrow(/ENOENT/);
  });

  it('writes small files atomically and aborts cleanly', () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-atomic-'));
    writeFileAtomic(join(dir, 'a.json'), '{"a":1}');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"a":1}');
    const w = new AtomicWriter(join(dir, 'b.json'));
    w.write('partial');
    w.abort();
    w.abort();
    expect(readdirSync(dir)).toEqual(['a.json']);
  });
});
