import { Worker } from 'node:worker_threads';
import type { EventColumns } from '../engine/events.ts';
import { ApiFailure } from './errors.ts';
import type { ApiError } from './errors.ts';

/** Event columns as posted to a worker: typed arrays are copied by structured clone. */
export interface WorkerEvents {
  count: number;
  time: Float64Array;
  type: Uint8Array;
  subject: Uint32Array;
  subjects: string[];
  cost: Float64Array;
}

export function workerEvents(events: EventColumns): WorkerEvents {
  const { count, time, type, subject, subjects, cost } = events;
  return { count, time, type, subject, subjects, cost };
}

/** What a worker sends back for a call: progress now and then, then one result. */
export type WorkerReply =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError };

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: ApiFailure) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Calls into one worker thread, started on first use and restarted after it dies. Cancelling a
 * call flips a shared flag that the engine polls, because a busy worker cannot read messages.
 */
export class WorkerRpc {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly url: URL;
  private readonly name: string;
  /** told when a worker goes away, so that state it held (events sent) is sent again */
  private readonly onRestart: () => void;

  constructor(url: URL, name: string, onRestart: () => void = () => {}) {
    this.url = url;
    this.name = name;
    this.onRestart = onRestart;
  }

  /** Posts a message that expects no reply (state the worker keeps, such as the events). */
  post(msg: unknown): void {
    this.ensureWorker().postMessage(msg);
  }

  /** Posts the message `build` makes for a new call id and cancel flag; settles with its result. */
  call(build: (id: number, cancel: SharedArrayBuffer) => unknown, opts: CallOptions = {}): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    const w = this.ensureWorker();
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    return new Promise((resolve, reject) => {
      const onAbort = () => Atomics.store(flag, 0, 1);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: opts.onProgress,
      });
      w.postMessage(build(id, cancel));
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll({ code: 'cancelled', message: 'Closed', details: [] });
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url);
    w.on('message', (msg: WorkerReply) => this.onMessage(msg));
    w.on('error', (err) => this.failAll({ code: 'internal', message: `${this.name} failed: ${err.message}`, details: [] }));
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = null;
        this.onRestart();
        this.failAll({ code: 'internal', message: `${this.name} stopped`, details: [] });
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

  private onMessage(msg: WorkerReply): void {
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
}
