import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { PlanInput } from '../src/engine/plan.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { forecast } from '../src/forecast/index.ts';
import { makeRng, poisson } from '../src/forecast/rng.ts';
import { describeForecast } from '../src/cli/commands/forecast.ts';
import { T0, wd, WEEKLY } from './forecast-helpers.ts';

// Which limit made a trigger's runs wait: the forecast names it per trigger, from the engine's
// own reasons on the same paths that give the trigger's delay and drop chances.

const DAYS = 42;

/** Runs per day around `mean` (Poisson, weekday rhythm), 08:00–20:00, each costing `costMicros`. */
function runs(b: EventColumnsBuilder, id: string, mean: number, costMicros: number, seed: number): void {
  const rng = makeRng(seed);
  for (let d = 0; d < DAYS; d++) {
    const n = poisson(rng, mean * WEEKLY[wd(d)]);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(T0 + d * DAY + 8 * HOUR + Math.floor(rng() * 12 * HOUR));
    times.sort((x, y) => x - y);
    for (const t of times) b.push(t, EventType.trigger, id, costMicros);
  }
}

async function causesOf(plan: PlanInput, build: (b: EventColumnsBuilder) => void) {
  const b = new EventColumnsBuilder();
  build(b);
  const r = await forecast(b.build(), validatePlan(plan), { days: 21, paths: 30, seed: 4, workers: 0 });
  return { r, triggers: r.monteCarlo!.triggers };
}

describe('which limit made a trigger wait', () => {
  it('names the workspace spend limit when a programmatic trigger waits only on it', async () => {
    // 40 runs a weekday at $1.20 (about $55 on a weekday) against a $50 daily spend limit; the
    // trigger has no limit of its own, nothing else spends
    const { r, triggers } = await causesOf(
      {
        workspace: { seats: 10, messagesPerSeatPerDay: 100, spendLimits: [{ id: 'daily', amountUsd: 50, window: 'utc-day' }] },
        triggers: [{ id: 't_enrich', kind: 'webhook', mode: 'programmatic', limitPer24h: -1 }],
      },
      (b) => runs(b, 't_enrich', 40, 1_200_000, 11),
    );
    const t = triggers.find((x) => x.id === 't_enrich')!;
    expect(t.delayChance).toBeGreaterThan(0.5);
    expect(t.causes.map((c) => c.cause)).toEqual(['spend_limit:daily']);
    // the cause's chance is the trigger's own: every delay came from that limit
    expect(t.causes[0].delayChance).toBe(t.delayChance);
    expect(t.causes[0].label).toBe('the $50 daily spend limit "daily"');
    expect(describeForecast(r)).toContain(`trigger t_enrich: delayed with a chance of ${Math.round(t.delayChance * 100)} %, by the $50 daily spend limit "daily" (${Math.round(t.delayChance * 100)} %)`);
  }, 60_000);

  it('names its own 24 h limit when a fair-use trigger waits on it, and the pool when the pool is what is full', async () => {
    // t_busy: ~55 runs a weekday against its own limit of 42, with a pool of 500 runs per 24 h far above all runs;
    // t_quiet: 10 a day, never near its limit
    const own = await causesOf(
      {
        workspace: { seats: 10, messagesPerSeatPerDay: 100 },
        triggers: [
          { id: 't_busy', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
          { id: 't_quiet', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
        ],
      },
      (b) => {
        runs(b, 't_busy', 50, 0, 21);
        runs(b, 't_quiet', 10, 0, 22);
      },
    );
    const busy = own.triggers.find((x) => x.id === 't_busy')!;
    expect(busy.delayChance).toBe(1);
    expect(busy.causes.map((c) => [c.cause, c.delayChance])).toEqual([['trigger_limit', 1]]);
    expect(busy.causes[0].label).toBe('its own limit of 42 runs per 24 h');
    expect(own.triggers.find((x) => x.id === 't_quiet')!.causes).toEqual([]);

    // the same two, each with a limit of its own far above its runs, sharing a pool of 45 runs
    // per 24 h: what holds them back is the pool
    const pool = await causesOf(
      {
        workspace: { seats: 1, messagesPerSeatPerDay: 100, fairUseShare: 0.45 },
        triggers: [
          { id: 't_busy', kind: 'webhook', mode: 'fair_use', limitPer24h: 500 },
          { id: 't_quiet', kind: 'webhook', mode: 'fair_use', limitPer24h: 500 },
        ],
      },
      (b) => {
        runs(b, 't_busy', 50, 0, 21);
        runs(b, 't_quiet', 10, 0, 22);
      },
    );
    const pooled = pool.triggers.find((x) => x.id === 't_busy')!;
    expect(pooled.delayChance).toBe(1);
    expect(pooled.causes.map((c) => c.cause)).toEqual(['pool']);
    expect(pooled.causes[0].label).toBe('the fair-use pool (45 runs per 24 h)');
  }, 60_000);
});
