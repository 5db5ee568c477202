import type { EventColumns } from '../engine/events.ts';
import { ApiFailure } from '../api/errors.ts';
import type { ModelJob, ToModelWorker } from './protocol.ts';
import { WorkerRpc, workerEvents } from '../api/worker-rpc.ts';
import type { CallOptions } from '../api/worker-rpc.ts';
import { workerFile } from '../worker-files.ts';

/** worker.ts beside this file, or the app bundle's `modeling-worker` entry (src/worker-files.ts). */
export function defaultModelWorkerUrl(): URL {
  return workerFile('modeling-worker');
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
