/** `TriggerQueues.meta`'s slots, a trigger's four from `g << 2` */
const OFF = 0;
const MASK = 1;
const HEAD = 2;
const SIZE = 3;
const STRIDE_SHIFT = 2;
/** a new queue's ring: a trigger's first wait rarely holds more */
const FIRST_CAP = 16;

/** The tables a finished pass handed back (`handBack`), for the next pass on this thread. */
let spareTables: { meta: Int32Array; ring: Int32Array; peak: Int32Array } | null = null;

/**
 * Every trigger's waiting runs, oldest first, for the allowance pass (allowance-pass.ts): each
 * run's position in the processing order, nothing else (its arrival and the reason it waits are
 * its event's time and reason, which the pass reads and writes anyway).
 *
 * Every queue is a power-of-two ring inside one shared array, its offset, mask, head and size in
 * one table row. A seats edit releases a run of a different trigger at almost every wake-up,
 * hundreds of them: a queue of its own (an object, then each of its three typed arrays, then
 * their memory, one load after another) cost a cache miss at each step to reach its head; here
 * the head is one row and one entry away.
 */
export class TriggerQueues {
  private meta: Int32Array;
  private ring: Int32Array;
  /** each trigger's longest queue this pass */
  private peak: Int32Array;
  /** ring slots given out */
  private used = 0;
  private count = 0;

  constructor() {
    const spare = spareTables;
    spareTables = null;
    if (spare !== null) {
      this.meta = spare.meta;
      this.ring = spare.ring;
      this.peak = spare.peak;
    } else {
      this.meta = new Int32Array(16 << STRIDE_SHIFT);
      this.ring = new Int32Array(1024);
      this.peak = new Int32Array(16);
    }
  }

  /** Adds the next trigger's queue, empty; its ring is given out at its first run. */
  add(): void {
    const g = this.count++;
    if ((g + 1) << STRIDE_SHIFT > this.meta.length) {
      const meta = new Int32Array(this.meta.length * 2);
      meta.set(this.meta);
      this.meta = meta;
      const peak = new Int32Array(this.peak.length * 2);
      peak.set(this.peak);
      this.peak = peak;
    }
    const i = g << STRIDE_SHIFT;
    // no ring yet: a size of 0 is already past the mask, so the first push grows one
    this.meta[OFF + i] = -1;
    this.meta[MASK + i] = -1;
    this.meta[HEAD + i] = 0;
    this.meta[SIZE + i] = 0;
    this.peak[g] = 0;
  }

  size(g: number): number {
    return this.meta[(g << STRIDE_SHIFT) + SIZE];
  }

  /** The longest trigger `g`'s queue was. */
  peakOf(g: number): number {
    return this.peak[g];
  }

  /** Appends the run at position `pos`; returns the queue's size after. */
  push(g: number, pos: number): number {
    const i = g << STRIDE_SHIFT;
    if (this.meta[SIZE + i] > this.meta[MASK + i]) this.grow(i);
    const meta = this.meta;
    const size = meta[SIZE + i];
    this.ring[meta[OFF + i] + ((meta[HEAD + i] + size) & meta[MASK + i])] = pos;
    meta[SIZE + i] = size + 1;
    if (size + 1 > this.peak[g]) this.peak[g] = size + 1;
    return size + 1;
  }

  /** The head's position (the queue must not be empty). */
  headPos(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ring[meta[OFF + i] + meta[HEAD + i]];
  }

  /** The position of the k-th waiting run, 0 = the head. */
  posAt(g: number, k: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ring[meta[OFF + i] + ((meta[HEAD + i] + k) & meta[MASK + i])];
  }

  /** Drops the head (the queue must not be empty); returns the size left. */
  shift(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    meta[HEAD + i] = (meta[HEAD + i] + 1) & meta[MASK + i];
    const size = meta[SIZE + i] - 1;
    meta[SIZE + i] = size;
    return size;
  }

  /**
   * Gives the tables to the next pass on this thread: its queues grow to about the lengths this
   * pass's did, and every seats edit grew the same ones again.
   */
  handBack(): void {
    spareTables = { meta: this.meta, ring: this.ring, peak: this.peak };
    this.count = 0;
    this.used = 0;
  }

  /** A ring twice the size (FIRST_CAP for a queue without one) at the end of those given out, its runs from its start. */
  private grow(i: number): void {
    const meta = this.meta;
    const off = meta[OFF + i];
    const cap = off < 0 ? FIRST_CAP : 2 * (meta[MASK + i] + 1);
    const at = this.used;
    if (at + cap > this.ring.length) {
      let length = this.ring.length * 2;
      while (at + cap > length) length *= 2;
      const ring = new Int32Array(length);
      ring.set(this.ring.subarray(0, at));
      this.ring = ring;
    }
    this.used = at + cap;
    const ring = this.ring;
    const mask = meta[MASK + i];
    const head = meta[HEAD + i];
    const size = meta[SIZE + i];
    for (let k = 0; k < size; k++) ring[at + k] = ring[off + ((head + k) & mask)];
    meta[OFF + i] = at;
    meta[MASK + i] = cap - 1;
    meta[HEAD + i] = 0;
  }
}
