import type { EventColumns } from '../engine/events.ts';
import { readEventsCache, writeEventsCache } from '../ledger/events-cache-file.ts';
import type { Ledger } from '../ledger/ledger.ts';

/**
 * The compute worker's side of the events cache beside the ledger (the file, its layout and its
 * writer are in src/ledger/events-cache-file.ts, which the command line's import uses too): read
 * into shared memory, so that the worker lends the columns to its slow lane as they are.
 */
export { cachePath, readCachedSpan } from '../ledger/events-cache-file.ts';

export function cacheKey(ledger: Ledger): string {
  return ledger.eventsVersionKey();
}

export function readCache(ledgerPath: string, key: string): EventColumns | null {
  return readEventsCache(ledgerPath, key, (bytes) => new SharedArrayBuffer(bytes));
}

export function writeCache(ledgerPath: string, key: string, events: EventColumns): void {
  writeEventsCache(ledgerPath, key, events);
}
