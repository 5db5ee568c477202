import { quantile } from 'simple-statistics';
import { DAY } from '../engine/units.ts';
import { EventType } from '../engine/events.ts';
import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import { Outcome, Reason, REASON_SPEND_LIMIT_BASE } from '../engine/result.ts';
import type { KeyEpisode, SimulationResult } from '../engine/result.ts';
import type { SimulateOptions } from '../engine/simulate.ts';
import { drawPath, hourTable, pathEvents, seriesEvents, seriesLimits, seriesTimes } from './generate.ts';
import type { PathDraw, SeriesLimits } from './generate.ts';
import { isolatedTrigger } from './queue.ts';
import { IsolatedKey } from './isolated-key.ts';
import { resolvePlan } from '../engine/plan-rules.ts';
import type { ResolvedPlan } from '../engine/plan.ts';
import type { Scenario } from './scenario.ts';
import { selectBandLinear } from './daily.ts';
import type { Band } from './daily.ts';
import { addCause, causeOf, causesOver, emptyCauses } from './trigger-causes.ts';
import { causeAt, HEAD, KEY, keyAt, packSummary, pathLayout, SPEND, spendAt, TRIGGER, triggerAt } from './path-figures.ts';
import type { PathLayout } from './path-figures.ts';
import type { CauseCounts, TriggerCause, TriggerCauseReport } from './trigger-causes.ts';

export type SimulateFn = (plan: Plan, events: EventColumns, options?: SimulateOptions) => SimulationResult;

/** What one Monte Carlo path produced over the forecast horizon (history tail excluded). */
export interface PathSummary {
  keys: Record<string, { firstCappedAt: number | null; daysCapped: number; blocked: number; blockedMicros: number }>;
  triggers: Record<string, { arrivals: number; delayed: number; dropped: number; skipped: number; pending: number; maxDelayMs: number; p95DelayMs: number; causes?: CauseCounts }>;
  pool: { limit: number; peak: number; limitedRuns: number };
  allowance: { limit: number; peak: number; blockedMessages: number; limitedRuns: number };
  programmaticMicros: number;
  /** by workspace spend limit id: what it blocked (requests of keys, programmatic runs) */
  spendLimits: Record<string, { blockedRequests: number; blockedRuns: number; blockedMicros: number }>;
  /**
   * The path's daily draws before any limit (`pathParts` layout): the daily bands and the cap
   * risk are read from them, so the main thread does not draw every path a second time
   */
  draws?: Float64Array;
}

export interface RunPathOptions {
  /** every series through the engine, no bound-based shortcut (slow; for checking) */
  exact?: boolean;
  /** this path's draws, drawn ahead (`drawFromBlock`); not with `exact`, whose draw includes every series */
  draw?: PathDraw;
}

export function runPath(scenario: Scenario, tail: EventColumns, seed: number, path: number, simulate: SimulateFn, options: RunPathOptions = {}): PathSummary {
  const { plan, limits } = resolvedOf(scenario);
  const exact = options.exact === true;
  if (exact && options.draw) throw new Error('an exact Monte Carlo path draws its own values');
  const draw = options.draw ?? drawPath(scenario, plan, limits, seed, path, exact);
  const from = scenario.from;
  const until = from + scenario.days * DAY;
  // a trigger that only its own limit can stop is decided by its own queue, outside the engine
  const alone = scenario.series.map(
    (s, j) => !exact && draw.include[j] && s.kind === 'trigger_runs' && Number.isFinite(limits[j].limit) && (limits[j].fairUse ? draw.poolSafe : draw.spendSafe),
  );
  // a key that only its own cap can stop (no spend limit reachable, no throttle) by its own cap
  const keyTails = keyTailsOf(tail, from);
  const aloneKey = scenario.series.map(
    (s, j) => !exact && draw.include[j] && s.kind === 'key_spend' && draw.spendSafe && throttleSafe(plan, draw.counts[j], keyTails.get(s.id)),
  );
  const engine = draw.include.map((inc, j) => inc && !alone[j] && !aloneKey[j]);
  const summary = baseSummary(scenario, plan, limits, draw, engine.map((e, j) => e || alone[j] || aloneKey[j]));
  summary.draws = draw.parts;
  const tailTimes = alone.some(Boolean) ? triggerTimes(tail) : null;
  const scratch = { time: new Float64Array(4096), cost: new Float64Array(4096) };
  scenario.series.forEach((s, j) => {
    if (!alone[j] || !tailTimes) return;
    // a fair-use run costs nothing: its queue reads the times alone
    const ev = limits[j].fairUse ? { time: seriesTimes(scenario, draw, j, seed, path, scratch), cost: NO_COST } : seriesEvents(scenario, draw, j, seed, path, scratch);
    const stats = isolatedTrigger(tailTimes.get(s.id) ?? [], ev.time, {
      limit: limits[j].limit,
      // platform: an entry still counts at exactly s + 24 h (rule 1)
      windowMs: DAY + plan.edgeMs,
      scheduled: limits[j].scheduled,
      queue: plan.queueWebhooks,
      maxWaitMs: plan.maxWaitMs,
      until,
    });
    // only its own limit can hold it back on this path (that is why it runs alone)
    summary.triggers[s.id] = stats;
    if (stats.delayed + stats.pending + stats.dropped + stats.skipped > 0) {
      const causes = emptyCauses();
      addCause(causes.delayed, 'trigger_limit', stats.delayed + stats.pending);
      addCause(causes.dropped, 'trigger_limit', stats.dropped + stats.skipped);
      summary.triggers[s.id].causes = causes;
    }
    if (!limits[j].fairUse) {
      // admitted runs are billed; every run of a series costs the same
      const admitted = stats.arrivals - stats.dropped - stats.skipped - stats.pending;
      if (ev.cost.length) summary.programmaticMicros += admitted * ev.cost[0];
    }
  });
  scenario.series.forEach((s, j) => {
    if (!aloneKey[j]) return;
    const ev = seriesEvents(scenario, draw, j, seed, path, scratch);
    const stats = isolatedKeyOf(scenario, plan, limits, j).run(keyTails.get(s.id) ?? NO_ENTRIES, ev);
    const entry = summary.keys[s.id];
    entry.blocked += stats.blocked;
    entry.blockedMicros += stats.blockedMicros;
    addEpisodes(entry, stats.episodes, from, until);
    summary.programmaticMicros += stats.admittedMicros;
  });
  if (engine.some(Boolean)) {
    const { events, tailCount } = pathEvents(scenario, tail, draw, engine, seed, path);
    // the tail's requests are spend the platform holds: the plan the paths run re-decides none of them
    const result = simulate(scenario.plan, events, { until, heldBefore: from });
    addEngineResult(summary, result, events, tailCount, from, until, !draw.poolSafe);
  }
  return summary;
}

/**
 * A path's draw from its daily values drawn ahead (`pathBlock`, e.g. in shared memory the bands
 * read too), for a run that follows at once: its events per day go into buffers reused by the
 * next path, so a worker's runs need no fresh memory for them.
 */
export function drawFromBlock(scenario: Scenario, seed: number, path: number, block: Float64Array): PathDraw {
  const { plan, limits } = resolvedOf(scenario);
  return drawPath(scenario, plan, limits, seed, path, false, block, true);
}

/**
 * Runs one path and packs its summary as a row of the scenario's `layoutOf` (what a worker sends
 * back, moved). `draw`: the path's draw when drawn ahead (`drawFromBlock`).
 */
export function runPathFigures(scenario: Scenario, tail: EventColumns, seed: number, path: number, simulate: SimulateFn, draw?: PathDraw): Float64Array {
  return packSummary(layoutOf(scenario), runPath(scenario, tail, seed, path, simulate, draw ? { draw } : {}));
}

const resolvedCache = new WeakMap<Scenario, { plan: ResolvedPlan; limits: SeriesLimits[]; layout: PathLayout }>();

/** The scenario's resolved plan, per-series limits and row layout: the same for every path. */
function resolvedOf(scenario: Scenario): { plan: ResolvedPlan; limits: SeriesLimits[]; layout: PathLayout } {
  let r = resolvedCache.get(scenario);
  if (!r) {
    const plan = resolvePlan(scenario.plan);
    r = { plan, limits: seriesLimits(scenario, plan), layout: pathLayout(plan, scenario.series) };
    resolvedCache.set(scenario, r);
  }
  return r;
}

/** Where each figure sits in the rows of this scenario's paths. */
export function layoutOf(scenario: Scenario): PathLayout {
  return resolvedOf(scenario).layout;
}

const tailCache = new WeakMap<EventColumns, Map<string, number[]>>();

/** Sorted trigger run times of the history tail, by trigger id. */
function triggerTimes(tail: EventColumns): Map<string, number[]> {
  let m = tailCache.get(tail);
  if (m) return m;
  m = new Map();
  for (let i = 0; i < tail.count; i++) {
    if (tail.type[i] !== EventType.trigger) continue;
    const id = tail.subjects[tail.subject[i]];
    let a = m.get(id);
    if (!a) m.set(id, (a = []));
    a.push(tail.time[i]);
  }
  for (const a of m.values()) a.sort((x, y) => x - y);
  tailCache.set(tail, m);
  return m;
}

const isolatedKeys = new WeakMap<Scenario, Map<number, IsolatedKey>>();

/** Series j's cap on its own, kept for every path of the scenario. */
function isolatedKeyOf(scenario: Scenario, plan: ResolvedPlan, limits: readonly SeriesLimits[], j: number): IsolatedKey {
  let m = isolatedKeys.get(scenario);
  if (!m) isolatedKeys.set(scenario, (m = new Map()));
  let k = m.get(j);
  if (!k) {
    k = new IsolatedKey({ capMicros: limits[j].cap ?? Infinity, windowMs: plan.keyCapWindowMs, byDay: plan.keyCapByDay, plusCost: plan.capCheckPlusCost });
    m.set(j, k);
  }
  return k;
}

const NO_COST = new Float64Array(0);

const NO_ENTRIES = { time: new Float64Array(0), cost: new Float64Array(0), lastDay: 0 };

interface KeyTail {
  time: Float64Array;
  cost: Float64Array;
  /** entries within the tail's last day (its throttle windows may reach into the horizon) */
  lastDay: number;
}

const keyTailCache = new WeakMap<EventColumns, Map<string, KeyTail>>();

/** The history tail's API requests by key id, in time order. */
function keyTailsOf(tail: EventColumns, from: number): Map<string, KeyTail> {
  let m = keyTailCache.get(tail);
  if (m) return m;
  const rows = new Map<string, number[]>();
  for (let i = 0; i < tail.count; i++) {
    if (tail.type[i] !== EventType.api) continue;
    const id = tail.subjects[tail.subject[i]];
    let a = rows.get(id);
    if (!a) rows.set(id, (a = []));
    a.push(i);
  }
  m = new Map();
  for (const [id, a] of rows) {
    // the tail is in time order; a stable sort keeps equal times in input order, as the engine does
    a.sort((x, y) => tail.time[x] - tail.time[y] || x - y);
    const time = new Float64Array(a.length);
    const cost = new Float64Array(a.length);
    let lastDay = 0;
    a.forEach((i, k) => {
      time[k] = tail.time[i];
      cost[k] = tail.cost[i];
      if (tail.time[i] > from - DAY) lastDay++;
    });
    m.set(id, { time, cost, lastDay });
  }
  keyTailCache.set(tail, m);
  return m;
}

/**
 * True when no per-key throttle can refuse any of this key's requests: a throttle window (a
 * minute or an hour) lies within two consecutive days, and no two days hold as many requests as
 * the smaller throttle allows.
 */
function throttleSafe(plan: ResolvedPlan, counts: ArrayLike<number>, tailEntries: KeyTail | undefined): boolean {
  const limit = Math.min(plan.actorPerMinute, plan.actorPerHour);
  if (limit === Infinity) return true;
  let prev = tailEntries?.lastDay ?? 0;
  for (let h = 0; h < counts.length; h++) {
    if (prev + counts[h] >= limit) return false;
    prev = counts[h];
  }
  return true;
}

/** Adds a key's blocked stretches that fall within the horizon [from, until). */
function addEpisodes(entry: PathSummary['keys'][string], episodes: readonly KeyEpisode[], from: number, until: number): void {
  for (const ep of episodes) {
    const a = Math.max(ep.from, from);
    const b = Math.min(ep.until, until);
    if (b <= a && !(ep.from >= from && ep.from < until)) continue;
    if (entry.firstCappedAt === null || a < entry.firstCappedAt) entry.firstCappedAt = a;
    entry.daysCapped += Math.max(0, b - a) / DAY;
  }
}

/**
 * The summary of the series left out of the engine: all their events are admitted on arrival.
 * Pool and allowance peaks are then estimated from hourly expected counts.
 */
function baseSummary(scenario: Scenario, plan: ResolvedPlan, limits: SeriesLimits[], draw: PathDraw, handled: readonly boolean[]): PathSummary {
  const keys: PathSummary['keys'] = {};
  const triggers: PathSummary['triggers'] = {};
  const zeroTrigger = () => ({ arrivals: 0, delayed: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 0, p95DelayMs: 0 });
  for (const k of plan.keys) keys[k.id] = { firstCappedAt: null, daysCapped: 0, blocked: 0, blockedMicros: 0 };
  for (const t of plan.triggers) triggers[t.id] = zeroTrigger();
  let programmatic = 0;
  const D = scenario.days;
  const runs = new Float64Array(D * 24);
  const people = new Float64Array(D * 24);
  scenario.series.forEach((s, j) => {
    const included = handled[j];
    if (s.kind === 'key_spend') {
      keys[s.id] ??= { firstCappedAt: null, daysCapped: 0, blocked: 0, blockedMicros: 0 };
      if (!included) for (const m of draw.micros[j]) programmatic += m;
      return;
    }
    if (s.kind === 'trigger_runs') {
      triggers[s.id] ??= zeroTrigger();
      if (!included) {
        for (const c of draw.counts[j]) triggers[s.id].arrivals += c;
        if (!limits[j].fairUse) for (const m of draw.micros[j]) programmatic += m;
      }
      if (!limits[j].fairUse || !draw.poolSafe) return;
    } else if (!draw.poolSafe) return;
    // expected use in the 24 h ending at each hour: that day's share so far plus the rest of
    // the day before, capped at the trigger's own limit
    const target = s.kind === 'messages' ? people : runs;
    const cap = limits[j].limit;
    const c = draw.counts[j];
    // series j's share of a day's events by the end of each hour
    const share = hourTable(scenario, j).cum;
    // hundreds of series × 24 h × the horizon on every path: a day pair with no events adds
    // nothing, and the first day has no day before it
    for (let h = 0; h < 24; h++) {
      const v = c[0] * share[h];
      target[h] += v < cap ? v : cap;
    }
    for (let d = 1; d < D; d++) {
      const today = c[d];
      const before = c[d - 1];
      if (today === 0 && before === 0) continue;
      const row = d * 24;
      for (let h = 0; h < 24; h++) {
        const sh = share[h];
        const v = today * sh + before * (1 - sh);
        target[row + h] += v < cap ? v : cap;
      }
    }
  });
  let poolPeak = 0;
  let allowancePeak = 0;
  for (let i = 0; i < runs.length; i++) {
    poolPeak = Math.max(poolPeak, runs[i]);
    allowancePeak = Math.max(allowancePeak, runs[i] + people[i]);
  }
  return {
    keys,
    triggers,
    pool: { limit: plan.pool, peak: Math.round(poolPeak), limitedRuns: 0 },
    allowance: { limit: plan.allowance, peak: Math.round(allowancePeak), blockedMessages: 0, limitedRuns: 0 },
    programmaticMicros: programmatic,
    // series left out of the engine are provably under every spend limit: nothing blocked there
    spendLimits: Object.fromEntries(plan.spendLimits.map((l) => [l.id, { blockedRequests: 0, blockedRuns: 0, blockedMicros: 0 }])),
  };
}

/** Adds what the engine decided for the forecast events (history tail excluded). */
export function addEngineResult(
  summary: PathSummary,
  result: SimulationResult,
  events: EventColumns,
  firstFuture: number,
  from: number,
  until: number,
  enginePeaks: boolean,
): void {
  const plan = result.plan;
  const keyIds = plan.keys.map((k) => k.id);
  plan.keys.forEach((k, i) => {
    const entry = (summary.keys[k.id] ??= { firstCappedAt: null, daysCapped: 0, blocked: 0, blockedMicros: 0 });
    addEpisodes(entry, result.keyStats[i]?.episodes ?? [], from, until);
  });
  const delays: number[][] = plan.triggers.map(() => []);
  const trig = plan.triggers.map((t) => (summary.triggers[t.id] ??= { arrivals: 0, delayed: 0, dropped: 0, skipped: 0, pending: 0, maxDelayMs: 0, p95DelayMs: 0 }));
  // a reason's cause named once per path, not once per held-back run
  const causeNames: TriggerCause[] = [];
  for (let i = firstFuture; i < events.count; i++) {
    const out = result.outcome[i];
    const type = events.type[i];
    const ent = result.entity[i];
    const why = result.reason[i];
    if (out !== Outcome.admitted && why >= REASON_SPEND_LIMIT_BASE) {
      const l = plan.spendLimits[why - REASON_SPEND_LIMIT_BASE];
      const e = (summary.spendLimits[l.id] ??= { blockedRequests: 0, blockedRuns: 0, blockedMicros: 0 });
      if (type === EventType.api) e.blockedRequests++;
      else e.blockedRuns++;
      e.blockedMicros += events.cost[i];
    }
    if (type === EventType.api) {
      if (out === Outcome.admitted) summary.programmaticMicros += events.cost[i];
      else {
        const k = summary.keys[keyIds[ent]];
        k.blocked++;
        k.blockedMicros += events.cost[i];
      }
    } else if (type === EventType.trigger) {
      const t = trig[ent];
      t.arrivals++;
      // which limit held it back: the engine's reason for the run (see trigger-causes.ts)
      const held = out !== Outcome.admitted || result.admittedAt[i] > events.time[i];
      if (held) {
        const c = (t.causes ??= emptyCauses());
        addCause(out === Outcome.dropped || out === Outcome.skipped ? c.dropped : c.delayed, (causeNames[why] ??= causeOf(plan, why)));
      }
      if (out === Outcome.admitted) {
        const d = result.admittedAt[i] - events.time[i];
        if (d > 0) {
          t.delayed++;
          delays[ent].push(d);
          if (d > t.maxDelayMs) t.maxDelayMs = d;
        }
        if (plan.triggers[ent].mode === 'programmatic') summary.programmaticMicros += events.cost[i];
      } else if (out === Outcome.dropped) t.dropped++;
      else if (out === Outcome.skipped) t.skipped++;
      else if (out === Outcome.pending) t.pending++;
      if (result.reason[i] === Reason.pool) summary.pool.limitedRuns++;
      else if (result.reason[i] === Reason.allowance) summary.allowance.limitedRuns++;
    } else if (out !== Outcome.admitted) {
      summary.allowance.blockedMessages++;
    }
  }
  plan.triggers.forEach((_, j) => {
    if (delays[j].length) trig[j].p95DelayMs = quantile(delays[j], 0.95);
  });
  if (enginePeaks) {
    summary.pool.peak = result.poolPeak;
    summary.allowance.peak = result.allowancePeak;
  }
}

export interface DateBand {
  /** share of paths in which it happens within the horizon */
  probability: number;
  /** ISO dates; null = not within the horizon at that percentile */
  p10: string | null;
  p50: string | null;
  p90: string | null;
}

export interface MonteCarloReport {
  paths: number;
  seed: number;
  /** the paths each key's `cappedOutChance` is read over (their draws: at least 200, however few paths are simulated) */
  cappedOutPaths: number;
  keys: {
    id: string;
    cap: number | null;
    /**
     * The capped-out chance: the share of the same paths whose ordinary use reaches the cap
     * (cap-risk.ts cappedOutChance), what recommend sizes caps on and says; null without a cap or
     * a history. `firstCappedOut.probability` is another figure: the share of paths in which the
     * simulation blocks the key by its cap at all, runaway days and the spend already in its
     * window included (filled in by `forecast`, which holds the paths' ordinary draws)
     */
    cappedOutChance: number | null;
    /**
     * A key too thin to forecast (spend on under 7 days, its cap provisional): both its chances
     * rest on that history, drawn as its provisional cap reads it (thin-key.ts); null otherwise
     * (filled in by `forecast`)
     */
    thinHistory: { activeDays: number; note: string } | null;
    firstCappedOut: DateBand;
    daysCappedOut: Band;
    blockedRequests: Band;
    blockedUsd: Band;
  }[];
  triggers: {
    id: string;
    mode: string;
    /**
     * Share of paths in which some of the trigger's runs within the horizon wait for its limit
     * (admitted late, or still waiting when the horizon ends): the chance its runs are delayed
     */
    delayChance: number;
    /** share of paths in which some of its runs are dropped (webhooks, drop mode) or skipped (scheduled) */
    dropChance: number;
    /** which limits delayed or dropped its runs, with the chance of each (most likely first) */
    causes: TriggerCauseReport[];
    arrivals: Band;
    delayed: Band;
    dropped: Band;
    skipped: Band;
    pending: Band;
    maxDelayHours: Band;
    p95DelayHours: Band;
  }[];
  pool: { limit: number | null; peak: Band; saturatedShareOfPaths: number; limitedRuns: Band };
  allowance: { limit: number | null; peak: Band; saturatedShareOfPaths: number; blockedMessages: Band; limitedRuns: Band };
  programmaticUsd: Band;
  /** workspace spend limits: share of paths in which each blocks anything, and how much */
  spendLimits: { id: string; amountUsd: number; window: string; blockedShareOfPaths: number; blockedRequests: Band; blockedRuns: Band; blockedUsd: Band }[];
}

/** P10/P50/P90 over the paths of one column, scaled, by selection in one reused buffer (no array per figure). */
function bandAt(rows: readonly Float64Array[], column: number, scale = 1): Band {
  const n = rows.length;
  if (bandScratch.length !== n) bandScratch = new Float64Array(n);
  if (scale === 1) for (let p = 0; p < n; p++) bandScratch[p] = rows[p][column];
  else for (let p = 0; p < n; p++) bandScratch[p] = rows[p][column] / scale;
  return selectBandLinear(bandScratch);
}

let bandScratch = new Float64Array(0);

const ZERO_ROW = new Float64Array(1);

/** A time per path, NaN when it never happened. */
function dateBand(rows: readonly Float64Array[], column: number): DateBand {
  const v = Float64Array.from(rows, (r) => (Number.isNaN(r[column]) ? Infinity : r[column])).sort();
  // nearest-rank quantiles, so a date is always one that happened on some path
  const at = (p: number) => {
    const x = v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
    return Number.isFinite(x) ? new Date(x).toISOString() : null;
  };
  let happened = 0;
  for (const x of v) if (Number.isFinite(x)) happened++;
  return { probability: v.length ? happened / v.length : 0, p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

/** Share of paths in which the sum of the columns is above zero. */
function shareAbove0(rows: readonly Float64Array[], a: number, b?: number): number {
  let k = 0;
  for (const r of rows) if (r[a] + (b === undefined ? 0 : r[b]) > 0) k++;
  return rows.length ? k / rows.length : 0;
}

/** One trigger's held-back runs by cause, per path: the causes that held back any run on some path. */
function causeColumns(rows: readonly Float64Array[], layout: PathLayout, i: number): Map<TriggerCause, { delayed: Float64Array; dropped: Float64Array }> {
  const out = new Map<TriggerCause, { delayed: Float64Array; dropped: Float64Array }>();
  layout.causes.forEach((cause, c) => {
    const d = causeAt(layout, i, c, false);
    const x = causeAt(layout, i, c, true);
    let any = false;
    for (const r of rows) {
      if (r[d] > 0 || r[x] > 0) {
        any = true;
        break;
      }
    }
    if (any) out.set(cause, { delayed: Float64Array.from(rows, (r) => r[d]), dropped: Float64Array.from(rows, (r) => r[x]) });
  });
  return out;
}

/** The report of the paths' rows (laid out by `layout`, in path order). */
export function aggregatePaths(rows: readonly Float64Array[], layout: PathLayout, plan: Plan, seed: number): MonteCarloReport {
  const capOf = new Map(plan.apiKeys.map((k) => [k.id, k.capUsd]));
  const modeOf = new Map(plan.triggers.map((t) => [t.id, t.mode as string]));
  const first = rows[0];
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const H = 3_600_000;
  const resolved = resolvePlan(plan);
  const spendIndex = new Map(layout.spendLimits.map((id, i) => [id, i]));
  const zeroRows = rows.map(() => ZERO_ROW);
  return {
    paths: rows.length,
    seed,
    cappedOutPaths: rows.length,
    keys: (first ? layout.keys : []).map((id, i) => ({
      id,
      cap: capOf.get(id) ?? null,
      cappedOutChance: null,
      thinHistory: null,
      firstCappedOut: dateBand(rows, keyAt(i, KEY.firstCappedAt)),
      daysCappedOut: bandAt(rows, keyAt(i, KEY.daysCapped)),
      blockedRequests: bandAt(rows, keyAt(i, KEY.blocked)),
      blockedUsd: bandAt(rows, keyAt(i, KEY.blockedMicros), 1e6),
    })),
    triggers: (first ? layout.triggers : []).map((id, i) => ({
      id,
      mode: modeOf.get(id) ?? 'fair_use',
      delayChance: shareAbove0(rows, triggerAt(layout, i, TRIGGER.delayed), triggerAt(layout, i, TRIGGER.pending)),
      dropChance: shareAbove0(rows, triggerAt(layout, i, TRIGGER.dropped), triggerAt(layout, i, TRIGGER.skipped)),
      causes: causesOver(causeColumns(rows, layout, i), rows.length, resolved, id),
      arrivals: bandAt(rows, triggerAt(layout, i, TRIGGER.arrivals)),
      delayed: bandAt(rows, triggerAt(layout, i, TRIGGER.delayed)),
      dropped: bandAt(rows, triggerAt(layout, i, TRIGGER.dropped)),
      skipped: bandAt(rows, triggerAt(layout, i, TRIGGER.skipped)),
      pending: bandAt(rows, triggerAt(layout, i, TRIGGER.pending)),
      maxDelayHours: bandAt(rows, triggerAt(layout, i, TRIGGER.maxDelayMs), H),
      p95DelayHours: bandAt(rows, triggerAt(layout, i, TRIGGER.p95DelayMs), H),
    })),
    pool: {
      limit: first ? finite(first[HEAD.poolLimit]) : null,
      peak: bandAt(rows, HEAD.poolPeak),
      saturatedShareOfPaths: shareAbove0(rows, HEAD.poolLimitedRuns),
      limitedRuns: bandAt(rows, HEAD.poolLimitedRuns),
    },
    allowance: {
      limit: first ? finite(first[HEAD.allowanceLimit]) : null,
      peak: bandAt(rows, HEAD.allowancePeak),
      saturatedShareOfPaths: shareAbove0(rows, HEAD.allowanceBlockedMessages, HEAD.allowanceLimitedRuns),
      blockedMessages: bandAt(rows, HEAD.allowanceBlockedMessages),
      limitedRuns: bandAt(rows, HEAD.allowanceLimitedRuns),
    },
    programmaticUsd: bandAt(rows, HEAD.programmaticMicros, 1e6),
    spendLimits: plan.workspace.spendLimits.map((l) => {
      const i = spendIndex.get(l.id);
      // a limit the paths did not summarise blocked nothing on them
      const of = () => (i === undefined ? zeroRows : rows);
      const col = (f: number) => (i === undefined ? 0 : spendAt(layout, i, f));
      return {
        id: l.id,
        amountUsd: l.amountUsd,
        window: l.window,
        blockedShareOfPaths: shareAbove0(of(), col(SPEND.blockedRequests), col(SPEND.blockedRuns)),
        blockedRequests: bandAt(of(), col(SPEND.blockedRequests)),
        blockedRuns: bandAt(of(), col(SPEND.blockedRuns)),
        blockedUsd: bandAt(of(), col(SPEND.blockedMicros), 1e6),
      };
    }),
  };
}
