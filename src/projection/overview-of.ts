import type { EventColumns } from '../engine/events.ts';
import { PartsSimulator } from '../engine/parts.ts';
import type { Plan } from '../engine/plan.ts';
import { buildOverview } from './overview.ts';
import type { OverviewBody } from './overview.ts';

/** Buckets the engine samples for charts; projections are pooled down from these to the pixels. */
export const TIMELINE_BUCKETS = 2048;

/**
 * The saved plan's overview over `events`, simulated as the compute worker simulates it first
 * (the parts simulator, charts sampled in TIMELINE_BUCKETS): what a command-line import stores
 * for the app's next open, equal to the app's own live answer.
 */
export function overviewOf(plan: Plan, events: EventColumns, options: { signal?: { readonly aborted: boolean } } = {}): OverviewBody {
  const result = new PartsSimulator(events).run(plan, { timelineBuckets: TIMELINE_BUCKETS, ...options });
  return buildOverview(plan.workspace.name, events, result);
}
