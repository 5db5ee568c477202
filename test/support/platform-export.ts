import { EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import type { EventColumns, EventTypeCode } from '../../src/engine/events.ts';
import { validatePlan } from '../../src/engine/plan.ts';
import type { Plan } from '../../src/engine/plan.ts';
import { Outcome } from '../../src/engine/result.ts';
import { simulate } from '../../src/engine/simulate.ts';
import { DAY, HOUR, MINUTE } from '../../src/engine/units.ts';

/** The platform's export of `events` under `plan`: only what it admitted, at the time it admitted it. */
export function exportedUnder(plan: Plan, events: EventColumns): EventColumns {
  const sim = simulate(plan, events);
  const kept: [number, number][] = [];
  for (let i = 0; i < events.count; i++) if (sim.outcome[i] === Outcome.admitted) kept.push([sim.admittedAt[i]!, i]);
  kept.sort((a, b) => a[0] - b[0]);
  const b = new EventColumnsBuilder();
  for (const [t, i] of kept) b.push(t, events.type[i]! as EventTypeCode, events.subjects[events.subject[i]!]!, events.cost[i]!);
  return b.build();
}

/** Three fair-use webhooks that share the pool, with no limit of their own in the plan. */
export const POOL_HOOKS = ['hook_a', 'hook_b', 'hook_c'];

export function poolPlan(profile: 'platform' | 'documented', seats = 2): Plan {
  return validatePlan({
    workspace: { name: 'Pool', seats, messagesPerSeatPerDay: 100, fairUseShare: 0.5, spendLimits: [] },
    triggers: POOL_HOOKS.map((id) => ({ id, name: `Agent ${id}`, kind: 'webhook', mode: 'fair_use', limitPer24h: null })),
    enforcement: { profile },
  });
}

/** What was sent from `t0`: each hook 43 to 47 runs a day spread over the day, two people 15 to 19 messages in office hours. */
export function poolDemand(days: number, t0: number): EventColumns {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < days; d++) {
    POOL_HOOKS.forEach((id, h) => {
      const n = 43 + ((d * 7 + h * 3) % 5);
      for (let k = 0; k < n; k++) b.push(t0 + d * DAY + Math.floor(((k + h / 3) * DAY) / n) + 11 * h, EventType.trigger, id, 100_000);
    });
    for (let u = 0; u < 2; u++) {
      const n = 15 + ((d + u) % 5);
      for (let k = 0; k < n; k++) b.push(t0 + d * DAY + 9 * HOUR + k * 25 * MINUTE + u * 7 * MINUTE, EventType.message, `u${u}`, 50_000);
    }
  }
  return b.build();
}
