import { CountWindow } from '../windows.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

/** Windows handed back by finished passes, by lifetime (24 h, or 24 h and the platform's edge). */
const spareWindows = new Map<number, CountWindow[]>();
const MAX_SPARE = 4096;

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
    this.windows.push(limit === UNLIMITED || !checked ? null : this.window(limit));
  }

  /** A window of this lifetime: one a finished pass handed back (`handBack`), emptied (it grows as needed), or a new one. */
  private window(limit: number): CountWindow {
    const spare = spareWindows.get(this.lifetimeMs)?.pop();
    if (spare === undefined) return new CountWindow(this.lifetimeMs, Math.min(limit, 1024));
    spare.clear();
    return spare;
  }

  /**
   * Gives the windows to the next pass on this thread, which would make as many (hundreds, one a
   * trigger, each edit): for a pass that is over and reads them no more.
   */
  handBack(): void {
    let spares = spareWindows.get(this.lifetimeMs);
    if (spares === undefined) {
      spares = [];
      spareWindows.set(this.lifetimeMs, spares);
    }
    for (const w of this.windows) if (w !== null && spares.length < MAX_SPARE) spares.push(w);
    this.windows.length = 0;
    this.limits.length = 0;
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
