/**
 * A trigger's days exactly at its limit. The platform's exports hold only the runs it admitted,
 * so a trigger its limit held shows as a run of days at exactly the limit (censored history),
 * never above it: those days say the demand was at least the limit, not that it fitted.
 */

import { DAY } from '../engine/units.ts';
import type { HeldPace } from '../forecast/held-demand.ts';
import { counted } from '../engine/words.ts';
import { DAYS_LOOKED_AT, lastDaysText } from './days-looked-at.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { Outcome, Reason } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { onlySlack } from '../engine/completion-slack.ts';
import { poolHeldDaysFrom, poolHoldOf } from '../forecast/pool-hold.ts';
import { windowPeakDays } from '../forecast/window-peak.ts';
import type { SlackRefusals } from '../engine/completion-slack.ts';
import { defaultHoldOf, holdDays, holdExplains } from '../forecast/default-hold.ts';
import type { DefaultHold } from '../forecast/default-hold.ts';

/** Days exactly at a trigger's limit (of the days looked at) before they read as held by it rather than chance. */
export const HELD_DAYS_MIN = 3;

// counted as simulate and the Overview count a held limit's days (views/held-limits.ts reads it here)
export { windowPeakDays } from '../forecast/window-peak.ts';

/** A trigger above its limit only in 24 h that span two calendar days: why its days never show it. */
export const occasionalAcrossMidnight = 'occasional peaks, in 24 h that span two calendar days (so no single day shows them)';

/** Why a day at the limit counts: what the exports cannot show. */
export function heldText(limit: number): string {
  return `the exports hold only the runs the platform admitted, so a day its limit held hides the runs it refused: demand was at least ${limit} in 24 h`;
}

/** Per trigger of the replay `result`, the times its admitted runs were admitted at. */
function admittedRunTimes(events: EventColumns, result: SimulationResult): number[][] {
  const admitted = result.plan.triggers.map(() => [] as number[]);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger || result.outcome[i] !== Outcome.admitted) continue;
    admitted[result.entity[i]!]?.push(result.admittedAt[i]!);
  }
  return admitted;
}

/**
 * Per trigger its limit held, the UTC days from `from` on when it held it, counted as `headroom
 * simulate` counts them (windowPeakDays over the runs the replay `result` admitted, at the plan's
 * window edge). Held as simulate judges it: its admitted runs reached the limit in 24 h and the
 * replay refused (or delayed) none of its runs by that limit beyond the completion times' slack
 * (`slack`: completionSlack(events, result).triggers); a trigger the replay refuses more of has its
 * demand in the export, not held back, and is left out. A schedule under the platform's code is
 * never checked against its limit (SPEC section 9 rule 3), so it is never held by it.
 */
export function heldDaysByTrigger(events: EventColumns, result: SimulationResult, slack: readonly SlackRefusals[], from: number): Map<string, number> {
  const plan = result.plan;
  const admitted = admittedRunTimes(events, result);
  const out = new Map<string, number>();
  plan.triggers.forEach((t, g) => {
    if (!Number.isFinite(t.limit) || t.limit <= 0) return;
    if (plan.profile === 'platform' && t.kind === 'scheduled') return;
    const refused = slack[g];
    if (refused !== undefined && refused.at.length > 0 && !onlySlack(refused)) return;
    const { peak, days } = windowPeakDays(Float64Array.from(admitted[g]!), DAY, plan.edgeMs, t.limit, from);
    if (peak >= t.limit) out.set(t.id, days);
  });
  return out;
}

/** A webhook held at the platform's default before the plan's higher limit (defaultHeldByTrigger). */
export interface DefaultHeldDays {
  hold: DefaultHold;
  /** UTC days from the days looked at on that the ceiling then in force held it (42, or the later one after a step) */
  days: number;
  /** of those, the days at the default */
  atDefault: number;
  /** such days over the whole history, and 00:00 UTC of the last of them */
  allDays: number;
  lastDay: number;
}

/** Per trigger of the replay `result`, the times of its runs as the history has them (admitted by the replay or not). */
function runTimes(events: EventColumns, result: SimulationResult): number[][] {
  const runs = result.plan.triggers.map(() => [] as number[]);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] === EventType.trigger) runs[result.entity[i]!]?.push(events.time[i]!);
  }
  return runs;
}

/**
 * Per webhook whose runs read as held at the platform's default of 42 before the plan's higher
 * limit, or at 42 and then at an override above the plan's limit that the plan does not state
 * (forecast/default-hold.ts, the reading the forecast's censoring and simulate's held list take,
 * over its runs as the history has them): the days it held them from `from` on, and over the whole
 * history. Held as simulate judges a held limit: the replay refused (or delayed) none of its runs
 * by its limit beyond the completion times' slack (`slack`) and that override.
 */
export function defaultHeldByTrigger(events: EventColumns, result: SimulationResult, slack: readonly SlackRefusals[], from: number): Map<string, DefaultHeldDays> {
  const plan = result.plan;
  const runs = runTimes(events, result);
  const out = new Map<string, DefaultHeldDays>();
  plan.triggers.forEach((t, g) => {
    const times = Float64Array.from(runs[g]!).sort();
    const hold = defaultHoldOf(t, times, plan.edgeMs);
    if (hold === null) return;
    const refused = slack[g];
    if (refused !== undefined && !holdExplains(hold, refused)) return;
    const { days, atDefault, allDays, lastDay } = holdDays(hold, times, plan.edgeMs, from);
    if (lastDay !== null) out.set(t.id, { hold, days, atDefault, allDays, lastDay });
  });
  return out;
}

/** The days the platform's code held a trigger (codeHeldDaysByTrigger). */
export interface CodeHeldDays {
  /** UTC days from the days looked at on */
  days: number;
  /** UTC days over the whole history, and 00:00 UTC of the last of them */
  allDays: number;
  lastDay: number;
}

/**
 * Per programmatic trigger the docs set no limit (the replay `result` under the documented
 * profile), whose admitted runs reached exactly the limit the platform's code holds it at without
 * an override (SPEC section 9 rule 2: 42) in 24 h and never more: the UTC days from `from` on when
 * they did, and those over the whole history (its peak is the whole replay's, so a trigger held
 * only before `from` is held all the same, on none of the days from `from`). Read as `headroom simulate` reads it (views/held-limits.ts): its peak over the whole
 * replay at the replay's own window edge, so a run exactly 24 h after another counts as simulate
 * counts it and the two never disagree on whether the code's limit held the history.
 */
export function codeHeldDaysByTrigger(events: EventColumns, result: SimulationResult, from: number): Map<string, CodeHeldDays> {
  const plan = result.plan;
  const admitted = admittedRunTimes(events, result);
  const out = new Map<string, CodeHeldDays>();
  plan.triggers.forEach((t, g) => {
    const code = t.codeLimit;
    if (code === undefined || code <= 0) return;
    const { peak, days, allDays, lastDay } = windowPeakDays(Float64Array.from(admitted[g]!), DAY, plan.edgeMs, code, from);
    if (peak === code && lastDay !== null) out.set(t.id, { days, allDays, lastDay });
  });
  return out;
}

/**
 * The UTC days from `from` on when the message allowance held, counted as for a trigger
 * (windowPeakDays over what the replay `result` admitted into it: people's messages and fair-use
 * runs), or null when it did not hold, as `headroom simulate` judges it: the admissions reached the
 * allowance in 24 h, it refused (or delayed) no trigger run, and every message the replay blocked
 * is one it refused only within the completion times' slack (`slack`: completionSlack(events,
 * result).allowance). A replay that refuses more holds the demand beyond the allowance in the export.
 */
export function heldAllowanceDays(events: EventColumns, result: SimulationResult, slack: SlackRefusals, from: number): number | null {
  const plan = result.plan;
  if (!Number.isFinite(plan.allowance) || plan.allowance <= 0) return null;
  const admitted: number[] = [];
  let blockedMessages = 0;
  for (let i = 0; i < events.count; i++) {
    const type = events.type[i];
    const isAdmitted = result.outcome[i] === Outcome.admitted;
    if (type === EventType.message) {
      if (isAdmitted) admitted.push(result.admittedAt[i]!);
      else blockedMessages++;
    } else if (type === EventType.trigger) {
      if (result.reason[i] === Reason.allowance && (!isAdmitted || result.admittedAt[i]! > events.time[i]!)) return null;
      if (isAdmitted && plan.triggers[result.entity[i]!]?.mode === 'fair_use') admitted.push(result.admittedAt[i]!);
    }
  }
  if (blockedMessages > 0 && !(slack.at.length === blockedMessages && onlySlack(slack))) return null;
  const { peak, days } = windowPeakDays(Float64Array.from(admitted), DAY, plan.edgeMs, plan.allowance, from);
  return peak >= plan.allowance ? days : null;
}

/**
 * The UTC days from `from` on when the fair-use pool held, or null when it did not hold, as
 * `headroom simulate` judges it (views/held-limits.ts): read once in the forecast's layer
 * (forecast/pool-hold.ts), whose censoring reads the same days as bounds on the fair-use
 * triggers' demand. A replay that refuses runs by the pool holds demand beyond the pool in the
 * export, which the seats advice sizes on as it is.
 */
export function heldPoolDays(events: EventColumns, result: SimulationResult, from: number): number | null {
  const hold = poolHoldOf(events, result);
  return hold === null ? null : poolHeldDaysFrom(hold, from);
}

// the pace of a held trigger's runs is its demand for the forecast too: read in the forecast's
// layer, which recommend builds on (forecast/held-demand.ts)
export { heldPace } from '../forecast/held-demand.ts';
export type { HeldPace } from '../forecast/held-demand.ts';

/**
 * What a trigger's runs say of its demand, read with the forecast's (forecast/held-demand.ts): the
 * pace they came at while its limit let them through (null when none was read), and whether that
 * pace is its demand, the figure the forecast draws its days around (when it says more than the
 * days the limit held read alone).
 */
export interface HeldReading {
  pace: HeldPace | null;
  isDemand: boolean;
}

/**
 * The runs a day a trigger is expected to need, the one figure the advice, the report's Triggers
 * table and the support draft give: for a trigger its limit held whose pace is its demand, that
 * pace, the figure the forecast draws its days around; for any other, the forecast's own
 * (`forecast`: the P90 of its paths' daily means, at least the history's p90 day).
 */
export function expectedVolume(forecast: number, pace: HeldPace | null, isDemand: boolean): number {
  return pace !== null && isDemand ? pace.perDay : forecast;
}

/** The words for a held pace in the advice: what it reads and what it assumes. */
export function heldPaceText(p: HeldPace, limit: number): string {
  return (
    `while admitted its runs came at ${p.perDay.toLocaleString('en-US')} per 24 h (${counted(limit, 'run')} in ${p.hours} h, then a pause until its window freed, ${counted(p.stretches, 'time')}): ` +
    'if its requests kept that pace through the pauses, as runs resuming the moment the window frees suggest, that is its demand (a burst at the same hours every day would look the same: check with what sends it)'
  );
}

/**
 * The seats advice when people's messages were held at the allowance (`allowance` per 24 h) on
 * `days` of the days looked at (the last 28 of a history of `historyDays`, or all of a shorter one): the exports hold only the messages the platform admitted, so
 * the busiest 24 h show the allowance itself, and seats cannot be sized on them. With messages
 * assumed to grow with seats, as the seats advice assumes, more seats add as many messages as room.
 */
export function allowanceHeldText(allowance: number, perSeat: number, days: number, historyDays: number): string {
  return (
    `people's messages (with fair-use runs) were held at the allowance of ${allowance.toLocaleString('en-US')} per 24 h on ${days} of ${lastDaysText(DAYS_LOOKED_AT, historyDays)}: ` +
    `the exports hold only the messages the platform admitted (it refuses the rest with plan_message_limit_exceeded), so demand was at least ${counted(perSeat, 'message')} a seat a day and how much more is not in them; ` +
    'more seats add room only as fast as the people they add send messages: raise the messages per seat (a plan change), or move fair-use triggers to programmatic mode to free their units, and watch the refusals'
  );
}
