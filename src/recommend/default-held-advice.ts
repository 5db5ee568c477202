/**
 * The trigger advice for a webhook held at the platform's default of 42 runs per 24 h before the
 * plan's higher limit, or at 42 and then at an override above the plan's limit that the plan does
 * not state (forecast/default-hold.ts, read once per replay by held.ts defaultHeldByTrigger), under
 * either profile: the docs' advice (index.ts recommendTriggers) and
 * the platform's code's (triggers-platform.ts recommendTriggersPlatform) say it in these words and
 * size its ask alike. Judged by the plan's limit alone, the platform's advice called such a webhook
 * "within its limit: at most 42 runs a day" while the forecast read its days at 42 as held and
 * dropped its runs in every path.
 */
import { counted } from '../engine/words.ts';
import type { EnforcementProfile } from '../engine/plan.ts';
import { ceilingInForce, holdNotInForce, holdPredates, holdText, holdWhy, holdWords, impliedOverride } from '../forecast/default-hold.ts';
import type { DefaultHoldWords } from '../forecast/default-hold.ts';
import { heldText } from './held.ts';
import type { DefaultHeldDays } from './held.ts';
import { lastDaysText } from './days-looked-at.ts';

/** A recommendation's `heldAtDefault`: the hold in the reports' words, and its days at the default. */
export type HeldAtDefault = DefaultHoldWords & { daysAtDefault: number };

export function heldAtDefaultOf(d: DefaultHeldDays): HeldAtDefault {
  return { ...holdWords(d.hold), daysAtDefault: d.atDefault };
}

/** The limit the history ends under (42, or the later one after a step): what its ask is sized against, not the plan's. */
export function defaultHeldInForce(d: DefaultHeldDays): number {
  return ceilingInForce(d.hold);
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Held at the default, but too few of the days looked at to size an ask on: said all the same, as
 * simulate names it held over the whole history ("; it was held at the platform's default 42 on 9
 * days of the history (0 of the last 28 days), the last on …"), or '' when it never was.
 */
export function defaultHeldBeforeText(d: DefaultHeldDays, recentDays: number, historyDays: number): string {
  if (d.allDays === 0) return '';
  const on = `on ${counted(d.allDays, 'day')} of the history (${d.days} of ${lastDaysText(recentDays, historyDays)}), the last on ${isoDay(d.lastDay)}`;
  return `; it was ${holdText(holdWords(d.hold), on)}: the history was held there then`;
}

/**
 * Why its days at the limit then in force are bounds, as the profile reads the platform. The docs
 * say a limited webhook waits for its window; the platform's code drops it (SPEC section 9 rule 5,
 * dust-facts.md): its runs beyond the limit were never run, not late, whatever queue the plan sets
 * as a what-if, since the history came from the platform.
 */
function boundText(d: DefaultHeldDays, profile: EnforcementProfile): string {
  const inForce = defaultHeldInForce(d);
  if (profile !== 'platform') return heldText(inForce);
  const words = holdWords(d.hold);
  const beyond = words.stepOn !== undefined ? `${words.limit} in 24 h until ${words.stepOn} and beyond ${inForce.toLocaleString('en-US')} from then` : `${inForce} in 24 h`;
  return (
    `the platform's code dropped its runs beyond ${beyond}, marking each request "Rate Limited", never queuing or retrying it, ` +
    `and the exports hold only the runs it admitted, so a day it held hides the runs it dropped: demand was at least ${inForce} in 24 h`
  );
}

/**
 * The advice's opening: "held at the platform's default 42 on 20 of the last 28 days, before the
 * plan's 100: its runs sat at exactly 42 in 24 h and never more (why those days are bounds)
 * `figures`". `atLimit`: its days from the days looked at on at the limit then in force.
 */
export function defaultHeldSeen(d: DefaultHeldDays, atLimit: number, recentDays: number, historyDays: number, figures: string, profile: EnforcementProfile): string {
  const words = holdWords(d.hold);
  const on = `on ${atLimit} of ${lastDaysText(recentDays, historyDays)}${words.stepOn !== undefined ? ` (${d.atDefault} of them at ${words.limit})` : ''}`;
  return `${holdText(words, on)}: ${holdWhy(words)} (${boundText(d, profile)}) ${figures}`;
}

/** A held trigger's case for more in an override's words: the days the limit then in force held it. */
export function heldOnText(byDefault: boolean, atLimit: number): string {
  return `held at ${byDefault ? 'the limit then in force' : 'its limit'} on ${counted(atLimit, 'day')} (demand beyond it is not in the exports)`;
}

/**
 * The ask for a webhook whose plan's limit is an override the history predates (held at the default
 * throughout, or stepped to a ceiling below the plan's), sized by limitRequest against the limit in
 * force: if granted, the plan's limit may hold the demand, and asked at the sized figure support
 * would lower it, so the plan's stays when it is enough. `note` follows the advice's figures (""
 * when the plan's limit is the one in force, as after a step to it).
 */
export function predatesAsk(
  d: DefaultHeldDays,
  request: { wanted: number; ask: string; basis: string },
  planLimit: number,
  volume: number,
): { wanted: number; ask: string; basis: string; note: string } {
  const predates = holdPredates(holdWords(d.hold));
  // an override the plan does not state: the ask is sized against it (limitRequest's limit, so above
  // it), and the plan is told which limit was in force
  const notInForce = holdNotInForce(holdWords(d.hold));
  if (notInForce !== null) return { ...request, note: `; ${notInForce}` };
  if (predates === null) return { ...request, note: '' };
  const note = `; ${predates}; expect about ${counted(volume, 'run')} a day`;
  if (request.wanted > planLimit) return { ...request, note };
  // what sized the ask, from its words: "a limit of 100 runs per 24 h (the forecast's 76 a day … + 25 % headroom, rounded up)"
  const sizedOn = /\((.*)\)$/.exec(request.ask)?.[1] ?? request.basis;
  return {
    wanted: planLimit,
    ask: `a limit of ${counted(planLimit, 'run')} per 24 h, the plan's, if support has not granted it yet: sized on the history, the ask comes to ${request.wanted.toLocaleString('en-US')} (${sizedOn}), within it`,
    basis: `the limit our plan sets: ${request.basis}, comes to ${request.wanted.toLocaleString('en-US')}, within it`,
    note,
  };
}

/**
 * What the replay's refusals of such a webhook are when the plan states less than the override the
 * history shows ('' otherwise): runs the platform ran, admitted under that override, which only the
 * plan's lower limit refuses.
 */
export function impliedRefusedText(d: DefaultHeldDays): string {
  const seen = impliedOverride(d.hold);
  if (seen === null) return '';
  return `, runs the platform ran (the exports hold them), admitted under the ${seen.toLocaleString('en-US')} in force from ${holdWords(d.hold).stepOn}, that only the plan's ${d.hold.planLimit.toLocaleString('en-US')} refuses`;
}
