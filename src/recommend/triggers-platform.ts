/**
 * Trigger, seat and pool advice that works on the real platform (SPEC §9, issue 14 item 4).
 *
 * Under the platform's code a programmatic trigger keeps the default limit of 42 runs per 24 h
 * unless support raises it, so a move to programmatic comes with the limit to request; schedules
 * are checked only against the allowance (fair use) or the spend limits (programmatic) and may be
 * programmatic; a fair-use webhook takes a pool unit before its own limit refuses it, so the pool
 * must hold every attempt, not only the admitted runs. Each recommendation says which profile it
 * was computed under, and the recommended plan replayed over the history says what it still
 * refuses (`replayAnnouncements`), so nothing is throttled that the advice does not announce.
 */
import { quantile } from 'simple-statistics';
import { counted } from '../engine/words.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { canonicalMode, resolveTriggerLimit, triggerId, validatePlan } from '../engine/plan.ts';
import type { EnforcementProfile, Plan, PlanTrigger } from '../engine/plan.ts';
import { DEFAULT_TRIGGER_LIMIT } from '../engine/plan-rules.ts';
import { Outcome, reasonName } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { DAY } from '../engine/units.ts';
import { formatDuration } from '../engine/report.ts';
import type { History } from '../forecast/series.ts';
import { chanceText, roundCount } from '../forecast/rounding.ts';
import type { BusyDays, TriggerForecast } from './busy-days.ts';
import { COMPLETION_SLACK_MS, completionSlack, onlySlack, slackReasons, throttleEdgeWords, throttleSlack } from '../engine/completion-slack.ts';
import type { CompletionSlack, ThrottleRefusals } from '../engine/completion-slack.ts';
import { triggerRunTimes } from '../forecast/held-demand.ts';
import type { ForecastCaveat, SeatsRecommendation, TriggerRecommendation } from './index.ts';
import { atLeastPeople, atSeatsText, fewestSeats, hourlyLoad, peakOf, roll24, seatLoad, seatsSeen, seatsText } from './hourly.ts';
import { expectedVolume, HELD_DAYS_MIN, heldPaceText, heldText, occasionalAcrossMidnight } from './held.ts';
import type { DefaultHeldDays, HeldPace, HeldReading } from './held.ts';
import { defaultHeldBeforeText, defaultHeldInForce, defaultHeldSeen, heldAtDefaultOf, heldOnText, impliedRefusedText, predatesAsk } from './default-held-advice.ts';
import { DAYS_LOOKED_AT, lastDaysText } from './days-looked-at.ts';
import { reasonCounts, reasonCountText } from '../engine/reason-words.ts';
import type { ReasonSubject } from '../engine/reason-words.ts';
import { aboveInferredDefault, inferredAboveDefaultText } from './inferred-above-default.ts';

/** What the recommended plan, replayed over the history under its profile, still refuses. */
export interface ReplayAnnouncement {
  profile: EnforcementProfile;
  /**
   * triggers with refused runs (dropped or skipped, by the first check that failed), runs admitted
   * only after a wait (`delayed`, the longest wait `longestWaitMs`), or runs still waiting at the
   * replay's horizon (`waiting`: pending, not refused)
   */
  triggers: { id: string; name: string; refused: number; byReason: Record<string, number>; delayed: number; delayedByReason: Record<string, number>; longestWaitMs: number; waiting: number }[];
  /**
   * keys with blocked requests, by reason; `throttleSlack`: those a throttle refused within the
   * completion times' slack of its window (engine/completion-slack.ts `throttleSlack`), the cut
   * the history shows rather than demand beyond the throttle
   */
  keys: { id: string; name: string; blocked: number; byReason: Record<string, number>; throttleSlack: number }[];
  /** people's blocked messages, by reason; `throttleSlack` as a key's */
  messages: { blocked: number; byReason: Record<string, number>; throttleSlack: number };
  /** one sentence per line above, for notes and reports */
  sentences: string[];
}


function n(x: number): string {
  return x.toLocaleString('en-US');
}

function runs(x: number): string {
  return `${n(x)} run${x === 1 ? '' : 's'}`;
}

/** Counts by reason in an admin's words ("12 by its 24 h run limit"), as the docs-vs-code comparison says them. */
export function byReasonText(r: Record<string, number>, subject: ReasonSubject): string {
  return reasonCounts(r, subject).map(reasonCountText).join(', ');
}

/**
 * Runs per 24 h as a trigger's limit sees them, at each arrival of the last 28 days: nearest-rank
 * p95 and the highest. A run at `s` counts at `t` while `t < s + 24 h + edgeMs`: by default the
 * platform's code's window `[t - 24 h, t]` (SPEC §9 rule 1, edge 1 ms), which support's override
 * is enforced by; the docs' window lets a run go at exactly 24 h (edge 0).
 */
export function runsPer24h(events: EventColumns, triggerId: string, to: number, edgeMs = 1): { p95: number; max: number; arrivals: number } {
  const from = to - DAYS_LOOKED_AT * DAY;
  // the window reaches a day before `from`: those runs count for the first arrivals
  const times = triggerRunTimes(events, triggerId, from - DAY, to);
  const counts: number[] = [];
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[lo] + DAY + edgeMs <= times[hi]) lo++;
    if (times[hi] >= from) counts.push(hi - lo + 1);
  }
  if (counts.length === 0) return { p95: 0, max: 0, arrivals: 0 };
  counts.sort((a, b) => a - b);
  return { p95: counts[Math.max(0, Math.ceil(0.95 * counts.length) - 1)], max: counts[counts.length - 1], arrivals: counts.length };
}

// a trigger's run times, read where its held pace is (forecast/held-demand.ts)
export { triggerRunTimes };

/**
 * Refused runs per trigger id (dropped, skipped) by reason, from a replay. A run still waiting at
 * the replay's horizon is pending, not refused (SPEC section 4): counted by `waitingRuns`.
 */
function refusedRuns(events: EventColumns, sim: SimulationResult): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger || sim.outcome[i] === Outcome.admitted || sim.outcome[i] === Outcome.pending) continue;
    const id = sim.plan.triggers[sim.entity[i]]?.id ?? '?';
    const why = reasonName(sim.plan, sim.reason[i]) ?? 'unknown';
    const r = out.get(id) ?? {};
    r[why] = (r[why] ?? 0) + 1;
    out.set(id, r);
  }
  return out;
}

const sum = (r: Record<string, number> | undefined) => (r ? Object.values(r).reduce((a, b) => a + b, 0) : 0);

/** Runs per trigger id a replay still holds waiting at its horizon (pending). */
function waitingRuns(events: EventColumns, sim: SimulationResult): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger || sim.outcome[i] !== Outcome.pending) continue;
    const id = sim.plan.triggers[sim.entity[i]]?.id ?? '?';
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/**
 * Runs still waiting at the horizon, in words: `headroom simulate` follows queues up to the last
 * event + 30 days and calls such a run pending, neither admitted nor refused, so the advice does too.
 */
export function waitingAtHorizonText(waiting: number, who: string): string {
  return `${who} still leaves ${runs(waiting)} waiting at the end (the last event + 30 days, as \`headroom simulate\` follows queues): not refused, not yet admitted`;
}

interface Waited {
  runs: number;
  /** ms */
  longest: number;
  /** by what each run waited for when it arrived (the first check that failed) */
  byReason: Record<string, number>;
}

/** Runs per trigger id a replay admitted only after waiting, the longest wait, and what they waited for. */
function waitedRuns(events: EventColumns, sim: SimulationResult): Map<string, Waited> {
  const out = new Map<string, Waited>();
  for (let i = 0; i < events.count; i++) {
    if (events.type[i] !== EventType.trigger || sim.outcome[i] !== Outcome.admitted) continue;
    const wait = sim.admittedAt[i] - events.time[i];
    if (wait <= 0) continue;
    const id = sim.plan.triggers[sim.entity[i]]?.id ?? '?';
    const w = out.get(id) ?? { runs: 0, longest: 0, byReason: {} };
    w.runs++;
    w.longest = Math.max(w.longest, wait);
    const why = reasonName(sim.plan, sim.reason[i]) ?? 'unknown';
    w.byReason[why] = (w.byReason[why] ?? 0) + 1;
    out.set(id, w);
  }
  return out;
}

/**
 * The queue a plan sets explicitly under the platform profile (SPEC section 9 rule 5): limited
 * webhooks wait, all-or-nothing, instead of being dropped with their units taken. A what-if, as the
 * platform's code has no queue: the advice says what the plan does, and that it is not the code.
 */
export function queueWhatIf(more = ''): string {
  return `the queue the plan sets (a what-if: the platform's code drops limited webhooks${more})`;
}

/**
 * Trigger advice under the platform's code. `current` is the plan replayed over the history
 * (under the platform profile); `forecastOf` the forecast's daily volume and busy days per trigger
 * id (index.ts triggerForecast, the docs' advice's too);
 * `defaultHeld` the webhooks held at the platform's default of 42 before the plan's higher limit
 * (held.ts defaultHeldByTrigger), read and worded as the docs' advice reads them
 * (default-held-advice.ts): the replay under the plan's limit refuses none of their runs, yet the
 * platform's code dropped every run beyond 42.
 */
export function recommendTriggersPlatform(
  events: EventColumns,
  history: History,
  plan: Plan,
  headroom: number,
  current: SimulationResult,
  forecastOf: (id: string, recent: number[]) => TriggerForecast,
  heldDays: ReadonlyMap<string, number> = new Map(),
  completion: CompletionSlack = completionSlack(events, current),
  /** what a trigger's runs say of its demand, read once with the forecast's (held.ts HeldReading) */
  held: (id: string) => HeldReading = () => ({ pace: null, isDemand: false }),
  defaultHeld: ReadonlyMap<string, DefaultHeldDays> = new Map(),
): TriggerRecommendation[] {
  const ids = new Set<string>([...plan.triggers.map((t) => t.id), ...history.triggers.map((t) => t.id)]);
  const refused = refusedRuns(events, current);
  const pending = waitingRuns(events, current);
  // the triggers whose own limit's refusals the export's completion times all explain
  const slack = completion.triggers;
  const slackIds = new Set<string>(current.plan.triggers.filter((_, g) => onlySlack(slack[g]!)).map((t) => t.id));
  const to = Math.max(history.end, history.lastEvent + 1);
  // an explicit queue (SPEC section 9 rule 5): limited webhooks wait, taking no unit until admitted
  const queued = current.plan.queueWebhooks;
  const waited = queued ? waitedRuns(events, current) : new Map<string, Waited>();
  // each webhook's busiest 24 h over the days looked at, read once (the inferred-default check below reads it again)
  const peaks = new Map<string, number>();
  const out: TriggerRecommendation[] = [];
  for (const id of ids) {
    const pt = plan.triggers.find((t) => t.id === id);
    const kind = pt?.kind ?? 'webhook';
    const modeName = pt?.mode ?? 'fair_use';
    const mode = canonicalMode(modeName);
    const limitN = resolveTriggerLimit(pt?.limitPer24h ?? null, modeName, 'platform');
    const limit = Number.isFinite(limitN) ? limitN : null;
    const series = history.triggers.find((t) => t.id === id);
    const recent = series ? series.values.slice(-DAYS_LOOKED_AT) : [];
    const [p50, p90, p99] = recent.length ? quantile(recent, [0.5, 0.9, 0.99]) : [0, 0, 0];
    const max = recent.reduce((m, v) => (v > m ? v : m), recent.length ? Number.NEGATIVE_INFINITY : 0);
    const above = limit === null ? 0 : recent.filter((v) => v > limit).length;
    // held at the platform's default before the plan's higher limit (the forecast's and simulate's
    // reading): its days are held at the limit then in force, 42, or the later one after a step
    const byDefault = limit === null || kind !== 'webhook' ? undefined : defaultHeld.get(id);
    // days its limit held (the exports hold only admitted runs, see heldText), as simulate counts them (held.ts)
    const atLimit = limit === null ? 0 : byDefault !== undefined ? byDefault.days : (heldDays.get(id) ?? 0);
    const fc = forecastOf(id, recent);
    const expected = fc.expected;
    const lost = refused.get(id);
    const wait = waited.get(id);
    const left = pending.get(id) ?? 0;
    // refusals (or, queued, delays) only by its limit, each within the completion times' slack: the cut the history shows, not more demand
    const slackOnly = slackIds.has(id) && sum(lost) === (lost?.trigger_limit ?? 0);
    const slackText = slackOnly ? `, each within ${COMPLETION_SLACK_MS / 60_000} min of a run's 24 h ending: the export times runs when they completed, so that is the limit the history was cut at, not demand beyond it` : '';
    const lostText = queued
      ? wait || lost || left > 0
        ? `; under the current plan, with ${queueWhatIf()}, ` +
          [
            wait ? `${n(wait.runs)} of its runs ${wait.runs === 1 ? 'waits' : 'wait'} before being admitted (up to ${formatDuration(wait.longest)})` : '',
            lost ? `${n(sum(lost))} ${sum(lost) === 1 ? 'is' : 'are'} refused (${byReasonText(lost, 'trigger')})` : '',
            left > 0 ? `${n(left)} ${left === 1 ? 'is' : 'are'} still waiting at the end (the last event + 30 days, as \`headroom simulate\` follows queues)` : '',
          ]
            .filter(Boolean)
            .join(' and ') +
          slackText
        : ''
      : (lost ? `; under the current plan the platform's code refuses ${runs(sum(lost))} (${byReasonText(lost, 'trigger')})${slackText}${byDefault !== undefined ? impliedRefusedText(byDefault) : ''}` : '') +
        (left > 0 ? `; ${waitingAtHorizonText(left, 'the current plan')}` : '');
    const base: TriggerRecommendation = {
      id: triggerId(id),
      name: pt?.name ?? id,
      kind,
      mode: modeName,
      limit,
      daily: { p50, p90, p99, max, daysObserved: recent.length, daysAboveLimit: above, daysAtLimit: atLimit },
      expectedDailyVolume: expected,
      busyDayVolume: Math.max(fc.busy.runs, expected),
      busyDays: fc.busy.days,
      action: 'none',
      requestedLimit: null,
      reason: series ? `within its limit: at most ${runs(max)} a day over ${lastDaysText(recent.length, history.days)}${lostText}` : 'no runs in the history',
      alternatives: [],
      profile: 'platform',
      stillRefused: null,
    };
    if (byDefault !== undefined) base.heldAtDefault = heldAtDefaultOf(byDefault);

    if (kind === 'scheduled') {
      // §9 rule 3: neither the trigger's limit nor the pool applies to a schedule
      const allowanceLost = lost?.allowance ?? 0;
      if (mode === 'fair_use' && allowanceLost > 0) {
        out.push({
          ...base,
          action: 'programmatic',
          reason:
            `a schedule is checked only against the message allowance on the platform (its limit and the pool do not apply), and the allowance skipped ${runs(allowanceLost)}${lostText}: ` +
            'move it to programmatic mode (allowed for schedules on the platform; billed as programmatic usage, checked only against the workspace spend limits); no limit override is needed, as a schedule is never checked against its limit',
        });
      } else {
        out.push({ ...base, reason: `a schedule is not checked against its limit or the pool on the platform; up to ${runs(max)} a day${lostText}` });
      }
      continue;
    }

    const window = runsPer24h(events, id, to);
    peaks.set(id, window.max);
    // a trigger the platform's own limit held in the exports never shows more than its limit in
    // 24 h: its held days say it needs more all the same
    if (limit === null || window.arrivals === 0 || (window.max <= limit && atLimit < HELD_DAYS_MIN)) {
      if (limit === null && series) base.reason = `no per-trigger limit; up to ${runs(max)} a day${lostText}`;
      // held at the default only before the days looked at: said, as simulate names it held
      if (byDefault !== undefined) base.reason += defaultHeldBeforeText(byDefault, recent.length, history.days);
      out.push(base);
      continue;
    }
    // the limit to request: the runs per 24 h its limit sees (p95 over the last 28 days, or the
    // forecast's daily volume if higher) with the headroom, on the ladder support is asked in
    // held by its limit, the runs per 24 h the export shows are the limit itself: the pace they
    // came at while admitted is what says how much more it needs
    // held at the platform's default first, the limit the history ends under is 42 or the later one:
    // the ask is sized against it, as the docs' advice sizes it; a plan's higher limit the history
    // predates is no evidence of room
    const inForce = byDefault !== undefined ? defaultHeldInForce(byDefault) : limit;
    const reading = held(id);
    const pace = atLimit >= HELD_DAYS_MIN ? reading.pace : null;
    // the one figure for its demand (held.ts expectedVolume), the one the forecast draws its days around
    const volume = expectedVolume(expected, pace, reading.isDemand);
    base.expectedDailyVolume = volume;
    if (pace !== null && reading.isDemand) base.expectedFrom = 'held_pace';
    base.busyDayVolume = Math.max(fc.busy.runs, volume);
    const request = limitRequest(window, volume, pace, inForce, headroom, history.days, fc);
    if (request.caveat !== undefined) base.forecastCaveat = request.caveat;
    const { wanted, ask, basis, note } = byDefault !== undefined ? predatesAsk(byDefault, request, limit, volume) : { ...request, note: '' };
    const paceText = pace !== null ? `; ${heldPaceText(pace, inForce)}` : '';
    const seen =
      byDefault !== undefined
        ? defaultHeldSeen(byDefault, atLimit, recent.length, history.days, `(up to ${runs(window.max)} in 24 h, p95 ${n(window.p95)} per 24 h over ${lastDaysText(DAYS_LOOKED_AT, history.days)})${paceText}`, 'platform') + note + lostText
        : `up to ${runs(window.max)} in 24 h against its limit of ${limit} (p95 ${n(window.p95)} per 24 h over ${lastDaysText(DAYS_LOOKED_AT, history.days)}; ` +
          `above the limit on ${above} of ${counted(recent.length, 'day')}${atLimit > 0 ? `, held at it on ${atLimit}: ${heldText(limit)}` : ''}` +
          `${paceText})${lostText}`;
    if (pace !== null) base.heldPace = pace;
    const consistently = recent.length > 0 && Math.min(recent.length, above + (atLimit >= HELD_DAYS_MIN ? atLimit : 0)) / recent.length >= 0.5;
    if (slackOnly && atLimit < HELD_DAYS_MIN) {
      // what reads as above its limit is the export's completion times, and too few days at it to
      // read as held: nothing in the history to size an override on, so none is asked
      out.push({
        ...base,
        reason:
          `${seen}: no override: the history shows no demand above its limit, so there is nothing to size one on` +
          `${atLimit > 0 ? `; it reached its limit on only ${counted(atLimit, 'day')}, too few (under ${HELD_DAYS_MIN}) to read as held there` : ''}` +
          `: if "Rate Limited" shows on its webhook requests more often, its limit is refusing demand and an override is due`,
      });
      continue;
    }
    base.requestBasis = basis;
    if (mode === 'programmatic') {
      out.push({ ...base, action: 'override', requestedLimit: wanted, reason: `${seen}: on the platform a programmatic trigger keeps the limit of 42 per 24 h unless support raises it: request ${ask}` });
    } else if (consistently) {
      out.push({
        ...base,
        action: 'programmatic',
        requestedLimit: wanted,
        reason:
          `${seen}: move it to programmatic mode (outside the fair-use pool, billed as programmatic usage) AND request ${ask}: ` +
          `on the platform a programmatic trigger keeps the default limit of 42 per 24 h, so the move alone ${queued ? `leaves the same runs waiting, with ${queueWhatIf()}` : 'drops the same runs'}`,
      });
    } else {
      out.push({
        ...base,
        action: 'override',
        requestedLimit: wanted,
        // nothing above its limit in the export (or only the completion times' slack): its case for
        // more is the days its limit held, not peaks above it
        reason: `${seen}: ${slackOnly || window.max <= limit || byDefault !== undefined ? heldOnText(byDefault !== undefined, atLimit) : above === 0 ? occasionalAcrossMidnight : 'occasional peaks'}, so request ${ask} on fair use rather than programmatic mode; until then ${queued ? `its runs above the limit wait for it, with ${queueWhatIf(', each still taking a fair-use pool unit')}` : 'each refused run still takes a fair-use pool unit'}`,
      });
    }
  }
  // a webhook the plan leaves out (or names without a limit) is replayed at the default 42: an export above it in some 24 h
  // proves a higher limit the plan does not state (the replay keeps the plan's reading)
  for (const r of out) {
    const pt = plan.triggers.find((t) => t.id === r.id);
    if (r.kind !== 'webhook' || r.limit !== DEFAULT_TRIGGER_LIMIT || (pt !== undefined && pt.limitPer24h !== null)) continue;
    const peak = peaks.get(r.id) ?? 0;
    if (aboveInferredDefault(peak)) r.reason += `; ${inferredAboveDefaultText(peak, refused.get(r.id)?.trigger_limit ?? 0, queued ? 'delays' : 'refuses')}`;
  }
  return out;
}

/**
 * The run limit to request for a trigger: the runs per 24 h its limit sees (`window`: p95 over
 * the last 28 days), the forecast's daily volume (`expected`), held by its limit its pace while
 * admitted, or the forecast's busy days (`forecast.busy`: the P90 of its busiest weekday, which a
 * limit counted over any 24 h must hold, not an average day), whichever is highest, with the
 * headroom, on the ladder support is asked in; then stepped up the ladder while the forecast's
 * paths have a day above it in more than `forecast.risk` of them (at most MAX_RISK_STEPS steps):
 * the recommended limit, forecast over the same paths, then holds at the risk the advice takes.
 * And that ask in words. Every limit asked of support is sized by this, under either profile (an
 * override for peaks, a schedule that cannot move, a move to programmatic, which the platform's
 * code keeps at 42 per 24 h unless raised: SPEC section 9 rule 2), so a trigger gets the same ask
 * whichever reading the plan takes.
 */
export function limitRequest(
  window: { p95: number },
  expected: number,
  pace: HeldPace | null,
  limit: number,
  headroom: number,
  historyDays: number = DAYS_LOOKED_AT,
  forecast?: { busy: BusyDays; risk: number },
): { wanted: number; ask: string; basis: string; caveat?: ForecastCaveat } {
  // the days the p95 covers: the last 28, or the whole of a shorter history
  const over = lastDaysText(DAYS_LOOKED_AT, historyDays);
  const busy = forecast?.busy ?? null;
  // held every day fitted, the forecast's band above the limit is an assumed spread (its busy-day
  // P90 and its average alike): headroom stacked on it asked about twice the demand (48–52 a day
  // held at 42, paced at 43, asked 100). The ask is then sized on the pace while admitted, and the
  // paths only step it up, as far as the risk needs
  const assumed = busy?.fit?.heldEveryDay === true && pace !== null;
  const busyRuns = assumed ? 0 : (busy?.runs ?? 0);
  const demand = assumed ? Math.max(window.p95, pace.perDay) : Math.max(window.p95, expected, pace?.perDay ?? 0, busyRuns);
  const sized = roundCount(demand * (1 + headroom));
  // an ask at or below the limit it replaces would be no ask: the smallest round limit above it then decides
  const above = roundCount(limit + 1);
  const first = Math.max(sized, above);
  // the ask, forecast over the paths it was read from, holds at the risk: stepped up until it does
  let wanted = first;
  let steps = 0;
  if (forecast !== undefined && busy !== null && busy.paths > 0) {
    while (steps < MAX_RISK_STEPS && busy.chanceAbove(wanted) > forecast.risk) {
      wanted = roundCount(wanted + 1);
      steps++;
    }
  }
  const pct = `${Math.round(headroom * 100)} % headroom, rounded up`;
  // named by what it is: the pace while admitted, the forecast's busy days or its daily volume
  // when that is higher, or the 24 h windows' p95; in the advice's words and in the words a
  // support draft gives it
  const [short, long] =
    pace !== null && (assumed || pace.perDay >= Math.max(window.p95, expected, busyRuns))
      ? [`its pace while admitted, ${n(pace.perDay)}`, `the pace our runs came at while the limit let them through, ${n(pace.perDay)} per 24 hours`]
      : busy !== null && busyRuns >= expected && busyRuns > window.p95
        ? [
            `the forecast's ${n(busyRuns)} a day on its busy days (${busy.days}, P90), above the p95 of ${n(window.p95)} per 24 h`,
            `our forecast's ${n(busyRuns)} runs a day on its busy days (${busy.days}: the 90th percentile of those days over the next ${counted(busy.horizon, 'day')}), above the 95th percentile of our runs in any 24 hours over ${over} (${n(window.p95)})`,
          ]
        : expected > window.p95
          ? [`the forecast's ${n(expected)} a day, above the p95 of ${n(window.p95)} per 24 h`, `our forecast's ${n(expected)} runs a day, above the 95th percentile of our runs in any 24 hours over ${over} (${n(window.p95)})`]
          : [`p95 ${n(demand)}`, `the 95th percentile of our runs in any 24 hours over ${over}, ${n(demand)}`];
  // a growth model fitted on days its limit held, its busy days past the busiest day the history
  // ever ran: a compounding extrapolation sets the ask (300 for a webhook growing linearly to
  // about 100), which the advice and the draft say rather than pass off as expected volume
  const fit = busy?.fit;
  const extrapolated = fit !== undefined && !assumed && fit.kind === 'growth' && fit.censoredDays > 0 && busy!.runs > fit.maxDay;
  // stepped up for the risk: what the first figure left, and what the ask leaves
  const stepped = (who: string, day: string): string => {
    if (busy === null || forecast === undefined) return '';
    const band = assumed
      ? `; the limit held it every day of the history, so the forecast's ${n(busy.runs)} a day on its busy days (${busy.days}, P90) rests on an assumed spread above it, not on days it ran: ${who}'s paths check the ask rather than size it`
      : '';
    const growth = extrapolated
      ? `; ${who}'s busy days come from compounding growth fitted on ${counted(fit.censoredDays, 'day')} its limit held and extrapolated past the busiest day it ever ran (${n(fit.maxDay)}): the ask rests on that extrapolation, not on days it ran, an upper bound to check with what sends it`
      : '';
    if (steps === 0) return band + growth;
    const left = busy.chanceAbove(wanted);
    return (
      `${band}; ${who} has more than ${n(first)} runs in some ${day} in ${chanceText(busy.chanceAbove(first))} of its ${n(busy.paths)} paths, above the ${chanceText(forecast.risk)} risk, and more than ${n(wanted)} in ${chanceText(left)}` +
      (left > forecast.risk ? ` (still above the risk: a band this wide rests on days a limit held, bounds rather than demand; ask again once its runs show more)` : `, so ${n(wanted)}`) +
      growth
    );
  };
  const caveat: { caveat?: ForecastCaveat } = assumed ? { caveat: 'assumed_spread' } : extrapolated ? { caveat: 'extrapolated_growth' } : {};
  if (above > sized) {
    return {
      ...caveat,
      wanted,
      ask: `a limit of ${counted(wanted, 'run')} per 24 h (the smallest round limit above the current ${n(limit)}: ${short} + ${pct}, is ${n(sized)}, not above it${stepped('the forecast', '24 h')})`,
      basis: `the smallest round limit above the current ${n(limit)} (${long}, + ${pct}, comes to ${n(sized)}, not above it${stepped('our forecast', '24 hours')})`,
    };
  }
  return { ...caveat, wanted, ask: `a limit of ${counted(wanted, 'run')} per 24 h (${short} + ${pct}${stepped('the forecast', '24 h')})`, basis: `${long}, + ${pct}${stepped('our forecast', '24 hours')}` };
}

/** Ladder steps an ask is raised by at most for the risk: a forecast fitted on bounds alone can run far past its history. */
const MAX_RISK_STEPS = 3;

/**
 * The trigger advice written into a plan under the platform profile: a move to programmatic
 * carries its requested limit (null would mean 42 there); the platform's newer mode names are
 * kept when the plan uses them.
 */
export function applyPlatformTriggerAdvice(plan: Plan, triggers: TriggerRecommendation[]): Plan {
  const next = structuredClone(plan);
  const newerNames = next.triggers.some((t) => t.mode === 'user_pool' || t.mode === 'workspace_pool');
  for (const t of triggers) {
    if (t.action === 'none') continue;
    let pt = next.triggers.find((x) => x.id === t.id);
    if (!pt) {
      pt = { id: t.id, kind: t.kind, mode: t.mode, limitPer24h: null };
      next.triggers.push(pt);
    }
    if (t.action === 'programmatic') {
      pt.mode = (newerNames ? 'workspace_pool' : 'programmatic') as PlanTrigger['mode'];
      if (t.requestedLimit !== null) pt.limitPer24h = t.requestedLimit;
    } else if (t.requestedLimit !== null) {
      pt.limitPer24h = t.requestedLimit;
    }
  }
  return validatePlan(next, 'recommended plan');
}


/**
 * Seats under the platform's code, hourly over the last 28 days: the pool must hold every
 * attempt of the fair-use webhooks (a run refused by its own limit still took a pool unit),
 * schedules use the allowance but not the pool, and the allowance holds people's messages (taken
 * to grow with seats) plus the admitted fair-use runs (webhooks up to their limit).
 */
export function recommendSeatsPlatform(events: EventColumns, history: History, before: Plan, after: Plan): SeatsRecommendation {
  const { hours, messages: msgs, perTrigger, people } = hourlyLoad(events, history, DAYS_LOOKED_AT);
  const msgRoll = roll24(msgs);
  // with the queue the plan sets (SPEC section 9 rule 5, a what-if) a webhook's checks are
  // all-or-nothing: a run waiting for its own limit takes no pool unit, so none is burned, and the
  // pool holds what the limit admits, as under the docs
  const queued = before.enforcement.webhookWhenLimited === 'queue';
  const rolled = [...perTrigger].map(([id, counts]) => [id, roll24(counts)] as const);
  const load = (plan: Plan) => seatLoad(plan, rolled, hours);
  const seats0 = before.workspace.seats;
  const perSeat = before.workspace.messagesPerSeatPerDay;
  const share = before.workspace.fairUseShare;
  const seen = seatsSeen(seats0, people);
  const need = (l: { pool: Float64Array; allowance: Float64Array }): number | null => fewestSeats(msgRoll, l.pool, l.allowance, { ...before.workspace, seats: seen });
  const now = load(before);
  const later = load(after);
  const raw = need(now);
  const rawAfter = need(later);
  const seatsNeeded = atLeastPeople(raw, people);
  const seatsAfter = atLeastPeople(rawAfter, people);
  const peakPool = peakOf(now.pool);
  const peakAfter = peakOf(later.pool);
  const peakMsgs = peakOf(msgRoll);
  const peakBurned = peakOf(now.burned);
  const code = queued ? `under the platform's code, with ${queueWhatIf()}` : "under the platform's code";
  let reason: string;
  if (perSeat === null)
    reason =
      `messages are unlimited on this plan: there is no pool and no allowance, so fair-use triggers ${queued ? 'wait' : 'are refused'} only for their own limits (${code})` +
      (people > 0 ? `; seats: at least ${counted(people, 'seat')}, the ${counted(people, 'person', 'people')} who sent messages over ${lastDaysText(DAYS_LOOKED_AT, history.days)}` : '');
  else if (raw === null)
    reason = `people's messages alone use the allowance as seats grow (${(peakMsgs / Math.max(seen, 1)).toFixed(1)} per seat in the busiest 24 h ${atSeatsText(seats0, people)}, against ${perSeat}): seats cannot stop the ${queued ? `queueing (${code})` : 'refusals'}; move triggers to programmatic mode (with their limit overrides)`;
  else {
    reason =
      `${code}, busiest 24 h of ${lastDaysText(DAYS_LOOKED_AT, history.days)}: ` +
      (queued
        ? `${counted(peakPool, 'fair-use webhook run')} ${peakPool === 1 ? 'takes a pool unit' : 'take pool units'} as they are admitted (runs above their own limit wait and take none until then)`
        : `${counted(peakPool, 'fair-use webhook attempt')} ${peakPool === 1 ? 'takes a pool unit' : 'take pool units'}`) +
      (peakBurned > 0 ? ` (${n(peakBurned)} of them by runs that their own limit then refuses: burned units that admit nothing)` : '') +
      ` and ${counted(peakMsgs, "person's message", "people's messages")} ${atSeatsText(seats0, people)}; the pool (${Math.round(share * 100)} % of ${counted(perSeat, 'message')} a seat) and the allowance hold them from ${seatsText(raw, rawAfter, people, DAYS_LOOKED_AT, seats0, 'trigger', history.days)}`;
  }
  return {
    currentSeats: seats0,
    seatsNeeded,
    seatsNeededAfterChanges: seatsAfter,
    peopleWhoSentMessages: people,
    peakFairUseRuns24h: peakPool,
    peakFairUseRuns24hAfterChanges: peakAfter,
    peakMessages24h: peakMsgs,
    reason,
    profile: 'platform',
    burnedPoolUnits24h: peakBurned,
  };
}

/** What the recommended plan, replayed over the history (`after`), still refuses, per trigger, key and for people. */
export function replayAnnouncements(events: EventColumns, after: SimulationResult): ReplayAnnouncement {
  const trig = refusedRuns(events, after);
  const left = waitingRuns(events, after);
  // a plan that queues refuses nothing and still makes runs wait: that is how its limits bite
  const waited = waitedRuns(events, after);
  const keyMap = new Map<string, Record<string, number>>();
  const messages: Record<string, number> = {};
  for (let i = 0; i < events.count; i++) {
    const type = events.type[i];
    if (type === EventType.trigger || after.outcome[i] === Outcome.admitted) continue;
    const why = reasonName(after.plan, after.reason[i]) ?? 'unknown';
    if (type === EventType.message) messages[why] = (messages[why] ?? 0) + 1;
    else {
      const id = after.plan.keys[after.entity[i]]?.id ?? '?';
      const r = keyMap.get(id) ?? {};
      r[why] = (r[why] ?? 0) + 1;
      keyMap.set(id, r);
    }
  }
  const nameOf = (list: { id: string; name: string }[], id: string) => list.find((x) => x.id === id)?.name ?? id;
  const triggers = [...new Set([...trig.keys(), ...left.keys(), ...waited.keys()])]
    .map((id) => {
      const byReason = trig.get(id) ?? {};
      const wait = waited.get(id);
      return { id, name: nameOf(after.plan.triggers, id), refused: sum(byReason), byReason, delayed: wait?.runs ?? 0, delayedByReason: wait?.byReason ?? {}, longestWaitMs: wait?.longest ?? 0, waiting: left.get(id) ?? 0 };
    })
    .sort((a, b) => b.refused + b.waiting - (a.refused + a.waiting) || b.delayed - a.delayed || a.id.localeCompare(b.id));
  // the throttles' refusals, weighed against the completion times' slack only when there are some
  const throttledKeys = Uint8Array.from(after.plan.keys, (k) => (THROTTLE_NAMES.some((r) => (keyMap.get(k.id)?.[r] ?? 0) > 0) ? 1 : 0));
  const throttledMessages = THROTTLE_NAMES.some((r) => (messages[r] ?? 0) > 0);
  const throttles = throttledKeys.includes(1) || throttledMessages ? throttleSlack(events, after, { keys: throttledKeys, messages: throttledMessages }) : null;
  const slackOf = (r: ThrottleRefusals | undefined): number[] => (r === undefined ? [] : slackReasons(r));
  const keyIndex = new Map<string, number>(after.plan.keys.map((k, j) => [k.id, j]));
  const keys = [...keyMap]
    .map(([id, byReason]) => ({ id, name: nameOf(after.plan.keys, id), blocked: sum(byReason), byReason, slack: slackOf(throttles?.keys[keyIndex.get(id) ?? -1]) }))
    .sort((a, b) => b.blocked - a.blocked || a.id.localeCompare(b.id));
  const peopleSlack = slackOf(throttles?.messages);
  const where = after.plan.profile === 'platform' ? "under the platform's code" : 'under the docs';
  const sentences = [
    ...triggers.flatMap((t) => [
      ...(t.refused > 0 ? [`replayed over the history ${where}, the recommended plan still refuses ${runs(t.refused)} of trigger ${t.name} (${byReasonText(t.byReason, 'trigger')})`] : []),
      ...(t.delayed > 0 ? [`replayed over the history ${where}, the recommended plan still delays ${runs(t.delayed)} of trigger ${t.name} (${byReasonText(t.delayedByReason, 'trigger')}): admitted only after waiting, up to ${formatDuration(t.longestWaitMs)}`] : []),
      ...(t.waiting > 0 ? [`${waitingAtHorizonText(t.waiting, `replayed over the history ${where}, the recommended plan`)} (trigger ${t.name})`] : []),
    ]),
    ...keys.map((k) => `replayed over the history ${where}, the recommended plan still blocks ${n(k.blocked)} request${k.blocked === 1 ? '' : 's'} of key ${k.name} (${byReasonText(k.byReason, 'key')})${throttleSlackText(k.slack, k.blocked, 'request')}`),
  ];
  const blockedMessages = sum(messages);
  if (blockedMessages > 0) sentences.push(`replayed over the history ${where}, the recommended plan still blocks ${n(blockedMessages)} of people's messages (${byReasonText(messages, 'messages')})${throttleSlackText(peopleSlack, blockedMessages, 'message')}`);
  return {
    profile: after.plan.profile,
    triggers,
    keys: keys.map(({ slack, ...k }) => ({ ...k, throttleSlack: slack.length })),
    messages: { blocked: blockedMessages, byReason: messages, throttleSlack: peopleSlack.length },
    sentences,
  };
}

const THROTTLE_NAMES = ['actor_minute', 'actor_hour', 'workspace_minute'] as const;

/**
 * The throttle refusals of a replay that the export's completion times explain, said after its
 * count as a trigger's refusals within the slack are: the cut the history shows, not demand.
 */
function throttleSlackText(slack: readonly number[], blocked: number, unit: 'request' | 'message'): string {
  if (slack.length === 0) return '';
  const which = slack.length === blocked ? 'each' : `${n(slack.length)} of them`;
  return `, ${which} within ${throttleEdgeWords(slack, unit)}: the export times ${unit}s when they completed, after the platform admitted them, so that is the throttle the history was cut at, not demand beyond it nor ${unit}s the platform refused`;
}
