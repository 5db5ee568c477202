import type { EventColumns } from '../engine/events.ts';
import { adviceFor, exportPreview } from '../modeling/advice.ts';
import { compareScenarios } from '../modeling/scenarios.ts';
import { forecast } from '../forecast/index.ts';
import { serve } from '../workers/serve.ts';
import { toApiError } from './errors.ts';
import { isSlow } from './compute-protocol.ts';
import type { ComputeOutputs, SlowLaneMethods, SlowRequest } from './compute-protocol.ts';

/**
 * The compute worker's slow lane: advice, the export preview, scenario comparisons and the
 * forecast take seconds over a large history, so they run here, over the same events (lent in
 * shared memory, never copied), while the compute worker goes on answering edits and pages.
 */
let events: EventColumns | null = null;

type Progress = (done: number, total: number) => void;

function answer(request: SlowRequest, ev: EventColumns, signal: { readonly aborted: boolean }, onProgress: Progress): ComputeOutputs[SlowRequest['kind']] | Promise<ComputeOutputs[SlowRequest['kind']]> {
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

// one call at a time, in order: the events sent before a request are there when it runs
serve<SlowLaneMethods>(
  {
    events: (input) => {
      events = { ...input.events, ids: null };
      return null;
    },
    run: (request, ctx) => {
      if (events === null) throw new Error('no events loaded');
      if (!isSlow(request)) throw new Error(`the slow lane does not answer ${(request as { kind: string }).kind}`);
      return answer(request, events, ctx.cancel, (done, total) => ctx.progress(done, total));
    },
  },
  { describeError: toApiError },
);
