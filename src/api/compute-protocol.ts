import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import type { OverviewBody } from '../projection/overview.ts';
import type { ProfileComparison } from '../compare/profiles.ts';
import type { CompareUnder, Comparison, NamedPlan } from '../modeling/scenarios.ts';
import type { ForecastReport, WhatIf } from '../forecast/index.ts';
import type { Advice, ExportPreview, ModelProjectAnswer } from '../modeling/types.ts';
import type { Projection } from './types.ts';
import type { Method } from '../workers/protocol.ts';

/**
 * Every question the screens ask about the events, answered by the one compute worker
 * (src/entries/compute-worker.ts), which holds the one copy of the events and the parts simulator.
 */
export type ComputeRequest =
  /** the Overview page: figures of `plan` over the history */
  | { kind: 'overview'; plan: Plan; planName: string }
  /** the Projection page's charts, pooled to `width` pixels, for at most `maxKeys` keys */
  | { kind: 'projection'; plan: Plan; planName: string; width: number; maxKeys: number }
  /** the plan under the other enforcement profile too, compared (src/compare/profiles.ts) */
  | { kind: 'profiles'; plan: Plan }
  /**
   * the modeling screens' live view of an edited (unsaved) plan; with `base` (a view this worker
   * answered before), only what differs from it (src/modeling/view-delta.ts)
   */
  | { kind: 'project'; plan: Plan; base?: string }
  /** recommended caps and trigger advice for the plan */
  | { kind: 'advice'; plan: Plan }
  /** the export's files for the plan */
  | { kind: 'export'; plan: Plan }
  /** saved scenarios side by side */
  | { kind: 'compare'; plans: NamedPlan[]; under: CompareUnder }
  /** `workers`: threads for the Monte Carlo paths; 0 or absent: on the compute worker's own thread */
  | { kind: 'forecast'; plan: Plan; days: number; paths: number; whatIf: WhatIf; workers?: number }
  /**
   * simulate `plan` ahead of the call that will ask for it; settles with null. `edits`: also run
   * the paths an edit of it takes (its view, one key's cap changed and back), so that the first
   * edit after opening is not the one that pays for them
   */
  | { kind: 'warm'; plan: Plan; edits?: boolean };

export type ComputeKind = ComputeRequest['kind'];

/**
 * Requests that take seconds over a large history: the compute worker hands them to its slow lane
 * (src/entries/compute-slow-worker.ts) and goes on answering.
 */
export type SlowRequest = Extract<ComputeRequest, { kind: 'profiles' | 'advice' | 'export' | 'compare' | 'forecast' }>;

/**
 * `profiles` simulates the plan under the other profile too: seconds over a large history, after
 * every edit on the Triggers page. In the slow lane the next edit's view is not queued behind it.
 */
const SLOW_KINDS: ReadonlySet<ComputeKind> = new Set<ComputeKind>(['profiles', 'advice', 'export', 'compare', 'forecast']);

export function isSlow(request: ComputeRequest): request is SlowRequest {
  return SLOW_KINDS.has(request.kind);
}

/** What each request answers. */
export interface ComputeOutputs {
  overview: OverviewBody;
  projection: Projection;
  profiles: ProfileComparison;
  project: ModelProjectAnswer;
  advice: Advice;
  export: ExportPreview;
  compare: Comparison;
  forecast: ForecastReport;
  warm: null;
}

/** Event columns as handed to a worker: the typed arrays are copied, or lent when in shared memory. */
export type WorkerEvents = Pick<EventColumns, 'count' | 'time' | 'type' | 'subject' | 'subjects' | 'cost'>;

export function workerEvents(events: EventColumns): WorkerEvents {
  const { count, time, type, subject, subjects, cost } = events;
  return { count, time, type, subject, subjects, cost };
}

/** One method per kind of request: its input is the request itself, its output what that kind answers. */
export type RequestMethods = { [K in ComputeKind]: Method<Extract<ComputeRequest, { kind: K }>, ComputeOutputs[K]> };

/**
 * The compute worker's methods on the workers' transport (src/workers/): the events first (sent
 * once per version; calls are served in the order sent, so every later request sees them), then
 * any request of the union.
 */
export type ComputeMethods = RequestMethods & {
  /** `exportedKeys`: the keys whose requests in `events` are the platform's export (the ledger's `exportedKeys`); absent, none */
  events: Method<{ version: number; events: WorkerEvents; exportedKeys?: string[] }, null>;
  /** the worker reads the events from the ledger itself, off the thread that answers calls */
  ledger: Method<{ version: number; path: string }, null>;
};

/**
 * The slow lane's methods on the workers' transport (src/workers/): the events, lent once per
 * version (shared memory, no copy), then each slow request, answered in turn.
 */
export type SlowLaneMethods = {
  /**
   * `foreground`: the compute thread's gate (src/workers/foreground.ts): the lane pauses while it
   * is busy. `exportedKeys`: the keys whose requests in `events` are the platform's export (the
   * ledger's `exportedKeys`): what advice, the export and the forecast judge a stated cap by.
   */
  events: Method<{ version: number; events: WorkerEvents; foreground: SharedArrayBuffer; exportedKeys: string[] }, null>;
  run: Method<SlowRequest, ComputeOutputs[SlowRequest['kind']]>;
};

