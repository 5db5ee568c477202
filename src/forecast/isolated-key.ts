import { KeyCaps } from '../engine/limits/key-cap.ts';
import type { KeyEpisode } from '../engine/result.ts';
import { utcDayStart } from '../engine/windows.ts';

export interface KeyRunStats {
  /** future requests the cap refused, and their cost */
  blocked: number;
  blockedMicros: number;
  /** cost of the future requests admitted */
  admittedMicros: number;
  /** the cap's blocked stretches, as the engine records them (history tail included) */
  episodes: KeyEpisode[];
}

export interface IsolatedKeyOptions {
  capMicros: number;
  windowMs: number;
  /** platform profile: the window is re-based once per UTC day */
  byDay: boolean;
  /** `spent_plus_cost` rather than `spent` */
  plusCost: boolean;
}

/**
 * One API key on its own, when only its own cap can stop it (no workspace spend limit can be
 * reached and no throttle can refuse on this path): the engine's own cap (`KeyCaps`) fed the
 * key's history tail, then its forecast requests, each list in time order. The engine decides a
 * key's requests exactly so when nothing else binds, at a fraction of the cost of a whole pass.
 * One per key, run once per path: its window's buffers are allocated once, not per path.
 */
export class IsolatedKey {
  private readonly caps: KeyCaps;
  private readonly windowMs: number;
  private readonly byDay: boolean;
  /** the history last replayed, and what its window held at its end (null: replay it each time) */
  private savedFor: KeyHistory | null = null;
  private saved: { time: Float64Array; cost: Float64Array } | null = null;

  constructor(o: IsolatedKeyOptions) {
    this.caps = new KeyCaps(o.windowMs, o.byDay, o.plusCost);
    this.caps.add(o.capMicros);
    this.windowMs = o.windowMs;
    this.byDay = o.byDay;
  }

  run(history: KeyHistory, future: { time: ArrayLike<number>; cost: ArrayLike<number> }): KeyRunStats {
    const caps = this.caps;
    if (this.savedFor !== history) this.save(history);
    caps.clear();
    const saved = this.saved;
    if (saved) {
      // the window as the history left it (its entries in time order, all still in it)
      for (let i = 0; i < saved.time.length; i++) caps.admit(0, saved.time[i], saved.cost[i]);
    } else hold(caps, history);
    let blocked = 0;
    let blockedMicros = 0;
    let admittedMicros = 0;
    for (let i = 0; i < future.time.length; i++) {
      const t = future.time[i];
      const c = future.cost[i];
      if (caps.refuses(0, t, c)) {
        caps.recordBlock(0, t, c);
        blocked++;
        blockedMicros += c;
      } else {
        caps.admit(0, t, c);
        admittedMicros += c;
      }
    }
    return { blocked, blockedMicros, admittedMicros, episodes: caps.episodes[0] };
  }

  /**
   * Takes the history in once and keeps the entries its window still holds at the end, so each
   * path starts from them. Exact when every cost is whole µUSD (the window's sum then has no
   * rounding, in whatever order entries come and go); otherwise every path takes it in again.
   */
  private save(history: KeyHistory): void {
    const caps = this.caps;
    caps.clear();
    hold(caps, history);
    this.savedFor = history;
    this.saved = null;
    const n = history.time.length;
    let whole = true;
    for (let i = 0; i < n && whole; i++) whole = Number.isInteger(history.cost[i]);
    if (!whole) return;
    // the last check moved the window to the last entry: the entries stamped after its start remain
    const stamp = (t: number) => (this.byDay ? utcDayStart(t) : t);
    const limit = n > 0 ? history.time[n - 1] - this.windowMs : 0;
    let first = n;
    while (first > 0 && stamp(history.time[first - 1]) > limit) first--;
    const time = Float64Array.from({ length: n - first }, (_, i) => history.time[first + i]);
    const cost = Float64Array.from({ length: n - first }, (_, i) => history.cost[first + i]);
    let sum = 0;
    for (const c of cost) sum += c;
    if (sum === caps.sum(0)) this.saved = { time, cost };
  }
}

/** A key's history tail: the requests the platform admitted (the spend it holds), in time order. */
export interface KeyHistory {
  time: ArrayLike<number>;
  cost: ArrayLike<number>;
}

/**
 * The tail into the cap's window unchecked, as the engine takes it (`heldBefore`): spend the
 * platform holds, which a cap lower than the one it ran under re-decides none of.
 */
function hold(caps: KeyCaps, history: KeyHistory): void {
  for (let i = 0; i < history.time.length; i++) caps.hold(0, history.time[i], history.cost[i]);
}
