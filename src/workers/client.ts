import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANCEL_SLOT, WorkerCallError } from './protocol.ts';
import type { EmitsOf, FromWorker, InputOf, Methods, OutputOf, ToWorker, WireError } from './protocol.ts';

/** A worker's heap may grow as far as this process's own (V8's limit for the main isolate). */
export function workerLimits(): { maxOldGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: Math.max(512, Math.floor(getHeapStatistics().heap_size_limit / (1024 * 1024))) };
}

/**
 * A worker's environment: this process's, with Node's compile cache on (in Node's own default
 * folder) unless the user set or disabled it. A worker thread is a Node instance of its own that
 * otherwise compiles every module of its script again at each start: the compute worker was ready
 * in 250 ms from the sources, 115-140 ms with the cache, and an opening waits for it.
 */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined) return env;
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') };
}

export interface CallOptions<Emits = never> {
  /** aborting sets the call's shared flag and tells the worker; the call then settles as `cancelled` */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** values a streaming method hands over before its result, in order */
  onEmit?: (value: Emits) => void;
  /**
   * The call's cancel flag (an Int32 at 0, 1 = cancelled), when it is another call's: a call made
   * on behalf of a call this thread serves then stops with it, without a hop through this thread.
   */
  cancelFlag?: SharedArrayBuffer;
  /** buffers in the input to move to the worker rather than copy (they are detached here) */
  transfer?: readonly TransferListItem[];
}

export interface WorkerClientOptions {
  /** names the worker in error messages ("the part thread failed: …") */
  name: string;
  /** heap limits; with one, running out of memory ends the worker, never this process */
  resourceLimits?: ResourceLimits;
  /** handed to each worker started (its `workerData`) */
  workerData?: unknown;
  /** told when a worker goes away, so that state it held (events sent) is sent again */
  onRestart?: () => void;
}

interface Pending {
  /** the worker the call went to: only its failure fails the call */
  worker: Worker;
  flag: Int32Array;
  resolve: (value: unknown) => void;
  reject: (err: WorkerCallError) => void;
  onProgress: ((done: number, total: number) => void) | undefined;
  onEmit: ((value: never) => void) | undefined;
  cancelled: boolean;
}

function describeWorkerError(err: Error): string {
  return (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : err.message;
}

function toCallError(e: WireError, cancelled: boolean): WorkerCallError {
  // a method that failed after its caller cancelled failed because of the cancel
  if (cancelled && e.code !== 'cancelled') return new WorkerCallError('cancelled', 'Cancelled');
  return new WorkerCallError(e.code, e.message, e.details);
}

/**
 * Calls into one worker thread, started on first use (or `start()`) and started again after it
 * dies. Each call gets an id, a shared cancel flag (a busy worker cannot read messages, so a
 * synchronous loop polls the flag) and settles exactly once: with the worker's answer, or with a
 * WorkerCallError when it fails, is cancelled, or the worker goes away. A worker that fails
 * settles only the calls that were sent to it.
 */
export class WorkerClient<M extends Methods<M>> {
  private worker: Worker | null = null;
  private workerReady = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly url: URL;
  private readonly options: WorkerClientOptions;

  constructor(url: URL, options: WorkerClientOptions) {
    this.url = url;
    this.options = options;
  }

  get name(): string {
    return this.options.name;
  }

  /** True once the running worker's script has loaded (`serve` says so); false after it fails. */
  get ready(): boolean {
    return this.worker !== null && this.workerReady;
  }

  /** Starts the worker now rather than with the first call; throws when it cannot start. */
  start(): void {
    this.ensureWorker();
  }

  /** Calls `method` in the worker with `input`; settles with its output. */
  call<K extends keyof M & string>(method: K, input: InputOf<M, K>, opts: CallOptions<EmitsOf<M, K>> = {}): Promise<OutputOf<M, K>> {
    return this.send(method, input, opts as CallOptions<unknown>) as Promise<OutputOf<M, K>>;
  }

  /** Stops the worker; pending calls settle as `closed`. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.workerReady = false;
    this.failAll(new WorkerCallError('closed', 'Closed'));
    if (w) await w.terminate();
  }

  private send(method: string, input: unknown, opts: CallOptions<unknown>): Promise<unknown> {
    if (opts.signal?.aborted) return Promise.reject(new WorkerCallError('cancelled', 'Cancelled'));
    let w: Worker;
    try {
      w = this.ensureWorker();
    } catch (err) {
      return Promise.reject(new WorkerCallError('worker_unavailable', `${this.name} could not start: ${(err as Error).message}`));
    }
    const id = this.nextId++;
    const cancel = opts.cancelFlag ?? new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = (): void => this.cancel(id);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        // a worker with nothing pending must not keep this process alive
        if (![...this.pending.values()].some((p) => p.worker === w)) w.unref();
      };
      this.pending.set(id, {
        worker: w,
        flag,
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        onProgress: opts.onProgress,
        onEmit: opts.onEmit as ((value: never) => void) | undefined,
        cancelled: false,
      });
      w.ref();
      try {
        w.postMessage({ type: 'call', id, method, input, cancel } satisfies ToWorker, opts.transfer ?? []);
      } catch (err) {
        this.pending.get(id)?.reject(new WorkerCallError('unsendable', `${this.name}: the call could not be sent (${(err as Error).message})`));
      }
    });
  }

  private cancel(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    p.cancelled = true;
    Atomics.store(p.flag, CANCEL_SLOT, 1);
    try {
      p.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
    } catch {
      // the worker is gone: its exit settles the call
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // An explicit heap limit makes running out of memory end this worker (ERR_WORKER_OUT_OF_MEMORY),
    // never the process that hosts it: the window or the web host stays up and answers.
    const w = new Worker(this.url, {
      env: workerEnv(),
      ...(this.options.resourceLimits !== undefined ? { resourceLimits: this.options.resourceLimits } : {}),
      ...(this.options.workerData !== undefined ? { workerData: this.options.workerData } : {}),
    });
    w.on('message', (msg: FromWorker) => this.onMessage(w, msg));
    const gone = (message: string): void => {
      // a worker that failed takes no more calls: the next one starts a fresh worker
      if (this.worker === w) {
        this.worker = null;
        this.workerReady = false;
        this.options.onRestart?.();
        void w.terminate();
      }
      this.failAll(new WorkerCallError('worker_failed', message), w);
    };
    w.on('error', (err) => gone(`${this.name} failed: ${describeWorkerError(err)}`));
    w.on('messageerror', (err) => gone(`${this.name} sent a reply that could not be read (${err.message})`));
    w.on('exit', (code) => gone(`${this.name} stopped (exit code ${code})`));
    w.unref();
    this.worker = w;
    return w;
  }

  /** Rejects the pending calls (those sent to `worker` only, when given). */
  private failAll(error: WorkerCallError, worker?: Worker): void {
    for (const p of [...this.pending.values()]) {
      if (worker !== undefined && p.worker !== worker) continue;
      p.reject(p.cancelled && error.code === 'closed' ? new WorkerCallError('cancelled', 'Cancelled') : error);
    }
  }

  private onMessage(w: Worker, msg: FromWorker): void {
    if (msg.type === 'ready') {
      if (this.worker === w) this.workerReady = true;
      return;
    }
    const p = this.pending.get(msg.id);
    if (p === undefined || p.worker !== w) return;
    if (msg.type === 'progress') p.onProgress?.(msg.done, msg.total);
    else if (msg.type === 'emit') p.onEmit?.(msg.value as never);
    else if (msg.ok) p.resolve(msg.value);
    else p.reject(toCallError(msg.error, p.cancelled));
  }
}
