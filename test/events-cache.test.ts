import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachePath, readCache, writeCache } from '../src/api/events-cache.ts';

const EVENTS = {
  count: 3,
  time: Float64Array.from([1, 2, 1.5e12]),
  type: Uint8Array.from([0, 1, 2]),
  subject: Uint32Array.from([0, 1, 1]),
  subjects: ['k_a', 't_b'],
  cost: Float64Array.from([10, 0, 2_500_000]),
  ids: null,
};

describe('the events cache beside the ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-events-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads each column straight into shared memory, which the compute worker lends without a copy', () => {
    const path = join(dir, 'shared.sqlite');
    writeCache(path, 'k1', EVENTS);
    const back = readCache(path, 'k1');
    expect(back).not.toBeNull();
    for (const column of [back!.time, back!.cost, back!.subject, back!.type]) expect(column.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...back!.time]).toEqual([...EVENTS.time]);
    expect([...back!.cost]).toEqual([...EVENTS.cost]);
    expect([...back!.subject]).toEqual([...EVENTS.subject]);
    expect([...back!.type]).toEqual([...EVENTS.type]);
  });

  it('a cut or lengthened file is no cache (the events are read again), never wrong columns', () => {
    const path = join(dir, 'torn.sqlite');
    writeCache(path, 'k1', EVENTS);
    const size = statSync(cachePath(path)).size;
    truncateSync(cachePath(path), size - 1);
    expect(readCache(path, 'k1')).toBeNull();
    writeCache(path, 'k1', EVENTS);
    appendFileSync(cachePath(path), Buffer.alloc(21));
    expect(readCache(path, 'k1')).toBeNull();
    truncateSync(cachePath(path), 2);
    expect(readCache(path, 'k1')).toBeNull();
    expect(readCache(join(dir, 'none.sqlite'), 'k1')).toBeNull();
  });
});
