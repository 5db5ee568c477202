/**
 * Keys in a history the platform enforced (dust-facts "Key caps on legacy plans": the spend of
 * today and the 29 UTC days before, re-based at 00:00 UTC, checked before each request), read
 * under the default documented profile:
 * - a key its real cap held reads as held with that cap written into the plan, as it does with
 *   the cap left out (implied): the docs' window to the millisecond refuses a few requests the
 *   platform let through (early on a day whose oldest day it had freed at midnight), which are not
 *   demand beyond the cap;
 * - a cap the plan states above the level the history was held at is judged at that level: the
 *   stops are still bounds, not a trend;
 * - a monthly batch job is neither thin nor held, and its forecast follows its cadence.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { heldLimits } from '../src/views/held-limits.ts';
import { recommend } from '../src/recommend/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { censoredFromEngine } from '../src/forecast/censor.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { keyEvidence } from '../src/forecast/key-evidence.ts';
import { batchCadenceOf, batchesPerWindow } from '../src/forecast/batch-key.ts';
import { capBeyondSlack } from '../src/engine/completion-slack.ts';
import { cappedOutChance } from '../src/forecast/cap-risk.ts';
import { buildScenario, pathParts } from '../src/forecast/scenario.ts';
import { makeRng } from '../src/forecast/rng.ts';

/** 2026-08-01, a Saturday: the history runs 75 days, to 2026-10-14 */
const T0 = Date.UTC(2026, 7, 1);
const DAYS = 75;
const USD = 1_000_000;

/**
 * What the platform's export holds of a key wanting `perDay` requests of `cost` µUSD a day at
 * random times from 08:00 to 19:00 under a cap of `capUsd`, counted as its code counts it.
 */
function platformKey(b: EventColumnsBuilder, id: string, capUsd: number, perDay: number, cost: number, seed: number): void {
  const rng = makeRng(seed);
  const spent = new Float64Array(DAYS);
  for (let d = 0; d < DAYS; d++) {
    const times = Array.from({ length: perDay }, () => T0 + d * DAY + 8 * HOUR + Math.floor(rng() * 11 * HOUR)).sort((x, y) => x - y);
    for (const t of times) {
      let usage = 0;
      for (let y = Math.max(0, d - 29); y <= d; y++) usage += spent[y]!;
      if (usage >= capUsd * USD) continue;
      spent[d] += cost;
      b.push(t, EventType.api, id, cost);
    }
  }
}

/** $300 in 30 requests of $10 from 02:00 on the 1st of each month: a monthly batch job. */
function monthlyBatch(b: EventColumnsBuilder, id: string): void {
  for (let d = 0; d < DAYS; d++) {
    if (new Date(T0 + d * DAY).getUTCDate() !== 1) continue;
    for (let k = 0; k < 30; k++) b.push(T0 + d * DAY + 2 * HOUR + k * 2 * 60_000, EventType.api, id, 10 * USD);
  }
}

function ledger(add: (b: EventColumnsBuilder) => void): EventColumns {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) for (let k = 0; k < 20; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k % 3}`, 0);
  add(b);
  return b.build();
}

const planOf = (apiKeys: { id: string; capUsd: number | null }[] = []): Plan => validatePlan({ version: 1, workspace: { name: 'Acme', seats: 3 }, apiKeys });

function heldOf(events: EventColumns, plan: Plan) {
  const result = simulate(plan, events);
  return heldLimits(events, result, buildReport(events, result));
}

const censoredOf = (events: EventColumns, plan: Plan, exported?: ReadonlySet<string>) => censoredFromEngine(events, simulate(plan, events), buildHistory(events), exported);

/** The forecast's P50 of a key's spend over the next 30 days, USD. */
async function p50Of(events: EventColumns, plan: Plan, id: string, exportedKeys: ReadonlySet<string>): Promise<number> {
  const fc = await forecast(events, plan, { paths: 0, workers: 0, exportedKeys });
  return fc.series.find((s) => s.kind === 'key_spend' && s.id === id)!.total.p50 / USD;
}

describe('a key its real cap held, the cap written into the plan (documented profile)', () => {
  // $10 a day in 20 requests of $0.50 under $100: spends 10 days, silent 20, and again
  const events = ledger((b) => platformKey(b, 'ci-bot', 100, 20, USD / 2, 7));
  const exportedKeys = new Set(['ci-bot']);
  const stated = planOf([{ id: 'ci-bot', capUsd: 100 }]);
  const implied = planOf([{ id: 'ci-bot', capUsd: null }]);

  it('has replay refusals only the docs’ window makes, which the platform’s window does not read as demand', () => {
    const result = simulate(stated, events);
    const report = buildReport(events, result);
    expect(report.keys.find((k) => k.id === 'ci-bot')!.blockedBy.key_cap ?? 0).toBeGreaterThan(0);
    const c = censoredOf(events, stated, exportedKeys);
    expect(c.series.find((s) => s.id === 'ci-bot')).toBeDefined();
  });

  it('reads as held by simulate, naming the refusals as the docs’ window’s', () => {
    const held = heldOf(events, stated).find((h) => h.id === 'ci-bot');
    expect(held).toMatchObject({ kind: 'key', limit: 100 });
    expect(held!.text).toContain('that the platform let through');
  });

  it('is censored on the same days as with its cap implied, and forecast alike, near its demand', async () => {
    const a = censoredOf(events, stated, exportedKeys).series.find((s) => s.id === 'ci-bot')!;
    const b = censoredOf(events, implied, exportedKeys).series.find((s) => s.id === 'ci-bot')!;
    expect(a.days).toBe(b.days);
    const withCap = await p50Of(events, stated, 'ci-bot', exportedKeys);
    const without = await p50Of(events, implied, 'ci-bot', exportedKeys);
    expect(Math.abs(withCap - without)).toBeLessThanOrEqual(0.05 * without);
    // true demand: $300 over 30 days (a trend through the stops read $159)
    expect(withCap).toBeGreaterThan(220);
    expect(withCap).toBeLessThan(420);
  });

  it('gets the same advice as with its cap implied', () => {
    const a = recommend(events, stated, { paths: 100, exportedKeys }).keys.find((k) => k.id === 'ci-bot')!;
    const b = recommend(events, implied, { paths: 100, exportedKeys }).keys.find((k) => k.id === 'ci-bot')!;
    expect(a.censoredDays).toBe(b.censoredDays);
    expect(a.censoredDays).toBeGreaterThan(0);
    expect(a.recommendedCapUsd).toBe(b.recommendedCapUsd);
    expect(a.action).toBe('raise');
    expect(a.reason).not.toContain('run far past anything');
  });

  it('a refusal the docs’ window makes on a day the platform freed at 00:00 is no demand; one its window refuses is', () => {
    // $100 spent at 12:00 on day 0; requests on day 30 at 06:00 (the platform freed day 0 at
    // 00:00, the docs' window holds it until 12:00) and on day 29 at 13:00 (both hold it)
    const times = [T0 + 12 * HOUR, T0 + 29 * DAY + 13 * HOUR, T0 + 30 * DAY + 6 * HOUR];
    const costs = [100 * USD, USD, USD];
    expect([...capBeyondSlack(times, costs, 100 * USD, 30 * DAY, [1, 2])]).toEqual([1, 0]);
  });
});

describe('a cap the plan states above the level the history was held at', () => {
  const events = ledger((b) => platformKey(b, 'ci-bot', 100, 20, USD / 2, 7));
  const exportedKeys = new Set(['ci-bot']);
  const above = planOf([{ id: 'ci-bot', capUsd: 250 }]);
  const implied = planOf([{ id: 'ci-bot', capUsd: null }]);

  it('is judged at the level it was held at: its stops are bounds', () => {
    const c = censoredOf(events, above, exportedKeys);
    expect(c.statedCaps.get('ci-bot')).toMatchObject({ kind: 'held-below', statedMicros: 250 * USD });
    expect(c.heldAtReading.has('ci-bot')).toBe(true);
    const s = c.series.find((x) => x.id === 'ci-bot')!;
    expect(s).toMatchObject({ kind: 'key_spend', readCapUsd: 100 });
    expect(s.days).toBe(censoredOf(events, implied, exportedKeys).series.find((x) => x.id === 'ci-bot')!.days);
  });

  it('is forecast as with its cap implied, not as a trend through the stops', async () => {
    const withCap = await p50Of(events, above, 'ci-bot', exportedKeys);
    const without = await p50Of(events, implied, 'ci-bot', exportedKeys);
    expect(Math.abs(withCap - without)).toBeLessThanOrEqual(0.05 * without);
    const a = recommend(events, above, { paths: 100, exportedKeys }).keys.find((k) => k.id === 'ci-bot')!;
    const b = recommend(events, implied, { paths: 100, exportedKeys }).keys.find((k) => k.id === 'ci-bot')!;
    expect(a.recommendedCapUsd).toBe(b.recommendedCapUsd);
    expect(a.reason).toContain("held at about $100, under the plan's $250 cap");
  });
});

describe('a monthly batch job ($300 on the 1st)', () => {
  const events = ledger((b) => monthlyBatch(b, 'batch-monthly'));
  const exportedKeys = new Set(['batch-monthly']);
  const history = buildHistory(events);
  const series = history.keys.find((k) => k.id === 'batch-monthly')!;

  it('reads as a batch on the 1st of each month, and is not thin', () => {
    expect(batchCadenceOf(series)).toMatchObject({ kind: 'monthly', dayOfMonth: 1, amount: 300 * USD, batches: 3 });
    expect(keyEvidence(series).thin).toBe(false);
  });

  it('is not held, with its real cap stated or with none', () => {
    for (const plan of [planOf([{ id: 'batch-monthly', capUsd: 300 }]), planOf()]) {
      expect(heldOf(events, plan).some((h) => h.id === 'batch-monthly')).toBe(false);
      const c = censoredOf(events, plan, exportedKeys);
      expect(c.series.some((s) => s.id === 'batch-monthly')).toBe(false);
    }
  });

  it('is forecast on its cadence: the next batch, and nothing between', async () => {
    const fc = await forecast(events, planOf(), { paths: 0, workers: 0, exportedKeys });
    const s = fc.series.find((x) => x.id === 'batch-monthly')!;
    expect(s.total.p10 / USD).toBeCloseTo(300, 0);
    expect(s.total.p90 / USD).toBeCloseTo(300, 0);
    expect(s.days.find((d) => d.date === '2026-11-01')!.p50 / USD).toBeCloseTo(300, 0);
    expect(s.batchNote).toContain('on the 1st of each month');
    expect(fc.keyCaps.find((k) => k.id === 'batch-monthly')!.provisional).toBeNull();
  });

  it('is never capped out at twice the batch, and gets a cap that lets February’s and March’s batches through', () => {
    const scenario = buildScenario(history, planOf(), 30);
    const j = scenario.series.findIndex((x) => x.id === 'batch-monthly');
    const paths = Array.from({ length: 200 }, (_, p) => pathParts(scenario, 1, p).ordinary[j]!);
    expect(cappedOutChance(series.values.slice(-29), paths, 600 * USD)).toBe(0);
    expect(batchesPerWindow(batchCadenceOf(series)!, 30)).toBe(2);
    const k = recommend(events, planOf(), { paths: 100, exportedKeys }).keys.find((x) => x.id === 'batch-monthly')!;
    expect(k).toMatchObject({ recommendedCapUsd: 600, capBasis: 'forecast', throttleChance: 0 });
    expect(k.batch).toMatchObject({ cadence: 'monthly', dayOfMonth: 1, amountUsd: 300, perWindow: 2 });
    expect(k.warning).toBeNull();
  });
});

describe('what reads as a batch', () => {
  const at = (values: number[]) => ({ start: T0, values, partial: null });
  const every = (n: number, gap: number, amount: (k: number) => number, tail = 0) => {
    const v = new Array<number>(n * gap + tail).fill(0);
    for (let k = 0; k < n; k++) v[k * gap] = amount(k);
    return v.slice(0, (n - 1) * gap + 1 + tail);
  };

  it('the same amount every 14 days; about the same (within 15 %)', () => {
    expect(batchCadenceOf(at(every(4, 14, () => 50 * USD, 5)))).toMatchObject({ kind: 'every', everyDays: 14, batches: 4 });
    expect(batchCadenceOf(at(every(4, 14, (k) => (50 + 5 * (k % 2)) * USD, 5)))).toMatchObject({ kind: 'every', everyDays: 14 });
  });

  it('not: two batches, amounts that differ, a cadence broken, a job overdue, a key spending most days', () => {
    expect(batchCadenceOf(at(every(2, 14, () => 50 * USD, 5)))).toBeNull();
    expect(batchCadenceOf(at(every(4, 14, (k) => (k === 2 ? 90 : 50) * USD, 5)))).toBeNull();
    const broken = every(4, 14, () => 50 * USD, 5);
    broken[14] = 0;
    broken[20] = 50 * USD;
    expect(batchCadenceOf(at(broken))).toBeNull();
    expect(batchCadenceOf(at(every(4, 14, () => 50 * USD, 20)))).toBeNull();
    expect(batchCadenceOf(at(every(10, 3, () => 50 * USD, 1)))).toBeNull();
    expect(batchCadenceOf(at(new Array<number>(40).fill(10 * USD)))).toBeNull();
  });
});
