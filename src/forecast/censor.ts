import { DAY } from '../engine/units.ts';
import { utcDayStart } from '../engine/windows.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import { Outcome, Reason } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { History } from './series.ts';
import { PEOPLE } from './series.ts';
import type { CensoredDays } from './scenario.ts';
import { completionSlack } from '../engine/completion-slack.ts';
import { heldDemandOf } from './held-demand.ts';
import type { HeldPace } from './held-demand.ts';
import type { SlackRefusals } from '../engine/completion-slack.ts';
import { capReadings, reachedInOneDay } from './implied-cap.ts';
import { ceilingInForce, defaultHoldOf, holdWords, unexplainedBy } from './default-hold.ts';
import type { DefaultHold } from './default-hold.ts';
import { poolHoldOf } from './pool-hold.ts';
import { pooled } from '../engine/limits/pool.ts';
import type { ImpliedCap, StatedCapCheck } from './implied-cap.ts';

/**
 * Days on which a limit held the history down, so the day's value is a lower bound on demand,
 * not demand. Read from the engine's replay of the history under the plan:
 * - the limit was at its ceiling that day (a key's rolling spend within 3 % of its cap, a
 *   trigger's runs in 24 h at its limit, the allowance full), and
 * - the replay refused (blocked, queued or dropped) nothing of that series on any day. When it
 *   did, the export holds demand beyond the limit (the engine had something to refuse), so its
 *   days are demand. A trigger's run its own limit refused, a message the allowance refused, or
 *   a key's request its cap refused while others were in flight, only because the export's times are completion times (completion-slack.ts: no window shorter
 *   by the slack holds more than the limit) is not such demand. When it never did, the export is what the platform's own limit let through,
 *   and a series at its ceiling on 3 days or more shows a flat ceiling: those days are bounds.
 * A key the plan gives no cap is judged by the cap its history reads as held by, when it reads as
 * held by one (implied-cap.ts): as if the plan stated it, since the export holds only what that cap
 * let through whatever the plan says; so is a key whose history reads as held at a level other than
 * the cap the plan states.
 *
 * A key's cap is judged as the platform enforced it, whichever profile the plan is replayed under:
 * its days at the cap in the platform's window (today and the 29 UTC days before), and a refusal
 * by the cap as demand only when that window held the cap already (completion-slack.ts
 * `capBeyondSlack`). The docs' window to the millisecond refuses a few requests early on a day the
 * platform had freed at 00:00; read as demand, they turned a key its real cap held into full demand
 * (ci-bot, $10 a day under $100: a trend through the stops, P50 $159 over 30 days where its cap
 * left implied gave $306).
 */
export const NEAR_CAP = 0.97;
/** days at the ceiling before a series counts as held down by it */
export const MIN_CEILING_DAYS = 3;

export interface CensorSummary {
  /** by series `kind:id` */
  days: CensoredDays;
  /**
   * series with at least one censored day, and how many; a key held by a cap the plan does not
   * state also has that cap (USD, `impliedCaps`), and one held at a level other than the cap the
   * plan states that level (USD, `readCapUsd`, `heldAtReading`)
   */
  series: { kind: string; id: string; days: number; impliedCapUsd?: number; readCapUsd?: number; heldAtDefault?: HeldAtDefault; heldByPool?: HeldByPool }[];
  /**
   * By trigger id, the demand of a trigger its limit held, from the pace of its runs while admitted
   * (held-demand.ts): the one estimate of it the forecast draws around and recommend gives
   */
  heldDemand: Map<string, HeldPace>;
  /**
   * By key id, the cap a key the plan states none for reads as held by (implied-cap.ts), when its
   * days at it were read as bounds: what simulate, recommend and forecast say of it
   */
  impliedCaps: Map<string, ImpliedCap>;
  /**
   * By key id, a cap the plan states that the history contradicts (implied-cap.ts `statedCapOf`):
   * requests the platform's export shows let through beyond it, or spend held at a level well under
   * it. Said beside the implied caps; the history is judged by the plan's cap, or, when it reads as
   * held at a level of its own, at that level (`heldAtReading`).
   */
  statedCaps: Map<string, StatedCapCheck>;
  /**
   * By key id, a key the plan gives a cap whose history reads as held at another level (a
   * `statedCaps` check with a reading: held well under the cap, or past it in the platform's export
   * and held higher), when its days at that level were read as bounds: judged at that level
   * (`series[].readCapUsd`), not at the plan's cap, as a cap the plan does not state is
   */
  heldAtReading: Map<string, StatedCapCheck>;
  /**
   * The fair-use pool, when it held the history (pool-hold.ts): its runs per 24 h and the
   * history's days it held, the days its triggers' `heldByPool` count theirs from; null otherwise
   */
  pool: { pool: number; days: number } | null;
}

/**
 * A fair-use trigger the pool held (pool-hold.ts): on the days the pool's 24 h were full, its runs
 * are what the pool let through, lower bounds on its demand, whichever profile (the docs' webhooks
 * waited for the pool, the platform's were dropped: either way the export holds only what the pool
 * admitted). Its series' `days` count a day its own limit held as well once.
 */
export interface HeldByPool {
  /** the series' days the pool held */
  days: number;
  /** the pool: fair-use runs per sliding 24 h */
  pool: number;
  /** its own limit held it too, on some days (the same or others) */
  ownLimit: boolean;
}

/**
 * A trigger whose history the platform's default limit held rather than (or before) the plan's: a
 * webhook held at 42 under a plan that sets more (an override the history predates, in whole or
 * until a step: default-hold.ts), or a programmatic trigger the docs leave unlimited that the
 * platform's code held at 42 (`planLimit` null). Said apart from the plan's own limits: the plan's
 * limit did not cut it, or not all of it.
 */
export interface HeldAtDefault {
  /** the platform's default the runs sat at (42 per 24 h) */
  limit: number;
  /** the plan's higher limit, or null where the plan (read as the docs) sets none */
  planLimit: number | null;
  /** the UTC day (ISO) a higher limit took over part-way through the history, when one did */
  stepOn?: string;
  /** the ceiling from that day on (the plan's limit, or a steady one below it, or one above it) */
  after?: number;
  /** `after` when above the plan's limit: an override the history shows that the plan does not state (default-hold.ts) */
  impliedLimit?: number;
}

/**
 * `exported`: the keys whose requests in `events` are the platform's export (implied-cap.ts
 * `CapReadingOptions.exported`): only theirs can contradict a stated cap by going past it.
 */
export function censoredFromEngine(events: EventColumns, result: SimulationResult, history: History, exported?: ReadonlySet<string>): CensorSummary {
  const plan = result.plan;
  const firstDay = Math.floor(history.start / DAY);
  const D = history.days;
  const dayOf = (t: number) => Math.floor(t / DAY) - firstDay;
  // per entity: admission times (and costs), and the days the replay refused something
  const keyReq = plan.keys.map(() => [] as number[]);
  const trigAdm = plan.triggers.map(() => [] as number[]);
  const trigRuns = plan.triggers.map(() => [] as number[]);
  const allowAdm: number[] = [];
  const keyRefused = plan.keys.map(() => new Uint8Array(D));
  const trigRefused = plan.triggers.map(() => new Uint8Array(D));
  const msgRefused = new Uint8Array(D);
  // the plan's caps, and for a key it gives none the cap its history reads as held by
  const dailyById = new Map(history.keys.map((k) => [k.id, k.values]));
  const readings = capReadings(events, plan, history.end - 1, { dailyOf: (j) => dailyById.get(plan.keys[j]!.id), stated: 'all', ...(exported !== undefined ? { exported } : {}) });
  const implied = readings.implied;
  // A key whose history reads as held at a level other than the cap the plan states (well under it,
  // or past it in the platform's export and held higher) is judged at that level: its stops are
  // bounds on demand all the same, and judged by the plan's cap they read as demand, a trend drawn
  // through them (the plan's $500 over a history held at $300 forecast $159, asked $600)
  const byReading = new Map<string, StatedCapCheck>();
  for (const [id, check] of readings.stated) if (check.reading !== null) byReading.set(id, check);
  const capOf = plan.keys.map((k) => byReading.get(k.id)?.reading!.capMicros ?? k.capMicros ?? implied.get(k.id)?.capMicros ?? null);
  const capped = capOf.map((c) => c !== null);
  for (let i = 0; i < events.count; i++) {
    const type = events.type[i];
    const ent = result.entity[i];
    const d = dayOf(events.time[i]);
    const out = result.outcome[i];
    const delayed = out === Outcome.admitted && result.admittedAt[i] > events.time[i];
    if (type === EventType.api) {
      // only a capped key can be held at a cap; its cap's refusals are weighed against the
      // completion times' slack and the platform's window below. Its requests are read as the
      // history has them, refused by the replay or not: the platform let each through
      if (capped[ent]) keyReq[ent].push(i);
    } else if (type === EventType.trigger) {
      trigRuns[ent].push(events.time[i]);
      if (out === Outcome.admitted) {
        trigAdm[ent].push(result.admittedAt[i]);
        if (plan.triggers[ent].mode === 'fair_use') allowAdm.push(result.admittedAt[i]);
      }
      // its own limit's refusals are weighed against the completion times' slack below
      if ((out !== Outcome.admitted || delayed) && d >= 0 && d < D && result.reason[i] !== Reason.trigger_limit) trigRefused[ent][d] = 1;
    } else if (out === Outcome.admitted) allowAdm.push(result.admittedAt[i]);
    // the allowance's refusals are weighed against the completion times' slack below
    else if (d >= 0 && d < D && result.reason[i] !== Reason.allowance) msgRefused[d] = 1;
  }
  // the refusals by a trigger's limit, a key's cap and the allowance that show demand beyond it
  const slack = completionSlack(events, result);
  const mark = (refused: Uint8Array, { at, beyond }: SlackRefusals) => {
    at.forEach((t, k) => {
      const d = dayOf(t);
      if (beyond[k] === 1 && d >= 0 && d < D) refused[d] = 1;
    });
  };
  // Held at the platform's default, or at an override the plan does not state (default-hold.ts), read
  // off the runs as the history has them: under a plan's lower limit the replay drops or delays the
  // runs the platform admitted above it, refusals that hold no demand beyond the limit then in force
  const runTimes = trigRuns.map((r) => sortedTimes(r));
  const holds = plan.triggers.map((t, ti) => (Number.isFinite(t.limit) ? defaultHoldOf(t, runTimes[ti], plan.edgeMs) : null));
  slack.triggers.forEach((r, g) => mark(trigRefused[g], holds[g] ? unexplainedBy(holds[g], r) : r));
  slack.keys.forEach((r, j) => mark(keyRefused[j], r));
  mark(msgRefused, slack.allowance);
  const days: CensoredDays = new Map();
  const series: CensorSummary['series'] = [];
  /**
   * The series' days at the ceiling (`at`) from its start on, when they read as held: a mask and
   * how many, or null when they do not
   */
  const heldMask = (at: Uint8Array, refused: Uint8Array, seriesStart: number | undefined): { mask: boolean[]; count: number } | null => {
    if (seriesStart === undefined) return null;
    const off = Math.round((seriesStart - history.start) / DAY);
    // an export that shows demand beyond the limit on some day (the replay refused something)
    // holds the demand, not what the platform let through: none of its days is a bound
    for (let d = off; d < D; d++) if (refused[d] === 1) return null;
    const mask: boolean[] = [];
    let count = 0;
    for (let d = off; d < D; d++) {
      const c = at[d] === 1;
      mask.push(c);
      if (c) count++;
    }
    // one day touching the limit is chance; a ceiling is met again and again
    return count < MIN_CEILING_DAYS ? null : { mask, count };
  };
  /** marks the series' days at the ceiling as bounds, when they read as held; says whether they do */
  const put = (kind: string, id: string, at: Uint8Array, refused: Uint8Array, seriesStart: number | undefined): boolean => {
    const held = heldMask(at, refused, seriesStart);
    if (held === null) return false;
    days.set(`${kind}:${id}`, held.mask);
    series.push({ kind, id, days: held.count });
    return true;
  };
  const keyStart = new Map(history.keys.map((k) => [k.id, k.start]));
  const impliedHeld = new Map<string, ImpliedCap>();
  const heldByReading = new Map<string, StatedCapCheck>();
  const windowDays = Math.round(plan.keyCapWindowMs / DAY);
  const NO_REFUSALS = new Uint8Array(D);
  plan.keys.forEach((k, ki) => {
    const cap = capOf[ki];
    if (cap === null || !keyStart.has(k.id)) return;
    // the days its spend reached the cap in the window the platform checks (today and the 29 UTC
    // days before it, re-based at 00:00 UTC), as implied-cap.ts reads a cap the plan does not
    // state: the docs' window to the millisecond holds more of some days' spend, and judged by it
    // a key the real cap held (a request the platform let through refused by the replay) counted
    // fewer days at its cap than the same key with its cap implied
    const idx = sortedBy(keyReq[ki], (i) => events.time[i]);
    const at = atCeiling(
      idx.map((i) => events.time[i]),
      idx.map((i) => events.cost[i]),
      plan.keyCapWindowMs,
      NEAR_CAP * cap,
      history.start,
      D,
      true,
    );
    const reading = implied.get(k.id);
    const stated = byReading.get(k.id);
    // A cap the plan states that the key reached in one day from a window near empty, every time:
    // a batch job's same amount once a window as much as a cap's stop, which implied-cap.ts reads as
    // neither (`reachedInOneDay`); its days are its demand. A level read off the history never is one.
    const daily = dailyById.get(k.id);
    if (k.capMicros !== null && stated === undefined && daily !== undefined && reachedInOneDay(daily, windowDays, NEAR_CAP * cap)) return;
    // judged at a level its history reads as held at, the replay's refusals by the plan's cap are
    // that cap's, not this level's: no request of the history went through above it (its floor)
    if (!put('key_spend', k.id, at, stated === undefined ? keyRefused[ki] : NO_REFUSALS, keyStart.get(k.id))) return;
    const entry = series[series.length - 1]!;
    if (k.capMicros === null && reading !== undefined) {
      impliedHeld.set(k.id, reading);
      entry.impliedCapUsd = reading.capMicros / 1e6;
    } else if (stated !== undefined) {
      heldByReading.set(k.id, stated);
      entry.readCapUsd = stated.reading!.capMicros / 1e6;
    }
  });
  /** A trigger's own limit (the plan's, or the platform's default that held it) and its days at it, or null when none can hold it. */
  const ownCeiling = (t: (typeof plan.triggers)[number], ti: number): { at: Uint8Array; ceiling: number; hold: DefaultHold | null } | null => {
    // a schedule's limit is never checked under the platform profile (SPEC section 9 rule 3): its
    // runs at 42 a day and more are its demand, not a ceiling
    if (plan.profile === 'platform' && t.kind === 'scheduled') return null;
    // held at 42 and then at an override (default-hold.ts), the runs are read as the history has
    // them: a replay under the plan's lower limit refuses or queues the runs the platform ran
    const hold = holds[ti];
    const times = hold !== null ? runTimes[ti] : sortedTimes(trigAdm[ti]);
    // The docs leave a programmatic trigger unlimited, but the platform's code holds it at its
    // default (SPEC section 9 rule 2): runs at exactly that in 24 h and never more, at the replay's
    // window edge, are held by it, as simulate and recommend read them (views/held-limits.ts,
    // recommend/held.ts codeHeldDaysByTrigger). The export came from the platform, so those days are
    // bounds whichever reading the plan takes.
    const ceiling = Number.isFinite(t.limit)
      ? hold !== null
        ? ceilingInForce(hold)
        : t.limit
      : t.codeLimit !== undefined && peakIn24h(times, plan.edgeMs) === t.codeLimit
        ? t.codeLimit
        : null;
    if (ceiling === null) return null;
    // held at the platform's default before the plan's higher limit (default-hold.ts): each
    // stretch is judged by the ceiling then in force, 42 before a step and the later one from it
    const at = atCeiling(times, null, DAY, hold?.limit ?? ceiling, history.start, D);
    if (hold !== null && hold.stepAt !== null) {
      const later = atCeiling(times, null, DAY, ceiling, history.start, D);
      for (let d = Math.max(0, dayOf(hold.stepAt) + 1); d < D; d++) at[d] = later[d]!;
    }
    return { at, ceiling, hold };
  };
  const trigStart = new Map(history.triggers.map((t) => [t.id, t.start]));
  const heldDemand = new Map<string, HeldPace>();
  // the pace is read over the runs up to the history's end, as recommend reads its last 28 days
  const to = Math.max(history.end, history.lastEvent + 1);
  // the days the fair-use pool held (pool-hold.ts, the days recommend's seats advice counts): on
  // them every trigger that shares the pool ran what the pool let through, a lower bound on its demand
  const poolHold = poolHoldOf(events, result);
  const poolAt = new Uint8Array(D);
  for (const t of poolHold?.firstFullAt ?? []) {
    const d = dayOf(t);
    if (d >= 0 && d < D) poolAt[d] = 1;
  }
  const platform = plan.profile === 'platform';
  const trigValues = new Map(history.triggers.map((t) => [t.id, t.values]));
  /**
   * The pool's days on which a trigger ran: the pool is shared, so a day it held says nothing of a
   * trigger that ran nothing that day (idle, more likely than cut all day), and read as a bound its
   * zero would be a day of unknown demand (model.ts), lifting a trigger quiet on most days
   */
  const ranOn = (at: Uint8Array, values: readonly number[] | undefined, seriesStart: number | undefined): Uint8Array => {
    const off = seriesStart === undefined ? 0 : Math.round((seriesStart - history.start) / DAY);
    return at.map((c, d) => (c === 1 && (values?.[d - off] ?? 0) > 0 ? 1 : 0));
  };
  plan.triggers.forEach((t, ti) => {
    if (!trigStart.has(t.id)) return;
    const start = trigStart.get(t.id);
    const own = ownCeiling(t, ti);
    // only a trigger the limit held: one whose export holds demand beyond it (the replay refused
    // some) has its demand in its days, whatever pace a few runs happen to show
    const byOwn = own === null ? null : heldMask(own.at, trigRefused[ti], start);
    // a trigger that shares the pool (limits/pool.ts `pooled`: under the platform's code a schedule
    // does not) was held by it on the pool's days, whichever profile: the docs' webhooks waited
    // for it and ran later, the platform's were dropped, and the export holds what it admitted
    const byPool = poolHold !== null && pooled(t.kind, t.mode, platform) ? heldMask(ranOn(poolAt, trigValues.get(t.id), start), trigRefused[ti], start) : null;
    if (byOwn === null && byPool === null) return;
    // a day held by its own limit and by the pool is one bound, counted once
    const mask = byOwn === null ? byPool!.mask : byPool === null ? byOwn.mask : byOwn.mask.map((c, d) => c || byPool.mask[d]!);
    const entry: CensorSummary['series'][number] = { kind: 'trigger_runs', id: t.id, days: mask.filter(Boolean).length };
    days.set(`trigger_runs:${t.id}`, mask);
    series.push(entry);
    if (byPool !== null) entry.heldByPool = { days: byPool.count, pool: poolHold!.pool, ownLimit: byOwn !== null };
    if (own === null || byOwn === null) return;
    // held by the platform's default, not (or not only) the plan's limit: the notes say which cut it
    if (own.hold !== null) entry.heldAtDefault = holdWords(own.hold);
    else if (own.ceiling !== t.limit) entry.heldAtDefault = { limit: own.ceiling, planLimit: null };
    const pace = heldDemandOf(events, t.id, own.ceiling, to);
    if (pace !== null) heldDemand.set(t.id, pace);
  });
  if (Number.isFinite(plan.allowance)) {
    const at = atCeiling(sortedTimes(allowAdm), null, DAY, plan.allowance, history.start, D);
    put('messages', PEOPLE, at, msgRefused, history.messages.start);
  }
  const poolDays = poolAt.reduce((a, c) => a + c, 0);
  const pool = poolHold !== null && series.some((c) => c.heldByPool !== undefined) ? { pool: poolHold.pool, days: poolDays } : null;
  return { days, series, heldDemand, impliedCaps: impliedHeld, statedCaps: readings.stated, heldAtReading: heldByReading, pool };
}

/** The most entries in one 24 h window (an entry at `s` counts while `t < s + 24 h + edgeMs`); `times` sorted. */
function peakIn24h(times: ArrayLike<number>, edgeMs: number): number {
  let peak = 0;
  let lo = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i] >= times[lo] + DAY + edgeMs) lo++;
    peak = Math.max(peak, i - lo + 1);
  }
  return peak;
}

/** Sorted by `key`, in place; a ledger's events usually come in time order, so mostly a check. */
function sortedBy(a: number[], key: (x: number) => number): number[] {
  for (let i = 1; i < a.length; i++) if (key(a[i]) < key(a[i - 1])) return a.sort((x, y) => key(x) - key(y));
  return a;
}

/**
 * Times in order. Delayed runs are admitted out of arrival order, so this often sorts: a typed
 * array's own numeric sort, several times faster than a comparator over a plain array.
 */
function sortedTimes(a: number[]): ArrayLike<number> {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return Float64Array.from(a).sort();
  return a;
}

/**
 * Per history day: did the sliding-window sum (entry s counts for s ≤ t < s + W, or with
 * `byUtcDay` for s ≤ t < the start of s's UTC day + W, the platform's key-cap window) reach `level`
 * at some instant of the day? The sum only rises at an admission, so the admissions and the
 * day's first instant are the instants to check.
 */
function atCeiling(times: ArrayLike<number>, weights: readonly number[] | null, windowMs: number, level: number, start: number, days: number, byUtcDay = false): Uint8Array {
  const out = new Uint8Array(days);
  // an entry leaves the window `windowMs` after it, or (`byUtcDay`) after its UTC day's start
  const from = byUtcDay ? utcDayStart : (t: number) => t;
  let lo = 0;
  let sum = 0;
  let i = 0;
  const w = (k: number) => (weights ? weights[k] : 1);
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    const dayEnd = dayStart + DAY;
    // entries before the day
    while (i < times.length && times[i] < dayStart) sum += w(i++);
    while (lo < i && from(times[lo]) + windowMs <= dayStart) sum -= w(lo++);
    if (sum >= level) out[d] = 1;
    while (i < times.length && times[i] < dayEnd) {
      const t = times[i];
      sum += w(i++);
      while (lo < i && from(times[lo]) + windowMs <= t) sum -= w(lo++);
      if (sum >= level) out[d] = 1;
    }
  }
  return out;
}

/**
 * The same test on a bare daily series cut at a per-day limit (the history a platform's own
 * limit held at N a day): days at the limit are lower bounds.
 */
export function detectCensoredByLimit(values: readonly number[], limitPerDay: number): boolean[] {
  return values.map((v) => v >= limitPerDay);
}
