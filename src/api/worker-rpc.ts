import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
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
  /** the worker the call went to: only its failure fails the call */
  worker: Worker;
  resolve: (value: unknown) => void;
  reject: (err: ApiFailure) => void;
  onProgress?: (done: number, total: number) => void;
}

/** A worker's heap may grow as far as this process's own (V8's limit for the main isolate). */
export function workerLimits(): { maxOldGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: Math.max(512, Math.floor(getHeapStatistics().heap_size_limit / (1024 * 1024))) };
}

function describeWorkerError(err: Error): string {
  return (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : err.message;
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

  private readonly limits: { maxOldGenerationSizeMb: number };

  constructor(url: URL, name: string, onRestart: () => void = () => {}, limits = workerLimits()) {
    this.url = url;
    this.name = name;
    this.onRestart = onRestart;
    this.limits = limits;
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
        worker: w,
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
      try {
        w.postMessage(build(id, cancel));
      } catch (err) {
        this.pending.delete(id);
        done();
        reject(new ApiFailure('internal', `${this.name}: the call could not be sent (${(err as Error).message})`));
      }
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
    // An explicit heap limit makes running out of memory end this worker (ERR_WORKER_OUT_OF_MEMORY),
    // never the process that hosts it: the window or the web host stays up and answers.
    const w = new Worker(this.url, { resourceLimits: this.limits });
    w.on('message', (msg: WorkerReply) => this.onMessage(msg));
    const gone = (message: string): void => {
      // a worker that failed takes no more calls: the next one starts a fresh worker
      if (this.worker === w) {
        this.worker = null;
        this.onRestart();
        void w.terminate();
      }
      this.failAll({ code: 'internal', message, details: [] }, w);
    };
    w.on('error', (err) => gone(`${this.name} failed: ${describeWorkerError(err)}; it starts again with the next call`));
    w.on('messageerror', (err) => gone(`${this.name} sent a reply that could not be read (${err.message})`));
    w.on('exit', (code) => gone(`${this.name} stopped (exit code ${code}); it starts again with the next call`));
    w.unref();
    this.worker = w;
    return w;
  }

  /** Rejects the pending calls (those sent to `worker` only, when given). */
  private failAll(error: ApiError, worker?: Worker): void {
    for (const [id, p] of this.pending) {
      if (worker !== undefined && p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(new ApiFailure(error.code, error.message, error.details));
    }
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
