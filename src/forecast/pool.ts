import { availableParallelism } from 'node:os';
import type { EventColumns } from '../engine/events.ts';
import { CancelledError } from '../errors.ts';
import { runPathRow } from './montecarlo.ts';
import { workerFile } from '../worker-files.ts';
import { WorkerClient } from '../workers/client.ts';
import type { Method } from '../workers/protocol.ts';
import type { PathRow, SimulateFn } from './montecarlo.ts';
import type { Scenario } from './scenario.ts';

/** What every Monte Carlo worker is given before its first path: the same for each path. */
export interface WorkerInit {
  scenario: Scenario;
  tail: EventColumns;
  seed: number;
}

/** The Monte Carlo worker's methods (mc-worker.ts). */
export type McMethods = {
  /** keeps the scenario, the history tail and the seed for the paths that follow */
  init: Method<WorkerInit, true>;
  /** runs one path (its index) and answers its figures and draws, moved rather than copied */
  path: Method<number, PathRow>;
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
 * Paths asked of a worker before it has answered the earlier ones: while this thread is busy
 * (the backtest, the bands) a worker finds its next path already waiting instead of idling.
 */
const IN_FLIGHT = 2;

/**
 * Monte Carlo worker threads started ahead of the paths: they load their code while this thread
 * replays the history and fits the models, then take the scenario and run paths. Run once, then
 * closed (`run` closes them, and so does `close` when the forecast stops before its paths).
 */
export class PathWorkers {
  private readonly pool: WorkerClient<McMethods>[] = [];

  constructor(count: number) {
    const script = workerFile('mc-worker');
    for (let i = 0; i < count; i++) {
      const w = new WorkerClient<McMethods>(script, { name: 'a Monte Carlo worker' });
      w.start();
      this.pool.push(w);
    }
  }

  get size(): number {
    return this.pool.length;
  }

  /** Runs `paths` paths on the workers and returns their rows in path order; then closes them. */
  async run(scenario: Scenario, tail: EventColumns, seed: number, paths: number, options: RunPathsOptions = {}): Promise<PathRow[]> {
    const out = new Array<PathRow>(paths);
    const pool = this.pool.slice(0, Math.max(1, Math.min(paths, this.pool.length)));
    for (const w of this.pool.slice(pool.length)) void w.close();
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
    const init: WorkerInit = { scenario, tail, seed };
    // one lane takes the next path as soon as its last one is answered; each worker has IN_FLIGHT lanes
    const lane = async (w: WorkerClient<McMethods>): Promise<void> => {
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
    const drive = async (w: WorkerClient<McMethods>): Promise<void> => {
      try {
        await w.call('init', init);
      } catch (err) {
        stop(stopped ?? new Error(`a Monte Carlo worker could not take the scenario: ${(err as Error).message}`));
        return;
      }
      const lanes: Promise<void>[] = [];
      for (let i = 0; i < IN_FLIGHT; i++) lanes.push(lane(w));
      await Promise.all(lanes);
    };
    try {
      await Promise.all(pool.map(drive));
    } finally {
      clearInterval(watch);
      this.close();
    }
    if (stopped !== null) throw stopped;
    return out;
  }

  close(): void {
    for (const w of this.pool) void w.close();
  }
}

/** Worker threads for `paths` paths: one per core unless told, never more than the paths. */
export function workerCount(paths: number, workers: number | undefined): number {
  return Math.max(0, Math.min(paths, workers ?? availableParallelism()));
}

/**
 * Runs `paths` Monte Carlo paths and returns their rows (`layoutOf(scenario)`) in path order. Each path's
 * randomness depends only on (seed, path index), so the answer is the same for any worker count.
 * `started`: workers already started for this run (`PathWorkers`), else they start here.
 */
export async function runPaths(
  scenario: Scenario,
  tail: EventColumns,
  seed: number,
  paths: number,
  options: RunPathsOptions = {},
  started?: PathWorkers,
): Promise<PathRow[]> {
  const workers = started ? started.size : workerCount(paths, options.workers);
  if (workers <= 0 || paths === 0) {
    started?.close();
    const out = new Array<PathRow>(paths);
    const sim = options.simulate ?? (await import('../engine/simulate.ts')).simulate;
    for (let p = 0; p < paths; p++) {
      if (options.signal?.aborted) throw new CancelledError();
      out[p] = runPathRow(scenario, tail, seed, p, sim);
      options.onProgress?.(p + 1, paths);
      // let an abort or a UI message through between paths
      await new Promise<void>((r) => setImmediate(r));
    }
    return out;
  }
  return (started ?? new PathWorkers(workers)).run(scenario, tail, seed, paths, options);
}
