import { CountWindow } from '../windows.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;

export const THROTTLE_PASSES = 0;
export const THROTTLE_MINUTE = 1;
export const THROTTLE_HOUR = 2;
/** Int32 slots of an actor's record */
const STRIDE = 8;

/**
 * The per-actor throttles (SPEC section 9 rule 7): an actor (an API key, a user) is refused while
 * it has `>= perMinute` admitted entries in the last minute (`actor_minute`), else while it has
 * `>= perHour` in the last hour (`actor_hour`). A refused attempt records nothing. Lifetimes are
 * the windows' lengths plus the profile's edge (an entry at `s` stops counting at `s + lifetime`).
 *
 * Both windows count the same admissions, so each actor has one ring of its admission times with
 * two heads: the hour's (the ring's head) and the minute's (`skip` entries later). One ring and
 * one record per actor keeps a check to about two memory reads, which matters with thousands of
 * people each sending a few messages.
 */
export class ActorThrottles {
  readonly perMinute: number;
  readonly perHour: number;
  private readonly minuteMs: number;
  /** the ring's lifetime: the hour's, or the minute's when the hour is off */
  private readonly longMs: number;
  /**
   * Per actor, STRIDE slots: head, size, skip (entries in the hour but no longer in the minute),
   * mask (ring capacity - 1, -1 = no ring yet), offset of its ring in `arena`.
   */
  private meta = new Int32Array(64 * STRIDE).fill(-1);
  /** every actor's ring, one after another; a grown ring moves to the end (its old room is not reused) */
  private arena = new Float64Array(1024);
  private arenaUsed = 0;
  private actors = 0;
  /**
   * Below this many entries (counted, or not yet dropped) an actor passes both windows whatever
   * has expired: its check then reads its record alone, not its ring. Thousands of people each
   * sending a few messages an hour made that second read (a miss in the cache) most of a check.
   */
  private readonly surePass: number;
  /**
   * The instant of the call being served: the steps below read it here rather than take it as an
   * argument, since a time passed to a call that is not inlined is boxed, a new heap number for
   * each of hundreds of thousands of messages.
   */
  private readonly now = new Float64Array(1);

  constructor(perMinute: number, perHour: number, minuteMs: number, hourMs: number) {
    this.perMinute = perMinute;
    this.perHour = perHour;
    this.minuteMs = minuteMs;
    this.longMs = perHour === UNLIMITED ? minuteMs : hourMs;
    this.surePass = Math.min(perMinute, perHour);
  }

  get on(): boolean {
    return this.perMinute !== UNLIMITED || this.perHour !== UNLIMITED;
  }

  /** Moves actor `a`'s windows to `now`; false when it has no ring yet (nothing admitted). */
  private evict(a: number): boolean {
    const t = this.now[0];
    const m = this.meta;
    const i = a * STRIDE;
    if (a >= this.actors || m[i + 3] < 0) return false;
    const ring = this.arena;
    const mask = m[i + 3];
    const offset = m[i + 4];
    let head = m[i];
    let size = m[i + 1];
    let skip = m[i + 2];
    const longEnd = t - this.longMs;
    while (size > 0 && ring[offset + head] <= longEnd) {
      head = (head + 1) & mask;
      size--;
      if (skip > 0) skip--;
    }
    const minuteEnd = t - this.minuteMs;
    while (skip < size && ring[offset + ((head + skip) & mask)] <= minuteEnd) skip++;
    m[i] = head;
    m[i + 1] = size;
    m[i + 2] = skip;
    return true;
  }

  /** THROTTLE_MINUTE or THROTTLE_HOUR when actor `a` is refused at `t`, else THROTTLE_PASSES. */
  check(a: number, t: number): number {
    this.now[0] = t;
    return this.checkNow(a);
  }

  /** `check(a, times[i])`: an event's time, read here (see `now`). */
  checkAt(a: number, times: Float64Array, i: number): number {
    this.now[0] = times[i];
    return this.checkNow(a);
  }

  private checkNow(a: number): number {
    // entries only leave a window: fewer than both limits before dropping any stay so after
    if (a < this.actors) {
      // -1: no ring yet
      const held = this.meta[a * STRIDE + 1];
      if (held >= 0 && held < this.surePass) return THROTTLE_PASSES;
    }
    let size = 0;
    let inMinute = 0;
    if (this.evict(a)) {
      const i = a * STRIDE;
      size = this.meta[i + 1];
      inMinute = size - this.meta[i + 2];
    }
    if (inMinute >= this.perMinute) return THROTTLE_MINUTE;
    if (size >= this.perHour) return THROTTLE_HOUR;
    return THROTTLE_PASSES;
  }

  /**
   * Records an admission of actor `a` at `t`, after its check at `t`. That check may have left
   * expired entries in the ring (see `surePass`): a full ring drops them before it grows.
   */
  admit(a: number, t: number): void {
    this.now[0] = t;
    this.admitNow(a);
  }

  /** `admit(a, times[i])`: an event's time, read here (see `now`). */
  admitAt(a: number, times: Float64Array, i: number): void {
    this.now[0] = times[i];
    this.admitNow(a);
  }

  private admitNow(a: number): void {
    if (a >= this.actors || this.meta[a * STRIDE + 3] < 0) this.open(a);
    const m = this.meta;
    const i = a * STRIDE;
    if (m[i + 1] > m[i + 3]) {
      this.evict(a);
      if (m[i + 1] > m[i + 3]) this.grow(a);
    }
    const size = m[i + 1] + 1;
    m[i + 1] = size;
    this.arena[m[i + 4] + ((m[i] + size - 1) & m[i + 3])] = this.now[0];
  }

  /** The earliest instant from `t` on when actor `a` passes the throttle `which` again, with no new entries. */
  retryAt(a: number, t: number, which: number): number {
    this.now[0] = t;
    const has = this.evict(a);
    const i = a * STRIDE;
    const m = this.meta;
    const limit = which === THROTTLE_MINUTE ? this.perMinute : this.perHour;
    const first = which === THROTTLE_MINUTE ? m[i + 2] : 0;
    const count = has ? m[i + 1] - first : 0;
    if (count < limit) return t;
    if (limit <= 0 || !has) return UNLIMITED;
    // the count falls below the limit when its (count - limit + 1)-th oldest entry leaves
    const s = this.arena[m[i + 4] + ((m[i] + first + count - limit) & m[i + 3])];
    return s + (which === THROTTLE_MINUTE ? this.minuteMs : this.longMs);
  }

  /** The first moment after `t` when an entry of any actor stops counting in either window. */
  firstExpiryAfter(t: number): number {
    let next = UNLIMITED;
    const m = this.meta;
    for (let a = 0; a < this.actors; a++) {
      const i = a * STRIDE;
      if (m[i + 3] < 0) continue;
      for (let j = 0; j < m[i + 1]; j++) {
        const s = this.arena[m[i + 4] + ((m[i] + j) & m[i + 3])];
        if (s + this.minuteMs > t) next = Math.min(next, s + this.minuteMs);
        else if (s + this.longMs > t) next = Math.min(next, s + this.longMs);
      }
    }
    return next;
  }

  /** Room for `n` entries at the end of the arena; returns its offset. */
  private reserve(n: number): number {
    if (this.arenaUsed + n > this.arena.length) {
      const arena = new Float64Array(Math.max(this.arena.length * 2, this.arenaUsed + n));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    const offset = this.arenaUsed;
    this.arenaUsed += n;
    return offset;
  }

  private open(a: number): void {
    if (this.meta.length < (a + 1) * STRIDE) {
      const meta = new Int32Array(Math.max(this.meta.length * 2, (a + 1) * STRIDE)).fill(-1);
      meta.set(this.meta);
      this.meta = meta;
    }
    if (a >= this.actors) this.actors = a + 1;
    const i = a * STRIDE;
    this.meta[i] = 0;
    this.meta[i + 1] = 0;
    this.meta[i + 2] = 0;
    this.meta[i + 3] = 3;
    this.meta[i + 4] = this.reserve(4);
  }

  private grow(a: number): void {
    const i = a * STRIDE;
    const cap = this.meta[i + 3] + 1;
    const offset = this.reserve(cap * 2);
    const m = this.meta;
    const arena = this.arena;
    for (let j = 0; j < m[i + 1]; j++) arena[offset + j] = arena[m[i + 4] + ((m[i] + j) & m[i + 3])];
    m[i] = 0;
    m[i + 3] = cap * 2 - 1;
    m[i + 4] = offset;
  }
}

/**
 * The workspace throttle (SPEC section 9 rule 7): people's admitted messages in the last minute,
 * `>= seats × workspacePerSeatPerMinute` refuses (so with no seats every message is refused).
 */
export class WorkspaceThrottle {
  readonly limit: number;
  /** read and written in place by the allowance part's message loop (src/engine/allowance-pass.ts) */
  readonly window: CountWindow;
  peak = 0;
  /** the highest count a check compared with the limit; -Infinity if never checked */
  checked = Number.NEGATIVE_INFINITY;

  constructor(limit: number, lifetimeMs: number) {
    this.limit = limit;
    this.window = new CountWindow(lifetimeMs);
  }

  get on(): boolean {
    return this.limit !== UNLIMITED;
  }

  refuses(t: number): boolean {
    const w = this.window;
    w.evict(t);
    if (w.size > this.checked) this.checked = w.size;
    return w.size >= this.limit;
  }

  /** `refuses(times[i])`: an event's time, read here (see ActorThrottles `now`). */
  refusesAt(times: Float64Array, i: number): boolean {
    return this.refuses(times[i]);
  }

  admit(t: number): void {
    this.window.push(t);
    if (this.window.size > this.peak) this.peak = this.window.size;
  }

  /** `admit(times[i])`: an event's time, read here (see ActorThrottles `now`). */
  admitAt(times: Float64Array, i: number): void {
    this.admit(times[i]);
  }

  /** The earliest instant a refused check could pass: when the oldest entry leaves. */
  retryAt(): number {
    return this.window.size === 0 || this.limit === 0 ? UNLIMITED : this.window.oldest() + this.window.windowMs;
  }

  firstExpiryAfter(t: number): number {
    return this.window.firstExpiryAfter(t);
  }
}
