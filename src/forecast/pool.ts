import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { EventColumns } from '../engine/events.ts';
import { CancelledError } from '../errors.ts';
import { runPath } from './montecarlo.ts';
import { workerFile } from '../worker-files.ts';
import type { PathSummary, SimulateFn } from './montecarlo.ts';
import type { Scenario } from './scenario.ts';

export interface WorkerInit {
  scenario: Scenario;
  tail: EventColumns;
  seed: number;
}
export type WorkerRequest = { type: 'run'; path: number } | { type: 'stop' };
export type WorkerReply = { type: 'done'; path: number; summary: PathSummary } | { type: 'error'; path: number; message: string };

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
  const pool: Worker[] = [];
  let next = 0;
  let done = 0;
  return await new Promise<PathSummary[]>((resolve, reject) => {
    let finished = false;
    const finish = (err: Error | null) => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve(out);
    };
    const watch = setInterval(() => {
      if (options.signal?.aborted) finish(new CancelledError());
    }, 50);
    const feed = (w: Worker) => {
      if (next < paths) w.postMessage({ type: 'run', path: next++ } satisfies WorkerRequest);
    };
    for (let i = 0; i < workers; i++) {
      const w = new Worker(script, { workerData: init });
      pool.push(w);
      w.on('message', (msg: WorkerReply) => {
        if (msg.type === 'error') return finish(new Error(`Monte Carlo path ${msg.path} failed: ${msg.message}`));
        out[msg.path] = msg.summary;
        done++;
        options.onProgress?.(done, paths);
        if (done === paths) return finish(null);
        if (options.signal?.aborted) return finish(new CancelledError());
        feed(w);
      });
      w.on('error', (err) => finish(err));
      w.on('exit', (code) => {
        if (code !== 0 && !finished) finish(new Error(`Monte Carlo worker stopped with code ${code}`));
      });
      feed(w);
    }
  });
}
