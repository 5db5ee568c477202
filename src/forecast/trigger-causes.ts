import { formatUsd } from '../engine/units.ts';
import { reasonName } from '../engine/result.ts';
import type { ResolvedPlan } from '../engine/plan.ts';
import { selectBandLinear } from './daily.ts';
import type { Band } from './daily.ts';

/**
 * Which limit held a trigger's runs back. A run that waited, still waits at the horizon, or was
 * dropped or skipped carries the engine's reason for it (SimulationResult.reason): the check that
 * refused it first, or, queued behind an earlier run, what that run waits for. Keys are the
 * engine's reason names: `trigger_limit` (the trigger's own 24 h limit), `pool` (the fair-use
 * pool), `allowance` (the message allowance), `spend_limit:<id>` (a workspace spend limit).
 */
export type TriggerCause = string;

/** Per path and trigger: runs held back, by cause. */
export interface CauseCounts {
  /** admitted late, or still waiting at the horizon */
  delayed: Record<TriggerCause, number>;
  /** dropped (webhooks) or skipped (schedules) */
  dropped: Record<TriggerCause, number>;
}

export function emptyCauses(): CauseCounts {
  return { delayed: {}, dropped: {} };
}

/** The cause of an engine reason code (`other` for a code that names no limit). */
export function causeOf(plan: ResolvedPlan, reason: number): TriggerCause {
  return reasonName(plan, reason) ?? 'other';
}

export function addCause(table: Record<TriggerCause, number>, cause: TriggerCause, n = 1): void {
  if (n > 0) table[cause] = (table[cause] ?? 0) + n;
}

export interface TriggerCauseReport {
  cause: TriggerCause;
  /** what it is, for people: "its own limit of 42 runs per 24 h", "the $380 daily spend limit" */
  label: string;
  /** share of paths in which this limit delayed some of the trigger's runs (or left them waiting) */
  delayChance: number;
  /** share of paths in which this limit dropped or skipped some of them */
  dropChance: number;
  /** runs it delayed, and dropped or skipped, per path */
  delayed: Band;
  dropped: Band;
}

/**
 * The causes of one trigger's held-back runs over the paths, the most likely first. Each chance
 * is read from the same paths as the trigger's own delay and drop chances, so a trigger delayed
 * in 46 % of paths, all by a spend limit, shows that limit at 46 %. Causes can overlap within a
 * path (a run waits on its limit one day and on the pool the next), so their chances need not
 * add up to the trigger's. `columns`: per cause that held back some run, the runs it delayed
 * and dropped on each of the `n` paths.
 */
export function causesOver(columns: ReadonlyMap<TriggerCause, { delayed: Float64Array; dropped: Float64Array }>, n: number, plan: ResolvedPlan, triggerId: string): TriggerCauseReport[] {
  const out: TriggerCauseReport[] = [];
  for (const [cause, { delayed, dropped }] of columns) {
    out.push({
      cause,
      label: causeLabel(cause, plan, triggerId),
      delayChance: n ? delayed.filter((x) => x > 0).length / n : 0,
      dropChance: n ? dropped.filter((x) => x > 0).length / n : 0,
      delayed: bandOf(delayed),
      dropped: bandOf(dropped),
    });
  }
  return out.sort((a, b) => Math.max(b.delayChance, b.dropChance) - Math.max(a.delayChance, a.dropChance) || a.cause.localeCompare(b.cause));
}

const WINDOW_WORDS: Record<string, string> = { 'utc-day': 'daily', 'calendar-month': 'monthly', 'rolling-30d': 'rolling 30-day' };

/** A cause in words, with the limit's own figure. */
export function causeLabel(cause: TriggerCause, plan: ResolvedPlan, triggerId: string): string {
  if (cause === 'trigger_limit') {
    const t = plan.triggers.find((x) => x.id === triggerId);
    return t && Number.isFinite(t.limit) ? `its own limit of ${t.limit.toLocaleString('en-US')} runs per 24 h` : 'its own 24 h limit';
  }
  if (cause === 'pool') return Number.isFinite(plan.pool) ? `the fair-use pool (${plan.pool.toLocaleString('en-US')} runs per 24 h)` : 'the fair-use pool';
  if (cause === 'allowance') return Number.isFinite(plan.allowance) ? `the message allowance (${plan.allowance.toLocaleString('en-US')} per 24 h)` : 'the message allowance';
  if (cause.startsWith('spend_limit:')) {
    const id = cause.slice('spend_limit:'.length);
    const l = plan.spendLimits.find((x) => x.id === id);
    return l ? `the ${formatUsd(l.amountMicros).replace(/\.00$/, '')} ${WINDOW_WORDS[l.window] ?? l.window} spend limit "${id}"` : `the spend limit "${id}"`;
  }
  return 'another limit';
}

/** P10/P50/P90 by simple-statistics' rule (linear interpolation), found by selection. */
function bandOf(values: Float64Array): Band {
  // the chances are counted first: selection reorders the values
  return selectBandLinear(values);
}
