import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventColumns } from '../engine/events.ts';
import { ApiFailure } from '../api/errors.ts';
import type { ApiError } from '../api/errors.ts';
import type { FromModelWorker, ModelJob, ToModelWorker } from './protocol.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: ApiFailure) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Next to this file when run from source; inside the app bundle, this code lives in main's
 * index.js and the worker is the `modeling-worker` entry beside it (electron.vite.config.ts).
 */
export function defaultModelWorkerUrl(): URL {
  const source = new URL('./worker.ts', import.meta.url);
  return existsSync(fileURLToPath(source)) ? source : new URL('./modeling-worker.js', import.meta.url);
}

/**
 * One worker thread for the modeling screens. Jobs queue in the worker in order; cancelling flips
 * a shared flag the engine polls, so a superseded projection ends early instead of finishing.
 */
export class ModelCompute {
  private worker: Worker | null = null;
  private readonly url: URL;
  private nextId = 1;
  private sent: EventColumns | null = null;
  private readonly pending = new Map<number, Pending>();

  constructor(url: URL = defaultModelWorkerUrl()) {
    this.url = url;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url);
    w.on('message', (msg: FromModelWorker) => this.onMessage(msg));
    w.on('error', (err) => this.failAll({ code: 'internal', message: `modeling worker failed: ${err.message}`, details: [] }));
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = null;
        this.sent = null;
        this.failAll({ code: 'internal', message: 'modeling worker stopped', details: [] });
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

  private onMessage(msg: FromModelWorker): void {
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

  /** `events` is compared by identity: the store hands out a new object after each import. */
  run(events: EventColumns, job: ModelJob, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    const w = this.ensureWorker();
    if (this.sent !== events) {
      const msg: ToModelWorker = {
        type: 'events',
        version: this.nextId,
        events: { count: events.count, time: events.time, type: events.type, subject: events.subject, subjects: events.subjects, cost: events.cost },
      };
      w.postMessage(msg);
      this.sent = events;
    }
    const id = this.nextId++;
    const flag = new Int32Array(new SharedArrayBuffer(4));
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
      const msg: ToModelWorker = { type: 'run', id, job, cancel: flag.buffer as SharedArrayBuffer };
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
