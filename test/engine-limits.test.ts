/**
 * The limit modules under src/engine/limits, each against a literal reading of its rule on random
 * inputs (the engine as a whole is checked against the reference in the property tests).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyCaps } from '../src/engine/limits/key-cap.ts';
import { Pool, pooled, REFUSED_ALLOWANCE, REFUSED_POOL, REFUSED_TRIGGER, takeUnitsInOrder, TAKEN_ALL } from '../src/engine/limits/pool.ts';
import { Allowance } from '../src/engine/limits/allowance.ts';
import { ActorThrottles, THROTTLE_HOUR, THROTTLE_MINUTE, THROTTLE_PASSES } from '../src/engine/limits/throttle.ts';
import { TriggerLimits } from '../src/engine/limits/trigger-limit.ts';
import { DAY, HOUR, MINUTE } from '../src/engine/units.ts';

const T0 = Date.UTC(2026, 0, 5);

describe('ActorThrottles (SPEC section 9 rule 7)', () => {
  // attempts: (actor, ms after the previous attempt); limits small so that both refuse often
  // and gaps that land on the windows' edges (s + W, s + W + 1 ms) now and then
  const gap = fc.oneof(fc.integer({ min: 0, max: 40_000 }), fc.constantFrom(0, 1, 59_999, 60_000, 60_001, 600_000, 3_599_999, 3_600_000, 3_600_001));
  const attempts = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), gap), { maxLength: 300 });

  it('refuses exactly when the literal count of admitted entries per actor reaches a limit, minute first', () => {
    fc.assert(
      fc.property(attempts, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 12 }), fc.constantFrom(0, 1), fc.boolean(), (list, perMinute, perHour, edge, hourOn) => {
        const hour = hourOn ? perHour : Number.POSITIVE_INFINITY;
        const th = new ActorThrottles(perMinute, hour, MINUTE + edge, HOUR + edge);
        const admitted: [number, number][] = [];
        let t = T0;
        for (const [a, dt] of list) {
          t += dt;
          // an entry at s counts at t while t - W < s (docs), or t - W <= s (platform's edge)
          const inLast = (w: number) => admitted.filter(([b, s]) => b === a && s > t - w - edge && s <= t).length;
          const expected = inLast(MINUTE) >= perMinute ? THROTTLE_MINUTE : inLast(HOUR) >= hour ? THROTTLE_HOUR : THROTTLE_PASSES;
          const got = th.check(a, t);
          expect(got).toBe(expected);
          if (got === THROTTLE_PASSES) {
            th.admit(a, t);
            admitted.push([a, t]);
          } else {
            // retryAt: the first instant the same check passes, with no new entries
            const at = th.retryAt(a, t, got);
            const w = got === THROTTLE_MINUTE ? MINUTE : HOUR;
            const limit = got === THROTTLE_MINUTE ? perMinute : hour;
            const countAt = (u: number) => admitted.filter(([b, s]) => b === a && s > u - w - edge && s <= u).length;
            if (limit === 0) expect(at).toBe(Number.POSITIVE_INFINITY);
            else {
              expect(countAt(at)).toBeLessThan(limit);
              expect(countAt(at - 1)).toBeGreaterThanOrEqual(limit);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });


  it('an entry that leaves the hour after it left the minute is not counted twice', () => {
    const th = new ActorThrottles(2, 10, MINUTE + 1, HOUR + 1);
    th.admit(0, T0);
    expect(th.check(0, T0 + 2 * MINUTE)).toBe(THROTTLE_PASSES); // T0 is out of the minute, in the hour
    const later = T0 + 2 * HOUR; // out of both
    for (const dt of [0, 1]) {
      expect(th.check(0, later + dt)).toBe(THROTTLE_PASSES);
      th.admit(0, later + dt);
    }
    expect(th.check(0, later + 2)).toBe(THROTTLE_MINUTE);
    expect(th.retryAt(0, later + 2, THROTTLE_MINUTE)).toBe(later + MINUTE + 1);
  });
});

describe('KeyCaps, re-based per UTC day (SPEC section 9 rule 6)', () => {
  it('the spend of day D counts through day D + N - 1 and is freed at 00:00 UTC of day D + N', () => {
    const caps = new KeyCaps(30 * DAY, true, false);
    caps.add(10);
    const d = T0 + 15 * HOUR; // day D, mid-afternoon
    expect(caps.refuses(0, d, 10)).toBe(false);
    caps.admit(0, d, 10);
    const freed = T0 + 30 * DAY; // 00:00 UTC of day D + 30
    expect(caps.refuses(0, freed - 1, 1)).toBe(true);
    expect(caps.retryAt(0, 1)).toBe(freed);
    expect(caps.refuses(0, freed, 1)).toBe(false);
    // the sliding reading frees it at s + 30 days instead, 15 hours later
    const sliding = new KeyCaps(30 * DAY, false, false);
    sliding.add(10);
    sliding.admit(0, d, 10);
    expect(sliding.refuses(0, freed, 1)).toBe(true);
    expect(sliding.retryAt(0, 1)).toBe(d + 30 * DAY);
  });
});

describe('the pool (SPEC section 9 rule 4)', () => {
  it('takes its unit before the trigger limit refuses, and both before the allowance refuses', () => {
    const lifetime = DAY + 1;
    const pool = new Pool(3, lifetime);
    const allowance = new Allowance(2, lifetime);
    const triggers = new TriggerLimits(lifetime);
    triggers.add(1, true);
    triggers.add(5, true);
    expect(takeUnitsInOrder(pool, triggers, 0, allowance, T0)).toBe(TAKEN_ALL);
    // trigger 0 is at its limit: the run still used a pool unit
    expect(takeUnitsInOrder(pool, triggers, 0, allowance, T0 + 1)).toBe(REFUSED_TRIGGER);
    expect(pool.used).toBe(2);
    allowance.admit(T0 + 2); // a person's message fills the allowance
    expect(takeUnitsInOrder(pool, triggers, 1, allowance, T0 + 3)).toBe(REFUSED_ALLOWANCE);
    expect(pool.used).toBe(3);
    expect(triggers.refuses(1, T0 + 3)).toBe(false); // 1 of 5 taken
    expect(takeUnitsInOrder(pool, triggers, 1, allowance, T0 + 4)).toBe(REFUSED_POOL);
    // units leave like admitted entries: the first at exactly s + 24 h + 1 ms
    expect(pool.retryAt()).toBe(T0 + DAY + 1);
    expect(pool.hasRoom(T0 + DAY)).toBe(false);
    expect(pool.hasRoom(T0 + DAY + 1)).toBe(true);
  });

  it('counts fair-use runs, but not platform schedules', () => {
    expect(pooled('webhook', 'fair_use', true)).toBe(true);
    expect(pooled('scheduled', 'fair_use', false)).toBe(true);
    expect(pooled('scheduled', 'fair_use', true)).toBe(false);
    expect(pooled('webhook', 'programmatic', false)).toBe(false);
  });
});

describe('TriggerLimits (SPEC sections 2 and 4: each trigger\'s runs in a sliding 24 h)', () => {
  // one table and one ring for every trigger: each trigger's window must stay its own, also when
  // one grows past its first ring (limits over 1024) and when a later pass takes the tables back
  const limit = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(42, 1500, Number.POSITIVE_INFINITY));
  const gap = fc.oneof(fc.integer({ min: 0, max: 600_000 }), fc.constantFrom(0, 1, DAY - 1, DAY, DAY + 1, 2 * DAY));
  const steps = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), gap, fc.integer({ min: 1, max: 400 })), { maxLength: 60 });

  it('refuses, fills and frees each trigger as its own count of runs in (t - W, t] would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(limit, fc.boolean()), { minLength: 4, maxLength: 4 }), steps, fc.integer({ min: 1, max: 2 }), (triggers, plan, passes) => {
        const lifetime = DAY + 1;
        for (let pass = 0; pass < passes; pass++) {
          const limits = new TriggerLimits(lifetime);
          for (const [l, checked] of triggers) limits.add(l, checked);
          const admitted: number[][] = triggers.map(() => []);
          let t = T0;
          for (const [g, dt, burst] of plan) {
            t += dt;
            const [l, checked] = triggers[g];
            const counted = (at: number): number => admitted[g].filter((s) => s > at - lifetime).length;
            for (let k = 0; k < burst; k++) {
              const refused = checked && counted(t) >= l;
              expect(limits.refuses(g, t)).toBe(refused);
              if (refused) {
                expect(limits.full(g)).toBe(true);
                const live = admitted[g].filter((s) => s > t - lifetime);
                expect(limits.retryAt(g)).toBe(Math.min(...live) + lifetime);
                break;
              }
              limits.admit(g, t);
              if (checked && l !== Number.POSITIVE_INFINITY) admitted[g].push(t);
            }
            expect(limits.limited(g)).toBe(checked && l !== Number.POSITIVE_INFINITY);
          }
          const expiries = admitted.flatMap((runs) => runs.map((s) => s + lifetime)).filter((end) => end > t);
          expect(limits.firstExpiryAfter(t)).toBe(expiries.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...expiries));
          limits.handBack();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('TriggerLimits, a window past its first ring', () => {
  it('keeps every run of a trigger with a high limit, in order, beside a small one', () => {
    const lifetime = DAY + 1;
    const limits = new TriggerLimits(lifetime);
    limits.add(3000, true);
    limits.add(2, true);
    // 2,500 runs of trigger 0, 30 s apart (20.8 h: all in one window, past a first ring of 1,024),
    // trigger 1's runs between them
    for (let k = 0; k < 2500; k++) {
      const t = T0 + k * 30_000;
      expect(limits.refuses(0, t)).toBe(false);
      limits.admit(0, t);
      if (k % 1000 === 0 && !limits.refuses(1, t)) limits.admit(1, t);
    }
    expect(limits.refuses(0, T0 + 2500 * 30_000)).toBe(false);
    expect(limits.retryAt(0)).toBe(T0 + lifetime);
    // trigger 1 took two runs (at k = 0 and 1000) and is full; its window was not written over
    expect(limits.full(1)).toBe(true);
    expect(limits.retryAt(1)).toBe(T0 + lifetime);
    // each run leaves at s + W: at 24 h + 1 ms after the first, the first has left
    expect(limits.refuses(0, T0 + lifetime)).toBe(false);
    expect(limits.retryAt(0)).toBe(T0 + 30_000 + lifetime);
    expect(limits.firstExpiryAfter(T0 + lifetime)).toBe(T0 + 30_000 + lifetime);
  });
});
