import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/engine/plan.ts';
import { simulate } from '../src/engine/simulate.ts';
import { buildHistory } from '../src/forecast/series.ts';
import { censoredFromEngine } from '../src/forecast/censor.ts';
import { forecast } from '../src/forecast/index.ts';
import { EventColumnsBuilder } from '../src/engine/events.ts';
import type { EventTypeCode } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { synthHistory } from './forecast-helpers.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { recommend } from '../src/recommend/index.ts';
import type { SimulateFn } from '../src/forecast/montecarlo.ts';

/** What a platform's export shows: only the events its own limits let through (queues dropped). */
function platformCut(events: EventColumns): EventColumns {
  const r = simulate(validatePlan({ ...planInput, enforcement: { webhookWhenLimited: 'drop' } }), events);
  const b = new EventColumnsBuilder();
  for (let i = 0; i < events.count; i++) if (r.outcome[i] === 0) b.push(events.time[i], events.type[i] as EventTypeCode, events.subjects[events.subject[i]], events.cost[i]);
  return b.build();
}

const planInput = {
  workspace: { seats: 50, messagesPerSeatPerDay: 100 },
  apiKeys: [{ id: 'k_capped', capUsd: 150 }],
  triggers: [{ id: 't_hot', kind: 'webhook' as const }],
};
const plan = validatePlan(planInput);

describe('censored history, read from the engine’s replay', () => {
  it('treats days a limit held at its ceiling as bounds when the export holds only what was let through', () => {
    // the platform admitted 42 runs a day of a webhook that wanted ~55: the export shows 42
    const cut = platformCut(synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 55, hours: [0, 24] }], 5, false));
    const h = buildHistory(cut);
    const c = censoredFromEngine(cut, simulate(plan, cut), h);
    const mask = c.days.get('trigger_runs:t_hot');
    expect(mask).toBeDefined();
    expect(mask!.filter(Boolean).length).toBeGreaterThan(30);
    expect(c.series).toEqual([{ kind: 'trigger_runs', id: 't_hot', days: mask!.filter(Boolean).length }]);
  });

  it('never reads a schedule as held at 42 under the platform profile, which never checks a schedule against it (section 9 rule 3)', () => {
    // a schedule that fires 48 times a day: the platform runs every fire, so 42 and more a day is its demand
    const every = synthHistory(40, [{ type: 'trigger', subject: 't_cron', daily: () => 48, hours: [0, 24] }], 7, false);
    const schedule = { ...planInput, triggers: [{ id: 't_cron', kind: 'scheduled' as const }] };
    const platform = validatePlan({ ...schedule, enforcement: { profile: 'platform' } });
    const result = simulate(platform, every);
    const c = censoredFromEngine(every, result, buildHistory(every));
    expect(c.series).toEqual([]);
    expect(c.days.get('trigger_runs:t_cron')?.some(Boolean) ?? false).toBe(false);
  });

  it('reads an export that holds the demand beyond the limit as demand', () => {
    // the same webhook with every delivery in the export: the replay queues runs, so nothing is a bound
    const full = synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 55, hours: [0, 24] }], 5, false);
    const c = censoredFromEngine(full, simulate(plan, full), buildHistory(full));
    expect(c.days.size).toBe(0);
  });

  it('says so in the forecast and forecasts the key held at its cap above what it was let spend', async () => {
    // a key that wants $8 a day, stopped by the platform at its $150 cap: the export shows ~$5 a day
    const ev = platformCut(synthHistory(60, [{ type: 'api', subject: 'k_capped', daily: () => 8_000_000, costPerRequest: 50_000, hours: [0, 24] }], 3, false));
    const r = await forecast(ev, plan, { days: 30, paths: 0 });
    const s = r.series.find((x) => x.id === 'k_capped')!;
    expect(s.censoredDays).toBeGreaterThan(20);
    expect(r.censored.map((x) => x.id)).toContain('k_capped');
    expect(r.notes.join(' ')).toMatch(/history censored by the plan's own limits on 1 series: k_capped/);
    expect(s.total.p50).toBeGreaterThan(150_000_000);
  });

  it("judges the history by the limits it was recorded under when the paths run another plan (the export's recommended one)", async () => {
    // the same key held at its $150 cap; the recommendation raises the cap to $1,000, under which
    // the replay refuses nothing: the days are still bounds, because $150 is what cut the export
    const ev = platformCut(synthHistory(60, [{ type: 'api', subject: 'k_capped', daily: () => 8_000_000, costPerRequest: 50_000, hours: [0, 24] }], 3, false));
    const raised = validatePlan({ ...planInput, apiKeys: [{ id: 'k_capped', capUsd: 1000 }] });
    const own = await forecast(ev, raised, { days: 30, paths: 0 });
    expect(own.censored).toEqual([]);
    const judged = await forecast(ev, raised, { days: 30, paths: 0, recordedPlan: plan });
    expect(judged.censored.map((x) => x.id)).toEqual(['k_capped']);
    const s = judged.series.find((x) => x.id === 'k_capped')!;
    expect(s.total.p50).toBeGreaterThan(own.series.find((x) => x.id === 'k_capped')!.total.p50);
    expect(s.total.p50).toBeGreaterThan(150_000_000);
  });

  it("reads the recorded plan's held days from the recommendation's replay of it (the export): no second replay, the same forecast", async () => {
    const ev = platformCut(synthHistory(60, [{ type: 'api', subject: 'k_capped', daily: () => 8_000_000, costPerRequest: 50_000, hours: [0, 24] }], 3, false));
    const rec = recommend(ev, plan, { paths: 20 });
    // the recommendation raises the cap: the forecast runs another plan than the recorded one
    expect(JSON.stringify(rec.plan)).not.toBe(JSON.stringify(plan));
    const replayed: string[] = [];
    const counting: SimulateFn = (p, e, o) => {
      replayed.push(JSON.stringify(p));
      return simulate(p, e, o);
    };
    const exported = await forecast(ev, rec.plan, { days: 30, paths: 0, workers: 0, recordedPlan: plan, simulate: counting });
    // only the recommended plan's replay (the paths' start state); the recorded plan's was recommend's
    expect(replayed).toEqual([JSON.stringify(rec.plan)]);
    // a copy of the events is new to both: judged by its own replay, the same answer
    const fresh = await forecast({ ...ev }, rec.plan, { days: 30, paths: 0, workers: 0, recordedPlan: plan, simulate: counting });
    expect(replayed).toHaveLength(3);
    expect(exported.censored.map((x) => x.id)).toEqual(['k_capped']);
    expect(exported.censored).toEqual(fresh.censored);
    expect(exported.series).toEqual(fresh.series);
  });

  it('fits a series found censored with its bounds on worker threads too (the workers start fitting before the replay ends)', async () => {
    // the key held at its $150 cap beside a key no limit touches: on workers, every series is
    // fitted as if uncensored while this thread replays the history; the censored one must be
    // fitted again, so the answer is the one this thread alone gives
    const ev = platformCut(
      synthHistory(
        60,
        [
          { type: 'api', subject: 'k_capped', daily: () => 8_000_000, costPerRequest: 50_000, hours: [0, 24] },
          { type: 'api', subject: 'k_free', daily: () => 2_000_000, costPerRequest: 40_000, hours: [0, 24] },
        ],
        3,
        false,
      ),
    );
    // a copy each: the same events object would reuse the first forecast's replay
    const onWorkers = await forecast({ ...ev }, plan, { days: 30, paths: 4, seed: 5, workers: 2 });
    const here = await forecast({ ...ev }, plan, { days: 30, paths: 4, seed: 5, workers: 0 });
    expect(onWorkers.censored.map((x) => x.id)).toEqual(['k_capped']);
    expect(onWorkers.series).toEqual(here.series);
    expect(onWorkers.keyCaps).toEqual(here.keyCaps);
    expect(onWorkers.monteCarlo).toEqual(here.monteCarlo);
  });

  it('says so for counts too: trigger runs held at 42 a day and messages held at the allowance', async () => {
    // a webhook that wants ~55 runs a day, let through at 42; in another workspace, people who
    // want ~260 messages a day against an allowance of 200 (2 seats × 100)
    const runs = platformCut(synthHistory(40, [{ type: 'trigger', subject: 't_hot', daily: () => 55, hours: [0, 24] }], 5, false));
    const r = await forecast(runs, plan, { days: 30, paths: 0 });
    const t = r.series.find((x) => x.id === 't_hot')!;
    expect(t.censoredDays).toBeGreaterThan(30);
    expect(r.censored).toEqual([{ kind: 'trigger_runs', id: 't_hot', days: t.censoredDays }]);
    const text = describeForecast(r);
    expect(text).toContain('history censored by a limit on 1 series (days at the ceiling read as lower bounds)');
    expect(text).toMatch(new RegExp(`trigger_runs +t_hot .*censored ${t.censoredDays} d`));
    // demand, not what the limit let through: above 42 a day
    expect(t.total.p50).toBeGreaterThan(42 * 30);

    const small = validatePlan({ ...planInput, workspace: { seats: 2, messagesPerSeatPerDay: 100 }, triggers: [] });
    const all = synthHistory(40, [{ type: 'message', subject: 'u', daily: () => 260, hours: [0, 24] }], 6, false);
    const cut = simulate(small, all);
    const b = new EventColumnsBuilder();
    for (let i = 0; i < all.count; i++) if (cut.outcome[i] === 0) b.push(all.time[i], all.type[i] as EventTypeCode, all.subjects[all.subject[i]], all.cost[i]);
    const m = await forecast(b.build(), small, { days: 30, paths: 0 });
    const people = m.series.find((x) => x.kind === 'messages')!;
    expect(people.censoredDays).toBeGreaterThan(30);
    expect(m.censored.map((x) => x.kind)).toEqual(['messages']);
    expect(people.total.p50).toBeGreaterThan(200 * 30);
  });
});
