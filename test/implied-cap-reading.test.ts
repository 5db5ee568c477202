/**
 * What the history's spend says of a key's cap beyond the plain case (implied-cap.test.ts): a key
 * spending its whole budget in one day every 30 days (a monthly batch) looks capped only because its
 * batches are the same size, and is not read as held; a key whose demand is only about 10 % above
 * its cap's pace, and one already at its cap when the history begins, are read as held at the right
 * cap; a cap the plan states that the history contradicts (held well under it, or, in the
 * platform's export, requests let through beyond it, which the platform refuses) is said, naming
 * the key, the stated cap and the level the history shows, where the caps the plan does not state
 * are said.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { heldLimitFigures, heldLimits } from '../src/views/held-limits.ts';
import { recommend } from '../src/recommend/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { censoredFromEngine } from '../src/forecast/censor.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { impliedCapOf } from '../src/forecast/implied-cap.ts';
import { makeRng } from '../src/forecast/rng.ts';
import type { Rng } from '../src/forecast/rng.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 45;
const USD = 1_000_000;

/**
 * What the platform's export holds of a key wanting `perDay(d)` requests of `cost` µUSD on day d
 * (08:00 on, 20 minutes apart) under a cap of `capUsd` counted as its code counts it (the spend of
 * today and the 29 UTC days before; a request let through while that is under the cap). The key
 * has wanted so since `before` days ahead of the export, whose days it does not hold.
 */
function heldKey(b: EventColumnsBuilder, id: string, capUsd: number, perDay: (d: number) => number, cost: number, before = 0, days = DAYS): void {
  const spent = new Float64Array(before + days);
  for (let x = 0; x < before + days; x++) {
    const d = x - before;
    for (let h = 0; h < perDay(d); h++) {
      let usage = 0;
      for (let y = Math.max(0, x - 29); y <= x; y++) usage += spent[y]!;
      if (usage >= capUsd * USD) break;
      spent[x] += cost;
      if (d >= 0) b.push(T0 + d * DAY + 8 * HOUR + h * 20 * 60_000, EventType.api, id, cost);
    }
  }
}

/** `spend(d)` µUSD on day d in ten requests, 08:00 to 17:00. */
function spender(b: EventColumnsBuilder, id: string, spend: (d: number) => number, days = DAYS): void {
  for (let d = 0; d < days; d++) {
    const total = spend(d);
    for (let h = 0; h < 10 && total > 0; h++) b.push(T0 + d * DAY + (8 + h) * HOUR, EventType.api, id, total / 10);
  }
}

/** $300 in 30 requests of $10 half an hour apart from 02:00, on day 0 and every 30 days after: a monthly batch job. */
function batch(b: EventColumnsBuilder, id: string, days = DAYS): void {
  for (let d = 0; d < days; d += 30) for (let k = 0; k < 30; k++) b.push(T0 + d * DAY + 2 * HOUR + k * 30 * 60_000, EventType.api, id, 10 * USD);
}

/** Twenty people's messages a day from the export's first day, so that the history has people in it as an export would. */
function people(b: EventColumnsBuilder, days = DAYS): void {
  for (let d = 0; d < days; d++) for (let k = 0; k < 20; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k % 3}`, 0);
}

function ledger(add: (b: EventColumnsBuilder) => void): EventColumns {
  const b = new EventColumnsBuilder();
  people(b);
  add(b);
  return b.build();
}

const planOf = (apiKeys: { id: string; capUsd: number | null }[] = []): Plan => validatePlan({ version: 1, workspace: { name: 'Acme', seats: 3 }, apiKeys });

function heldOf(events: EventColumns, plan: Plan) {
  const result = simulate(plan, events);
  return heldLimits(events, result, buildReport(events, result));
}

/** The keys simulate lists as held by a cap the plan does not state. */
const impliedKeys = (events: EventColumns, plan: Plan = planOf()) =>
  heldOf(events, plan)
    .filter((h) => h.implied === true)
    .map((h) => h.id);

const censoredOf = (events: EventColumns, plan: Plan, exported?: ReadonlySet<string>) => censoredFromEngine(events, simulate(plan, events), buildHistory(events), exported);

/** `base` requests a day, give or take up to 3: demand that is not the same every day. */
const jitter = (base: number) => (d: number) => base + [0, -2, 1, 2, -1, 0, -3, 2][((d % 8) + 8) % 8]!;

describe('a monthly batch job: its whole budget in one day, every 30 days', () => {
  const events = ledger((b) => {
    batch(b, 'key-batch');
    heldKey(b, 'key-ci', 100, () => 10, USD);
  });

  it('is not read as held by a cap, beside a key that is: its batches are whole, not cut short at a level', () => {
    expect(impliedKeys(events)).toEqual(['key-ci']);
    expect(censoredOf(events, planOf()).impliedCaps.has('key-batch')).toBe(false);
  });

  it('keeps its days as demand in recommend and the forecast', async () => {
    const rec = recommend(events, planOf(), { paths: 20 });
    expect(rec.keys.find((k) => k.id === 'key-batch')).toMatchObject({ censoredDays: 0 });
    expect(rec.keys.find((k) => k.id === 'key-batch')!.impliedCapUsd).toBeUndefined();
    expect(rec.notes.some((n) => n.startsWith('key-batch'))).toBe(false);
    const fc = await forecast(events, planOf(), { paths: 0, workers: 0 });
    expect(fc.censored.map((c) => c.id)).toEqual(['key-ci']);
  });
});

/** A key's requests over `days`: `perDay(d, rng)` gives the day's request costs (µUSD), spread over 08:00 to 22:00 UTC, under `capUsd` since `before` days ahead. */
function readOf(days: number, perDay: (d: number, rng: Rng) => number[], seed: number, capUsd: number | null, before = 0) {
  const rng = makeRng(seed);
  const times: number[] = [];
  const costs: number[] = [];
  const spent = new Float64Array(before + days);
  for (let x = 0; x < before + days; x++) {
    const d = x - before;
    const day = perDay(d, rng);
    day.forEach((cost, h) => {
      if (capUsd !== null) {
        let usage = 0;
        for (let y = Math.max(0, x - 29); y <= x; y++) usage += spent[y]!;
        if (usage >= capUsd * USD) return;
      }
      spent[x] += cost;
      if (d < 0) return;
      times.push(T0 + d * DAY + 8 * HOUR + Math.floor((h * 14 * HOUR) / day.length));
      costs.push(cost);
    });
  }
  return impliedCapOf(times, costs, Math.floor(T0 / DAY) + days - 1, 30);
}

const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
const around = (rng: Rng, usd: number, spread: number) => Math.round(usd * USD * Math.exp(spread * normal(rng)));
/** the seeds out of 300 whose key reads as held */
const readIn300 = (days: number, perDay: (d: number, rng: Rng) => number[]) => Array.from({ length: 300 }, (_, s) => readOf(days, perDay, s + 1, null)).filter((r) => r !== null).length;

describe('spenders without a cap, generated: none read as held (300 seeds each)', () => {
  it('the same budget in one day every 30 days, in 100 requests (90 days)', () => {
    expect(readIn300(90, (d) => (d % 30 === 3 ? Array.from({ length: 100 }, () => 3 * USD) : []))).toBe(0);
  });
  it('about the same budget in one day every 30 days, in 60 requests (45 days)', () => {
    expect(readIn300(45, (d, rng) => (d % 30 === 3 ? Array.from({ length: 60 }, () => around(rng, 5, 0.3)) : []))).toBe(0);
  });
  it('half of it every 15 days (60 days)', () => {
    expect(readIn300(60, (d) => (d % 15 === 3 ? Array.from({ length: 50 }, () => 3 * USD) : []))).toBe(0);
  });
  it('steady, pausing 3 to 6 days once at its busiest stretch (45 days)', () => {
    const read = Array.from({ length: 300 }, (_, s) => {
      let from = 0;
      let days = 0;
      return readOf(
        45,
        (d, rng) => {
          if (d === 0) {
            from = 10 + Math.floor(rng() * 30);
            days = 3 + Math.floor(rng() * 4);
          }
          return d >= from && d < from + days ? [] : Array.from({ length: 10 }, () => around(rng, 1, 0.3));
        },
        s + 1,
        null,
      );
    }).filter((r) => r !== null);
    expect(read.length).toBeLessThanOrEqual(1);
  });
});

describe('a key whose demand is only about 10 % above its cap’s pace: rides the cap with short stalls', () => {
  it('is read as held at its cap over 45 days, the history holding one stall', () => {
    // $11 a day in 10 requests of about $1.10 under $300 ($10 a day over 30 days)
    const read = Array.from({ length: 50 }, (_, s) => readOf(45, (_d, rng) => Array.from({ length: 10 }, () => around(rng, 1.1, 0.3)), s + 1, 300));
    const right = read.filter((r) => r !== null && r.capMicros === 300 * USD);
    expect(right.length).toBeGreaterThanOrEqual(40);
    expect(read.every((r) => r === null || r.capMicros === 300 * USD)).toBe(true);
  });

  it('is named by simulate and its days at the cap read as bounds by the forecast', async () => {
    // about 11 requests of $0.33 a day under $100: it stops on day 27 with $1 spent, silent 2 days
    const events = ledger((b) => heldKey(b, 'key-tight', 100, jitter(11), USD / 3));
    const held = heldOf(events, planOf()).find((h) => h.id === 'key-tight');
    expect(held).toMatchObject({ implied: true, limit: 100 });
    const fc = await forecast(events, planOf(), { paths: 0, workers: 0 });
    expect(fc.censored).toContainEqual(expect.objectContaining({ kind: 'key_spend', id: 'key-tight', impliedCapUsd: 100 }));
  });
});

describe('a key already at its cap when the history begins (no days before the cap to compare)', () => {
  it('is read as held at its cap over 60 days', () => {
    // wanting $11 a day under $300 since 60 to 89 days before the export
    const read = Array.from({ length: 50 }, (_, s) => readOf(60, (_d, rng) => Array.from({ length: 10 }, () => around(rng, 1.1, 0.3)), s + 1, 300, 60 + (s % 30)));
    expect(read.filter((r) => r !== null && r.capMicros === 300 * USD).length).toBeGreaterThanOrEqual(40);
    expect(read.every((r) => r === null || r.capMicros === 300 * USD)).toBe(true);
  });

  it('is named by simulate at $100, its export beginning with it silent at the cap', () => {
    // $10 a day under $100 since 62 days before: the export begins with 8 days of spend, then 20 silent
    const events = ledger((b) => heldKey(b, 'key-old', 100, () => 10, USD, 62, 60));
    expect(heldOf(events, planOf()).find((h) => h.id === 'key-old')).toMatchObject({ implied: true, limit: 100 });
  });
});

describe('a cap the plan states that the history contradicts', () => {
  const events = ledger((b) => {
    // held at $100 while the plan says $500
    heldKey(b, 'key-low', 100, () => 10, USD);
    // $10 a day, its window reaching $300, while the plan says $100: the platform would have refused
    spender(b, 'key-over', () => 10 * USD);
    // held at its stated $100, and a key well under its stated $500: nothing to say of either
    heldKey(b, 'key-stated', 100, () => 10, USD);
    spender(b, 'key-under', () => 5 * USD);
  });
  const plan = planOf([
    { id: 'key-low', capUsd: 500 },
    { id: 'key-over', capUsd: 100 },
    { id: 'key-stated', capUsd: 100 },
    { id: 'key-under', capUsd: 500 },
  ]);
  const LOW =
    'key-low: the plan states a cap of $500, but its history reads as held at about $100: its rolling 30-day spend reached $100.00 and stopped there 2 times until old spend rolled out, well under $500; ' +
    'the cap it was under was about $100 (or another limit held it), not $500: if that is its cap, correct the plan';
  const OVER =
    "key-over: the plan states a cap of $100, but the platform's export shows requests going through with $299.00 already spent in its rolling 30-day window, " +
    'which a $100 cap refuses (the platform checks the spend before each request): a $100 cap was not in force then (its cap was higher, or it had none, or $100 was set later); ' +
    'if $100 is not its cap now, correct the plan';
  // every key's history is the platform's export (the ledger's `exportedKeys`)
  const exportedKeys = new Set(['key-low', 'key-over', 'key-stated', 'key-under']);

  it('is read for the keys that contradict it, and only those', () => {
    const c = censoredOf(events, plan, exportedKeys);
    expect([...c.statedCaps.keys()].sort()).toEqual(['key-low', 'key-over']);
    expect(c.statedCaps.get('key-low')).toMatchObject({ kind: 'held-below', statedMicros: 500 * USD, reading: { capMicros: 100 * USD } });
    expect(c.statedCaps.get('key-over')).toMatchObject({ kind: 'exceeded', statedMicros: 100 * USD, floorMicros: 299 * USD });
  });

  it('past the cap, only from the platform’s export: the same requests as demand are what the cap refuses; held under it, from either', () => {
    const c = censoredOf(events, plan);
    expect([...c.statedCaps.keys()]).toEqual(['key-low']);
    expect([...censoredOf(events, plan, new Set(['key-low'])).statedCaps.keys()]).toEqual(['key-low']);
  });

  it('is said in recommend’s and the forecast’s notes, naming the key, the stated cap and the level the history shows', async () => {
    const rec = recommend(events, plan, { paths: 20, exportedKeys });
    // held under its cap, its days at the level it was held at are bounds, and the note says so
    const bounds = (n: number) => `; its ${n} of the history's 45 days at that level are read as lower bounds on demand`;
    const lowDays = censoredOf(events, plan, exportedKeys).series.find((c) => c.id === 'key-low')!.days;
    expect(rec.notes).toContain(`${LOW}${bounds(lowDays)}, and its cap is sized on that demand, not on what held it`);
    expect(rec.notes).toContain(OVER);
    expect(rec.notes.some((n) => n.startsWith('key-stated:') || n.startsWith('key-under:'))).toBe(false);
    const fc = await forecast(events, plan, { paths: 0, workers: 0, exportedKeys });
    expect(fc.notes).toContain(`${LOW}${bounds(lowDays)}: imputed above it and the band widened`);
    expect(fc.notes).toContain(OVER);
    // the same events as demand: only the key held under its cap is said
    const demand = recommend(events, plan, { paths: 20 });
    expect(demand.notes).toContain(`${LOW}${bounds(lowDays)}, and its cap is sized on that demand, not on what held it`);
    expect(demand.notes.some((n) => n.startsWith('key-over:'))).toBe(false);
  });

  it('held under it, is a held limit in simulate and on the Overview; beyond it, is not (the replay refuses what that cap would)', () => {
    const held = heldOf(events, plan);
    expect(held.find((h) => h.id === 'key-low')).toMatchObject({ kind: 'key', limit: 100, statedCapUsd: 500, text: LOW });
    expect(held.some((h) => h.id === 'key-over' || h.id === 'key-under')).toBe(false);
    expect(held.find((h) => h.id === 'key-stated')!.text).toBe('key-stated: spend reached $100.00 of its $100.00 cap');
    const result = simulate(plan, events);
    const figure = heldLimitFigures(events, result, buildReport(events, result)).limits.find((h) => h.id === 'key-low');
    expect(figure).toMatchObject({ statedCapUsd: 500, limit: 100, sentence: `API key ${LOW}.` });
  });
});
