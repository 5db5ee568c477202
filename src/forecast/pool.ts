import { availableParallelism } from 'node:os';
import type { EventColumns } from '../engine/events.ts';
import { CancelledError } from '../errors.ts';
import { runPath } from './montecarlo.ts';
import { workerFile } from '../worker-files.ts';
import { WorkerClient } from '../workers/client.ts';
import type { Method } from '../workers/protocol.ts';
import type { PathSummary, SimulateFn } from './montecarlo.ts';
import type { Scenario } from './scenario.ts';

/** What every Monte Carlo worker is started with (its workerData): the same for each path. */
export interface WorkerInit {
  scenario: Scenario;
  tail: EventColumns;
  seed: number;
}

/** The Monte Carlo worker's methods (mc-worker.ts). */
export type McMethods = {
  /** runs one path (its index) and answers its summary */
  path: Method<number, PathSummary>;
};

export interface RunPathsOptions {
  /** worker threads; 0 = run in this thread (default: one per core, at most `paths`) */
  workers?: number;
  /** engine to use in this thread (workers always load the real engine) */
  simulate?: SimulateFn;
  onProgress?: (done: number, total: number) => void;
  signal?: { readonly aborted: boolean };
}

/**
 * Runs `paths` Monte Carlo paths and returns their summaries in path order. Each path's
 * randomness depends only on (seed, path index), so the answer is the same for any worker count.
 */
export async function runPaths(scenario: Scenario, tail: EventColumns, seed: number, paths: number, options: RunPathsOptions = {}): Promise<PathSummary[]> {
  const workers = Math.min(paths, options.workers ?? availableParallelism());
  const out = new Array<PathSummary>(paths);
  if (workers <= 0) {
    const sim = options.simulate ?? (await import('../engine/simulate.ts')).simulate;
    for (let p = 0; p < paths; p++) {
      if (options.signal?.aborted) throw new CancelledError();
      out[p] = runPath(scenario, tail, seed, p, sim);
      options.onProgress?.(p + 1, paths);
      // let an abort or a UI message through between paths
      await new Promise<void>((r) => setImmediate(r));
    }
    return out;
  }
  const init: WorkerInit = { scenario, tail, seed };
  const script = workerFile('mc-worker');
  const pool: WorkerClient<McMethods>[] = [];
  for (let i = 0; i < workers; i++) pool.push(new WorkerClient<McMethods>(script, { name: 'a Monte Carlo worker', workerData: init }));
  let next = 0;
  let done = 0;
  // paths are not cancellable inside: a cancel ends the workers (their calls settle as closed)
  let stopped: Error | null = null;
  const stop = (err: Error): void => {
    if (stopped !== null) return;
    stopped = err;
    for (const w of pool) void w.close();
  };
  const watch = setInterval(() => {
    if (options.signal?.aborted) stop(new CancelledError());
  }, 50);
  // each worker takes the next path as soon as it has answered one
  const drive = async (w: WorkerClient<McMethods>): Promise<void> => {
    while (next < paths && stopped === null) {
      const p = next++;
      try {
        out[p] = await w.call('path', p);
      } catch (err) {
        stop(stopped ?? new Error(`Monte Carlo path ${p} failed: ${(err as Error).message}`));
        return;
      }
      done++;
      options.onProgress?.(done, paths);
      if (options.signal?.aborted) stop(new CancelledError());
    }
  };
  try {
    await Promise.all(pool.map(drive));
  } finally {
    clearInterval(watch);
    for (const w of pool) void w.close();
  }
  if (stopped !== null) throw stopped;
  return out;
}
