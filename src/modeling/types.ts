/**
 * What the modeling screens receive: plain serialisable data, importable by the renderer (no Node,
 * no engine internals).
 */
import type { ScenarioMetrics } from './scenarios.ts';
import type { KeyFigure } from '../views/key-figure.ts';
import type { Status } from '../views/status.ts';
import type { SpentOverHistory } from '../recommend/spent-over-history.ts';

/** The key's figure (the same on every screen, src/views) and its rolling spend. */
export interface ModelKey extends KeyFigure {
  /**
   * rolling spend (USD, whole cents) at the end of each UTC day over the whole history, from
   * `ModelView.from`'s day; the sparkline draws its last SPARK_DAYS (`sparkOf`), not sent twice
   */
  rolling: number[];
}

export interface ModelTrigger {
  id: string;
  name: string;
  kind: 'webhook' | 'scheduled';
  mode: 'fair_use' | 'programmatic';
  inferred: boolean;
  /** as written in the plan: null = default, -1 = none */
  limitPer24h: number | null;
  /** as the engine applies it; null = unlimited */
  limit: number | null;
  runsPerDay: { median: number; p95: number; max: number; days: number };
  arrivals: number;
  admitted: number;
  delayed: number;
  dropped: number;
  skipped: number;
  pending: number;
  maxDelayMs: number | null;
  p95DelayMs: number | null;
  rateLimited: boolean;
  /** the same status the trigger has on every screen (src/views) */
  status: Status;
  programmaticUsd: number;
}

export interface ModelSpendLimit {
  id: string;
  window: 'utc-day' | 'calendar-month' | 'rolling-30d';
  amountUsd: number;
  peakUsd: number;
  blocked: number;
  delayed: number;
}

export interface ModelView {
  planName: string;
  events: number;
  from: number | null;
  to: number | null;
  horizon: number;
  workspace: {
    /** null = unlimited */
    allowance: number | null;
    pool: number | null;
    allowancePeak: number;
    poolPeak: number;
    messages: number;
    blockedMessages: number;
    spendLimits: ModelSpendLimit[];
  };
  keys: ModelKey[];
  triggers: ModelTrigger[];
  metrics: ScenarioMetrics;
  computeMs: number;
  /** threads the simulation ran on: 0 when kept results answered it */
  computeThreads: number;
  /**
   * What was simulated again for this view: the parts an edit touched (src/engine/parts.ts), or
   * the whole; empty when kept results answered it.
   */
  simulated: ('spend' | 'allowance' | 'whole')[];
}

/** A view's own figures, less its keys and triggers: what a delta always carries whole (small). */
export type ModelViewHead = Omit<ModelView, 'keys' | 'triggers'>;

/**
 * model-project's answer when the call names no view, or one the service no longer holds: the
 * whole view, named so that the next call can ask only for what differs from it.
 */
export type NamedModelView = ModelView & { viewId: string };

/**
 * One changed entry of a delta's list: for an index the base has, only the fields whose figures
 * differ (a seats edit moves a trigger's delays, not its name, mode or runs per day); for an index
 * past the base's end, the entry whole.
 */
export type EntryChange<T> = { at: number; fields: Partial<T> } | { at: number; whole: T };

/**
 * model-project's answer to a call naming (`base`) a view the service still holds: the head whole,
 * and only the keys and triggers whose figures differ from the base's at the same index, each with
 * only its changed fields. An edit usually changes a few fields of a few of hundreds of entries, so
 * the answer is a few KB instead of hundreds (JSON, IPC).
 */
export interface ModelViewDelta {
  viewId: string;
  base: string;
  head: ModelViewHead;
  keyCount: number;
  keys: EntryChange<ModelKey>[];
  triggerCount: number;
  triggers: EntryChange<ModelTrigger>[];
}

export type ModelProjectAnswer = NamedModelView | ModelViewDelta;

export interface KeyAdvice {
  id: string;
  recommendedCapUsd: number;
  action: 'set' | 'raise' | 'lower' | 'keep';
  /** `extrapolated`: under 30 days of history, the figures are its spend over them scaled to 30 days (a rate): shown as `spentOverHistory` instead */
  rolling30: { p50: number; p90: number; p99: number; max: number; daysObserved: number; extrapolated: boolean };
  /** under 30 days of history: what the key spent over them, as recorded, and their count (recommend/spent-over-history.ts); null otherwise */
  spentOverHistory: SpentOverHistory | null;
  projectedPeak: { p10: number; p50: number; p90: number };
  throttleChance: number;
  currentThrottleChance: number | null;
  /** runaway days left out of the cap (clipped to the ordinary ceiling) */
  incidents: { date: string; requestedUsd: number; ordinaryCeilingUsd: number }[];
  /** requests (and their spend) the recommended cap would have blocked over the history */
  blockedIfRecommended: number;
  blockedUsdIfRecommended: number;
  /** ISO date: setting the recommended cap now blocks the key until then; null = usable at once */
  blockedUntilIfSetNow: string | null;
  reason: string;
  /** the forecast, or (a history too thin to forecast) the spend the key has shown: a provisional cap */
  capBasis: 'forecast' | 'observed_spend';
  /** a thin or short history: said beside the cap on every screen; null otherwise */
  warning: string | null;
}

export interface TriggerAdvice {
  id: string;
  action: 'none' | 'programmatic' | 'override' | 'cannot_move';
  requestedLimit: number | null;
  reason: string;
  alternatives: string[];
  /** the support request draft, when the platform's support must act */
  request: { subject: string; body: string } | null;
}

export interface Advice {
  /** share added above the p99 (0.25 = 25 %) */
  headroom: number;
  keys: KeyAdvice[];
  triggers: TriggerAdvice[];
  notes: string[];
}

export interface SavedScenario {
  id: number;
  name: string;
  savedAt: number;
  plan: unknown;
}

export interface ExportPreview {
  files: { path: string; content: string }[];
}
