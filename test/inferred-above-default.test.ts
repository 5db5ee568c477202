/**
 * A webhook the plan leaves out is replayed at the platform's default of 42 runs per 24 h. When its
 * export holds more than 42 in some 24 h, the platform held it at a higher limit: `headroom
 * simulate` and `recommend` said only that the platform's code drops its runs above 42. They now
 * say the export ran above the default, so those refusals are runs the platform ran, and that the
 * plan should state its limit. The replay's decisions are unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSimulate } from '../src/cli/commands/simulate.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildReport } from '../src/engine/report.ts';
import { DAY } from '../src/engine/units.ts';
import { recommend } from '../src/recommend/index.ts';
import { inferredAboveDefault } from '../src/views/inferred-above-default.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

/** 2026-08-03, a Monday */
const T0 = Date.UTC(2026, 7, 3);
const DAYS = 35;

/** run times: `perDay(d)` runs on day d, evenly spread over it */
function runs(perDay: (d: number) => number): number[] {
  const out: number[] = [];
  for (let d = 0; d < DAYS; d++) {
    const n = perDay(d);
    for (let k = 0; k < n; k++) out.push(T0 + d * DAY + Math.floor(((k + 0.5) * DAY) / n));
  }
  return out;
}

/** 36 a day, 48 every Thursday: some 24 h hold 45 to 50 */
const aboveDefault = runs((d) => (d % 7 === 3 ? 48 : 36));
/** 40 a day: never more than 42 in 24 h */
const withinDefault = runs(() => 40);

function columns(id: string, times: number[]): EventColumns {
  const b = new EventColumnsBuilder();
  for (const t of times) b.push(t, EventType.trigger, id, 0);
  return b.build();
}

const csv = (id: string, times: number[]): string => `timestamp,type,subject,cost_usd\n${times.map((t) => `${new Date(t).toISOString()},trigger,${id},0`).join('\n')}\n`;

// the trigger is absent from the plan: the replay infers a fair-use webhook at 42 per 24 h
const plan = validatePlan({ version: 1, workspace: { seats: 10 }, enforcement: { profile: 'platform' } });
const planJson = JSON.stringify({ version: 1, workspace: { seats: 10 }, enforcement: { profile: 'platform' } });

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir('headroom-inferred-above-');
});
afterEach(() => {
  tmp.remove();
});

const SENTENCE = /above the default 42 the plan infers for it/;

describe('a webhook the plan leaves out whose export ran above the default 42', () => {
  const events = columns('trg_var', aboveDefault);

  it('simulate names its peak, the default, and that the platform held it at a higher limit', () => {
    const result = simulate(plan, events);
    const report = buildReport(events, result);
    const found = inferredAboveDefault(events, result, report);
    expect(found).toHaveLength(1);
    const peak = found[0]!.peak;
    expect(peak).toBeGreaterThanOrEqual(45);
    expect(peak).toBeLessThanOrEqual(50);
    // the replay still refuses what the plan's default refuses
    const refused = report.triggers[0]!.limitedBy.trigger_limit ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(found[0]!.limited).toBe(refused);

    const text = runSimulate(tmp.write('plan.json', planJson), tmp.write('e.csv', csv('trg_var', aboveDefault)), { compare: false }).text;
    const line = text.split('\n').find((l) => l.includes('trg_var') && SENTENCE.test(l));
    expect(line).toBeDefined();
    expect(line).toContain(`up to ${peak} runs in 24 h`);
    expect(line).toContain('the platform held it at a higher limit (an override support granted)');
    expect(line).toContain(`the ${refused} runs the replay refuses above 42 are runs the platform ran: put its limit in the plan`);
  });

  it('so does a webhook the plan names without a limit (as an import from the exports adds it)', () => {
    const named = validatePlan({ version: 1, workspace: { seats: 10 }, enforcement: { profile: 'platform' }, triggers: [{ id: 'trg_var', name: 'Var Hook', kind: 'webhook', mode: 'fair_use' }] });
    const result = simulate(named, events);
    expect(inferredAboveDefault(events, result, buildReport(events, result)).map((f) => f.name)).toEqual(['Var Hook']);
    const t = recommend(events, named, { paths: 40 }).triggers.find((x) => x.id === 'trg_var')!;
    expect(t.reason).toMatch(SENTENCE);
    // a limit the plan states is no default: nothing said
    const stated = validatePlan({ version: 1, workspace: { seats: 10 }, enforcement: { profile: 'platform' }, triggers: [{ id: 'trg_var', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }] });
    const r2 = simulate(stated, events);
    expect(inferredAboveDefault(events, r2, buildReport(events, r2))).toEqual([]);
    expect(recommend(events, stated, { paths: 40 }).triggers.find((x) => x.id === 'trg_var')!.reason).not.toMatch(SENTENCE);
  });

  it("recommend's advice for it says the same", () => {
    const result = simulate(plan, events);
    const peak = inferredAboveDefault(events, result, buildReport(events, result))[0]!.peak;
    const rec = recommend(events, plan, { paths: 40 });
    const t = rec.triggers.find((x) => x.id === 'trg_var')!;
    expect(t.reason).toMatch(SENTENCE);
    expect(t.reason).toContain(`its history holds up to ${peak} runs in 24 h`);
    expect(t.reason).toContain('put its limit in the plan');
  });
});

describe('a webhook the plan leaves out whose export stays within the default 42', () => {
  const events = columns('trg_low', withinDefault);

  it('simulate and recommend say nothing of a higher limit', () => {
    const result = simulate(plan, events);
    expect(inferredAboveDefault(events, result, buildReport(events, result))).toEqual([]);
    const text = runSimulate(tmp.write('plan.json', planJson), tmp.write('e.csv', csv('trg_low', withinDefault)), { compare: false }).text;
    expect(text).not.toMatch(SENTENCE);
    expect(text).not.toContain('Above the default limit?');
    const rec = recommend(events, plan, { paths: 40 });
    expect(rec.triggers.find((x) => x.id === 'trg_low')!.reason).not.toMatch(SENTENCE);
  });
});
