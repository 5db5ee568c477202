import { parentPort } from 'node:worker_threads';
import { PartsSimulator } from '../engine/parts.ts';
import { PartThread } from '../engine/part-thread.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { Plan } from '../engine/plan.ts';
import type { EventColumns } from '../engine/events.ts';
import { buildOverview } from '../projection/overview.ts';
import { buildProjection } from '../projection/series.ts';
import { asForeground, newForegroundGate } from '../workers/foreground.ts';
import { serveMessages } from '../workers/serve.ts';
import { viewOf } from '../modeling/project.ts';
import type { ModelView } from '../modeling/types.ts';
import { apiFailureOf, workerEvents, workerLimits } from './worker-rpc.ts';
import { WorkerClient } from '../workers/client.ts';
import { workerFile } from '../worker-files.ts';
import { sharedEvents } from './shared-events.ts';
import { ApiFailure, toApiError } from './errors.ts';
import { openLedger } from '../ledger/ledger.ts';
import { cacheKey, readCache, writeCache } from './events-cache.ts';
import { isSlow, TIMELINE_BUCKETS } from './compute-protocol.ts';
import type { ComputeRequest, FromWorker, SlowLaneMethods, SlowRequest, ToWorker } from './compute-protocol.ts';

/**
 * The one thread that answers every question about the events: Overview, Projection and the
 * modeling screens' edits here; the profile comparison, advice, export, scenarios and forecast
 * through its slow lane, which reads the same events. It holds the one copy of the events (in shared
 * memory), each part's recent results (an edit re-simulates only the part it touches) and the last
 * whole result (a resize re-pools the charts without simulating again).
 */
let events: EventColumns | null = null;
let simulator: PartsSimulator | null = null;
let ledgerPath: string | null = null;
let version = -1;

function loadEvents(): EventColumns {
  if (events !== null) return events;
  if (ledgerPath === null) throw new Error('no events loaded');
  const ledger = openLedger(ledgerPath, { readonly: true });
  try {
    const key = cacheKey(ledger);
    const cached = readCache(ledgerPath, key);
    if (cached) {
      events = cached;
    } else {
      const read = ledger.readEvents();
      events = sharedEvents(read);
      try {
        writeCache(ledgerPath, key, read);
      } catch {
        // a read-only folder only costs the next launch a full read
      }
    }
  } finally {
    ledger.close();
  }
  return events;
}

interface Simulated {
  key: string;
  result: SimulationResult;
  ms: number;
  threads: number;
  /** what that run simulated again (src/engine/parts.ts) */
  parts: ('spend' | 'allowance' | 'whole')[];
}
let cache: Simulated | null = null;

/**
 * A second thread simulates one part while this thread simulates the other. Started once the
 * first result is out, so that it does not slow the launch.
 */
const partThread = new PartThread();
const PART_THREAD_DELAY_MS = 1000;
let partThreadTimer: ReturnType<typeof setTimeout> | null = null;
function startPartThreadSoon(): void {
  if (partThreadTimer !== null) return;
  partThreadTimer = setTimeout(() => partThread.start(), PART_THREAD_DELAY_MS);
  partThreadTimer.unref();
}

type Progress = (done: number, total: number) => void;
type Signal = { readonly aborted: boolean };

function signalOf(cancel: SharedArrayBuffer): Signal {
  const flag = new Int32Array(cancel);
  return { get aborted() { return Atomics.load(flag, 0) === 1; } };
}

const planKey = (plan: Plan): string => `${version}:${JSON.stringify(plan)}`;

/**
 * The result for `plan` over the current events: the last one when the plan is the same (`fresh`
 * false), else from the parts simulator, which re-simulates only what the change touches.
 */
async function simulated(plan: Plan, cancel: SharedArrayBuffer, onProgress: Progress): Promise<Simulated & { fresh: boolean }> {
  const events = loadEvents();
  const key = planKey(plan);
  if (cache !== null && cache.key === key) return { ...cache, fresh: false };
  const started = performance.now();
  if (simulator === null) simulator = new PartsSimulator(events);
  const result = await simulator.runAsync(
    plan,
    {
      timelineBuckets: TIMELINE_BUCKETS,
      signal: signalOf(cancel),
      onProgress,
      // the last result's per-event arrays take the new one's
      recycle: cache?.result,
    },
    partThread.available ? partThread.remote(cancel) : null,
  );
  cache = { key, result, ms: performance.now() - started, threads: simulator.lastThreads, parts: [...simulator.lastSimulated] };
  startPartThreadSoon();
  return { ...cache, fresh: true };
}

/** The modeling screens' view of an edited plan, from the same kept results as every page. */
async function projected(plan: Plan, cancel: SharedArrayBuffer, onProgress: Progress): Promise<ModelView> {
  const started = performance.now();
  const run = await simulated(plan, cancel, onProgress);
  const view = viewOf(plan, loadEvents(), run.result);
  view.computeMs = Math.round(performance.now() - started);
  view.computeThreads = run.fresh ? run.threads : 0;
  view.simulated = run.fresh ? run.parts : [];
  return view;
}

/** The modeling calls have nothing to say about an empty history. */
function modelingEvents(): EventColumns {
  const ev = loadEvents();
  if (ev.count === 0) throw new ApiFailure('not_found', 'No events in this ledger yet: import a usage export first');
  return ev;
}

/** Answers the requests kept on this thread: those that simulate and keep their results. */
async function answer(request: Exclude<ComputeRequest, SlowRequest>, cancel: SharedArrayBuffer, onProgress: Progress): Promise<unknown> {
  switch (request.kind) {
    case 'warm':
      await simulated(request.plan, cancel, onProgress);
      return null;
    case 'overview': {
      const { result } = await simulated(request.plan, cancel, onProgress);
      return buildOverview(request.planName, loadEvents(), result);
    }
    case 'projection': {
      const { result, ms, threads } = await simulated(request.plan, cancel, onProgress);
      const started = performance.now();
      const value = buildProjection(result, request.width, { ms: 0, threads }, request.maxKeys, loadEvents());
      value.computeMs = Math.round(ms + performance.now() - started);
      return value;
    }
    case 'project':
      modelingEvents();
      return projected(request.plan, cancel, onProgress);
  }
}

/**
 * The slow lane: a thread of this worker's own, on the workers' transport (src/workers/), lent the
 * events (shared memory, no copy) once per version. Its requests do not hold this thread's queue:
 * an edit is answered while advice runs.
 */
let slowLane: WorkerClient<SlowLaneMethods> | null = null;
const foreground = newForegroundGate();
let slowVersion = -1;

function askSlowLane(id: number, request: SlowRequest, cancel: SharedArrayBuffer, onProgress: Progress): void {
  let lane: WorkerClient<SlowLaneMethods>;
  try {
    // an empty history still compares (nothing differs); the other slow requests have nothing to say
    const ev = request.kind === 'profiles' ? loadEvents() : modelingEvents();
    lane = slowLane ??= new WorkerClient<SlowLaneMethods>(workerFile('compute-slow-worker'), {
      name: 'compute slow lane',
      resourceLimits: workerLimits(),
      onRestart: () => {
        slowVersion = -1;
      },
    });
    if (slowVersion !== version) {
      // served before the request below; a failure to take them fails that request
      lane.call('events', { version, events: workerEvents(ev), foreground }).catch(() => {});
      slowVersion = version;
    }
  } catch (err) {
    post({ type: 'result', id, ok: false, error: toApiError(err) });
    return;
  }
  // the caller's own cancel flag goes along: a cancel from the client reaches the slow lane directly
  lane.call('run', request, { cancelFlag: cancel, onProgress }).then(
    (value) => post({ type: 'result', id, ok: true, value }),
    (err: unknown) => post({ type: 'result', id, ok: false, error: toApiError(apiFailureOf(err)) }),
  );
}

function post(msg: FromWorker): void {
  parentPort?.postMessage(msg);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'events' || msg.type === 'ledger') {
    events = msg.type === 'events' ? sharedEvents({ ...msg.events, ids: null }) : null;
    ledgerPath = msg.type === 'ledger' ? msg.path : null;
    version = msg.version;
    cache = null;
    simulator = null;
    return;
  }
  let lastPost = Number.NEGATIVE_INFINITY;
  const progress = (done: number, total: number): void => {
    const now = performance.now();
    if (now - lastPost > 50) {
      lastPost = now;
      post({ type: 'progress', id: msg.id, done, total });
    }
  };
  const request = msg.request;
  if (isSlow(request)) {
    if (request.kind === 'profiles') {
      // The plan's own result first, here and kept (Overview and an edit's view need the same
      // one): the slow lane's two simulations then do not compete for the cores with the one
      // the page is waiting for, as they would at launch.
      try {
        await simulated(request.plan, msg.cancel, progress);
      } catch (err) {
        post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
        return;
      }
    }
    askSlowLane(msg.id, request, msg.cancel, progress);
    return;
  }
  try {
    // counted as foreground: the slow lane pauses at its next check while the page waits for this
    post({ type: 'result', id: msg.id, ok: true, value: await asForeground(foreground, () => answer(request, msg.cancel, progress)) });
  } catch (err) {
    post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
  }
}

// one message at a time: a simulation awaiting the part thread must not interleave with the next
serveMessages<ToWorker>(handle);
