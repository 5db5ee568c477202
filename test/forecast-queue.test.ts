import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantile } from 'simple-statistics';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { Outcome } from '../src/engine/result.ts';
import { simulate } from '../src/engine/simulate.ts';
import { DAY, HOUR } from '../src/engine/units.ts';
import { isolatedTrigger } from '../src/forecast/queue.ts';

const FROM = Date.UTC(2026, 2, 1);

describe('a trigger on its own', () => {
  it('decides exactly as the engine when only its own limit can stop it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2 * 24, max: 4 * 24 - 1 }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('webhook', 'scheduled'),
        fc.constantFrom('queue', 'drop'),
        fc.constantFrom(null, 0, 2, 30),
        fc.integer({ min: 0, max: 48 }),
        (hours, limit, kind, when, maxWait, extraHours) => {
          // times on a half-hour grid so equal timestamps and exact expiries happen
          const times = hours.map((h, i) => FROM + h * HOUR + (i % 2) * 30 * 60_000).sort((a, b) => a - b);
          const history = times.filter((t) => t < FROM);
          const future = times.filter((t) => t >= FROM);
          const b = new EventColumnsBuilder();
          for (const t of times) b.push(t, EventType.trigger, 't', 0);
          const plan = validatePlan({
            workspace: { messagesPerSeatPerDay: null, spendLimits: [] },
            triggers: [{ id: 't', kind, limitPer24h: limit }],
            enforcement: { webhookWhenLimited: when, maxQueueWaitHours: maxWait },
          });
          const until = FROM + 4 * DAY + extraHours * HOUR;
          const r = simulate(plan, b.build(), { until });
          const want = { arrivals: 0, delayed: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 0, p95DelayMs: 0 };
          const delays: number[] = [];
          for (let i = history.length; i < times.length; i++) {
            want.arrivals++;
            const o = r.outcome[i];
            if (o === Outcome.admitted) {
              const d = r.admittedAt[i] - times[i];
              if (d > 0) {
                want.delayed++;
                want.maxDelayMs = Math.max(want.maxDelayMs, d);
                delays.push(d);
              }
            } else if (o === Outcome.dropped) want.dropped++;
            else if (o === Outcome.skipped) want.skipped++;
            else if (o === Outcome.pending) want.pending++;
          }
          const got = isolatedTrigger(history, future, {
            limit,
            windowMs: DAY,
            scheduled: kind === 'scheduled',
            queue: when === 'queue',
            maxWaitMs: maxWait === null ? Infinity : maxWait * HOUR,
            until,
          });
          // the 95th percentile of the delays as the report's other percentiles are read (type 7)
          if (delays.length) want.p95DelayMs = quantile(delays, 0.95);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
