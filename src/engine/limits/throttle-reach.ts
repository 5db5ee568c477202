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
  const senders = sendersReaching(events, order, new ActorThrottles(perMinute, perHour, minuteMs, hourMs));
  // a part's events meet one set of throttles per profile: a short list
  if (known.length >= 4) known.shift();
  known.push({ key, order, count: events.count, senders });
  return senders;
}

const reached = new WeakMap<EventColumns, { key: string; order: Uint32Array | null; count: number; senders: Uint8Array | null }[]>();

function sendersReaching(events: EventColumns, order: Uint32Array | null, throttles: ActorThrottles): Uint8Array | null {
  const { time, type, subject, count } = events;
  let senders: Uint8Array | null = null;
  for (let p = 0; p < count; p++) {
    const e = order === null ? p : order[p];
    if (type[e] !== MESSAGE) continue;
    const a = subject[e];
    if (throttles.checkAt(a, time, e) !== THROTTLE_PASSES) {
      senders ??= new Uint8Array(events.subjects.length);
      senders[a] = 1;
    }
    throttles.admitAt(a, time, e);
  }
  return senders;
}
