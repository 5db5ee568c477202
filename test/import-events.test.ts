import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile, previewImport } from '../src/import/importer.ts';
import { eventsOf, snapshot, ledgerScope } from './fixtures/ledger-helpers.ts';

const HEADER = 'timestamp,type,subject,cost_usd\n';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

describe('importing the canonical events CSV', () => {
  it('reads BOM, CRLF, quoted commas and newlines, offsets and epoch milliseconds', async () => {
    const file = scope.tmp.write(
      'events.csv',
      '\uFEFFtimestamp,type,subject,cost_usd\r\n' +
        '2026-01-05T10:00:00Z,api,"key, with comma",1.5\r\n' +
        '2026-01-05T12:30:00+02:00,trigger,"multi\r\nline",\r\n' +
        '1767607200000,message,u1,\r\n' +
        '2026-01-05T09:00:00.1234Z,api,k2,0.0000005\r\n',
    );
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ file: 'events.csv', format: 'events', rows: 4, imported: 4, duplicates: 0, rejected: 0, errors: [] });
    expect(eventsOf(ledger).map(({ id: _id, ...e }) => e)).toEqual([
      { time: '2026-01-05T09:00:00.123Z', type: 'api', subject: 'k2', cost: 1 },
      { time: '2026-01-05T10:00:00.000Z', type: 'api', subject: 'key, with comma', cost: 1_500_000 },
      { time: '2026-01-05T10:00:00.000Z', type: 'message', subject: 'u1', cost: 0 },
      { time: '2026-01-05T10:30:00.000Z', type: 'trigger', subject: 'multi\r\nline', cost: 0 },
    ]);
  });

  it('keeps input order between equal timestamps, across files too', async () => {
    await importFile(ledger, scope.tmp.write('a.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,b,1\n2026-01-05T10:00:00Z,api,a,1\n'));
    await importFile(ledger, scope.tmp.write('b.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,c,1\n2026-01-05T09:00:00Z,api,z,1\n'));
    expect(eventsOf(ledger).map((e) => e.subject)).toEqual(['z', 'b', 'a', 'c']);
  });

  it('imports identical rows of one file as distinct events, and nothing twice', async () => {
    const text = 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,message,u1,\n2026-01-05T10:00:00Z,message,u1,\n2026-01-05T10:00:00Z,message,u1,\n';
    const first = await importFile(ledger, scope.tmp.write('a.csv', text));
    expect(first).toMatchObject({ rows: 3, imported: 3, duplicates: 0 });
    const again = await importFile(ledger, scope.tmp.write('a-again.csv', text));
    expect(again).toMatchObject({ rows: 3, imported: 0, duplicates: 3 });
    // the same content written differently (offset, trailing zeros) is the same row
    const same = await importFile(ledger, scope.tmp.write('b.csv', 'type,subject,timestamp,cost_usd\nmessage,u1,2026-01-05T11:00:00.000+01:00,\n'));
    expect(same).toMatchObject({ rows: 1, imported: 0, duplicates: 1 });
    expect(ledger.summary().events).toBe(3);
  });

  it('gives content identities that sort like the times, with the occurrence number for repeats', async () => {
    const times = [0, 1, 63, 64, 4095, 1767225600000, 1767225600001, 4102444800000];
    const body = times.map((t) => `${t},message,u1,`).join('\n');
    await importFile(ledger, scope.tmp.write('t.csv', `timestamp,type,subject,cost_usd\n${body}\n${times[3]},message,u1,\n`));
    const ids = eventsOf(ledger).map((e) => e.id!);
    expect(ids).toHaveLength(times.length + 1);
    const firsts = ids.filter((id) => !id.includes('.'));
    expect([...firsts].sort()).toEqual(firsts);
    expect(ids.filter((id) => id.endsWith('.2'))).toHaveLength(1);
    expect(ids.every((id) => /^~[-0-9A-Za-z_]{16}(\.\d+)?$/.test(id))).toBe(true);
  });

  it('imports overlapping exports cleanly', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `2026-01-0${i + 1}T10:00:00Z,api,k1,${i + 1}.25`);
    const header = 'timestamp,type,subject,cost_usd\n';
    await importFile(ledger, scope.tmp.write('jan1-4.csv', header + rows.slice(0, 4).join('\n')));
    const r = await importFile(ledger, scope.tmp.write('jan3-6.csv', header + rows.slice(2).join('\n')));
    expect(r).toMatchObject({ rows: 4, imported: 2, duplicates: 2 });
    expect(eventsOf(ledger).map((e) => e.cost)).toEqual([1_250_000, 2_250_000, 3_250_000, 4_250_000, 5_250_000, 6_250_000]);
  });

  it('uses the id column as identity when there is one', async () => {
    const header = 'id,timestamp,type,subject,cost_usd\n';
    await importFile(ledger, scope.tmp.write('a.csv', `${header}e1,2026-01-05T10:00:00Z,api,k1,1\ne2,2026-01-05T10:00:00Z,api,k1,1\n`));
    const r = await importFile(ledger, scope.tmp.write('b.csv', `${header}e2,2026-01-05T10:00:00Z,api,k1,1\ne3,2026-01-06T10:00:00Z,api,k1,2\n`));
    expect(r).toMatchObject({ imported: 1, duplicates: 1 });
    expect(eventsOf(ledger).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
  });

  it('counts an id repeated inside one file with the same content as a duplicate, also as the first import into an empty ledger', async () => {
    const header = 'id,timestamp,type,subject,cost_usd\n';
    // the repeat writes the same content differently (offset, trailing zeros)
    const r = await importFile(ledger, scope.tmp.write('a.csv', `${header}e1,2026-01-05T10:00:00Z,api,k1,1\ne2,2026-01-05T11:00:00Z,api,k1,1\ne1,2026-01-05T11:00:00+01:00,api,k1,1.00\n`));
    expect(r).toMatchObject({ rows: 3, imported: 2, duplicates: 1, rejected: 0, events: 2 });
    expect(eventsOf(ledger).map((e) => [e.id, e.cost])).toEqual([
      ['e1', 1_000_000],
      ['e2', 1_000_000],
    ]);
    expect(ledger.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'events_ident'").pluck().get()).toBe(1);
  });

  it('refuses an id repeated inside one file with different content (QA F23), imports the rest with --skip-bad-rows', async () => {
    const text = 'id,timestamp,type,subject,cost_usd\n,2026-01-05T10:00:00Z,api,k,1\nx,2026-01-05T10:00:00Z,api,k,1\nx,2026-01-05T10:00:01Z,api,k,1\n';
    const before = snapshot(ledger);
    const err = await importFile(ledger, scope.tmp.write('o.csv', text)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect((err as ImportRefusedError).result.errors).toEqual([
      { line: 4, column: 'id', value: 'x', message: 'repeats the id of an earlier row of this file with different content (time, type, subject or cost)' },
    ]);
    expect(snapshot(ledger)).toEqual(before);
    const r = await importFile(ledger, scope.tmp.path('o.csv'), { skipBadRows: true });
    expect(r).toMatchObject({ rows: 3, imported: 2, duplicates: 0, rejected: 1, errors: [{ line: 4, column: 'id', value: 'x' }] });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00.000Z']);
  });

  it('lists a repeated id among other bad rows in line order, counting the same-content repeat as a duplicate', async () => {
    await importFile(ledger, scope.tmp.write('seed.csv', `${HEADER}2026-01-01T00:00:00Z,api,seed,1\n`));
    const text = `id,timestamp,type,subject,cost_usd\nx,2026-01-05T10:00:00Z,api,k,1\nx,2026-01-05T10:00:00Z,api,k,1\nx,2026-01-05T10:00:00Z,api,k2,1\ny,2026-01-05T10:00:00Z,api,k,abc\nz,2026-01-05T11:00:00Z,api,k,1\n`;
    const p = await previewImport(ledger, scope.tmp.write('r.csv', text));
    expect(p).toMatchObject({ rows: 5, imported: 2, duplicates: 1, rejected: 2 });
    expect(p.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [4, 'id', 'x'],
      [5, 'cost_usd', 'abc'],
    ]);
    const r = await importFile(ledger, scope.tmp.path('r.csv'), { skipBadRows: true });
    expect(r).toMatchObject({ rows: 5, imported: 2, duplicates: 1, rejected: 2, events: 2 });
  });

  it('an id already imported from another file stays a duplicate whatever its content (overlapping exports)', async () => {
    await importFile(ledger, scope.tmp.write('a.csv', 'id,timestamp,type,subject,cost_usd\nx,2026-01-05T10:00:00Z,api,k,1\n'));
    const r = await importFile(ledger, scope.tmp.write('b.csv', 'id,timestamp,type,subject,cost_usd\nx,2026-01-05T10:00:00Z,api,k,2\ny,2026-01-05T11:00:00Z,api,k,1\n'));
    expect(r).toMatchObject({ rows: 2, imported: 1, duplicates: 1, rejected: 0, errors: [] });
  });

  it('the same check holds for a mapped file with an id column', async () => {
    const mapping = { time: 'when', dateFormat: 'iso', type: { value: 'api' }, subject: 'key', cost: 'usd', id: 'ref' };
    const err = await importFile(ledger, scope.tmp.write('m.csv', 'ref,when,key,usd\nr1,2026-01-05T10:00:00Z,k,1\nr1,2026-01-05T10:00:00Z,k,3\n'), { mapping }).catch((e: unknown) => e);
    expect((err as ImportRefusedError).result.errors).toMatchObject([{ line: 3, column: 'id', value: 'r1' }]);
  });

  it('refuses a file with a bad row whole, naming line, column and value; the ledger is unchanged', async () => {
    await importFile(ledger, scope.tmp.write('ok.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
    const before = snapshot(ledger);
    const bad = scope.tmp.write('bad.csv', 'timestamp,type,subject,cost_usd\n2026-01-06T10:00:00Z,api,k1,1\n"2026-01-06T11:00:00Z",api,"k\n2",abc\n2026-01-06T12:00:00Z,api,k1,2\n');
    const err = await importFile(ledger, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    const refused = err as ImportRefusedError;
    expect(refused.result.errors).toEqual([{ line: 3, column: 'cost_usd', value: 'abc', message: 'is not a number' }]);
    expect(refused.message).toContain('bad.csv:3: cost_usd "abc" is not a number');
    expect(snapshot(ledger)).toEqual(before);
  });

  it('with skipBadRows imports the good rows and lists the bad ones by physical line', async () => {
    const bad = scope.tmp.write(
      'bad.csv',
      'timestamp,type,subject,cost_usd\n2026-01-06T10:00:00Z,api,k1,1\n2026-01-06T10:00:00Z,api,"k\n2",-3\n2026-01-06,api,k1,2\n2026-01-06T12:00:00Z,api,k1\n2026-01-06T13:00:00Z,api,k1,4\n',
    );
    const r = await importFile(ledger, bad, { skipBadRows: true });
    expect(r).toMatchObject({ rows: 5, imported: 2, duplicates: 0, rejected: 3 });
    expect(r.errors).toEqual([
      { line: 3, column: 'cost_usd', value: '-3', message: 'must be >= 0' },
      { line: 5, column: 'timestamp', value: '2026-01-06', message: 'has no time of day and no time zone (write e.g. 2026-01-05T00:00:00Z)' },
      { line: 6, column: 'cost_usd', value: '2026-01-06T12:00:00Z,api,k1', message: 'has 3 fields; the header has 4' },
    ]);
    expect(eventsOf(ledger).map((e) => e.cost)).toEqual([1_000_000, 4_000_000]);
  });

  it('previews exactly what the import would do, and writes nothing', async () => {
    await importFile(ledger, scope.tmp.write('a.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
    const before = snapshot(ledger);
    const file = scope.tmp.write('b.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n2026-01-06T10:00:00Z,api,k2,2\nnope,api,k1,1\n');
    const p = await previewImport(ledger, file);
    expect(p).toMatchObject({ format: 'events', rows: 3, imported: 1, duplicates: 1, rejected: 1, batch: null });
    expect(p.errors[0]).toMatchObject({ line: 4, column: 'timestamp', value: 'nope' });
    expect(p.firstEvents.map((e) => [e.line, e.subject, e.duplicate])).toEqual([
      [2, 'k1', true],
      [3, 'k2', false],
    ]);
    expect(snapshot(ledger)).toEqual(before);
    const real = await importFile(ledger, file, { skipBadRows: true });
    expect(real).toMatchObject({ rows: p.rows, imported: p.imported, duplicates: p.duplicates, rejected: p.rejected });
  });

  it('keeps import history; undo removes a batch and its events only', async () => {
    const a = await importFile(ledger, scope.tmp.write('a.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k1,1\n'));
    const b = await importFile(ledger, scope.tmp.write('b.csv', 'timestamp,type,subject,cost_usd\n2026-01-06T10:00:00Z,api,k2,2\n2026-01-07T10:00:00Z,api,k2,2\n'));
    expect(ledger.listBatches().map((x) => [x.id, x.fileName, x.format, x.rows, x.imported, x.undoneAt])).toEqual([
      [a.batch, 'a.csv', 'events', 1, 1, null],
      [b.batch, 'b.csv', 'events', 2, 2, null],
    ]);
    expect(ledger.listBatches()[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.undoBatch(b.batch!)).toBe(2);
    expect(eventsOf(ledger).map((e) => e.subject)).toEqual(['k1']);
    expect(ledger.listBatches()[1]!.undoneAt).not.toBeNull();
    // after an undo the same rows are new again
    const again = await importFile(ledger, scope.tmp.path('b.csv'));
    expect(again).toMatchObject({ imported: 2, duplicates: 0 });
    expect(ledger.summary()).toMatchObject({ events: 3, perType: { api: 3, trigger: 0, message: 0 }, subjects: { api: 2 } });
  });

  it('reports progress in rows and bytes, and cancels leaving the ledger as it was', async () => {
    const lines = ['timestamp,type,subject,cost_usd'];
    for (let i = 0; i < 60_000; i++) lines.push(`${1767225600000 + i * 1000},api,key_${i % 7},0.${String(i).padStart(4, '0')}`);
    const file = scope.tmp.write('big.csv', `${lines.join('\n')}\n`);
    const seen: { rows: number; bytes: number; totalBytes: number }[] = [];
    const r = await importFile(ledger, file, { onProgress: (p) => seen.push(p) });
    expect(r.imported).toBe(60_000);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual({ rows: 60_000, bytes: seen.at(-1)!.totalBytes, totalBytes: seen.at(-1)!.totalBytes });
    expect(seen[0]!.rows).toBeGreaterThan(0);
    expect(seen[0]!.bytes).toBeLessThan(seen[0]!.totalBytes);
    // read back across several pages of the reader: every event once, in order
    const all = ledger.readEvents();
    expect(all.count).toBe(60_000);
    expect(new Set(all.ids).size).toBe(60_000);
    expect(all.time.every((t, i) => i === 0 || t >= all.time[i - 1]!)).toBe(true);
    expect(all.cost[59_999]).toBe(599_990);
    const some = ledger.readEvents({ from: 1767225600000 + 10_000 * 1000, to: 1767225600000 + 50_000 * 1000, withIds: false });
    expect(some.count).toBe(40_000);
    expect(some.ids).toBeNull();
    expect(some.time[0]).toBe(1767225600000 + 10_000 * 1000);

    const before = snapshot(ledger);
    const controller = new AbortController();
    const other = scope.tmp.write('big2.csv', `${lines.join('\n').replaceAll(',api,', ',message,')}\n`);
    const err = await importFile(ledger, other, { signal: controller.signal, onProgress: () => controller.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('CancelledError');
    expect(snapshot(ledger)).toEqual(before);
  });
});
