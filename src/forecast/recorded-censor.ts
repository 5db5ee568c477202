import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import type { CensorSummary } from './censor.ts';

/**
 * Which days a plan's limits held the history down, remembered per events and plan. `headroom
 * export` replays the recorded plan in `recommend`, then forecasts the recommended plan while
 * judging the history by the recorded one (`ForecastOptions.recordedPlan`): without this it
 * replayed the recorded plan a second time (0.4 s of CPU on 1M events). Both read the same
 * days: the engine decides each event from the ones before it, so the replay of every event
 * (recommend's) and of those before the history's end (the forecast's) agree on every history day.
 */
const remembered = new WeakMap<EventColumns, { plan: string; censored: CensorSummary }>();

/** The plan and the keys the platform exported (censor.ts `censoredFromEngine`), as one key. */
export function judgedKey(plan: Plan, exported: ReadonlySet<string> | undefined): string {
  return `${JSON.stringify(plan)}\u0000${exported === undefined ? '' : [...exported].sort().join('\u0000')}`;
}

export function rememberCensored(events: EventColumns, plan: Plan, censored: CensorSummary, exported?: ReadonlySet<string>): void {
  remembered.set(events, { plan: judgedKey(plan, exported), censored });
}

/** The days `plan` held down in `events`, when the same events and plan were judged before (with the same keys exported). */
export function rememberedCensored(events: EventColumns, plan: Plan, exported?: ReadonlySet<string>): CensorSummary | undefined {
  const hit = remembered.get(events);
  return hit !== undefined && hit.plan === judgedKey(plan, exported) ? hit.censored : undefined;
}
