/**
 * The app's preview of several files is a dry run of their import as a set (LedgerStore.previewSet
 * on the import worker): each file counts what the files before it hold as duplicates, exactly as
 * the page's Import then does, and nothing reaches the ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LedgerStore, importWorkerUrl } from '../src/api/ledger-store.ts';
import type { ImportSource } from '../src/api/schemas.ts';
import type { ImportSetEntry } from '../src/api/types.ts';
import { setProgressOf } from '../src/import/preview-set.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';

let tmp: TempDir;
let store: LedgerStore;

beforeEach(() => {
  tmp = tempDir('headroom-preview-set-app-');
  store = new LedgerStore(tmp.path('ledger.sqlite'), importWorkerUrl());
});

afterEach(() => {
  store.close();
  tmp.remove();
});

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const never = new AbortController().signal;

/** The counts the page shows for a file, from its preview. */
function counts(e: ImportSetEntry): { rows: number; imported: number; duplicates: number; rejected: number } {
  if (e.preview === null) throw new Error(`${e.name}: ${e.error.message}`);
  return e.preview.counts;
}

/** The page's Import: each file in order, with the ledger's state after the one before. */
async function importInOrder(sources: ImportSource[]): Promise<{ rows: number; imported: number; duplicates: number; rejected: number }[]> {
  const out = [];
  for (const source of sources) {
    const r = await store.importFile(source, { format: 'auto', skipBadRows: false, onProgress: () => {}, signal: never });
    out.push({ rows: r.rows, imported: r.imported, duplicates: r.duplicates, rejected: r.rejected });
  }
  return out;
}

describe('the Import page’s preview of several files', () => {
  const ws = dustWorkspace({ seed: 33, days: 14 });
  const [header, ...lines] = ws.consumption.trim().split('\n');
  const half = Math.floor(lines.length / 2);
  const overlap = Math.floor(half / 2);

  it('previews an overlapping consumption export and the cost export as their import counts them, writing nothing', async () => {
    const a = { path: tmp.write('consumption-a.csv', `${header}\n${lines.slice(0, half + overlap).join('\n')}\n`) };
    const b = { path: tmp.write('consumption-b.csv', `${header}\n${lines.slice(half).join('\n')}\n`) };
    const cost = { path: tmp.write('cost.csv', ws.cost[0]!) };
    // a ledger that already holds something, which the preview leaves byte for byte as it was
    await store.importFile({ name: 'other.csv', text: 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k0,1\n' }, { format: 'auto', skipBadRows: false, onProgress: () => {}, signal: never });
    const before = digest(store.path);
    const batches = store.listBatches().length;

    const seen = new Set<number>();
    const set = await store.previewSet([{ source: a }, { source: b }, { source: cost }], 'auto', {
      onProgress: (done, total, file) => {
        expect(done).toBeLessThanOrEqual(total);
        seen.add(file);
      },
    });
    expect(digest(store.path)).toBe(before);
    expect(store.listBatches()).toHaveLength(batches);
    expect(set.map((e) => e.name)).toEqual(['consumption-a.csv', 'consumption-b.csv', 'cost.csv']);
    // the progress named each file as it was read
    expect([...seen].sort()).toEqual([0, 1, 2]);
    // the second export's lines that the first holds are duplicates here, as in its import
    expect(counts(set[1]!)).toMatchObject({ rows: lines.length - half, duplicates: overlap, imported: lines.length - half - overlap });

    const imported = await importInOrder([a, b, cost]);
    expect(set.map(counts)).toEqual(imported);
  });

  it('counts a re-export of the same file as duplicates, line for line', async () => {
    const text = `${header}\n${lines.slice(0, half).join('\n')}\n`;
    const first = { path: tmp.write('consumption.csv', text) };
    const again = { path: tmp.write('consumption (1).csv', text) };
    const set = await store.previewSet([{ source: first }, { source: again }], 'auto');
    expect(counts(set[0]!)).toEqual({ rows: half, imported: half, duplicates: 0, rejected: 0 });
    expect(counts(set[1]!)).toEqual({ rows: half, imported: 0, duplicates: half, rejected: 0 });
    expect(store.eventCount()).toBe(0);
    expect(await importInOrder([first, again])).toEqual(set.map(counts));
  });

  it('answers a refused file with its name and line, and previews the next without it', async () => {
    // two exports joined, the second with its columns in another order: refused whole, at its header's line
    const joined = `${header}\n${lines.slice(0, 3).join('\n')}\n${header!.split(',').reverse().join(',')}\n${lines[3]!.split(',').reverse().join(',')}\n`;
    const bad = { path: tmp.write('joined.csv', joined) };
    const next = { path: tmp.write('consumption.csv', `${header}\n${lines.slice(0, half).join('\n')}\n`) };
    const set = await store.previewSet([{ source: bad }, { source: next }], 'auto');
    expect(set[0]).toMatchObject({ name: 'joined.csv', preview: null, error: { code: 'input_error', details: [{ file: 'joined.csv', line: 5 }] } });
    expect(set[0]!.error?.message).toMatch(/^joined\.csv:5: /);
    // the refused file's first lines are not in the ledger when the next one comes
    expect(counts(set[1]!)).toMatchObject({ imported: half, duplicates: 0 });
  });

  it('takes each file’s own mapping: a CSV to map says what it needs, then counts as mapped', async () => {
    const sheet = { path: tmp.write('usage.csv', 'Occurred;Who;Amount\n2026-10-01T10:00:00Z;ann;1,50\n2026-10-01T11:00:00Z;bob;2,00\n') };
    const again = { path: tmp.write('usage (1).csv', 'Occurred;Who;Amount\n2026-10-01T10:00:00Z;ann;1,50\n2026-10-01T11:00:00Z;bob;2,00\n') };
    const asked = await store.previewSet([{ source: sheet }, { source: again }], 'auto');
    expect(asked[0]!.preview).toMatchObject({ format: 'mapping' });
    expect(asked[0]!.preview?.missing.length).toBeGreaterThan(0);
    const mapping = { time: 'Occurred', dateFormat: 'iso', type: { value: 'message' }, subject: 'Who', cost: 'Amount', decimal: ',' };
    const mapped = await store.previewSet([{ source: sheet, mapping }, { source: again, mapping }], 'auto');
    expect(mapped.map(counts)).toEqual([
      { rows: 2, imported: 2, duplicates: 0, rejected: 0 },
      { rows: 2, imported: 0, duplicates: 2, rejected: 0 },
    ]);
    expect(store.eventCount()).toBe(0);
  });

  it('stops at a Cancel while the second file is read, the ledger as it was', async () => {
    const small = { path: tmp.write('small.csv', `${header}\n${lines.slice(0, 50).join('\n')}\n`) };
    // a few MiB: the worker reads it chunk by chunk, checking the Cancel between chunks
    const big = { path: tmp.write('big.csv', dustWorkspace({ seed: 34, days: 240 }).consumption) };
    // a new ledger's file changes when the worker checkpoints its -wal: its content is compared
    const before = store.eventsVersionKey();
    const controller = new AbortController();
    const files: number[] = [];
    const run = store.previewSet([{ source: small }, { source: big }], 'auto', {
      signal: controller.signal,
      onProgress: (_done, _total, file) => {
        files.push(file);
        if (file === 1) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(files).toContain(1);
    expect(store.eventsVersionKey()).toBe(before);
    expect(store.listBatches()).toEqual([]);
    expect(store.eventCount()).toBe(0);
  });

  it('stops at a cancel and leaves the ledger as it was', async () => {
    const big = { path: tmp.write('consumption.csv', ws.consumption) };
    const controller = new AbortController();
    controller.abort();
    await expect(store.previewSet([{ source: big }, { source: big }], 'auto', { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(store.eventCount()).toBe(0);
  });
});

describe('the set’s progress', () => {
  it('names the file whose bytes are being read, and how far into it', () => {
    expect(setProgressOf([10, 0, 5], 0)).toEqual({ file: 0, done: 0, total: 10 });
    expect(setProgressOf([10, 0, 5], 9)).toEqual({ file: 0, done: 9, total: 10 });
    // the first file read to its end: the next file with bytes has started
    expect(setProgressOf([10, 0, 5], 10)).toEqual({ file: 2, done: 0, total: 5 });
    expect(setProgressOf([10, 0, 5], 15)).toEqual({ file: 2, done: 5, total: 5 });
  });
});
