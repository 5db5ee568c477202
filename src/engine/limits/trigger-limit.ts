const UNLIMITED = Number.POSITIVE_INFINITY;

/** `TriggerLimits.meta`'s slots, a trigger's eight from `g << 3` */
const OFF = 0;
const MASK = 1;
const HEAD = 2;
const SIZE = 3;
const LIMIT = 4;
const STRIDE_SHIFT = 3;
/** the offset of a trigger with no window */
const NONE = -1;
/** a count no window reaches (its ring would take 16 GB): the limit of one set higher */
const MAX_LIMIT = 0x7fffffff;

/** The tables a finished pass handed back, by lifetime (24 h, or 24 h and the platform's edge). */
interface Tables {
  meta: Int32Array;
  ring: Float64Array;
}
const spareTables = new Map<number, Tables>();

/**
 * Each trigger's own limit (SPEC sections 2 and 4): its admitted runs in a sliding 24 h window,
 * `>= limit` refuses. The limit itself comes from the plan (`resolveTriggerLimit`: 42 by default on
 * fair use, and in every mode under the platform profile). A trigger without a limit, or a schedule
 * under the platform profile (never checked, section 9 rule 3), has no window at all.
 *
 * Every trigger's window is a power-of-two ring inside one shared array, and its offset, mask,
 * head, size and limit sit together in one table row. A seats edit checks a different trigger at
 * almost every run, hundreds of them: a window of its own (an object, its typed array, that
 * array's memory, and the limit in another list) cost a cache miss at each step to reach its
 * oldest entry; here a check reads one row and one entry.
 */
export class TriggerLimits {
  private meta: Int32Array;
  private ring: Float64Array;
  /** ring slots given out */
  private used = 0;
  private count = 0;
  private readonly lifetimeMs: number;

  /** `lifetimeMs`: 24 h plus the profile's edge */
  constructor(lifetimeMs: number) {
    this.lifetimeMs = lifetimeMs;
    // a finished pass's tables, when one handed them back (`handBack`): hundreds of rings an edit
    const spare = spareTables.get(lifetimeMs);
    if (spare !== undefined) {
      spareTables.delete(lifetimeMs);
      this.meta = spare.meta;
      this.ring = spare.ring;
    } else {
      this.meta = new Int32Array(16 << STRIDE_SHIFT);
      this.ring = new Float64Array(1024);
    }
  }

  /** Adds the next trigger; `checked` false: its runs are never checked nor counted here. */
  add(limit: number, checked: boolean): void {
    const g = this.count++;
    if ((g + 1) << STRIDE_SHIFT > this.meta.length) {
      const meta = new Int32Array(this.meta.length * 2);
      meta.set(this.meta);
      this.meta = meta;
    }
    const i = g << STRIDE_SHIFT;
    const meta = this.meta;
    meta[HEAD + i] = 0;
    meta[SIZE + i] = 0;
    // a limit that is no number refuses nothing, as a comparison with it never holds
    if (limit === UNLIMITED || Number.isNaN(limit) || !checked) {
      meta[OFF + i] = NONE;
      meta[MASK + i] = 0;
      meta[LIMIT + i] = MAX_LIMIT;
      return;
    }
    // a count compared with a whole number of runs: a fractional limit refuses from its ceiling on
    meta[LIMIT + i] = Math.min(Math.ceil(limit), MAX_LIMIT);
    let cap = 16;
    while (cap < Math.min(limit, 1024)) cap *= 2;
    meta[OFF + i] = this.alloc(cap);
    meta[MASK + i] = cap - 1;
  }

  /** `cap` slots of the ring, at the end of those given out. */
  private alloc(cap: number): number {
    const at = this.used;
    if (at + cap > this.ring.length) {
      let size = this.ring.length * 2;
      while (at + cap > size) size *= 2;
      const ring = new Float64Array(size);
      ring.set(this.ring.subarray(0, at));
      this.ring = ring;
    }
    this.used = at + cap;
    return at;
  }

  /**
   * Gives the tables to the next pass on this thread, which would make as many (hundreds of rings,
   * one a trigger, each edit): for a pass that is over and reads them no more.
   */
  handBack(): void {
    spareTables.set(this.lifetimeMs, { meta: this.meta, ring: this.ring });
    this.count = 0;
    this.used = 0;
  }

  limited(g: number): boolean {
    return this.meta[(g << STRIDE_SHIFT) + OFF] !== NONE;
  }

  /** Whether trigger `g`'s next run is refused at `t`. */
  refuses(g: number, t: number): boolean {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    const off = meta[OFF + i];
    if (off === NONE) return false;
    let size = meta[SIZE + i];
    if (size > 0) {
      // drops the runs that stop counting at or before `t` (one at `s` counts until `s + W`)
      const ring = this.ring;
      const cut = t - this.lifetimeMs;
      let head = meta[HEAD + i];
      if (ring[off + head] <= cut) {
        const mask = meta[MASK + i];
        do {
          head = (head + 1) & mask;
          size--;
        } while (size > 0 && ring[off + head] <= cut);
        meta[HEAD + i] = head;
        meta[SIZE + i] = size;
      }
    }
    return size >= meta[LIMIT + i];
  }

  /** Records one run (or, under the platform profile, one unit a refused run took) at `t`. */
  admit(g: number, t: number): void {
    const i = g << STRIDE_SHIFT;
    if (this.meta[OFF + i] === NONE) return;
    if (this.meta[SIZE + i] > this.meta[MASK + i]) this.grow(i);
    const meta = this.meta;
    const size = meta[SIZE + i];
    this.ring[meta[OFF + i] + ((meta[HEAD + i] + size) & meta[MASK + i])] = t;
    meta[SIZE + i] = size + 1;
  }

  /** Doubles the ring of the trigger at row `i`: a new one at the end, its runs from its start. */
  private grow(i: number): void {
    const meta = this.meta;
    const off = meta[OFF + i];
    const mask = meta[MASK + i];
    const head = meta[HEAD + i];
    const size = meta[SIZE + i];
    const at = this.alloc(2 * (mask + 1));
    const ring = this.ring;
    for (let k = 0; k < size; k++) ring[at + k] = ring[off + ((head + k) & mask)];
    meta[OFF + i] = at;
    meta[MASK + i] = 2 * (mask + 1) - 1;
    meta[HEAD + i] = 0;
  }

  /** Whether the runs counted (as of the last check) already reach the limit: the next run waits. */
  full(g: number): boolean {
    const i = g << STRIDE_SHIFT;
    return this.meta[OFF + i] !== NONE && this.meta[SIZE + i] >= this.meta[LIMIT + i];
  }

  /** The earliest instant a refused run could pass: when the oldest run counted leaves. */
  retryAt(g: number): number {
    const meta = this.meta;
    const i = g << STRIDE_SHIFT;
    const off = meta[OFF + i];
    if (off === NONE || meta[SIZE + i] === 0) return Number.POSITIVE_INFINITY;
    return this.ring[off + meta[HEAD + i]] + this.lifetimeMs;
  }

  /** The first moment after `t` when a counted run of any trigger stops counting; Infinity if none will. */
  firstExpiryAfter(t: number): number {
    const { meta, ring } = this;
    let next = UNLIMITED;
    for (let g = 0; g < this.count; g++) {
      const i = g << STRIDE_SHIFT;
      const off = meta[OFF + i];
      if (off === NONE) continue;
      const mask = meta[MASK + i];
      const head = meta[HEAD + i];
      const size = meta[SIZE + i];
      for (let k = 0; k < size; k++) {
        const end = ring[off + ((head + k) & mask)] + this.lifetimeMs;
        if (end > t) {
          if (end < next) next = end;
          break;
        }
      }
    }
    return next;
  }
}
