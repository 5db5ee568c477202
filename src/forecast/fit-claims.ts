import { fitSeries } from './model.ts';
import type { FitOptions, SeriesModel } from './model.ts';

/** One series to fit: its daily values, its first day and how (`fitOptions`). */
export interface FitJob {
  values: readonly number[];
  start: number;
  options: FitOptions;
}

/**
 * Fits shared between threads by claims in shared memory: slot 0 counts the jobs taken, slot
 * 1 + j is set once job j is no longer wanted (its options turned out other than assumed). A
 * thread that runs `fitClaimed` takes the next job until none is left, so the threads share the
 * fits without asking each other for work: the main thread can be busy for a second (replaying
 * the history) while the workers fit, then take what they have not.
 */
export function fitClaims(jobs: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (jobs + 1)));
}

/** Fits the jobs this thread claims, as [job index, model] (a model depends only on its job). */
export function fitClaimed(jobs: readonly FitJob[], claims: Int32Array): [number, SeriesModel][] {
  const out: [number, SeriesModel][] = [];
  for (;;) {
    const j = Atomics.add(claims, 0, 1);
    if (j >= jobs.length) return out;
    if (Atomics.load(claims, 1 + j) === 1) continue;
    out.push([j, fitSeries(jobs[j].values, jobs[j].start, jobs[j].options)]);
  }
}

/** Marks job j as no longer wanted: a thread that has not claimed it yet skips it. */
export function dropClaim(claims: Int32Array, j: number): void {
  Atomics.store(claims, 1 + j, 1);
}
