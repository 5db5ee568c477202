import { canonicalMode, poolOf, profileOf, resolveTriggerLimit } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import { counted } from '../engine/words.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { DAY, HOUR } from '../engine/units.ts';
import type { History } from '../forecast/series.ts';
import { lastDaysText } from './days-looked-at.ts';

/** People's messages and each trigger's arrivals per hour over the last `days` of the history. */
export interface HourlyLoad {
  hours: number;
  messages: Float64Array;
  perTrigger: Map<string, Float64Array>;
  /** distinct people who sent a message in those days: each holds an active seat */
  people: number;
}

export function hourlyLoad(events: EventColumns, history: History, days: number): HourlyLoad {
  const from = history.end - days * DAY;
  const hours = days * 24;
  const messages = new Float64Array(hours);
  const perTrigger = new Map<string, Float64Array>();
  const senders = new Set<number>();
  for (let i = 0; i < events.count; i++) {
    const t = events.time[i];
    if (t < from || t >= history.end) continue;
    const h = Math.floor((t - from) / HOUR);
    if (events.type[i] === EventType.message) {
      messages[h]++;
      senders.add(events.subject[i]);
    } else if (events.type[i] === EventType.trigger) {
      const id = events.subjects[events.subject[i]];
      let a = perTrigger.get(id);
      if (!a) perTrigger.set(id, (a = new Float64Array(hours)));
      a[h]++;
    }
  }
  return { hours, messages, perTrigger, people: senders.size };
}

/**
 * Seats never go below the people who use the workspace: an active seat is a member who has used
 * it (dust-facts.md), so the pool and allowance sums alone (which scale people's messages down
 * with the seats) can come out at fewer seats than people, even 0. Null (no seat count helps)
 * stays null.
 */
export function atLeastPeople(seats: number | null, people: number): number | null {
  return seats === null ? null : Math.max(seats, people);
}

/**
 * The active seats the history was made with: at least the plan's, and at least one per person
 * who sent messages (each held an active seat, dust-facts.md). People's messages grow with seats
 * from this count: from a plan's 10 seats, 50 people's 1,500 messages in 24 h read as 150 a seat,
 * and no seat count seemed to hold them.
 */
export function seatsSeen(planSeats: number, people: number): number {
  return Math.max(planSeats, people);
}

/** "at 10 seats", or, when more people sent messages than the plan has seats, what the history was made with. */
export function atSeatsText(planSeats: number, people: number): string {
  return people > planSeats
    ? `at ${counted(people, 'seat')} (the ${counted(people, 'person', 'people')} who sent messages each held one; the plan says ${planSeats})`
    : `at ${counted(planSeats, 'seat')}`;
}

/**
 * The seat figures in words once the people floor them: "hold them from 1 seat (…); at least 5
 * seats all the same: the 5 people who sent messages …", and the after-changes figure with the
 * same reason when the people set it. `raw` / `rawAfter` are what the pool and allowance need.
 */
export function seatsText(raw: number, rawAfter: number | null, people: number, days: number, seats0: number, changes: string, historyDays: number = days): string {
  const needed = Math.max(raw, people);
  const after = rawAfter === null ? null : Math.max(rawAfter, people);
  const enough = needed <= seats0 ? ' (already enough)' : '';
  let text =
    raw >= people
      ? `${counted(raw, 'seat')}${enough} (people's messages assumed to grow with seats)`
      : `${counted(raw, 'seat')} (people's messages assumed to grow with seats); at least ${counted(people, 'seat')} all the same: ` +
        `the ${counted(people, 'person', 'people')} who sent messages over ${lastDaysText(days, historyDays)} ${people === 1 ? 'uses' : 'each use'} an active seat${enough}`;
  if (after !== null && after !== needed) text += `; after the recommended ${changes} changes, ${counted(after, 'seat')}${rawAfter !== null && rawAfter < people ? `: at least the ${counted(people, 'person', 'people')} who sent messages` : ''}`;
  return text;
}

/** Rolling 24 h sums of hourly counts (the hour itself and the 23 before). */
export function roll24(counts: Float64Array): Float64Array {
  const out = new Float64Array(counts.length);
  let acc = 0;
  for (let h = 0; h < counts.length; h++) {
    acc += counts[h];
    if (h >= 24) acc -= counts[h - 24];
    out[h] = acc;
  }
  return out;
}

/** The largest value of a series (0 when empty), without spreading it into a call. */
export function peakOf(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** What the fair-use triggers take of the pool and the allowance, per step of a series (seatLoad). */
export interface SeatLoad {
  pool: Float64Array;
  allowance: Float64Array;
  /** platform's code, runs dropped when limited: pool units taken by runs their own limit then refuses */
  burned: Float64Array;
}

/**
 * What `plan`'s fair-use triggers take of the pool and the allowance, step by step, from each
 * trigger's runs per 24 h at that step (`runs`: by trigger id, `length` steps: the history's rolling
 * 24 h counts, or a forecast path's days). Under the docs a trigger's own limit holds its runs back
 * before either (they wait, all or nothing): both take at most its limit. Under the platform's code
 * the pool holds every attempt of a fair-use webhook (a run its own limit then drops still took a
 * unit, SPEC section 9 rule 4) unless the plan queues limited webhooks, a schedule takes the
 * allowance alone, and the allowance what each trigger's limit admits.
 */
export function seatLoad(plan: Plan, runs: Iterable<readonly [string, ArrayLike<number>]>, length: number): SeatLoad {
  const platform = profileOf(plan) === 'platform';
  const queued = plan.enforcement.webhookWhenLimited === 'queue';
  const pool = new Float64Array(length);
  const allowance = new Float64Array(length);
  const burned = new Float64Array(length);
  for (const [id, r] of runs) {
    const pt = plan.triggers.find((t) => t.id === id);
    const modeName = pt?.mode ?? 'fair_use';
    if (canonicalMode(modeName) !== 'fair_use') continue;
    if (!platform) {
      const limit = resolveTriggerLimit(pt?.limitPer24h ?? null, canonicalMode(modeName));
      for (let h = 0; h < length; h++) {
        const admitted = Math.min(r[h]!, limit);
        pool[h] += admitted;
        allowance[h] += admitted;
      }
      continue;
    }
    if ((pt?.kind ?? 'webhook') === 'scheduled') {
      for (let h = 0; h < length; h++) allowance[h] += r[h]!;
      continue;
    }
    const limit = resolveTriggerLimit(pt?.limitPer24h ?? null, modeName, 'platform');
    for (let h = 0; h < length; h++) {
      pool[h] += queued ? Math.min(r[h]!, limit) : r[h]!;
      allowance[h] += Math.min(r[h]!, limit);
      if (!queued) burned[h] += Math.max(0, r[h]! - limit);
    }
  }
  return { pool, allowance, burned };
}

const SEATS_SEARCHED = 1_000_000;

/**
 * The fewest seats at which, in every hour, the fair-use runs fit the pool and people's messages
 * (scaled with the seats from `seats0`) plus the runs fit the allowance; null when no seat count
 * up to a million does (people alone fill it); 0 with unlimited messages. `poolRuns` and
 * `allowanceRuns` are rolling 24 h counts: the same series under the docs, apart under the
 * platform's code (a run refused by its own limit still took a pool unit).
 */
export function fewestSeats(
  msgRoll: Float64Array,
  poolRuns: Float64Array,
  allowanceRuns: Float64Array,
  workspace: { seats: number; messagesPerSeatPerDay: number | null; fairUseShare: number },
): number | null {
  const perSeat = workspace.messagesPerSeatPerDay;
  if (perSeat === null) return 0;
  const ok = (s: number): boolean => {
    const allowance = s * perSeat;
    const pool = poolOf(workspace.fairUseShare, allowance);
    // people's messages grow with seats from the plan's own; at 0 seats (every message refused)
    // they are the demand as it is: scaled by 0, they vanished and 0 seats "held" them
    const scale = workspace.seats > 0 ? s / workspace.seats : 1;
    for (let h = 0; h < msgRoll.length; h++) {
      if (poolRuns[h] > pool) return false;
      if (msgRoll[h] * scale + allowanceRuns[h] > allowance) return false;
    }
    return true;
  };
  if (!ok(SEATS_SEARCHED)) return null;
  let lo = 0;
  let hi = SEATS_SEARCHED;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
