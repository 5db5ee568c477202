import { parentPort } from 'node:worker_threads';
import { PartsSimulator } from '../engine/parts.ts';
import { PartThread } from '../engine/part-thread.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { Plan } from '../engine/plan.ts';
import type { EventColumns } from '../engine/events.ts';
import { buildOverview } from '../projection/overview.ts';
import { buildProjection } from '../projection/series.ts';
import { compareResults, planUnderProfile } from '../compare/profiles.ts';
import type { ProfileComparison } from '../compare/profiles.ts';
import { profileOf } from '../engine/plan.ts';
import { simulate } from '../engine/simulate.ts';
import { toApiError } from './errors.ts';
import { serveMessages } from '../workers/serve.ts';
import { openLedger } from '../ledger/ledger.ts';
import { cacheKey, readCache, writeCache } from './events-cache.ts';
import { TIMELINE_BUCKETS } from './compute-protocol.ts';
import type { FromWorker, ToWorker } from './compute-protocol.ts';

/**
 * Runs simulations off the thread that answers calls. Keeps the events it was last given, each
 * part's recent results (a plan change re-simulates only the part it touches) and the last whole
 * result, so that a resize re-pools the chart data without simulating again.
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
      events = { ...read, ids: null };
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
let cache: { key: string; result: SimulationResult; ms: number; threads: number } | null = null;

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

/** The result for `plan` over the current events: the last one when the plan is the same. */
async function simulated(plan: Plan, cancel: SharedArrayBuffer, onProgress: (done: number, total: number) => void): Promise<{ result: SimulationResult; ms: number; threads: number }> {
  const events = loadEvents();
  const flag = new Int32Array(cancel);
  const key = `${version}:${JSON.stringify(plan)}`;
  if (cache === null || cache.key !== key) {
    const started = performance.now();
    if (simulator === null) simulator = new PartsSimulator(events);
    const result = await simulator.runAsync(
      plan,
      {
        timelineBuckets: TIMELINE_BUCKETS,
        signal: { get aborted() { return Atomics.load(flag, 0) === 1; } },
        onProgress,
        // the last result's per-event arrays take the new one's
        recycle: cache?.result,
      },
      partThread.available ? partThread.remote(cancel) : null,
    );
    cache = { key, result, ms: performance.now() - started, threads: simulator.lastThreads };
    startPartThreadSoon();
  }
  return cache;
}

/**
 * The plan's result beside the other profile's (one more simulation, on this thread: the plan's
 * own result is the cached one), compared. The last comparison is kept: Overview, Projection and
 * Triggers all ask for the same plan's.
 */
let profilesCache: { key: string; value: ProfileComparison } | null = null;

async function comparedProfiles(plan: Plan, cancel: SharedArrayBuffer, onProgress: (done: number, total: number) => void): Promise<ProfileComparison> {
  const key = `${version}:${JSON.stringify(plan)}`;
  if (profilesCache !== null && profilesCache.key === key) return profilesCache.value;
  const { result } = await simulated(plan, cancel, onProgress);
  const events = loadEvents();
  const flag = new Int32Array(cancel);
  const profile = profileOf(plan);
  const { plan: otherPlan, notes } = planUnderProfile(plan, profile === 'platform' ? 'documented' : 'platform');
  // not through simulated(): that would recycle the arrays of the result compared with
  const other = simulate(otherPlan, events, { signal: { get aborted() { return Atomics.load(flag, 0) === 1; } }, onProgress });
  const value = profile === 'platform' ? compareResults(events, other, result, profile, notes) : compareResults(events, result, other, profile, notes);
  profilesCache = { key, value };
  return value;
}

function post(msg: FromWorker): void {
  parentPort?.postMessage(msg);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'events') {
    events = { ...msg.events, ids: null };
    ledgerPath = null;
    version = msg.version;
    cache = null;
    simulator = null;
    return;
  }
  if (msg.type === 'ledger') {
    events = null;
    ledgerPath = msg.path;
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
  if (msg.type === 'warm') {
    try {
      await simulated(msg.plan, msg.cancel, progress);
      post({ type: 'result', id: msg.id, ok: true, value: null });
    } catch (err) {
      post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
    }
    return;
  }
  try {
    if (msg.kind === 'profiles') {
      post({ type: 'result', id: msg.id, ok: true, value: await comparedProfiles(msg.plan, msg.cancel, progress) });
      return;
    }
    const { result, ms, threads } = await simulated(msg.plan, msg.cancel, progress);
    const events = loadEvents();
    const started = performance.now();
    const value =
      msg.kind === 'overview'
        ? buildOverview(msg.planName, events, result)
        : buildProjection(result, msg.width, { ms: 0, threads }, msg.maxKeys, events);
    if (msg.kind === 'projection' && 'computeMs' in value) value.computeMs = Math.round(ms + performance.now() - started);
    post({ type: 'result', id: msg.id, ok: true, value });
  } catch (err) {
    post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
  }
}

// one message at a time: a simulation awaiting the part thread must not interleave with the next
serveMessages<ToWorker>(handle);
