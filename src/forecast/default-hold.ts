/**
 * A webhook the platform held at its default of 42 runs per 24 h (SPEC section 9 rule 2), read
 * under a plan that sets it more. The plan then holds an override the history predates, in whole
 * or in part: put in the plan before support granted it, or granted part-way through the history.
 * Judged by the plan's limit alone, its days at 42 read as demand (a trigger wanting 70 a day read
 * as wanting 42, and one granted 60 part-way read as growing from 42 to 60, forecast at 153 a day).
 *
 * The same reading finds an override the plan does not state (an implied limit, as implied-cap.ts
 * reads a key's cap): held at 42, then at a higher ceiling than the plan's own limit (a trigger the
 * plan leaves out, so at the default 42, or one it sets at 50, that support had granted 60 part-way).
 * Judged by the plan's limit, the replay drops or queues the runs above it that the platform ran,
 * and its days at 60 read as demand beyond the plan's limit, not as held: a forecast below the
 * runs the platform admitted. The ceiling the history shows is the limit in force then.
 *
 * One reading, shared by the forecast's censoring (censor.ts), recommend (recommend/held.ts) and
 * simulate's held list (views/held-limits.ts), over the trigger's runs as the history has them
 * (the replay under a lower plan limit drops or delays some), at the plan's window edge:
 * - held at 42 throughout: its runs sat at exactly 42 in 24 h and never more (only before a plan's
 *   higher limit: under a plan at 42 that is the plan's own limit holding it);
 * - a step: its runs sat at exactly 42 and never more until the first 24 h above it, and from
 *   there at a higher ceiling and never more (the plan's limit, a steady one below it, or one above
 *   it: the override the plan does not state).
 * Conservative: a ceiling is met again and again (HOLD_DAYS_MIN days), and is where the history
 * sits, not a peak it touched once: a trigger wanting 30 to 45 a day shows windows at 36, 40, 43
 * and 47, and its days at exactly 42, or at its highest, are few among them. A ceiling above the
 * plan's needs the same evidence as one at it: the 42 before the step, the default the platform
 * holds every webhook at, is what tells a limit from a sender's own steady pace.
 */
import { DAY } from '../engine/units.ts';
import { DEFAULT_TRIGGER_LIMIT } from '../engine/plan-rules.ts';
import { COMPLETION_SLACK_MS } from '../engine/completion-slack.ts';
import type { SlackRefusals } from '../engine/completion-slack.ts';

/** Days at a ceiling before it reads as one (as the censoring's MIN_CEILING_DAYS and recommend's HELD_DAYS_MIN). */
export const HOLD_DAYS_MIN = 3;

/** A day "came near" the default when its busiest 24 h reached this share of it. */
const NEAR_SHARE = 0.8;

/** The history read as held at the platform's default before the plan's higher limit. */
export interface DefaultHold {
  /** the platform's default the runs sat at (42 per 24 h) */
  limit: number;
  /** the plan's limit, above it */
  planLimit: number;
  /** the admission of the first run above the default in 24 h, from which a higher limit held it; null: the default held the whole history */
  stepAt: number | null;
  /** the ceiling from the step on (the plan's limit, a steady one below it, or one above it); null without a step */
  after: number | null;
}

/** A DefaultHold as the reports give it: the step as the UTC day it came on. */
export interface DefaultHoldWords {
  limit: number;
  planLimit: number;
  /** the UTC day (ISO) of the first run above the default in 24 h, when a higher limit took over part-way */
  stepOn?: string;
  /** the ceiling from that day on */
  after?: number;
  /**
   * the ceiling from `stepOn` on when it is above the plan's limit: an override the history shows
   * that the plan does not state (the limit in force then, not the plan's); present only then
   */
  impliedLimit?: number;
}

/**
 * A whole number with thousands separators, without ICU: simulate's held list is written by the
 * compute worker's first overview, where a first toLocaleString costs ~20 ms (views/held-limits.ts).
 */
function whole(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The runs in each run's 24 h window (a run at `s` counts at `t` while `t < s + 24 h + edgeMs`); `times` sorted. */
function windowCounts(times: ArrayLike<number>, edgeMs: number): Int32Array {
  const counts = new Int32Array(times.length);
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! >= times[lo]! + DAY + edgeMs) lo++;
    counts[i] = i - lo + 1;
  }
  return counts;
}

/** Distinct UTC days of the runs `from` ≤ i < `to` whose window count passes `test`. */
function daysWhere(times: ArrayLike<number>, counts: Int32Array, from: number, to: number, test: (c: number) => boolean): number {
  let days = 0;
  let last = Number.NaN;
  for (let i = from; i < to; i++) {
    if (!test(counts[i]!)) continue;
    const d = Math.floor(times[i]! / DAY);
    if (d !== last) days++;
    last = d;
  }
  return days;
}

/**
 * Whether a webhook's runs (`times`, sorted: the history's, as the platform admitted them) read as
 * held at the platform's default, and how: null when they do not (not a webhook, a plan limit under
 * 42, runs that never sat at 42, runs held at 42 throughout under a plan at 42 (its own limit), or
 * runs that went above 42 without sitting at a higher ceiling). A step to a ceiling above the plan's
 * limit is an override the plan does not state (`impliedOverride`).
 * A schedule is never held by the platform's code (SPEC section 9 rule 3): its runs are its demand.
 * The export times a run when it completed, after the platform admitted it (completion-slack.ts):
 * a window is above a ceiling only when one shorter by that slack is, so a run of 24 h before that
 * took longer to complete does not read as a 43rd.
 */
export function defaultHoldOf(t: { kind: string; limit: number }, times: ArrayLike<number>, edgeMs: number): DefaultHold | null {
  const D = DEFAULT_TRIGGER_LIMIT;
  if (t.kind !== 'webhook' || !Number.isFinite(t.limit) || t.limit < D || times.length < D) return null;
  const full = windowCounts(times, edgeMs);
  const inner = windowCounts(times, edgeMs - COMPLETION_SLACK_MS);
  let step = -1;
  let reached = 0;
  for (let i = 0; i < times.length; i++) {
    if (full[i]! > reached) reached = full[i]!;
    if (inner[i]! > D) {
      step = i;
      break;
    }
  }
  if (reached < D) return null;
  const atLeast = (c: number) => (x: number) => x >= c;
  if (step < 0) {
    // at 42 throughout under a plan at 42: the plan's own limit held it (censor.ts reads that)
    if (t.limit <= D) return null;
    return daysWhere(times, full, 0, times.length, atLeast(D)) >= HOLD_DAYS_MIN ? { limit: D, planLimit: t.limit, stepAt: null, after: null } : null;
  }
  // before the step: at 42 again and again, on a good share of the days that came near it
  const atDefault = daysWhere(times, full, 0, step, atLeast(D));
  const nearDefault = daysWhere(times, full, 0, step, atLeast(NEAR_SHARE * D));
  if (atDefault < HOLD_DAYS_MIN || 3 * atDefault < nearDefault) return null;
  // after it: a ceiling, the highest its windows reach, met on at least half the days above 42.
  // Above the plan's limit it is the limit in force then, one the plan does not state: the export
  // holds only what the platform admitted, and it admitted up to that ceiling and never more
  let peak = 0;
  for (let i = step; i < times.length; i++) if (inner[i]! > peak) peak = inner[i]!;
  const atPeak = daysWhere(times, full, step, times.length, atLeast(peak));
  const aboveDefault = daysWhere(times, inner, step, times.length, (c) => c > D);
  if (atPeak < HOLD_DAYS_MIN || 2 * atPeak < aboveDefault) return null;
  return { limit: D, planLimit: t.limit, stepAt: times[step]!, after: peak };
}

/** The override the hold shows above the plan's limit (its ceiling from the step on), or null when the plan's limit is at least the ceiling in force. */
export function impliedOverride(hold: { planLimit: number | null; after?: number | null }): number | null {
  const after = hold.after ?? null;
  return after !== null && hold.planLimit !== null && after > hold.planLimit ? after : null;
}

/**
 * Whether the hold explains every refusal (or delay) by the trigger's own limit in a replay of the
 * history under the plan (`refusals`, at the runs' times): each is within the completion times'
 * slack, or came from the step on to an override above the plan's limit, where the platform ran
 * what the plan's lower limit refuses (the export holds those runs). Without such an override this
 * is completion-slack.ts's onlySlack, with no refusal at all explained too.
 */
export function holdExplains(hold: DefaultHold, refusals: SlackRefusals): boolean {
  return refusals.beyond.every((b, k) => b === 0 || explained(hold, refusals.at[k]!));
}

/** `refusals` without those the hold explains (`holdExplains`): the rest are demand beyond the limit then in force. */
export function unexplainedBy(hold: DefaultHold, refusals: SlackRefusals): SlackRefusals {
  if (impliedOverride(hold) === null) return refusals;
  return { at: refusals.at, beyond: refusals.beyond.map((b, k) => (b === 1 && !explained(hold, refusals.at[k]!) ? 1 : 0)) };
}

function explained(hold: DefaultHold, t: number): boolean {
  return impliedOverride(hold) !== null && t >= hold.stepAt!;
}

/** The ceiling a run at `t` was held at under `hold`: the default before the step, the later ceiling from it. */
export function holdCeilingAt(hold: DefaultHold, t: number): number {
  return hold.stepAt !== null && t >= hold.stepAt ? hold.after! : hold.limit;
}

/** The ceiling the history ends under: the later one after a step, else the default. */
export function ceilingInForce(hold: DefaultHold): number {
  return hold.after ?? hold.limit;
}

/**
 * The UTC days a hold held the runs (`times`, sorted): those with a run whose 24 h reached the
 * ceiling then in force, counted as simulate counts a held limit's days (recommend/held.ts
 * windowPeakDays). `days` and `atDefault` (the days at 42) from `from` on; `allDays` over all the
 * runs, and 00:00 UTC of the last such day (null when none).
 */
export function holdDays(hold: DefaultHold, times: ArrayLike<number>, edgeMs: number, from = Number.NEGATIVE_INFINITY): { days: number; atDefault: number; allDays: number; lastDay: number | null } {
  const counts = windowCounts(times, edgeMs);
  let days = 0;
  let atDefault = 0;
  let allDays = 0;
  let last = Number.NaN;
  let lastDefault = Number.NaN;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const ceiling = holdCeilingAt(hold, t);
    if (counts[i]! < ceiling) continue;
    const d = Math.floor(t / DAY);
    if (d !== last) {
      allDays++;
      if (t >= from) days++;
    }
    last = d;
    if (ceiling === hold.limit && d !== lastDefault && t >= from) atDefault++;
    if (ceiling === hold.limit) lastDefault = d;
  }
  return { days, atDefault, allDays, lastDay: Number.isNaN(last) ? null : last * DAY };
}

/** The hold as the reports give it. */
export function holdWords(hold: DefaultHold): DefaultHoldWords {
  return {
    limit: hold.limit,
    planLimit: hold.planLimit,
    ...(hold.stepAt !== null ? { stepOn: new Date(Math.floor(hold.stepAt / DAY) * DAY).toISOString().slice(0, 10), after: hold.after! } : {}),
    ...(impliedOverride(hold) !== null ? { impliedLimit: hold.after! } : {}),
  };
}

/**
 * The hold in words: "held at the platform's default 42 on 20 of the last 28 days, before the
 * plan's 100", or with a step, "held at the platform's default 42 until 2026-09-24, then at its
 * limit of 60, on 21 of …", or to an override the plan does not state, "… then at 60, above the
 * plan's 42, on 21 of …". `on`: the days, in words, when said. The same words in forecast,
 * recommend and simulate.
 */
export function holdText(h: DefaultHoldWords, on?: string): string {
  const plan = whole(h.planLimit);
  if (h.stepOn === undefined) return `held at the platform's default ${h.limit}${on !== undefined ? ` ${on}` : ''}, before the plan's ${plan}`;
  const after = h.after === h.planLimit ? `its limit of ${plan}` : `${whole(h.after!)}, ${h.after! > h.planLimit ? 'above' : 'below'} the plan's ${plan}`;
  return `held at the platform's default ${h.limit} until ${h.stepOn}, then at ${after}${on !== undefined ? `, ${on}` : ''}`;
}

/** The hold in a list's few words: "42 until 2026-09-24, then 60, the plan's limit". */
export function holdShort(h: DefaultHoldWords): string {
  const plan = whole(h.planLimit);
  if (h.stepOn === undefined) return `${h.limit}, before the plan's ${plan}`;
  const after = h.after === h.planLimit ? "the plan's limit" : h.after! > h.planLimit ? `above the plan's ${plan}, an override it does not state` : `below the plan's ${plan}`;
  return `${h.limit} until ${h.stepOn}, then ${whole(h.after!)}, ${after}`;
}

/**
 * What an override the plan does not state means for the plan (null without one): "a limit of 60
 * looks granted, and the plan's 42 (the platform's default) was not in force from 2026-09-21: …
 * put 60 in the plan". As implied-cap.ts says of a key's cap the plan does not state.
 */
export function holdNotInForce(h: DefaultHoldWords): string | null {
  if (h.impliedLimit === undefined) return null;
  const seen = whole(h.impliedLimit);
  const plan = `${whole(h.planLimit)}${h.planLimit === DEFAULT_TRIGGER_LIMIT ? " (the platform's default)" : ''}`;
  return `a limit of ${seen} looks granted, and the plan's ${plan} was not in force from ${h.stepOn}: its days at ${seen} are read as held there, as if the plan stated it; if ${seen} is its limit now, put ${seen} in the plan`;
}

/** What the runs show that reads as such a hold. */
export function holdWhy(h: DefaultHoldWords): string {
  if (h.stepOn === undefined) return `its runs sat at exactly ${h.limit} in 24 h and never more`;
  return `its runs sat at exactly ${h.limit} in 24 h and never more until ${h.stepOn}, and at exactly ${whole(h.after!)} and never more from then: a higher limit granted part-way through the history`;
}

/**
 * The plan's limit above the one the history ends under: an override the history predates (if it
 * was granted, the history cannot show it), or null when the plan's limit is the one in force.
 */
export function holdPredates(h: DefaultHoldWords): string | null {
  const inForce = h.after ?? h.limit;
  if (h.planLimit <= inForce) return null;
  const plan = whole(h.planLimit);
  return `the plan's ${plan} is an override the history predates: if support has granted ${plan}, its demand beyond ${whole(inForce)} is not in the history`;
}
