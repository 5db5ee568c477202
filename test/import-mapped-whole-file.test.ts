/**
 * Held-out pass 3 (.tmp/heldout3): a CSV imported through a mapping guessed from its first rows
 * took its decimal mark and its slash dates' day order from those rows only, while the exports ask
 * the whole file; and dates as spreadsheets show them to people (`2-Dec-2026`, `Dec 2, 2026 3:04
 * PM`, `2026-12-02 3:04 PM`, `15:04:05 UTC`) were not read at all.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile, previewImport } from '../src/import/importer.ts';
import { parseMappedTime } from '../src/import/parse.ts';
import { EventWriter } from '../src/ledger/event-writer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const costs = (l: Ledger): number[] => eventsOf(l).map((e) => e.cost);

describe("a guessed mapping's decimal mark: the whole file's", () => {
  // 60 whole amounts (the first 50 rows tell nothing), then amounts only a decimal comma reads as written
  const rows = (last: string[]): string =>
    ['when;key;amount', ...Array.from({ length: 60 }, (_, i) => `2026-09-${String(1 + (i % 28)).padStart(2, '0')} 10:00;k1;3`), ...last.map((a, i) => `2026-09-${29 + i} 10:00;k1;${a}`)].join('\n') + '\n';

  it('reads 0,5 on line 63 of a semicolon file as 0.5, and 1,234 before it as 1.234, never 1234', async () => {
    const file = scope.tmp.write('billing.csv', rows(['1,234', '0,5']));
    const p = await previewImport(ledger, file);
    expect(p.mapping).toMatchObject({ decimal: ',' });
    expect(p.errors).toEqual([]);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ rows: 62, imported: 62, rejected: 0, guessed: { decimal: ',' } });
    expect(costs(ledger).slice(-2)).toEqual([1_234_000, 500_000]);
    // the mapping saved for the next file of this shape carries the whole file's mark
    expect(r.mapping).toMatchObject({ decimal: ',' });
  });

  it('refuses an amount that reads two ways when nothing in a tab-separated file tells', async () => {
    const file = scope.tmp.write('billing.tsv', rows(['1,234']).replace(/;/g, '\t'));
    const before = snapshot(ledger);
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect((err as ImportRefusedError).result.errors).toEqual([expect.objectContaining({ line: 62, column: 'amount', value: '1,234', message: expect.stringMatching(/reads two ways/) })]);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('reads credits with the decimal comma (1.234,5 credits is $12.345), and never 1,5 credits as 15', async () => {
    const comma = scope.tmp.write('credits.csv', 'when;key;credits\n2026-09-01 10:00;k1;1.234,5\n2026-09-02 10:00;k1;0,5\n');
    const r = await importFile(ledger, comma);
    expect(r.rejected).toBe(0);
    expect(costs(ledger)).toEqual([12_345_000, 5_000]);
    const told = scope.tmp.write('told.csv', 'when,key,credits\n2026-09-03 10:00,k2,"1,5"\n');
    const mapping = { time: 'when', dateFormat: 'ymd', type: { value: 'api' }, subject: 'key', cost: 'credits', costUnit: 'credits', decimal: '.' };
    const err = await importFile(ledger, told, { mapping }).catch((e: unknown) => e);
    expect((err as ImportRefusedError).result.errors).toEqual([expect.objectContaining({ line: 2, column: 'credits', value: '1,5' })]);
  });
});

describe("a guessed mapping's day order: the whole file's", () => {
  it('reads dd/mm dates whose first 60 rows all have a day up to 12 day first, as row 62 shows', async () => {
    const lines = ['when,key,amount', ...Array.from({ length: 60 }, (_, i) => `${String(1 + (i % 12)).padStart(2, '0')}/09/2026 10:00,k1,3.50`), '13/09/2026 10:00,k1,3.50'];
    const file = scope.tmp.write('dates.csv', lines.join('\n') + '\n');
    const p = await previewImport(ledger, file);
    expect(p.mapping).toMatchObject({ dateFormat: 'dmy' });
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 61, rejected: 0, guessed: { dayOrder: 'dmy' } });
    const times = eventsOf(ledger).map((e) => e.time.slice(0, 10));
    expect(new Set(times)).toEqual(new Set(Array.from({ length: 13 }, (_, d) => `2026-09-${String(d + 1).padStart(2, '0')}`)));
  });

  it('refuses a date that reads both ways when no row of the file tells, naming the mapping field to give', async () => {
    const file = scope.tmp.write('one-day.csv', 'when,key,amount\n03/04/2026 10:00,k1,1.00\n03/04/2026 11:00,k1,1.00\n');
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect((err as ImportRefusedError).result.errors[0]).toMatchObject({ line: 2, column: 'when', message: expect.stringMatching(/day or month first.*dmy or mdy/) });
    // told, it imports
    const mapping = { time: 'when', dateFormat: 'dmy', type: { value: 'api' }, subject: 'key', cost: 'amount' };
    await importFile(ledger, file, { mapping });
    expect(eventsOf(ledger)[0]!.time).toBe('2026-04-03T10:00:00.000Z');
  });

  it('never takes the nearness of the dates for their order: one row a month, day first, lies closer read month first', async () => {
    // a monthly sheet made day first (3 October, 3 November, 3 December) with its time of day
    // beside it: read month first, it is three consecutive days of March, and nothing says so
    const file = scope.tmp.write('monthly.csv', 'Date,Time,Key,Cost\n3/10/2026,2:35 PM,k1,100.00\n3/11/2026,9:00 AM,k1,120.00\n3/12/2026,4:10 PM,k1,90.00\n');
    const before = snapshot(ledger);
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect((err as ImportRefusedError).result.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [2, 'Date', '3/10/2026'],
      [3, 'Date', '3/11/2026'],
      [4, 'Date', '3/12/2026'],
    ]);
    expect((err as ImportRefusedError).message).toContain('monthly.csv:2: Date "3/10/2026" could be day or month first, and no row of the file tells (no day above 12): give the date format (dmy or mdy) in the mapping');
    expect(snapshot(ledger)).toEqual(before);
    // told, it imports, each row at its time of day
    const mapping = { time: 'Date', timeOfDay: 'Time', dateFormat: 'dmy', type: { value: 'api' }, subject: 'Key', cost: 'Cost' };
    await importFile(ledger, file, { mapping });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-10-03T14:35:00.000Z', '2026-11-03T09:00:00.000Z', '2026-12-03T16:10:00.000Z']);
  });
});

describe('dotted dates (01.10.2026): day first, as every locale that writes them', () => {
  it('imports a German sheet whose days are all 12 or under as those days of October', async () => {
    const file = scope.tmp.write('kosten.csv', 'Datum;Uhrzeit;Schlüssel;Betrag\n01.10.2026;14:35;k1;1,50\n02.10.2026;09:00;k1;2,00\n12.10.2026;16:10 Uhr;k1;0,75\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 3, rejected: 0 });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-02T09:00:00.000Z', '2026-10-12T16:10:00.000Z']);
  });

  it('still takes a part above 12 for the order, and refuses slashes that tell nothing', async () => {
    const us = scope.tmp.write('us.csv', 'Date,Key,Cost\n10.13.2026,k1,1.00\n10.14.2026,k1,2.00\n');
    await importFile(ledger, us);
    expect(eventsOf(ledger).map((e) => e.time.slice(0, 10))).toEqual(['2026-10-13', '2026-10-14']);
    // another shape: the mapping saved for the first (month first) would read it so
    const slashes = scope.tmp.write('slashes.csv', 'Day,Key,Cost\n01/10/2026,k2,1.00\n02/10/2026,k2,2.00\n');
    const err = await importFile(ledger, slashes).catch((e: unknown) => e);
    expect((err as ImportRefusedError).message).toContain('could be day or month first');
  });
});

describe('dates as spreadsheets show them to people', () => {
  it('reads month words, AM/PM after an ISO day, and zones written as words or offsets', () => {
    const at = (v: string, f: 'ymd' | 'dmy' | 'mdy' = 'ymd') => {
      const t = parseMappedTime(v, f, 'UTC');
      return t === null ? null : new Date(t).toISOString();
    };
    expect(at('2-Dec-2026')).toBe('2026-12-02T00:00:00.000Z');
    expect(at('02-Dec-2026 15:04', 'mdy')).toBe('2026-12-02T15:04:00.000Z');
    expect(at('Dec 2, 2026 3:04 PM', 'dmy')).toBe('2026-12-02T15:04:00.000Z');
    expect(at('Wed, 02 Dec 2026 15:04:05 GMT')).toBe('2026-12-02T15:04:05.000Z');
    expect(at('2 Sept 2026')).toBe('2026-09-02T00:00:00.000Z');
    // Apple Numbers writes "at" between the day and the time
    expect(at('Sep 1, 2026 at 10:00:05 AM')).toBe('2026-09-01T10:00:05.000Z');
    expect(at('2026-12-02 3:04 PM')).toBe('2026-12-02T15:04:00.000Z');
    expect(at('2026-12-02 12:04 AM')).toBe('2026-12-02T00:04:00.000Z');
    expect(at('2026-12-02 15:04:05 UTC')).toBe('2026-12-02T15:04:05.000Z');
    expect(at('2026-12-02 15:04 GMT+2')).toBe('2026-12-02T13:04:00.000Z');
    expect(at('2026-12-02 15:04:05 +0100')).toBe('2026-12-02T14:04:05.000Z');
    expect(at('12/02/2026 3:04 p.m.', 'mdy')).toBe('2026-12-02T15:04:00.000Z');
    // not a date: an unknown month word, a day the month lacks, a 13 PM
    expect(at('Foo 2, 2026')).toBeNull();
    expect(at('31-Feb-2026')).toBeNull();
    expect(at('2026-12-02 13:04 PM')).toBeNull();
  });

  it('imports a mapped file of month-word dates, and both exports re-saved with them as the same rows', async () => {
    const mapped = scope.tmp.write('words.csv', 'when,key,amount\n"Dec 2, 2026 3:04 PM",k1,1.00\n"Dec 3, 2026 9:00 AM",k1,2.00\n');
    expect(await importFile(ledger, mapped)).toMatchObject({ imported: 2, rejected: 0 });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-12-02T15:04:00.000Z', '2026-12-03T09:00:00.000Z']);

    const cost = scope.tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-12-02,Bot,key-a,api,4.00\n');
    const costResaved = scope.tmp.write('cost-resaved.csv', 'date,agent_name,api_key,source,total_spend_usd\n2-Dec-2026,Bot,key-a,api,4.00\n');
    expect(await importFile(ledger, cost)).toMatchObject({ imported: 1 });
    expect(await importFile(ledger, costResaved)).toMatchObject({ rows: 1, imported: 0, duplicates: 1, rejected: 0 });

    const header = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,totalCredits';
    const line = (t: string) => `${header}\n${t},m1,api,key-b,,150\n`;
    expect(await importFile(ledger, scope.tmp.write('cons.csv', line('2026-12-02T15:04:00.000Z')))).toMatchObject({ imported: 1 });
    expect(await importFile(ledger, scope.tmp.write('cons-resaved.csv', line('"Dec 2, 2026 3:04 PM"')))).toMatchObject({ rows: 1, imported: 0, duplicates: 1 });
  });
});

describe('negatives as accountants write them, and epoch times, in the exports and through a mapping', () => {
  const COST = 'date,agent_name,api_key,source,total_spend_usd';
  const CONS = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,totalCredits';

  it('names every accounting negative as a negative with its line, and reads a rounded one as 0', async () => {
    for (const v of ['"$ (1.00)"', '-$1.00', '1.00-', '−1.00', '"(1,00 €)"']) {
      const file = scope.tmp.write('cost.csv', `${COST}\n2026-09-01,Bot,key-a,api,2.00\n2026-09-02,Bot,key-a,api,${v}\n`);
      const err = await importFile(ledger, file).catch((e: unknown) => e);
      expect(err, v).toBeInstanceOf(ImportRefusedError);
      expect((err as ImportRefusedError).result.errors, v).toEqual([expect.objectContaining({ line: 3, column: 'total_spend_usd', message: expect.stringMatching(/^is negative, in the Accounting format/) })]);
    }
    const cons = scope.tmp.write('cons.csv', `${CONS}\n2026-09-01T10:00:00.000Z,m1,api,key-a,,150.00-\n`);
    expect((await importFile(ledger, cons).catch((e: unknown) => e) as ImportRefusedError).result.errors[0]).toMatchObject({ line: 2, column: 'totalCredits', message: expect.stringMatching(/^is negative/) });
    const mapped = scope.tmp.write('mapped.csv', 'when,key,amount\n2026-09-01 10:00,k1,"(1.00)"\n');
    expect((await importFile(ledger, mapped).catch((e: unknown) => e) as ImportRefusedError).result.errors[0]).toMatchObject({ line: 2, column: 'amount', message: expect.stringMatching(/^is negative/) });
    // (0.00): a tiny negative a spreadsheet rounded, read as 0 as -0.00 is
    const zero = scope.tmp.write('zero.csv', `${COST}\n2026-09-03,Bot,key-a,api,(0.00)\n2026-09-04,Bot,key-a,api,2.00\n`);
    expect(await importFile(ledger, zero)).toMatchObject({ rows: 2, imported: 2, rejected: 0 });
    expect(eventsOf(ledger).reduce((s, e) => s + e.cost, 0)).toBe(2_000_000);
  });

  it('reads a consumption time as epoch seconds or milliseconds, the same line as the ISO one', async () => {
    const line = (t: string) => `${CONS}\n${t},m1,api,key-b,,150\n`;
    expect(await importFile(ledger, scope.tmp.write('a.csv', line('1796223845')))).toMatchObject({ imported: 1 });
    expect(eventsOf(ledger)[0]!.time).toBe('2026-12-02T15:04:05.000Z');
    expect(await importFile(ledger, scope.tmp.write('b.csv', line('1796223845000')))).toMatchObject({ imported: 0, duplicates: 1 });
  });
});

describe('the consumption export in time order: lines of concurrent messages interleaved', () => {
  it('folds each message once per switch without asking the ledger again (two messages of 20k alternating lines took 228 s)', async () => {
    const header = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,totalCredits,stepIndex';
    const lines = Array.from({ length: 600 }, (_, i) => `${new Date(Date.UTC(2026, 8, 1) + i * 1000).toISOString()},m${i % 3},api,key-a,,1.00,${i}`);
    const file = scope.tmp.write('interleaved.csv', `${header}\n${lines.join('\n')}\n`);
    const asked = vi.spyOn(EventWriter.prototype, 'linesOf');
    try {
      expect(await importFile(ledger, file)).toMatchObject({ rows: 600, imported: 600, events: 3 });
      // the ledger is asked for a message's lines only when an earlier import holds it: never here
      expect(asked).not.toHaveBeenCalled();
      expect(eventsOf(ledger).map((e) => [e.time, e.cost])).toEqual([
        ['2026-09-01T00:00:00.000Z', 2_000_000],
        ['2026-09-01T00:00:01.000Z', 2_000_000],
        ['2026-09-01T00:00:02.000Z', 2_000_000],
      ]);
      // again: every line a duplicate, each message asked once
      asked.mockClear();
      expect(await importFile(ledger, file)).toMatchObject({ rows: 600, imported: 0, duplicates: 600 });
      expect(asked.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      asked.mockRestore();
    }
  });
});

describe('a file not sorted by time, re-imported', () => {
  it('reads the ledger once per time, not once per row (300k spreadsheet rows sorted by key took 63 s to re-import)', async () => {
    // 40 times, 10 keys: sorted by key, each row's time differs from the row before it
    const rows: string[] = [];
    for (let k = 0; k < 10; k++) for (let t = 0; t < 40; t++) rows.push(`2026-10-01T10:${String(t).padStart(2, '0')}:00Z,api,key-${k},1.50`);
    const file = scope.tmp.write('by-key.csv', `when,type,key,amount\n${rows.join('\n')}\n`);
    expect(await importFile(ledger, file)).toMatchObject({ rows: 400, imported: 400 });
    const read = vi.spyOn(EventWriter.prototype as unknown as { readContentAt: (time: number) => Set<string> }, 'readContentAt');
    try {
      expect(await importFile(ledger, file)).toMatchObject({ rows: 400, imported: 0, duplicates: 400 });
      expect(read.mock.calls.length).toBe(40);
    } finally {
      read.mockRestore();
    }
    expect(eventsOf(ledger)).toHaveLength(400);
  });
});

