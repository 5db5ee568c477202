import { UNLIMITED } from '../plan.ts';
import { CountWindow } from '../windows.ts';

/**
 * A throttle (SPEC section 9 rule 7): at most `limit` admitted entries in a sliding window, one
 * window per actor (an API key, a user) or one for the whole workspace. A refused attempt records
 * nothing. `lifetimeMs` is the window's length plus the profile's edge (an entry admitted at `s`
 * stops counting at `s + lifetimeMs`).
 */
export class Throttle {
  readonly limit: number;
  readonly lifetimeMs: number;
  /** the most entries one actor held at an admission */
  peak = 0;
  /** the highest count a check compared with the limit; -Infinity if never checked */
  checked = Number.NEGATIVE_INFINITY;
  private readonly windows: (CountWindow | undefined)[] = [];

  constructor(limit: number, lifetimeMs: number) {
    this.limit = limit;
    this.lifetimeMs = lifetimeMs;
  }

  get on(): boolean {
    return this.limit !== UNLIMITED;
  }

  private window(actor: number): CountWindow {
    let w = this.windows[actor];
    if (w === undefined) {
      w = new CountWindow(this.lifetimeMs);
      this.windows[actor] = w;
    }
    return w;
  }

  /** Whether `actor` is refused at `t`. */
  refuses(actor: number, t: number): boolean {
    const w = this.window(actor);
    w.evict(t);
    if (w.size > this.checked) this.checked = w.size;
    return w.size >= this.limit;
  }

  admit(actor: number, t: number): void {
    const w = this.window(actor);
    w.push(t);
    if (w.size > this.peak) this.peak = w.size;
  }

  /** The earliest instant from `t` on when `actor` passes again, with no new entries. */
  retryAt(actor: number, t: number): number {
    const w = this.window(actor);
    w.evict(t);
    if (w.size < this.limit) return t;
    if (this.limit === 0) return UNLIMITED;
    // the count falls below the limit when its (size - limit + 1)-th oldest entry leaves
    return w.at(w.size - this.limit) + this.lifetimeMs;
  }

  /** The first moment after `t` when an entry of any actor stops counting. */
  firstExpiryAfter(t: number): number {
    let next = UNLIMITED;
    for (const w of this.windows) if (w !== undefined) next = Math.min(next, w.firstExpiryAfter(t));
    return next;
  }
}
