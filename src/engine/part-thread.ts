import { CancelledError } from '../errors.ts';
import type { EventColumns } from './events.ts';
import type { Plan } from './plan.ts';
import type { SimulationResult } from './result.ts';
import { simulate } from './simulate.ts';
import { simulateAllowancePart, type AllowancePartOptions } from './allowance-pass.ts';
import { keepPassTallies, passTallies } from './pass-tallies.ts';
import { tally, type ReportTallies } from './report-tallies.ts';
import { workerFile } from '../worker-files.ts';
import { WorkerClient } from '../workers/client.ts';
import { serve } from '../workers/serve.ts';
import { WorkerCallError, withTransfer, type Method } from '../workers/protocol.ts';

/**
 * A second thread for `PartsSimulator`: when a plan change needs both parts simulated, one of
 * them runs here while the other runs on the calling thread. The events travel in shared memory
 * (the parts' columns are SharedArrayBuffers), and the result's arrays are moved back, not copied.
 */

/** What a part's run elsewhere takes besides its events and plan. */
export type PartOptions = Pick<AllowancePartOptions, 'until' | 'timelineBuckets' | 'timelineStart' | 'logQueue' | 'order' | 'runs' | 'tally'> & {
  /** which part the events are: the allowance part has a pass of its own (allowance-pass.ts) */
  part?: 'spend' | 'allowance';
};

/** Simulates a part elsewhere; settles with its result, or rejects (CancelledError when cancelled). */
export type RemotePart = (events: EventColumns, plan: Plan, options: PartOptions) => Promise<SimulationResult>;

interface PartRun {
  events: EventColumns;
  plan: Plan;
  options: PartOptions;
}

/**
 * A part's result, and with `tally` asked its tallies (report-tallies.ts): counted there, beside
 * the other part's pass, rather than here once both are done.
 */
interface PartAnswer {
  result: SimulationResult;
  tallies: ReportTallies | null;
}

/** The part thread's one method. */
type PartMethods = { run: Method<PartRun, PartAnswer> };

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

/** The thread's side (src/entries/part-worker.ts): answers each run with the part's result. */
export function servePartThread(): void {
  serve<PartMethods>({
    run: ({ events, plan, options }, ctx) => {
      const result = (options.part === 'allowance' ? simulateAllowancePart : simulate)(plan, events, { ...options, signal: ctx.cancel });
      // the allowance pass counts them as it decides; the spend part (no messages) is read once more
      const tallies = options.tally === undefined ? null : (passTallies(result) ?? tally(events, result, options.tally.frame, options.tally.span));
      return withTransfer({ result, tallies }, buffersOf(result));
    },
  });
}

/**
 * The calling side. The thread starts in the background and is `available` once it has loaded;
 * until then, and after it fails, callers simulate on their own thread.
 */
export class PartThread {
  private readonly client: WorkerClient<PartMethods>;

  /** `url`: a script that calls `servePartThread` (src/entries/part-worker.ts). */
  constructor(url: URL = workerFile('part-worker')) {
    this.client = new WorkerClient<PartMethods>(url, { name: 'the part thread' });
  }

  /** Starts the thread unless it runs already. */
  start(): void {
    try {
      this.client.start();
    } catch {
      // not available: callers simulate on their own thread
    }
  }

  get available(): boolean {
    return this.client.ready;
  }

  /** A `RemotePart` whose runs stop when `cancel` (an Int32 flag, the calling run's) is set to 1. */
  remote(cancel: SharedArrayBuffer | null): RemotePart {
    return (events, plan, options) => {
      if (!this.client.ready) return Promise.reject(new Error('the part thread is not running'));
      // ids stay behind: the engine never reads them, and packed ones do not survive the copy
      return this.client.call('run', { events: { ...events, ids: null }, plan, options }, cancel === null ? {} : { cancelFlag: cancel }).then(
        ({ result, tallies }) => {
          // found by the caller as a pass's own (pass-tallies.ts)
          if (tallies !== null) keepPassTallies(result, tallies);
          return result;
        },
        (err: unknown) => {
          throw err instanceof WorkerCallError && err.code === 'cancelled' ? new CancelledError() : err;
        },
      );
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
