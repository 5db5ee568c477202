/**
 * The days the fair-use pool held the history. The platform's exports hold only the runs it
 * admitted, so a pool that held the fair-use triggers shows as 24 h at exactly the pool, never
 * above it: on such a day each fair-use trigger's runs are what the pool let through, a lower bound
 * on its demand, not the demand (censor.ts reads them so). Read once here, in the forecast's layer,
 * for the forecast's censoring and for recommend's seats advice (recommend/held.ts `heldPoolDays`)
 * alike, so the two never disagree on which days the pool held.
 */
import { DAY } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { Outcome, Reason } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { pooled } from '../engine/limits/pool.ts';
import { windowPeakDays } from './window-peak.ts';

/** The pool's hold on a history. */
export interface PoolHold {
  /** the pool: fair-use runs per sliding 24 h */
  pool: number;
  /**
   * per UTC day the pool held, in order, the first instant that day its 24 h count reached the
   * pool (an entry taking its last unit): counted as `headroom simulate` counts a held limit's days
   */
  firstFullAt: number[];
}

/**
 * The days the fair-use pool held the history replayed in `result`, or null when it did not hold,
 * as `headroom simulate` judges it (views/held-limits.ts): the pool's 24 h count reached its limit
 * (a pool merely busy, under it, held nothing) and the replay refused (or delayed) no run by it. A
 * replay that refuses some holds demand beyond the pool in the export, which is then the demand
 * itself. A unit is taken by a pooled run (limits/pool.ts `pooled`) when admitted, and under the
 * platform's code (a fair-use webhook dropped when limited, SPEC section 9 rule 4) also by one its
 * own limit or the allowance then refused, at its attempt.
 */
export function poolHoldOf(events: EventColumns, result: SimulationResult): PoolHold | null {
  const plan = result.plan;
  if (!Number.isFinite(plan.pool) || plan.pool <= 0 || result.poolPeak < plan.pool) return null;
  const platform = plan.profile === 'platform';
  const inPool = plan.triggers.map((t) => pooled(t.kind, t.mode, platform));
  const takesUnits = plan.triggers.map((t) => platform && t.kind === 'webhook' && t.mode === 'fair_use' && !plan.queueWebhooks);
  const units: number[] = [];
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger) continue;
    const g = result.entity[i]!;
    if (!inPool[g]) continue;
    const isAdmitted = result.outcome[i] === Outcome.admitted;
    if (result.reason[i] === Reason.pool && (!isAdmitted || result.admittedAt[i]! > events.time[i]!)) return null;
    if (isAdmitted) units.push(result.admittedAt[i]!);
    else if (takesUnits[g] && result.outcome[i] === Outcome.dropped && (result.reason[i] === Reason.trigger_limit || result.reason[i] === Reason.allowance)) units.push(events.time[i]!);
  }
  const firstFullAt: number[] = [];
  const { peak } = windowPeakDays(Float64Array.from(units), DAY, plan.edgeMs, plan.pool, Number.NEGATIVE_INFINITY, firstFullAt);
  return peak >= plan.pool ? { pool: plan.pool, firstFullAt } : null;
}

/** The days of a hold from `from` on (a day counts by its first full instant, as windowPeakDays counts it). */
export function poolHeldDaysFrom(hold: PoolHold, from: number): number {
  let n = 0;
  for (const t of hold.firstFullAt) if (t >= from) n++;
  return n;
}
