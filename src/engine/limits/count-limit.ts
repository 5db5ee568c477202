import { CountWindow } from '../windows.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * A workspace-wide count in one sliding window checked against a limit: the shape the pool and
 * the allowance share. `lifetimeMs` is the window's length plus the profile's edge (an entry
 * recorded at `s` stops counting at `s + lifetimeMs`). An unlimited one still counts, so that its
 * peak and what its check saw tell an admin what a limit would have met.
 */
export class CountLimit {
  readonly limit: number;
  readonly window: CountWindow;
  /** the most entries counted at once */
  peak = 0;
  /** the highest count a check compared with the limit; -Infinity if never checked */
  checked = Number.NEGATIVE_INFINITY;

  constructor(limit: number, lifetimeMs: number) {
    this.limit = limit;
    this.window = new CountWindow(lifetimeMs, Math.min(limit, 1 << 16));
  }

  get limited(): boolean {
    return this.limit !== UNLIMITED;
  }

  /** Whether the check refuses at `t`: `>= limit` entries counted. Records what it saw. */
  refuses(t: number): boolean {
    const w = this.window;
    w.evict(t);
    if (w.size > this.checked) this.checked = w.size;
    return w.size >= this.limit;
  }

  /** Whether a check at `t` would pass, without counting as a check. */
  hasRoom(t: number): boolean {
    this.window.evict(t);
    return this.window.size < this.limit;
  }

  /** Records one entry at `t` (an admission, or a unit a check took). */
  admit(t: number): void {
    const w = this.window;
    w.evict(t);
    w.push(t);
    if (w.size > this.peak) this.peak = w.size;
  }

  /** `admit(t)` right after a check at `t`, which already dropped what expired by then. */
  admitChecked(t: number): void {
    const w = this.window;
    w.push(t);
    if (w.size > this.peak) this.peak = w.size;
  }

  /** The earliest instant a refused check could pass: when the oldest entry counted leaves. */
  retryAt(): number {
    const w = this.window;
    return w.size === 0 ? Number.POSITIVE_INFINITY : w.oldest() + w.windowMs;
  }

  /** Entries counted at `t`. */
  usedAt(t: number): number {
    this.window.evict(t);
    return this.window.size;
  }

  get used(): number {
    return this.window.size;
  }

  firstExpiryAfter(t: number): number {
    return this.window.firstExpiryAfter(t);
  }
}
