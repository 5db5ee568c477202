import type { EventColumns } from '../engine/events.ts';

/**
 * Which paths a worker runs, claimed in shared memory rather than asked for one by one: a worker
 * then never waits for this thread, which spends a second on the bands while the paths run.
 */
export interface PathsJob {
  /** the history tail every path starts from (`historyTail`) */
  tail: EventColumns;
  /** one Int32 per path: 0 = not yet run, 1 = claimed by a worker */
  claims: SharedArrayBuffer;
  /** the paths each worker drew, in order: its own first, then the others' last ones */
  lists: number[][];
  /** this worker's index in `lists` */
  me: number;
}

/** One path's figures, as a worker hands them over. */
export interface PathFigures {
  path: number;
  figures: Float64Array;
}

/**
 * The paths a worker runs, in order, each claimed before it runs: its own (drawn ahead), then,
 * once those are done, the others' last ones not yet claimed, from the back (drawing them again).
 * On a shared machine one thread can get much less time than another; the other then takes over
 * its last paths. Claims are atomic, so every path runs exactly once.
 */
export function* claimPaths(claims: Int32Array, lists: readonly (readonly number[])[], me: number): Generator<number, void, undefined> {
  for (const p of lists[me]) if (Atomics.compareExchange(claims, p, 0, 1) === 0) yield p;
  const longest = lists.reduce((m, l) => Math.max(m, l.length), 0);
  for (let k = longest - 1; k >= 0; k--) {
    for (let o = 0; o < lists.length; o++) {
      if (o === me || k >= lists[o].length) continue;
      const p = lists[o][k];
      if (Atomics.compareExchange(claims, p, 0, 1) === 0) yield p;
    }
  }
}
