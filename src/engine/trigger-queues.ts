/** `TriggerQueues.meta`'s slots, a trigger's four from `g << 2` */
const OFF = 0;
const MASK = 1;
const HEAD = 2;
const SIZE = 3;
const STRIDE_SHIFT = 2;
/** a new queue's ring: a trigger's first wait rarely holds more */
const FIRST_CAP = 16;

/** an entry's 16 bytes: its arrival as a float, then its position and reason as two int32 */
const ENTRY_SHIFT = 1;
const POS = 2;
const WHY = 3;

/** The tables a finished pass handed back (`handBack`), for the next pass on this thread. */
let spareTables: { meta: Int32Array; ring: ArrayBuffer; peak: Int32Array } | null = null;

/**
 * Every trigger's waiting runs, oldest first, for the allowance pass (allowance-pass.ts): each
 * run's position in the processing order, arrival and reason, in 16 bytes. Together, as released
 * runs are read: a run is released hours or days after it arrived, when nothing of it is cached
 * any more, and reading its arrival from the events' times after its position cost a second miss
 * (8% of a seats edit).
 *
 * Every queue is a power-of-two ring inside one shared array, its offset, mask, head and size in
 * one table row. A seats edit releases a run of a different trigger at almost every wake-up,
 * hundreds of them: a queue of its own (an object, then each of its three typed arrays, then
 * their memory, one load after another) cost a cache miss at each step to reach its head; here
 * the head is one row and one entry away.
 */
export class TriggerQueues {
  private meta: Int32Array;
  /** the entries, as arrivals (`ENTRY_SHIFT`) and as int32 (`<< 2`: POS, WHY) over the same memory */
  private ring: Float64Array;
  private ringInt: Int32Array;
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
      this.ring = new Float64Array(spare.ring);
      this.ringInt = new Int32Array(spare.ring);
      this.peak = spare.peak;
    } else {
      this.meta = new Int32Array(16 << STRIDE_SHIFT);
      const ring = new ArrayBuffer(1024 << 4);
      this.ring = new Float64Array(ring);
      this.ringInt = new Int32Array(ring);
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

  /** Appends the run at position `pos`, arrived at `arrival`, waiting for reason `why`; returns the queue's size after. */
  push(g: number, pos: number, arrival: number, why: number): number {
    const i = g << STRIDE_SHIFT;
    if (this.meta[SIZE + i] > this.meta[MASK + i]) this.grow(i);
    const meta = this.meta;
    const size = meta[SIZE + i];
    const k = meta[OFF + i] + ((meta[HEAD + i] + size) & meta[MASK + i]);
    this.ring[k << ENTRY_SHIFT] = arrival;
    this.ringInt[(k << 2) + POS] = pos;
    this.ringInt[(k << 2) + WHY] = why;
    meta[SIZE + i] = size + 1;
    if (size + 1 > this.peak[g]) this.peak[g] = size + 1;
    return size + 1;
  }

  /** The head's position (the queue must not be empty). */
  headPos(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ringInt[((meta[OFF + i] + meta[HEAD + i]) << 2) + POS];
  }

  headArrival(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ring[(meta[OFF + i] + meta[HEAD + i]) << ENTRY_SHIFT];
  }

  /** the reason the head was refused when it arrived */
  headReason(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ringInt[((meta[OFF + i] + meta[HEAD + i]) << 2) + WHY];
  }

  /** the reason the k-th waiting run was refused when it arrived, 0 = the head */
  reasonAt(g: number, k: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    return this.ringInt[((meta[OFF + i] + ((meta[HEAD + i] + k) & meta[MASK + i])) << 2) + WHY];
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
    spareTables = { meta: this.meta, ring: this.ring.buffer as ArrayBuffer, peak: this.peak };
    this.count = 0;
    this.used = 0;
  }

  /** A ring twice the size (FIRST_CAP for a queue without one) at the end of those given out, its runs from its start. */
  private grow(i: number): void {
    const meta = this.meta;
    const off = meta[OFF + i];
    const cap = off < 0 ? FIRST_CAP : 2 * (meta[MASK + i] + 1);
    const at = this.used;
    if ((at + cap) << ENTRY_SHIFT > this.ring.length) {
      let entries = this.ring.length >> ENTRY_SHIFT;
      while (at + cap > entries) entries *= 2;
      const ring = new Float64Array(entries << ENTRY_SHIFT);
      ring.set(this.ring.subarray(0, at << ENTRY_SHIFT));
      this.ring = ring;
      this.ringInt = new Int32Array(ring.buffer);
    }
    this.used = at + cap;
    // as int32, four an entry: copied as floats, a pair of them could be a NaN, whose bits a copy need not keep
    const ring = this.ringInt;
    const mask = meta[MASK + i];
    const head = meta[HEAD + i];
    const size = meta[SIZE + i];
    for (let k = 0; k < size; k++) {
      const from = (off + ((head + k) & mask)) << 2;
      const to = (at + k) << 2;
      for (let w = 0; w < 4; w++) ring[to + w] = ring[from + w];
    }
    meta[OFF + i] = at;
    meta[MASK + i] = cap - 1;
    meta[HEAD + i] = 0;
  }
}
