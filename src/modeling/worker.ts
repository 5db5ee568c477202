import { parentPort } from 'node:worker_threads';
import type { EventColumns } from '../engine/events.ts';
import { toApiError } from '../api/errors.ts';
import { projectPlan } from './project.ts';
import { compareScenarios } from './scenarios.ts';
import { adviceFor, exportPreview } from './advice.ts';
import { forecast } from '../forecast/index.ts';
import type { FromModelWorker, ModelJob, ToModelWorker } from './protocol.ts';

/**
 * The modeling screens' simulations, off the thread that answers calls. A run reads a shared
 * cancel flag while the engine works, so a stale projection stops as soon as a newer edit comes.
 */
let events: EventColumns | null = null;

function post(msg: FromModelWorker): void {
  parentPort?.postMessage(msg);
}

function run(job: ModelJob, ev: EventColumns, signal: { readonly aborted: boolean }, onProgress: (d: number, t: number) => void): unknown {
  switch (job.kind) {
    case 'project':
      return projectPlan(job.plan, ev, { signal, onProgress });
    case 'compare':
      return compareScenarios(ev, job.plans, { signal, onProgress, under: job.under ?? 'own' });
    case 'advice':
      return adviceFor(job.plan, ev);
    case 'export':
      return exportPreview(job.plan, ev);
    case 'forecast':
      // Paths run on this thread unless asked: it already is the screens' worker.
      return forecast(ev, job.plan, {
        days: job.days,
        paths: job.paths,
        whatIf: job.whatIf,
        workers: job.workers ?? 0,
        signal,
        onProgress: (share) => onProgress(Math.round(share * 1000), 1000),
      });
  }
}

parentPort?.on('message', async (msg: ToModelWorker) => {
  if (msg.type === 'events') {
    events = { ...msg.events, ids: null };
    return;
  }
  try {
    if (events === null) throw new Error('no events loaded');
    const flag = new Int32Array(msg.cancel);
    let lastPost = 0;
    const value = await run(
      msg.job,
      events,
      { get aborted() { return Atomics.load(flag, 0) === 1; } },
      (done, total) => {
        const now = performance.now();
        if (now - lastPost > 50) {
          lastPost = now;
          post({ type: 'progress', id: msg.id, done, total });
        }
      },
    );
    post({ type: 'result', id: msg.id, ok: true, value });
  } catch (err) {
    post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
  }
});
