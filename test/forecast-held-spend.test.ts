/**
 * Where the Monte Carlo's key caps start: from the spend the platform holds now. A cap counts the
 * key's own recorded usage over the last 29-30 days (dust-facts: usage >= cap before a request
 * runs; the last 29 days loaded each UTC day), and a new cap set today re-decides none of it. The
 * export forecasts the recommended plan; started from that plan's replay of the history instead,
 * a runaway day the new cap would have cut short counted only up to the cap, and a key the window
 * holds over its new cap for three more weeks read as capped out for a day or two.
 */
import { describe, expect, it } from 'vitest';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { Outcome, Reason } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import { forecast } from '../src/forecast/index.ts';
import { T0 } from './forecast-helpers.ts';

const DAYS = 40;
/** 10 days before the history ends, a script loops: $500 in one afternoon */
const RUNAWAY_DAY = 30;

/**
 * $10 a day in `perDay` requests over 09:00–19:00, and the runaway day's fifty $10 requests. At 60
 * a day the platform's throttle of 100 a minute could refuse two days' requests, so the paths
 * decide the key in the engine, not on its own.
 */
function history(perDay = 10) {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    for (let i = 0; i < perDay; i++) b.push(T0 + d * DAY + 9 * HOUR + Math.floor((i * 10 * HOUR) / perDay), EventType.api, 'k', 10_000_000 / perDay);
    if (d === RUNAWAY_DAY) for (let i = 0; i < 50; i++) b.push(T0 + d * DAY + 14 * HOUR + i * 60_000 + 30_000, EventType.api, 'k', 10_000_000);
  }
  return b.build();
}

describe('the Monte Carlo key caps of a plan the admin has not applied yet', () => {
  const recorded = validatePlan({ workspace: { spendLimits: [] }, apiKeys: [{ id: 'k', capUsd: null }] });
  // $400 fits ordinary use ($300 in 30 days); the window holds $790 today, $500 of it until the
  // runaway day leaves it, 20 days into the forecast
  const capped = validatePlan({ workspace: { spendLimits: [] }, apiKeys: [{ id: 'k', capUsd: 400 }] });
  const from = T0 + DAYS * DAY;

  for (const [profile, perDay] of [['documented', 10], ['platform', 60]] as const) {
    it(`start from the spend the platform holds: the key is capped out from the first day until the runaway day leaves the window (${profile})`, async () => {
      const enforcement = { profile };
      const fc = await forecast(history(perDay), { ...capped, enforcement: { ...capped.enforcement, ...enforcement } }, {
        recordedPlan: { ...recorded, enforcement: { ...recorded.enforcement, ...enforcement } },
        days: 30,
        paths: 40,
        workers: 0,
      });
      const k = fc.monteCarlo!.keys.find((x) => x.id === 'k')!;
      expect(k.firstCappedOut.probability).toBe(1);
      expect(Date.parse(k.firstCappedOut.p90!)).toBeLessThan(from + DAY);
      // blocked from the first request of day 40 until the runaway day leaves: 00:00 of day 60
      // (the platform), about 14:20 of day 60 (a rolling window, once $390 of it has left)
      expect(k.daysCappedOut.p10).toBeGreaterThan(19);
      expect(k.daysCappedOut.p50).toBeLessThan(21);
    });
  }

  it('start the same as the plan itself when it is the recorded one', async () => {
    const fc = await forecast(history(), capped, { days: 30, paths: 40, workers: 0 });
    const own = await forecast(history(), capped, { recordedPlan: capped, days: 30, paths: 40, workers: 0 });
    expect(own.monteCarlo!.keys).toEqual(fc.monteCarlo!.keys);
  });
});

describe("the engine's held requests (SimulateOptions.heldBefore)", () => {
  it('takes the requests before it unchecked, into the key cap and the spend limits, and checks the ones after', () => {
    const plan = validatePlan({ workspace: { spendLimits: [{ id: 'day', amountUsd: 2, window: 'utc-day' }] }, apiKeys: [{ id: 'k', capUsd: 1 }] });
    const b = new EventColumnsBuilder();
    for (let i = 0; i < 4; i++) b.push(T0 + i * HOUR, EventType.api, 'k', 1_000_000);
    const events = b.build();
    const held = simulate(plan, events, { heldBefore: T0 + 2 * HOUR + 1 });
    const { admitted, blocked } = Outcome;
    expect([...held.outcome]).toEqual([admitted, admitted, admitted, blocked]);
    // the $3 held is over the $1 cap (and the $2 day): the cap, checked first, refuses the fourth
    expect(held.reason[3]).toBe(Reason.key_cap);
    expect([...simulate(plan, events).outcome]).toEqual([admitted, blocked, blocked, blocked]);
  });
});
