import type { Signal } from '../workers/foreground.ts';
import module from 'node:module';
import { availableParallelism } from 'node:os';
import type { EventColumns } from '../engine/events.ts';
import { CancelledError } from '../errors.ts';
import { drawFromBlock, runPathFigures } from './montecarlo.ts';
import { pathBlock } from './path-block.ts';
import { workerFile } from '../worker-files.ts';
import { WorkerClient } from '../workers/client.ts';
import type { Method } from '../workers/protocol.ts';
import type { SimulateFn } from './montecarlo.ts';
import type { Scenario } from './scenario.ts';
import { fitSeries } from './model.ts';
import type { SeriesModel } from './model.ts';
import { dropClaim, fitClaimed, fitClaims } from './fit-claims.ts';
import type { FitJob } from './fit-claims.ts';
import type { PathFigures, PathsJob } from './path-claims.ts';

export type { FitJob } from './fit-claims.ts';

/**
 * What every Monte Carlo worker is given before its first draw: the same for each path. The
 * history tail comes with the paths (`PathsJob`): this thread cuts it while the workers draw.
 */
export interface WorkerInit {
  scenario: Scenario;
  seed: number;
  /**
   * every path's daily draws (`pathBlock` layout), path after path, in shared memory: the
   * workers draw into it, this thread reads the bands from it, and a worker that runs another's
   * path reads that path's draws rather than drawing them again
   */
  blocks: Float64Array;
  /** per path: 1 once its block is drawn (stored after the block, read before it) */
  drawn: Int32Array;
  /**
   * The compute thread's foreground gate (src/workers/foreground.ts) when the paths are background
   * work (advice, an export's forecast): the workers then pause between paths while an edit is
   * answered, as the thread that started them does, instead of taking the cores from it.
   */
  foreground: SharedArrayBuffer | null;
}

/** The Monte Carlo worker's methods (src/entries/mc-worker.ts). */
export type McMethods = {
  /** fits these series' models (asked before `init`, while the scenario is being built) */
  fit: Method<FitJob[], SeriesModel[]>;
  /**
   * fits the jobs it claims (`fitClaimed`: slot 0 of `claims` counts the jobs taken) until none
   * is left, answered as [job index, model]; asked while the main thread replays the history
   */
  fitClaimed: Method<{ jobs: FitJob[]; claims: SharedArrayBuffer }, [number, SeriesModel][]>;
  /** keeps the scenario and the seed for the draws and paths that follow */
  init: Method<WorkerInit, true>;
  /** draws these paths' daily values into the shared blocks (`WorkerInit`); answers how many */
  draws: Method<number[], number>;
  /**
   * runs this worker's share of the paths (`PathsJob`), handing each path's figures
   * (`layoutOf(scenario)`) over as it ends, moved rather than copied; answers how many it ran
   */
  paths: Method<PathsJob, number, PathFigures>;
};

/** Fits started ahead (`PathWorkers.fitAhead`). */
export interface FitAhead {
  /**
   * Every job's model: `real[j]` is job j as it should have been (null: as it was sent), a job
   * that differs is fitted again
   */
  finish(real: readonly (FitJob | null)[]): Promise<SeriesModel[]>;
}

export interface RunPathsOptions {
  /** worker threads; 0 = run in this thread (default: one per core, at most `paths`) */
  workers?: number;
  /** engine to use in this thread (workers always load the real engine) */
  simulate?: SimulateFn;
  onProgress?: (done: number, total: number) => void;
  /** its `foreground` gate, when it has one, is handed to the workers (`WorkerInit`) */
  signal?: Signal;
  /** started workers stay open after the run, for another run of paths (closed by that run's end or the caller) */
  keepOpen?: boolean;
}

/**
 * A run of paths, answered in two steps: every path's daily draws first (`pathParts` layout, in
 * path order), so the daily bands and the cap risk are read from them while the engine still
 * runs the paths; then every path's figures (`layoutOf(scenario)`), in path order.
 */
export interface PathsRun {
  draws: Promise<Float64Array[]>;
  figures: Promise<Float64Array[]>;
}

/**
 * Monte Carlo worker threads started ahead of the paths: they load their code while this thread
 * replays the history and fits the models, then take the scenario and run paths. Run once, then
 * closed (`run` closes them, and so does `close` when the forecast stops before its paths).
 */
export class PathWorkers {
  private readonly pool: WorkerClient<McMethods>[] = [];

  constructor(count: number) {
    const script = workerFile('mc-worker');
    withCompileCacheEnv(() => {
      for (let i = 0; i < count; i++) {
        const w = new WorkerClient<McMethods>(script, { name: 'a Monte Carlo worker' });
        w.start();
        this.pool.push(w);
      }
    });
  }

  get size(): number {
    return this.pool.length;
  }

  /**
   * Fits the series' models, shared between the workers and this thread (a fit depends only on
   * its own series, so each model is the one `fitSeries` gives here): the scenario is built in
   * a fraction of the time, while the workers would otherwise wait for it.
   */
  async fit(jobs: readonly FitJob[]): Promise<SeriesModel[]> {
    const shares = this.pool.length + 1;
    const out = new Array<SeriesModel>(jobs.length);
    const calls = this.pool.map(async (w, i) => {
      const mine: number[] = [];
      for (let j = i + 1; j < jobs.length; j += shares) mine.push(j);
      if (!mine.length) return;
      const models = await w.call('fit', mine.map((j) => jobs[j]));
      mine.forEach((j, k) => (out[j] = models[k]));
    });
    // this thread's share while the workers fit theirs
    for (let j = 0; j < jobs.length; j += shares) out[j] = fitSeries(jobs[j].values, jobs[j].start, jobs[j].options);
    try {
      await Promise.all(calls);
    } catch (err) {
      throw new Error(`a Monte Carlo worker could not fit the models: ${(err as Error).message}`, { cause: err });
    }
    return out;
  }

  /**
   * Starts fitting `jobs` on the workers at once, before this thread knows which of them it
   * wants as they are: `finish` then drops the others, fits what the workers have not taken
   * here, and refits the dropped ones with their real options. Each model is the one
   * `fitSeries` gives for its job, wherever it ran.
   */
  fitAhead(jobs: FitJob[]): FitAhead {
    const claims = fitClaims(jobs.length);
    const calls = this.pool.map((w) => w.call('fitClaimed', { jobs, claims: claims.buffer as SharedArrayBuffer }));
    // answered by `finish`; a forecast that stops before leaves them unread
    for (const c of calls) void c.catch(() => undefined);
    return {
      finish: async (real) => {
        const out = new Array<SeriesModel>(jobs.length);
        const redo: number[] = [];
        real.forEach((job, j) => {
          if (job !== null) {
            redo.push(j);
            dropClaim(claims, j);
          }
        });
        const take = (done: [number, SeriesModel][]) => {
          for (const [j, model] of done) if (real[j] === null) out[j] = model;
        };
        take(fitClaimed(jobs, claims));
        try {
          for (const done of await Promise.all(calls)) take(done);
        } catch (err) {
          throw new Error(`a Monte Carlo worker could not fit the models: ${(err as Error).message}`, { cause: err });
        }
        const again = await this.fit(redo.map((j) => real[j] as FitJob));
        redo.forEach((j, k) => (out[j] = again[k]));
        return out;
      },
    };
  }

  /**
   * Runs `paths` paths on the workers, then closes them. Worker i is sent the draws of the paths
   * i, i + n, … at once, then runs them and any the others have not started (`claimPaths`).
   */
  run(scenario: Scenario, tailOf: () => EventColumns, seed: number, paths: number, options: RunPathsOptions = {}): PathsRun {
    const draws = new Array<Float64Array>(paths);
    const figures = new Array<Float64Array>(paths);
    const pool = this.pool.slice(0, Math.max(1, Math.min(paths, this.pool.length)));
    for (const w of this.pool.slice(pool.length)) void w.close();
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
    const size = scenario.days * scenario.series.length * 2;
    const blocks = new Float64Array(new SharedArrayBuffer(8 * size * paths));
    const init: WorkerInit = { scenario, seed, blocks, drawn: new Int32Array(new SharedArrayBuffer(4 * paths)), foreground: options.signal?.foreground ?? null };
    for (let p = 0; p < paths; p++) draws[p] = blocks.subarray(p * size, (p + 1) * size);
    const lists = pool.map((_, i) => {
      const mine: number[] = [];
      for (let p = i; p < paths; p += pool.length) mine.push(p);
      return mine;
    });
    const claims = new SharedArrayBuffer(4 * paths);
    const drawCalls: Promise<void>[] = [];
    const pathCalls: Promise<void>[] = [];
    // every call is sent at once (a worker answers its calls in order, the scenario first): the
    // workers draw while this thread cuts the history tail and runs the backtest
    pool.forEach((w, me) => {
      void w.call('init', init).catch((err: unknown) => {
        stop(stopped ?? new Error(`a Monte Carlo worker could not take the scenario: ${(err as Error).message}`));
      });
      drawCalls.push(
        w.call('draws', lists[me]).then(
          () => undefined,
          (err: unknown) => stop(stopped ?? new Error(`the Monte Carlo paths could not be drawn: ${(err as Error).message}`)),
        ),
      );
    });
    const tail = tailOf();
    pool.forEach((w, me) => {
      const onEmit = ({ path, figures: row }: PathFigures): void => {
        figures[path] = row;
        done++;
        options.onProgress?.(done, paths);
        if (options.signal?.aborted) stop(new CancelledError());
      };
      pathCalls.push(
        w.call('paths', { claims, lists, me, tail }, { onEmit }).then(
          () => undefined,
          (err: unknown) => stop(stopped ?? new Error(`the Monte Carlo paths failed: ${(err as Error).message}`)),
        ),
      );
    });
    const settled = async <T>(calls: Promise<void>[], out: T): Promise<T> => {
      await Promise.all(calls);
      if (stopped !== null) throw stopped;
      return out;
    };
    const all = settled(pathCalls, figures).finally(() => {
      clearInterval(watch);
      if (options.keepOpen !== true || stopped !== null) this.close();
    });
    const run: PathsRun = { draws: settled(drawCalls, draws), figures: all };
    // a caller that stops at a failed first step leaves the second unread: not an unhandled rejection
    void run.draws.catch(() => undefined);
    void run.figures.catch(() => undefined);
    return run;
  }

  close(): void {
    for (const w of this.pool) void w.close();
  }
}

/**
 * Runs `start` (which starts worker threads) with this thread's compile cache, when it has one,
 * named in the environment the threads copy: a worker then reads even its entry module from the
 * cache, instead of loading the TypeScript stripper for it (some 0.15–0.25 s of CPU per worker,
 * taken from the main thread's replay and fit on 2 cores). The environment is restored after.
 */
function withCompileCacheEnv(start: () => void): void {
  const dir = module.getCompileCacheDir?.();
  if (dir === undefined || process.env.NODE_COMPILE_CACHE !== undefined) return start();
  process.env.NODE_COMPILE_CACHE = dir;
  try {
    start();
  } finally {
    delete process.env.NODE_COMPILE_CACHE;
  }
}

/** Worker threads for `paths` paths: one per core unless told, never more than the paths. */
export function workerCount(paths: number, workers: number | undefined): number {
  return Math.max(0, Math.min(paths, workers ?? availableParallelism()));
}

/**
 * Runs `paths` Monte Carlo paths: their draws, then their figures (`PathsRun`). Each path's
 * randomness depends only on (seed, path index), so the answer is the same for any worker count.
 * `tailOf`: the history tail the paths start from, cut once the draws are under way.
 * `started`: workers already started for this run (`PathWorkers`), else they start here.
 */
export function runPaths(
  scenario: Scenario,
  tailOf: () => EventColumns,
  seed: number,
  paths: number,
  options: RunPathsOptions = {},
  started?: PathWorkers,
): PathsRun {
  const workers = started ? started.size : workerCount(paths, options.workers);
  if (workers > 0 && paths > 0) return (started ?? new PathWorkers(workers)).run(scenario, tailOf, seed, paths, options);
  started?.close();
  // drawn ahead, as the workers do: the draws go to the bands and to the path's run
  const drawn: Float64Array[] = [];
  const draws = (async () => {
    for (let p = 0; p < paths; p++) {
      if (options.signal?.aborted) throw new CancelledError();
      drawn.push(pathBlock(scenario, seed, p));
    }
    return drawn;
  })();
  const figures = draws.then(async () => {
    const out = new Array<Float64Array>(paths);
    const tail = tailOf();
    const sim = options.simulate ?? (await import('../engine/simulate.ts')).simulate;
    for (let p = 0; p < paths; p++) {
      if (options.signal?.aborted) throw new CancelledError();
      out[p] = runPathFigures(scenario, tail, seed, p, sim, drawFromBlock(scenario, seed, p, drawn[p]));
      options.onProgress?.(p + 1, paths);
      // let an abort or a UI message through between paths
      await new Promise<void>((r) => setImmediate(r));
    }
    return out;
  });
  void figures.catch(() => undefined);
  return { draws, figures };
}
