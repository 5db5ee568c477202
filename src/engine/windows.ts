/**
 * The limiter's windows. Each is a log of admitted entries in a power-of-two ring buffer, so a
 * check costs the entries that expired since the last one and never rescans the window.
 */

/** Sliding count: admitted entries `s` with `t - W < s <= t`. */
export class CountWindow {
  /**
   * The ring, its mask and its head are read by a loop that keeps them in locals
   * (allowance-pass.ts `messages`) and hands them back with `restore`: fields written on every
   * entry are stored to memory each time, locals stay in registers.
   */
  buf: Float64Array;
  mask: number;
  head = 0;
  size = 0;
  readonly windowMs: number;

  constructor(windowMs: number, capacity = 16) {
    this.windowMs = windowMs;
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.buf = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Empties the window, keeping its ring. */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  /** Drops entries that stop counting at or before `t` (an entry at `s` expires at `s + W`). */
  evict(t: number): void {
    const limit = t - this.windowMs;
    while (this.size > 0 && this.buf[this.head] <= limit) {
      this.head = (this.head + 1) & this.mask;
      this.size--;
    }
  }

  push(t: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & this.mask] = t;
    this.size++;
  }

  /** Time of the oldest entry still counted (the window must not be empty). */
  oldest(): number {
    return this.buf[this.head];
  }

  /** Time of the i-th entry, 0 = the oldest (i < size). */
  at(i: number): number {
    return this.buf[(this.head + i) & this.mask];
  }

  /** The first moment after `t` when an entry stops counting; Infinity if none will. */
  firstExpiryAfter(t: number): number {
    for (let i = 0; i < this.size; i++) {
      const end = this.buf[(this.head + i) & this.mask] + this.windowMs;
      if (end > t) return end;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Takes back the head and size a loop kept in locals (see `buf`). */
  restore(head: number, size: number): void {
    this.head = head;
    this.size = size;
  }

  /** Doubles the ring, its entries moved to the start (`head` 0). */
  grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

/** Sliding sum of amounts (micro-USD) with the same expiry rule. */
export class SumWindow {
  private times: Float64Array;
  private amounts: Float64Array;
  private mask: number;
  private head = 0;
  size = 0;
  sum = 0;
  readonly windowMs: number;

  constructor(windowMs: number, capacity = 16) {
    this.windowMs = windowMs;
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.times = new Float64Array(cap);
    this.amounts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Empties the window, keeping its buffers. */
  clear(): void {
    this.head = 0;
    this.size = 0;
    this.sum = 0;
  }

  evict(t: number): void {
    const limit = t - this.windowMs;
    while (this.size > 0 && this.times[this.head] <= limit) {
      this.sum -= this.amounts[this.head];
      this.head = (this.head + 1) & this.mask;
      this.size--;
    }
  }

  push(t: number, amount: number): void {
    if (this.size === this.times.length) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.times[i] = t;
    this.amounts[i] = amount;
    this.size++;
    this.sum += amount;
  }

  oldest(): number {
    return this.times[this.head];
  }

  firstExpiryAfter(t: number): number {
    for (let i = 0; i < this.size; i++) {
      const end = this.times[(this.head + i) & this.mask] + this.windowMs;
      if (end > t) return end;
    }
    return Number.POSITIVE_INFINITY;
  }

  /**
   * The first moment the sum drops to `target` or below, with no new entries: entries leave in
   * time order, so walk them from the oldest. Infinity when it never does.
   */
  timeSumFallsTo(target: number): number {
    if (this.sum <= target) return Number.NEGATIVE_INFINITY;
    let remaining = this.sum;
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) & this.mask;
      remaining -= this.amounts[j];
      if (remaining <= target) return this.times[j] + this.windowMs;
    }
    return Number.POSITIVE_INFINITY;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    const amounts = new Float64Array(n);
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) & this.mask;
      times[i] = this.times[j];
      amounts[i] = this.amounts[j];
    }
    this.times = times;
    this.amounts = amounts;
    this.mask = n - 1;
    this.head = 0;
  }
}

/** Start of the UTC day holding `t`. */
export function utcDayStart(t: number): number {
  return t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
}

export function nextUtcMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * A spend limit's window: a fixed calendar period (UTC day or month) that resets at its end, or a
 * rolling 30 days.
 */
export interface SpendWindow {
  /** admitted spend counted at `t` (moves the window to `t`) */
  spentAt(t: number): number;
  add(t: number, amount: number): void;
  /** earliest moment after `t` when the spend counted can fall, or Infinity if nothing would */
  nextRelease(t: number): number;
  /** first moment after `t` when an entry leaves a sliding window (calendar periods: Infinity) */
  firstExpiryAfter(t: number): number;
  /** first moment from `t` on when the spend counted is at most `target`, with no new spend */
  timeSpentFallsTo(t: number, target: number): number;
  readonly sum: number;
}

export class CalendarSpendWindow implements SpendWindow {
  sum = 0;
  private periodEnd = Number.NEGATIVE_INFINITY;
  private readonly endOf: (t: number) => number;

  constructor(kind: 'utc-day' | 'calendar-month') {
    this.endOf = kind === 'utc-day' ? (t) => utcDayStart(t) + 86_400_000 : nextUtcMonthStart;
  }

  spentAt(t: number): number {
    if (t >= this.periodEnd) {
      this.sum = 0;
      this.periodEnd = this.endOf(t);
    }
    return this.sum;
  }

  add(t: number, amount: number): void {
    this.spentAt(t);
    this.sum += amount;
  }

  nextRelease(t: number): number {
    return this.spentAt(t) > 0 ? this.endOf(t) : Number.POSITIVE_INFINITY;
  }

  timeSpentFallsTo(t: number, target: number): number {
    if (this.spentAt(t) <= target) return t;
    return target >= 0 ? this.endOf(t) : Number.POSITIVE_INFINITY;
  }

  /** Calendar periods end at UTC midnights, which are instants anyway. */
  firstExpiryAfter(): number {
    return Number.POSITIVE_INFINITY;
  }

}

export class RollingSpendWindow implements SpendWindow {
  private readonly log: SumWindow;

  constructor(windowMs: number) {
    this.log = new SumWindow(windowMs);
  }

  get sum(): number {
    return this.log.sum;
  }

  spentAt(t: number): number {
    this.log.evict(t);
    return this.log.sum;
  }

  add(t: number, amount: number): void {
    this.log.evict(t);
    this.log.push(t, amount);
  }

  nextRelease(t: number): number {
    this.log.evict(t);
    return this.log.sum > 0 ? this.log.oldest() + this.log.windowMs : Number.POSITIVE_INFINITY;
  }

  firstExpiryAfter(t: number): number {
    return this.log.firstExpiryAfter(t);
  }

  timeSpentFallsTo(t: number, target: number): number {
    this.log.evict(t);
    return Math.max(t, this.log.timeSumFallsTo(target));
  }
}
