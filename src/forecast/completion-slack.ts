import { DAY } from '../engine/units.ts';
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
 * 1 when the spend completed up to the slack before it, over the cap's window, had reached the cap
 * already (demand the platform would have refused too), 0 when it may have been such a request in flight.
 */
export function capBeyondSlack(times: ArrayLike<number>, costs: ArrayLike<number>, capMicros: number, windowMs: number, refused: readonly number[], slackMs: number = COMPLETION_SLACK_MS): Uint8Array {
  const out = new Uint8Array(refused.length);
  let lo = 0;
  let hi = 0;
  let sum = 0;
  refused.forEach((k, j) => {
    const t = times[k]!;
    // the spend of (t - window, t - slack]
    while (hi < times.length && times[hi]! <= t - slackMs) sum += costs[hi++]!;
    while (lo < hi && times[lo]! <= t - windowMs) sum -= costs[lo++]!;
    if (sum >= capMicros) out[j] = 1;
  });
  return out;
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

const inOrder = (times: readonly number[]): boolean => times.every((v, k) => k === 0 || times[k - 1]! <= v);

/** `refused` (indices into `times`) with `beyond` read for each, or 1 for each when it cannot be. */
function refusals(times: readonly number[], refused: readonly number[], beyond: (() => ArrayLike<number>) | null, byRefusal: boolean): SlackRefusals {
  const at = refused.map((k) => times[k]!);
  if (refused.length === 0 || beyond === null || !inOrder(times)) return { at, beyond: new Uint8Array(refused.length).fill(1) };
  const b = beyond();
  return { at, beyond: Uint8Array.from(refused, (k, j) => b[byRefusal ? j : k]!) };
}

/**
 * The refusals of `result` by a trigger's own limit, a key's cap and the allowance, each read
 * against the completion times' slack: what a limit that cut the export's history refuses when the
 * history is replayed at completion times, and what is demand beyond it. The forecast's censoring,
 * `headroom simulate`'s held limits and the platform's trigger advice read the same.
 */
export function completionSlack(events: EventColumns, result: SimulationResult): CompletionSlack {
  const plan = result.plan;
  const trigArr = plan.triggers.map(() => [] as number[]);
  const trigRef = plan.triggers.map(() => [] as number[]);
  const keyArr = plan.keys.map(() => [] as number[]);
  const keyCost = plan.keys.map(() => [] as number[]);
  const keyRef = plan.keys.map(() => [] as number[]);
  const allowArr: number[] = [];
  const allowRef: number[] = [];
  for (let i = 0; i < events.count; i++) {
    const type = events.type[i];
    const e = result.entity[i]!;
    const t = events.time[i]!;
    const admitted = result.outcome[i] === Outcome.admitted;
    if (type === EventType.api) {
      // only a capped key is refused by a cap
      if (plan.keys[e]!.capMicros === null) continue;
      keyArr[e]!.push(t);
      keyCost[e]!.push(events.cost[i]!);
      if (!admitted && result.reason[i] === Reason.key_cap) keyRef[e]!.push(keyArr[e]!.length - 1);
    } else if (type === EventType.trigger) {
      trigArr[e]!.push(t);
      if (plan.triggers[e]!.mode === 'fair_use') allowArr.push(t);
      if ((!admitted || result.admittedAt[i]! > t) && result.reason[i] === Reason.trigger_limit) trigRef[e]!.push(trigArr[e]!.length - 1);
    } else {
      allowArr.push(t);
      if (!admitted && result.reason[i] === Reason.allowance) allowRef.push(allowArr.length - 1);
    }
  }
  return {
    triggers: plan.triggers.map((tr, g) => refusals(trigArr[g]!, trigRef[g]!, Number.isFinite(tr.limit) ? () => beyondSlack(trigArr[g]!, tr.limit) : null, false)),
    keys: plan.keys.map((k, j) => {
      const cap = k.capMicros;
      return refusals(keyArr[j]!, keyRef[j]!, cap === null ? null : () => capBeyondSlack(keyArr[j]!, keyCost[j]!, cap, plan.keyCapWindowMs, keyRef[j]!), true);
    }),
    allowance: refusals(allowArr, allowRef, Number.isFinite(plan.allowance) ? () => beyondSlack(allowArr, plan.allowance) : null, false),
  };
}
