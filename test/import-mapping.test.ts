import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { guessMapping } from '../src/import/formats.ts';
import { parseMappedTime, parseMoneyToMicros } from '../src/import/parse.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { importFile, previewImport } from '../src/import/importer.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

describe('values as other tools write them', () => {
  it('reads money with currency symbols, thousands separators and decimal commas', () => {
    expect(parseMoneyToMicros('$1,234.50')).toBe(1_234_500_000);
    expect(parseMoneyToMicros('USD 12')).toBe(12_000_000);
    expect(parseMoneyToMicros('1 234,5 $', ',')).toBe(1_234_500_000);
    // an amount in another currency is never read as dollars, only in its own currency
    expect(parseMoneyToMicros('1 234,5 €', ',')).toBeNull();
    expect(parseMoneyToMicros('1 234,5 €', ',', 'EUR')).toBe(1_234_500_000);
    expect(parseMoneyToMicros('1.234.567,891', ',')).toBe(1_234_567_891_000);
    expect(parseMoneyToMicros("1'000.25")).toBe(1_000_250_000);
    expect(parseMoneyToMicros('12,34')).toBeNull(); // not thousands: refused, never misread
    // a first group of 0 is no thousands: cents are never read as thousands of dollars
    expect(parseMoneyToMicros('0.105', ',')).toBeNull();
    expect(parseMoneyToMicros('0,005')).toBeNull();
    expect(parseMoneyToMicros('0.105')).toBe(105_000);
    expect(parseMoneyToMicros('0,105', ',')).toBe(105_000);
    expect(parseMoneyToMicros('abc')).toBeNull();
  });

  it('reads dates in each format, in the file time zone when the text has none', () => {
    expect(parseMappedTime('25/03/2026 10:00', 'dmy', 'Europe/Paris')).toBe(Date.parse('2026-03-25T09:00:00Z'));
    expect(parseMappedTime('03/30/2026 10:00', 'mdy', 'Europe/Paris')).toBe(Date.parse('2026-03-30T08:00:00Z'));
    expect(parseMappedTime('3/30/2026 1:05 PM', 'mdy', 'UTC')).toBe(Date.parse('2026-03-30T13:05:00Z'));
    expect(parseMappedTime('2026-03-30 10:00:00', 'ymd', '-05:00')).toBe(Date.parse('2026-03-30T15:00:00Z'));
    expect(parseMappedTime('2026-03-30T10:00:00+02:00', 'ymd', 'America/New_York')).toBe(Date.parse('2026-03-30T08:00:00Z'));
    expect(parseMappedTime('1767225600', 'epoch-s', 'UTC')).toBe(1767225600000);
    expect(parseMappedTime('31/02/2026', 'dmy', 'UTC')).toBeNull();
  });

  it('guesses columns from header names and the date format from values', () => {
    const g = guessMapping(['Date', 'API Key', 'Cost (USD)'], [
      ['03/12/2026', 'k1', '1.00'],
      ['25/12/2026', 'k1', '2.00'],
    ]);
    expect(g.mapping).toMatchObject({ time: 'Date', dateFormat: 'dmy', subject: 'API Key', cost: 'Cost (USD)', type: { value: 'api' } });
    expect(guessMapping(['a', 'b'], [['1', '2']])).toMatchObject({ mapping: null, missing: ['time', 'subject'] });
  });
});

describe('any other CSV through a column mapping', () => {
  it('imports a guessed mapping and saves it for the next export of the same shape', async () => {
    const first = scope.tmp.write(
      'billing-march.csv',
      'When,Key Name,Kind,Amount\r\n25/03/2026 10:00,k1,request,"1.234,50 $"\r\n26/03/2026 11:30,t1,webhook,\r\n27/03/2026 12:00,u1,chat,"0,00"\r\n',
    );
    const p = await previewImport(ledger, first);
    expect(p.format).toBe('mapping');
    expect(p.mapping).toMatchObject({ time: 'When', dateFormat: 'dmy', subject: 'Key Name', type: { column: 'Kind' }, cost: 'Amount', decimal: ',' });
    expect(p.missing).toEqual([]);
    // the admin corrects the time zone in the preview, then imports
    const mapping = { ...p.mapping!, timeZone: 'Europe/Paris' };
    const r = await importFile(ledger, first, { mapping });
    expect(r).toMatchObject({ format: 'mapping', rows: 3, imported: 3 });
    expect(eventsOf(ledger).map(({ id: _id, ...e }) => e)).toEqual([
      { time: '2026-03-25T09:00:00.000Z', type: 'api', subject: 'k1', cost: 1_234_500_000 },
      { time: '2026-03-26T10:30:00.000Z', type: 'trigger', subject: 't1', cost: 0 },
      { time: '2026-03-27T11:00:00.000Z', type: 'message', subject: 'u1', cost: 0 },
    ]);
    // next month's export, same shape (header spelled differently): no questions, same zone
    const second = scope.tmp.write('billing-april.csv', 'when,KEY NAME,kind,amount\n01/04/2026 10:00,k1,request,"2,00"\n');
    const r2 = await importFile(ledger, second);
    expect(r2.mapping).toMatchObject({ timeZone: 'Europe/Paris' });
    expect(eventsOf(ledger, { from: Date.parse('2026-04-01T00:00:00Z') })).toMatchObject([{ time: '2026-04-01T08:00:00.000Z', cost: 2_000_000 }]);
    expect(ledger.listBatches().map((b) => b.format)).toEqual(['mapping', 'mapping']);
  });

  it('a mapping given once for an unguessable shape is used for the next file of that shape', async () => {
    const header = 'col_a,col_b,col_c\n';
    const mapping = { time: 'col_b', dateFormat: 'epoch-ms', type: { value: 'api' }, subject: 'col_a', cost: 'col_c' };
    await expect(importFile(ledger, scope.tmp.write('x1.csv', `${header}k1,1767225600000,1.5\n`))).rejects.toThrow(/could not be mapped/);
    await importFile(ledger, scope.tmp.write('x1.csv', `${header}k1,1767225600000,1.5\n`), { mapping });
    const r = await importFile(ledger, scope.tmp.write('x2.csv', `${header}k2,1767225700000,2.5\n`));
    expect(r).toMatchObject({ format: 'mapping', imported: 1 });
    expect(eventsOf(ledger).map((e) => [e.subject, e.cost])).toEqual([
      ['k1', 1_500_000],
      ['k2', 2_500_000],
    ]);
  });

  it('a mapping saved from a guess does not pin its decimal mark and day order on a later file saved in another locale', async () => {
    // a US spreadsheet: month first, decimal point; the guess is saved for its shape
    const us = scope.tmp.write('us.csv', 'Date,Key,Amount\n9/13/2026 10:00,k1,"1,234.50"\n9/14/2026 10:00,k1,2.25\n');
    expect(await importFile(ledger, us)).toMatchObject({ imported: 2, mapping: { dateFormat: 'mdy', decimal: '.' } });
    // the same report saved in a European locale: day first, decimal comma, `;`
    const eu = scope.tmp.write('eu.csv', 'Date;Key;Amount\n13/10/2026 10:00;k1;1.234,50\n14/10/2026 10:00;k1;2,25\n');
    expect(await importFile(ledger, eu)).toMatchObject({ imported: 2, rejected: 0, mapping: { dateFormat: 'dmy', decimal: ',' } });
    expect(eventsOf(ledger, { from: Date.parse('2026-10-01T00:00:00Z') }).map((e) => [e.time, e.cost])).toEqual([
      ['2026-10-13T10:00:00.000Z', 1_234_500_000],
      ['2026-10-14T10:00:00.000Z', 2_250_000],
    ]);
    // a file that tells nothing itself (one date reading both ways) takes what the last one told, not a refusal
    expect(await importFile(ledger, scope.tmp.write('eu-nov.csv', 'Date;Key;Amount\n01/11/2026 10:00;k1;3,5\n'))).toMatchObject({ imported: 1, rejected: 0 });
    expect(eventsOf(ledger, { from: Date.parse('2026-10-20T00:00:00Z') }).map((e) => [e.time, e.cost])).toEqual([['2026-11-01T10:00:00.000Z', 3_500_000]]);
  });

  it('a mapping the admin gave is used as it is for the next file of its shape (its day order is not guessed again)', async () => {
    const mapping = { time: 'Date', dateFormat: 'dmy', type: { value: 'api' }, subject: 'Key', cost: 'Amount', decimal: ',' };
    await importFile(ledger, scope.tmp.write('a.csv', 'Date;Key;Amount\n13/10/2026;k1;1,50\n'), { mapping });
    // 01/11 and 02/11 read either way, and the file alone does not tell: the admin's day-first holds
    const r = await importFile(ledger, scope.tmp.write('b.csv', 'Date;Key;Amount\n01/11/2026;k1;1,25\n02/11/2026;k1;3\n'));
    expect(r).toMatchObject({ imported: 2, rejected: 0 });
    expect(eventsOf(ledger, { from: Date.parse('2026-10-20T00:00:00Z') }).map((e) => [e.time, e.cost])).toEqual([
      ['2026-11-01T00:00:00.000Z', 1_250_000],
      ['2026-11-02T00:00:00.000Z', 3_000_000],
    ]);
  });

  it('refuses an invalid mapping naming the field', async () => {
    const file = scope.tmp.write('x.csv', 'a,b\n1,2\n');
    await expect(importFile(ledger, file, { mapping: { time: 'a', dateFormat: 'julian', type: { value: 'api' }, subject: 'b' } })).rejects.toThrow(/dateFormat/);
    await expect(importFile(ledger, file, { mapping: { time: 'a', dateFormat: 'ymd', timeZone: 'Mars/Olympus', type: { value: 'api' }, subject: 'b' } })).rejects.toThrow(/timeZone "Mars\/Olympus" is not a time zone/);
    await expect(importFile(ledger, file, { mapping: { time: 'zzz', dateFormat: 'ymd', type: { value: 'api' }, subject: 'b' } })).rejects.toThrow(/missing column "zzz"/);
  });
});
