import { DAY, usdNumberToMicros } from '../engine/units.ts';
import { counted } from '../engine/words.ts';
import type { EventColumns } from '../engine/events.ts';
import { costRowDays } from '../engine/cost-rows.ts';
import type { EnforcementProfile, Plan } from '../engine/plan.ts';
import { DEFAULT_TRIGGER_LIMIT, profileOf } from '../engine/plan-rules.ts';
import { planUnderProfile } from '../compare/profiles.ts';
import { CancelledError, InputError } from '../errors.ts';
import { buildHistory, keepCutDay, requireHistory } from './series.ts';
import type { DailySeries, History } from './series.ts';
import { buildScenario, checkWhatIf, fitOptions, pathBlock } from './scenario.ts';
import type { CensoredDays, Scenario, WhatIf } from './scenario.ts';
import { backtest, dailyForecasts } from './daily.ts';
import type { BacktestReport, SeriesForecast } from './daily.ts';
import { replayHistory, tailFromReplay } from './generate.ts';
import type { HistoryReplay } from './generate.ts';
import { censoredFromEngine } from './censor.ts';
import type { CensorSummary } from './censor.ts';
import { holdNotInForce, holdShort } from './default-hold.ts';
import { aggregatePaths, layoutOf } from './montecarlo.ts';
import type { MonteCarloReport, SimulateFn } from './montecarlo.ts';
import { PathWorkers, runPaths, workerCount } from './pool.ts';
import { ordinaryHistory } from './model.ts';
import type { SeriesModel } from './model.ts';
import type { FitJob } from './fit-claims.ts';
import { capCurve, cappedOutChance, capsAtRisks, DEFAULT_RISK } from './cap-risk.ts';
import type { CapAtRisk, CapOption } from './cap-risk.ts';
import { roundCapUsd } from './rounding.ts';
import { amountOf, censorNoteOf, HELD_SPREAD, poolHeldNote, poolHeldShort, poolWords } from './censor-notes.ts';
import { evidenceWarning, keyEvidence, provisionalCapUsd, THIN_ACTIVE_DAYS } from './key-evidence.ts';
import { judgedKey, rememberedCensored } from './recorded-censor.ts';
import { thinChanceNote } from './thin-key.ts';
import { impliedCapShort, impliedCapText, readCapShort, statedCapNotes } from './implied-cap.ts';
import type { StatedCapCheck } from './implied-cap.ts';
import { batchCapFloorMicros } from './batch-key.ts';

export type { WhatIf, NewTrigger } from './scenario.ts';
export type { MonteCarloReport, PathSummary, DateBand } from './montecarlo.ts';
export type { SeriesForecast, BacktestReport, Band } from './daily.ts';
export type { CapAtRisk, CapOption } from './cap-risk.ts';
export type { TriggerCause, TriggerCauseReport } from './trigger-causes.ts';
export { capOnCurve, RISK_RANGE } from './cap-risk.ts';
export { buildHistory, requireHistory, MIN_HISTORY_DAYS } from './series.ts';
export type { History, DailySeries } from './series.ts';

export const DEFAULT_PATHS = 200;
/** Paths of the same futures run again under the other enforcement profile: enough to tell a queue from drops. */
export const COMPARE_PATHS = 50;

export interface KeyCapOptions {
  id: string;
  currentCapUsd: number | null;
  caps: CapAtRisk[];
  /** every round cap a risk from 0.5 % to 50 % calls for, smallest first (read with `capOnCurve`) */
  curve: CapOption[];
  /**
   * A history too thin to forecast (spend on fewer than 7 days, key-evidence.ts): the caps above
   * read its few days as a daily rate; the cap to show is this provisional one, with its warning.
   * Null otherwise.
   */
  provisional: { capUsd: number; warning: string } | null;
}
export const DEFAULT_DAYS = 30;

export interface ForecastOptions {
  /** days to forecast (default 30) */
  days?: number;
  /** Monte Carlo paths (default 200); 0 = daily forecast and backtest only, no engine runs */
  paths?: number;
  seed?: number;
  whatIf?: WhatIf;
  /** worker threads for the paths; 0 = this thread (default: one per core) */
  workers?: number;
  /**
   * The plan the history was recorded under, when the paths run another one (the export forecasts
   * the recommended plan): the days a limit held down are the days *that* plan's limits held them,
   * since the export holds only what they let through. Default: the plan itself.
   */
  recordedPlan?: Plan;
  /** engine for in-thread paths (tests); workers always use src/engine/simulate.ts */
  simulate?: SimulateFn;
  /**
   * Also run `paths` of the same futures (the same seed: the same draws) under the other
   * enforcement profile (src/compare/profiles.ts `planUnderProfile`), for `otherProfile`: where
   * the docs and the platform's code disagree, an admin sees both. Off by default (a second run of
   * paths); `headroom forecast` asks for it for its summary.
   */
  compare?: { paths: number };
  /** share done, 0..1, with the current stage */
  onProgress?: (share: number, stage: 'model' | 'paths') => void;
  signal?: { readonly aborted: boolean };
  /**
   * The keys whose requests in the events are the platform's own export (the ledger's
   * `exportedKeys`): only of them does a note say the history went past the cap the plan states
   * (implied-cap.ts). Absent: none (the events are demand, as an events CSV's are).
   */
  exportedKeys?: ReadonlySet<string>;
}

export interface ForecastReport {
  history: { from: string; to: string; days: number; events: number; keys: number; triggers: number };
  horizon: { from: string; to: string; days: number };
  whatIf: WhatIf;
  /** the plan the paths ran on (what-if applied) */
  plan: Plan;
  series: SeriesForecast[];
  backtest: BacktestReport;
  monteCarlo: MonteCarloReport | null;
  /**
   * Per key: the smallest round cap whose chance of being reached by ordinary use within the
   * horizon is at most each stated risk, with what it blocks and what runaway spend it stops
   */
  keyCaps: KeyCapOptions[];
  /** the risk the recommendation uses unless the admin picks another */
  defaultRisk: number;
  /** series whose history a limit held down on some days (lower bounds, not demand) */
  censored: CensorSummary['series'];
  notes: string[];
  /** the enforcement profile the paths ran under (the plan's) */
  profile: EnforcementProfile;
  /** the same futures under the other profile (`ForecastOptions.compare`), else null */
  otherProfile: OtherProfileForecast | null;
}

/** The Monte Carlo figures of the same futures decided under the other enforcement profile. */
export interface OtherProfileForecast {
  profile: EnforcementProfile;
  /** paths run (the first of the main run's, by the same seed) */
  paths: number;
  /** how the plan was read there (e.g. limited webhooks dropped rather than queued) */
  notes: string[];
  keys: MonteCarloReport['keys'];
  triggers: MonteCarloReport['triggers'];
  /** the same paths under the plan's own profile, to compare with path for path */
  same: { keys: MonteCarloReport['keys']; triggers: MonteCarloReport['triggers'] };
}

/**
 * Forecasts the next `days` from the ledger's history and, with paths > 0, runs the plan over
 * seeded Monte Carlo futures. Throws InputError on an empty or under-14-day history.
 */
export async function forecast(events: EventColumns, plan: Plan, options: ForecastOptions = {}): Promise<ForecastReport> {
  const days = options.days ?? DEFAULT_DAYS;
  const paths = options.paths ?? DEFAULT_PATHS;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(paths) || paths < 0 || paths > 100_000) throw new InputError(`--paths must be a whole number from 0 to 100000, not ${paths}`);
  if (!Number.isInteger(seed)) throw new InputError(`--seed must be a whole number, not ${seed}`);
  // the workers load their code while this thread replays the history and fits the models
  const count = workerCount(paths, options.workers);
  const workers = count > 0 ? new PathWorkers(count) : undefined;
  try {
    return await forecastWith(events, plan, options, days, paths, seed, workers);
  } finally {
    // closed by their run; here when the forecast stopped before it
    workers?.close();
  }
}

async function forecastWith(
  events: EventColumns,
  plan: Plan,
  options: ForecastOptions,
  days: number,
  paths: number,
  seed: number,
  workers: PathWorkers | undefined,
): Promise<ForecastReport> {
  const sim = options.simulate ?? (await import('../engine/simulate.ts')).simulate;
  const history = historyOf(events);
  const whatIf = options.whatIf ?? {};
  // a mistyped what-if is named before any fit
  checkWhatIf(history, plan, whatIf);
  // with workers, the models are fitted on them and here at once; the same models either way.
  // The workers start on them while this thread replays the history, as if no day were
  // censored (the usual case); a series the replay finds censored is fitted again after.
  const all = [...history.keys, ...history.triggers, history.messages];
  const uncensored: CensoredDays = new Map();
  const ahead = workers && !isPrepared(events, plan, sim, options.recordedPlan, options.exportedKeys) ? workers.fitAhead(fitJobs(all, uncensored)) : undefined;
  const entry = prepare(events, history, plan, sim, options.recordedPlan, options.exportedKeys);
  const { replay, censored } = entry;
  if (options.signal?.aborted) throw new CancelledError();
  const fitted = ahead
    ? modelsById(all, await ahead.finish(fitJobs(all, censored.days).map((job) => (job.options.censored?.length ? job : null))))
    : workers
      ? modelsById(all, await workers.fit(fitJobs(all, censored.days)))
      : undefined;
  if (options.signal?.aborted) throw new CancelledError();
  const scenario = buildScenario(history, plan, days, whatIf, censored.days, fitted, options.signal, censored.heldDemand);
  keepCutDay(history, scenario.series);
  options.onProgress?.(0.05, 'model');
  // the paths start first: the backtest, the daily bands and the cap risk run on this thread meanwhile
  let monteCarlo: MonteCarloReport | null = null;
  const held = paths > 0 ? heldReplay(entry, events, history) : undefined;
  // triggers held at an override the plan does not state: the replay's queue of them is runs the platform ran
  const ran = new Set(censored.series.filter((c) => c.heldAtDefault?.impliedLimit !== undefined).map((c) => c.id));
  const comparing = options.compare !== undefined && options.compare.paths > 0;
  const running =
    paths > 0
      ? runPaths(
          scenario,
          () => tailFromReplay(replay, scenario.plan, scenario.from, held, ran),
          seed,
          paths,
          {
            workers: workers?.size ?? 0,
            ...(options.simulate ? { simulate: options.simulate } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            onProgress: (d, n) => options.onProgress?.(0.06 + 0.94 * (d / n), 'paths'),
            // the same threads then run the paths under the other profile
            keepOpen: comparing,
          },
          workers,
        )
      : null;
  // the backtest runs here while the workers draw the paths
  const bt = backtest(history, censored.days, new Map(scenario.series.map((s) => [`${s.kind}:${s.id}`, s.model.kind])));
  // the daily bands and the cap risk read the paths' own draws (a path's draws depend only on
  // (seed, path)), sent ahead of the paths' figures; with fewer paths than 200 the rest are drawn here
  const drawn = running ? await running.draws : [];
  const bandPaths = Math.max(paths, DEFAULT_PATHS);
  const blocks: Float64Array[] = [];
  for (let p = 0; p < bandPaths; p++) blocks.push(drawn[p] ?? pathBlock(scenario, seed, p));
  const series = dailyForecasts(scenario, bandPaths, seed, blocks);
  // a key held by a cap the plan does not state says so on its own row too (the notes say how it reads)
  for (const s of series) {
    const cap = s.kind === 'key_spend' && s.censoredDays > 0 ? censored.impliedCaps.get(s.id) : undefined;
    if (cap !== undefined) s.censorNote = [`held by ${impliedCapShort(cap)}, read off its history (see the notes)`, s.censorNote].filter((x) => x !== null).join('; ');
    // and one the plan gives a cap, judged at the level its history reads as held at
    const read = s.kind === 'key_spend' && s.censoredDays > 0 ? censored.heldAtReading.get(s.id) : undefined;
    if (read !== undefined) s.censorNote = [`held at ${readCapShort(read)}, read off its history (see the notes)`, s.censorNote].filter((x) => x !== null).join('; ');
  }
  // a trigger the fair-use pool held says so on its own row too, and a fit held on every day says
  // the pool held it, not its own limit (unless that held it as well)
  const byPool = new Map(censored.series.flatMap((c) => (c.kind === 'trigger_runs' && c.heldByPool !== undefined ? [[c.id, c.heldByPool] as const] : [])));
  scenario.series.forEach((ss, j) => {
    const h = ss.kind === 'trigger_runs' ? byPool.get(ss.id) : undefined;
    const s = series[j];
    if (h === undefined || s === undefined || s.id !== ss.id) return;
    const heldBy = h.ownLimit ? 'held at its limit and by the fair-use pool' : `held by ${poolWords(h.pool)}`;
    // held on every day fitted, its fit's own note says the pool held it: said once
    s.censorNote = [ss.model.heldEveryDay ? null : poolHeldShort(h), censorNoteOf(ss.kind, ss.model, scenario.days, heldBy)].filter((x) => x !== null).join('; ');
  });
  const D = scenario.days;
  const n = scenario.series.length;
  const keyJ = new Map<number, { ordinary: Float64Array[]; runaway: Float64Array[] }>();
  scenario.series.forEach((s, j) => {
    if (s.kind !== 'key_spend') return;
    // views, not copies: every path's block is its own
    keyJ.set(j, {
      ordinary: blocks.map((b) => b.subarray(j * D, (j + 1) * D)),
      runaway: blocks.map((b) => b.subarray((n + j) * D, (n + j + 1) * D)),
    });
  });
  const roundUp = (m: number) => roundCapUsd(m) * 1e6;
  const last29ById = new Map<string, number[]>();
  // a thin key's warning counts its requests: not the pieces of the cost export's daily rows
  const costDays = costRowDays(events);
  const keyCaps = [...keyJ].map(([j, k]): KeyCapOptions => {
    const s = scenario.series[j];
    const key = history.keys.find((x) => x.id === s.id);
    const values = key?.values ?? [];
    const last29 = ordinaryHistory(values, s.model).slice(-29);
    last29ById.set(s.id, last29);
    const evidence = key ? keyEvidence(key, costDays.get(key.id)) : null;
    // a batch key's caps let through as many batches as one cap window holds, as recommend sizes it (batch-key.ts)
    const floor = s.batch === undefined ? 0 : roundUp(batchCapFloorMicros(s.batch, scenario.plan.enforcement.keyCapWindowDays));
    const capUp = floor > 0 ? (m: number) => Math.max(roundUp(m), floor) : roundUp;
    return {
      id: s.id,
      currentCapUsd: scenario.plan.apiKeys.find((x) => x.id === s.id)?.capUsd ?? null,
      caps: capsAtRisks(last29, k.ordinary, k.runaway, capUp),
      curve: capCurve(last29, k.ordinary, k.runaway, capUp),
      provisional: evidence?.thin ? { capUsd: provisionalCapUsd(evidence), warning: evidenceWarning(evidence) ?? '' } : null,
    };
  });
  const figures = running ? await running.figures : null;
  if (figures) {
    monteCarlo = aggregatePaths(figures, layoutOf(scenario), scenario.plan, seed);
    // beside what the simulation blocks, each cap's capped-out chance over the same paths' draws,
    // computed as recommend computes it: the two read as one figure (recommend's 2.5 % was the
    // Monte Carlo table's 3 %, the share of paths the simulation blocked the key at all)
    const jOf = new Map([...keyJ.keys()].map((j) => [scenario.series[j].id, j]));
    for (const k of monteCarlo.keys) {
      const j = jOf.get(k.id);
      const last29 = last29ById.get(k.id);
      // a thin key's chances rest on its few days: said with them wherever they are shown
      const thin = j === undefined ? undefined : scenario.series[j].model.thinHistory;
      if (thin !== undefined) k.thinHistory = { activeDays: thin.evidence.activeDays, note: thinChanceNote(thin.evidence) };
      if (k.cap === null || j === undefined || last29 === undefined) continue;
      k.cappedOutChance = cappedOutChance(last29, keyJ.get(j)!.ordinary, usdNumberToMicros(k.cap));
    }
    // read over every path's draws, as the caps at each risk are (at least DEFAULT_PATHS): recommend
    // sizes its caps on as many, whatever fewer paths the simulation runs for speed
    monteCarlo.cappedOutPaths = bandPaths;
  }
  keyJ.clear();
  const profile = profileOf(scenario.plan);
  const otherProfile =
    figures && comparing && options.compare
      ? await underOtherProfile(scenario, () => tailFromReplay(replay, scenario.plan, scenario.from, held, ran), seed, figures.slice(0, options.compare.paths), options, workers)
      : null;
  if (paths === 0) options.onProgress?.(1, 'model');
  return {
    history: summariseHistory(history),
    horizon: { from: iso(scenario.from), to: iso(scenario.from + days * DAY - DAY), days },
    whatIf,
    plan: scenario.plan,
    series,
    backtest: bt,
    monteCarlo,
    censored: censored.series,
    keyCaps,
    defaultRisk: DEFAULT_RISK,
    notes: notesFor(history, series, bt, censored),
    profile,
    otherProfile,
  };
}

/**
 * The first `paths` of the scenario's futures (the same draws: they depend on the seed and the
 * path alone) decided under the other profile. The windows the history leaves (the tail) are the
 * plan's own replay's: what the platform recorded does not change with the reading.
 */
async function underOtherProfile(
  scenario: Scenario,
  tailOf: () => EventColumns,
  seed: number,
  first: Float64Array[],
  options: ForecastOptions,
  workers: PathWorkers | undefined,
): Promise<OtherProfileForecast> {
  const target: EnforcementProfile = profileOf(scenario.plan) === 'platform' ? 'documented' : 'platform';
  const { plan, notes } = planUnderProfile(scenario.plan, target);
  const other: Scenario = { ...scenario, plan };
  const paths = first.length;
  const same = aggregatePaths(first, layoutOf(scenario), scenario.plan, seed);
  // on the threads the plan's own paths ran on (kept open for this), else on this one
  const run = runPaths(
    other,
    tailOf,
    seed,
    paths,
    {
      workers: workers?.size ?? 0,
      ...(options.simulate ? { simulate: options.simulate } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    workers,
  );
  const mc = aggregatePaths(await run.figures, layoutOf(other), plan, seed);
  return { profile: target, paths, notes, keys: mc.keys, triggers: mc.triggers, same: { keys: same.keys, triggers: same.triggers } };
}

/** Each series' fit: its daily values, its first day and its options, given the censored days. */
function fitJobs(all: readonly DailySeries[], censored: CensoredDays): FitJob[] {
  return all.map((s) => ({ values: s.values, start: s.start, options: fitOptions(s, censored) }));
}

/** The history's models by `kind:id` (as `buildScenario` reads them), from the models of `all` in order. */
function modelsById(all: readonly DailySeries[], models: readonly SeriesModel[]): Map<string, SeriesModel> {
  return new Map(all.map((s, i) => [`${s.kind}:${s.id}`, models[i]]));
}

interface Prepared {
  plan: string;
  sim: SimulateFn;
  /** the plan replayed over the history: the exact state the paths start from */
  replay: HistoryReplay;
  /** the plan the history was recorded under, when the paths run another */
  recorded?: Plan;
  /**
   * The recorded plan's replay: the keys' spend the platform holds, which the paths start from
   * (`tailFromReplay`). Made once asked for (`heldReplay`): a forecast without paths reads the
   * recorded plan's held days from the recommendation's replay and needs no replay of its own.
   */
  held?: HistoryReplay;
  /** which days a limit held down: lower bounds on demand, not demand */
  censored: CensorSummary;
}

/** The last history per events, and its replay and censoring (the page asks again with the same ledger and plan). */
const histories = new WeakMap<EventColumns, History>();
const prepared = new WeakMap<EventColumns, Prepared>();

/** The daily history of the events, built once per events; throws InputError when too short. */
function historyOf(events: EventColumns): History {
  let history = histories.get(events);
  if (!history) {
    history = buildHistory(events);
    histories.set(events, history);
  }
  requireHistory(history);
  return history;
}

function preparedKey(plan: Plan, recorded: Plan | undefined, exported: ReadonlySet<string> | undefined): string {
  return `${judgedKey(plan, exported)}\u0000${recorded === undefined ? '' : JSON.stringify(recorded)}`;
}

/** True when `prepare` will answer from its last replay (no replay to overlap with anything). */
function isPrepared(events: EventColumns, plan: Plan, sim: SimulateFn, recorded?: Plan, exported?: ReadonlySet<string>): boolean {
  const hit = prepared.get(events);
  return hit !== undefined && hit.plan === preparedKey(plan, recorded, exported) && hit.sim === sim;
}

/**
 * The plan replayed over the history and what the replay censored: computed once per events
 * and plan, so a forecast asked again (another what-if, more paths) starts from its models.
 */
function prepare(events: EventColumns, history: History, plan: Plan, sim: SimulateFn, recorded?: Plan, exported?: ReadonlySet<string>): Prepared {
  const key = preparedKey(plan, recorded, exported);
  const hit = prepared.get(events);
  if (hit && hit.plan === key && hit.sim === sim) return hit;
  const replay = replayHistory(events, plan, history.end, sim);
  const own = recorded === undefined || JSON.stringify(recorded) === JSON.stringify(plan);
  if (own) {
    const entry: Prepared = { plan: key, sim, replay, censored: censoredFromEngine(replay.hist, replay.result, history, exported) };
    prepared.set(events, entry);
    return entry;
  }
  // a cap the recommendation raised holds nothing down in its own replay: judge the history by its
  // own limits (read from the recommendation's replay of them when it ran on these events)
  const remembered = rememberedCensored(events, recorded, exported);
  let entry: Prepared;
  if (remembered !== undefined) entry = { plan: key, sim, replay, recorded, censored: remembered };
  else {
    const held = replayHistory(events, recorded, history.end, sim);
    entry = { plan: key, sim, replay, recorded, held, censored: censoredFromEngine(held.hist, held.result, history, exported) };
  }
  prepared.set(events, entry);
  return entry;
}

/**
 * What the recorded plan admitted, when the paths run another: the spend the platform holds, the
 * keys' windows the paths start from (a cap set today re-decides none of it). Replayed once.
 */
function heldReplay(entry: Prepared, events: EventColumns, history: History): HistoryReplay | undefined {
  if (entry.recorded === undefined) return undefined;
  entry.held ??= replayHistory(events, entry.recorded, history.end, entry.sim);
  return entry.held;
}

export function summariseHistory(h: History): ForecastReport['history'] {
  return { from: iso(h.start), to: iso(h.end - DAY), days: h.days, events: h.eventCount, keys: h.keys.length, triggers: h.triggers.length };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function notesFor(h: History, series: SeriesForecast[], bt: BacktestReport, censored: CensorSummary): string[] {
  const notes: string[] = [];
  // a key held by a cap the plan does not state is said apart: the plan's own limits did not cut it
  const implied = (c: CensorSummary['series'][number]) => c.kind === 'key_spend' && (censored.impliedCaps.has(c.id) || censored.heldAtReading.has(c.id));
  // a trigger held at the platform's default where the plan gives more (or, read as the docs, none)
  // is said apart too: the default cut its history, not the plan's limit
  // a trigger only the fair-use pool held is said with the pool (below), not as held by a limit of its own
  const byPlan = censored.series.filter((c) => !implied(c) && c.heldAtDefault === undefined && !(c.heldByPool !== undefined && !c.heldByPool.ownLimit));
  // the whole history's days, said as such: the trigger advice beside it counts the last 28
  const daysOf = (c: CensorSummary['series'][number]) => `${c.days} of the history's ${counted(h.days, 'day')}`;
  const listed = (list: string[]) => `${list.slice(0, 10).join(', ')}${list.length > 10 ? `, … ${list.length - 10} more` : ''}`;
  const bounds = 'on those days the limit was at its ceiling and nothing beyond it is in the export, so the day is a lower bound on demand: imputed above it and the band widened';
  if (byPlan.length) {
    notes.push(`history censored by the plan's own limits on ${byPlan.length} series: ${listed(byPlan.map((c) => `${c.id} (${daysOf(c)})`))}; ${bounds}`);
  }
  if (censored.pool !== null) {
    const pooled = censored.series.flatMap((c) => (c.heldByPool !== undefined ? [{ id: c.id, days: c.heldByPool.days }] : []));
    notes.push(poolHeldNote(censored.pool.pool, censored.pool.days, h.days, pooled));
  }
  const beforeOverride = censored.series.filter((c) => c.heldAtDefault !== undefined && c.heldAtDefault.planLimit !== null && c.heldAtDefault.stepOn === undefined);
  if (beforeOverride.length) {
    const list = beforeOverride.map((c) => `${c.id} (limit ${c.heldAtDefault!.planLimit!.toLocaleString('en-US')}; ${daysOf(c)})`);
    notes.push(
      `held at the platform's default ${DEFAULT_TRIGGER_LIMIT} a day before the plan's higher limit: ${beforeOverride.length} series: ${listed(list)}; ` +
        `their runs sat at exactly ${DEFAULT_TRIGGER_LIMIT} in 24 h and never more, so the history predates that limit: ${bounds}`,
    );
  }
  // a higher limit granted part-way (default-hold.ts): each stretch judged by the ceiling then in force
  const stepped = censored.series.filter((c) => c.heldAtDefault?.stepOn !== undefined);
  if (stepped.length) {
    const list = stepped.map((c) => `${c.id} (${holdShort({ ...c.heldAtDefault!, planLimit: c.heldAtDefault!.planLimit! })}; ${daysOf(c)})`);
    notes.push(
      `held at the platform's default ${DEFAULT_TRIGGER_LIMIT} a day until a higher limit was granted part-way through the history: ${stepped.length} series: ${listed(list)}; ` +
        `their runs sat at exactly ${DEFAULT_TRIGGER_LIMIT} in 24 h and never more until that day, and at exactly the higher limit and never more from it: each day is judged by the limit then in force: ${bounds}`,
    );
    // a higher limit than the plan's, which the plan does not state: said as a cap the plan does not state is
    for (const c of stepped.filter((x) => x.heldAtDefault!.impliedLimit !== undefined).slice(0, 10)) {
      notes.push(`${c.id}: ${holdNotInForce({ ...c.heldAtDefault!, planLimit: c.heldAtDefault!.planLimit! })}`);
    }
  }
  const byCode = censored.series.filter((c) => c.heldAtDefault !== undefined && c.heldAtDefault.planLimit === null);
  if (byCode.length) {
    notes.push(
      `held at the platform's default ${DEFAULT_TRIGGER_LIMIT} a day, where the plan read as the docs sets no limit (the platform's code holds a programmatic trigger there): ${byCode.length} series: ${listed(byCode.map((c) => `${c.id} (${daysOf(c)})`))}; ` +
        `their runs sat at exactly ${DEFAULT_TRIGGER_LIMIT} in 24 h and never more: ${bounds}`,
    );
  }
  const heldByImplied = censored.series.filter((c) => c.kind === 'key_spend' && censored.impliedCaps.has(c.id));
  for (const c of heldByImplied.slice(0, 10)) {
    notes.push(
      `${impliedCapText(c.id, censored.impliedCaps.get(c.id)!)}; ` +
        `its ${c.days} of the history's ${counted(h.days, 'day')} at that cap are read as lower bounds on demand, as if the plan stated it: imputed above it and the band widened`,
    );
  }
  if (heldByImplied.length > 10) {
    const more = heldByImplied.slice(10).map((c) => c.id);
    notes.push(`${more.length} more keys look held by caps the plan does not state, read the same way: ${more.slice(0, 20).join(', ')}${more.length > 20 ? ', …' : ''}`);
  }
  // a key judged at the level its history reads as held at, not at the plan's cap, says so there
  const readDays = new Map(censored.series.filter((c) => c.kind === 'key_spend' && censored.heldAtReading.has(c.id)).map((c) => [c.id, c.days]));
  const readBounds = (c: StatedCapCheck) => {
    const n = readDays.get(c.id);
    return n === undefined ? '' : `; its ${n} of the history's ${counted(h.days, 'day')} at that level are read as lower bounds on demand: imputed above it and the band widened`;
  };
  for (const note of statedCapNotes(censored.statedCaps, readBounds)) notes.push(note);
  const held = series.filter((s) => s.heldAtLeast !== null);
  if (held.length) {
    // one the fair-use pool held (not its own limit) says which limit
    const byPoolOnly = new Set(censored.series.filter((c) => c.heldByPool !== undefined && !c.heldByPool.ownLimit).map((c) => c.id));
    const list = held.map((s) => `${s.id} (demand at least about ${amountOf(s.kind, s.heldAtLeast ?? 0)} a day${s.kind === 'trigger_runs' && byPoolOnly.has(s.id) ? ', held by the fair-use pool' : ''})`);
    notes.push(
      `${held.length} series held at the limit on every day fitted: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, … ${list.length - 10} more` : ''}; ` +
        `the history holds no figure above the limit, so each band reaches above it by an assumed spread (${HELD_SPREAD} on the level, borrowed from the widest a censored fit gets), the level never drawn below it`,
    );
  }
  const paced = series.filter((s) => s.heldDemand !== null);
  if (paced.length) {
    const list = paced.map((s) => `${s.id} (about ${amountOf(s.kind, s.heldDemand ?? 0)} a day)`);
    notes.push(
      `${paced.length} trigger${paced.length === 1 ? '' : 's'} held at ${paced.length === 1 ? 'its limit' : 'their limits'}, forecast at the demand the pace of ${paced.length === 1 ? 'its' : 'their'} runs while admitted gives: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, … ${list.length - 10} more` : ''}; ` +
        "the figure recommend gives as the expected daily volume; the forecast's days and bands spread around it",
    );
  }
  const shifted = series.filter((s) => s.levelShift !== null);
  if (shifted.length) {
    notes.push(`level shift found, fitted on the days after it: ${shifted.slice(0, 10).map((s) => `${s.id} (from ${s.levelShift})`).join(', ')}${shifted.length > 10 ? `, … ${shifted.length - 10} more` : ''}`);
  }
  if (bt.note) notes.push(bt.note);
  else if (bt.overall && bt.overall.verdict === 'worse') {
    notes.push('on the last 14 days the model did not beat the seasonal-naive baseline overall: treat the trend with caution');
  }
  if (!bt.note && bt.seriesLosingToNaive.length) {
    const ids = bt.seriesLosingToNaive;
    notes.push(
      `the model did worse than the seasonal-naive baseline on ${ids.length} of ${bt.series.length} series: ` +
        `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, … ${ids.length - 10} more` : ''}`,
    );
  }
  // a thin key is drawn at its busiest 30 days, not at its mean level: said apart
  const thin = series.filter((s) => s.thinNote !== null).map((s) => s.id);
  if (thin.length) {
    notes.push(
      `${counted(thin.length, 'key')} with spend on fewer than ${THIN_ACTIVE_DAYS} days, too thin to forecast: ${thin.slice(0, 20).join(', ')}${thin.length > 20 ? `, … ${thin.length - 20} more` : ''}; ` +
        (thin.length === 1
          ? 'drawn at the spend of its busiest 30 days per 30 days, with no trend and a band as wide as so few days leave, as its provisional cap reads them; any chance given for it rests on that thin history'
          : 'drawn at the spend of their busiest 30 days per 30 days, with no trend and a band as wide as so few days leave, as their provisional caps read them; any chance given for them rests on that thin history'),
    );
  }
  const short = series.filter((s) => s.short && s.thinNote === null).map((s) => s.id);
  if (short.length) notes.push(`under 14 days of their own history, forecast at their mean level with a wider band: ${short.slice(0, 20).join(', ')}${short.length > 20 ? `, … ${short.length - 20} more` : ''}`);
  if (h.eventsBefore > 0) notes.push(`${h.eventsBefore.toLocaleString('en-US')} event${h.eventsBefore === 1 ? '' : 's'} older than the last 730 days of the history left out of the forecast (one event dated far from the rest cannot stretch every series)`);
  if (h.shorterExport) {
    const x = h.shorterExport;
    notes.push(
      `people's messages and trigger runs end on ${x.endedOn}, the keys' spend on ${x.latestOn} (two exports taken on different days): the history is read up to ${x.endedOn}, where every series is still seen, and the forecast starts there; ` +
        `${x.eventsAfter.toLocaleString('en-US')} later event${x.eventsAfter === 1 ? '' : 's'} left out of the fit rather than read as a stop of every message and run`,
    );
  }
  if (h.partialDay) notes.push(`the history ends part-way through ${h.partialDay}: that day is not fitted; its known part is kept and only the rest of the day forecast`);
  if (h.days < 30) notes.push(`only ${h.days} days of history: rolling 30-day figures are extrapolated`);
  return notes;
}
