import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { EventColumns } from '../engine/events.ts';
import { AtomicWriter } from '../fs/atomic.ts';
import type { Ledger } from './ledger.ts';

/**
 * The events cache: a binary copy of the ledger's event columns beside the ledger
 * (`<ledger>.events-cache`), so that opening the app reads a few MB instead of walking every row.
 * It is keyed on what an import or an undo always changes (`Ledger#eventsVersionKey`); a copy
 * under another key is never read, so a stale cache costs a full read, never old events.
 *
 * Layout: a u32 (little-endian) header length, the header (JSON: key, count, subject names),
 * zeros up to a multiple of 8, then the columns one after the other: time (f64), cost (f64),
 * subject (u32), type (u8). Everything but the header is the columns' own bytes, so a reader can
 * put each straight into its memory.
 *
 * Here, below the service, because the command line writes it too: an import from the terminal
 * leaves the cache the app's first open then reads.
 */
export function cachePath(ledgerPath: string): string {
  return `${ledgerPath}.events-cache`;
}

interface Header {
  key: string;
  count: number;
  subjects: string[];
}

/** bytes per event over the four columns */
const EVENT_BYTES = 8 + 8 + 4 + 1;

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

/**
 * The header of an open cache file when it is for `key` and the file's size is exactly what its
 * count needs (a cut or lengthened file is no cache); throws on a file too short to hold one.
 */
function readLayout(fd: number, key: string): { n: number; base: number; subjects: string[] } | null {
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
  if (!Number.isInteger(n) || n < 0 || size !== base + n * EVENT_BYTES || !Array.isArray(header.subjects)) return null;
  return { n, base, subjects: header.subjects };
}

/** Where a column's bytes go: the compute worker asks for shared memory, to lend it to its slow lane. */
export type ColumnMemory = (bytes: number) => ArrayBufferLike;

const plainMemory: ColumnMemory = (bytes) => new ArrayBuffer(bytes);

/**
 * `read` over the cache for `key` and its layout; null when there is no cache, it is for other
 * events, or it is cut, lengthened or unreadable (the caller then reads the ledger).
 */
function withLayout<T>(ledgerPath: string, key: string, read: (fd: number, layout: { n: number; base: number; subjects: string[] }) => T): T | null {
  let fd: number;
  try {
    fd = openSync(cachePath(ledgerPath), 'r');
  } catch {
    return null;
  }
  try {
    const layout = readLayout(fd, key);
    return layout === null ? null : read(fd, layout);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The columns stored for `key`, or null as `withLayout` says. */
export function readEventsCache(ledgerPath: string, key: string, memory: ColumnMemory = plainMemory): EventColumns | null {
  return withLayout(ledgerPath, key, (fd, { n, base, subjects }) => {
    // each column read from the file straight into its own memory (aligned, no copy)
    const time = new Float64Array(memory(8 * n));
    readExactly(fd, new Uint8Array(time.buffer), base);
    const cost = new Float64Array(memory(8 * n));
    readExactly(fd, new Uint8Array(cost.buffer), base + 8 * n);
    const subject = new Uint32Array(memory(4 * n));
    readExactly(fd, new Uint8Array(subject.buffer), base + 16 * n);
    const type = new Uint8Array(memory(n));
    readExactly(fd, type, base + 20 * n);
    return { count: n, time, cost, subject, type, subjects, ids: null };
  });
}

/**
 * How many events the cache for `key` holds and their first and last time, from its header and
 * two of its values (a fraction of a millisecond); null as readEventsCache would be. Lets the
 * first open after an import skip the count over every row that the span otherwise costs.
 */
export function readCachedSpan(ledgerPath: string, key: string): { events: number; from: number | null; to: number | null } | null {
  return withLayout(ledgerPath, key, (fd, { n, base }) => {
    if (n === 0) return { events: 0, from: null, to: null };
    const ends = new Float64Array(1);
    readExactly(fd, new Uint8Array(ends.buffer), base);
    const from = ends[0]!;
    readExactly(fd, new Uint8Array(ends.buffer), base + 8 * (n - 1));
    return { events: n, from, to: ends[0]! };
  });
}

/**
 * Writes the cache of `events` under `key`: to a temporary file renamed into place, so a reader
 * sees the old cache or the new one, never half of one; the temporary file is removed on any
 * failure. Not fsynced: a cache lost to a power cut is only read again from the ledger.
 */
export function writeEventsCache(ledgerPath: string, key: string, events: EventColumns): void {
  const n = events.count;
  const header = Buffer.from(JSON.stringify({ key, count: n, subjects: events.subjects } satisfies Header), 'utf8');
  const lead = Buffer.alloc(pad8(4 + header.length));
  lead.writeUInt32LE(header.length, 0);
  header.copy(lead, 4);
  const bytes = (a: Float64Array | Uint32Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
  const out = new AtomicWriter(cachePath(ledgerPath), { durable: false });
  try {
    for (const part of [lead, bytes(events.time), bytes(events.cost), bytes(events.subject), bytes(events.type)]) out.write(part);
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

/** the page cache while the events are read for the cache, KiB (negative, as SQLite takes it) */
const SMALL_PAGE_CACHE = -2048;

/** What `refreshEventsCache` did. */
export interface CacheRefresh {
  /** the ledger's events as read for the cache (null when they could not be read as one version) */
  events: EventColumns | null;
  /** the version of the events that `events` are (Ledger#eventsVersionKey), when they are one */
  key: string | null;
  /** whether the cache file now holds them */
  written: boolean;
  /** why not, when not */
  error: unknown;
}

/**
 * Writes the cache for the ledger's events as they are now, after a committed import or undo, so
 * that the app's next open reads the cache rather than every row. Never throws: the import is what
 * matters, and a cache that is not written only costs that open a full read. The key is read
 * before and after the columns: every change to the events changes it, so equal keys prove the
 * columns are that version's even with another connection writing meanwhile.
 */
export function refreshEventsCache(ledger: Ledger): CacheRefresh {
  let events: EventColumns | null = null;
  let key: string | null = null;
  // The import has just filled the page cache (64 MB at 1M events), and the page reader takes a
  // copy of the file besides: emptied first, the import's peak memory grows by some 50 MB
  // instead of 100 (`headroom import` of 1M rows: 200 → 250 MB, not 300).
  const cacheSize = ledger.db.pragma('cache_size', { simple: true }) as number;
  try {
    ledger.db.pragma(`cache_size = ${SMALL_PAGE_CACHE}`);
    const before = ledger.eventsVersionKey();
    // without identities: the cache holds none, and they are a quarter of the read
    events = ledger.readEvents({ withIds: false });
    if (ledger.eventsVersionKey() !== before) return { events: null, key: null, written: false, error: new Error('the events changed while they were read') };
    key = before;
    writeEventsCache(ledger.path, key, events);
    return { events, key, written: true, error: null };
  } catch (err) {
    return { events, key, written: false, error: err };
  } finally {
    try {
      ledger.db.pragma(`cache_size = ${cacheSize}`);
    } catch {
      // a connection that broke meanwhile: its next use says so
    }
  }
}
