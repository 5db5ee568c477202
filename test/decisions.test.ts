import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { resolvePlan, validatePlan } from '../src/engine/plan.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../src/engine/result.ts';
import { asEpochMs, asMicros } from '../src/engine/units.ts';
import type { SimulationResult } from '../src/engine/result.ts';
import { decisionAt, decisionsNdjson, emitDecisions, formatDecisionLine, writeDecisionsFile, writeDecisionsFileAsync } from '../src/engine/decisions.ts';
import { CancelledError } from '../src/errors.ts';
import { AtomicWriter, assertWritable, resolveWriteTarget, writeFileAtomic } from '../src/fs/atomic.ts';

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
    horizon: asEpochMs(T0 + 30 * DAY),
    keyStats: [],
    triggerStats: [],
    allowancePeak: 0,
    poolPeak: 0,
    spendLimitPeakMicros: [asMicros(0), asMicros(0)],
    checked: { allowance: 0, pool: 0, spendLimits: [0, 0], keys: [] },
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
      // SPEC §5's sample line, byte for byte
      '{"row": 1, "id": "e1", "outcome": "admitted", "admittedAt": "2026-01-05T10:00:00.000Z", "delayMs": 0, "reason": null}',
      '{"row": 2, "id": "2", "outcome": "admitted", "admittedAt": "2026-01-05T10:01:30.061Z", "delayMs": 90061, "reason": "trigger_limit"}',
      '{"row": 3, "id": "e3", "outcome": "dropped", "admittedAt": null, "delayMs": null, "reason": "pool"}',
      '{"row": 4, "id": "e4", "outcome": "blocked", "admittedAt": null, "delayMs": null, "reason": "spend_limit:daily"}',
      '{"row": 5, "id": "e5", "outcome": "pending", "admittedAt": null, "delayMs": null, "reason": "spend_limit:mois-€"}',
      '{"row": 6, "id": "e6", "outcome": "skipped", "admittedAt": null, "delayMs": null, "reason": "allowance"}',
      '{"row": 7, "id": "e7", "outcome": "blocked", "admittedAt": null, "delayMs": null, "reason": "key_cap"}',
      '',
    ]);
    const parsed = decisionsNdjson(events, result).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(parsed.map((d) => Object.keys(d as object))).toEqual(parsed.map(() => ['row', 'id', 'outcome', 'admittedAt', 'delayMs', 'reason']));
    expect(parsed[1]).toEqual({ row: 2, id: '2', outcome: 'admitted', admittedAt: '2026-01-05T10:01:30.061Z', delayMs: 90061, reason: 'trigger_limit' });
  });

  it('matches each decision, in value and in SPEC §5 layout, for any ids, times and delays', () => {
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
        const expected = rs.map((_, i) => `${formatDecisionLine(decisionAt(events, result, i))}\n`).join('');
        const text = decisionsNdjson(events, result);
        expect(text).toBe(expected);
        // the same values as the objects, whatever the layout
        const lines = text === '' ? [] : text.trimEnd().split('\n');
        expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(rs.map((_, i) => decisionAt(events, result, i)));
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

  it('writes in slices with the same bytes, and a cancel between slices leaves nothing (F12)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-dec-'));
    const rows: Row[] = Array.from({ length: 1234 }, (_, i) => ({ t: T0 + i, id: i % 7 === 0 ? null : `x${i}`, outcome: i % 3 === 0 ? Outcome.blocked : Outcome.admitted, at: i % 3 === 0 ? undefined : T0 + i * 2, reason: i % 3 === 0 ? Reason.key_cap : 0 }));
    const { events, result } = build(rows);
    const out = join(dir, 'out.ndjson');
    await writeDecisionsFileAsync(out, events, result, { rowsPerSlice: 100 });
    expect(readFileSync(out, 'utf8')).toBe(decisionsNdjson(events, result));
    rmSync(out);
    const cancel = new AbortController();
    const pending = writeDecisionsFileAsync(out, events, result, { rowsPerSlice: 100, signal: cancel.signal });
    cancel.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lets SIGINT and SIGTERM win while decisions are written: no file, the process ends by the signal (F12)', () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-dec-'));
    const src = (f: string) => JSON.stringify(join(import.meta.dirname, '..', 'src', 'engine', f));
    // The same writer the command line uses; the signal arrives while the first slice is written.
    const script = [
      `import { EventColumnsBuilder, EventType } from ${src('events.ts')};`,
      `import { validatePlan } from ${src('plan.ts')};`,
      `import { simulate } from ${src('simulate.ts')};`,
      `import { openDecisionsFile } from ${src('decisions.ts')};`,
      'const b = new EventColumnsBuilder();',
      `for (let i = 0; i < 20000; i++) b.push(${T0} + i * 1000, EventType.api, 'k', 1000, null);`,
      'const events = b.build();',
      'const result = simulate(validatePlan({}), events);',
      'const file = openDecisionsFile(process.argv[2]);',
      'const done = file.writeAsync(events, result, { rowsPerSlice: 500 });',
      'process.kill(process.pid, process.argv[3]);',
      "await done; process.stdout.write('finished');",
    ].join('\n');
    const path = join(dir, 'writer.ts');
    writeFileSync(path, script);
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const out = join(dir, `out-${signal}.ndjson`);
      const r = spawnSync(process.execPath, [path, out, signal], { encoding: 'utf8' });
      expect(r.stdout).toBe('');
      // killed by the signal (what a shell shows as 130 / 143), or exited with that code
      expect(r.signal === signal || r.status === status).toBe(true);
      expect(readdirSync(dir)).toEqual(['writer.ts']);
    }
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

  /** Writes the decisions into `target` (or the FIFO it names) while `cat` copies the FIFO to a file. */
  async function throughFifo(fifo: string, target: string): Promise<{ text: string; expected: string }> {
    const copy = join(dir, 'copy.ndjson');
    const { events, result } = build([
      { t: T0, id: 'a', outcome: Outcome.admitted, at: T0 },
      { t: T0 + 1, outcome: Outcome.blocked, reason: Reason.key_cap },
    ]);
    const reader = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', fifo, copy]);
    const exited = new Promise<number | null>((done) => reader.on('exit', done));
    // opening a FIFO for writing waits for the reader, which runs in its own process
    writeDecisionsFile(target, events, result);
    expect(await exited).toBe(0);
    return { text: readFileSync(copy, 'utf8'), expected: decisionsNdjson(events, result) };
  }

  it('writes into a FIFO directly instead of replacing it with a regular file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-fifo-'));
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(resolveWriteTarget(fifo)).toEqual({ kind: 'direct', path: fifo });
    const { text, expected } = await throughFifo(fifo, fifo);
    expect(text).toBe(expected);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['copy.ndjson', 'pipe']);
  });

  it('writes through a symlink to a FIFO and leaves the link in place', async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-fifo-'));
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const link = join(dir, 'out.ndjson');
    symlinkSync(fifo, link);
    const { text, expected } = await throughFifo(fifo, link);
    expect(text).toBe(expected);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('replaces the file a symlink points to, atomically, and keeps the link a link', () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-link-'));
    const real = join(dir, 'real.ndjson');
    writeFileSync(real, 'previous run\n');
    const link = join(dir, 'link.ndjson');
    symlinkSync(real, link);
    const { events, result } = build([{ t: T0, id: 'a', outcome: Outcome.admitted, at: T0 }]);
    writeDecisionsFile(link, events, result);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe(decisionsNdjson(events, result));
    expect(readdirSync(dir).sort()).toEqual(['link.ndjson', 'real.ndjson']);
  });

  it('treats - as standard output and paths under /dev as devices, without touching them', () => {
    expect(resolveWriteTarget('-')).toEqual({ kind: 'stdout' });
    expect(() => assertWritable('-')).not.toThrow();
    expect(resolveWriteTarget('/dev/some-device-that-does-not-exist')).toEqual({ kind: 'direct', path: '/dev/some-device-that-does-not-exist' });
  });
});
