/**
 * Foreground before background on a machine with few cores. A thread that answers what the
 * admin is waiting for (an edit's projection) counts itself in a shared counter while it works;
 * a background thread (advice, the export preview, the profile comparison, a forecast) checks
 * the counter at the same points where it checks its cancel flag and sleeps while it is above
 * zero, so the edit gets the core instead of sharing it.
 *
 * Worker threads have no priorities in Node, so this is cooperative: the background pauses at
 * its next check (the engine checks every 65,536 events, the Monte Carlo every path).
 */

/** Slot of the count of foreground requests in flight. */
const BUSY = 0;

/** Longest a background check sleeps in one go: it then reads the cancel flag again. */
const NAP_MS = 50;

/**
 * Longest one check waits in total: a foreground that never finishes (a stuck caller) slows the
 * background down but never stops it.
 */
export const MAX_PAUSE_MS = 5000;

export function newForegroundGate(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** Runs `work` counted as foreground: background checks pause until every such work is done. */
export async function asForeground<T>(gate: SharedArrayBuffer, work: () => Promise<T>): Promise<T> {
  const busy = new Int32Array(gate);
  Atomics.add(busy, BUSY, 1);
  try {
    return await work();
  } finally {
    if (Atomics.sub(busy, BUSY, 1) === 1) Atomics.notify(busy, BUSY);
  }
}

export interface Signal {
  readonly aborted: boolean;
  /**
   * The gate a yielding signal waits on (`yieldingSignal`): threads the background work starts
   * (the Monte Carlo's path workers) are handed it and yield too.
   */
  readonly foreground?: SharedArrayBuffer | null;
}

/**
 * The background's signal: reading `aborted` first waits while foreground work runs (up to
 * MAX_PAUSE_MS), then answers the caller's cancel. A cancel during the pause is seen within
 * NAP_MS.
 */
export function yieldingSignal(cancel: Signal, gate: SharedArrayBuffer | null): Signal {
  if (gate === null) return cancel;
  const busy = new Int32Array(gate);
  return {
    foreground: gate,
    get aborted(): boolean {
      const until = performance.now() + MAX_PAUSE_MS;
      let n = Atomics.load(busy, BUSY);
      while (n > 0 && !cancel.aborted && performance.now() < until) {
        Atomics.wait(busy, BUSY, n, NAP_MS);
        n = Atomics.load(busy, BUSY);
      }
      return cancel.aborted;
    },
  };
}
