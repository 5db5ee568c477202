/**
 * A sheet to map that keeps the day and the time of day in two columns (`Date,Time`,
 * `Datum;Uhrzeit`): read from the date column alone, every event fell at midnight, which moves it
 * in every sliding 24 h window. The guess and a mapping file (`timeOfDay`) make the two one time.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile, previewImport } from '../src/import/importer.ts';
import { guessMapping, parseColumnMapping, shapeOf } from '../src/import/formats.ts';
import { parseDateAndTimeOfDay } from '../src/import/parse.ts';
import { importFindings } from '../src/import/findings.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const times = (l: Ledger): string[] => eventsOf(l).map((e) => e.time);

describe('a date column and a time-of-day column, guessed', () => {
  it('imports each row at its time of day, and the preview shows it before anything is written', async () => {
    const file = scope.tmp.write('usage.csv', 'Date,Time,Key,Cost\n2026-10-01,14:35:10,k1,1.00\n2026-10-01,09:00:00,k1,2.00\n2026-10-02,23:59:59,k2,3.00\n');
    const p = await previewImport(ledger, file, { audience: 'app' });
    expect(p.mapping).toMatchObject({ time: 'Date', dateFormat: 'ymd', timeOfDay: 'Time', subject: 'Key', cost: 'Cost' });
    expect(p.firstEvents.map((e) => e.time)).toEqual(['2026-10-01T14:35:10.000Z', '2026-10-01T09:00:00.000Z', '2026-10-02T23:59:59.000Z']);
    expect(importFindings(p).readAs).toBe('UTF-8, comma-separated, decimal point (12.34), dates as YYYY-MM-DD, times of day from the column "Time"');
    expect(times(ledger)).toEqual([]);

    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ rows: 3, imported: 3, rejected: 0, mapping: { timeOfDay: 'Time' } });
    expect(times(ledger)).toEqual(['2026-10-01T09:00:00.000Z', '2026-10-01T14:35:10.000Z', '2026-10-02T23:59:59.000Z']);
    // the same file again adds nothing: the saved mapping (of this shape) keeps the time column
    expect(await importFile(ledger, file)).toMatchObject({ imported: 0, duplicates: 3 });
  });

  it('reads day-first dates with a 12-hour clock, and a German sheet with Datum;Uhrzeit and a decimal comma', async () => {
    const us = scope.tmp.write('uk.csv', 'Date,Time,Key,Cost\n01/10/2026,2:35 PM,k1,1.00\n13/10/2026,9:00 AM,k1,2.00\n');
    await importFile(ledger, us);
    expect(times(ledger)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-13T09:00:00.000Z']);
    const de = scope.open('de.sqlite');
    const file = scope.tmp.write('de.csv', 'Datum;Uhrzeit;Schlüssel;Betrag\n14.10.2026;14:35:10;k1;1,50\n15.10.2026;09:00;k1;2,00\n');
    const r = await importFile(de, file);
    expect(r).toMatchObject({ imported: 2, mapping: { time: 'Datum', timeOfDay: 'Uhrzeit', decimal: ',' } });
    expect(eventsOf(de).map((e) => [e.time, e.cost])).toEqual([
      ['2026-10-14T14:35:10.000Z', 1_500_000],
      ['2026-10-15T09:00:00.000Z', 2_000_000],
    ]);
  });

  it('never takes a column of durations for the time of day (1250 ms is not 12:50)', async () => {
    const g = guessMapping(['Date', 'Time', 'Key', 'Cost'], [
      ['2026-10-01', '1250', 'k1', '1.00'],
      ['2026-10-01', '830', 'k1', '1.00'],
      ['2026-10-01', '0.5', 'k1', '1.00'],
    ]);
    expect(g.mapping).toMatchObject({ time: 'Date', timeOfDay: null });
    // nor beside a time column that holds its own times
    const own = guessMapping(['Date', 'Time', 'Key', 'Cost'], [['2026-10-01 10:00', '14:35', 'k1', '1.00']]);
    expect(own.mapping).toMatchObject({ time: 'Date', timeOfDay: null });
  });

  it('refuses a time that is no time of day, naming both columns and the line, and writes nothing', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `2026-10-01,10:${String(i).padStart(2, '0')},k1,1.00`);
    const file = scope.tmp.write('bad.csv', ['Date,Time,Key,Cost', ...rows, '2026-10-02,25:61,k1,1.00', '2026-10-02,,k1,1.00'].join('\n') + '\n');
    const before = snapshot(ledger);
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    const message = (err as ImportRefusedError).message;
    expect(message).toContain('bad.csv:12: Time "25:61" is not a time of day (hh:mm, hh:mm:ss or h:mm AM) for Date "2026-10-02"');
    expect(message).toContain('bad.csv:13: Time "" is empty: expected the time of day of Date "2026-10-02"');
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('a mapping file names the time-of-day column (timeOfDay)', () => {
  const mapping = { time: 'Day', timeOfDay: 'At', dateFormat: 'dmy', timeZone: 'Europe/Paris', type: { value: 'api' }, subject: 'Key', cost: 'Cost' };

  it('reads the two cells as one wall-clock time in the mapping time zone, or in the zone the time writes', async () => {
    const file = scope.tmp.write('paris.csv', 'Day,At,Key,Cost\n03/10/2026,14:35,k1,1.00\n03/10/2026,14:35 UTC,k1,2.00\n');
    const r = await importFile(ledger, file, { mapping });
    expect(r).toMatchObject({ imported: 2, rejected: 0 });
    expect(eventsOf(ledger).map((e) => [e.time, e.cost])).toEqual([
      ['2026-10-03T12:35:00.000Z', 1_000_000],
      ['2026-10-03T14:35:00.000Z', 2_000_000],
    ]);
  });

  it('refuses a day that holds a time of its own, rather than guess which of the two holds', async () => {
    const file = scope.tmp.write('both.csv', 'Day,At,Key,Cost\n03/10/2026 10:00,14:35,k1,1.00\n');
    const err = await importFile(ledger, file, { mapping }).catch((e: unknown) => e);
    expect((err as ImportRefusedError).result.errors).toEqual([
      expect.objectContaining({ line: 2, column: 'Day', value: '03/10/2026 10:00', message: expect.stringMatching(/has a time of day of its own, and the mapping takes it from At "14:35"/) }),
    ]);
    expect(eventsOf(ledger)).toEqual([]);
  });

  it('refuses a mapping whose timeOfDay is the time column itself, or completes epoch times', () => {
    expect(() => parseColumnMapping({ ...mapping, timeOfDay: 'day' }, 'map.json')).toThrow(/map\.json: invalid column mapping: mapping.timeOfDay "day" is the time column itself/);
    expect(() => parseColumnMapping({ ...mapping, dateFormat: 'epoch-s' }, 'map.json')).toThrow(/mapping.timeOfDay "At" completes a day, and epoch seconds are a moment already/);
    // a mapping without it is read as before
    expect(parseColumnMapping({ time: 'Day', dateFormat: 'dmy', type: { value: 'api' }, subject: 'Key', cost: 'Cost' }, 'm').timeOfDay).toBeNull();
  });

  it('on the command line: --mapping with timeOfDay, and the preview says the column', async () => {
    const file = scope.tmp.write('cli.csv', 'Day,At,Key,Cost\n03/10/2026,14:35,k1,1.00\n');
    const map = scope.tmp.write('map.json', JSON.stringify(mapping));
    const db = scope.tmp.path('cli.sqlite');
    const preview = await runCli('import', file, '--db', db, '--mapping', map, '--preview');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('times of day from the column "At"');
    expect((await runCli('import', file, '--db', db, '--mapping', map)).code).toBe(0);
  });

  it('reads Excel date serials of days with the time beside them', () => {
    expect(parseDateAndTimeOfDay('46296', '14:35:10.5', 'excel-serial', 'UTC')).toBe(Date.parse('2026-10-01T14:35:10.500Z'));
    expect(parseDateAndTimeOfDay('46296.5', '14:35', 'excel-serial', 'UTC')).toBe('date-has-time');
    expect(parseDateAndTimeOfDay('2026-10-01', '24:00', 'ymd', 'UTC')).toBe('time');
    expect(parseDateAndTimeOfDay('2026-10-01', '12:30 PM', 'ymd', 'UTC')).toBe(Date.parse('2026-10-01T12:30:00Z'));
    expect(parseDateAndTimeOfDay('2026-10-01', '12:30 AM', 'ymd', 'UTC')).toBe(Date.parse('2026-10-01T00:30:00Z'));
    expect(parseDateAndTimeOfDay('2026-02-30', '12:30', 'ymd', 'UTC')).toBe('date');
  });

  it('reads a German sheet whose times say Uhr (14:35 Uhr), guessed as its time of day', async () => {
    expect(parseDateAndTimeOfDay('13.10.2026', '14:35 Uhr', 'dmy', 'UTC')).toBe(Date.parse('2026-10-13T14:35:00Z'));
    const file = scope.tmp.write('uhr.csv', 'Datum;Uhrzeit;Schlüssel;Betrag\n13.10.2026;14:35 Uhr;k1;1,50\n14.10.2026;9:05 Uhr;k1;2,00\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 2, mapping: { timeOfDay: 'Uhrzeit' } });
    expect(times(ledger)).toEqual(['2026-10-13T14:35:00.000Z', '2026-10-14T09:05:00.000Z']);
  });
});

describe('a mapping saved from a guess before time-of-day columns were read', () => {
  it('is completed by the next file of its shape: its rows keep their times', async () => {
    const header = ['Date', 'Time', 'Key', 'Cost'];
    const old = { time: 'Date', dateFormat: 'ymd', timeZone: 'UTC', type: { value: 'api' }, typeValues: {}, subject: 'Key', cost: 'Cost', costUnit: 'usd', decimal: '.', currency: 'USD', usdPerUnit: null, id: null };
    // as ledger/mappings.ts stores a guessed mapping
    ledger.saveMapping(shapeOf(header), header, { fromGuess: true, mapping: old });
    const r = await importFile(ledger, scope.tmp.write('next.csv', 'Date,Time,Key,Cost\n2026-11-01,08:15,k1,1.00\n'));
    expect(r.mapping).toMatchObject({ timeOfDay: 'Time' });
    expect(times(ledger)).toEqual(['2026-11-01T08:15:00.000Z']);
  });
});
