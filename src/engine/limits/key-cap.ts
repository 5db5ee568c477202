import type { KeyEpisode } from '../result.ts';
import { SumWindow, utcDayStart } from '../windows.ts';
import { asEpochMs } from '../units.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

/**
 * API key caps (SPEC section 4): each key's admitted cost in a sliding `keyCapWindowDays` window;
 * `spent` blocks when spent >= cap, `spent_plus_cost` when spent + cost > cap. Under the platform
 * profile the window is re-based once per UTC day (section 9 rule 6): the spend of day D counts
 * through day D + keyCapWindowDays - 1 and is freed at 00:00 UTC of day D + keyCapWindowDays. That
 * is a sliding window over entries stamped with their day's start, so both are one kind of window.
 */
export class KeyCaps {
  private readonly caps: number[] = [];
  private readonly windows: SumWindow[] = [];
  private readonly windowMs: number;
  private readonly byDay: boolean;
  private readonly plusCost: boolean;
  /** per key: the highest spend (plus cost under spent_plus_cost) its check compared with the cap */
  readonly checked: number[] = [];
  /** per key: the most spend counted at once, micro-USD */
  readonly peak: number[] = [];
  /** per key: each stretch during which the cap blocked it, and when it works again */
  readonly episodes: KeyEpisode[][] = [];
  private readonly admittedSince: boolean[] = [];

  constructor(windowMs: number, byDay: boolean, plusCost: boolean) {
    this.windowMs = windowMs;
    this.byDay = byDay;
    this.plusCost = plusCost;
  }

  get count(): number {
    return this.caps.length;
  }

  /** Adds the next key; `capMicros` null: no cap (its spend is still counted). */
  add(capMicros: number | null): void {
    this.caps.push(capMicros === null ? UNLIMITED : capMicros);
    this.windows.push(new SumWindow(this.windowMs));
    this.checked.push(Number.NEGATIVE_INFINITY);
    this.peak.push(0);
    this.episodes.push([]);
    this.admittedSince.push(false);
  }

  /**
   * Forgets every key's entries, peaks and stretches, keeping the keys, their caps and their
   * buffers: a caller that replays many futures of the same keys allocates the windows once.
   */
  clear(): void {
    for (let k = 0; k < this.caps.length; k++) {
      this.windows[k].clear();
      this.checked[k] = Number.NEGATIVE_INFINITY;
      this.peak[k] = 0;
      this.episodes[k] = [];
      this.admittedSince[k] = false;
    }
  }

  capped(k: number): boolean {
    return this.caps[k] !== UNLIMITED;
  }

  /** Key `k`'s window, for charts that sample it. */
  window(k: number): SumWindow {
    return this.windows[k];
  }

  /** Whether key `k`'s cap refuses cost `c` at `t`. */
  refuses(k: number, t: number, c: number): boolean {
    const w = this.windows[k];
    w.evict(t);
    const asked = this.plusCost ? w.sum + c : w.sum;
    if (asked > this.checked[k]) this.checked[k] = asked;
    return this.plusCost ? asked > this.caps[k] : asked >= this.caps[k];
  }

  /** Counts cost `c` admitted at `t` (the window was moved to `t` by the check). */
  admit(k: number, t: number, c: number): void {
    const w = this.windows[k];
    w.push(this.byDay ? utcDayStart(t) : t, c);
    this.admittedSince[k] = true;
    if (w.sum > this.peak[k]) this.peak[k] = w.sum;
  }

  /**
   * Counts cost `c` at `t` unchecked: spend the platform already holds (a forecast's history
   * tail), which a cap set since re-decides none of (`SimulateOptions.heldBefore`).
   */
  hold(k: number, t: number, c: number): void {
    this.windows[k].evict(t);
    this.admit(k, t, c);
  }

  sum(k: number): number {
    return this.windows[k].sum;
  }

  /** When key `k`, refused cost `c`, works again with no new spend: spent < cap, or spent + c <= cap. */
  retryAt(k: number, c: number): number {
    const w = this.windows[k];
    const cap = this.caps[k];
    return this.plusCost ? w.timeSumFallsTo(cap - c) : cap > 0 ? w.timeSumFallsTo(cap - 1) : UNLIMITED;
  }

  /** Records a refusal at `t` in the key's capped-out stretches (one stretch until the key works again). */
  recordBlock(k: number, t: number, c: number): void {
    const episodes = this.episodes[k];
    const open: KeyEpisode | undefined = episodes[episodes.length - 1];
    if (open !== undefined && t < open.until && !this.admittedSince[k]) return;
    const until = this.retryAt(k, c);
    if (open !== undefined && t < open.until) open.until = asEpochMs(until);
    else episodes.push({ from: asEpochMs(t), until: asEpochMs(until) });
    this.admittedSince[k] = false;
  }

  /** The first moment after `t` when an entry of a capped key stops counting. */
  firstExpiryAfter(t: number): number {
    let next = UNLIMITED;
    for (let k = 0; k < this.windows.length; k++) {
      if (this.caps[k] !== UNLIMITED) next = Math.min(next, this.windows[k].firstExpiryAfter(t));
    }
    return next;
  }
}
