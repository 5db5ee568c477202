import { EventType, type EventColumns } from '../events.ts';
import { ActorThrottles, THROTTLE_PASSES } from './throttle.ts';

const MESSAGE = EventType.message;

/**
 * The people whose own throttles (section 9 rule 7, limits/throttle.ts `ActorThrottles`) could
 * refuse one of their messages in `events`, whatever the other limits do: 1 at their subject, or
 * null when nobody's could.
 *
 * Found by checking each message as if every earlier message of its sender had been admitted. A
 * person's throttles count only their own admitted messages, a subset of those, so a check that
 * passes here passes in any pass over these events; such a person's throttles can be left out of
 * the pass, checks and admissions both, without changing a decision. The answer depends on the
 * events and the throttles alone (not on seats), so a seats edit asks again of the same part and
 * finds it kept: people sending a few messages an hour never come near 100 a minute, and their
 * throttles were most of a platform-profile seats edit.
 */
export function throttledSenders(events: EventColumns, order: Uint32Array | null, perMinute: number, perHour: number, minuteMs: number, hourMs: number): Uint8Array | null {
  const key = `${perMinute}:${perHour}:${minuteMs}:${hourMs}`;
  let known = reached.get(events);
  if (known === undefined) {
    known = [];
    reached.set(events, known);
  }
  for (const k of known) if (k.key === key && k.order === order && k.count === events.count) return k.senders;
  const senders = sendersReaching(events, order, new ActorThrottles(perMinute, perHour, minuteMs, hourMs), minuteMs, hourMs);
  // a part's events meet one set of throttles per profile: a short list
  if (known.length >= 4) known.shift();
  known.push({ key, order, count: events.count, senders });
  return senders;
}

const reached = new WeakMap<EventColumns, { key: string; order: Uint32Array | null; count: number; senders: Uint8Array | null }[]>();

/** Events a call of the loops below takes: see `sendersReaching`. */
const BLOCK = 4096;

/**
 * Each message checked as if all before it had been admitted: first by counts in fixed buckets as
 * long as each window, which can only count more than the window does (a window is within its
 * instant's bucket and the one before), so nobody who passes that can be refused; the rings only
 * when someone does not. People sending a few messages an hour pass the first, in a tenth of the
 * time. Both in blocks, one call a block: called once per part's events, a loop of its own would
 * be compiled on the stack of its running call (on-stack replacement), in slower code until then.
 */
function sendersReaching(events: EventColumns, order: Uint32Array | null, throttles: ActorThrottles, minuteMs: number, hourMs: number): Uint8Array | null {
  const { count } = events;
  const buckets = new Buckets(events.subjects.length, throttles.perMinute, throttles.perHour, minuteMs, hourMs);
  let near = false;
  for (let p = 0; p < count && !near; p += BLOCK) near = buckets.count(events, order, p, Math.min(count, p + BLOCK));
  if (!near) return null;
  const senders = new Uint8Array(events.subjects.length);
  let any = false;
  for (let p = 0; p < count; p += BLOCK) any = ringsReach(events, order, throttles, senders, p, Math.min(count, p + BLOCK)) || any;
  return any ? senders : null;
}

/** Per person, messages in the current and the previous bucket of each window's length. */
class Buckets {
  private readonly minute: Float64Array;
  private readonly minuteNow: Int32Array;
  private readonly minuteBefore: Int32Array;
  private readonly hour: Float64Array;
  private readonly hourNow: Int32Array;
  private readonly hourBefore: Int32Array;

  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly minuteMs: number;
  private readonly hourMs: number;

  constructor(subjects: number, perMinute: number, perHour: number, minuteMs: number, hourMs: number) {
    this.perMinute = perMinute;
    this.perHour = perHour;
    this.minuteMs = minuteMs;
    this.hourMs = hourMs;
    this.minute = new Float64Array(subjects).fill(Number.NEGATIVE_INFINITY);
    this.minuteNow = new Int32Array(subjects);
    this.minuteBefore = new Int32Array(subjects);
    this.hour = new Float64Array(subjects).fill(Number.NEGATIVE_INFINITY);
    this.hourNow = new Int32Array(subjects);
    this.hourBefore = new Int32Array(subjects);
  }

  /** Counts the messages from position `from` to `to`; true as soon as one could be refused. */
  count(events: EventColumns, order: Uint32Array | null, from: number, to: number): boolean {
    const { time, type, subject } = events;
    const { minute, minuteNow, minuteBefore, hour, hourNow, hourBefore, perMinute, perHour, minuteMs, hourMs } = this;
    for (let p = from; p < to; p++) {
      const e = order === null ? p : order[p];
      if (type[e] !== MESSAGE) continue;
      const a = subject[e];
      const t = time[e];
      const m = Math.floor(t / minuteMs);
      if (m !== minute[a]) {
        minuteBefore[a] = m === minute[a] + 1 ? minuteNow[a] : 0;
        minuteNow[a] = 0;
        minute[a] = m;
      }
      const h = Math.floor(t / hourMs);
      if (h !== hour[a]) {
        hourBefore[a] = h === hour[a] + 1 ? hourNow[a] : 0;
        hourNow[a] = 0;
        hour[a] = h;
      }
      if (minuteNow[a] + minuteBefore[a] >= perMinute || hourNow[a] + hourBefore[a] >= perHour) return true;
      minuteNow[a]++;
      hourNow[a]++;
    }
    return false;
  }
}

/** The exact check, with the throttles' own rings, from position `from` to `to`: marks who is refused. */
function ringsReach(events: EventColumns, order: Uint32Array | null, throttles: ActorThrottles, senders: Uint8Array, from: number, to: number): boolean {
  const { time, type, subject } = events;
  let any = false;
  for (let p = from; p < to; p++) {
    const e = order === null ? p : order[p];
    if (type[e] !== MESSAGE) continue;
    const a = subject[e];
    if (throttles.checkAt(a, time, e) !== THROTTLE_PASSES) {
      senders[a] = 1;
      any = true;
    }
    throttles.admitAt(a, time, e);
  }
  return any;
}
