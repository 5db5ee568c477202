/**
 * A key cap the plan does not state (src/forecast/implied-cap.ts). The platform's exports never say
 * a key's cap and an admin's plan often leaves it out: a CI key wanting $10 a day under a $100 cap
 * (30 days, re-based each UTC day: dust-facts) spends 10 days, is refused 20, spends again as old
 * spend rolls out. Its rolling 30-day spend sits at exactly $100 for weeks; read as demand, the
 * forecast said $53 a month and recommend sized a cap of $1,000 as "10 × its largest 30-day spend",
 * while simulate said nothing was held. With the cap read off the history, its days at the cap are
 * lower bounds, as if the plan stated it, and every command says so in one sentence. A steady
 * spender whose 30-day sum is naturally flat, a key with one spike and a key whose cap the plan
 * states are not read so.
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
import { formatHeldLimits } from '../src/cli/held-limits.ts';
import { recommend } from '../src/recommend/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { impliedCapOf } from '../src/forecast/implied-cap.ts';
import { makeRng } from '../src/forecast/rng.ts';
import type { Rng } from '../src/forecast/rng.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 45;
const USD = 1_000_000;

/**
 * What the platform's export holds of a key wanting `perDay` requests of `cost` µUSD a day (08:00
 * on, an hour apart) under a cap of `capUsd` counted as its code counts it: the spend of today and
 * the 29 UTC days before, a request let through while that is under the cap.
 */
function heldKey(b: EventColumnsBuilder, id: string, capUsd: number, perDay = 10, cost = USD, days = DAYS): void {
  const spent = new Float64Array(days);
  for (let d = 0; d < days; d++) {
    for (let h = 0; h < perDay; h++) {
      let usage = 0;
      for (let x = Math.max(0, d - 29); x <= d; x++) usage += spent[x]!;
      if (usage >= capUsd * USD) break;
      b.push(T0 + d * DAY + (8 + h) * HOUR, EventType.api, id, cost);
      spent[d] += cost;
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

/** Twenty people's messages a day, so that the history has people in it as an export would. */
function people(b: EventColumnsBuilder, days = DAYS): void {
  for (let d = 0; d < days; d++) for (let k = 0; k < 20; k++) b.push(T0 + d * DAY + 9 * HOUR + k * 60_000, EventType.message, `u${k % 3}`, 0);
}

function ledger(add: (b: EventColumnsBuilder) => void): EventColumns {
  const b = new EventColumnsBuilder();
  add(b);
  people(b);
  return b.build();
}

const planOf = (apiKeys: { id: string; capUsd: number | null }[] = [], profile: 'documented' | 'platform' = 'documented'): Plan =>
  validatePlan({ version: 1, workspace: { name: 'Acme', seats: 3 }, apiKeys, enforcement: { profile } });

const SENTENCE =
  'key-ci looks held by a cap of about $100 that the plan does not state: its rolling 30-day spend reached $100.00 and stopped there 2 times, ' +
  'each followed by silence until old spend rolled out (the last still silent when the history ends); if that is its cap, put it in the plan';

function heldOf(events: EventColumns, plan: Plan) {
  const result = simulate(plan, events);
  return heldLimits(events, result, buildReport(events, result));
}

/** The keys simulate lists as held by a cap the plan does not state. */
const impliedKeys = (events: EventColumns, plan: Plan) =>
  heldOf(events, plan)
    .filter((h) => h.implied === true)
    .map((h) => h.id);

describe('a key held by a cap the plan does not state', () => {
  const events = ledger((b) => heldKey(b, 'key-ci', 100));

  it('is read off its history: the cap, the stops and the days at it', () => {
    const times: number[] = [];
    const costs: number[] = [];
    for (let i = 0; i < events.count; i++) {
      if (events.type[i] !== EventType.api) continue;
      times.push(events.time[i]!);
      costs.push(events.cost[i]!);
    }
    const cap = impliedCapOf(times, costs, Math.floor(T0 / DAY) + DAYS - 1, 30)!;
    expect(cap).not.toBeNull();
    expect(cap.capMicros).toBe(100 * USD);
    // $10 a day reaches $100 on day 9: silent to day 29, back on day 30 as day 0's $10 leaves,
    // reaching it again each day to day 39, silent from day 40 to the end (days 10-14 spent nothing)
    expect(cap).toMatchObject({ stops: 2, resumed: 1, silentAtEnd: true, heldDays: 36, reached: { low: 100 * USD, high: 100 * USD } });
  });

  for (const profile of ['documented', 'platform'] as const) {
    it(`is listed under simulate's "Held at a limit?" in one sentence (${profile})`, () => {
      const held = heldOf(events, planOf([], profile));
      const ci = held.find((h) => h.id === 'key-ci')!;
      expect(ci).toMatchObject({ kind: 'key', implied: true, limit: 100, text: SENTENCE });
      expect(formatHeldLimits(held)).toContain(`  - ${SENTENCE}.`);
    });
  }

  it("is said on the Overview's held limits and its row, in the same words", () => {
    const plan = planOf();
    const result = simulate(plan, events);
    const figure = heldLimitFigures(events, result, buildReport(events, result)).limits.find((h) => h.id === 'key-ci')!;
    expect(figure).toMatchObject({ kind: 'key', implied: true, limit: 100 });
    expect(figure.sentence).toBe(`API key ${SENTENCE}.`);
  });

  it('is read with its days at that cap as lower bounds by the forecast: demand about $300 a month, not the $100 the cap let through', async () => {
    const fc = await forecast(events, planOf(), { paths: 0, workers: 0 });
    const s = fc.series.find((x) => x.kind === 'key_spend' && x.id === 'key-ci')!;
    expect(s.censoredDays).toBe(36);
    expect(fc.censored).toContainEqual({ kind: 'key_spend', id: 'key-ci', days: 36, impliedCapUsd: 100 });
    // as with the cap in the plan (the reproduction: P50 $281.79 either way; $53 when read as demand)
    expect(s.total.p50 / USD).toBeGreaterThan(200);
    expect(s.total.p50 / USD).toBeLessThan(400);
    expect(s.censorNote).toContain('held by a cap of about $100 the plan does not state');
    expect(fc.notes.some((n) => n.startsWith(`${SENTENCE}; its 36 of the history's 45 days at that cap are read as lower bounds on demand`))).toBe(true);
    // the plan's own limits did not hold it: it is not said to be theirs
    expect(fc.notes.some((n) => n.startsWith("history censored by the plan's own limits") && n.includes('key-ci'))).toBe(false);
    const stated = await forecast(events, planOf([{ id: 'key-ci', capUsd: 100 }]), { paths: 0, workers: 0 });
    expect(s.total).toEqual(stated.series.find((x) => x.id === 'key-ci')!.total);
  });

  it("is given a cap sized on that demand by recommend, as with the cap in the plan, and the note says why", () => {
    const rec = recommend(events, planOf(), { paths: 40 });
    const k = rec.keys.find((x) => x.id === 'key-ci')!;
    expect(k.censoredDays).toBe(36);
    expect(k.impliedCapUsd).toBe(100);
    // not the 10 × its largest 30-day spend ($1,000) a forecast run off the bounds gave
    expect(k.reason).not.toContain('10 ×');
    expect(k.reason).toContain('36 days held at a cap of about $100 the plan does not state (see the notes), read as lower bounds');
    expect(k.projectedPeak.p50).toBeGreaterThan(200);
    const stated = recommend(events, planOf([{ id: 'key-ci', capUsd: 100 }]), { paths: 40 }).keys.find((x) => x.id === 'key-ci')!;
    expect(k.recommendedCapUsd).toBe(stated.recommendedCapUsd);
    expect(k.action).toBe('set');
    expect(rec.notes).toContain(
      `${SENTENCE}; its 36 of the history's 45 days at that cap are read as lower bounds on demand, as if the plan stated it, and its cap is sized on that demand, not on what the cap let through`,
    );
  });
});

describe('keys not read as held by an unstated cap (beside one that is)', () => {
  it('a steady spender whose 30-day sum is flat at exactly $300', () => {
    const events = ledger((b) => {
      heldKey(b, 'key-ci', 100);
      spender(b, 'key-steady', () => 10 * USD);
    });
    expect(impliedKeys(events, planOf())).toEqual(['key-ci']);
    expect(recommend(events, planOf(), { paths: 20 }).keys.find((k) => k.id === 'key-steady')).toMatchObject({ censoredDays: 0 });
  });

  it('a weekday spender, its weekends silent while its 30-day sum is at its highest', () => {
    const events = ledger((b) => {
      heldKey(b, 'key-ci', 100);
      // 2026-09-01 is a Tuesday: days 4 and 5 are the first weekend
      spender(b, 'key-weekdays', (d) => ((d + 2) % 7 >= 5 ? 0 : 10 * USD));
    });
    expect(impliedKeys(events, planOf())).toEqual(['key-ci']);
  });

  it('a key with one spike, its window flat above $490 for weeks while it keeps spending', () => {
    const events = ledger((b) => {
      heldKey(b, 'key-ci', 100);
      spender(b, 'key-spike', (d) => (d === 12 ? 200 * USD : 10 * USD));
    });
    expect(impliedKeys(events, planOf())).toEqual(['key-ci']);
  });

  it('a key whose cap the plan states: held at its own cap, said as such', () => {
    const events = ledger((b) => {
      heldKey(b, 'key-ci', 100);
      heldKey(b, 'key-stated', 100);
    });
    const plan = planOf([{ id: 'key-stated', capUsd: 100 }]);
    const held = heldOf(events, plan);
    expect(held.filter((h) => h.implied === true).map((h) => h.id)).toEqual(['key-ci']);
    expect(held.find((h) => h.id === 'key-stated')!.text).toBe('key-stated: spend reached $100.00 of its $100.00 cap');
    const rec = recommend(events, plan, { paths: 20 });
    expect(rec.keys.find((k) => k.id === 'key-stated')!.impliedCapUsd).toBeUndefined();
    expect(rec.notes.some((n) => /^spend held at the cap on key-stated \(\d+ of/.test(n))).toBe(true);
  });

  it('a key that spent a month in one burst, then a dollar a day once it left the window', () => {
    const events = ledger((b) => {
      heldKey(b, 'key-ci', 100);
      spender(b, 'key-burst', (d) => (d === 2 ? 100 * USD : d >= 32 ? USD : 0));
    });
    expect(impliedKeys(events, planOf())).toEqual(['key-ci']);
  });
});

/** A key's requests over `days`: `perDay(d, rng)` gives the day's request costs (µUSD), spread over 08:00 to 22:00 UTC. */
function requests(days: number, perDay: (d: number, rng: Rng) => number[], seed: number, capUsd: number | null = null) {
  const rng = makeRng(seed);
  const times: number[] = [];
  const costs: number[] = [];
  const spent = new Float64Array(days);
  for (let d = 0; d < days; d++) {
    const day = perDay(d, rng);
    day.forEach((cost, h) => {
      if (capUsd !== null) {
        let usage = 0;
        for (let x = Math.max(0, d - 29); x <= d; x++) usage += spent[x]!;
        if (usage >= capUsd * USD) return;
      }
      times.push(T0 + d * DAY + 8 * HOUR + Math.floor((h * 14 * HOUR) / day.length));
      costs.push(cost);
      spent[d] += cost;
    });
  }
  return impliedCapOf(times, costs, Math.floor(T0 / DAY) + days - 1, 30);
}

const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
const around = (rng: Rng, usd: number, spread: number) => Math.round(usd * USD * Math.exp(spread * normal(rng)));
/** 2026-09-01 is a Tuesday: day d is a Saturday or Sunday */
const weekend = (d: number) => (d + 2) % 7 >= 5;

describe('spenders without a cap, generated: none read as held (90 days, 300 seeds each)', () => {
  const kinds: [string, (d: number, rng: Rng) => number[]][] = [
    ['steady, 10 requests of about $1', (_d, rng) => Array.from({ length: 10 }, () => around(rng, 1, 0.3))],
    ['one request of about $10 a day, idle one day in 20', (_d, rng) => (rng() < 0.05 ? [] : [around(rng, 10, 0.2)])],
    ['weekdays only, one request, a holiday one weekday in 10', (d, rng) => (weekend(d) || rng() < 0.1 ? [] : [around(rng, 10, 0.2)])],
    ['intermittent: on 85 % of days', (_d, rng) => (rng() < 0.85 ? [around(rng, 10, 0.3)] : [])],
    ['exactly $10 a day in two requests, idle one day in 10', (_d, rng) => (rng() < 0.1 ? [] : [5 * USD, 5 * USD])],
    ['a month of budget in one day each calendar month', (d) => (new Date(T0 + d * DAY).getUTCDate() === 3 ? Array.from({ length: 100 }, () => USD) : [])],
  ];
  for (const [name, perDay] of kinds) {
    it(name, () => {
      const read = Array.from({ length: 300 }, (_, seed) => requests(90, perDay, seed + 1)).filter((r) => r !== null);
      expect(read.length).toBeLessThanOrEqual(1);
    });
  }
});

describe('keys held by a cap, generated: read as held (90 days, 50 seeds each)', () => {
  const kinds: [string, number, (d: number, rng: Rng) => number[]][] = [
    ['about $10 a day under $100', 100, (_d, rng) => Array.from({ length: 10 }, () => around(rng, 1, 0.3))],
    ['about $15 a day under $300', 300, (_d, rng) => Array.from({ length: 15 }, () => around(rng, 1, 0.3))],
    ['weekdays, about $20 a day under $200', 200, (d, rng) => (weekend(d) ? [] : Array.from({ length: 20 }, () => around(rng, 1, 0.3)))],
    ["a cost export's hourly rows, $15 a day under $300", 300, () => Array.from({ length: 24 }, () => Math.round((15 * USD) / 24))],
  ];
  for (const [name, cap, perDay] of kinds) {
    it(name, () => {
      const read = Array.from({ length: 50 }, (_, seed) => requests(90, perDay, seed + 1, cap));
      expect(read.every((r) => r !== null && Math.abs(r.capMicros - cap * USD) <= 0.05 * cap * USD)).toBe(true);
    });
  }
});
