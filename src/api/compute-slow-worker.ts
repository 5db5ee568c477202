import { parentPort } from 'node:worker_threads';
import type { EventColumns } from '../engine/events.ts';
import { adviceFor, exportPreview } from '../modeling/advice.ts';
import { compareScenarios } from '../modeling/scenarios.ts';
import { forecast } from '../forecast/index.ts';
import { toApiError } from './errors.ts';
import { isSlow } from './compute-protocol.ts';
import type { FromWorker, SlowRequest, ToWorker } from './compute-protocol.ts';

/**
 * The compute worker's slow lane: advice, the export preview, scenario comparisons and the
 * forecast take seconds over a large history, so they run here, over the same events (lent in
 * shared memory, never copied), while the compute worker goes on answering edits and pages.
 */
let events: EventColumns | null = null;

type Progress = (done: number, total: number) => void;

function answer(request: SlowRequest, ev: EventColumns, signal: { readonly aborted: boolean }, onProgress: Progress): unknown {
  switch (request.kind) {
    case 'advice':
      return adviceFor(request.plan, ev);
    case 'export':
      return exportPreview(request.plan, ev);
    case 'compare':
      return compareScenarios(ev, request.plans, { signal, onProgress, under: request.under });
    case 'forecast':
      // Paths run on this thread unless asked: it already is off the threads that answer calls.
      return forecast(ev, request.plan, {
        days: request.days,
        paths: request.paths,
        whatIf: request.whatIf,
        workers: request.workers ?? 0,
        signal,
        onProgress: (share) => onProgress(Math.round(share * 1000), 1000),
      });
  }
}

function post(msg: FromWorker): void {
  parentPort?.postMessage(msg);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'events') {
    events = { ...msg.events, ids: null };
    return;
  }
  if (msg.type === 'ledger') return;
  try {
    if (events === null) throw new Error('no events loaded');
    if (!isSlow(msg.request)) throw new Error(`the slow lane does not answer ${msg.request.kind}`);
    const flag = new Int32Array(msg.cancel);
    let lastPost = Number.NEGATIVE_INFINITY;
    const value = await answer(msg.request, events, { get aborted() { return Atomics.load(flag, 0) === 1; } }, (done, total) => {
      const now = performance.now();
      if (now - lastPost > 50) {
        lastPost = now;
        post({ type: 'progress', id: msg.id, done, total });
      }
    });
    post({ type: 'result', id: msg.id, ok: true, value });
  } catch (err) {
    post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
  }
}

// one request at a time, in order
let queue = Promise.resolve();
parentPort?.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg)).catch(() => {});
});
