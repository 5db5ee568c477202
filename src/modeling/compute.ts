import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventColumns } from '../engine/events.ts';
import { ApiFailure } from '../api/errors.ts';
import type { ModelJob, ToModelWorker } from './protocol.ts';
import { WorkerRpc, workerEvents } from '../api/worker-rpc.ts';
import type { CallOptions } from '../api/worker-rpc.ts';

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
  private readonly rpc: WorkerRpc;
  private nextVersion = 1;
  private sent: EventColumns | null = null;

  constructor(url: URL = defaultModelWorkerUrl()) {
    this.rpc = new WorkerRpc(url, 'modeling worker', () => {
      this.sent = null;
    });
  }

  /** `events` is compared by identity: the store hands out a new object after each import. */
  run(events: EventColumns, job: ModelJob, opts: CallOptions = {}): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(new ApiFailure('cancelled', 'Cancelled'));
    if (this.sent !== events) {
      const msg: ToModelWorker = { type: 'events', version: this.nextVersion++, events: workerEvents(events) };
      this.rpc.post(msg);
      this.sent = events;
    }
    return this.rpc.call((id, cancel): ToModelWorker => ({ type: 'run', id, job, cancel }), opts);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
