import type { EventColumns } from '../engine/events.ts';
import { WorkerClient, workerLimits } from '../workers/client.ts';
import { WorkerCallError } from '../workers/protocol.ts';
import { ApiFailure } from './errors.ts';
import type { ApiError } from './errors.ts';

export { workerLimits };

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

/** What a worker sends back for a call: progress now and then, then one result (the transport's envelope, src/workers/protocol.ts). */
export type WorkerReply =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError };

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * A worker call's failure as the API's: the worker's own codes stay (its methods describe their
 * errors with toApiError), the transport's are `cancelled` or `internal`.
 */
export function apiFailureOf(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  if (!(err instanceof WorkerCallError)) return new ApiFailure('internal', err instanceof Error ? err.message : String(err));
  switch (err.code) {
    case 'cancelled':
      return new ApiFailure('cancelled', 'Cancelled');
    case 'closed':
      return new ApiFailure('cancelled', 'Closed');
    case 'worker_failed':
      return new ApiFailure('internal', `${err.message}; it starts again with the next call`);
    case 'worker_unavailable':
    case 'unsendable':
    case 'unknown_method':
    case 'failed':
      return new ApiFailure('internal', err.message);
    default:
      return new ApiFailure(err.code as ApiError['code'], err.message, err.details as ApiError['details']);
  }
}

/**
 * Calls into one worker thread (the compute and modeling workers), on the shared transport
 * (src/workers/client.ts): started on first use, restarted after it dies, a failure settling only
 * its own calls. Cancelling a call flips a shared flag that the engine polls, because a busy
 * worker cannot read messages. Failures arrive as ApiFailure.
 */
export class WorkerRpc {
  private readonly client: WorkerClient<Record<never, never>>;

  constructor(url: URL, name: string, onRestart: () => void = () => {}, limits = workerLimits()) {
    this.client = new WorkerClient(url, { name, onRestart, resourceLimits: limits });
  }

  /** Posts a message that expects no reply (state the worker keeps, such as the events). */
  post(msg: unknown): void {
    this.client.post(msg);
  }

  /** Posts the message `build` makes for a new call id and cancel flag; settles with its result. */
  call(build: (id: number, cancel: SharedArrayBuffer) => unknown, opts: CallOptions = {}): Promise<unknown> {
    return this.client.request(build, opts).catch((err: unknown) => {
      throw apiFailureOf(err);
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
