import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { sniffDelimiter } from '../src/csv/delimiter.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';
import { importFile, previewImport } from '../src/import/importer.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

/** Windows-1252 bytes of `text` (its characters are all in that code page). */
function cp1252(text: string): Uint8Array {
  const map: Record<string, number> = { '€': 0x80, 'é': 0xe9, 'ü': 0xfc, 'ö': 0xf6 };
  return Uint8Array.from([...text].map((c) => map[c] ?? c.charCodeAt(0)));
}

describe('spreadsheets as admins save them', () => {
  it('tells the separator from the first line', () => {
    expect(sniffDelimiter('Datum;Schlüssel;Betrag')).toBe(';');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
    expect(sniffDelimiter('"a;b",c,d')).toBe(',');
  });

  it('imports a semicolon, decimal-comma, dd/mm/yyyy, Windows-1252 file with a TOTAL row through a saved mapping, then the next one without questions', async () => {
    const march = cp1252('Datum;Ressource;Art;Betrag USD\r\n25/03/2026 10:00;clé-prod;request;1.234,50\r\n26/03/2026 11:30;clé-prod;request;0,25\r\nTOTAL;;;1.234,75\r\n');
    const first = scope.tmp.write('abrechnung-märz.csv', march);
    // the command line's preview is the import's dry run: refused as the import would refuse it
    await expect(previewImport(ledger, first)).rejects.toThrow(/abrechnung-märz\.csv:1: not a known export .* could not be mapped \(undecided: subject\).*--mapping FILE\.json/);
    await expect(importFile(ledger, first)).rejects.toThrow(/could not be mapped \(undecided: subject\)/);
    const p = await previewImport(ledger, first, { audience: 'app' });
    expect(p.form).toEqual({ encoding: 'windows-1252', delimiter: ';', gzip: false });
    // the app's preview answers with the header, the first rows and what it could not decide
    expect(p.header).toEqual(['Datum', 'Ressource', 'Art', 'Betrag USD']);
    expect(p.sampleRows[0]).toEqual(['25/03/2026 10:00', 'clé-prod', 'request', '1.234,50']);
    expect(p.missing).toContain('subject');
    // the mapping step: the admin names the key column; the rest as guessed
    const mapping = { time: 'Datum', dateFormat: 'dmy', type: { column: 'Art' }, typeValues: { request: 'api' }, subject: 'Ressource', cost: 'Betrag USD', decimal: ',' };
    const again = await previewImport(ledger, first, { mapping });
    expect(again.summaryRows).toBe(1);
    expect(again.errors).toEqual([]);
    const r = await importFile(ledger, first, { mapping });
    expect(r).toMatchObject({ format: 'mapping', imported: 2, rejected: 0, summaryRows: 1 });
    expect(eventsOf(ledger).map((e) => [e.time, e.subject, e.cost])).toEqual([
      ['2026-03-25T10:00:00.000Z', 'clé-prod', 1_234_500_000],
      ['2026-03-26T11:30:00.000Z', 'clé-prod', 250_000],
    ]);
    const april = scope.tmp.write('abrechnung-april.csv', cp1252('Datum;Ressource;Art;Betrag USD\r\n01/04/2026 09:00;clé-prod;request;2,00\r\nTOTAL;;;2,00\r\n'));
    const r2 = await importFile(ledger, april);
    expect(r2).toMatchObject({ format: 'mapping', imported: 1, rejected: 0 });
    expect(r2.mapping).toMatchObject({ typeValues: { request: 'api' } });
  });

  it('guesses the columns of a sheet made in German or French (accents in the names), and their type words', async () => {
    const german = scope.tmp.write('nutzung.csv', cp1252('Datum;Schlüssel;Art;Betrag USD\r\n25/03/2026 10:00;clé-prod;Anfrage;1.234,50\r\n26/03/2026 11:30;clé-prod;Nachricht;0,00\r\n'));
    const g = await importFile(ledger, german);
    expect(g).toMatchObject({ format: 'mapping', imported: 2, rejected: 0 });
    expect(g.mapping).toMatchObject({ time: 'Datum', dateFormat: 'dmy', subject: 'Schlüssel', type: { column: 'Art' }, cost: 'Betrag USD', decimal: ',', typeValues: { Anfrage: 'api', Nachricht: 'message' } });
    const french = scope.tmp.write('usage.csv', 'Date;Clé API;Type;Coût (USD)\r\n27/03/2026 09:00;clé-test;requête;2,5\r\n');
    const f = await importFile(ledger, french);
    expect(f).toMatchObject({ format: 'mapping', imported: 1, rejected: 0 });
    expect(f.mapping).toMatchObject({ subject: 'Clé API', cost: 'Coût (USD)', typeValues: { 'requête': 'api' } });
    expect(eventsOf(ledger).map((e) => [e.time, e.type, e.subject, e.cost])).toEqual([
      ['2026-03-25T10:00:00.000Z', 'api', 'clé-prod', 1_234_500_000],
      ['2026-03-26T11:30:00.000Z', 'message', 'clé-prod', 0],
      ['2026-03-27T09:00:00.000Z', 'api', 'clé-test', 2_500_000],
    ]);
  });

  it('reads amounts of three decimals in a semicolon file with their decimal point, not as thousands (0.105 is never $105)', async () => {
    const file = scope.tmp.write('per-request.csv', 'Date;Type;Key;Amount\n2026-10-01 10:00;api;k1;0.105\n2026-10-01 11:00;api;k1;0.028\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'mapping', imported: 2, rejected: 0 });
    expect(eventsOf(ledger).map((e) => e.cost)).toEqual([105_000, 28_000]);
  });

  it('takes the column of real dates for the time, not a Time column of durations in ms that read as Excel serials', async () => {
    const file = scope.tmp.write('durations.csv', 'Date,Time,Key,Cost\n2026-10-01 10:00,41234,k1,0.50\n2026-10-02 11:00,45240,k1,0.25\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'mapping', imported: 2, rejected: 0 });
    expect(r.mapping).toMatchObject({ time: 'Date' });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-10-01T10:00:00.000Z', '2026-10-02T11:00:00.000Z']);
  });

  it('an English sheet\'s Art column (of paintings) is not taken for the German type column', async () => {
    const file = scope.tmp.write('gallery.csv', 'Date,Key,Art,Cost\n2026-10-01 10:00,k1,Mona Lisa,0.50\n2026-10-01 11:00,k1,The Scream,0.25\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'mapping', imported: 2, rejected: 0 });
    expect(r.mapping).toMatchObject({ type: { value: 'api' }, subject: 'Key', cost: 'Cost' });
  });

  it('reads UTF-16 with its byte order mark', async () => {
    const text = '\uFEFFtimestamp\tType\tsubject\tcost_usd\r\n2026-01-05T10:00:00Z\tapi\tk1\t1.5\r\n';
    const file = scope.tmp.write('utf16.csv', Buffer.from(text, 'utf16le'));
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'events', imported: 1, form: { encoding: 'utf-16le', delimiter: '\t' } });
    expect(eventsOf(ledger)[0]).toMatchObject({ subject: 'k1', cost: 1_500_000 });
  });

  it('reads a .csv.gz consumption export as it streams, the same as the plain file', async () => {
    const ws = dustWorkspace({ seed: 3, days: 10 });
    const gz = scope.tmp.write('consumption.csv.gz', gzipSync(ws.consumption));
    const r = await importFile(ledger, gz);
    expect(r).toMatchObject({ format: 'dust-consumption', rows: ws.lines, events: ws.messages, form: { gzip: true } });
    const plain = scope.open('plain.sqlite');
    await importFile(plain, scope.tmp.write('consumption.csv', ws.consumption));
    expect(eventsOf(ledger)).toEqual(eventsOf(plain));
  });

  it('refuses a truncated gzip with a clear message, the ledger unchanged', async () => {
    const ws = dustWorkspace({ seed: 3, days: 3 });
    const bytes = gzipSync(ws.consumption);
    const file = scope.tmp.write('cut.csv.gz', bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(importFile(ledger, file)).rejects.toThrow(/gzip/);
    expect(ledger.summary().events).toBe(0);
  });
});
