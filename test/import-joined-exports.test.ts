/**
 * Overlapping exports joined with `cat` (the header again mid-file): SPEC §8 numbers identical
 * rows within a file, and a joined file is two files, so the overlap must come out as duplicates
 * exactly as when the parts are imported one after the other, never counted twice.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile, previewImport } from '../src/import/importer.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { apiStepLine, CONSUMPTION_HEADER, dustWorkspace } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const step = (msg: string, s: number, credits: number): string => apiStepLine(msg, s, credits);

function part(lines: string[]): string {
  return `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`;
}

/** The counted events as [id, cost in µUSD], by id. */
function messages(l: Ledger): [string | null, number][] {
  return eventsOf(l)
    .map((e): [string | null, number] => [e.id, e.cost])
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1));
}

describe('two overlapping consumption exports joined into one file', () => {
  // the first export was cut after m1's second line; the second repeats it and goes on
  const first = part([step('m0', 0, 5), step('m1', 0, 10), step('m1', 1, 20)]);
  const second = part([step('m1', 1, 20), step('m1', 2, 40), step('m2', 0, 7)]);

  it('counts the overlap as duplicates, as the two files imported one after the other do', async () => {
    const joined = scope.tmp.write('joined.csv', first + second);
    const r = await importFile(ledger, joined);
    expect(r).toMatchObject({ rows: 6, imported: 5, duplicates: 1, rejected: 0, repeatedHeaders: 1 });
    expect(messages(ledger)).toEqual([
      ['dust-msg:m0', 50_000],
      ['dust-msg:m1', 700_000],
      ['dust-msg:m2', 70_000],
    ]);

    const apart = scope.open('apart.sqlite');
    const ra = await importFile(apart, scope.tmp.write('first.csv', first));
    const rb = await importFile(apart, scope.tmp.write('second.csv', second));
    expect(ra.imported + rb.imported).toBe(r.imported);
    expect(ra.duplicates + rb.duplicates).toBe(r.duplicates);
    expect(messages(apart)).toEqual(messages(ledger));

    // the joined file again, or either part, adds nothing
    expect(await importFile(ledger, joined)).toMatchObject({ imported: 0, duplicates: 6 });
    expect(await importFile(ledger, scope.tmp.write('second.csv', second))).toMatchObject({ imported: 0, duplicates: 3 });
    expect(messages(ledger).find(([id]) => id === 'dust-msg:m1')![1]).toBe(700_000);
  });

  it('the preview (command line and app) says what the import then does, and writes nothing', async () => {
    const joined = scope.tmp.write('joined.csv', first + second);
    for (const audience of ['cli', 'app'] as const) {
      const p = await previewImport(ledger, joined, { audience });
      expect(p).toMatchObject({ rows: 6, imported: 5, duplicates: 1, rejected: 0 });
    }
    expect(messages(ledger)).toEqual([]);
    expect(await importFile(ledger, joined)).toMatchObject({ imported: 5, duplicates: 1 });
  });

  it('numbers identical lines afresh after the header: a line twice in each part is two lines, not four', async () => {
    const x = step('m1', 0, 10);
    const r = await importFile(ledger, scope.tmp.write('joined.csv', part([x, x]) + part([x, x, x])));
    // as a.csv [x, x] then b.csv [x, x, x]: the second part's third x is the only new one
    expect(r).toMatchObject({ imported: 3, duplicates: 2 });
    expect(messages(ledger)).toEqual([['dust-msg:m1', 300_000]]);
  });

  it('at scale: a whole workspace export cut in two overlapping parts, joined, is the export once', async () => {
    const ws = dustWorkspace({ seed: 31, days: 12, start: Date.UTC(2026, 8, 1) });
    const lines = ws.consumption.trimEnd().split('\n');
    const header = lines.shift()!;
    const n = lines.length;
    const a = `${header}\n${lines.slice(0, Math.floor(n * 0.6)).join('\n')}\n`;
    const b = `${header}\n${lines.slice(Math.floor(n * 0.4)).join('\n')}\n`;
    const whole = scope.open('whole.sqlite');
    await importFile(whole, scope.tmp.write('whole.csv', ws.consumption));

    const r = await importFile(ledger, scope.tmp.write('joined.csv', a + b));
    expect(r.imported).toBe(ws.lines);
    expect(r.duplicates).toBe(Math.floor(n * 0.6) - Math.floor(n * 0.4));
    expect(messages(ledger)).toEqual(messages(whole));
  });
});

describe('the other formats keep their reading of a joined file', () => {
  it('the cost export: a row in both parts with the same amount is a duplicate, as before', async () => {
    const cost = 'date,agent_name,api_key,source,total_spend_usd';
    const text = `${cost}\n2026-09-01,Bot,key-a,api,1.00\n2026-09-02,Bot,key-a,api,2.00\n${cost}\n2026-09-02,Bot,key-a,api,2.00\n2026-09-03,Bot,key-a,api,3.00\n`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 4, imported: 3, duplicates: 1, rejected: 0, repeatedHeaders: 1 });
    expect(eventsOf(ledger).reduce((s, e) => s + e.cost, 0)).toBe(6_000_000);
  });

  it('the canonical events CSV: the header again is a bad row, as simulate reads it, said as the header again (its BOM not shown)', async () => {
    const ev = 'timestamp,type,subject,cost_usd';
    // `cat a.csv b.csv` of two files saved with a byte order mark: the second one's is mid-file
    const text = `\uFEFF${ev}\n2026-09-01T10:00:00Z,api,k,1.00\n\uFEFF${ev}\n2026-09-01T10:00:00Z,api,k,1.00\n`;
    const err = await importFile(ledger, scope.tmp.write('events.csv', text)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    const refused = err as ImportRefusedError;
    expect(refused.message).toContain('events.csv:3: timestamp "timestamp" is the header line again (files joined one after the other?), not an event');
    expect(refused.message).not.toContain('\uFEFF');
    expect(refused.result.errors).toEqual([expect.objectContaining({ line: 3, column: 'timestamp', value: 'timestamp' })]);
    expect(eventsOf(ledger)).toEqual([]);
  });
});

describe('a sheet to map and the events CSV joined (rows without an id: content and occurrence)', () => {
  const head = 'When,Key,Amount';
  const a = `${head}\n2026-10-01 10:00,k1,1.00\n2026-10-01 11:00,k1,2.00\n`;
  const b = `${head}\n2026-10-01 11:00,k1,2.00\n2026-10-01 12:00,k1,3.00\n`;
  const spend = (l: Ledger): number => eventsOf(l).reduce((s, e) => s + e.cost, 0);

  it('a mapped row both parts hold is a duplicate of the first part\'s, as the two files imported one after the other', async () => {
    const joined = scope.tmp.write('joined.csv', a + b);
    const p = await previewImport(ledger, joined);
    expect(p).toMatchObject({ format: 'mapping', rows: 4, imported: 3, duplicates: 1, rejected: 0 });
    const r = await importFile(ledger, joined);
    expect(r).toMatchObject({ format: 'mapping', rows: 4, imported: 3, duplicates: 1, rejected: 0, repeatedHeaders: 1 });
    expect(spend(ledger)).toBe(6_000_000);

    const apart = scope.open('apart.sqlite');
    const ra = await importFile(apart, scope.tmp.write('a.csv', a));
    const rb = await importFile(apart, scope.tmp.write('b.csv', b));
    expect([ra.imported + rb.imported, ra.duplicates + rb.duplicates]).toEqual([r.imported, r.duplicates]);
    expect(eventsOf(apart).map((e) => [e.time, e.cost])).toEqual(eventsOf(ledger).map((e) => [e.time, e.cost]));
    // the joined file again, or either part, adds nothing
    expect(await importFile(ledger, joined)).toMatchObject({ imported: 0, duplicates: 4 });
    expect(await importFile(ledger, scope.tmp.write('b.csv', b))).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it('numbers identical mapped rows afresh after the header, into a ledger that holds events already', async () => {
    // later than the joined rows: each of them is looked up, the first part's too
    await importFile(ledger, scope.tmp.write('before.csv', `${head}\n2026-12-01 10:00,k0,5.00\n`));
    const x = '2026-10-01 10:00,k1,1.00';
    const r = await importFile(ledger, scope.tmp.write('joined.csv', `${head}\n${x}\n${x}\n${head}\n${x}\n${x}\n${x}\n`));
    // as a.csv [x, x] then b.csv [x, x, x]: the second part's third x is the only new one
    expect(r).toMatchObject({ imported: 3, duplicates: 2 });
    expect(spend(ledger)).toBe(8_000_000);
  });

  it('the events CSV: the header again stays a bad row; with the good rows imported, the rows after it are another file\'s (in this thread and parsed in the worker alike)', async () => {
    const ev = 'timestamp,type,subject,cost_usd';
    const text = `${ev}\n2026-10-01T10:00:00Z,api,k1,1.00\n2026-10-01T11:00:00Z,api,k1,2.00\n${ev}\n2026-10-01T11:00:00Z,api,k1,2.00\n2026-10-01T12:00:00Z,api,k1,3.00\n`;
    const file = scope.tmp.write('events.csv', text);
    for (const parseInWorker of [false, true]) {
      const l = scope.open(`events-${parseInWorker}.sqlite`);
      const r = await importFile(l, file, { skipBadRows: true, parseInWorker });
      expect(r).toMatchObject({ format: 'events', rows: 5, imported: 3, duplicates: 1, rejected: 1, errors: [expect.objectContaining({ line: 4, column: 'timestamp', value: 'timestamp' })] });
      expect(spend(l)).toBe(6_000_000);
    }
  });
});
