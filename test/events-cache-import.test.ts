/**
 * The events cache an import leaves beside the ledger: `headroom import` (and its `--undo`) and
 * the app's import worker write it for the events as committed, keyed exactly as the compute
 * worker reads it, so the app's first open after an import reads the cache instead of every row;
 * a cache that cannot be written never fails the import, and one left from before never serves
 * old events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { ComputeClient } from '../src/api/compute.ts';
import { cacheKey, cachePath, readCache, readCachedSpan } from '../src/api/events-cache.ts';
import { LedgerStore, importWorkerUrl } from '../src/api/ledger-store.ts';
import { runImport } from '../src/cli/commands/import.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';

const HEADER = 'timestamp,type,subject,cost_usd\n';
// out of time order, and a subject first seen late in the file but early in time: the cache must
// hold the ledger's (time, insertion) order and numbering, not the file's
const FIRST = `${HEADER}2026-10-02T10:00:00Z,api,k_b,1.25\n2026-10-01T09:00:00Z,message,u_1,\n2026-10-01T09:00:00Z,api,k_a,0.5\n2026-10-03T00:00:00Z,trigger,t_hook,0.01\n`;
const SECOND = `${HEADER}2026-09-30T08:00:00Z,api,k_c,2\n2026-10-02T10:00:00Z,api,k_b,1.25\n`;

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir('headroom-events-cache-import-');
});
afterEach(() => {
  tmp.remove();
});

/** The ledger's events and key as the compute worker would read them from SQLite. */
function fromLedger(db: string): { key: string; events: EventColumns } {
  const ledger = openLedger(db, { readonly: true });
  try {
    return { key: cacheKey(ledger), events: ledger.readEvents({ withIds: false }) };
  } finally {
    ledger.close();
  }
}

const plain = (e: EventColumns) => ({ count: e.count, time: [...e.time], cost: [...e.cost], subject: [...e.subject], type: [...e.type], subjects: e.subjects });

/** What the compute worker finds beside the ledger now: the cached columns, or null (a full read). */
function cached(db: string): ReturnType<typeof plain> | null {
  const got = readCache(db, fromLedger(db).key);
  return got === null ? null : plain(got);
}

describe('headroom import leaves the events cache the app opens with', () => {
  it('writes the committed events, keyed as the compute worker reads them, which then reads no row', async () => {
    const db = tmp.path('l.sqlite');
    const r = await runImport([tmp.write('a.csv', FIRST)], { db, json: true });
    expect(r.exitCode).toBe(0);
    const { key, events } = fromLedger(db);
    expect(events.count).toBe(4);
    expect(cached(db)).toEqual(plain(events));
    // the service's count at open, without its scan over every row
    const ledger = openLedger(db, { readonly: true });
    expect(readCachedSpan(db, key)).toEqual(ledger.span());
    ledger.close();

    // the worker takes the cache as it is: had it read the rows it would have written a new file
    const inode = statSync(cachePath(db)).ino;
    const plan = validatePlan({ workspace: { name: 'W' }, apiKeys: [{ id: 'k_b', capUsd: 1 }] });
    const worker = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    const fromRows = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    try {
      worker.setLedger(db);
      fromRows.setEvents(events);
      const overview = await worker.run('overview', plan, 'W', 0);
      expect(overview).toEqual(await fromRows.run('overview', plan, 'W', 0));
      expect(overview.keys.map((k) => k.id).sort()).toEqual(['k_a', 'k_b']);
    } finally {
      await worker.close();
      await fromRows.close();
    }
    expect(statSync(cachePath(db)).ino).toBe(inode);
  });

  it('a later import and an undo write it again; a cache from before never serves their events', async () => {
    const db = tmp.path('l.sqlite');
    expect((await runImport([tmp.write('a.csv', FIRST)], { db })).exitCode).toBe(0);
    const old = tmp.path('old.events-cache');
    copyFileSync(cachePath(db), old);

    expect((await runImport([tmp.write('b.csv', SECOND)], { db })).exitCode).toBe(0);
    const both = plain(fromLedger(db).events);
    expect(both.count).toBe(5); // one duplicate
    expect(cached(db)).toEqual(both);
    // had the second import's cache not been written, the first one's is no cache for these events
    copyFileSync(old, cachePath(db));
    expect(cached(db)).toBeNull();
    expect(readCachedSpan(db, fromLedger(db).key)).toBeNull();

    const undone = await runImport([], { db, undo: '2' });
    expect(undone.exitCode).toBe(0);
    const after = plain(fromLedger(db).events);
    expect(after.count).toBe(4);
    expect(cached(db)).toEqual(after);

    // an undo in the app (no cache written there) leaves the command line's cache stale, not wrong
    const ledger = openLedger(db);
    ledger.undoBatch(1);
    ledger.close();
    expect(fromLedger(db).events.count).toBe(0);
    expect(cached(db)).toBeNull();
  });

  it('a cache that cannot be written leaves the import committed and reported as a success, and no stray file', async () => {
    const db = tmp.path('l.sqlite');
    // a folder where the cache would go: the rename over it fails
    mkdirSync(cachePath(db));
    const r = await runImport([tmp.write('a.csv', FIRST)], { db, json: true });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout) as unknown).toMatchObject({ batch: 1, rows: 4, imported: 4, rejected: 0 });
    expect(fromLedger(db).events.count).toBe(4);
    expect(statSync(cachePath(db)).isDirectory()).toBe(true);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a preview writes no cache', async () => {
    const db = tmp.path('l.sqlite');
    expect((await runImport([tmp.write('a.csv', FIRST)], { db, preview: true })).exitCode).toBe(0);
    expect(() => statSync(cachePath(db))).toThrow();
  });
});

describe('the app’s import worker leaves the events cache too', () => {
  it('writes the committed events and still tells the service the span it imported into', async () => {
    const db = tmp.path('app.sqlite');
    const store = new LedgerStore(db, importWorkerUrl());
    try {
      const opts = { format: 'events' as const, skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal };
      await store.importFile({ path: tmp.write('a.csv', FIRST) }, opts);
      await store.importFile({ path: tmp.write('b.csv', SECOND) }, opts);
      const { events } = fromLedger(db);
      expect(cached(db)).toEqual(plain(events));
      expect(store.span()).toEqual({ events: 5, from: Date.parse('2026-09-30T08:00:00Z'), to: Date.parse('2026-10-03T00:00:00Z') });
    } finally {
      store.close();
    }
  });
});
