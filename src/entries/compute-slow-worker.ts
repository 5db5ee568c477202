import type { EventColumns } from '../engine/events.ts';
import { adviceFor, exportPreview } from '../modeling/advice.ts';
import { compareScenarios } from '../modeling/scenarios.ts';
import { COMPARE_PATHS, forecast } from '../forecast/index.ts';
import { compareResults, planUnderProfile } from '../compare/profiles.ts';
import type { ProfileComparison } from '../compare/profiles.ts';
import { PartsSimulator } from '../engine/parts.ts';
import { profileOf, type Plan } from '../engine/plan.ts';
import type { SimulationResult } from '../engine/result.ts';
import { serve } from '../workers/serve.ts';
import { yieldingSignal } from '../workers/foreground.ts';
import { runThisThreadInBackground } from '../workers/priority.ts';
import { toApiError } from '../api/errors.ts';
import { isSlow } from '../api/compute-protocol.ts';
import type { ComputeOutputs, SlowLaneMethods, SlowRequest } from '../api/compute-protocol.ts';

/**
 * The compute worker's slow lane: advice, the export preview, scenario comparisons and the
 * forecast take seconds over a large history, so they run here, over the same events (lent in
 * shared memory, never copied), while the compute worker goes on answering edits and pages.
 */
let events: EventColumns | null = null;
/** the keys whose requests in `events` are the platform's export (the ledger's `exportedKeys`) */
let exportedKeys: ReadonlySet<string> = new Set();
/** The compute thread's foreground gate: this lane's checks pause while an edit or a page is answered there. */
let foreground: SharedArrayBuffer | null = null;

type Progress = (done: number, total: number) => void;

/**
 * The profile comparison's simulations, one per reading of the limits, each keeping its parts'
 * results: after an edit each simulates again only the part the edit touched. The last results
 * lend their per-event arrays to the next, and the last comparison answers the same plan again
 * (Overview, Projection and Triggers all ask for the saved plan's).
 */
interface Profiles {
  own: PartsSimulator;
  other: PartsSimulator;
  /** each side's last result, given back to its next run (a run cancelled part-way gives nothing back) */
  last: { own: SimulationResult | undefined; other: SimulationResult | undefined };
  cache: { key: string; value: ProfileComparison } | null;
}
let profiles: Profiles | null = null;

function comparedProfiles(plan: Plan, ev: EventColumns, signal: { readonly aborted: boolean }, onProgress: Progress): ProfileComparison {
  profiles ??= { own: new PartsSimulator(ev), other: new PartsSimulator(ev), last: { own: undefined, other: undefined }, cache: null };
  const p = profiles;
  const key = JSON.stringify(plan);
  if (p.cache !== null && p.cache.key === key) return p.cache.value;
  const profile = profileOf(plan);
  const { plan: otherPlan, notes } = planUnderProfile(plan, profile === 'platform' ? 'documented' : 'platform');
  // each side's result is kept as soon as it is made: if the other side is then cancelled, the
  // next comparison gives back this one, not the one this run already took over
  const own = p.own.run(plan, { signal, onProgress: (done, total) => onProgress(done, 2 * total), recycle: p.last.own });
  p.last.own = own;
  const other = p.other.run(otherPlan, { signal, onProgress: (done, total) => onProgress(total + done, 2 * total), recycle: p.last.other });
  p.last.other = other;
  const value = profile === 'platform' ? compareResults(ev, other, own, profile, notes) : compareResults(ev, own, other, profile, notes);
  p.cache = { key, value };
  return value;
}

function answer(request: SlowRequest, ev: EventColumns, signal: { readonly aborted: boolean }, onProgress: Progress): ComputeOutputs[SlowRequest['kind']] | Promise<ComputeOutputs[SlowRequest['kind']]> {
  switch (request.kind) {
    case 'profiles':
      return comparedProfiles(request.plan, ev, signal, onProgress);
    case 'advice':
      return adviceFor(request.plan, ev, { signal, exportedKeys });
    case 'export':
      return exportPreview(request.plan, ev, { signal, exportedKeys });
    case 'compare':
      return compareScenarios(ev, request.plans, { signal, onProgress, under: request.under });
    case 'forecast':
      // Paths run on this thread unless asked: it already is off the threads that answer calls.
      return forecast(ev, request.plan, {
        days: request.days,
        paths: request.paths,
        whatIf: request.whatIf,
        workers: request.workers ?? 0,
        exportedKeys,
        // the page shows where the docs and the platform's code decide these futures differently
        compare: { paths: COMPARE_PATHS },
        signal,
        onProgress: (share) => onProgress(Math.round(share * 1000), 1000),
      });
  }
}

// everything here waits for the threads an edit needs (the compute thread, the service, the page)
runThisThreadInBackground();

// one call at a time, in order: the events sent before a request are there when it runs
serve<SlowLaneMethods>(
  {
    events: (input) => {
      events = { ...input.events, ids: null };
      exportedKeys = new Set(input.exportedKeys);
      foreground = input.foreground;
      profiles = null;
      return null;
    },
    run: (request, ctx) => {
      if (events === null) throw new Error('no events loaded');
      if (!isSlow(request)) throw new Error(`the slow lane does not answer ${(request as { kind: string }).kind}`);
      return answer(request, events, yieldingSignal(ctx.cancel, foreground), (done, total) => ctx.progress(done, total));
    },
  },
  { describeError: toApiError },
);
