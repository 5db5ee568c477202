import { DAY, HOUR } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import type { Plan, ResolvedPlan } from '../engine/plan.ts';
import { Outcome } from '../engine/result.ts';
import type { SimulationResult } from '../engine/result.ts';
import { fillUniforms, hashSeed, makeRng, stochasticRound } from './rng.ts';
import { pathBlock, RECENT_DAYS } from './path-block.ts';
import type { Scenario, ScenarioSeries } from './scenario.ts';

/**
 * A key's daily spend is cut into at most this many requests: the cap then binds within 1/500
 * of a day's spend, and a busy key does not cost millions of engine events per path.
 */
export const MAX_REQUESTS_PER_KEY_DAY = 500;

/**
 * The engine's exact state when the history ends, as events the paths replay first: every entry
 * still in a window (key caps and spend limits: admitted spend of the last max(cap window, 31)
 * days, at its admission time; sliding 24 h windows: runs and messages admitted in the last two
 * days, so the windows of the last day are exact), then the runs still waiting, in their queue
 * order, each arriving no earlier than its trigger's last entry so it queues behind it as it did.
 * Replaying a subset of admitted entries at their admission times admits each of them again (a
 * window never holds more than it did), so the state at `from` is the history's own. A run that
 * had waited over a day arrives a day before `from`: it keeps its place, not its whole wait.
 */
export function historyTail(events: EventColumns, plan: Plan, from: number, simulateFn: SimulateLike): EventColumns {
  const replay = replayHistory(events, plan, from, simulateFn);
  return tailFromReplay(replay, plan, from);
}

export interface HistoryReplay {
  /** the events before `from` */
  hist: EventColumns;
  /** the engine's decisions on them, queues released up to `from` */
  result: SimulationResult;
}

/** The plan replayed over the history before `from`: the state the future starts from. */
export function replayHistory(events: EventColumns, plan: Plan, from: number, simulateFn: SimulateLike): HistoryReplay {
  let n = 0;
  let last = -Infinity;
  for (let i = 0; i < events.count; i++) {
    const t = events.time[i];
    if (t < from) {
      n++;
      if (t > last) last = t;
    }
  }
  let hist: EventColumns;
  if (n === events.count) {
    // the whole history is before `from` (the usual case): read in place, not copied
    hist = { ...events, subjects: events.subjects.slice(), ids: null };
  } else {
    const before = new Int32Array(n);
    for (let i = 0, k = 0; i < events.count; i++) if (events.time[i] < from) before[k++] = i;
    hist = pick(events, before, events.subjects.slice());
  }
  return { hist, result: simulateFn(plan, hist, { until: Math.max(last, from - 1) }) };
}

/**
 * `held`: the replay of the plan in force when the history was recorded, when the paths run
 * another (the export forecasts the recommended plan). The keys' requests are then taken from it:
 * the spend the platform holds in each key's window now, which a cap set today re-decides none of
 * (dust-facts: a cap compares the key's recorded usage). The paths take them in unchecked
 * (`SimulateOptions.heldBefore`). Both replays are of the same events, row for row.
 *
 * `ran`: the ids of triggers held at an override the plan does not state (default-hold.ts): the
 * replay under the plan's lower limit queues runs the platform ran, and the future does not start
 * behind them (a backlog of days the history never had); their admitted runs still set the window.
 */
export function tailFromReplay({ hist, result }: HistoryReplay, plan: Plan, from: number, held?: HistoryReplay, ran?: ReadonlySet<string>): EventColumns {
  if (held !== undefined && held.hist.count !== hist.count) throw new Error('tailFromReplay: the two replays are of different events');
  const ranAlready = result.plan.triggers.map((t) => ran?.has(t.id) === true);
  const spendDays = Math.max(plan.enforcement.keyCapWindowDays, 31);
  const spendFrom = from - spendDays * DAY;
  const shortFrom = from - 2 * DAY;
  const rows: number[] = [];
  const at: number[] = [];
  const lastEntry = new Map<number, number>();
  const waiting: number[] = [];
  for (let i = 0; i < hist.count; i++) {
    if (held !== undefined && hist.type[i] === EventType.api) {
      if (held.result.outcome[i] === Outcome.admitted && held.result.admittedAt[i] > spendFrom) {
        rows.push(i);
        at.push(held.result.admittedAt[i]);
      }
      continue;
    }
    const out = result.outcome[i];
    if (out === Outcome.pending) {
      if (!(hist.type[i] === EventType.trigger && ranAlready[result.entity[i]])) waiting.push(i);
      continue;
    }
    if (out !== Outcome.admitted) continue;
    const t = result.admittedAt[i];
    const type = hist.type[i];
    const spendWindow = type === EventType.api || (type === EventType.trigger && result.plan.triggers[result.entity[i]]?.mode === 'programmatic');
    if (t > (spendWindow ? Math.min(spendFrom, shortFrom) : shortFrom)) {
      rows.push(i);
      at.push(t);
      if (type === EventType.trigger) lastEntry.set(hist.subject[i], Math.max(lastEntry.get(hist.subject[i]) ?? -Infinity, t));
    }
  }
  // queue order: arrival, then input order (the engine's own rule)
  waiting.sort((a, b) => hist.time[a] - hist.time[b] || a - b);
  const entries = rows.length;
  for (const i of waiting) {
    rows.push(i);
    at.push(Math.max(hist.time[i], from - DAY, lastEntry.get(hist.subject[i]) ?? -Infinity));
  }
  // time order; at equal times the entries come before the waiting runs, and each keeps its order
  const order = rows.map((_, k) => k).sort((a, b) => at[a] - at[b] || (a < entries ? 0 : 1) - (b < entries ? 0 : 1) || a - b);
  const tail = pick(hist, order.map((k) => rows[k]), hist.subjects);
  order.forEach((k, j) => (tail.time[j] = at[k]));
  return tail;
}

/** The engine, as the tail needs it (tests pass the reference engine). */
export type SimulateLike = (plan: Plan, events: EventColumns, options: { until: number }) => SimulationResult;

function pick(events: EventColumns, rows: ArrayLike<number>, subjects: string[]): EventColumns {
  const n = rows.length;
  const out: EventColumns = { count: n, time: new Float64Array(n), type: new Uint8Array(n), subject: new Uint32Array(n), subjects, cost: new Float64Array(n), ids: null };
  for (let j = 0; j < n; j++) {
    const i = rows[j];
    out.time[j] = events.time[i];
    out.type[j] = events.type[i];
    out.subject[j] = events.subject[i];
    out.cost[j] = events.cost[i];
  }
  return out;
}

/** One path's daily draws turned into whole events per day, and which series need the engine. */
export interface PathDraw {
  /** events per forecast day, per series */
  counts: Int32Array[];
  /** µUSD per forecast day, per series (keys: spend; programmatic triggers: runs × cost) */
  micros: Float64Array[];
  /** series that go through the engine; the rest provably never meet a limit */
  include: boolean[];
  /** fair-use runs and messages stay far from the pool and the allowance */
  poolSafe: boolean;
  /** no workspace spend limit can be reached */
  spendSafe: boolean;
  /** the daily draws before any limit, laid out as `pathParts` lays them (sent back for the bands) */
  parts: Float64Array;
}

export interface SeriesLimits {
  /** key: cap in µUSD (null = none); trigger: limit (Infinity = none) */
  cap: number | null;
  limit: number;
  fairUse: boolean;
  scheduled: boolean;
}

export function seriesLimits(scenario: Scenario, plan: ResolvedPlan): SeriesLimits[] {
  const keys = new Map<string, ResolvedPlan['keys'][number]>(plan.keys.map((k) => [k.id, k]));
  const triggers = new Map<string, ResolvedPlan['triggers'][number]>(plan.triggers.map((t) => [t.id, t]));
  return scenario.series.map((s) => {
    if (s.kind === 'key_spend') return { cap: keys.get(s.id)?.capMicros ?? null, limit: Infinity, fairUse: false, scheduled: false };
    if (s.kind === 'trigger_runs') {
      const t = triggers.get(s.id);
      // a trigger seen only in the ledger is inferred as a fair-use webhook with the default limit;
      // under the platform profile a schedule is never checked against its own limit (rule 3)
      const scheduled = t?.kind === 'scheduled';
      const limit = scheduled && plan.profile === 'platform' ? Infinity : t ? t.limit : 42;
      return { cap: null, limit, fairUse: t ? t.mode === 'fair_use' : true, scheduled };
    }
    return { cap: null, limit: Infinity, fairUse: false, scheduled: false };
  });
}

/**
 * Draws one path: daily values, then whole events per day. With `exact` every series goes
 * through the engine; otherwise series whose bounds show they can never meet a limit are
 * summarised from their counts (their events would all be admitted on arrival).
 * `block`: the path's daily values (`pathBlock`) when drawn already; the events per day follow
 * from it and (seed, path) alone. `reuse`: the counts and µUSD are written into buffers kept for
 * the next call (valid until then: for a path run at once, not one held), not fresh memory.
 */
export function drawPath(
  scenario: Scenario,
  plan: ResolvedPlan,
  limits: SeriesLimits[],
  seed: number,
  path: number,
  exact: boolean,
  block: Float64Array = pathBlock(scenario, seed, path),
  reuse = false,
): PathDraw {
  const nSeries = scenario.series.length;
  const rng = makeRng(hashSeed(hashSeed(seed, path), 0xc0117));
  const D = scenario.days;
  const counts: Int32Array[] = [];
  const micros: Float64Array[] = [];
  // one block each, viewed per series: thousands of small arrays per path keep the GC busy
  const size = D * scenario.series.length;
  if (reuse && countsScratch.length < size) countsScratch = new Int32Array(size);
  if (reuse && microsScratch.length < size) microsScratch = new Float64Array(size);
  const allCounts = reuse ? countsScratch.subarray(0, size) : new Int32Array(size);
  const allMicros = reuse ? microsScratch.subarray(0, size).fill(0) : new Float64Array(size);
  scenario.series.forEach((s, j) => {
    const c = allCounts.subarray(j * D, (j + 1) * D);
    const m = allMicros.subarray(j * D, (j + 1) * D);
    // series j's ordinary and runaway days in the block (`pathBlock`)
    const ord = j * D;
    const run = (nSeries + j) * D;
    // per series, not per day: this runs for every series and day of every path
    if (s.kind === 'key_spend') {
      for (let h = 0; h < D; h++) {
        const us = Math.round(block[ord + h] + block[run + h]);
        m[h] = us;
        c[h] = us <= 0 ? 0 : Math.min(MAX_REQUESTS_PER_KEY_DAY, Math.max(1, s.meanCost > 0 ? Math.round(us / s.meanCost) : 1));
      }
    } else {
      const billed = s.kind === 'trigger_runs' && !limits[j].fairUse;
      const each = Math.round(s.meanCost);
      for (let h = 0; h < D; h++) {
        c[h] = stochasticRound(block[ord + h] + block[run + h], rng);
        if (billed) m[h] = c[h] * each;
      }
    }
    counts.push(c);
    micros.push(m);
  });
  const include = scenario.series.map(() => true);
  if (exact) return { counts, micros, include, poolSafe: false, spendSafe: false, parts: block };

  const spendSafe = spendLimitsSafe(scenario, plan, limits, micros);
  let poolBound = 0;
  let messages2Day = 0;
  scenario.series.forEach((s, j) => {
    const lim = limits[j];
    if (s.kind === 'key_spend') {
      include[j] = lim.cap !== null && !(plan.keyCapWindowMs <= 31 * DAY && maxWindowSum(s.recentSpend, micros[j], plan.keyCapWindowMs / DAY + 1) < lim.cap);
      if (!spendSafe) include[j] = true;
    } else if (s.kind === 'trigger_runs') {
      // runs in any sliding 24 h lie within two consecutive UTC days; the last history week is
      // checked too, so no backlog from the history is still waiting to be admitted
      const peak2 = maxWindowSum(s.recent.slice(-8), counts[j], 2, true);
      include[j] = Number.isFinite(lim.limit) && peak2 > lim.limit;
      if (!spendSafe && !lim.fairUse) include[j] = true;
      // platform, drop mode: a webhook run its own limit refuses has still taken a pool unit (rule 4)
      const refusedTakePool = plan.profile === 'platform' && !plan.queueWebhooks && !lim.scheduled;
      if (lim.fairUse) poolBound += refusedTakePool ? peak2 : Math.min(peak2, lim.limit);
    } else {
      messages2Day = maxWindowSum(s.recent, counts[j], 2);
      include[j] = false;
    }
  });
  const poolSafe = poolBound <= plan.pool && poolBound + messages2Day <= plan.allowance;
  if (!poolSafe) {
    scenario.series.forEach((s, j) => {
      if (s.kind === 'messages' || (s.kind === 'trigger_runs' && limits[j].fairUse)) include[j] = true;
    });
  }
  return { counts, micros, include, poolSafe, spendSafe, parts: block };
}

// the buffers of `drawPath(…, reuse)`: a path run straight after its draw needs fresh memory for
// neither (page faults of fresh memory cost about as much as the draws' arithmetic)
let countsScratch = new Int32Array(0);
let microsScratch = new Float64Array(0);

/**
 * Largest sum of `width` consecutive days over windows that reach into the future (history
 * days first). With `allHistory`, windows wholly inside the given history count too.
 */
function maxWindowSum(hist: readonly number[], future: ArrayLike<number>, width: number, allHistory = false): number {
  const H = hist.length;
  const at = (i: number) => (i < H ? hist[i] : future[i - H]);
  const n = H + future.length;
  let acc = 0;
  let peak = 0;
  const firstEnd = allHistory ? width - 1 : H;
  for (let i = 0; i < n; i++) {
    acc += at(i);
    if (i >= width) acc -= at(i - width);
    if (i >= firstEnd && acc > peak) peak = acc;
  }
  return peak;
}

/** True when no workspace spend limit can block anything on this path, even with no key capped. */
function spendLimitsSafe(scenario: Scenario, plan: ResolvedPlan, limits: SeriesLimits[], micros: Float64Array[]): boolean {
  if (plan.spendLimits.length === 0) return true;
  const D = scenario.days;
  const hist = new Array<number>(RECENT_DAYS).fill(0);
  const fut = new Float64Array(D);
  scenario.series.forEach((s, j) => {
    if (s.kind === 'messages' || (s.kind === 'trigger_runs' && limits[j].fairUse)) return;
    for (let d = 0; d < RECENT_DAYS; d++) hist[d] += s.recentSpend[d];
    for (let h = 0; h < D; h++) fut[h] += micros[j][h];
  });
  for (const l of plan.spendLimits) {
    if (l.window === 'utc-day') {
      for (const v of fut) if (v >= l.amountMicros) return false;
    } else if (l.window === 'rolling-30d') {
      if (maxWindowSum(hist, fut, 31) >= l.amountMicros) return false;
    } else {
      // calendar month: month-to-date at each forecast day, history days of the month included
      const all = [...hist, ...fut];
      let acc = 0;
      for (let i = 0; i < all.length; i++) {
        const dayStart = scenario.from + (i - RECENT_DAYS) * DAY;
        if (new Date(dayStart).getUTCDate() === 1) acc = 0;
        acc += all[i];
        if (i >= RECENT_DAYS && acc >= l.amountMicros) return false;
      }
    }
  }
  return true;
}

/** Up to this many events a day are sorted by insertion rather than by hour buckets. */
const FEW_EVENTS = 24;

const hourTables = new WeakMap<Scenario, { cum: Float64Array; start: Uint8Array }[]>();

/**
 * Cumulative hour-of-day shares of series j, and for each 1/256th of the total the first hour
 * that can hold it, so drawing an hour takes a step or two.
 */
export function hourTable(scenario: Scenario, j: number): { cum: Float64Array; start: Uint8Array } {
  let tables = hourTables.get(scenario);
  if (!tables) {
    tables = scenario.series.map((s) => {
      const cum = new Float64Array(24);
      let acc = 0;
      for (let hr = 0; hr < 24; hr++) cum[hr] = acc += s.hourProfile[hr];
      const start = new Uint8Array(257);
      for (let b = 0, hr = 0; b <= 256; b++) {
        while (hr < 23 && cum[hr] <= (b / 256) * acc) hr++;
        start[b] = hr;
      }
      return { cum, start };
    });
    hourTables.set(scenario, tables);
  }
  return tables[j];
}

/**
 * The hour of day for a uniform draw `r`, by the series' cumulative hour shares `cum` (total
 * `acc`); `start` jumps to the first hour a 1/256 slice of the draws can fall in.
 */
function drawHour(r: number, acc: number, cum: Float64Array, start: Uint8Array): number {
  const u = r * acc;
  let hr = start[Math.floor(r * 256)];
  while (hr < 23 && cum[hr] <= u) hr++;
  return hr;
}

/**
 * Times (and costs) of series j's forecast events on this path, in time order, spread over each
 * day with the series' hour-of-day rhythm. Each series draws from its own stream, so leaving a series out of
 * the engine changes no other series' events.
 */
export function seriesEvents(
  scenario: Scenario,
  draw: PathDraw,
  j: number,
  seed: number,
  path: number,
  scratch?: { time: Float64Array; cost: Float64Array },
): { time: Float64Array; cost: Float64Array } {
  const time = seriesTimes(scenario, draw, j, seed, path, scratch);
  const n = time.length;
  if (scratch && scratch.cost.length < n) scratch.cost = new Float64Array(scratch.time.length);
  const cost = scratch ? scratch.cost.subarray(0, n) : new Float64Array(n);
  const key = scenario.series[j].kind === 'key_spend';
  const counts = draw.counts[j];
  const micros = draw.micros[j];
  // a day's spend split evenly, its first events (in time order) a µUSD more for the remainder
  for (let h = 0, k = 0; h < counts.length; h++) {
    const c = counts[h];
    if (c === 0) continue;
    const each = key ? Math.floor(micros[h] / c) : micros[h] / c;
    const extra = key ? micros[h] - each * c : 0;
    for (let e = 0; e < c; e++) cost[k + e] = each + (e < extra ? 1 : 0);
    k += c;
  }
  return { time, cost };
}

/**
 * The times of `seriesEvents` alone (what a trigger's own queue reads). `scratch`: a buffer the
 * caller lends (the times are a view of it, valid until its next call), grown when too small.
 */
export function seriesTimes(scenario: Scenario, draw: PathDraw, j: number, seed: number, path: number, scratch?: { time: Float64Array }): Float64Array {
  const counts = draw.counts[j];
  let n = 0;
  for (let h = 0; h < counts.length; h++) n += counts[h];
  if (scratch && scratch.time.length < n) scratch.time = new Float64Array(n * 2);
  const time = scratch ? scratch.time.subarray(0, n) : new Float64Array(n);
  // every event takes two draws of the series' stream, its hour then its time within the hour
  // (a day's hours first, then their times): drawn at once, read in that order
  if (uniformScratch.length < 2 * n) uniformScratch = new Float64Array(4 * n);
  const u = uniformScratch;
  fillUniforms(hashSeed(hashSeed(seed, path), j + 1), u, 2 * n);
  let r = 0;
  const { cum, start } = hourTable(scenario, j);
  const acc = cum[23];
  let k = 0;
  const perHour = perHourScratch;
  const bucketStart = bucketStartScratch;
  for (let h = 0; h < scenario.days; h++) {
    const c = counts[h];
    if (c === 0) continue;
    const dayStart = scenario.from + h * DAY;
    // hour of each event, then each hour's events placed and sorted in their own bucket: the
    // day comes out in time order without sorting it whole
    if (hoursScratch.length < c) hoursScratch = new Uint8Array(c * 2);
    const hours = hoursScratch;
    if (c <= FEW_EVENTS) {
      // a day of a few events: one insertion sort costs less than 24 buckets; the same draws in
      // the same order, so the same times
      for (let e = 0; e < c; e++) hours[e] = drawHour(u[r++], acc, cum, start);
      for (let e = 0; e < c; e++) {
        const t = dayStart + hours[e] * HOUR + Math.floor(u[r++] * HOUR);
        let i = k + e;
        while (i > k && time[i - 1] > t) {
          time[i] = time[i - 1];
          i--;
        }
        time[i] = t;
      }
      k += c;
      continue;
    }
    perHour.fill(0);
    for (let e = 0; e < c; e++) {
      const hr = drawHour(u[r++], acc, cum, start);
      hours[e] = hr;
      perHour[hr + 1]++;
    }
    for (let hr = 0; hr < 24; hr++) perHour[hr + 1] += perHour[hr];
    bucketStart.set(perHour);
    for (let e = 0; e < c; e++) {
      const hr = hours[e];
      let i = k + perHour[hr]++;
      const t = dayStart + hr * HOUR + Math.floor(u[r++] * HOUR);
      const lo = k + bucketStart[hr];
      // insertion into the bucket filled so far (buckets hold a handful of events)
      while (i > lo && time[i - 1] > t) {
        time[i] = time[i - 1];
        i--;
      }
      time[i] = t;
    }
    k += c;
  }
  return time;
}

// buffers of `seriesTimes`, kept between calls: it runs for hundreds of series on every path
let uniformScratch = new Float64Array(4096);
let hoursScratch = new Uint8Array(64);
const perHourScratch = new Int32Array(25);
const bucketStartScratch = new Int32Array(25);

const tailKeys = new WeakMap<EventColumns, WeakMap<Scenario, Int32Array>>();

/** Per tail row, the index of its series in the scenario (-1 = none); computed once per tail. */
function tailSeries(tail: EventColumns, scenario: Scenario): Int32Array {
  let byScenario = tailKeys.get(tail);
  if (!byScenario) tailKeys.set(tail, (byScenario = new WeakMap()));
  let out = byScenario.get(scenario);
  if (out) return out;
  const index = new Map<string, number>();
  scenario.series.forEach((s, j) => index.set(`${codeOf(s)}:${s.id}`, j));
  out = new Int32Array(tail.count);
  for (let i = 0; i < tail.count; i++) out[i] = index.get(`${tail.type[i]}:${tail.subjects[tail.subject[i]]}`) ?? -1;
  byScenario.set(scenario, out);
  return out;
}

const tailPicks = new WeakMap<EventColumns, Map<string, EventColumns>>();

/**
 * The tail rows of the series in the engine on this path. Most paths include the same series, so
 * the pick is kept per include set (a few at most) rather than copied again for every path.
 */
function tailFor(scenario: Scenario, tail: EventColumns, include: readonly boolean[], subjects: string[]): EventColumns {
  let cache = tailPicks.get(tail);
  if (!cache) tailPicks.set(tail, (cache = new Map()));
  const key = include.map((x) => (x ? '1' : '0')).join('');
  const hit = cache.get(key);
  if (hit) return hit;
  const ts = tailSeries(tail, scenario);
  let n = 0;
  for (let i = 0; i < tail.count; i++) if (ts[i] >= 0 && include[ts[i]]) n++;
  const rows = new Int32Array(n);
  n = 0;
  for (let i = 0; i < tail.count; i++) if (ts[i] >= 0 && include[ts[i]]) rows[n++] = i;
  const picked = pick(tail, rows, subjects.slice(0, tail.subjects.length));
  if (cache.size >= 8) cache.delete(cache.keys().next().value as string);
  cache.set(key, picked);
  return picked;
}

/**
 * The engine's input for one path: the history tail, then the events of the included series,
 * all in time order (equal times keep series order), so the engine need not sort them.
 */
export function pathEvents(
  scenario: Scenario,
  tail: EventColumns,
  draw: PathDraw,
  include: readonly boolean[],
  seed: number,
  path: number,
): { events: EventColumns; tailCount: number } {
  const subjects = tail.subjects.slice();
  const index = new Map<string, number>();
  subjects.forEach((s, i) => index.set(s, i));
  const subjectOf = (id: string) => {
    let i = index.get(id);
    if (i === undefined) {
      i = subjects.length;
      subjects.push(id);
      index.set(id, i);
    }
    return i;
  };
  const base = tailFor(scenario, tail, include, subjects);
  const parts: { time: Float64Array; cost: Float64Array; type: number; subject: number }[] = [];
  let future = 0;
  scenario.series.forEach((s, j) => {
    if (!include[j]) return;
    const ev = seriesEvents(scenario, draw, j, seed, path);
    parts.push({ ...ev, type: codeOf(s), subject: subjectOf(s.id) });
    future += ev.time.length;
  });
  const total = base.count + future;
  const time = new Float64Array(total);
  const type = new Uint8Array(total);
  const subject = new Uint32Array(total);
  const cost = new Float64Array(total);
  time.set(base.time);
  type.set(base.type);
  subject.set(base.subject);
  cost.set(base.cost);
  // bucket the forecast events by day, then sort each day on (ms of day, arrival rank) packed
  // into one exact double: ms of day < 2^27 and a day's events < 2^26
  const D = scenario.days;
  const perDay = new Int32Array(D + 1);
  for (const p of parts) for (let e = 0; e < p.time.length; e++) perDay[Math.floor((p.time[e] - scenario.from) / DAY) + 1]++;
  for (let d = 0; d < D; d++) perDay[d + 1] += perDay[d];
  const slot = perDay.slice(0, D);
  const order = new Uint32Array(future);
  const ft = new Float64Array(future);
  const fc = new Float64Array(future);
  const fy = new Uint8Array(future);
  const fs = new Uint32Array(future);
  let q = 0;
  for (const p of parts) {
    for (let e = 0; e < p.time.length; e++, q++) {
      ft[q] = p.time[e];
      fc[q] = p.cost[e];
      fy[q] = p.type;
      fs[q] = p.subject;
      order[slot[Math.floor((p.time[e] - scenario.from) / DAY)]++] = q;
    }
  }
  const TWO26 = 67_108_864;
  let k = base.count;
  for (let d = 0; d < D; d++) {
    const lo = perDay[d];
    const hi = perDay[d + 1];
    const dayStart = scenario.from + d * DAY;
    const keys = new Float64Array(hi - lo);
    for (let i = lo; i < hi; i++) keys[i - lo] = (ft[order[i]] - dayStart) * TWO26 + (i - lo);
    keys.sort();
    for (let r = 0; r < keys.length; r++) {
      const src = order[lo + (keys[r] % TWO26)];
      time[k] = ft[src];
      type[k] = fy[src];
      subject[k] = fs[src];
      cost[k] = fc[src];
      k++;
    }
  }
  return { events: { count: total, time, type, subject, subjects, cost, ids: null }, tailCount: base.count };
}

export function codeOf(s: ScenarioSeries): number {
  return s.kind === 'key_spend' ? EventType.api : s.kind === 'trigger_runs' ? EventType.trigger : EventType.message;
}


