/**
 * A spreadsheet saved as CSV with a title or notes above its header (src/import/preamble.ts): the
 * header is found below them, the separator is told from the first lines rather than the title
 * (src/csv/delimiter.ts), and the lines left out are said, with their physical line numbers.
 */
import { describe, expect, it } from 'vitest';
import { headerIndex } from '../src/import/preamble.ts';
import { sniffDelimiterOf } from '../src/csv/delimiter.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';

const records = (...lines: string[]) => lines.map((l) => ({ fields: l.split(','), problem: null }));

describe('where the header is', () => {
  it('below a title and a note, a known export header or a row of names over the data', () => {
    expect(headerIndex(records('Usage report', 'Exported,2026-12-01', 'timestamp,type,subject,cost_usd', '2026-11-05T10:00:00Z,api,k1,1'))).toBe(2);
    expect(headerIndex(records('Usage report,Acme', '', 'Date,Key,Kind,Amount', '2026-11-02 10:00,key-a,api,$1.50', '2026-11-02 11:00,key-b,api,$0.25'))).toBe(2);
    // padded by the spreadsheet with empty cells to the sheet's width: still one cell of title
    expect(headerIndex(records('Usage report,,,', 'When,Who,What,Cost', '2026-11-02,a,api,1', '2026-11-03,b,api,2'))).toBe(1);
    // Excel's separator hint; alone, the first line (src/csv/header.ts names it)
    expect(headerIndex(records('sep=', 'Date,Key,Kind,Amount', '2026-11-02,key-a,api,1'))).toBe(1);
    expect(headerIndex(records('sep='))).toBe(0);
  });

  it('the first line when nothing stands above it, or when what follows does not read as a header', () => {
    expect(headerIndex(records('Date,Key,Kind,Amount', '2026-11-02 10:00,key-a,api,1.50'))).toBe(0);
    // rows with one cell more than the header: values, not a header
    expect(headerIndex(records('Date,Key,Amount', '2026-11-02,key-a,1.50,x', '2026-11-03,key-b,2.00,y'))).toBe(0);
    // a title alone above a header with no row under it: nothing to compare with, kept as it was
    expect(headerIndex(records('Usage report', 'Date,Key,Kind,Amount'))).toBe(0);
    // a line the parser could not read: its error
    expect(headerIndex([{ fields: ['Report "x'], problem: 'an unclosed quote' }, ...records('Date,Key,Kind,Amount', '2026-11-02,key-a,api,1')])).toBe(0);
  });
});

describe('the separator, from the first lines', () => {
  it('is not misled by a title: the one that splits the most lines alike, the most fields on a tie', () => {
    expect(sniffDelimiterOf(['Usage report', 'Date;Key;Kind;Cost', '03.11.2026;key-a;api;1,50', '04.11.2026;key-b;api;0,75'])).toBe(';');
    // a title with a comma, the amounts with decimal commas: still the semicolons
    expect(sniffDelimiterOf(['Usage, by key', 'Date;Key;Cost', '03.11.2026;key-a;1,50', '04.11.2026;key-b;0,75'])).toBe(';');
    expect(sniffDelimiterOf(['Report', 'Date\tKey\tCost', '2026-11-03\tkey-a\t1.5'])).toBe('\t');
    // as before for a plain file, and for its header alone
    expect(sniffDelimiterOf(['timestamp,type,subject,cost_usd', '2026-11-05T10:00:00Z,api,"k;1",1'])).toBe(',');
    expect(sniffDelimiterOf(['a;b;c'])).toBe(';');
  });
});

describe('importing a spreadsheet with a title above its header', () => {
  const scope = ledgerScope();

  it('imports the rows under the header, says which lines were left out, and names bad rows by their physical line', async () => {
    const ledger = scope.open('l.sqlite');
    const text = 'Usage report, November\n\nDate;Key;Kind;Cost\n03.11.2026 14:05;key-a;api;1,50\n04.11.2026 08:00;key-b;api;0,75\n13.11.2026 08:00;key-b;api;abc\n';
    const file = scope.tmp.write('report.csv', text);
    const preview = await previewImport(ledger, file, { skipBadRows: true });
    expect(preview).toMatchObject({ format: 'mapping', rows: 3, imported: 2, rejected: 1, preamble: { lines: [1], header: 3 } });
    expect(preview.header).toEqual(['Date', 'Key', 'Kind', 'Cost']);
    expect(preview.errors[0]).toMatchObject({ line: 6, value: 'abc' });
    expect(importFindings(preview).preamble).toBe('Line 1 above the header (line 3) is not data (“Usage report, November”): left out.');
    const r = await importFile(ledger, file, { skipBadRows: true });
    expect(r).toMatchObject({ imported: 2, rejected: 1 });
    expect(eventsOf(ledger).map((e) => [e.time, e.subject, e.cost])).toEqual([
      ['2026-11-03T14:05:00.000Z', 'key-a', 1_500_000],
      ['2026-11-04T08:00:00.000Z', 'key-b', 750_000],
    ]);
  });

  it('a known export under two lines of notes: read as that export; the command line says what it left out', async () => {
    const file = scope.tmp.write('events.csv', 'Report: Acme, November\nExported,2026-12-01\n\ntimestamp,type,subject,cost_usd\n2026-11-05T10:00:00Z,api,k1,1.5\n2026-11-05T10:01:00Z,message,u1,\n');
    const out = await runImport([file], { db: scope.tmp.path('cli.sqlite') });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/events, batch 1: 2 rows, 2 imported/);
    expect(out.stdout).toContain('Lines 1–2 above the header (line 4) are not data (“Report: Acme, November”, …): left out.');
  });

  it('the whole file, read again when its first rows tell neither the day order nor the decimal mark, is read under the header, not the title', async () => {
    const ledger = scope.open('whole.sqlite');
    // days up to 12 in the first 60 rows, a 13th on the last line; whole amounts, then 0,5
    const rows = Array.from({ length: 60 }, (_, i) => `${String(1 + (i % 12)).padStart(2, '0')}.10.2026;10:${String(i).padStart(2, '0')};k1;3`);
    const text = ['Usage report, Acme', '', 'Datum;Uhrzeit;Schlüssel;Betrag', ...rows, '13.10.2026;11:00;k1;0,5'].join('\n') + '\n';
    const file = scope.tmp.write('report.csv', text);
    const r = await importFile(ledger, file);
    // read as a title over the rows, "no row of the file tells" (the 13th) and 0,5 "is not an amount"
    expect(r).toMatchObject({ rows: 61, imported: 61, rejected: 0, guessed: { decimal: ',', dayOrder: 'dmy' } });
    expect(eventsOf(ledger).at(-1)).toMatchObject({ time: '2026-10-13T11:00:00.000Z', cost: 500_000 });
    // Excel's separator hint above the header, the same
    const hinted = scope.open('hinted.sqlite');
    const h = await importFile(hinted, scope.tmp.write('hinted.csv', ['sep=;', ...text.split('\n').slice(2)].join('\n')));
    expect(h).toMatchObject({ rows: 61, imported: 61, rejected: 0, preamble: { separatorHint: true } });
  });
});
