import { CountWindow } from '../windows.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * Each trigger's own limit (SPEC sections 2 and 4): its admitted runs in a sliding 24 h window,
 * `>= limit` refuses. The limit itself comes from the plan (`resolveTriggerLimit`: 42 by default on
 * fair use, and in every mode under the platform profile). A trigger without a limit, or a schedule
 * under the platform profile (never checked, section 9 rule 3), has no window at all.
 */
export class TriggerLimits {
  private readonly windows: (CountWindow | null)[] = [];
  private readonly limits: number[] = [];
  private readonly lifetimeMs: number;

  /** `lifetimeMs`: 24 h plus the profile's edge */
  constructor(lifetimeMs: number) {
    this.lifetimeMs = lifetimeMs;
  }

  /** Adds the next trigger; `checked` false: its runs are never checked nor counted here. */
  add(limit: number, checked: boolean): void {
    this.limits.push(limit);
    this.windows.push(limit === UNLIMITED || !checked ? null : new CountWindow(this.lifetimeMs, Math.min(limit, 1024)));
  }

  limited(g: number): boolean {
    return this.windows[g] !== null;
  }

  /** Whether trigger `g`'s next run is refused at `t`. */
  refuses(g: number, t: number): boolean {
    const w = this.windows[g];
    if (w === null) return false;
    w.evict(t);
    return w.size >= this.limits[g];
  }

  /** Records one run (or, under the platform profile, one unit a refused run took) at `t`. */
  admit(g: number, t: number): void {
    this.windows[g]?.push(t);
  }

  /** Whether the runs counted (as of the last check) already reach the limit: the next run waits. */
  full(g: number): boolean {
    const w = this.windows[g];
    return w !== null && w.size >= this.limits[g];
  }

  /** The earliest instant a refused run could pass: when the oldest run counted leaves. */
  retryAt(g: number): number {
    const w = this.windows[g];
    return w === null || w.size === 0 ? Number.POSITIVE_INFINITY : w.oldest() + w.windowMs;
  }

  firstExpiryAfter(t: number): number {
    let next = UNLIMITED;
    for (const w of this.windows) if (w !== null) next = Math.min(next, w.firstExpiryAfter(t));
    return next;
  }
}
