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

/**
 * The triggers of `result`'s plan (by id) whose runs refused or delayed by their own limit all
 * come within the slack of a run's 24 h ending (beyondSlack): the limit the history was cut at,
 * replayed at completion times, not demand beyond it.
 */
export function limitRefusalsWithinSlack(events: EventColumns, result: SimulationResult): Set<string> {
  const plan = result.plan;
  const arrivals = plan.triggers.map(() => [] as number[]);
  const byLimit = plan.triggers.map(() => [] as number[]);
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger) continue;
    const e = result.entity[i]!;
    arrivals[e]!.push(events.time[i]!);
    const refused = result.outcome[i] !== Outcome.admitted || result.admittedAt[i]! > events.time[i]!;
    if (refused && result.reason[i] === Reason.trigger_limit) byLimit[e]!.push(arrivals[e]!.length - 1);
  }
  const out = new Set<string>();
  plan.triggers.forEach((t, e) => {
    const times = arrivals[e]!;
    const limited = byLimit[e]!;
    if (limited.length === 0 || !Number.isFinite(t.limit) || !times.every((v, k) => k === 0 || times[k - 1]! <= v)) return;
    const beyond = beyondSlack(times, t.limit);
    if (limited.every((k) => beyond[k] === 0)) out.add(t.id);
  });
  return out;
}
