import { Worker } from 'node:worker_threads';
import type { EventColumns } from '../engine/events.ts';
import type { Plan } from '../engine/plan.ts';
import { ApiFailure } from './errors.ts';
import type { ApiError } from './errors.ts';
import type { ComputeKind, FromWorker, ToWorker } from './compute-protocol.ts';
import type { Projection } from './types.ts';
import type { OverviewBody } from '../projection/overview.ts';

export interface RunOptions {
  /** projections: charts for at most this many keys */
  maxKeys?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: ApiFailure) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Where the worker script is: a .ts file under Node, the bundled .js inside the app. */
export function defaultWorkerUrl(): URL {
  return new URL('./compute-worker.ts', import.meta.url);
}

/**
 * Hands simulations to one worker thread. Cancellation flips a shared flag that the engine reads
 * while it runs, because a busy worker cannot read messages.
 */
export class ComputeClient {
  private worker: Worker | null = null;
  private readonly url: URL;
  private nextId = 1;
  private version = 0;
  private events: EventColumns | null = null;
  private ledgerPath: string | null = null;
  private sentVersion = -1;
  private readonly pending = new Map<number, Pending>();

  constructor(url: URL = defaultWorkerUrl()) {
    this.url = url;
  }

  setEvents(events: EventColumns): void {
    this.events = events;
    this.ledgerPath = null;
    this.version++;
  }

  /** The worker reads the ledger's events itself (read-only), when it first needs them. */
  setLedger(path: string): void {
    this.events = null;
    this.ledgerPath = path;
    this.version++;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url);
    w.on('message', (msg: FromWorker) => this.onMessage(msg));
    w.on('error', (err) => this.failAll({ code: 'internal', message: `compute worker failed: ${err.message}`, details: [] }));
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = null;
        this.sentVersion = -1;
        this.failAll({ code: 'internal', message: 'compute worker stopped', details: [] });
      }
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(error: ApiError): void {
    for (const p of this.pending.values()) p.reject(new ApiFailure(error.code, error.message, error.details));
    this.pending.clear();
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.done, msg.total);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new ApiFailure(msg.error.code, msg.error.message, msg.error.details));
  }

  run(kind: 'overview', plan: Plan, planName: string, width: number, opts?: RunOptions): Promise<OverviewBody>;
  run(kind: 'projection', plan: Plan, planName: string, width: number, opts?: RunOptions): Promise<Projection>;
  run(kind: ComputeKind, plan: Plan, planName: string, width: number, opts: RunOptions = {}): Promise<unknown> {
    const events = this.events;
    const path = this.ledgerPath;
    if (events === null && path === null) return Promise.reject(new ApiFailure('not_found', 'No events loaded'));
    if (opts.signal?.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    const w = this.ensureWorker();
    if (this.sentVersion !== this.version) {
      const msg: ToWorker =
        events !== null
          ? {
              type: 'events',
              version: this.version,
              events: { count: events.count, time: events.time, type: events.type, subject: events.subject, subjects: events.subjects, cost: events.cost },
            }
          : { type: 'ledger', version: this.version, path: path ?? '' };
      w.postMessage(msg);
      this.sentVersion = this.version;
    }
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    return new Promise((resolve, reject) => {
      const onAbort = () => Atomics.store(flag, 0, 1);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          opts.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onProgress: opts.onProgress,
      });
      const msg: ToWorker = { type: 'run', id, kind, plan, planName, width, maxKeys: opts.maxKeys ?? Number.MAX_SAFE_INTEGER, cancel };
      w.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll({ code: 'cancelled', message: 'Closed', details: [] });
    if (w) await w.terminate();
  }
}
