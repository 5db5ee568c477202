import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idList } from '../src/engine/events.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile } from '../src/import/importer.ts';
import type { ImportOptions } from '../src/import/importer.ts';
import { snapshot, ledgerScope } from './fixtures/ledger-helpers.ts';

/**
 * The pipelined import (parsed in a worker thread, written here) must leave exactly the ledger,
 * and report exactly what, the import parsed on one thread does.
 */
const scope = ledgerScope();
const fresh = (name: string): Ledger => scope.open(name);

/** Everything in the ledger but the import's clock time. */
function dump(l: Ledger): unknown {
  return {
    events: l.db.prepare('SELECT time, seq, type, subject, cost, ident, occ FROM events ORDER BY time, seq').raw().all(),
    ids: idList(l.readEvents().ids),
    subjects: l.db.prepare('SELECT * FROM subjects ORDER BY id').raw().all(),
    batches: l.db.prepare('SELECT id, file_name, file_size, sha256, format, rows, imported, duplicates, rejected, events, first_seq, last_seq FROM batches').raw().all(),
    indexes: l.db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name").raw().all(),
  };
}

async function both(file: string, options: ImportOptions = {}): Promise<{ piped: unknown; inThread: unknown; a: Ledger; b: Ledger }> {
  const a = fresh('piped.sqlite');
  const b = fresh('in-thread.sqlite');
  const piped = await importFile(a, file, { ...options, parseInWorker: true }).catch((e: unknown) => e);
  const inThread = await importFile(b, file, { ...options, parseInWorker: false }).catch((e: unknown) => e);
  return { piped, inThread, a, b };
}

/** ~2.5 MB: several chunks, so several batches cross between the threads */
function bigFile(rows: number, row: (i: number) => string, header = 'timestamp,type,subject,cost_usd'): string {
  const lines = [header];
  for (let i = 0; i < rows; i++) lines.push(row(i));
  return scope.tmp.write('big.csv', `\uFEFF${lines.join('\r\n')}\r\n`);
}

describe('pipelined import (parse worker)', () => {
  it('writes the same events, identities, subjects and counts as the in-thread import, with progress', async () => {
    // content identities with repeated rows (occurrence numbers), quoted subjects, three types
    // (every row is there twice or three times: occurrences .2 and .3)
    const file = bigFile(70_000, (i) => {
      const j = Math.floor(i / 3) + (i % 3 === 2 ? i % 2 : 0);
      const t = 1767225600000 + Math.floor(j / 3) * 1000;
      const type = ['api', 'trigger', 'message'][j % 3];
      return `${t},${type},"key ${j % 11}, quoted",0.${String(j % 50).padStart(4, '0')}`;
    });
    const seen: number[] = [];
    const { piped, inThread, a, b } = await both(file, { onProgress: (p) => seen.push(p.rows) });
    expect(piped).toEqual(inThread);
    expect(piped).toMatchObject({ format: 'events', rows: 70_000, imported: 70_000, rejected: 0 });
    expect(dump(a)).toEqual(dump(b));
    // rows without an id are stored as their occurrence (no identity string) and shown with it
    expect((dump(a) as { events: unknown[][] }).events.every((e) => e[5] === null)).toBe(true);
    expect((dump(a) as { events: unknown[][] }).events.some((e) => e[6] === 3)).toBe(true);
    expect((dump(a) as { ids: string[] }).ids.some((id) => id.endsWith('.3'))).toBe(true);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(70_000);
  });

  it('refuses bad rows with the same lines, columns and values, and skips them alike', async () => {
    const file = bigFile(60_000, (i) => (i === 5 ? '2026-01-01T00:00:00Z,api,k,abc,bad1' : i === 40_000 ? 'not a time,api,k,1,bad2' : `${1767225600000 + i},api,k${i % 3},1.5,${i}`), 'timestamp,type,subject,cost_usd,id');
    const refused = await both(file);
    expect(refused.piped).toBeInstanceOf(ImportRefusedError);
    expect((refused.piped as ImportRefusedError).message).toBe((refused.inThread as ImportRefusedError).message);
    expect((refused.piped as ImportRefusedError).result).toEqual((refused.inThread as ImportRefusedError).result);
    expect((refused.piped as ImportRefusedError).result.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [7, 'cost_usd', 'abc'],
      [40_002, 'timestamp', 'not a time'],
    ]);
    expect(snapshot(refused.a).events).toBe(0);
    expect(refused.a.listBatches()).toEqual([]);
    scope.closeAll();

    const skipped = await both(file, { skipBadRows: true });
    expect(skipped.piped).toEqual(skipped.inThread);
    expect(skipped.piped).toMatchObject({ rows: 60_000, imported: 59_998, rejected: 2 });
    expect(dump(skipped.a)).toEqual(dump(skipped.b));
  });

  it('reads ragged rows, blank lines, upper-case types and rows without an id alike', async () => {
    const file = bigFile(
      40_000,
      (i) =>
        i === 100 ? `${1767225600000 + i},api,k1` // a field short
        : i === 200 ? `${1767225600000 + i},api,k1,1,x${i},extra` // a field over
        : i === 300 ? '' // a blank line
        : i === 400 ? `${1767225600000 + i},API,k2,2,` // no id: its content identity
        : i === 500 ? `${1767225600000 + i},api,,abc,y` // two bad values: one error for the row
        : `${1767225600000 + i},${i % 2 ? 'api' : 'Trigger'},k${i % 5},${i % 7}.25,x${i}`,
      'timestamp,type,subject,cost_usd,id',
    );
    const { piped, inThread, a, b } = await both(file, { skipBadRows: true });
    expect(piped).toEqual(inThread);
    expect((piped as { errors: { line: number; column: string | null }[] }).errors.map((e) => [e.line, e.column])).toEqual([
      [102, 'cost_usd'],
      [202, '(extra field 6)'],
      [502, 'subject'],
    ]);
    expect(dump(a)).toEqual(dump(b));
  });

  it('refuses a file with a bad byte amid its rows alike', async () => {
    const path = bigFile(30_000, (i) => `${1767225600000 + i},api,k${i % 3},1.5`);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('k1', 400_000);
    bytes[at] = 0xff;
    writeFileSync(path, bytes);
    const { piped, inThread } = await both(path);
    expect(piped).toBeInstanceOf(ImportRefusedError);
    expect((piped as Error).message).toBe((inThread as Error).message);
    expect((piped as ImportRefusedError).result).toEqual((inThread as ImportRefusedError).result);
  });

  it('counts an id repeated within the file as the in-thread import does', async () => {
    const file = bigFile(50_000, (i) => `${1767225600000 + i},api,k,1,id${i % 49_999}`, 'timestamp,type,subject,cost_usd,id');
    const { piped, inThread, a, b } = await both(file, { skipBadRows: true });
    expect(piped).toEqual(inThread);
    expect(dump(a)).toEqual(dump(b));
  });

  it('cancels: the worker stops and the ledger is as it was', async () => {
    const file = bigFile(70_000, (i) => `${1767225600000 + i},api,k,1`);
    const l = fresh('cancel.sqlite');
    const before = snapshot(l);
    const controller = new AbortController();
    const err = await importFile(l, file, { parseInWorker: true, signal: controller.signal, onProgress: () => controller.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('CancelledError');
    expect(snapshot(l)).toEqual(before);
    expect(l.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_ident'").get()).toBeDefined();
    // and the ledger takes the same file afterwards
    const r = await importFile(l, file, { parseInWorker: true });
    expect(r.imported).toBe(70_000);
  });
});
