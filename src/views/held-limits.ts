/**
 * Limits a history reached without the replay refusing anything there. The platform's exports
 * hold only what it admitted, so a key whose spend stops at its cap, a trigger at exactly its
 * runs per 24 h or a full allowance says the platform's own limits cut that history: "nothing hit
 * a limit" would be read as "the plan has room" when the demand beyond the limit is simply not in
 * the data. `headroom simulate` says so under its summary (and in `--json` as `heldAtLimit`), and
 * the app's Overview in a note and on the rows. A trigger whose only refusals by its limit come
 * within the completion times' slack of the window (engine/completion-slack.ts) is held too: the
 * export's times are not the platform's admissions. A key the plan gives no cap whose history
 * reads as held by one (forecast/implied-cap.ts: its rolling spend stopped at the same ceiling and
 * stayed silent until old spend rolled out) is held too, by a cap the plan does not state; and so is
 * a key whose history reads as held well under the cap the plan states (by a lower one). A key (or
 * people's messages) whose refusals by a per-minute or per-hour throttle all lie within that
 * throttle's slack of its window's edge (completion-slack.ts `throttleSlack`) is held at the
 * throttle: the export's completion times, not requests the platform refused.
 */
import type { EventColumns } from '../engine/events.ts';
import { counted } from '../engine/words.ts';
import { EventType } from '../engine/events.ts';
import { withId } from '../engine/report.ts';
import { reasonWords } from '../engine/reason-words.ts';
import type { ExplainedRefusals, KeyReport, Report, TriggerReport } from '../engine/report.ts';
import { talliesOf } from '../engine/report-tallies.ts';
import { formatUsd } from '../engine/units.ts';
import { Outcome, Reason } from '../engine/result.ts';
import { capRefusedByDocsWindow, capRefusedRequest, COMPLETION_SLACK_MS, completionSlack, keyRefusals, limitRefusedRun, onlySlack, throttleEdgeWords, throttleLimit, throttleSlack, triggerRefusals } from '../engine/completion-slack.ts';
import type { ThrottleRefusals } from '../engine/completion-slack.ts';
import type { SimulationResult } from '../engine/result.ts';
import { partsOf } from '../engine/parts.ts';
import { DAY } from '../engine/units.ts';
import { windowPeakDays } from '../recommend/held.ts';
import { capReadings, impliedCapText, reachedInOneDay, statedCapText } from '../forecast/implied-cap.ts';
import type { ImpliedCap, StatedCapCheck } from '../forecast/implied-cap.ts';
import { ceilingInForce, defaultHoldOf, holdDays, holdExplains, holdNotInForce, holdPredates, holdText, holdWhy, holdWords } from '../forecast/default-hold.ts';
import type { DefaultHoldWords } from '../forecast/default-hold.ts';
import { DEFAULT_TRIGGER_LIMIT } from '../engine/plan-rules.ts';

/** A key's peak spend at or above this share of its cap reads as held at it (as the forecast's censoring reads it). */
export const NEAR_CAP_SHARE = 0.97;

/**
 * A throttle that held a key's requests or people's messages (SPEC section 9 rule 7): the replay's
 * refusals by it all come within the completion times' slack of its window
 * (engine/completion-slack.ts `throttleSlack`).
 */
export interface HeldThrottle {
  /** the engine's code: `actor_minute`, `actor_hour` or `workspace_minute` */
  reason: 'actor_minute' | 'actor_hour' | 'workspace_minute';
  /** requests or messages per minute or per hour */
  limit: number;
  /** the replay's refusals by it, each explained by the slack */
  refused: number;
}

/** One held limit as `headroom simulate --json` gives it (`heldAtLimit`). */
export interface HeldLimit {
  /** `throttle`: a key's (`id` its id) or people's messages' (`id` null) per-minute or per-hour throttle */
  kind: 'key' | 'trigger' | 'allowance' | 'pool' | 'throttle';
  /** a key's cap the plan does not state, read off its history (`limit` is that cap): present only then */
  implied?: true;
  /**
   * a key whose history reads as held well under the cap the plan states (`limit` is the cap it reads
   * as held by): the plan's cap, present only then
   */
  statedCapUsd?: number;
  /**
   * a webhook held at the platform's default of 42 before the plan's higher limit, or at 42 and then
   * at an override above the plan's limit that the plan does not state (`impliedLimit`; `limit` is
   * the ceiling the history ends under: 42, or the later one after a step; forecast/default-hold.ts):
   * present only then
   */
  heldAtDefault?: DefaultHoldWords;
  /** a throttle's: each of its windows that held (`limit` is the first one's): present only then */
  throttles?: HeldThrottle[];
  /** key or trigger id; null for the allowance, the pool and people's throttles */
  id: string | null;
  name: string;
  /** the limit (USD for a key's cap, runs or messages per 24 h, requests or messages per minute or hour for a throttle) */
  limit: number;
  /** the highest the history reached against it */
  peak: number;
  text: string;
}

/** One held limit as the Overview shows it: the figures, and the sentence for an admin. */
export interface HeldLimitFigure {
  kind: HeldLimit['kind'];
  id: string | null;
  name: string;
  limit: number;
  peak: number;
  /** a trigger's: the UTC days on which 24 h held its limit's runs; null for the others */
  days: number | null;
  /** a key's cap the plan does not state, read off its history (`limit` is that cap): present only then */
  implied?: true;
  /** a key held well under the cap the plan states (`limit` is the cap it reads as held by): the plan's cap, present only then */
  statedCapUsd?: number;
  /** a webhook held at the platform's default before the plan's higher limit (as HeldLimit's): present only then */
  heldAtDefault?: DefaultHoldWords;
  /** a throttle's windows that held (as HeldLimit's): present only then */
  throttles?: HeldThrottle[];
  /**
   * the replay's refusals (or delays) by this limit that the completion times' slack explains:
   * why such a row's status still reads "Rate limited"
   */
  slackRefused: number;
  sentence: string;
}

/** What the Overview says of the held limits, and under which reading of the limits. */
export interface HeldLimits {
  profile: Report['profile'];
  limits: HeldLimitFigure[];
  /** of the replay's refusals and delays, those the held limits explain: the headline says so beside its counts */
  explained: ExplainedRefusals;
}

/** `headroom simulate`'s held limits, and how many of the replay's refusals and delays they explain (its verdict says it). */
export interface HeldReading {
  limits: HeldLimit[];
  explained: ExplainedRefusals;
}

/** A held limit with what both wordings need: the figure before its sentence is written. */
interface Found extends Omit<HeldLimitFigure, 'sentence'> {
  /** for a trigger: whether the refusals the slack explains were dropped or skipped, not delayed */
  refused: boolean;
  /**
   * a programmatic trigger the docs set no limit for, at exactly the 42 runs per 24 h the
   * platform's code holds every trigger to without an override (SPEC section 9 rule 2): read under
   * the docs, its history says nothing hit a limit, though the code's own limit cut it
   */
  codeOnly?: boolean;
  /** a key the plan gives no cap, and the cap its history reads as held by */
  impliedCap?: ImpliedCap;
  /** a key the plan gives a cap whose history reads as held well under it */
  statedCap?: StatedCapCheck;
  /** a webhook held at the platform's default before the plan's higher limit, and its days at the default */
  defaultHold?: DefaultHoldWords;
  daysAtDefault?: number;
  /** of a key's `slackRefused`, those only the docs' window to the millisecond refuses (the rest were in flight) */
  byDocsWindow?: number;
  /** of `slackRefused`, those the replay did not run (the rest it ran late: a trigger's delays) */
  notRun: number;
}

const SLACK_MIN = COMPLETION_SLACK_MS / 60_000;

/** Most admitted entries in one sliding window of `windowMs` (an entry at `s` counts while `t < s + windowMs + edgeMs`). */
export function peakInWindow(times: Float64Array, windowMs: number, edgeMs: number): number {
  return windowPeakDays(times, windowMs, edgeMs, Number.POSITIVE_INFINITY).peak;
}

/** Per entity, a slice of one flat array: sized from the report's counts, filled by one walk. */
class Slices {
  readonly values: Float64Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  constructor(sizes: readonly number[]) {
    this.start = new Int32Array(sizes.length);
    let n = 0;
    sizes.forEach((size, j) => {
      this.start[j] = n;
      n += size;
    });
    this.values = new Float64Array(n);
    this.end = this.start.slice();
  }
  /** the entity's values so far, and how many */
  of(j: number): Float64Array {
    return this.values.subarray(this.start[j]!, this.end[j]!);
  }
  count(j: number): number {
    return this.end[j]! - this.start[j]!;
  }
}

/**
 * The held limits, keys first. Read from the report first: one walk over the events collects the
 * admissions, arrivals and refusals of the triggers with a run limit and of the keys at their cap
 * that it refused something (typed arrays sized from the report, no array growing per event), and
 * the completion times' slack is read only for the limits that reached their ceiling and refused
 * something. An overview of 1M events pays a few ms for it.
 */
function findHeld(events: EventColumns, result: SimulationResult, report: Report): Found[] {
  const plan = result.plan;
  // The per-event arrays of a result joined from parts (engine/parts.ts) are built on first use,
  // tens of ms at 1M events: read only for a trigger that may have filled its limit. A 24 h window
  // spans at most two UTC days, so a trigger whose runs were all admitted on arrival and whose two
  // busiest neighbouring days hold fewer runs than its limit cannot have (the report's day tallies).
  const tallies = talliesOf(events, result);
  const { days } = tallies.frame;
  const daily = tallies.triggers.daily;
  // the platform's code limits a programmatic trigger too (42 without an override); the docs do not
  const codeLimit = (t: TriggerReport, j: number): number | null => (t.limit === null ? (plan.triggers[j]?.codeLimit ?? null) : null);
  const limitOf = (t: TriggerReport, j: number): number | null => t.limit ?? codeLimit(t, j);
  // a webhook the plan gives more than the platform's default may have been held at the default
  // before an override the history predates (forecast/default-hold.ts): it can fill at 42
  const fillAt = (t: TriggerReport, j: number): number | null => {
    const limit = limitOf(t, j);
    return limit !== null && plan.triggers[j]?.kind === 'webhook' && t.limit !== null && limit > DEFAULT_TRIGGER_LIMIT ? DEFAULT_TRIGGER_LIMIT : limit;
  };
  const canFill = (t: TriggerReport, j: number): boolean => {
    const limit = fillAt(t, j);
    if (limit === null || limit <= 0 || j >= tallies.triggers.count) return false;
    if (t.delayed > 0) return true;
    for (let d = 0; d < days; d++) if (daily[j * days + d]! + (d + 1 < days ? daily[j * days + d + 1]! : 0) >= limit) return true;
    return false;
  };
  const watched = Uint8Array.from(report.triggers, (t, j) => (canFill(t, j) ? 1 : 0));
  const keyAtCap = (k: KeyReport): boolean => k.capUsd !== null && k.capUsd > 0 && k.peakRollingUsd >= NEAR_CAP_SHARE * k.capUsd;
  // a key at its cap that the cap refused: were those requests only in flight when it was reached?
  const keyRead = Uint8Array.from(report.keys, (k) => (keyAtCap(k) && (k.blockedBy.key_cap ?? 0) > 0 ? 1 : 0));
  const admitted = new Slices(report.triggers.map((t, j) => (watched[j] === 1 ? t.admitted : 0)));
  // the runs refused only for a trigger its limit refused or delayed (limitedBy counts every run
  // limitRefusedRun does); every watched trigger's runs as the history has them, which a hold at
  // the platform's default (or an override the plan does not state) is read from
  const runsRead = Uint8Array.from(report.triggers, (t, j) => (watched[j] === 1 && (t.limitedBy.trigger_limit ?? 0) > 0 ? 1 : 0));
  const arrivals = new Slices(report.triggers.map((t, j) => (watched[j] === 1 ? t.arrivals : 0)));
  const refusedRuns = new Slices(report.triggers.map((t, j) => (runsRead[j] === 1 ? t.limitedBy.trigger_limit! : 0)));
  // of those, the runs the replay did not run at all (the rest it ran late)
  const runsNotRun = new Int32Array(report.triggers.length);
  const requests = new Slices(report.keys.map((k, j) => (keyRead[j] === 1 ? k.requests : 0)));
  const costs = new Slices(report.keys.map((k, j) => (keyRead[j] === 1 ? k.requests : 0)));
  const refusedRequests = new Slices(report.keys.map((k, j) => (keyRead[j] === 1 ? k.requests : 0)));
  if (watched.includes(1) || keyRead.includes(1)) {
    const collected = { admitted, arrivals, refusedRuns, runsNotRun, requests, costs, refusedRequests };
    // a joined result is walked part by part (each entity's events are in one, in order): its own
    // arrays would be joined first, 60 ms at 1M events, for the few events read here
    for (const part of partsOf(result) ?? [{ events, result }]) collect(part.events, part.result, watched, runsRead, keyRead, collected);
  }
  // the days each held trigger's limit held, by the one rule recommend counts them by (recommend/held.ts)
  const peaks = report.triggers.map((t, j) => {
    const limit = limitOf(t, j);
    return watched[j] === 1 && limit !== null && admitted.count(j) >= limit ? windowPeakDays(admitted.of(j), DAY, plan.edgeMs, limit) : { peak: admitted.count(j), days: 0 };
  });

  const limitedBy = (why: string): number => report.triggers.reduce((a, t) => a + (t.limitedBy[why] ?? 0), 0);
  const a = report.allowance;
  const allowanceFull = a.limit !== null && a.limit > 0 && a.peak >= a.limit && limitedBy('allowance') === 0;
  // the allowance's arrivals are most events: walked for only when it was full and refused something
  const allowanceSlack = allowanceFull && a.blockedMessages > 0 ? completionSlack(events, result, { keys: new Uint8Array(0), triggers: new Uint8Array(0), allowance: true }).allowance : null;

  const out: Found[] = [];
  const windowDays = Math.round(plan.keyCapWindowMs / DAY);
  report.keys.forEach((k, j) => {
    if (!keyAtCap(k)) return;
    const blocked = k.blockedBy.key_cap ?? 0;
    // requests in flight when the cap was reached do not show demand beyond it
    // requests in flight when the cap was reached, or refused only by the docs' window to the
    // millisecond where the platform's had freed a day's spend at 00:00 UTC, do not show demand
    // beyond it (completion-slack.ts `capBeyondSlack`): the history is what the platform let through
    let byDocsWindow = 0;
    if (blocked > 0) {
      const cap = plan.keys[j]!.capMicros!;
      const refused = keyRefusals(requests.of(j), costs.of(j), refusedRequests.of(j), cap, plan.keyCapWindowMs);
      if (refused.at.length !== blocked || !onlySlack(refused)) return;
      if (report.profile !== 'platform') byDocsWindow = capRefusedByDocsWindow(requests.of(j), costs.of(j), cap, plan.keyCapWindowMs, Array.from(refusedRequests.of(j)));
    }
    // a cap it reached in one day from a window near empty, every time: a batch job's same amount
    // once a window as much as a cap's stop, which nothing tells apart (implied-cap.ts
    // `reachedInOneDay`): not said to be held
    if (j < tallies.keys.count && reachedInOneDay(tallies.keys.daily.subarray(j * days, (j + 1) * days), windowDays, NEAR_CAP_SHARE * plan.keys[j]!.capMicros!)) return;
    out.push({ kind: 'key', id: k.id, name: k.name, limit: k.capUsd!, peak: k.peakRollingUsd, days: null, slackRefused: blocked, byDocsWindow, refused: true, notRun: blocked });
  });
  // keys without a cap in the plan whose spend a cap held all the same, after the stated ones; then
  // keys whose spend was held well under the cap the plan states (held by another)
  if (report.keys.some((k) => k.requests > 0)) {
    // read request by request only for a key whose spend per day may show a stop (the report's day tallies)
    const perKey = tallies.keys.daily;
    const readings = capReadings(events, plan, tallies.maxTime, {
      dailyOf: (j) => (j < tallies.keys.count ? perKey.subarray(j * days, (j + 1) * days) : undefined),
      stated: 'held-below',
      firstTime: tallies.minTime,
      // no `exported`: only `held-below` is said here, read from any source, and a key whose
      // requests went through above its stated cap never reads as held below it (a reading's stops
      // lie above the fullest window any of its requests went through at)
    });
    report.keys.forEach((k) => {
      const cap = k.capUsd === null ? readings.implied.get(k.id) : undefined;
      if (cap === undefined) return;
      out.push({ kind: 'key', id: k.id, name: k.name, limit: cap.capMicros / 1e6, peak: k.peakRollingUsd, days: null, slackRefused: 0, refused: false, notRun: 0, impliedCap: cap });
    });
    report.keys.forEach((k) => {
      const check = k.capUsd === null ? undefined : readings.stated.get(k.id);
      // a cap the history went beyond is no held limit: the replay refuses what it would (recommend
      // and forecast say it of a key whose history is the platform's export)
      if (check?.kind !== 'held-below' || check.reading === null || keyAtCap(k)) return;
      out.push({ kind: 'key', id: k.id, name: k.name, limit: check.reading.capMicros / 1e6, peak: k.peakRollingUsd, days: null, slackRefused: 0, refused: false, notRun: 0, statedCap: check });
    });
  }
  // the throttles' refusals, read only when a throttle refused something (the report's counts)
  const keyThrottled = Uint8Array.from(report.keys, (k) => (throttledBy(k.blockedBy) > 0 ? 1 : 0));
  const peopleThrottled = throttledBy(report.messagesBlockedBy);
  const throttles = keyThrottled.includes(1) || peopleThrottled > 0 ? throttleSlack(events, result, { keys: keyThrottled, messages: peopleThrottled > 0 }) : null;
  report.keys.forEach((k, j) => {
    const held = throttles === null || keyThrottled[j] !== 1 ? null : heldThrottles(throttles.keys[j]!, plan);
    if (held !== null) out.push({ kind: 'throttle', id: k.id, name: k.name, limit: held[0]!.limit, peak: held[0]!.limit, days: null, slackRefused: throttledBy(k.blockedBy), refused: true, notRun: throttledBy(k.blockedBy), throttles: held });
  });
  report.triggers.forEach((t, j) => {
    if (watched[j] !== 1) return;
    const pt = plan.triggers[j];
    // held at the platform's default before the plan's higher limit, or at an override above the
    // plan's that it does not state: the reading the forecast and recommend take, over the runs as
    // the history has them (the replay under a lower plan limit drops or delays some)
    const runs = t.limit !== null && pt !== undefined ? arrivals.of(j).slice().sort() : null;
    const hold = runs !== null ? defaultHoldOf(pt!, runs, plan.edgeMs) : null;
    if (hold !== null) {
      const limited = refusedRuns.count(j);
      if (limited > 0 && !holdExplains(hold, triggerRefusals(arrivals.of(j), refusedRuns.of(j), pt!.limit))) return;
      const { allDays, atDefault } = holdDays(hold, runs!, plan.edgeMs);
      const ceiling = ceilingInForce(hold);
      out.push({ kind: 'trigger', id: t.id, name: t.name, limit: ceiling, peak: ceiling, days: allDays, slackRefused: limited, refused: t.dropped + t.skipped > 0, notRun: limited > 0 ? runsNotRun[j]! : 0, defaultHold: holdWords(hold), daysAtDefault: atDefault });
      return;
    }
    const code = codeLimit(t, j);
    if (code !== null) {
      // more than the code's limit in some 24 h: the code did not cut this history (an override)
      const { peak, days } = peaks[j]!;
      if (peak === code) out.push({ kind: 'trigger', id: t.id, name: t.name, limit: code, peak, days, slackRefused: 0, refused: false, notRun: 0, codeOnly: true });
      return;
    }
    if (t.limit === null) return;
    const { peak, days } = peaks[j]!;
    if (peak < t.limit) return;
    // refusals its completion times explain do not show demand beyond the limit
    const limited = refusedRuns.count(j);
    if (limited > 0 && !onlySlack(triggerRefusals(arrivals.of(j), refusedRuns.of(j), plan.triggers[j]!.limit))) return;
    out.push({ kind: 'trigger', id: t.id, name: t.name, limit: t.limit, peak, days, slackRefused: limited, refused: t.dropped + t.skipped > 0, notRun: limited > 0 ? runsNotRun[j]! : 0 });
  });
  if (allowanceFull) {
    // messages it refused only by the completion times' slack do not show demand beyond it
    const bySlack = allowanceSlack !== null && allowanceSlack.at.length === a.blockedMessages && onlySlack(allowanceSlack);
    if (a.blockedMessages === 0 || bySlack) out.push({ kind: 'allowance', id: null, name: 'allowance', limit: a.limit!, peak: a.peak, days: null, slackRefused: a.blockedMessages, refused: true, notRun: a.blockedMessages });
  }
  const p = report.pool;
  if (p.limit !== null && p.limit > 0 && p.peak >= p.limit && limitedBy('pool') === 0) {
    out.push({ kind: 'pool', id: null, name: 'pool', limit: p.limit, peak: p.peak, days: null, slackRefused: 0, refused: false, notRun: 0 });
  }
  const people = throttles === null || peopleThrottled === 0 ? null : heldThrottles(throttles.messages, plan);
  if (people !== null) out.push({ kind: 'throttle', id: null, name: "people's messages", limit: people[0]!.limit, peak: people[0]!.limit, days: null, slackRefused: peopleThrottled, refused: true, notRun: peopleThrottled, throttles: people });
  return out;
}

const THROTTLE_NAMES = ['actor_minute', 'actor_hour', 'workspace_minute'] as const;
const THROTTLE_CODES = [Reason.actor_minute, Reason.actor_hour, Reason.workspace_minute] as const;

/** Refusals by the throttles in a report's counts by reason (a key's `blockedBy`, `messagesBlockedBy`). */
function throttledBy(byReason: Record<string, number>): number {
  return THROTTLE_NAMES.reduce((sum, r) => sum + (byReason[r] ?? 0), 0);
}

/**
 * The throttles that held a key or people's messages: each that refused something, when the
 * completion times' slack explains every refusal by the throttles (completion-slack.ts
 * `throttleSlack`); null when one refusal is demand beyond its throttle (a real burst).
 */
function heldThrottles(r: ThrottleRefusals, plan: SimulationResult['plan']): HeldThrottle[] | null {
  if (!onlySlack(r)) return null;
  const out: HeldThrottle[] = [];
  THROTTLE_CODES.forEach((code, k) => {
    let refused = 0;
    for (const c of r.reason) if (c === code) refused++;
    if (refused > 0) out.push({ reason: THROTTLE_NAMES[k]!, limit: throttleLimit(plan, code), refused });
  });
  return out;
}

interface Collected {
  admitted: Slices;
  arrivals: Slices;
  refusedRuns: Slices;
  /** per trigger, how many of its `refusedRuns` were not admitted at all */
  runsNotRun: Int32Array;
  requests: Slices;
  costs: Slices;
  refusedRequests: Slices;
}

/** The one walk over the events, in a small function of its own so that it is compiled as a tight loop. */
function collect(events: EventColumns, result: SimulationResult, watched: Uint8Array, runsRead: Uint8Array, keyRead: Uint8Array, c: Collected): void {
  const { type, time, cost } = events;
  // read once: a joined result (engine/parts.ts) gives its arrays through getters
  const { outcome, admittedAt, reason, entity } = result;
  const admittedTimes = c.admitted.values;
  const admittedEnd = c.admitted.end;
  const arrivalTimes = c.arrivals.values;
  const arrivalStart = c.arrivals.start;
  const arrivalEnd = c.arrivals.end;
  const runs = c.refusedRuns.values;
  const runsEnd = c.refusedRuns.end;
  const requestTimes = c.requests.values;
  const requestStart = c.requests.start;
  const requestEnd = c.requests.end;
  const requestCosts = c.costs.values;
  const refused = c.refusedRequests.values;
  const refusedEnd = c.refusedRequests.end;
  const TRIGGER = EventType.trigger;
  const API = EventType.api;
  const ADMITTED = Outcome.admitted;
  const n = events.count;
  // indexOf scans the type column natively: the loops visit the triggers' and the keys' events,
  // not people's messages (most events), which also keeps the first, not yet optimised, call short
  for (let i = type.indexOf(TRIGGER); i !== -1 && i < n; i = type.indexOf(TRIGGER, i + 1)) {
    const e = entity[i]!;
    if (watched[e] !== 1) continue;
    const isAdmitted = outcome[i] === ADMITTED;
    const t = time[i]!;
    if (isAdmitted) admittedTimes[admittedEnd[e]!++] = admittedAt[i]!;
    const k = arrivalEnd[e]!++;
    arrivalTimes[k] = t;
    if (runsRead[e] !== 1) continue;
    if (limitRefusedRun(isAdmitted, admittedAt[i]!, t, reason[i]!)) {
      runs[runsEnd[e]!++] = k - arrivalStart[e]!;
      if (!isAdmitted) c.runsNotRun[e]!++;
    }
  }
  if (keyRead.includes(1)) {
    for (let i = type.indexOf(API); i !== -1 && i < n; i = type.indexOf(API, i + 1)) {
      const e = entity[i]!;
      if (e < 0 || keyRead[e] !== 1) continue;
      const k = requestEnd[e]!++;
      requestTimes[k] = time[i]!;
      requestCosts[k] = cost[i]!;
      if (capRefusedRequest(outcome[i] === ADMITTED, reason[i]!)) refused[refusedEnd[e]!++] = k - requestStart[e]!;
    }
  }
  // the costs were written at the requests' positions
  c.costs.end.set(requestEnd);
}

const money = (usd: number): string => formatUsd(Math.round(usd * 1e6));

/** The limits the history reached with nothing refused by them, keys first, in `headroom simulate`'s words. */
export function heldLimits(events: EventColumns, result: SimulationResult, report: Report): HeldLimit[] {
  return heldReading(events, result, report).limits;
}

/**
 * Of the replay's refusals and delays, those a held limit explains: counted here, once, from the
 * same reading the held list is written from, so that the verdict and the list agree.
 */
function explainedOf(found: readonly Found[]): ExplainedRefusals {
  let notRun = 0;
  let late = 0;
  for (const h of found) {
    notRun += h.notRun;
    late += h.slackRefused - h.notRun;
  }
  return { notRun, late };
}

/** The held limits in `headroom simulate`'s words, and how many of the replay's refusals and delays they explain. */
export function heldReading(events: EventColumns, result: SimulationResult, report: Report): HeldReading {
  const found = findHeld(events, result, report);
  return { limits: found.map(simulateLimit), explained: explainedOf(found) };
}

function simulateLimit(h: Found): HeldLimit {
  return {
    kind: h.kind,
    id: h.id,
    name: h.name,
    ...(h.impliedCap ? { implied: true as const } : {}),
    ...(h.statedCap ? { statedCapUsd: h.statedCap.statedMicros / 1e6 } : {}),
    ...(h.defaultHold ? { heldAtDefault: h.defaultHold } : {}),
    ...(h.throttles ? { throttles: h.throttles } : {}),
    limit: h.limit,
    peak: h.peak,
    text: simulateText(h),
  };
}

function simulateText(h: Found): string {
  const named = h.id === null ? '' : withId(h.name, h.id);
  switch (h.kind) {
    case 'key': {
      if (h.impliedCap) return impliedCapText(named, h.impliedCap);
      if (h.statedCap) return statedCapText(named, h.statedCap);
      return `${named}: spend reached ${money(h.peak)} of its ${money(h.limit)} cap${keyRefusalsWhy(h)}`;
    }
    case 'trigger': {
      if (h.codeOnly === true) {
        return `${named}: ${counted(h.peak, 'run')} in 24 h${h.days === null ? '' : ` on ${counted(h.days, 'day')}`} and never more: the docs set a programmatic trigger no limit, but the platform's code holds it at ${h.limit} unless support sets an override (SPEC section 9 rule 2)`;
      }
      const why =
        h.slackRefused > 0
          ? ` (the replay ${h.refused ? 'refuses' : 'delays'} ${counted(h.slackRefused, 'run')} of it by its limit, each within ${SLACK_MIN} min of a run's 24 h ending: the export times runs when they completed, after the platform admitted them)`
          : '';
      if (h.defaultHold !== undefined) return `${named}: ${defaultHoldSentence(h, h.defaultHold)}${h.defaultHold.impliedLimit !== undefined ? impliedRefusals(h, h.defaultHold, h.refused ? 'refuses' : 'delays', true) : why}`;
      return `${named}: ${counted(h.peak, 'run')} in 24 h, its limit${why}`;
    }
    case 'allowance': {
      const why =
        h.slackRefused > 0
          ? ` (the replay blocks ${counted(h.slackRefused, 'message')} by it, each within ${SLACK_MIN} min of an entry's 24 h ending: the export times messages when they completed, after the platform admitted them)`
          : '';
      return `the message allowance: ${h.limit.toLocaleString('en-US')} of ${counted(h.limit, 'message')} and fair-use runs in 24 h${why}`;
    }
    case 'pool':
      return `the fair-use pool: ${h.limit.toLocaleString('en-US')} of ${counted(h.limit, 'run')} in 24 h`;
    case 'throttle': {
      const t = throttleWords(h);
      return `${h.id === null ? "people's messages" : named}: held at ${t.limits} by ${t.by} (the replay blocks ${counted(h.slackRefused, t.unit)} by ${t.it}${t.split}, each within ${t.edge}: the export times ${t.unit}s when they completed, after the platform admitted them, so these are the cut the history shows, not ${t.unit}s the platform refused)`;
    }
  }
}

/** What a held throttle's sentences say, for a key's requests or people's messages. */
interface ThrottleWords {
  unit: 'request' | 'message';
  /** "100 requests a minute and 3,000 an hour" */
  limits: string;
  /** "its per-minute throttle" */
  by: string;
  it: 'it' | 'them';
  /** with more than one throttle: " (340 by the minute's, 5 by the hour's)" */
  split: string;
  /** "15 s of a request's minute ending" */
  edge: string;
}

function throttleWords(h: Found): ThrottleWords {
  const ts = h.throttles ?? [];
  const people = h.id === null;
  const unit = people ? 'message' : 'request';
  const each = people ? ' per person' : '';
  const limits = ts
    .map((t, k) => {
      const first = k === 0 ? `${grouped(t.limit)} ${t.limit === 1 ? unit : `${unit}s`}` : grouped(t.limit);
      if (t.reason === 'workspace_minute') return `${first} a minute for the whole workspace`;
      return `${first} ${t.reason === 'actor_hour' ? 'an hour' : 'a minute'}${each}`;
    })
    .join(' and ');
  const by = ts.map((t) => reasonWords(t.reason, people ? 'messages' : 'key')).join(' and ');
  const windowOf = (t: HeldThrottle): string => (t.reason === 'actor_hour' ? 'hour' : 'minute');
  const split = ts.length > 1 ? ` (${ts.map((t) => `${grouped(t.refused)} by the ${t.reason === 'workspace_minute' ? "workspace's minute" : `${windowOf(t)}'s`}`).join(', ')})` : '';
  const edge = throttleEdgeWords(ts.map((t) => Reason[t.reason]), unit);
  return { unit, limits, by, it: ts.length > 1 ? 'them' : 'it', split, edge };
}


const HIGHER = 'real demand was higher than this history shows';

/** Why a held key's refusals by its cap are not demand, in `headroom simulate`'s words ('' when none). */
function keyRefusalsWhy(h: Found): string {
  if (h.slackRefused === 0) return '';
  const byWindow = h.byDocsWindow ?? 0;
  const inFlight = h.slackRefused - byWindow;
  const flight = `within ${SLACK_MIN} min of requests that reached it: in flight when the platform checked the cap, which adds a request's cost when it completes`;
  const window = `the docs' window, counted to the millisecond, still held the cap, where the platform's, re-based at 00:00 UTC, had freed the oldest day's spend`;
  if (byWindow === 0) return ` (the replay blocks ${counted(h.slackRefused, 'request')} by it, each ${flight})`;
  if (inFlight === 0) return ` (the replay blocks ${counted(h.slackRefused, 'request')} by it that the platform let through: ${window})`;
  return ` (the replay blocks ${counted(h.slackRefused, 'request')} by it that the platform let through: ${inFlight} ${flight}; ${byWindow} because ${window})`;
}

/** The same in the Overview's sentences. */
function keyRefusalsSentence(h: Found): string {
  if (h.slackRefused === 0) return '';
  const byWindow = h.byDocsWindow ?? 0;
  const inFlight = h.slackRefused - byWindow;
  const parts: string[] = [];
  if (inFlight > 0) parts.push(`${byWindow > 0 ? grouped(inFlight) : 'they'} came within ${SLACK_MIN} min of the spend that reached the cap: in flight when the platform checked it`);
  if (byWindow > 0) parts.push(`${inFlight > 0 ? grouped(byWindow) : 'they'} came on a day the platform had freed the oldest day's spend at 00:00 UTC, which the docs' window, counted to the millisecond, still counts`);
  return ` The replay blocks ${countedWords(h.slackRefused, 'request')} the platform let through: ${parts.join('; ')}. Not demand beyond the cap.`;
}

/**
 * A webhook held at the platform's default before the plan's higher limit, in the words recommend
 * and the forecast use (forecast/default-hold.ts): how, on how many days, and what the plan's
 * limit then is.
 */
function defaultHoldSentence(h: Found, hold: DefaultHoldWords): string {
  const days = h.days ?? 0;
  const on = `on ${countedWords(days, 'day')}${hold.stepOn !== undefined ? ` (${grouped(h.daysAtDefault ?? 0)} of them at ${hold.limit})` : ''}`;
  const predates = holdPredates(hold);
  const notInForce = holdNotInForce(hold);
  return `${holdText(hold, on)}: ${holdWhy(hold)}${predates !== null ? `; ${predates}` : ''}${notInForce !== null ? `; ${notInForce}` : ''}`;
}

/**
 * The replay's refusals of a webhook held at an override the plan does not state: runs the platform
 * ran, which the plan's lower limit refuses (` (the replay drops 408 runs …)`, or as a sentence of
 * the Overview's). '' when the replay refused none.
 */
function impliedRefusals(h: Found, hold: DefaultHoldWords, verb: string, inBrackets: boolean): string {
  if (h.slackRefused === 0) return '';
  const text =
    `the replay ${verb} ${countedWords(h.slackRefused, 'run')} of it by the plan's limit of ${grouped(hold.planLimit)}, which the platform did not: ` +
    `the export holds those runs, admitted under the ${grouped(hold.impliedLimit!)} in force from ${hold.stepOn}`;
  return inBrackets ? ` (${text})` : ` The replay ${text.slice('the replay '.length)}.`;
}

/**
 * A whole number with thousands separators, as `toLocaleString('en-US')` writes it, without ICU:
 * its first use on a thread costs ~20 ms, and the compute worker's first overview is where these
 * sentences are written first.
 */
function grouped(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  let out = '';
  for (let k = 0; k < digits.length; k++) out += (k > 0 && (digits.length - k) % 3 === 0 ? ',' : '') + digits[k];
  return n < 0 ? `-${out}` : out;
}

const countedWords = (n: number, one: string): string => `${grouped(n)} ${n === 1 ? one : `${one}s`}`;

const dollars = (usd: number): string => {
  const cents = Math.round(usd * 100);
  return `${cents < 0 ? '-' : ''}$${grouped(Math.floor(Math.abs(cents) / 100))}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
};

/** The held limits as the Overview says them: a sentence each, in an admin's words. */
export function heldLimitFigures(events: EventColumns, result: SimulationResult, report: Report): HeldLimits {
  const platform = report.profile === 'platform';
  const windowDays = Math.round(result.plan.keyCapWindowMs / DAY);
  const found = findHeld(events, result, report);
  const limits = found.map(
    (h): HeldLimitFigure => ({
      kind: h.kind,
      id: h.id,
      name: h.name,
      limit: h.limit,
      peak: h.peak,
      days: h.days,
      ...(h.impliedCap ? { implied: true as const } : {}),
      ...(h.statedCap ? { statedCapUsd: h.statedCap.statedMicros / 1e6 } : {}),
      ...(h.defaultHold ? { heldAtDefault: h.defaultHold } : {}),
      ...(h.throttles ? { throttles: h.throttles } : {}),
      slackRefused: h.slackRefused,
      sentence: overviewSentence(h, platform, windowDays),
    }),
  );
  return { profile: report.profile, limits, explained: explainedOf(found) };
}

function overviewSentence(h: Found, platform: boolean, windowDays: number): string {
  switch (h.kind) {
    case 'key': {
      if (h.impliedCap) return `${impliedCapText(`API key ${h.name}`, h.impliedCap)}.`;
      if (h.statedCap) return `${statedCapText(`API key ${h.name}`, h.statedCap)}.`;
      // the cap's window as the plan's reading counts it (SPEC section 9 rule 6)
      const window = `${countedWords(windowDays, 'day')}${platform ? ' counted from 00:00 UTC' : ''}`;
      return `API key ${h.name}'s spend reached ${dollars(h.peak)} of its ${dollars(h.limit)} cap (${window}): the platform held it at its cap; ${HIGHER}.${keyRefusalsSentence(h)}`;
    }
    case 'trigger': {
      const days = h.days === null ? '' : ` on ${countedWords(h.days, 'day')}`;
      if (h.codeOnly === true) {
        return `Trigger ${h.name} ran exactly ${countedWords(h.limit, 'time')} in 24 h${days} and never more: the docs set a programmatic trigger no limit, but the platform's code holds it at ${grouped(h.limit)} unless support sets an override, so the platform most likely held it; ${HIGHER}.`;
      }
      const action = h.refused ? (platform ? 'drops' : 'refuses') : 'delays';
      const why =
        h.slackRefused > 0
          ? ` The replay ${action} ${countedWords(h.slackRefused, 'run')} by its limit, each within ${SLACK_MIN} min of a run's 24 h ending: the export times a run when it completed, after the platform admitted it, so its status says Rate limited.`
          : '';
      if (h.defaultHold !== undefined) {
        const refusals = h.defaultHold.impliedLimit !== undefined ? impliedRefusals(h, h.defaultHold, action, false) : why;
        return `Trigger ${h.name} was ${defaultHoldSentence(h, h.defaultHold)}: the platform held it; ${HIGHER}.${refusals}`;
      }
      return `Trigger ${h.name} ran exactly ${countedWords(h.limit, 'time')} in 24 h${days}: the platform held it; ${HIGHER}.${why}`;
    }
    case 'allowance': {
      const why = h.slackRefused > 0 ? ` The ${countedWords(h.slackRefused, 'message')} the replay blocks came within ${SLACK_MIN} min of an entry's 24 h ending: the export's timing, not demand beyond it.` : '';
      return `The message allowance was full: ${grouped(h.peak)} of ${grouped(h.limit)} messages and fair-use runs in 24 h. The platform held people's messages at it; ${HIGHER}.${why}`;
    }
    case 'pool':
      return `The fair-use pool was full: ${grouped(h.peak)} of ${countedWords(h.limit, 'run')} in 24 h. The platform held the fair-use triggers at it; ${HIGHER}.`;
    case 'throttle': {
      const t = throttleWords(h);
      const who = h.id === null ? "People's messages were" : `API key ${h.name} was`;
      return `${who} held at ${t.limits} by ${t.by}: the platform held ${h.id === null ? 'them' : 'it'} there; ${HIGHER}. The replay blocks ${countedWords(h.slackRefused, t.unit)} by ${t.it}${t.split}, each within ${t.edge}: the export times a ${t.unit} when it completed, after the platform admitted it, so ${h.id === null ? 'the messages' : 'its status'} ${h.id === null ? 'read as blocked' : 'says Rate limited'}; the platform did not refuse them.`;
    }
  }
}
