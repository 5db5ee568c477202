/**
 * What the report and the screens' views need from the per-event decisions, summed per key,
 * trigger, reason and UTC day in one pass. Tallies of two parts simulated apart (src/engine/parts.ts)
 * add up to the whole's, so an edit that re-simulates one part tallies only that part again and the
 * report is built from days × entities, never from the events.
 */
import { EventType } from './events.ts';
import type { EventColumns } from './events.ts';
import { Outcome, REASON_SPEND_LIMIT_BASE } from './result.ts';
import type { SimulationResult } from './result.ts';
import { DAY } from './units.ts';

/** The UTC days the whole history spans: per-day tallies of every part index days from `day0`. */
export interface DayFrame {
  day0: number;
  days: number;
}

export interface KeyTallies {
  count: number;
  requests: Float64Array;
  admitted: Float64Array;
  admittedMicros: Float64Array;
  blockedMicros: Float64Array;
  /** the first blocked request's time; +Infinity when none */
  firstBlocked: Float64Array;
  /** the last request's time; -Infinity when none */
  lastUsed: Float64Array;
  /** key × reason: blocked requests by the check that failed */
  blockedBy: Float64Array;
  /** key × day: admitted spend by the UTC day it was admitted on (the last day takes later ones) */
  daily: Float64Array;
}

export interface TriggerTallies {
  count: number;
  arrivals: Float64Array;
  /** trigger × outcome */
  outcomes: Float64Array;
  delayed: Float64Array;
  /** over admitted runs; -1 when none was admitted */
  maxDelay: Float64Array;
  /** trigger × reason: runs that hit a limit, by the first check that failed */
  limitedBy: Float64Array;
  admittedMicros: Float64Array;
  /** per trigger: the delays (> 0) of runs admitted after waiting, ascending */
  delays: Float64Array[];
  /** trigger × day: runs by their arrival's UTC day */
  daily: Float64Array;
}

export interface ReportTallies {
  frame: DayFrame;
  /** row width of the `× reason` tables: REASON_SPEND_LIMIT_BASE + spend limits */
  reasons: number;
  /** first and last event times; ±Infinity without events */
  minTime: number;
  maxTime: number;
  /** by outcome code */
  outcomes: Float64Array;
  /** by event type */
  byType: Float64Array;
  delayedTotal: number;
  blockedMessages: number;
  /** people's blocked messages by reason */
  messageBlockedBy: Float64Array;
  /** per spend limit: events it stopped for good, and runs it made wait */
  limitBlocked: Float64Array;
  limitDelayed: Float64Array;
  keys: KeyTallies;
  triggers: TriggerTallies;
}

/** The days `events` span, in UTC days since the epoch. */
export function dayFrameOf(events: EventColumns): DayFrame {
  if (events.count === 0) return { day0: 0, days: 0 };
  const { time, count } = events;
  let first = time[0];
  let last = first;
  for (let i = 1; i < count; i++) {
    const t = time[i];
    if (t < first) first = t;
    else if (t > last) last = t;
  }
  return dayFrameBetween(first, last);
}

export function dayFrameBetween(first: number, last: number): DayFrame {
  if (!Number.isFinite(first)) return { day0: 0, days: 0 };
  const day0 = Math.floor(first / DAY);
  return { day0, days: Math.floor(last / DAY) - day0 + 1 };
}

export function keyTallies(count: number, reasons: number, days: number): KeyTallies {
  return {
    count,
    requests: new Float64Array(count),
    admitted: new Float64Array(count),
    admittedMicros: new Float64Array(count),
    blockedMicros: new Float64Array(count),
    firstBlocked: new Float64Array(count).fill(Number.POSITIVE_INFINITY),
    lastUsed: new Float64Array(count).fill(Number.NEGATIVE_INFINITY),
    blockedBy: new Float64Array(count * reasons),
    daily: new Float64Array(count * days),
  };
}

export function triggerTallies(count: number, reasons: number, days: number): TriggerTallies {
  return {
    count,
    arrivals: new Float64Array(count),
    outcomes: new Float64Array(count * 5),
    delayed: new Float64Array(count),
    maxDelay: new Float64Array(count).fill(-1),
    limitedBy: new Float64Array(count * reasons),
    admittedMicros: new Float64Array(count),
    delays: Array.from({ length: count }, () => new Float64Array(0)),
    daily: new Float64Array(count * days),
  };
}

/**
 * One pass over `events` and the decisions `result` made on them. `span`: the first and last event
 * times when the caller knows them (a part's tallies carry the whole's), which spares reading every
 * event's time for them. `others`: the positions, ascending, of every event that is not a person's
 * message; with the pass's count of messages by reason (`messagesByReason`) the messages, most of
 * the events, are then not read at all.
 */
export function tally(events: EventColumns, result: SimulationResult, frame: DayFrame, span?: { first: number; last: number }, others?: Uint32Array): ReportTallies {
  const plan = result.plan;
  const nKeys = plan.keys.length;
  const nTriggers = plan.triggers.length;
  const nReasons = REASON_SPEND_LIMIT_BASE + plan.spendLimits.length;
  const { day0, days } = frame;
  const lastDay = days - 1;
  const keys = keyTallies(nKeys, nReasons, days);
  const triggers = triggerTallies(nTriggers, nReasons, days);
  const delays: number[][] = Array.from({ length: nTriggers }, () => []);
  const limitBlocked = new Float64Array(plan.spendLimits.length);
  const limitDelayed = new Float64Array(plan.spendLimits.length);
  const outcomes = new Float64Array(5);
  const byType = new Float64Array(3);
  const messageBlockedBy = new Float64Array(nReasons);
  let delayedTotal = 0;
  let blockedMessages = 0;
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;

  const { time, type, cost } = events;
  const { outcome, admittedAt, reason, entity } = result;
  const programmatic = Uint8Array.from(plan.triggers, (t) => (t.mode === 'programmatic' ? 1 : 0));
  const { requests, admitted: kAdmitted, admittedMicros: kAdmittedMicros, blockedMicros, firstBlocked, lastUsed, blockedBy, daily: kDaily } = keys;
  const { arrivals, outcomes: tOutcomes, delayed: tDelayed, maxDelay, limitedBy, admittedMicros: tAdmittedMicros, daily: tDaily } = triggers;
  const API = EventType.api;
  const TRIGGER = EventType.trigger;
  const ADMITTED = Outcome.admitted;
  const SPEND = REASON_SPEND_LIMIT_BASE;
  const n = result.count;
  const MESSAGE = EventType.message;
  if (span !== undefined) {
    minTime = span.first;
    maxTime = span.last;
  } else {
    for (let i = 0; i < n; i++) {
      const t = time[i];
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
    }
  }
  // outcomes by type: the totals, without two counters per event
  const byTypeOutcome = new Float64Array(15);
  const counted = result.messagesByReason;
  const skip = others !== undefined && counted !== undefined ? others : null;
  if (skip !== null && counted !== undefined) {
    for (let r = 0; r < counted.length; r++) {
      const c = counted[r];
      if (c === 0) continue;
      if (r === 0) {
        byTypeOutcome[MESSAGE * 5 + ADMITTED] += c;
        continue;
      }
      byTypeOutcome[MESSAGE * 5 + Outcome.blocked] += c;
      blockedMessages += c;
      messageBlockedBy[r] += c;
    }
  }
  const m = skip === null ? n : skip.length;
  for (let j = 0; j < m; j++) {
    const i = skip === null ? j : skip[j];
    const o = outcome[i];
    const ty = type[i];
    byTypeOutcome[ty * 5 + o]++;
    // most events are people's messages: an admitted one has nothing more to count
    if (ty === MESSAGE) {
      if (o !== ADMITTED) {
        const r = reason[i];
        blockedMessages++;
        messageBlockedBy[r]++;
        if (r >= SPEND) limitBlocked[r - SPEND]++;
      }
      continue;
    }
    const r = reason[i];
    const e = entity[i];
    const t = time[i];
    const admitted = o === ADMITTED;
    if (r >= SPEND) {
      if (admitted) limitDelayed[r - SPEND]++;
      else limitBlocked[r - SPEND]++;
    }
    if (ty === API) {
      if (e < 0) continue;
      requests[e]++;
      if (t > lastUsed[e]) lastUsed[e] = t;
      if (admitted) {
        kAdmitted[e]++;
        kAdmittedMicros[e] += cost[i];
        const d = Math.floor(admittedAt[i] / DAY) - day0;
        kDaily[e * days + (d < lastDay ? d : lastDay)] += cost[i];
      } else {
        blockedMicros[e] += cost[i];
        blockedBy[e * nReasons + r]++;
        if (t < firstBlocked[e]) firstBlocked[e] = t;
      }
    } else if (ty === TRIGGER) {
      if (e < 0) continue;
      arrivals[e]++;
      tDaily[e * days + Math.floor(t / DAY) - day0]++;
      tOutcomes[e * 5 + o]++;
      if (r !== 0) limitedBy[e * nReasons + r]++;
      if (admitted) {
        if (programmatic[e] === 1) tAdmittedMicros[e] += cost[i];
        const delay = admittedAt[i] - t;
        if (delay > 0) {
          delayedTotal++;
          tDelayed[e]++;
          delays[e].push(delay);
          if (delay > maxDelay[e]) maxDelay[e] = delay;
        } else if (maxDelay[e] < 0) {
          maxDelay[e] = 0;
        }
      }
    }
  }
  for (let ty = 0; ty < 3; ty++) {
    for (let o = 0; o < 5; o++) {
      byType[ty] += byTypeOutcome[ty * 5 + o];
      outcomes[o] += byTypeOutcome[ty * 5 + o];
    }
  }
  for (let g = 0; g < nTriggers; g++) if (delays[g].length > 0) triggers.delays[g] = Float64Array.from(delays[g]).sort();
  return { frame, reasons: nReasons, minTime, maxTime, outcomes, byType, delayedTotal, blockedMessages, messageBlockedBy, limitBlocked, limitDelayed, keys, triggers };
}

/** Adds `rows` rows of `src` (rows of `srcWidth`) into `dst` (rows of `dstWidth`, at least as wide). */
function addRows(dst: Float64Array, dstWidth: number, src: Float64Array, srcWidth: number, rows: number): void {
  if (dstWidth === srcWidth) {
    const n = rows * srcWidth;
    for (let i = 0; i < n; i++) dst[i] += src[i];
    return;
  }
  for (let row = 0; row < rows; row++) {
    const d = row * dstWidth;
    const s = row * srcWidth;
    for (let j = 0; j < srcWidth; j++) dst[d + j] += src[s + j];
  }
}

function addInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < src.length; i++) dst[i] += src[i];
}

function minInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < src.length; i++) if (src[i] < dst[i]) dst[i] = src[i];
}

function maxInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < src.length; i++) if (src[i] > dst[i]) dst[i] = src[i];
}

/**
 * The tallies of two sets of events simulated apart that number keys, triggers and spend limits
 * alike (a part has a prefix of the whole's; src/engine/parts.ts), on the same day frame.
 */
export function addTallies(a: ReportTallies, b: ReportTallies): ReportTallies {
  const frame = a.frame;
  if (frame.day0 !== b.frame.day0 || frame.days !== b.frame.days) throw new Error('tallies on different days cannot be added');
  const { days } = frame;
  const reasons = Math.max(a.reasons, b.reasons);
  const nLimits = Math.max(a.limitBlocked.length, b.limitBlocked.length);
  const keys = keyTallies(Math.max(a.keys.count, b.keys.count), reasons, days);
  const triggers = triggerTallies(Math.max(a.triggers.count, b.triggers.count), reasons, days);
  const outcomes = new Float64Array(5);
  const byType = new Float64Array(3);
  const messageBlockedBy = new Float64Array(reasons);
  const limitBlocked = new Float64Array(nLimits);
  const limitDelayed = new Float64Array(nLimits);
  for (const part of [a, b]) {
    addInto(outcomes, part.outcomes);
    addInto(byType, part.byType);
    addInto(messageBlockedBy, part.messageBlockedBy);
    addInto(limitBlocked, part.limitBlocked);
    addInto(limitDelayed, part.limitDelayed);
    const k = part.keys;
    addInto(keys.requests, k.requests);
    addInto(keys.admitted, k.admitted);
    addInto(keys.admittedMicros, k.admittedMicros);
    addInto(keys.blockedMicros, k.blockedMicros);
    minInto(keys.firstBlocked, k.firstBlocked);
    maxInto(keys.lastUsed, k.lastUsed);
    addRows(keys.blockedBy, reasons, k.blockedBy, part.reasons, k.count);
    addInto(keys.daily, k.daily);
    const t = part.triggers;
    addInto(triggers.arrivals, t.arrivals);
    addInto(triggers.outcomes, t.outcomes);
    addInto(triggers.delayed, t.delayed);
    maxInto(triggers.maxDelay, t.maxDelay);
    addRows(triggers.limitedBy, reasons, t.limitedBy, part.reasons, t.count);
    addInto(triggers.admittedMicros, t.admittedMicros);
    addInto(triggers.daily, t.daily);
    for (let g = 0; g < t.count; g++) {
      const mine = t.delays[g];
      if (mine.length === 0) continue;
      const have = triggers.delays[g];
      if (have.length === 0) {
        triggers.delays[g] = mine;
      } else {
        const both = new Float64Array(have.length + mine.length);
        both.set(have);
        both.set(mine, have.length);
        triggers.delays[g] = both.sort();
      }
    }
  }
  return {
    frame,
    reasons,
    minTime: Math.min(a.minTime, b.minTime),
    maxTime: Math.max(a.maxTime, b.maxTime),
    outcomes,
    byType,
    delayedTotal: a.delayedTotal + b.delayedTotal,
    blockedMessages: a.blockedMessages + b.blockedMessages,
    messageBlockedBy,
    limitBlocked,
    limitDelayed,
    keys,
    triggers,
  };
}

/**
 * `before`'s tallies with key `k`'s requests (at `positions` of `events`) counted from `after`
 * instead: `after` decided every other event as `before` did and no spend limit stopped the key
 * in either (src/engine/isolated-cap.ts), so only the key's row and the outcome totals move.
 * The sums are of whole micro-USD and counts, so they come out as a fresh tally's.
 */
export function retallyKey(before: ReportTallies, events: EventColumns, old: SimulationResult, after: SimulationResult, k: number, positions: Uint32Array): ReportTallies {
  const { days, day0 } = before.frame;
  const lastDay = days - 1;
  const nReasons = before.reasons;
  const b = before.keys;
  const keys: KeyTallies = {
    ...b,
    admitted: b.admitted.slice(),
    admittedMicros: b.admittedMicros.slice(),
    blockedMicros: b.blockedMicros.slice(),
    firstBlocked: b.firstBlocked.slice(),
    blockedBy: b.blockedBy.slice(),
    daily: b.daily.slice(),
  };
  const outcomes = before.outcomes.slice();
  keys.admitted[k] = 0;
  keys.admittedMicros[k] = 0;
  keys.blockedMicros[k] = 0;
  keys.firstBlocked[k] = Number.POSITIVE_INFINITY;
  keys.blockedBy.fill(0, k * nReasons, (k + 1) * nReasons);
  keys.daily.fill(0, k * days, (k + 1) * days);
  const { time, cost } = events;
  // outcome totals: the key's requests moved from their old outcomes to their new ones
  const moved = new Float64Array(5);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    const o = after.outcome[p];
    moved[old.outcome[p]]--;
    moved[o]++;
    if (o === Outcome.admitted) {
      keys.admitted[k]++;
      keys.admittedMicros[k] += cost[p];
      const d = Math.floor(after.admittedAt[p] / DAY) - day0;
      keys.daily[k * days + (d < lastDay ? d : lastDay)] += cost[p];
    } else {
      keys.blockedMicros[k] += cost[p];
      keys.blockedBy[k * nReasons + after.reason[p]]++;
      if (time[p] < keys.firstBlocked[k]) keys.firstBlocked[k] = time[p];
    }
  }
  for (let o = 0; o < 5; o++) outcomes[o] += moved[o];
  return { ...before, outcomes, keys };
}

/**
 * Tallies known for a result without a pass over the events: a result of parts joined gets its
 * parts' tallies added, on first use (src/engine/parts.ts).
 */
const known = new WeakMap<SimulationResult, () => ReportTallies>();

export function provideTallies(result: SimulationResult, make: () => ReportTallies): void {
  let made: ReportTallies | null = null;
  known.set(result, () => (made ??= make()));
}

/** `result`'s tallies over `events`: the ones provided for it, else one pass (kept for next time). */
export function talliesOf(events: EventColumns, result: SimulationResult): ReportTallies {
  const provided = known.get(result);
  if (provided !== undefined) return provided();
  const made = tally(events, result, dayFrameOf(events));
  known.set(result, () => made);
  return made;
}
