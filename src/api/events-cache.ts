import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import type { EventColumns } from '../engine/events.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { sharedArray } from './shared-events.ts';

/**
 * A binary copy of the ledger's event columns beside the ledger, so that a launch reads a few MB
 * instead of walking every row again. It is keyed on what an import or an undo always changes
 * (the event count, the last sequence number, the batches and their undo times); a stale or
 * unreadable copy is simply rebuilt.
 */
export function cachePath(ledgerPath: string): string {
  return `${ledgerPath}.events-cache`;
}

export function cacheKey(ledger: Ledger): string {
  return ledger.eventsVersionKey();
}

interface Header {
  key: string;
  count: number;
  subjects: string[];
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Reads exactly `into.length` bytes at `position`, or throws. */
function readExactly(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error('the events cache ends early');
    done += n;
  }
}

export function readCache(ledgerPath: string, key: string): EventColumns | null {
  let fd: number;
  try {
    fd = openSync(cachePath(ledgerPath), 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const lead = new Uint8Array(4);
    readExactly(fd, lead, 0);
    const headerLen = Buffer.from(lead.buffer).readUInt32LE(0);
    if (4 + headerLen > size) return null;
    const headerBytes = new Uint8Array(headerLen);
    readExactly(fd, headerBytes, 4);
    const header = JSON.parse(Buffer.from(headerBytes.buffer).toString('utf8')) as Header;
    if (header.key !== key) return null;
    const n = header.count;
    const base = pad8(4 + headerLen);
    if (!Number.isInteger(n) || n < 0 || size !== base + n * 21) return null;
    // Each column is read from the file straight into its own shared memory (aligned, no copy),
    // so that the compute worker lends them to its slow lane as they are.
    const time = sharedArray((b) => new Float64Array(b), 8 * n);
    readExactly(fd, new Uint8Array(time.buffer), base);
    const cost = sharedArray((b) => new Float64Array(b), 8 * n);
    readExactly(fd, new Uint8Array(cost.buffer), base + 8 * n);
    const subject = sharedArray((b) => new Uint32Array(b), 4 * n);
    readExactly(fd, new Uint8Array(subject.buffer), base + 16 * n);
    const type = sharedArray((b) => new Uint8Array(b), n);
    readExactly(fd, type, base + 20 * n);
    return { count: n, time, cost, subject, type, subjects: header.subjects, ids: null };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export function writeCache(ledgerPath: string, key: string, events: EventColumns): void {
  const header = Buffer.from(JSON.stringify({ key, count: events.count, subjects: events.subjects } satisfies Header), 'utf8');
  const lead = Buffer.alloc(pad8(4 + header.length));
  lead.writeUInt32LE(header.length, 0);
  header.copy(lead, 4);
  const view = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const tmp = `${cachePath(ledgerPath)}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of [lead, view(events.time), view(events.cost), view(events.subject), view(events.type)]) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, cachePath(ledgerPath));
}
