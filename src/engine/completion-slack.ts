import { DAY, HOUR, MINUTE } from './units.ts';
import { utcDayStart } from './windows.ts';
import { EventType } from './events.ts';
import type { EventColumns } from './events.ts';
import { Outcome, Reason } from './result.ts';
import type { SimulationResult } from './result.ts';
import type { ResolvedPlan } from './plan.ts';
import { partsOf } from './parts.ts';

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

// ---------------------------------------------------------------------------------------------
// The throttles (SPEC section 9 rule 7)

/**
 * The completion times' slack against a throttle's window: a quarter of it, at most
 * COMPLETION_SLACK_MS (15 s for the minute, 15 min for the hour). The platform counts a request
 * or a message against its throttles when it admits it; the export times it when it completed,
 * seconds later and by a different amount each time, so a key the platform held at exactly 100 a
 * minute shows a 101st request a few seconds inside a minute now and then, which the replay
 * blocks. The 24 h limits' 15 min would leave no minute at all to weigh a refusal by; a quarter
 * of it keeps a real burst over the throttle visible: a refusal counts as demand when it lies in
 * k minutes less 15 s of the history holding more than k times the limit (`throttleSpansBeyond`:
 * a script firing 200 requests a minute does in 45 s, one firing 120 a minute for 3 minutes in
 * 105 s, a key the platform cut at 100 a minute with completions up to 15 s late never does).
 */
export function throttleSlackMs(windowMs: number): number {
  return Math.min(COMPLETION_SLACK_MS, Math.floor(windowMs / 4));
}

/** The throttles' reason codes, and the window each counts over. */
export const THROTTLE_WINDOWS: Readonly<Record<number, number>> = { [Reason.actor_minute]: MINUTE, [Reason.actor_hour]: HOUR, [Reason.workspace_minute]: MINUTE };

/** Whether a reason code is a throttle's (`actor_minute`, `actor_hour`, `workspace_minute`). */
export function isThrottleReason(reason: number): boolean {
  return reason === Reason.actor_minute || reason === Reason.actor_hour || reason === Reason.workspace_minute;
}

/** A throttle's limit under `plan` (UNLIMITED when it is off). */
export function throttleLimit(plan: Pick<ResolvedPlan, 'actorPerMinute' | 'actorPerHour' | 'workspacePerMinute'>, reason: number): number {
  if (reason === Reason.actor_minute) return plan.actorPerMinute;
  if (reason === Reason.actor_hour) return plan.actorPerHour;
  return plan.workspacePerMinute;
}

/**
 * The windows' edges a throttle's refusals came within, in words: "15 s of a request's minute
 * ending", "15 min of a message's hour ending", "15 s of the workspace's minute ending", joined
 * with "or". `reasons`: the throttles' codes (Reason.actor_minute, …) of the refusals said.
 */
export function throttleEdgeWords(reasons: Iterable<number>, unit: 'request' | 'message'): string {
  const seen = new Set(reasons);
  const out: string[] = [];
  for (const code of [Reason.actor_minute, Reason.actor_hour, Reason.workspace_minute]) {
    if (!seen.has(code)) continue;
    const w = THROTTLE_WINDOWS[code]!;
    const ms = throttleSlackMs(w);
    const slack = ms >= MINUTE ? `${ms / MINUTE} min` : `${ms / 1000} s`;
    out.push(`${slack} of ${code === Reason.workspace_minute ? 'the workspace' : `a ${unit}`}'s ${w === HOUR ? 'hour' : 'minute'} ending`);
  }
  return out.join(' or ');
}

/** The reasons of the refusals `r` holds that the completion times' slack explains. */
export function slackReasons(r: ThrottleRefusals): number[] {
  const out: number[] = [];
  r.beyond.forEach((b, j) => {
    if (b === 0) out.push(r.reason[j]!);
  });
  return out;
}

/** One key's, or people's, refusals by the throttles. */
export interface ThrottleRefusals extends SlackRefusals {
  /** per refusal: the throttle's reason code (Reason.actor_minute, …) */
  reason: Uint8Array;
}

export interface ThrottleSlack {
  /** per plan key: its requests a throttle refused (its per-minute or per-hour one) */
  keys: ThrottleRefusals[];
  /** people's messages a throttle refused: each person's minute and hour, the workspace's minute */
  messages: ThrottleRefusals;
}

/**
 * The most spans of the throttle's window a history is read over: an hour of minutes, a day of
 * hours. A burst just over the limit shows only over many windows (101 a minute shows over 26
 * minutes: 101 x 25.75 > 2,600), so the spans go up to where such a sustained burst shows, and no
 * further: every span is one pass over the arrivals.
 */
export const THROTTLE_SPANS_MAX: Readonly<Record<number, number>> = { [MINUTE]: 60, [HOUR]: 24 };

/**
 * For each arrival of `times` (in time order): 1 when it lies in a span of `k` windows less the
 * slack (`k x windowMs - slackMs`, for some k >= 1) holding more than `k x limit`, i.e. in a stretch
 * of the history no throttle of `limit` per `windowMs` could have cut, whatever the completion
 * times' slack; 0 when the history around it reads as one the throttle cut.
 *
 * A throttle admits at most `limit` starts in any window; k windows hold at most k x limit, and
 * exported at completion, up to the slack after the start, any span k windows less the slack long
 * holds at most that too. One window less the slack alone misses a sustained burst: 120 a minute
 * for 3 minutes never puts more than 100 in 45 s, but puts 210 in 105 s, where a cut history holds
 * at most 200. Each k is one sliding pass; k stops once one span covers the whole history, once
 * the history has no more than k x limit arrivals, at THROTTLE_SPANS_MAX, or once no window holds
 * more than the limit and no span of k held more than k x limit (then none of k + 1 can: it is one
 * of k and one window).
 */
export function throttleSpansBeyond(times: ArrayLike<number>, limit: number, windowMs: number, slackMs: number = throttleSlackMs(windowMs)): Uint8Array {
  const n = times.length;
  const out = new Uint8Array(n);
  if (n === 0 || !Number.isFinite(limit)) return out;
  const whole = times[n - 1]! - times[0]!;
  // the most arrivals any one window holds (a window of (t - windowMs, t], as the spans)
  let perWindow = 0;
  for (let i = 0, lo = 0; i < n; i++) {
    while (times[lo]! <= times[i]! - windowMs) lo++;
    perWindow = Math.max(perWindow, i - lo + 1);
  }
  const maxK = THROTTLE_SPANS_MAX[windowMs] ?? 1;
  for (let k = 1; k <= maxK && n > k * limit; k++) {
    const span = Math.max(0, k * windowMs - slackMs);
    const cap = k * limit;
    let over = false;
    // arrivals up to `marked` (exclusive) are marked already: each is marked once per k
    let marked = 0;
    for (let i = 0, lo = 0; i < n; i++) {
      while (times[lo]! <= times[i]! - span) lo++;
      if (i - lo + 1 <= cap) continue;
      over = true;
      for (let m = Math.max(lo, marked); m <= i; m++) out[m] = 1;
      marked = i + 1;
    }
    if (span >= whole || (!over && perWindow <= limit)) break;
  }
  return out;
}

/**
 * For each refusal `k` of `refused` (indices into `times`, in time order), with its throttle
 * `reasons[k]`: 1 when it lies in a span of its throttle's windows less the slack that holds more
 * of `times` than the throttle admits in those windows (`throttleSpansBeyond`: demand beyond the
 * throttle, whatever the completion times), 0 when the slack explains it. `limitOf` gives each
 * throttle's limit.
 */
function throttleBeyond(times: ArrayLike<number>, refused: readonly number[], reasons: readonly number[], limitOf: (reason: number) => number): Uint8Array {
  const out = new Uint8Array(refused.length);
  const byReason = new Map<number, Uint8Array>();
  refused.forEach((k, j) => {
    const r = reasons[j]!;
    let b = byReason.get(r);
    if (b === undefined) {
      const w = THROTTLE_WINDOWS[r]!;
      byReason.set(r, (b = throttleSpansBeyond(times, limitOf(r), w, throttleSlackMs(w))));
    }
    out[j] = b[k]!;
  });
  return out;
}

function throttleRefusals(times: ArrayLike<number>, refused: readonly number[], reasons: readonly number[], beyond: () => Uint8Array): ThrottleRefusals {
  const at = refused.map((k) => times[k]!);
  const reason = Uint8Array.from(reasons);
  if (refused.length === 0 || !inOrder(times)) return { at, beyond: new Uint8Array(refused.length).fill(1), reason };
  return { at, beyond: beyond(), reason };
}

/**
 * The refusals of `result` by the per-minute and per-hour throttles (SPEC section 9 rule 7), each
 * read against the completion times' slack of its window (`throttleSlackMs`): a key's requests
 * against its own requests' count, a person's messages against theirs, the workspace's minute
 * against all people's messages. Every request and message of the history counts, refused by the
 * replay or not: the platform let each through. `only` picks the keys to read (1 per plan key)
 * and whether to read people's messages (most events); the others come back with no refusals.
 * A result joined from parts (engine/parts.ts) is read part by part: each key's requests and all
 * people's messages lie in one part, in order.
 */
export function throttleSlack(events: EventColumns, result: SimulationResult, only?: { keys: Uint8Array; messages: boolean }): ThrottleSlack {
  const plan = result.plan;
  const keyTimes = plan.keys.map(() => [] as number[]);
  const keyRefused = plan.keys.map(() => [] as number[]);
  const keyReasons = plan.keys.map(() => [] as number[]);
  const readMessages = only?.messages ?? true;
  const people: number[] = [];
  const peopleRefused: number[] = [];
  const peopleReasons: number[] = [];
  // per person: their messages' times, and where each refused message of theirs sits among them
  const byUser = new Map<number, number[]>();
  const userOf: number[] = [];
  const userIndex: number[] = [];
  for (const part of partsOf(result) ?? [{ events, result }]) {
    const { type, time, subject } = part.events;
    const { outcome, reason, entity } = part.result;
    for (let i = 0; i < part.events.count; i++) {
      const ty = type[i];
      if (ty === EventType.api) {
        const e = entity[i]!;
        if (e < 0 || (only !== undefined && only.keys[e] !== 1)) continue;
        const list = keyTimes[e]!;
        list.push(time[i]!);
        if (outcome[i] !== Outcome.admitted && isThrottleReason(reason[i]!)) {
          keyRefused[e]!.push(list.length - 1);
          keyReasons[e]!.push(reason[i]!);
        }
      } else if (ty === EventType.message && readMessages) {
        const s = subject[i]!;
        let mine = byUser.get(s);
        if (mine === undefined) byUser.set(s, (mine = []));
        mine.push(time[i]!);
        people.push(time[i]!);
        if (outcome[i] !== Outcome.admitted && isThrottleReason(reason[i]!)) {
          peopleRefused.push(people.length - 1);
          peopleReasons.push(reason[i]!);
          userOf.push(s);
          userIndex.push(mine.length - 1);
        }
      }
    }
  }
  const limitOf = (r: number) => throttleLimit(plan, r);
  const keys = plan.keys.map((_k, e) => throttleRefusals(keyTimes[e]!, keyRefused[e]!, keyReasons[e]!, () => throttleBeyond(keyTimes[e]!, keyRefused[e]!, keyReasons[e]!, limitOf)));
  const messages = throttleRefusals(people, peopleRefused, peopleReasons, () => {
    const out = new Uint8Array(peopleRefused.length);
    // the workspace's minute counts everyone's messages; a person's minute and hour their own
    const workspace = peopleRefused.flatMap((_k, j) => (peopleReasons[j] === Reason.workspace_minute ? [j] : []));
    const all = throttleBeyond(
      people,
      workspace.map((j) => peopleRefused[j]!),
      workspace.map(() => Reason.workspace_minute),
      limitOf,
    );
    workspace.forEach((j, w) => (out[j] = all[w]!));
    const perUser = new Map<number, number[]>();
    peopleReasons.forEach((r, j) => {
      if (r === Reason.workspace_minute) return;
      let list = perUser.get(userOf[j]!);
      if (list === undefined) perUser.set(userOf[j]!, (list = []));
      list.push(j);
    });
    for (const [user, js] of perUser) {
      const mine = byUser.get(user)!;
      if (!inOrder(mine)) {
        for (const j of js) out[j] = 1;
        continue;
      }
      const b = throttleBeyond(
        mine,
        js.map((j) => userIndex[j]!),
        js.map((j) => peopleReasons[j]!),
        limitOf,
      );
      js.forEach((j, m) => (out[j] = b[m]!));
    }
    return out;
  });
  return { keys, messages };
}
