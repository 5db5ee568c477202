import { DAY } from '../engine/units.ts';
import { validatePlan } from '../engine/plan.ts';
import type { Plan, PlanTrigger } from '../engine/plan.ts';
import { CancelledError, InputError } from '../errors.ts';
import type { Signal } from '../workers/foreground.ts';
import { fitSeries, fixedModel } from './model.ts';
import { RECENT_DAYS } from './path-block.ts';
import type { FitOptions, SeriesModel } from './model.ts';
import { heldIndex, heldShare, paceAsDemand, withHeldDemand } from './held-demand.ts';
import { keyEvidence } from './key-evidence.ts';
import { withThinHistory } from './thin-key.ts';
import { batchCadenceOf, withBatchCadence } from './batch-key.ts';
import type { BatchCadence } from './batch-key.ts';
import type { HeldPace } from './held-demand.ts';
import type { History, SeriesKind } from './series.ts';
import { PEOPLE } from './series.ts';

/** What-if knobs layered over the history's own trend. */
export interface WhatIf {
  /** active seats; people's messages scale by seats / the plan's seats */
  seats?: number;
  /** extra growth per 30 days by key id, compounding (0.2 = +20% a month); '*' = every key */
  keyGrowth?: Record<string, number>;
  /** extra growth per 30 days by trigger id; '*' = every trigger */
  triggerGrowth?: Record<string, number>;
  /** triggers that do not exist yet, with their expected runs per day */
  newTriggers?: NewTrigger[];
  /** switch triggers' mode (and optionally their limit) */
  modes?: Record<string, PlanTrigger['mode']>;
  limits?: Record<string, number | null>;
}

export interface NewTrigger {
  id: string;
  name?: string;
  kind?: PlanTrigger['kind'];
  mode?: PlanTrigger['mode'];
  limitPer24h?: number | null;
  dailyVolume: number;
  /** µUSD per run when programmatic (0 = unknown) */
  costPerRunMicros?: number;
}

/** One series as the Monte Carlo paths use it: a fitted model plus what-if scaling. */
export interface ScenarioSeries {
  kind: SeriesKind;
  id: string;
  model: SeriesModel;
  /** constant multiplier (seats) */
  scale: number;
  /** growth per 30 days, compounding */
  growth: number;
  hourProfile: number[];
  /** keys: µUSD per request, used to cut daily spend into requests */
  meanCost: number;
  /** true when fitted on fewer than 14 days (flat mean, no seasonality) */
  short: boolean;
  /** the last RECENT_DAYS history days (oldest first, zero-padded): values and spend in µUSD */
  recent: number[];
  recentSpend: number[];
  /** a key whose spend is a regular batch (batch-key.ts): its days are drawn on the cadence */
  batch?: BatchCadence;
}

/** History days kept with each series: enough for a 30-day window and a calendar month. */

function lastDays(values: readonly number[]): number[] {
  const out = new Array<number>(RECENT_DAYS).fill(0);
  const take = values.slice(-RECENT_DAYS);
  for (let i = 0; i < take.length; i++) out[RECENT_DAYS - take.length + i] = take[i];
  return out;
}

export interface Scenario {
  /** first forecast day, 00:00 UTC (= end of history) */
  from: number;
  days: number;
  series: ScenarioSeries[];
  plan: Plan;
}

/** Per series (`kind:id`), the history days a limit held down (lower bounds, not demand). */
export type CensoredDays = Map<string, boolean[]>;

export function buildScenario(
  history: History,
  plan: Plan,
  days: number,
  whatIf: WhatIf = {},
  censored: CensoredDays = new Map(),
  /** models already fitted as `fitOptions` asks (e.g. on worker threads), by `kind:id` */
  fitted?: ReadonlyMap<string, SeriesModel>,
  /** read before each series is fitted: a cancel stops there, and background work yields there (src/workers/foreground.ts) */
  signal?: Signal,
  /** by trigger id, the demand of a trigger its limit held (CensorSummary.heldDemand): its days are drawn around it */
  heldDemand: ReadonlyMap<string, HeldPace> = new Map(),
): Scenario {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new InputError(`--days must be a whole number from 1 to 366, not ${days}`);
  checkWhatIf(history, plan, whatIf);
  const scenarioPlan = applyWhatIfToPlan(plan, whatIf);
  const seatScale =
    whatIf.seats === undefined ? 1 : plan.workspace.seats > 0 ? whatIf.seats / plan.workspace.seats : whatIf.seats > 0 ? Infinity : 0;
  if (!Number.isFinite(seatScale)) throw new InputError('--seats: the plan has 0 seats, so messages cannot be scaled from it');
  const growthOf = (table: Record<string, number> | undefined, id: string) => table?.[id] ?? table?.['*'] ?? 0;
  const series: ScenarioSeries[] = [];
  const add = (s: History['keys'][number], scale: number, growth: number) => {
    if (signal?.aborted) throw new CancelledError();
    const model = fitted?.get(`${s.kind}:${s.id}`) ?? fitSeries(s.values, s.start, fitOptions(s, censored));
    // a held trigger's days show its limit: its demand is the pace its runs came at while admitted,
    // the figure recommend gives too (held-demand.ts), so the paths, the Monte Carlo and the spend
    // check run on it rather than on the bounds
    // the pace is the demand of a day its limit held: with a weekly pattern, a held weekday's (heldShare)
    const share = s.kind === 'trigger_runs' && heldDemand.has(s.id) ? heldShare(model, s.values, censored.get(`${s.kind}:${s.id}`) ?? []) : undefined;
    const pace = s.kind === 'trigger_runs' ? paceAsDemand(model, heldDemand.get(s.id), days, share ? heldIndex(model, share) : 1) : null;
    // a key too thin to forecast is drawn as its provisional cap reads it, not at a rate or a
    // trend its few days cannot show (thin-key.ts): the cap's chance and its sizing read alike
    const evidence = s.kind === 'key_spend' ? keyEvidence(s) : null;
    // a batch job's next batches fall on its cadence (batch-key.ts): drawn there, not resampled as coin tosses
    const batch = s.kind === 'key_spend' ? batchCadenceOf(s) : null;
    series.push({
      kind: s.kind,
      id: s.id,
      model: pace !== null ? withHeldDemand(model, pace, share) : batch !== null ? withBatchCadence(model, batch) : evidence?.thin ? withThinHistory(model, s, evidence) : model,
      ...(batch !== null ? { batch } : {}),
      scale,
      growth,
      hourProfile: s.hourProfile,
      meanCost: s.meanCost,
      short: s.values.length < 14,
      recent: lastDays(s.values),
      recentSpend: lastDays(s.spend),
    });
  };
  for (const k of history.keys) add(k, 1, growthOf(whatIf.keyGrowth, k.id));
  for (const t of history.triggers) add(t, 1, growthOf(whatIf.triggerGrowth, t.id));
  add(history.messages, seatScale, 0);
  const triggerProfile = averageProfile(history.triggers.map((t) => t.hourProfile));
  for (const nt of whatIf.newTriggers ?? []) {
    if (!(nt.dailyVolume >= 0)) throw new InputError(`new trigger "${nt.id}": expected daily volume must be a number >= 0`);
    series.push({
      kind: 'trigger_runs',
      id: nt.id,
      model: fixedModel(history.end - DAY, 1, nt.dailyVolume),
      scale: 1,
      growth: growthOf(whatIf.triggerGrowth, nt.id),
      hourProfile: triggerProfile,
      meanCost: nt.costPerRunMicros ?? 0,
      short: false,
      recent: new Array<number>(RECENT_DAYS).fill(0),
      recentSpend: new Array<number>(RECENT_DAYS).fill(0),
    });
  }
  return { from: history.end, days, series, plan: scenarioPlan };
}

/** How series `s` of the history is fitted: its censored days, and whether it counts whole events. */
export function fitOptions(s: History['keys'][number], censored: CensoredDays): FitOptions {
  return { censored: censored.get(`${s.kind}:${s.id}`) ?? [], counts: s.kind !== 'key_spend' };
}

/**
 * A growth under -100 % would make the compounding factor NaN, and a mistyped id would silently
 * forecast the untouched series: both are the admin's input errors, named with the option.
 */
export function checkWhatIf(history: History, plan: Plan, whatIf: WhatIf): void {
  const keys = new Set([...plan.apiKeys.map((k) => k.id), ...history.keys.map((k) => k.id)]);
  const triggers = new Set([...plan.triggers.map((t) => t.id), ...history.triggers.map((t) => t.id), ...(whatIf.newTriggers ?? []).map((t) => t.id)]);
  const growth = (option: string, table: Record<string, number> | undefined, known: Set<string>, what: string) => {
    for (const [id, g] of Object.entries(table ?? {})) {
      if (id !== '*' && !known.has(id)) {
        throw new InputError(`${option} ${id}: unknown ${what} "${id}" (neither in the plan nor in the ledger)`, [{ column: option, value: id, message: `unknown ${what}` }]);
      }
      if (!Number.isFinite(g) || g < -1) {
        const shown = Number.isFinite(g) ? `${Math.round(g * 1000) / 10} %` : String(g);
        throw new InputError(`${option} ${id}: a growth of ${shown} is impossible; it must be -100 % (stops entirely) or more`, [{ column: option, value: String(g), message: 'growth below -100 %' }]);
      }
    }
  };
  growth('--key-growth', whatIf.keyGrowth, keys, 'API key');
  growth('--trigger-growth', whatIf.triggerGrowth, triggers, 'trigger');
  for (const [option, table] of [['--mode', whatIf.modes], ['limits', whatIf.limits]] as const) {
    for (const id of Object.keys(table ?? {})) {
      if (!triggers.has(id)) throw new InputError(`${option} ${id}: unknown trigger "${id}" (neither in the plan nor in the ledger)`, [{ column: option, value: id, message: 'unknown trigger' }]);
    }
  }
}

export function applyWhatIfToPlan(plan: Plan, whatIf: WhatIf): Plan {
  const next = structuredClone(plan);
  if (whatIf.seats !== undefined) next.workspace.seats = whatIf.seats;
  const known = new Set(next.triggers.map((t) => t.id));
  for (const nt of whatIf.newTriggers ?? []) {
    if (known.has(nt.id)) throw new InputError(`new trigger "${nt.id}" already exists in the plan`);
    known.add(nt.id);
    next.triggers.push({
      id: nt.id,
      ...(nt.name !== undefined ? { name: nt.name } : {}),
      kind: nt.kind ?? 'webhook',
      mode: nt.mode ?? 'fair_use',
      limitPer24h: nt.limitPer24h ?? null,
    });
  }
  for (const [id, mode] of Object.entries(whatIf.modes ?? {})) {
    let t = next.triggers.find((x) => x.id === id);
    if (!t) {
      // a trigger seen only in the ledger: pin it in the plan so the mode can change
      t = { id, kind: 'webhook', mode: 'fair_use', limitPer24h: null };
      next.triggers.push(t);
    }
    t.mode = mode;
  }
  for (const [id, limit] of Object.entries(whatIf.limits ?? {})) {
    let t = next.triggers.find((x) => x.id === id);
    if (!t) {
      t = { id, kind: 'webhook', mode: 'fair_use', limitPer24h: null };
      next.triggers.push(t);
    }
    t.limitPer24h = limit;
  }
  return validatePlan(next, 'what-if plan');
}



function averageProfile(profiles: number[][]): number[] {
  const out = new Array<number>(24).fill(profiles.length ? 0 : 1 / 24);
  for (const p of profiles) for (let h = 0; h < 24; h++) out[h] += p[h] / profiles.length;
  return out;
}

export { PEOPLE };

export { growthFactor, partsOfBlock, pathBlock, pathParts, pointForecast, RECENT_DAYS } from './path-block.ts';
export type { PathParts } from './path-block.ts';
