import type { EventColumns } from '../engine/events.ts';

/**
 * Event columns in shared memory: posted to another thread they are lent, not copied, so the
 * compute worker and its slow lane (src/entries/compute-slow-worker.ts) read the one copy of the events.
 */
export function sharedArray<T extends Float64Array | Uint32Array | Uint8Array>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T {
  return make(new SharedArrayBuffer(bytes));
}

const isShared = (a: ArrayBufferView): boolean => a.buffer instanceof SharedArrayBuffer;

/** `events` with its columns in shared memory (copied once when they are not already). */
export function sharedEvents(events: EventColumns): EventColumns {
  const { count, time, cost, subject, type } = events;
  if (isShared(time) && isShared(cost) && isShared(subject) && isShared(type)) return { ...events, ids: null };
  const t = sharedArray((b) => new Float64Array(b), 8 * count);
  t.set(time.subarray(0, count));
  const c = sharedArray((b) => new Float64Array(b), 8 * count);
  c.set(cost.subarray(0, count));
  const s = sharedArray((b) => new Uint32Array(b), 4 * count);
  s.set(subject.subarray(0, count));
  const y = sharedArray((b) => new Uint8Array(b), count);
  y.set(type.subarray(0, count));
  return { count, time: t, cost: c, subject: s, type: y, subjects: events.subjects, ids: null };
}
