import { parentPort } from 'node:worker_threads';
import { simulate } from '../engine/simulate.ts';
import type { SimulationResult } from '../engine/result.ts';
import type { EventColumns } from '../engine/events.ts';
import { buildOverview } from '../projection/overview.ts';
import { buildProjection } from '../projection/series.ts';
import { toApiError } from './errors.ts';
import { openLedger } from '../ledger/ledger.ts';
import { cacheKey, readCache, writeCache } from './events-cache.ts';
import { TIMELINE_BUCKETS } from './compute-protocol.ts';
import type { FromWorker, ToWorker } from './compute-protocol.ts';

/**
 * Runs simulations off the thread that answers calls. Keeps the events it was last given and the
 * last result, so that a resize re-pools the chart data without simulating again.
 */
let events: EventColumns | null = null;
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
let cache: { key: string; result: SimulationResult; ms: number } | null = null;

function post(msg: FromWorker): void {
  parentPort?.postMessage(msg);
}

function handle(msg: ToWorker): void {
  if (msg.type === 'events') {
    events = { ...msg.events, ids: null };
    ledgerPath = null;
    version = msg.version;
    cache = null;
    return;
  }
  if (msg.type === 'ledger') {
    events = null;
    ledgerPath = msg.path;
    version = msg.version;
    cache = null;
    return;
  }
  try {
    const events = loadEvents();
    const flag = new Int32Array(msg.cancel);
    const key = `${version}:${JSON.stringify(msg.plan)}`;
    if (cache === null || cache.key !== key) {
      const started = performance.now();
      let lastPost = 0;
      const result = simulate(msg.plan, events, {
        timelineBuckets: TIMELINE_BUCKETS,
        signal: { get aborted() { return Atomics.load(flag, 0) === 1; } },
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - lastPost > 50) {
            lastPost = now;
            post({ type: 'progress', id: msg.id, done, total });
          }
        },
      });
      cache = { key, result, ms: performance.now() - started };
    }
    const started = performance.now();
    const value =
      msg.kind === 'overview'
        ? buildOverview(msg.planName, events, cache.result)
        : buildProjection(events, cache.result, msg.width, 0, msg.maxKeys);
    if (msg.kind === 'projection' && 'computeMs' in value) value.computeMs = Math.round(cache.ms + performance.now() - started);
    post({ type: 'result', id: msg.id, ok: true, value });
  } catch (err) {
    post({ type: 'result', id: msg.id, ok: false, error: toApiError(err) });
  }
}

parentPort?.on('message', handle);
