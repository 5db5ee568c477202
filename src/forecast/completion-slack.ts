import { DAY } from '../engine/units.ts';
import { utcDayStart } from '../engine/windows.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { Outcome, Reason } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';

/**
 * The consumption export's times are when an agent message's steps completed, not when the
 * platform admitted the run: its trigger limit counted admissions, and each run completed its
 * first step some seconds to minutes later, by a different amount each time. Replayed at those
 * times, a trigger the platform held at exactly 42 runs per 24 h shows a 43rd run a little inside
 * the window now and then (the run of 24 h before took longer to complete), which the replay
 * queues for that moment (docs) or drops (the platform's code). Such a refusal is the export's
 * timing, not demand beyond the limit: no window shorter by the slack holds more runs than the
 * limit.
 */
export const COMPLETION_SLACK_MS = 15 * 60_000;

/**
 * For each arrival of `times` (in time order): 1 when it is more than `limit` in a window of
 * `windowMs - slackMs` ending at it, i.e. demand beyond the limit whatever the completion times'
 * slack; 0 when the limit admits it had it arrived up to the slack later.
 */
export function beyondSlack(times: ArrayLike<number>, limit: number, windowMs: number = DAY, slackMs: number = COMPLETION_SLACK_MS): Uint8Array {
  const out = new Uint8Array(times.length);
  const span = Math.max(0, windowMs - slackMs);
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[lo]! <= times[i]! - span) lo++;
    if (i - lo + 1 > limit) out[i] = 1;
  }
  return out;
}

/**
 * A key's requests refused by its cap in a replay at completion times: the platform checked the
 * cap before each request ran and added its cost when it finished, so a request whose predecessors
 * were still running passed with the key's spend under the cap, and its completion lands after the
 * spend that crossed it. For each refused request (`refused`: indices into `times`, in time order):
 * 1 when the spend completed up to the slack before it had reached the cap already in the window
 * the platform checks (demand the platform would have refused too), 0 when it may have been such a
 * request in flight, or one only a longer window refuses.
 *
 * The window is the platform's (dust-facts "Key caps on legacy plans", SPEC section 9 rule 6): the
 * spend of today and the `windowMs / DAY - 1` UTC days before it, re-based at 00:00 UTC, whichever
 * profile the replay reads the plan by. The history came from the platform, which let through
 * whatever that window left room for; the docs' window to the millisecond also holds the end of the
 * day that the platform freed at midnight, and refuses requests early in the day that the platform
 * let through (a key its $100 cap held, back at $90 at 00:00, refused at 12:50 because the previous
 * month's same day still counted until 12:50). Such a refusal is the docs' window, not demand.
 */
export function capBeyondSlack(times: ArrayLike<number>, costs: ArrayLike<number>, capMicros: number, windowMs: number, refused: readonly number[], slackMs: number = COMPLETION_SLACK_MS): Uint8Array {
  const out = new Uint8Array(refused.length);
  let lo = 0;
  let hi = 0;
  let sum = 0;
  refused.forEach((k, j) => {
    const t = times[k]!;
    // the spend of [the window's first UTC day, t - slack]
    while (hi < times.length && times[hi]! <= t - slackMs) sum += costs[hi++]!;
    while (lo < hi && utcDayStart(times[lo]!) + windowMs <= t) sum -= costs[lo++]!;
    if (sum >= capMicros) out[j] = 1;
  });
  return out;
}

/**
 * Of a key's requests its cap refused (`refused`: indices into `times`, in time order), how many
 * the completion times' slack explains (`capBeyondSlack` 0) although the platform's own window
 * (today and the `windowMs / DAY - 1` UTC days before it, re-based at 00:00 UTC) held less than the
 * cap even counting every request completed before it: refused only because the docs' window to
 * the millisecond still held the end of a day the platform freed at 00:00 UTC. The rest of those
 * `capBeyondSlack` reads as 0 met a platform window at the cap only by spend completed within the
 * slack before them: in flight when the cap was reached (dust-facts: the platform checks
 * `usage >= cap` before a request runs and adds its cost when it completes). A refusal the
 * platform's window never reached the cap for is never said to be in flight: that would tell an
 * admin the platform let spend overshoot in a history where it never did. What `headroom simulate`
 * says of a held key's refusals.
 */
export function capRefusedByDocsWindow(times: ArrayLike<number>, costs: ArrayLike<number>, capMicros: number, windowMs: number, refused: readonly number[], slackMs: number = COMPLETION_SLACK_MS): number {
  const platform = capBeyondSlack(times, costs, capMicros, windowMs, refused, slackMs);
  let n = 0;
  let lo = 0;
  let hi = 0;
  let sum = 0;
  refused.forEach((k, j) => {
    const t = times[k]!;
    // the spend of the requests completed before this one, in the platform's window at t
    while (hi < k) sum += costs[hi++]!;
    while (lo < hi && utcDayStart(times[lo]!) + windowMs <= t) sum -= costs[lo++]!;
    if (platform[j] === 0 && sum < capMicros) n++;
  });
  return n;
}

/** One limit's refusals in a replay at completion times. */
export interface SlackRefusals {
  /** each refused event's time (for a trigger, delayed ones too), in the events' order */
  at: number[];
  /**
   * per refusal: 1 when it is demand beyond the limit whatever the completion times' slack, 0 when
   * the slack explains it (`beyondSlack`, `capBeyondSlack`); all 1 when the events are not in
   * time order (an out-of-order CSV: every refusal reads as demand)
   */
  beyond: Uint8Array;
}

/**
 * The limits to read (1 per plan key or trigger to read); the others come back with no refusals.
 * A caller that needs a few skips collecting the rest's arrivals: the allowance's are most events.
 */
export interface SlackSelection {
  keys: Uint8Array;
  triggers: Uint8Array;
  allowance: boolean;
}

export interface CompletionSlack {
  /** per plan trigger: its runs its own limit refused or delayed */
  triggers: SlackRefusals[];
  /** per plan key: its requests its cap refused */
  keys: SlackRefusals[];
  /** people's messages the allowance refused, weighed against every arrival that takes a unit (messages and fair-use runs) */
  allowance: SlackRefusals;
}

/** Whether the limit refused something and the completion times' slack explains all of it. */
export function onlySlack(r: SlackRefusals): boolean {
  return r.at.length > 0 && r.beyond.every((b) => b === 0);
}

function inOrder(times: ArrayLike<number>): boolean {
  for (let k = 1; k < times.length; k++) if (times[k - 1]! > times[k]!) return false;
  return true;
}

/** `refused` (indices into `times`) with `beyond` read for each, or 1 for each when it cannot be. */
function refusals(times: ArrayLike<number>, refused: ArrayLike<number>, beyond: (() => ArrayLike<number>) | null, byRefusal: boolean): SlackRefusals {
  const n = refused.length;
  const at = new Array<number>(n);
  for (let j = 0; j < n; j++) at[j] = times[refused[j]!]!;
  const out = new Uint8Array(n);
  if (n === 0 || beyond === null || !inOrder(times)) return { at, beyond: out.fill(1) };
  const b = beyond();
  for (let j = 0; j < n; j++) out[j] = b[byRefusal ? j : refused[j]!]!;
  return { at, beyond: out };
}

/** Whether a trigger run is one its own limit refused or delayed: what a trigger's `SlackRefusals` hold. */
export function limitRefusedRun(admitted: boolean, admittedAt: number, time: number, reason: number): boolean {
  return (!admitted || admittedAt > time) && reason === Reason.trigger_limit;
}

/** Whether an API request is one its key's cap refused: what a key's `SlackRefusals` hold. */
export function capRefusedRequest(admitted: boolean, reason: number): boolean {
  return !admitted && reason === Reason.key_cap;
}

/** A trigger's refusals by its limit (`refused`: indices into `times`, its arrivals in the events' order). */
export function triggerRefusals(times: ArrayLike<number>, refused: ArrayLike<number>, limit: number): SlackRefusals {
  return refusals(times, refused, Number.isFinite(limit) ? () => beyondSlack(times, limit) : null, false);
}

/** A capped key's refusals by its cap (`refused`: indices into `times` and `costs`, its requests in the events' order). */
export function keyRefusals(times: ArrayLike<number>, costs: ArrayLike<number>, refused: ArrayLike<number>, capMicros: number, windowMs: number): SlackRefusals {
  return refusals(times, refused, () => capBeyondSlack(times, costs, capMicros, windowMs, Array.from(refused)), true);
}

/**
 * The refusals of `result` by a trigger's own limit, a key's cap and the allowance, each read
 * against the completion times' slack: what a limit that cut the export's history refuses when the
 * history is replayed at completion times, and what is demand beyond it. The forecast's censoring,
 * `headroom simulate`'s held limits and the platform's trigger advice read the same.
 */
export function completionSlack(events: EventColumns, result: SimulationResult, only?: SlackSelection): CompletionSlack {
  const plan = result.plan;
  const allowance = only?.allowance ?? true;
  const trigArr = plan.triggers.map(() => [] as number[]);
  const trigRef = plan.triggers.map(() => [] as number[]);
  const keyArr = plan.keys.map(() => [] as number[]);
  const keyCost = plan.keys.map(() => [] as number[]);
  const keyRef = plan.keys.map(() => [] as number[]);
  const allowArr: number[] = [];
  const allowRef: number[] = [];
  // the result's arrays read once: a joined result (engine/parts.ts) gives them through getters
  const { type: types, time, cost } = events;
  const { outcome, admittedAt, reason, entity } = result;
  for (let i = 0; i < events.count; i++) {
    const type = types[i];
    if (type === EventType.message && !allowance) continue;
    const e = entity[i]!;
    const t = time[i]!;
    const admitted = outcome[i] === Outcome.admitted;
    if (type === EventType.api) {
      // only a capped key is refused by a cap
      if (plan.keys[e]!.capMicros === null || (only !== undefined && only.keys[e] !== 1)) continue;
      keyArr[e]!.push(t);
      keyCost[e]!.push(cost[i]!);
      if (capRefusedRequest(admitted, reason[i]!)) keyRef[e]!.push(keyArr[e]!.length - 1);
    } else if (type === EventType.trigger) {
      if (allowance && plan.triggers[e]!.mode === 'fair_use') allowArr.push(t);
      if (only !== undefined && only.triggers[e] !== 1) continue;
      trigArr[e]!.push(t);
      if (limitRefusedRun(admitted, admittedAt[i]!, t, reason[i]!)) trigRef[e]!.push(trigArr[e]!.length - 1);
    } else {
      allowArr.push(t);
      if (!admitted && reason[i] === Reason.allowance) allowRef.push(allowArr.length - 1);
    }
  }
  return {
    triggers: plan.triggers.map((tr, g) => triggerRefusals(trigArr[g]!, trigRef[g]!, tr.limit)),
    keys: plan.keys.map((k, j) => {
      const cap = k.capMicros;
      return cap === null ? refusals(keyArr[j]!, keyRef[j]!, null, true) : keyRefusals(keyArr[j]!, keyCost[j]!, keyRef[j]!, cap, plan.keyCapWindowMs);
    }),
    allowance: refusals(allowArr, allowRef, Number.isFinite(plan.allowance) ? () => beyondSlack(allowArr, plan.allowance) : null, false),
  };
}
