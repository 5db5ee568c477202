import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import type { PlanInput } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { DAY } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { buildScenario } from '../src/forecast/scenario.ts';
import { drawPath, historyTail, seriesEvents, seriesLimits } from '../src/forecast/generate.ts';
import { resolvePlan } from '../src/engine/plan.ts';
import { drawFromBlock, runPath } from '../src/forecast/montecarlo.ts';
import { pathBlock } from '../src/forecast/path-block.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { synthHistory, T0 } from './forecast-helpers.ts';
import { newForegroundGate } from '../src/workers/foreground.ts';
import { WorkerClient } from '../src/workers/client.ts';
import { workerFile } from '../src/worker-files.ts';
import type { McMethods } from '../src/forecast/pool.ts';

const HISTORY_DAYS = 42;
const history = synthHistory(HISTORY_DAYS, [
  // $8 a day rising by $0.20 a day: its rolling 30 days cross $400 a few days into the forecast
  { type: 'api', subject: 'k_grow', daily: (d) => 8_000_000 + 200_000 * d, costPerRequest: 200_000 },
  { type: 'api', subject: 'k_flat', daily: () => 2_000_000, costPerRequest: 100_000 },
  { type: 'trigger', subject: 't_hot', daily: () => 60 },
  { type: 'trigger', subject: 't_cron', daily: () => 48, hours: [0, 24] },
  { type: 'trigger', subject: 't_ok', daily: () => 20 },
  { type: 'message', subject: 'u', daily: () => 300 },
]);

const planInput: PlanInput = {
  workspace: { seats: 20, messagesPerSeatPerDay: 100 },
  apiKeys: [
    { id: 'k_grow', capUsd: 400 },
    { id: 'k_flat', capUsd: 100 },
  ],
  triggers: [
    { id: 't_hot', kind: 'webhook' },
    { id: 't_cron', kind: 'scheduled' },
    { id: 't_ok', kind: 'webhook' },
  ],
};

describe('Monte Carlo paths', () => {
  it('turns daily draws into events in time order, with exact counts and micro-USD totals', () => {
    const plan = validatePlan(planInput);
    const scenario = buildScenario(buildHistory(history), plan, 10);
    const resolved = resolvePlan(scenario.plan);
    const draw = drawPath(scenario, resolved, seriesLimits(scenario, resolved), 1, 0, true);
    scenario.series.forEach((s, j) => {
      const ev = seriesEvents(scenario, draw, j, 1, 0);
      expect(ev.time.length).toBe(draw.counts[j].reduce((a, b) => a + b, 0));
      for (let i = 1; i < ev.time.length; i++) expect(ev.time[i]).toBeGreaterThanOrEqual(ev.time[i - 1]);
      if (ev.time.length) {
        expect(ev.time[0]).toBeGreaterThanOrEqual(scenario.from);
        expect(ev.time[ev.time.length - 1]).toBeLessThan(scenario.from + 10 * DAY);
      }
      if (s.kind === 'key_spend') {
        expect(ev.cost.reduce((a, b) => a + b, 0)).toBe(draw.micros[j].reduce((a, b) => a + b, 0));
        for (const c of ev.cost) expect(Number.isInteger(c)).toBe(true);
      }
    });
  });

  it("draws a path's events the same from its daily values drawn ahead (a worker's shared block), path after path in reused buffers", () => {
    const plan = validatePlan(planInput);
    const scenario = buildScenario(buildHistory(history), plan, 10);
    const resolved = resolvePlan(scenario.plan);
    const limits = seriesLimits(scenario, resolved);
    const plain = (p: number) => drawPath(scenario, resolved, limits, 3, p, false);
    const copy = (d: ReturnType<typeof plain>) => ({ ...d, counts: d.counts.map((c) => [...c]), micros: d.micros.map((m) => [...m]), parts: [...d.parts] });
    const blocks = [0, 1, 2].map((p) => pathBlock(scenario, 3, p));
    // the reused buffers hold the last path's events: each read before the next is drawn
    const fromBlocks = blocks.map((b, p) => copy(drawFromBlock(scenario, 3, p, b)));
    expect(fromBlocks).toEqual([0, 1, 2].map((p) => copy(plain(p))));
    expect(fromBlocks[0].counts).not.toEqual(fromBlocks[1].counts);
    expect(() => pathBlock(scenario, 3, 0, new Float64Array(5))).toThrow(/a path block holds/);
  });

  it('gives the same decisions with the shortcuts as with every event through the engine', () => {
    const variants: PlanInput[] = [
      {},
      { enforcement: { webhookWhenLimited: 'drop' } },
      { enforcement: { maxQueueWaitHours: 3 } },
      // keys decided by their own cap outside the engine: each cap rule, window and profile
      { enforcement: { capCheck: 'spent_plus_cost' } },
      { enforcement: { keyCapWindowDays: 7 }, apiKeys: [{ id: 'k_grow', capUsd: 90 }, { id: 'k_flat', capUsd: 100 }] },
      // platform (rules 1, 3, 4): the 24 h edge, schedules free of their own limit, drop by default
      { enforcement: { profile: 'platform' } },
      { enforcement: { profile: 'platform', webhookWhenLimited: 'queue' } },
    ];
    for (const variant of variants) {
      const plan = validatePlan({ ...planInput, ...variant });
      const h = buildHistory(history);
      const scenario = buildScenario(h, plan, 30);
      const tail = historyTail(history, scenario.plan, scenario.from, simulate);
      for (const path of [0, 1]) {
        const fast = runPath(scenario, tail, 5, path, simulate);
        const exact = runPath(scenario, tail, 5, path, simulate, { exact: true });
        expect(fast.triggers).toEqual(exact.triggers);
        expect(fast.keys).toEqual(exact.keys);
        expect(fast.programmaticMicros).toBe(exact.programmaticMicros);
        expect(fast.allowance.blockedMessages).toBe(exact.allowance.blockedMessages);
        // the growing key reaches its cap on these paths: the cap's own decisions are compared
        expect(exact.keys.k_grow.blocked).toBeGreaterThan(0);
      }
    }
  });

  it('replays the history once per ledger and plan: asked again, the same report without a new replay', async () => {
    const plan = validatePlan(planInput);
    const events = synthHistory(HISTORY_DAYS, [
      { type: 'api', subject: 'k_grow', daily: (d) => 8_000_000 + 200_000 * d, costPerRequest: 200_000 },
      { type: 'trigger', subject: 't_hot', daily: () => 60 },
    ]);
    const replays: number[] = [];
    const sim: typeof simulate = (p, ev, o) => {
      replays.push(ev.count);
      return simulate(p, ev, o);
    };
    const first = await forecast(events, plan, { days: 10, paths: 0, simulate: sim });
    expect(replays).toHaveLength(1);
    const again = await forecast(events, plan, { days: 10, paths: 0, simulate: sim, whatIf: {} });
    expect(replays).toHaveLength(1);
    expect(again).toEqual(first);
    // another plan (a cap changed) is replayed again, and so is the same plan over other events
    await forecast(events, validatePlan({ ...planInput, apiKeys: [{ id: 'k_grow', capUsd: 50 }] }), { days: 10, paths: 0, simulate: sim });
    expect(replays).toHaveLength(2);
    await forecast({ ...events }, plan, { days: 10, paths: 0, simulate: sim });
    expect(replays).toHaveLength(3);
  });

  it('forecasts who caps out and which triggers queue, with P10/P50/P90', async () => {
    const plan = validatePlan(planInput);
    const r = await forecast(history, plan, { days: 30, paths: 40, seed: 9, workers: 0 });
    const mc = r.monteCarlo!;
    expect(mc.paths).toBe(40);
    const grow = mc.keys.find((k) => k.id === 'k_grow')!;
    expect(grow.firstCappedOut.probability).toBeGreaterThan(0.9);
    // the rolling 30 days reach $400 about 3 days in (≈ $398 at the end of the history)
    const p50 = Date.parse(grow.firstCappedOut.p50!);
    expect(p50).toBeGreaterThanOrEqual(T0 + HISTORY_DAYS * DAY);
    expect(p50).toBeLessThan(T0 + (HISTORY_DAYS + 8) * DAY);
    expect(grow.daysCappedOut.p50).toBeGreaterThan(5);
    const flat = mc.keys.find((k) => k.id === 'k_flat')!;
    expect(flat.firstCappedOut).toMatchObject({ probability: 0, p50: null });
    const hot = mc.triggers.find((t) => t.id === 't_hot')!;
    // 60 a day against 42: the history ends with a backlog of ~18 a day × 42 days, and the
    // forecast starts from it: the 42 × 30 runs the next 30 days admit go first to that backlog
    const replay = simulate(plan, history, { until: T0 + HISTORY_DAYS * DAY - 1 });
    let backlog = 0;
    for (let i = 0; i < history.count; i++) if (replay.outcome[i] === 4) backlog++;
    expect(backlog).toBeGreaterThan(600);
    expect(Math.abs(hot.delayed.p50 - (42 * 30 - backlog))).toBeLessThanOrEqual(2);
    expect(hot.pending.p50).toBeGreaterThan(1000);
    expect(hot.dropped.p90).toBe(0);
    const cron = mc.triggers.find((t) => t.id === 't_cron')!;
    // 48 ± 7 fires a day against 42: about 6 to 9 skipped a day
    expect(cron.skipped.p50).toBeGreaterThan(120);
    expect(cron.skipped.p50).toBeLessThan(360);
    expect(mc.triggers.find((t) => t.id === 't_ok')!.delayed.p90).toBe(0);
    // the odds: the backlogged webhook is delayed on every path and drops nothing; the cron
    // skips on every path; the quiet one never waits
    expect(hot).toMatchObject({ delayChance: 1, dropChance: 0 });
    expect(cron).toMatchObject({ delayChance: 0, dropChance: 1 });
    expect(mc.triggers.find((t) => t.id === 't_ok')).toMatchObject({ delayChance: 0, dropChance: 0 });
    const text = describeForecast(r);
    expect(text).toContain('trigger t_hot: delayed with a chance of 100 %, by its own limit of 42 runs per 24 h (100 %); runs delayed');
    expect(text).toContain('trigger t_cron: dropped or skipped with a chance of 100 %, by its own limit of 42 runs per 24 h (100 %); runs delayed');
    // which limit held them back: their own 42 a day, nothing else
    expect(hot.causes.map((c) => [c.cause, c.delayChance, c.dropChance])).toEqual([['trigger_limit', 1, 0]]);
    expect(cron.causes.map((c) => [c.cause, c.delayChance, c.dropChance])).toEqual([['trigger_limit', 0, 1]]);
    expect(text).not.toContain('trigger t_ok:');
    expect(mc.allowance.blockedMessages.p90).toBe(0);
    // k_flat spends ~$60 and k_grow at most its cap over the 30 days
    expect(mc.programmaticUsd.p50).toBeGreaterThan(400);
    expect(mc.programmaticUsd.p50).toBeLessThan(550);
  });

  it('is identical whatever the number of worker threads', async () => {
    const plan = validatePlan(planInput);
    const a = await forecast(history, plan, { days: 14, paths: 6, seed: 3, workers: 0 });
    const b = await forecast(history, plan, { days: 14, paths: 6, seed: 3, workers: 2 });
    expect(b.monteCarlo).toEqual(a.monteCarlo);
    // the bands and the cap risk read the draws the workers sent ahead of the paths' figures
    expect(b.series).toEqual(a.series);
    expect(b.keyCaps).toEqual(a.keyCaps);
    const c = await forecast(history, plan, { days: 14, paths: 6, seed: 4, workers: 0 });
    expect(c.monteCarlo).not.toEqual(a.monteCarlo);
  });

  it('as background work, its path workers wait while an edit is answered, and go on after it', async () => {
    const plan = validatePlan(planInput);
    const scenario = buildScenario(buildHistory(history), plan, 14);
    const paths = 4;
    const size = scenario.days * scenario.series.length * 2;
    const gate = newForegroundGate();
    const drawn = new Int32Array(new SharedArrayBuffer(4 * paths));
    const worker = new WorkerClient<McMethods>(workerFile('mc-worker'), { name: 'a Monte Carlo worker' });
    try {
      await worker.call('init', { scenario, seed: 3, blocks: new Float64Array(new SharedArrayBuffer(8 * size * paths)), drawn, foreground: gate });
      // an edit in flight (the compute thread counts itself in the gate): no path is drawn
      const busy = new Int32Array(gate);
      Atomics.add(busy, 0, 1);
      const draws = worker.call('draws', [0, 1, 2, 3]);
      await new Promise((r) => setTimeout(r, 400));
      expect([...drawn]).toEqual([0, 0, 0, 0]);
      // the edit answered: the draws go on at once
      Atomics.sub(busy, 0, 1);
      Atomics.notify(busy, 0);
      expect(await draws).toBe(paths);
      expect([...drawn]).toEqual([1, 1, 1, 1]);
    } finally {
      await worker.close();
    }
  });

  it('a cancel reaches the fits: the scenario is not built past it', () => {
    const plan = validatePlan(planInput);
    expect(() => buildScenario(buildHistory(history), plan, 14, {}, new Map(), undefined, { aborted: true })).toThrow(/ancel/);
  });

  it('applies what-if knobs: more seats, growth, a new trigger, a mode change', async () => {
    const plan = validatePlan(planInput);
    const base = await forecast(history, plan, { days: 30, paths: 0 });
    const r = await forecast(history, plan, {
      days: 30,
      paths: 20,
      seed: 2,
      workers: 0,
      whatIf: {
        seats: 40,
        keyGrowth: { k_flat: 1 },
        newTriggers: [{ id: 't_new', dailyVolume: 50 }],
        modes: { t_hot: 'programmatic' },
      },
    });
    const total = (rep: typeof r, id: string) => rep.series.find((s) => s.id === id)!.total.point;
    expect(total(r, '(people)') / total(base, '(people)')).toBeCloseTo(2, 5);
    // +100 % per 30 days, compounding: the 30-day total grows by about 1.44×
    expect(total(r, 'k_flat') / total(base, 'k_flat')).toBeGreaterThan(1.35);
    expect(total(r, 't_new')).toBeCloseTo(1500, 5);
    expect(r.plan.triggers.find((t) => t.id === 't_hot')!.mode).toBe('programmatic');
    const mc = r.monteCarlo!;
    expect(mc.triggers.find((t) => t.id === 't_hot')!.delayed.p90).toBe(0);
    expect(mc.triggers.find((t) => t.id === 't_new')!.delayed.p50).toBeGreaterThan(0);
  });

  it('reports progress and stops when aborted', async () => {
    const plan = validatePlan(planInput);
    const seen: number[] = [];
    const controller = new AbortController();
    const run = forecast(history, plan, {
      days: 7,
      paths: 50,
      workers: 0,
      signal: controller.signal,
      onProgress: (share) => {
        seen.push(share);
        if (seen.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(seen[0]).toBeGreaterThan(0);
  });

  it('reports progress and stops when aborted while worker threads run the paths', async () => {
    const plan = validatePlan(planInput);
    const seen: number[] = [];
    const controller = new AbortController();
    const run = forecast(history, plan, {
      days: 7,
      paths: 60,
      workers: 2,
      signal: controller.signal,
      onProgress: (share, stage) => {
        if (stage !== 'paths') return;
        seen.push(share);
        if (seen.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // each share is further along than the one before, and the run stopped well before the end
    expect(seen.every((x, i) => i === 0 || x > seen[i - 1])).toBe(true);
    expect(seen[seen.length - 1]).toBeLessThan(1);
  });
});
