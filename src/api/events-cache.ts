import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
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

export function readCache(ledgerPath: string, key: string): EventColumns | null {
  let buf: Buffer;
  try {
    buf = readFileSync(cachePath(ledgerPath));
  } catch {
    return null;
  }
  try {
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as Header;
    if (header.key !== key) return null;
    const n = header.count;
    const base = pad8(4 + headerLen);
    if (buf.length !== base + n * 21) return null;
    // Copies into fresh, aligned arrays (a Buffer's own offset may not be 8-aligned), in shared
    // memory so that the compute worker lends them to its slow lane without a copy.
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    const time = sharedArray((b) => new Float64Array(b), 8 * n);
    new Uint8Array(time.buffer).set(bytes.subarray(base, base + 8 * n));
    const cost = sharedArray((b) => new Float64Array(b), 8 * n);
    new Uint8Array(cost.buffer).set(bytes.subarray(base + 8 * n, base + 16 * n));
    const subject = sharedArray((b) => new Uint32Array(b), 4 * n);
    new Uint8Array(subject.buffer).set(bytes.subarray(base + 16 * n, base + 20 * n));
    const type = sharedArray((b) => new Uint8Array(b), n);
    type.set(bytes.subarray(base + 20 * n, base + 21 * n));
    return { count: n, time, cost, subject, type, subjects: header.subjects, ids: null };
  } catch {
    return null;
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
