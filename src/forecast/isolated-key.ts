import { KeyCaps } from '../engine/limits/key-cap.ts';
import type { KeyEpisode } from '../engine/result.ts';

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

  constructor(o: IsolatedKeyOptions) {
    this.caps = new KeyCaps(o.windowMs, o.byDay, o.plusCost);
    this.caps.add(o.capMicros);
  }

  run(history: { time: ArrayLike<number>; cost: ArrayLike<number> }, future: { time: ArrayLike<number>; cost: ArrayLike<number> }): KeyRunStats {
    const caps = this.caps;
    caps.clear();
    // the tail holds entries the history admitted: replayed, the window never holds more than it did
    for (let i = 0; i < history.time.length; i++) {
      const t = history.time[i];
      const c = history.cost[i];
      if (caps.refuses(0, t, c)) caps.recordBlock(0, t, c);
      else caps.admit(0, t, c);
    }
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
}
