import { Worker, type MessagePort } from 'node:worker_threads';
import { CancelledError } from '../errors.ts';
import type { EventColumns } from './events.ts';
import type { Plan } from './plan.ts';
import type { SimulationResult } from './result.ts';
import { simulate, type SimulateOptions } from './simulate.ts';
import { workerFile } from '../worker-files.ts';

/**
 * A second thread for `PartsSimulator`: when a plan change needs both parts simulated, one of
 * them runs here while the other runs on the calling thread. The events travel in shared memory
 * (the parts' columns are SharedArrayBuffers), and the result's arrays are moved back, not copied.
 */

/** What a part's run elsewhere takes besides its events and plan. */
export type PartOptions = Pick<SimulateOptions, 'until' | 'timelineBuckets' | 'timelineStart' | 'logQueue' | 'order'>;

/** Simulates a part elsewhere; settles with its result, or rejects (CancelledError when cancelled). */
export type RemotePart = (events: EventColumns, plan: Plan, options: PartOptions) => Promise<SimulationResult>;

interface PartRequest {
  id: number;
  events: EventColumns;
  plan: Plan;
  options: PartOptions;
  /** Int32 flag, 1 = cancelled: a busy thread cannot read messages */
  cancel: SharedArrayBuffer | null;
}

type PartReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; result: SimulationResult }
  | { type: 'result'; id: number; ok: false; cancelled: boolean; message: string };

/** The buffers a result owns, to move rather than copy. */
function buffersOf(result: SimulationResult): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [result.outcome, result.admittedAt, result.reason, result.entity];
  const { timeline, queueLog } = result;
  if (timeline !== null) {
    arrays.push(timeline.allowanceUsed, timeline.poolUsed, timeline.queued, timeline.maxDelay);
    // one array per key: as many as the events name, so never spread into a call
    for (const a of timeline.keySpend) arrays.push(a);
    for (const a of timeline.spendLimitUsed) arrays.push(a);
  }
  if (queueLog !== undefined) arrays.push(queueLog.time, queueLog.level);
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

/** The thread's side: answers each request with the part's result. */
export function servePartThread(port: MessagePort): void {
  port.on('message', (req: PartRequest) => {
    const flag = req.cancel === null ? null : new Int32Array(req.cancel);
    let reply: PartReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const result = simulate(req.plan, req.events, {
        ...req.options,
        signal: flag === null ? undefined : { get aborted() { return Atomics.load(flag, 0) === 1; } },
      });
      reply = { type: 'result', id: req.id, ok: true, result };
      transfer = buffersOf(result);
    } catch (err) {
      reply = { type: 'result', id: req.id, ok: false, cancelled: err instanceof CancelledError, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply, transfer);
  });
  port.postMessage({ type: 'ready' } satisfies PartReply);
}

/**
 * The calling side. The thread starts in the background and is `available` once it has loaded;
 * until then, and after it fails, callers simulate on their own thread.
 */
export class PartThread {
  private worker: Worker | null = null;
  private ready = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: SimulationResult) => void; reject: (e: Error) => void }>();
  private readonly url: URL;

  /** `url`: a script that calls `servePartThread` on its parent port (part-worker.ts). */
  constructor(url: URL = workerFile('part-worker')) {
    this.url = url;
  }

  /** Starts the thread unless it runs already. */
  start(): void {
    if (this.worker !== null) return;
    const w = new Worker(this.url);
    this.worker = w;
    w.unref();
    w.on('message', (msg: PartReply) => {
      if (msg.type === 'ready') {
        this.ready = true;
        return;
      }
      const call = this.pending.get(msg.id);
      if (call === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) call.resolve(msg.result);
      else call.reject(msg.cancelled ? new CancelledError() : new Error(msg.message));
    });
    const gone = (err: Error): void => {
      if (this.worker !== w) return;
      this.worker = null;
      this.ready = false;
      for (const call of this.pending.values()) call.reject(err);
      this.pending.clear();
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the part thread stopped (code ${code})`)));
  }

  get available(): boolean {
    return this.ready && this.worker !== null;
  }

  /** A `RemotePart` whose runs stop when `cancel` (an Int32 flag) is set to 1. */
  remote(cancel: SharedArrayBuffer | null): RemotePart {
    return (events, plan, options) => {
      const w = this.worker;
      if (w === null || !this.ready) return Promise.reject(new Error('the part thread is not running'));
      const id = ++this.nextId;
      return new Promise<SimulationResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        // ids stay behind: the engine never reads them, and packed ones do not survive the copy
        const req: PartRequest = { id, events: { ...events, ids: null }, plan, options, cancel };
        w.postMessage(req);
      });
    };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    if (w !== null) await w.terminate();
  }
}
