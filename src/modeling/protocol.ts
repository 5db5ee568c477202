import type { Plan } from '../engine/plan.ts';
import type { WorkerEvents, WorkerReply } from '../api/worker-rpc.ts';
import type { CompareUnder, NamedPlan } from './scenarios.ts';
import type { WhatIf } from '../forecast/index.ts';

/** Messages between the modeling compute client and its worker thread. */
export type ModelJob =
  | { kind: 'project'; plan: Plan }
  | { kind: 'advice'; plan: Plan }
  | { kind: 'export'; plan: Plan }
  | { kind: 'compare'; plans: NamedPlan[]; under?: CompareUnder }
  /** `workers`: threads for the Monte Carlo paths; 0 or absent: on the modeling worker's own thread */
  | { kind: 'forecast'; plan: Plan; days: number; paths: number; whatIf: WhatIf; workers?: number };

export type ToModelWorker =
  | { type: 'events'; version: number; events: WorkerEvents }
  | { type: 'run'; id: number; job: ModelJob; cancel: SharedArrayBuffer };

export type FromModelWorker = WorkerReply;
