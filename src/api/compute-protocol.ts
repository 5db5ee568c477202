import type { Plan } from '../engine/plan.ts';
import type { ApiError } from './errors.ts';

/** Messages between the compute client and its worker thread. */
export interface WorkerEvents {
  count: number;
  time: Float64Array;
  type: Uint8Array;
  subject: Uint32Array;
  subjects: string[];
  cost: Float64Array;
}

export type ComputeKind = 'overview' | 'projection';

export type ToWorker =
  | { type: 'events'; version: number; events: WorkerEvents }
  /** the worker reads the events from the ledger itself, off the thread that answers calls */
  | { type: 'ledger'; version: number; path: string }
  | { type: 'run'; id: number; kind: ComputeKind; plan: Plan; planName: string; width: number; maxKeys: number; cancel: SharedArrayBuffer };

export type FromWorker =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError };

/** Buckets the engine samples for charts; projections are pooled down from these to the pixels. */
export const TIMELINE_BUCKETS = 2048;
