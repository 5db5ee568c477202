import { centsOf, DAY } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import type { ResolvedPlan } from '../engine/plan-rules.ts';
import { COMPLETION_SLACK_MS } from '../engine/completion-slack.ts';

/**
 * A key cap the plan does not state, read off the history. The platform's exports never say a
 * key's cap and an admin's plan often leaves it out; a key its cap held then looks like a key
 * whose demand is its cap: a rolling spend flat at the cap, read as demand, and advice sized on
 * it. The platform's check (dust-facts: `usage >= cap` before a request runs, usage being the spend
 * of today and the 29 UTC days before it) leaves a signature a spender without a cap leaves only by
 * rare chance:
 *
 * - on every day the key spent, its window began under some level c (it was let through), and its
 *   requests were let through up to just under where it stopped (a sharp ceiling);
 * - after its spend reached the ceiling it fell silent for whole days while the window still held
 *   c or more and nothing rolled out of it, then spent again once old spend rolled out, and
 * - it did so again (two such silences), or reached the ceiling again at once and stayed there for
 *   two weeks (a long plateau: each day spending what rolled out), or, with one such silence, was
 *   back at the ceiling after it and either cut short at it (a day spending under half its usual)
 *   or stopped at a level an admin would set (a multiple of $5), or both of those (a key wanting
 *   only a little more than its cap's pace stalls once a window, and a short history holds one);
 * - the level it stopped at took more than one day's spend to reach: a key that spends its whole
 *   window's level in one day, then nothing until that day rolls out, is what a monthly batch job
 *   looks like as much as a capped key wanting more than its cap in a day, and nothing tells them
 *   apart (no spend held at the level while the key went on spending, no day cut short at it), so
 *   it is not read as held.
 *
 * A steady spender whose 30-day sum is flat never goes silent at its ceiling: old spend leaves its
 * window every day and it spends every day. A spike stays in the window for 30 days while the key
 * keeps spending over it. A key that stays silent once room opens is not held. And a key often idle
 * with room in its window (intermittent use) shows no cap: its silences need none to explain them.
 * A history that starts with the key already at its cap has windows reaching back to spend it never
 * saw: its silent days in the first window are neither room nor stops, and the cap is read from the
 * days after; such a reading also needs the cut-short day or the round level.
 */

/** Silent spells at the ceiling needed, or one and this many days at it (a long plateau). */
const MIN_SPELLS = 2;
const LONG_PLATEAU_DAYS = 14;
/**
 * The key must spend on at least this share of the days its window had room (its usual weekdays):
 * otherwise a silence is its own habit, not the cap's.
 */
const MIN_ACTIVE_SHARE = 0.8;
/** A weekday the key spends on at most this share of (with room) is a day off, not a silence. */
const DAY_OFF_SHARE = 0.25;
/** The most the silences at the ceiling may be a chance of the key's own idle days. */
const CHANCE = 1e-3;
/**
 * The most the highest stop may lie above the highest window a request was let through at, as a
 * share of it: the requests in flight when the cap was reached overshoot it by their cost.
 */
const SHARP = 0.1;
/** Days after a lone stop the key must end at the ceiling again, spending, for that stop to read as a cap's. */
const MIN_RIDING_DAYS = 3;
/** A day that reached the level spending under this share of the key's usual day was cut short there. */
const CUT_SHORT = 0.5;
/** Caps an admin sets are whole multiples of this (µUSD): $5. */
const ROUND_CAP_MICROS = 5_000_000;

export interface ImpliedCap {
  id: string;
  /** the cap the history reads as (µUSD): the roundest amount above `floor` and at most every stop's level */
  capMicros: number;
  /** the most a request was let through with in its window (µUSD): the cap is above it */
  floorMicros: number;
  /** the rolling spend at the stops (µUSD): the lowest and the highest */
  reached: { low: number; high: number };
  /** times the spend reached the ceiling and the key fell silent for whole days */
  stops: number;
  /** of them, those the key ended by spending again once old spend rolled out (the rest: the history ended first) */
  resumed: number;
  /** the last stop still silent when the history ends */
  silentAtEnd: boolean;
  /** UTC days whose rolling spend ended above `floor` */
  heldDays: number;
  /** the cap's window, in days, as the platform counts it */
  windowDays: number;
}

/** What the spend of one key says of a cap: null when it shows none. */
export type ImpliedReading = Omit<ImpliedCap, 'id'>;

/**
 * The cap a key's requests read as held by, if any. `times` and `costs` (µUSD) are its requests in
 * time order; the history runs to the UTC day `lastDay` (day number since the epoch); the window is
 * today and the `windowDays - 1` UTC days before it (dust-facts: re-based once per UTC day).
 * `seenFromDay`: the first UTC day the history holds (the export's, which may come before the key's
 * first request); a window reaching back before it may hold spend the history never saw. Without
 * it the key's first day is taken as the history's.
 */
export function impliedCapOf(times: ArrayLike<number>, costs: ArrayLike<number>, lastDay: number, windowDays: number, seenFromDay?: number): ImpliedReading | null {
  const w = dayWindows(times, costs, lastDay, windowDays);
  if (w === null) return null;
  const { firstDay, n, spend, start, end, floor } = w;
  // silent with more than any request was let through with in the window: refused all day, had it asked
  const held = (d: number) => spend[d] === 0 && start[d]! > floor;
  // A history that starts with the key already at its cap: the windows of its first days reach back
  // before it, to spend it never saw, so a silent day there with room in what it saw may have had
  // none. Such a day is neither room nor a stop: the cap is read from the days after it.
  const knownFrom = Math.min(seenFromDay ?? firstDay, firstDay) - firstDay + windowDays - 1;
  const unknown = (d: number) => d < knownFrom && spend[d] === 0 && start[d]! <= floor;
  let unknownDays = 0;
  for (let d = 0; d < n; d++) if (unknown(d)) unknownDays++;
  // weekdays the key takes off: it spends on few of them while its window has room
  const withRoom = new Float64Array(7);
  const spentOn = new Float64Array(7);
  for (let d = 0; d < n; d++) {
    if (start[d]! > floor || unknown(d)) continue;
    const w = (firstDay + d) % 7;
    withRoom[w]!++;
    if (spend[d]! > 0) spentOn[w]!++;
  }
  const dayOff = (d: number) => {
    const w = (firstDay + d) % 7;
    return withRoom[w]! >= 2 && spentOn[w]! <= DAY_OFF_SHARE * withRoom[w]!;
  };
  let roomDays = 0;
  let activeDays = 0;
  for (let d = 0; d < n; d++) {
    if (start[d]! > floor || dayOff(d) || unknown(d)) continue;
    roomDays++;
    if (spend[d]! > 0) activeDays++;
  }
  // a key often idle with room in its window: its silences are its own
  if (roomDays === 0 || activeDays < MIN_ACTIVE_SHARE * roomDays) return null;

  let stops = 0;
  /** the days the key spent again after a stop */
  const resumedOn: number[] = [];
  let heldSilent = 0;
  let resumed = 0;
  let silentAtEnd = false;
  let ceiling = Number.POSITIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  /** stops whose level the key reached in one day from a window near empty: a batch's signature as much as a cap's */
  let oneDayFills = 0;
  /** the days that reached a stop's level */
  const fills: number[] = [];
  for (let d = 1; d < n; d++) {
    if (!held(d) || held(d - 1)) continue;
    // whole silent days refused at the ceiling, days off inside them changing nothing; a stop when
    // on one of them nothing rolled out of the window: the key waited for old spend to leave it (a
    // key that spends daily always has some leaving, so its day off is no such silence)
    let e = d;
    let waited = false;
    let silent = 0;
    while (e < n && spend[e] === 0 && (held(e) || dayOff(e))) {
      if (held(e)) {
        ceiling = Math.min(ceiling, start[e]!);
        if (e < windowDays || spend[e - windowDays] === 0) waited = true;
        if (!dayOff(e)) silent++;
      }
      e++;
    }
    // room opened and the key stayed silent on a day it usually spends: not the cap's silence
    if (e < n && spend[e] === 0 && !unknown(e)) return null;
    if (waited) {
      stops++;
      heldSilent += silent;
      // the day before the silence spent (a silent day with room before a held one cannot be: the
      // window only grows by spending) and reached the level
      const level = end[d - 1]!;
      // the usual day before that one (days off skipped): silent too, and the level came in one day
      let before = d - 2;
      while (before >= 0 && spend[before] === 0 && dayOff(before)) before--;
      if (start[d - 1]! <= SHARP * level || before < 0 || spend[before] === 0) oneDayFills++;
      fills.push(d - 1);
      ceiling = Math.min(ceiling, level);
      low = Math.min(low, level);
      high = Math.max(high, level);
      if (e < n) {
        resumed++;
        resumedOn.push(e);
      } else silentAtEnd = true;
    }
    d = e;
  }
  // a spell that ends with the history says nothing of what room would have done
  if (resumed === 0) return null;
  // Each stop's level spent in one day from a window near empty: a cap does this to a key wanting
  // more than its cap in a day, and so does a batch job spending the same amount once every window
  // ($300 on the 1st, nothing for 29 days, $300 again). Nothing in the history tells them apart: no
  // spend held at a level while the key went on spending, no day cut short at it. Such a key is not
  // read as held; its days are its demand.
  if (oneDayFills === stops) return null;
  // The days the window was fullest are all silent by construction (`floor` is the fullest any
  // request was let through at): what tells a cap from chance is how many there are. A key
  // silent on a share q of its usual days with room is silent on m given days with a chance of
  // about q^m (q estimated with one silent day and one active added, so that a key never seen
  // silent is not taken as never silent)
  const q = (roomDays - activeDays + 1) / (roomDays + 2);
  if (heldSilent * Math.log(q) > Math.log(CHANCE)) return null;
  // a cap is a sharp ceiling: requests were let through up to just under where the key stopped
  // (a batch spending its month in one request has nothing let through near it)
  if (high - floor > SHARP * high) return null;
  // Days whose window ended above every level a request was let through at, and the longest run of
  // them through a day the key spent again after a stop: back at the ceiling as soon as old spend left
  // (a key that spent a month's budget in one day and little once it left the window has no such run)
  let heldDays = 0;
  let run = 0;
  let plateau = 0;
  let through = false;
  for (let d = 0; d <= n; d++) {
    if (d < n && end[d]! > floor) {
      heldDays++;
      run++;
      if (resumedOn.includes(d)) through = true;
      continue;
    }
    if (through) plateau = Math.max(plateau, run);
    run = 0;
    through = false;
  }
  // One stop is less than the two (or the plateau) asked for, yet a key whose demand is a little
  // above its cap's pace stalls once a window, and a short history holds one such stall. So are
  // silent days early on taken as held by spend the history never saw. A key that paused at its
  // busiest stretch and resumed the day its first spend rolled out looks the same, so either reads
  // as a cap's only with what a pause lacks: a day cut short at the level (the key spent under half
  // its usual day, then nothing), a level an admin would set (a multiple of $5, where a pause's peak
  // falls anywhere), and for a lone stop the key back at the ceiling on days it spent after it
  // (spending what rolled out) with one of those, or both of those.
  const capMicros = roundestIn(floor, ceiling);
  const cut = cutShort(spend, end, floor, fills);
  const round = capMicros % ROUND_CAP_MICROS === 0;
  if (stops < MIN_SPELLS && plateau < LONG_PLATEAU_DAYS) {
    let backAtCeiling = 0;
    for (let d = resumedOn[0]! + 1; d < n; d++) if (spend[d]! > 0 && end[d]! > floor) backAtCeiling++;
    if (!(cut && round) && !(backAtCeiling >= MIN_RIDING_DAYS && (cut || round))) return null;
  } else if (unknownDays > 0 && !cut && !round) return null;
  return { capMicros, floorMicros: floor, reached: { low, high }, stops, resumed, silentAtEnd, heldDays, windowDays };
}

/**
 * Whether a day that reached a stop's level spent under `CUT_SHORT` of the key's usual day (the
 * median of its days with spend that ended below the ceiling): the requests stopped at the level
 * while its demand went on.
 */
function cutShort(spend: Float64Array, end: Float64Array, floor: number, fills: readonly number[]): boolean {
  const usual: number[] = [];
  for (let d = 0; d < spend.length; d++) if (spend[d]! > 0 && end[d]! <= floor) usual.push(spend[d]!);
  if (usual.length === 0) return false;
  usual.sort((a, b) => a - b);
  const median = usual[Math.floor(usual.length / 2)]!;
  return fills.some((d) => spend[d]! < CUT_SHORT * median);
}

/** A key's spend per UTC day and its window at each day's start and end, from its first day with a request. */
interface DayWindows {
  /** the key's first day with a request (day number since the epoch) */
  firstDay: number;
  /** days from it to the history's last */
  n: number;
  spend: Float64Array;
  /** the window as day d begins (the `windowDays - 1` days before it); `end`: as it ends */
  start: Float64Array;
  end: Float64Array;
  /** the most spend any request was let through with in its window (µUSD) */
  floor: number;
}

function dayWindows(times: ArrayLike<number>, costs: ArrayLike<number>, lastDay: number, windowDays: number): DayWindows | null {
  const count = times.length;
  if (count === 0 || windowDays < 2) return null;
  const firstDay = Math.floor(times[0]! / DAY);
  const n = lastDay - firstDay + 1;
  if (n < 2) return null;
  const spend = new Float64Array(n);
  for (let i = 0; i < count; i++) {
    const d = Math.floor(times[i]! / DAY) - firstDay;
    if (d >= 0 && d < n) spend[d]! += costs[i]!;
  }
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  let acc = 0;
  for (let d = 0; d < n; d++) {
    if (d >= windowDays) acc -= spend[d - windowDays]!;
    start[d] = acc;
    acc += spend[d]!;
    end[d] = acc;
  }
  // The most any request was let through with: the window at its day's start plus the spend
  // completed on the same day at least the completion slack before it (the export times requests
  // when they completed; one started while others ran saw less than their sum)
  let floor = 0;
  let lo = 0;
  let sameDay = 0;
  let day = -1;
  for (let i = 0; i < count; i++) {
    const d = Math.floor(times[i]! / DAY) - firstDay;
    if (d !== day) {
      day = d;
      sameDay = 0;
      lo = i;
    }
    while (lo < i && times[lo]! <= times[i]! - COMPLETION_SLACK_MS) sameDay += costs[lo++]!;
    if (d >= 0 && d < n) floor = Math.max(floor, start[d]! + sameDay);
  }
  return { firstDay, n, spend, start, end, floor };
}

/**
 * Whether a key's spend per UTC day (oldest first) reached `levelMicros` in its window (today and
 * the `windowDays - 1` days before it, as the platform counts it) at least twice, and each time in
 * one day from a window near empty (under `SHARP` of the level as the day began). That is what a
 * batch job spending the same amount once a window looks like ($300 on the 1st of each month), as
 * much as a key its cap held while it wanted more than the cap in a day: nothing in the history
 * tells them apart (no spend held at the level while the key went on spending), so `impliedCapOf`
 * reads neither as held, and a cap the plan states does not either (forecast/censor.ts,
 * views/held-limits.ts): its days are its demand. One such day is not a pattern: a key that reached
 * its cap once so is judged as any other.
 */
export function reachedInOneDay(daily: ArrayLike<number>, windowDays: number, levelMicros: number): boolean {
  if (!(levelMicros > 0) || windowDays < 2) return false;
  let acc = 0;
  let fills = 0;
  let was = false;
  for (let d = 0; d < daily.length; d++) {
    if (d >= windowDays) acc -= daily[d - windowDays]!;
    const start = acc;
    acc += daily[d]!;
    const at = acc >= levelMicros;
    if (at && !was) {
      if (start > SHARP * levelMicros) return false;
      fills++;
    }
    was = at;
  }
  return fills >= 2;
}

/** The roundest amount above `floor` and at most `ceiling` (µUSD): an admin sets caps in round dollars. */
function roundestIn(floor: number, ceiling: number): number {
  for (const step of [1_000, 500, 100, 50, 10, 5, 1, 0.01]) {
    const stepMicros = step * 1e6;
    const c = Math.floor(ceiling / stepMicros) * stepMicros;
    if (c > floor && c > 0) return c;
  }
  return ceiling;
}

/**
 * The keys of `plan` that state no cap whose history reads as held by one (`impliedCapOf`), by id.
 * The events are the export's: every request in it is one the platform let through, whatever the
 * plan's replay makes of it. The history ends with the UTC day of `lastTime` (a key silent to the
 * end is silent through it). With `dailyOf` (the key's spend per UTC day, by its index in the plan),
 * only a key whose days may show a stop (`mayShowStop`) is read request by request.
 */
export function impliedCaps(
  events: EventColumns,
  plan: Pick<ResolvedPlan, 'keys' | 'keyCapWindowMs'>,
  lastTime: number,
  dailyOf?: (key: number) => ArrayLike<number> | undefined,
): Map<string, ImpliedCap> {
  return capReadings(events, plan, lastTime, dailyOf === undefined ? {} : { dailyOf }).implied;
}

/**
 * A cap the plan states that the history contradicts: the platform's export shows the key's
 * requests let through with its window at that cap or above (`exceeded`: it checks `usage >= cap`
 * before each request, so that cap was not in force then: it was higher, or none, or set later),
 * or the key's spend reads as held at a level well under it (`held-below`, implied-cap's reading:
 * the cap in force was lower, or another limit held it). Either way the plan's cap is not the one
 * this history was under. `exceeded` is read only from a key's history the platform exported
 * (`CapReadingOptions.exported`): a history of demand (an events CSV, a mapped sheet) going past
 * the plan's cap is what that cap would refuse, no contradiction.
 */
export interface StatedCapCheck {
  id: string;
  kind: 'exceeded' | 'held-below';
  /** the plan's cap (µUSD) */
  statedMicros: number;
  /** the most spend in its window a request was let through with (µUSD) */
  floorMicros: number;
  /** the cap the history reads as held by, when it reads as held by one (always for `held-below`) */
  reading: ImpliedReading | null;
  windowDays: number;
}

/** Over the stated cap by less than this share is the exports' rounding (each line's cost to the cent or credit), not a request the cap let through. */
const EXCEEDED_SHARE = 0.01;

/**
 * What a key's requests say of the cap the plan states for it (`statedMicros`): null when they agree
 * with it. `exported`: the requests are the platform's export of what it let through (ledger
 * `exportedKeys`), so that one let through beyond the cap says the cap was not in force; without
 * it they are demand, which the plan's cap may well refuse (`exceeded` is not read).
 */
export function statedCapOf(
  times: ArrayLike<number>,
  costs: ArrayLike<number>,
  lastDay: number,
  windowDays: number,
  statedMicros: number,
  options: { seenFromDay?: number; exported?: boolean } = {},
): Omit<StatedCapCheck, 'id'> | null {
  const w = dayWindows(times, costs, lastDay, windowDays);
  if (w === null) return null;
  const reading = impliedCapOf(times, costs, lastDay, windowDays, options.seenFromDay);
  // A request let through with the window at the cap: the platform refuses it (`usage >= cap`).
  // The days counted are those the platform counts (re-based each UTC day), fewer than a rolling
  // window's own, so the documented reading refuses it too.
  if (options.exported === true && w.floor >= statedMicros * (1 + EXCEEDED_SHARE)) return { kind: 'exceeded', statedMicros, floorMicros: w.floor, reading, windowDays };
  // held at a level under the cap, where the plan's own cap (read as held from 97 % of it) sees nothing
  if (reading !== null && reading.reached.high < NEAR_STATED * statedMicros) return { kind: 'held-below', statedMicros, floorMicros: w.floor, reading, windowDays };
  return null;
}

/** A level under this share of the stated cap is not the stated cap holding the key (censor.ts reads a key as held at its cap from 97 % of it). */
const NEAR_STATED = 0.97;

export interface CapReadingOptions {
  /** the key's spend per UTC day, by its index in the plan: only a key whose days may show what is read is read request by request */
  dailyOf?: (key: number) => ArrayLike<number> | undefined;
  /**
   * for the keys the plan gives a cap: `all` checks them (`statedCapOf`); `held-below` only those
   * whose days may show a stop (the other check is then not wanted, and keys past their cap are many)
   */
  stated?: 'all' | 'held-below';
  /** the history's first time (ms), when the caller knows it: otherwise the events' earliest */
  firstTime?: number;
  /**
   * The ids of the keys whose requests in the history are the platform's own export of what it let
   * through (the ledger's `exportedKeys`: events of its cost or consumption export). Only for them
   * is a request beyond the stated cap read as `exceeded`; the other keys' events (an events CSV,
   * a mapped sheet, `headroom demo`'s) are demand, which the plan's cap would refuse. Absent: none.
   */
  exported?: ReadonlySet<string>;
}

/**
 * The caps the history reads for the keys of `plan`: for a key it gives no cap, the cap its history
 * reads as held by (`impliedCaps`); with `stated`, for a key it gives one, whether the history
 * contradicts it (`statedCapOf`). One walk over the events for both.
 */
export function capReadings(
  events: EventColumns,
  plan: Pick<ResolvedPlan, 'keys' | 'keyCapWindowMs'>,
  lastTime: number,
  options: CapReadingOptions = {},
): { implied: Map<string, ImpliedCap>; stated: Map<string, StatedCapCheck> } {
  const { dailyOf, stated } = options;
  const exported = options.exported ?? NONE;
  const implied = new Map<string, ImpliedCap>();
  const checks = new Map<string, StatedCapCheck>();
  const read = new Map<string, number>();
  const windowDays = Math.round(plan.keyCapWindowMs / DAY);
  plan.keys.forEach((k, j) => {
    if (k.capMicros !== null && stated === undefined) return;
    // a key whose daily spend cannot show a stop (nor, checked so, pass its cap) is not read request by request
    const daily = dailyOf?.(j);
    // (only a key the platform exported can contradict its cap so: another's history is demand)
    const past = stated === 'all' && k.capMicros !== null && daily !== undefined && exported.has(k.id) && peakWindow(daily, windowDays) >= k.capMicros;
    if (daily === undefined || mayShowStop(daily, windowDays) || past) read.set(k.id, j);
  });
  const n = events.count;
  if (read.size === 0 || n === 0) return { implied, stated: checks };
  // the subjects of api events that name a key to read
  const keyOfSubject = new Int32Array(events.subjects.length).fill(-1);
  events.subjects.forEach((name, s) => {
    const j = read.get(name);
    if (j !== undefined) keyOfSubject[s] = j;
  });
  const requests = requestsOf(events, keyOfSubject);
  const lastDay = Math.floor(lastTime / DAY);
  // the history's first day: a key's window reaching back before it may hold spend it never saw
  let first = options.firstTime ?? Number.POSITIVE_INFINITY;
  if (options.firstTime === undefined) for (let i = 0; i < n; i++) if (events.time[i]! < first) first = events.time[i]!;
  const seenFromDay = Math.floor(first / DAY);
  for (const [j, r] of requests) {
    const t = Float64Array.from(r.times);
    const c = Float64Array.from(r.costs);
    inTimeOrder(t, c);
    const { id, capMicros } = plan.keys[j]!;
    if (capMicros === null) {
      const reading = impliedCapOf(t, c, lastDay, windowDays, seenFromDay);
      if (reading !== null) implied.set(id, { id, ...reading });
    } else {
      const check = statedCapOf(t, c, lastDay, windowDays, capMicros, { seenFromDay, exported: exported.has(id) });
      if (check !== null) checks.set(id, { id, ...check });
    }
  }
  return { implied, stated: checks };
}

const NONE: ReadonlySet<string> = new Set();

/** The most a key's spend per UTC day held in one window (oldest day first). */
function peakWindow(daily: ArrayLike<number>, windowDays: number): number {
  let acc = 0;
  let peak = 0;
  for (let d = 0; d < daily.length; d++) {
    if (d >= windowDays) acc -= daily[d - windowDays]!;
    acc += daily[d]!;
    if (acc > peak) peak = acc;
  }
  return peak;
}

/**
 * One walk over the events: the requests of the keys `keyOfSubject` names (by the subject's index;
 * -1 for none). A function of its own, so that it is compiled as a tight loop.
 */
function requestsOf(events: EventColumns, keyOfSubject: Int32Array): Map<number, { times: number[]; costs: number[] }> {
  const { type, time, cost, subject, count } = events;
  const API = EventType.api;
  const requests = new Map<number, { times: number[]; costs: number[] }>();
  for (let i = 0; i < count; i++) {
    if (type[i] !== API) continue;
    const j = keyOfSubject[subject[i]!]!;
    if (j < 0) continue;
    let r = requests.get(j);
    if (r === undefined) {
      r = { times: [], costs: [] };
      requests.set(j, r);
    }
    r.times.push(time[i]!);
    r.costs.push(cost[i]!);
  }
  return requests;
}

/**
 * Whether a key's spend per UTC day (oldest first; its days before it spent may lead) has a day
 * \`impliedCapOf\` could read as a stop: silent, with nothing rolling out of the window and the
 * window above the fullest any day it spent began with. The requests' own floor is at least that,
 * so a key without such a day shows no cap: the one walk over its requests is saved.
 */
export function mayShowStop(daily: ArrayLike<number>, windowDays: number): boolean {
  const n = daily.length;
  const start = new Float64Array(n);
  let acc = 0;
  let floor = 0;
  for (let d = 0; d < n; d++) {
    if (d >= windowDays) acc -= daily[d - windowDays]!;
    start[d] = acc;
    if (daily[d]! > 0 && acc > floor) floor = acc;
    acc += daily[d]!;
  }
  for (let d = 0; d < n; d++) {
    if (daily[d] === 0 && start[d]! > floor && (d < windowDays || daily[d - windowDays] === 0)) return true;
  }
  return false;
}

/** Puts `t` (and `c` with it) in time order, in place; a ledger's events usually are already. */
function inTimeOrder(t: Float64Array, c: Float64Array): void {
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) if (t[i]! < t[i - 1]!) sorted = false;
  if (sorted) return;
  // equal times keep their order (the engine's rule for the same instant)
  const order = Array.from(t, (_, k) => k).sort((a, b) => t[a]! - t[b]! || a - b);
  const tt = Float64Array.from(order, (k) => t[k]!);
  const cc = Float64Array.from(order, (k) => c[k]!);
  t.set(tt);
  c.set(cc);
}

/**
 * "$1,234.56" as formatUsd writes it (the same cents), "$100" for whole dollars
 * with `whole`. Grouped by hand: the Overview writes these sentences on a worker thread whose first
 * toLocaleString would cost ~20 ms of ICU loading (views/held-limits.ts).
 */
function money(micros: number, whole = false): string {
  const signed = centsOf(micros);
  const cents = Math.abs(signed);
  const digits = String(Math.floor(cents / 100));
  let grouped = '';
  for (let k = 0; k < digits.length; k++) grouped += (k > 0 && (digits.length - k) % 3 === 0 ? ',' : '') + digits[k];
  const rest = cents % 100;
  return `${signed < 0 ? '-' : ''}$${grouped}${whole && rest === 0 ? '' : `.${String(rest).padStart(2, '0')}`}`;
}

/**
 * The one sentence simulate, recommend and forecast say of a key held by a cap the plan does not
 * state (`name` as each names the key).
 */
export function impliedCapText(name: string, cap: ImpliedCap): string {
  const { low, high } = cap.reached;
  const reached = high - low < 5_000 ? money(low) : `${money(low)} to ${money(high)}`;
  const times = cap.stops === 1 ? 'once' : `${cap.stops} times`;
  const each = cap.stops === 1 ? 'followed' : 'each followed';
  const last = cap.silentAtEnd ? ` (the last still silent when the history ends)` : '';
  return (
    `${name} looks held by a cap of about ${money(cap.capMicros, true)} that the plan does not state: ` +
    `its rolling ${cap.windowDays}-day spend reached ${reached} and stopped there ${times}, ${each} by silence until old spend rolled out${last}; ` +
    'if that is its cap, put it in the plan'
  );
}

/** The same in a few words, where a key's row or advice names it beside the note that says the rest. */
export function impliedCapShort(cap: ImpliedCap): string {
  return `a cap of about ${money(cap.capMicros, true)} the plan does not state`;
}

/**
 * The one sentence simulate, recommend and forecast say of a cap the plan states that the history
 * contradicts (`name` as each names the key): the cap stated, and the level the history shows
 * (`exceeded`: the platform's export, the only history it is read from).
 */
export function statedCapText(name: string, check: StatedCapCheck): string {
  const stated = money(check.statedMicros, true);
  const r = check.reading;
  if (check.kind === 'held-below' && r !== null) {
    const { low, high } = r.reached;
    const reached = high - low < 5_000 ? money(low) : `${money(low)} to ${money(high)}`;
    const times = r.stops === 1 ? 'once' : `${r.stops} times`;
    return (
      `${name}: the plan states a cap of ${stated}, but its history reads as held at about ${money(r.capMicros, true)}: ` +
      `its rolling ${check.windowDays}-day spend reached ${reached} and stopped there ${times} until old spend rolled out, well under ${stated}; ` +
      `the cap it was under was about ${money(r.capMicros, true)} (or another limit held it), not ${stated}: if that is its cap, correct the plan`
    );
  }
  const held = r === null ? '' : `, and its spend reads as held at about ${money(r.capMicros, true)}`;
  return (
    `${name}: the plan states a cap of ${stated}, but the platform's export shows requests going through with ${money(check.floorMicros)} already spent in its rolling ${check.windowDays}-day window, ` +
    `which a ${stated} cap refuses (the platform checks the spend before each request): a ${stated} cap was not in force then (its cap was higher, or it had none, or ${stated} was set later)${held}; ` +
    `if ${stated} is not its cap now, correct the plan`
  );
}

/**
 * The level a key the plan gives a cap was judged at, read off its history (censor.ts
 * `heldAtReading`), in a few words where its advice or forecast row names it beside the note.
 */
export function readCapShort(check: StatedCapCheck): string {
  const level = check.reading === null ? money(check.floorMicros) : money(check.reading.capMicros, true);
  const stated = money(check.statedMicros, true);
  return check.kind === 'held-below' ? `about ${level}, under the plan's ${stated} cap` : `about ${level}, not the plan's ${stated} cap`;
}

/**
 * The notes recommend and forecast give of the stated caps the history contradicts (the first ten
 * said, the rest named); `more` adds to a key's note (what its days at the level read are taken as).
 */
export function statedCapNotes(checks: ReadonlyMap<string, StatedCapCheck>, more?: (check: StatedCapCheck) => string): string[] {
  const all = [...checks.values()];
  const notes = all.slice(0, 10).map((c) => statedCapText(c.id, c) + (more?.(c) ?? ''));
  if (all.length > 10) {
    const more = all.slice(10).map((c) => c.id);
    notes.push(`${more.length} more keys' stated caps are contradicted by their history the same way: ${more.slice(0, 20).join(', ')}${more.length > 20 ? ', …' : ''}`);
  }
  return notes;
}
