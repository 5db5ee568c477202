import type { Plan } from '../engine/plan.ts';
import type { ApiError } from '../api/errors.ts';
import type { NamedPlan } from './scenarios.ts';
import type { WhatIf } from '../forecast/index.ts';

/** Messages between the modeling compute client and its worker thread. */
export interface WorkerEvents {
  count: number;
  time: Float64Array;
  type: Uint8Array;
  subject: Uint32Array;
  subjects: string[];
  cost: Float64Array;
}

export type ModelJob =
  | { kind: 'project'; plan: Plan }
  | { kind: 'advice'; plan: Plan }
  | { kind: 'export'; plan: Plan }
  | { kind: 'compare'; plans: NamedPlan[] }
  | { kind: 'forecast'; plan: Plan; days: number; paths: number; whatIf: WhatIf };

export type ToModelWorker =
  | { type: 'events'; version: number; events: WorkerEvents }
  | { type: 'run'; id: number; job: ModelJob; cancel: SharedArrayBuffer };

export type FromModelWorker =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError };
