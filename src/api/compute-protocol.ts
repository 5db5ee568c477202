import type { Plan } from '../engine/plan.ts';
import type { WorkerEvents, WorkerReply } from './worker-rpc.ts';

/** Messages between the compute client and its worker thread. */
/** `profiles`: the plan under the other enforcement profile too, compared (src/compare/profiles.ts) */
export type ComputeKind = 'overview' | 'projection' | 'profiles';

export type ToWorker =
  | { type: 'events'; version: number; events: WorkerEvents }
  /** the worker reads the events from the ledger itself, off the thread that answers calls */
  | { type: 'ledger'; version: number; path: string }
  | { type: 'run'; id: number; kind: ComputeKind; plan: Plan; planName: string; width: number; maxKeys: number; cancel: SharedArrayBuffer }
  /** simulate `plan` ahead of the call that will ask for it; settles with null */
  | { type: 'warm'; id: number; plan: Plan; cancel: SharedArrayBuffer };

export type FromWorker = WorkerReply;

/** Buckets the engine samples for charts; projections are pooled down from these to the pixels. */
export const TIMELINE_BUCKETS = 2048;
