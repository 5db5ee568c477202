import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateWorkspace, buildModel, generateChunks } from '../src/demo/generator.ts';
import type { GeneratedWorkspace } from '../src/demo/generator.ts';
import { eventsToCsv, formatMicros, writeEventsCsv } from '../src/demo/csv-writer.ts';
import { writeWorkspace } from '../src/demo/write.ts';
import { runDemo } from '../src/cli/commands/demo.ts';
import { EventColumnsBuilder, EventType, idList } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { parsePlanJson, validatePlan, resolveTriggerLimit } from '../src/engine/plan.ts';
import { readEventsCsv, readEventsCsvFile } from '../src/csv/read-events.ts';
import { DAY, HOUR, parseUsdToMicros, usdNumberToMicros } from '../src/engine/units.ts';
import { InputError } from '../src/errors.ts';
import { simulate } from '../src/engine/simulate.ts';
import { Outcome, REASON_SPEND_LIMIT_BASE, Reason } from '../src/engine/result.ts';
import type { SimulationResult } from '../src/engine/result.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-demo-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const demo: GeneratedWorkspace = generateWorkspace();
const events = demo.events;

function indexesOf(ev: EventColumns, type: number, subject: string): number[] {
  const s = ev.subjects.indexOf(subject);
  const out: number[] = [];
  for (let i = 0; i < ev.count; i++) if (ev.type[i] === type && ev.subject[i] === s) out.push(i);
  return out;
}

function isWeekendDay(ms: number): boolean {
  const wd = new Date(ms).getUTCDay();
  return wd === 0 || wd === 6;
}

/** Columns equal value for value (the first difference is what the failure shows). */
function expectSameColumns(a: EventColumns, b: EventColumns): void {
  expect(b.count).toBe(a.count);
  const name = (ev: EventColumns, i: number) => ev.subjects[ev.subject[i]];
  for (let i = 0; i < a.count; i++) {
    if (a.time[i] !== b.time[i] || a.type[i] !== b.type[i] || a.cost[i] !== b.cost[i] || name(a, i) !== name(b, i)) {
      const row = (ev: EventColumns) => [ev.time[i], ev.type[i], name(ev, i), ev.cost[i]];
      expect({ row: i, event: row(b) }).toEqual({ row: i, event: row(a) });
    }
  }
}

describe('seeded generator', () => {
  it('gives identical output for the same seed, and different output for another seed', () => {
    const again = generateWorkspace();
    expectSameColumns(demo.events, again.events);
    expect(again.plan).toEqual(demo.plan);
    const other = generateWorkspace({ seed: 43 });
    expect(Array.from(other.events.time.subarray(0, 50))).not.toEqual(Array.from(events.time.subarray(0, 50)));
  });

  it('pins the default demo, so a change to its output is deliberate', () => {
    // a checksum over every column: the demo must not drift between runs, machines or Node versions
    let h = 0x811c9dc5;
    const mix = (x: number) => {
      h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
      h = Math.imul(h ^ Math.floor(x / 0x100000000), 0x01000193) >>> 0;
    };
    for (let i = 0; i < events.count; i++) {
      mix(events.time[i]);
      mix(events.type[i]);
      mix(events.subject[i]);
      mix(events.cost[i]);
    }
    expect({ count: events.count, first: events.time[0], hash: h }).toEqual({ count: 109377, first: 1788393627969, hash: 3900890284 });
  });

  it('writes events in time order inside the period', () => {
    for (let i = 1; i < events.count; i++) {
      if (events.time[i] < events.time[i - 1]) throw new Error(`event ${i} is before event ${i - 1}`);
    }
    expect(events.time[0]).toBeGreaterThanOrEqual(demo.start);
    expect(events.time[events.count - 1]).toBeLessThan(demo.end);
    expect(demo.end - demo.start).toBe(60 * DAY);
    expect(events.time.every((t) => Number.isInteger(t))).toBe(true);
  });

  it('makes a plan that validates and survives JSON', () => {
    const plan = demo.plan;
    expect(validatePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
    expect(plan.workspace.seats).toBe(25);
    expect(plan.apiKeys.some((k) => k.capUsd === null)).toBe(true);
    expect(plan.apiKeys.filter((k) => k.capUsd !== null).length).toBeGreaterThanOrEqual(4);
    for (const id of ['k_marketing', 'k_data_pipeline', 't_pr_review']) {
      expect([...plan.apiKeys, ...plan.triggers].map((x) => x.id)).toContain(id);
    }
    // every subject of an event is in the plan, except people
    const planned = new Set([...plan.apiKeys, ...plan.triggers].map((x) => x.id));
    for (const s of events.subjects) expect(planned.has(s) || /^u_\d{4}$/.test(s)).toBe(true);
  });

  it('has a key whose spend crosses its cap within its window', () => {
    const pipeline = demo.plan.apiKeys.find((k) => k.id === 'k_data_pipeline');
    const cap = usdNumberToMicros(pipeline?.capUsd ?? 0);
    const idx = indexesOf(events, EventType.api, 'k_data_pipeline');
    const window = demo.plan.enforcement.keyCapWindowDays * DAY;
    // sliding sum of what the key asked to spend, with no blocking
    let sum = 0;
    let lo = 0;
    let crossedAt = -1;
    for (const i of idx) {
      sum += events.cost[i];
      while (events.time[idx[lo]] <= events.time[i] - window) sum -= events.cost[idx[lo++]];
      if (sum >= cap) {
        crossedAt = events.time[i];
        break;
      }
    }
    expect(cap).toBeGreaterThan(0);
    expect(crossedAt).toBeGreaterThan(0);
    // the runaway burst: hundreds of requests within a few hours of that moment
    const burst = idx.filter((i) => Math.abs(events.time[i] - crossedAt) < 3 * HOUR).length;
    expect(burst).toBeGreaterThan(1000);
  });

  it('has API costs in realistic micro-USD', () => {
    const bad: number[] = [];
    let cents = 0;
    let dollars = 0;
    for (let i = 0; i < events.count; i++) {
      const c = events.cost[i];
      const t = events.type[i];
      if (t === EventType.api && !(Number.isInteger(c) && c >= 1000 && c <= 4_500_000)) bad.push(i);
      if (t === EventType.message && c !== 0) bad.push(i);
      if (t === EventType.api && c < 100_000) cents++;
      if (t === EventType.api && c >= 1_000_000) dollars++;
    }
    expect(bad).toEqual([]);
    // mostly cents, some dollars
    expect(cents).toBeGreaterThan(10_000);
    expect(dollars).toBeGreaterThan(1000);
  });

  it('has a fair-use PR-review webhook above 42 runs on most weekdays', () => {
    const pr = demo.plan.triggers.find((t) => t.id === 't_pr_review');
    expect(pr && resolveTriggerLimit(pr.limitPer24h, pr.mode)).toBe(42);
    expect(pr?.kind).toBe('webhook');
    const perDay = new Map<number, number>();
    for (const i of indexesOf(events, EventType.trigger, 't_pr_review')) {
      const d = Math.floor(events.time[i] / DAY) * DAY;
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    const weekdays = [...perDay].filter(([d]) => !isWeekendDay(d)).map(([, n]) => n);
    expect(weekdays.filter((n) => n > 42).length / weekdays.length).toBeGreaterThan(0.6);
  });

  it('has scheduled triggers that fire at the same minute every time', () => {
    const scheduled = demo.plan.triggers.filter((t) => t.kind === 'scheduled');
    expect(scheduled.length).toBeGreaterThanOrEqual(3);
    for (const t of scheduled) {
      expect(t.mode).toBe('fair_use');
      const idx = indexesOf(events, EventType.trigger, t.id);
      expect(idx.length).toBeGreaterThan(0);
      const minutes = new Set(idx.map((i) => Math.floor((events.time[i] % HOUR) / 60_000)));
      expect(minutes.size).toBe(1);
    }
    const digest = indexesOf(events, EventType.trigger, 't_digest_engineering');
    expect(digest.every((i) => !isWeekendDay(events.time[i]))).toBe(true);
    expect(new Set(digest.map((i) => new Date(events.time[i]).getUTCHours())).size).toBe(1);
  });

  it('follows the working week: many more messages on weekdays, mostly in office hours', () => {
    let weekday = 0;
    let weekend = 0;
    let office = 0;
    for (let i = 0; i < events.count; i++) {
      if (events.type[i] !== EventType.message) continue;
      if (isWeekendDay(events.time[i])) weekend++;
      else weekday++;
      const h = new Date(events.time[i]).getUTCHours();
      if (h >= 8 && h < 18) office++;
    }
    // per day: 60 days hold about 43 weekdays and 17 weekend days
    let weekdayCount = 0;
    for (let d = demo.start; d < demo.end; d += DAY) if (!isWeekendDay(d)) weekdayCount++;
    const weekendCount = 60 - weekdayCount;
    expect(weekday / weekdayCount).toBeGreaterThan(5 * (weekend / weekendCount));
    expect(office / (weekday + weekend)).toBeGreaterThan(0.7);
  });

  it('gives some people many more messages than others', () => {
    const perPerson = new Map<string, number>();
    for (let i = 0; i < events.count; i++) {
      if (events.type[i] !== EventType.message) continue;
      const who = events.subjects[events.subject[i]];
      perPerson.set(who, (perPerson.get(who) ?? 0) + 1);
    }
    const counts = [...perPerson.values()].sort((a, b) => a - b);
    expect(counts.length).toBe(25);
    expect(counts[counts.length - 1]).toBeGreaterThan(3 * counts[Math.floor(counts.length / 2)]);
  });

  it('scales to many keys, triggers and people with readable ids', () => {
    const model = buildModel({ keys: 30, triggers: 40, people: 300, seats: 300, days: 3, scale: 0.5 });
    const plan = validatePlan(model.planInput);
    expect(plan.apiKeys).toHaveLength(30);
    expect(plan.triggers).toHaveLength(40);
    expect(plan.apiKeys[29].id).toBe('k_svc_0030');
    expect(model.subjects).toContain('u_0300');
    let n = 0;
    let last = -Infinity;
    let unordered = 0;
    generateChunks(model, (c) => {
      for (let i = 0; i < c.count; i++) {
        if (c.time[i] < last) unordered++;
        last = c.time[i];
      }
      n += c.count;
    });
    expect(unordered).toBe(0);
    expect(n).toBeGreaterThan(1000);
  });

  it('starts the period at 00:00 UTC of the given start date', () => {
    const w = generateWorkspace({ start: '2026-01-05T15:30:00Z', days: 7 });
    expect(w.start).toBe(Date.UTC(2026, 0, 5));
    expect(w.end).toBe(Date.UTC(2026, 0, 12));
    expect(w.events.time[0]).toBeGreaterThanOrEqual(w.start);
    expect(w.events.time[w.events.count - 1]).toBeLessThan(w.end);
  });

  it('rejects options that make no sense', () => {
    expect(() => generateWorkspace({ days: 0 })).toThrow(/days/);
    expect(() => generateWorkspace({ scale: -1 })).toThrow(/scale/);
    expect(() => generateWorkspace({ start: 'yesterday-ish' })).toThrow(/start/);
  });
});

describe('events CSV writer', () => {
  it('formats micro-USD exactly, never through floats', () => {
    expect(formatMicros(0)).toBe('0.000000');
    expect(formatMicros(1)).toBe('0.000001');
    expect(formatMicros(300_000)).toBe('0.300000');
    expect(formatMicros(1_234_567)).toBe('1.234567');
    expect(formatMicros(-5)).toBe('-0.000005');
    expect(formatMicros(Number.MAX_SAFE_INTEGER)).toBe('9007199254.740991');
    expect(() => formatMicros(0.5)).toThrow(RangeError);
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (m) => {
        expect(parseUsdToMicros(formatMicros(m))).toBe(m);
      }),
    );
  });

  it('round-trips the demo exactly through the canonical CSV reader', () => {
    const path = join(tempDir(), 'events.csv');
    const written = writeEventsCsv(path, events);
    expect(written.rows).toBe(events.count);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(eventsToCsv(events));
    const lines = text.split('\n', 3);
    expect(lines[0]).toBe('id,timestamp,type,subject,cost_usd');
    expect(lines[1]).toMatch(/^e1,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,(api|trigger|message),[a-z_0-9]+,(\d+\.\d{6})?$/);
    const back = readEventsCsvFile(path);
    expectSameColumns(events, back);
    expect(idList(back.ids)?.slice(0, 3)).toEqual(['e1', 'e2', 'e3']);
    expect(back.ids?.at(events.count - 1)).toBe(`e${events.count}`);
  });

  it('round-trips awkward values: quoting, ids, edge times and costs', () => {
    const b = new EventColumnsBuilder();
    b.push(Date.UTC(1999, 11, 31, 23, 59, 59, 999), EventType.api, 'key, with "quotes"', 0, 'row-1');
    b.push(0, EventType.trigger, 't_prog', 1, 'id,2');
    b.push(Date.UTC(2026, 1, 28, 0, 0, 0, 1), EventType.message, 'ü_ñame', 0, null);
    b.push(Date.UTC(2024, 1, 29, 12, 0, 0, 0), EventType.api, 'line\nbreak', Number.MAX_SAFE_INTEGER, 'x');
    const ev = b.build();
    const text = eventsToCsv(ev);
    const back = readEventsCsv(text, { file: 'awkward.csv' });
    expectSameColumns(ev, back);
    expect(idList(back.ids)).toEqual(['row-1', 'id,2', 'e3', 'x']);
  });

  it('leaves no file behind when writing fails', () => {
    const dir = tempDir();
    const b = new EventColumnsBuilder();
    b.push(1000, EventType.api, 'k', 0.5);
    expect(() => writeEventsCsv(join(dir, 'bad.csv'), b.build())).toThrow(RangeError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('headroom demo', () => {
  it('writes plan.json and events.csv that load back, and says what to run next', () => {
    const dir = join(tempDir(), 'out');
    const text = runDemo({ out: dir, seed: '7', days: '14', seats: '10' });
    const planPath = join(dir, 'plan.json');
    const eventsPath = join(dir, 'events.csv');
    expect(text).toContain(planPath);
    expect(text).toContain(`npx headroom simulate ${planPath} ${eventsPath}`);
    const plan = parsePlanJson(readFileSync(planPath, 'utf8'), 'plan.json');
    expect(plan.workspace.seats).toBe(10);
    const ev = readEventsCsvFile(eventsPath);
    const same = generateWorkspace({ seed: 7, days: 14, seats: 10 });
    expect(plan).toEqual(same.plan);
    expectSameColumns(same.events, ev);
    expect(text).toContain(`${ev.count.toLocaleString('en-US')} events`);
  });

  it('matches what writeWorkspace streams for larger shapes', () => {
    const dir = tempDir();
    const w = writeWorkspace(dir, { keys: 12, triggers: 20, people: 80, seats: 80, days: 5, scale: 0.3, seed: 3 });
    const inMemory = generateWorkspace({ keys: 12, triggers: 20, people: 80, seats: 80, days: 5, scale: 0.3, seed: 3 });
    expect(w.events).toBe(inMemory.events.count);
    expectSameColumns(inMemory.events, readEventsCsvFile(w.eventsPath));
  });

  it('refuses bad numbers with an input error and writes nothing', () => {
    const dir = join(tempDir(), 'never');
    expect(() => runDemo({ out: dir, days: 'abc' })).toThrow(InputError);
    expect(() => runDemo({ out: dir, seats: '0' })).toThrow(/--seats "0"/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('the demo simulated under its own plan', () => {
  let r: SimulationResult;
  beforeAll(() => {
    r = simulate(demo.plan, demo.events);
  });

  it('caps out the runaway key, and says when it works again', () => {
    const k = r.plan.keys.findIndex((key) => key.id === 'k_data_pipeline');
    const episodes = r.keyStats[k].episodes;
    expect(episodes.length).toBeGreaterThanOrEqual(1);
    expect(episodes[0].until).toBeGreaterThan(episodes[0].from + DAY);
    let blocked = 0;
    for (let i = 0; i < r.count; i++) if (r.entity[i] === k && events.type[i] === EventType.api && r.reason[i] === Reason.key_cap) blocked++;
    expect(blocked).toBeGreaterThan(1000);
  });

  it('queues PR reviews past their limit and runs them later', () => {
    const t = r.plan.triggers.findIndex((tr) => tr.id === 't_pr_review');
    let delayed = 0;
    let lost = 0;
    for (let i = 0; i < r.count; i++) {
      if (events.type[i] !== EventType.trigger || r.entity[i] !== t) continue;
      if (r.outcome[i] !== Outcome.admitted) lost++;
      else if (r.admittedAt[i] > events.time[i]) delayed++;
    }
    expect(delayed).toBeGreaterThan(100);
    expect(lost).toBe(0);
  });

  it('brings the fair-use pool close to its limit without exhausting the allowance', () => {
    expect(r.poolPeak).toBeGreaterThanOrEqual(0.8 * r.plan.pool);
    expect(r.allowancePeak).toBeLessThan(r.plan.allowance);
  });

  it('runs into the daily spend limit on the backfill day of the uncapped key', () => {
    const daily = r.plan.spendLimits.findIndex((l) => l.id === 'daily');
    const analytics = r.plan.keys.findIndex((key) => key.id === 'k_analytics');
    let blocked = 0;
    for (let i = 0; i < r.count; i++) {
      if (events.type[i] === EventType.api && r.entity[i] === analytics && r.reason[i] === REASON_SPEND_LIMIT_BASE + daily) blocked++;
    }
    expect(blocked).toBeGreaterThan(100);
    expect(r.spendLimitPeakMicros[daily]).toBeGreaterThanOrEqual(r.plan.spendLimits[daily].amountMicros);
  });
});
