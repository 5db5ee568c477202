import { PartsSimulator } from '../engine/parts.ts';
import { PartThread } from '../engine/part-thread.ts';
import { quietestModeSwitch, warmEditPaths } from '../engine/warm-edits.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { Plan } from '../engine/plan.ts';
import type { EventColumns } from '../engine/events.ts';
import { buildOverview } from '../projection/overview.ts';
import { buildProjection } from '../projection/series.ts';
import { asForeground, newForegroundGate } from '../workers/foreground.ts';
import { serve } from '../workers/serve.ts';
import type { CallContext, Handlers } from '../workers/serve.ts';
import { viewOf } from '../modeling/project.ts';
import type { ModelProjectAnswer } from '../modeling/types.ts';
import { RecentViews, viewDelta } from '../modeling/view-delta.ts';
import { apiFailureOf } from '../api/worker-failure.ts';
import { WorkerClient, workerLimits } from '../workers/client.ts';
import { workerFile } from '../worker-files.ts';
import { sharedEvents } from '../api/shared-events.ts';
import { ApiFailure, toApiError } from '../api/errors.ts';
import { openLedger } from '../ledger/ledger.ts';
import { cacheKey, readCache, writeCache } from '../api/events-cache.ts';
import { workerEvents } from '../api/compute-protocol.ts';
import { TIMELINE_BUCKETS } from '../projection/overview-of.ts';
import type { ComputeMethods, ComputeOutputs, SlowLaneMethods, SlowRequest, WorkerEvents } from '../api/compute-protocol.ts';

/**
 * The one thread that answers every question about the events: Overview, Projection and the
 * modeling screens' edits here; the profile comparison, advice, export, scenarios and forecast
 * through its slow lane, which reads the same events. It holds the one copy of the events (in shared
 * memory), each part's recent results (an edit re-simulates only the part it touches) and the last
 * whole result (a resize re-pools the charts without simulating again).
 */
let events: EventColumns | null = null;
/**
 * The keys whose requests in `events` are the platform's export (the ledger's `exportedKeys`, read
 * with them): the slow lane's advice, export and forecast judge a stated cap by it.
 */
let exportedKeys: string[] = [];
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
      // a read of the batches' small table, not of the events (ledger/batches.ts): the cache keeps none
      exportedKeys = ledger.exportedKeys();
    } else {
      // no ids: nothing here reads them (sharedEvents drops them), and the cache holds none
      const { events: read, exportedKeys: exported } = ledger.readHistory({ withIds: false });
      exportedKeys = [...exported];
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

const planKey = (plan: Plan): string => `${version}:${JSON.stringify(plan)}`;

/**
 * The seat counts next to an edit's, simulated ahead on this thread while the window is idle
 * (`PartsSimulator.simulateAllowanceAhead`), a step of the pass at a time: an admin stepping seats
 * up or down (the arrow keys, the spin buttons) meets a result already kept, or under way (the edit
 * joins it). A question arriving meanwhile waits one step at most; any about another plan stops it.
 */
interface Ahead {
  stop: AbortController;
  /** no pass of it starts any more (the one under way may still be kept: an edit waits for it) */
  noMore: boolean;
  /** the allowance part under way (`PartsSimulator.allowanceKeyOf`) and its end */
  running: { key: string; done: Promise<unknown> } | null;
}
let ahead: Ahead | null = null;
/** the seats of the last plan an edit's view was made for */
let lastProjectedSeats: number | null = null;

function stopAhead(): void {
  if (ahead === null) return;
  ahead.stop.abort();
  ahead = null;
}

/** Lets the messages that arrived meanwhile be read: a call waits one step of a pass at most. */
const yieldToCalls = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Simulates ahead the allowance parts of `plans`, one after another. */
function simulateAhead(plans: Plan[]): void {
  stopAhead();
  const sim = simulator;
  if (sim === null) return;
  const state: Ahead = { stop: new AbortController(), noMore: false, running: null };
  ahead = state;
  const options = { timelineBuckets: TIMELINE_BUCKETS, signal: state.stop.signal };
  const stillWanted = (): boolean => !state.stop.signal.aborted && simulator === sim;
  void (async () => {
    for (const p of plans) {
      const key = sim.allowanceKeyOf(p, options);
      if (!stillWanted() || state.noMore || key === null) return;
      const done = sim.simulateAllowanceAhead(p, options, yieldToCalls, stillWanted);
      state.running = { key, done };
      try {
        await done;
      } catch {
        // stopped: an edit simulates what it needs itself
        return;
      } finally {
        state.running = null;
      }
    }
  })();
}

/**
 * Before a question about `plan`: the allowance part simulated ahead for it is waited for (it is
 * under way on the other thread), and any other is stopped.
 */
async function settleAhead(plan: Plan, ctx: CallContext): Promise<void> {
  const state = ahead;
  const running = state?.running;
  if (state !== null && running != null && simulator !== null && simulator.allowanceKeyOf(plan, { timelineBuckets: TIMELINE_BUCKETS }) === running.key) {
    // the pass after it must not start meanwhile: this question moves on from it
    state.noMore = true;
    // or until this question is cancelled (a newer keystroke's replaces it: its cancel message
    // aborts the signal while this thread waits)
    let onAbort = (): void => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([running.done.catch(() => {}), aborted]);
    ctx.signal.removeEventListener('abort', onAbort);
  }
  stopAhead();
}

/** After an edit's view: when it changed the seats, the seats one step on and one step back. */
function stepAheadFrom(plan: Plan): void {
  const seats = plan.workspace.seats;
  const last = lastProjectedSeats;
  lastProjectedSeats = seats;
  if (last === null || last === seats || plan.workspace.messagesPerSeatPerDay === null) return;
  const on = seats > last ? 1 : -1;
  const withSeats = (n: number): Plan => ({ ...plan, workspace: { ...plan.workspace, seats: n } });
  const next = [seats + on, seats - on].filter((n) => n >= 0).map(withSeats);
  // after the answer has gone out; not when another question or other events came first
  const at = version;
  const sim = simulator;
  setTimeout(() => {
    if (version === at && simulator === sim && ahead === null) simulateAhead(next);
  }, 0);
}

/**
 * The result for `plan` over the current events: the last one when the plan is the same (`fresh`
 * false), else from the parts simulator, which re-simulates only what the change touches.
 */
async function simulated(plan: Plan, ctx: CallContext): Promise<Simulated & { fresh: boolean }> {
  const events = loadEvents();
  const key = planKey(plan);
  if (cache !== null && cache.key === key) return { ...cache, fresh: false };
  const started = performance.now();
  await settleAhead(plan, ctx);
  if (simulator === null) simulator = new PartsSimulator(events);
  const result = await simulator.runAsync(
    plan,
    {
      timelineBuckets: TIMELINE_BUCKETS,
      signal: ctx.cancel,
      onProgress: (done, total) => ctx.progress(done, total),
      // the last result's per-event arrays take the new one's
      recycle: cache?.result,
    },
    partThread.available ? partThread.remote(ctx.cancelFlag) : null,
  );
  cache = { key, result, ms: performance.now() - started, threads: simulator.lastThreads, parts: [...simulator.lastSimulated] };
  startPartThreadSoon();
  return { ...cache, fresh: true };
}

/**
 * The views this thread answered last, by name: an edit's view is diffed against the one the
 * caller holds here, where it was made, so only the delta is copied out (a whole view is hundreds
 * of KB of keys' rolling spend).
 */
const views = new RecentViews(8);

/**
 * The modeling screens' view of an edited plan, from the same kept results as every page: whole,
 * or against `base` (a view answered here before) only what differs from it.
 */
async function projected(plan: Plan, base: string | undefined, ctx: CallContext): Promise<ModelProjectAnswer> {
  const started = performance.now();
  const run = await simulated(plan, ctx);
  const view = viewOf(plan, loadEvents(), run.result);
  view.computeMs = Math.round(performance.now() - started);
  view.computeThreads = run.fresh ? run.threads : 0;
  view.simulated = run.fresh ? run.parts : [];
  const held = base === undefined ? undefined : views.get(base);
  const viewId = views.remember(view);
  stepAheadFrom(plan);
  return held === undefined || base === undefined ? { ...view, viewId } : viewDelta(held, view, base, viewId);
}

let enginePathsWarm = false;

/**
 * Runs the paths an edit of `plan` takes once, while the window is idle after its first page: the
 * view's figures, one key's cap changed (that key's requests simulated alone,
 * src/engine/isolated-cap.ts) and seats where the allowance refuses, each and back, and a
 * webhook's mode switched (its split and spend part only). Their code is then compiled and their
 * tables built, so the first edit after opening costs what the later ones do. Ends on `plan`'s own
 * result, kept.
 */
async function warmEdits(plan: Plan, ctx: CallContext): Promise<void> {
  const ev = loadEvents();
  const { result } = await simulated(plan, ctx);
  if (ev.count === 0) return;
  // compiled code belongs to this thread: once per worker, the seats path too (allowance refusing,
  // queued runs released), on a small made-up history; a cancel stops it between its steps
  const warmPaths = (only: 'values' | 'modes'): void => {
    warmEditPaths({ timelineBuckets: TIMELINE_BUCKETS, signal: ctx.cancel, onResult: (p, e, r) => void viewOf(p, e, r), only });
  };
  // seats and caps first, trigger modes last (after this plan's own cap edit and the memory
  // touched ahead): an edit that stops the warm-up early most likely finds what it needs done
  if (!enginePathsWarm) warmPaths('values');
  // An edit that arrives meanwhile stops the warm-up (ComputeClient.joinWarming) and waits in this
  // thread's queue until it returns: each step below is checked first, since a view and a key's
  // cap re-simulated alone (isolated-cap.ts) run to their end once started.
  if (ctx.cancel.aborted) return;
  viewOf(plan, ev, result);
  /** An edit to `variant` and back, its view made: false once a cancel stopped it. */
  const editAndBack = async (variant: Plan): Promise<boolean> => {
    const edited = await simulated(variant, ctx);
    if (ctx.cancel.aborted) return false;
    viewOf(variant, ev, edited.result);
    if (ctx.cancel.aborted) return false;
    await simulated(plan, ctx);
    return !ctx.cancel.aborted;
  };
  const key = plan.apiKeys.find((k) => k.capUsd !== null) ?? plan.apiKeys[0];
  if (key !== undefined) {
    const capUsd = key.capUsd === null ? 1 : Math.round(key.capUsd * 1.5) + 1;
    if (!(await editAndBack({ ...plan, apiKeys: plan.apiKeys.map((k) => (k === key ? { ...k, capUsd } : k)) }))) return;
  }
  // The first seats edit's one-off work on these events (the part's arrivals counted, its trigger
  // windows made, the pass run at its real size): one allowance pass at seats where
  // the allowance refuses, then the plan's kept result answers again. At seats where it never
  // refuses nothing would be simulated. (At 1M events the first seats edit took 115–130 ms of
  // engine in-process against 70–90 for the later ones; after this pass 90–95.)
  const perSeat = plan.workspace.messagesPerSeatPerDay;
  if (perSeat !== null && perSeat > 0) {
    const seats = Math.max(1, Math.min(plan.workspace.seats - 1, Math.floor((0.6 * result.allowancePeak) / perSeat) - 5));
    if (seats !== plan.workspace.seats && !(await editAndBack({ ...plan, workspace: { ...plan.workspace, seats } }))) return;
  }
  // The memory the first edit that moves a trigger between the parts copies the events into, and
  // the arrays the first seats edit's pass writes: faulted in now (25 and 14 bytes an event; at 1M
  // events 70–210 and 40–130 ms on a busy two-core machine) rather than while those edits wait
  // (src/engine/parts.ts). Before the modes' code: it saves those edits more.
  if (!ctx.cancel.aborted) simulator?.prepareSplitMemory();
  if (!ctx.cancel.aborted) simulator?.preparePassArrays();
  if (!enginePathsWarm && !ctx.cancel.aborted) {
    warmPaths('modes');
    enginePathsWarm = !ctx.cancel.aborted;
  }
  // The first trigger mode switch at the ledger's size: its runs moved into a new split and the
  // spend part's runs patched over every request (loops the small history above leaves
  // uncompiled: that patch took 73-113 ms of the first switch at 1M events against 27-52 after).
  // Not its allowance pass (compiled by the seats edit above): an edit arriving meanwhile waits
  // for the split and the patch at most (40-130 ms), not for a pass.
  const switched = ctx.cancel.aborted ? null : quietestModeSwitch(plan, ev);
  if (switched !== null) simulator?.warmModeSwitch(plan, switched, { timelineBuckets: TIMELINE_BUCKETS });
}

/** The modeling calls have nothing to say about an empty history. */
function modelingEvents(): EventColumns {
  const ev = loadEvents();
  if (ev.count === 0) throw new ApiFailure('not_found', 'No events in this ledger yet: import a usage export first');
  return ev;
}

/**
 * The slow lane: a thread of this worker's own, on the workers' transport (src/workers/), lent the
 * events (shared memory, no copy) once per version. Its requests do not hold this thread's queue:
 * an edit is answered while advice runs.
 */
let slowLane: WorkerClient<SlowLaneMethods> | null = null;
const foreground = newForegroundGate();
let slowVersion = -1;

/**
 * Hands `request` to the slow lane and frees this thread's queue while it runs there. The caller's
 * own cancel flag goes along: a cancel from the client reaches the slow lane directly.
 */
async function inSlowLane<K extends SlowRequest['kind']>(request: Extract<SlowRequest, { kind: K }>, ctx: CallContext): Promise<ComputeOutputs[K]> {
  // an empty history still compares (nothing differs); the other slow requests have nothing to say
  const ev = request.kind === 'profiles' ? loadEvents() : modelingEvents();
  const lane = (slowLane ??= new WorkerClient<SlowLaneMethods>(workerFile('compute-slow-worker'), {
    name: 'compute slow lane',
    resourceLimits: workerLimits(),
    onRestart: () => {
      slowVersion = -1;
    },
  }));
  if (slowVersion !== version) {
    // served before the request below; a failure to take them fails that request
    lane.call('events', { version, events: workerEvents(ev), foreground, exportedKeys }).catch(() => {});
    slowVersion = version;
  }
  const answered = lane.call('run', request, { cancelFlag: ctx.cancelFlag, onProgress: (done, total) => ctx.progress(done, total) });
  ctx.release();
  try {
    return (await answered) as ComputeOutputs[K];
  } catch (err) {
    throw apiFailureOf(err);
  }
}

/** Counted as foreground: the slow lane pauses at its next check while the page waits for this. */
function inForeground<T>(work: () => Promise<T>): Promise<T> {
  return asForeground(foreground, work);
}

function setEvents(next: number, ev: WorkerEvents | null, path: string | null, exported: string[] = []): null {
  stopAhead();
  lastProjectedSeats = null;
  events = ev === null ? null : sharedEvents({ ...ev, ids: null });
  exportedKeys = exported;
  ledgerPath = path;
  version = next;
  cache = null;
  simulator = null;
  return null;
}

/**
 * One method per request, served one at a time in the order sent (a simulation awaiting the part
 * thread must not interleave with the next); the slow lane's requests free the queue once handed on.
 */
const handlers: Handlers<ComputeMethods> = {
  events: ({ version: v, events: ev, exportedKeys: exported }) => setEvents(v, ev, null, exported),
  ledger: ({ version: v, path }) => setEvents(v, null, path),
  warm: (request, ctx) =>
    inForeground(async () => {
      if (request.edits === true) await warmEdits(request.plan, ctx);
      else await simulated(request.plan, ctx);
      // warmEdits stops between its steps when cancelled: said so, the caller warms it again later
      if (ctx.cancel.aborted) throw new ApiFailure('cancelled', 'Cancelled');
      return null;
    }),
  overview: (request, ctx) =>
    inForeground(async () => {
      const { result } = await simulated(request.plan, ctx);
      return buildOverview(request.planName, loadEvents(), result);
    }),
  projection: (request, ctx) =>
    inForeground(async () => {
      const { result, ms, threads } = await simulated(request.plan, ctx);
      const started = performance.now();
      const value = buildProjection(result, request.width, { ms: 0, threads }, request.maxKeys, loadEvents());
      value.computeMs = Math.round(ms + performance.now() - started);
      return value;
    }),
  project: (request, ctx) =>
    inForeground(() => {
      modelingEvents();
      return projected(request.plan, request.base, ctx);
    }),
  profiles: async (request, ctx) => {
    // The plan's own result first, here and kept (Overview and an edit's view need the same
    // one): the slow lane's two simulations then do not compete for the cores with the one the
    // page is waiting for, as they would at launch.
    await simulated(request.plan, ctx);
    return inSlowLane(request, ctx);
  },
  advice: inSlowLane,
  export: inSlowLane,
  compare: inSlowLane,
  forecast: inSlowLane,
};

serve<ComputeMethods>(handlers, { describeError: toApiError });
