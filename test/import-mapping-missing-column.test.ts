/**
 * A mapping whose time column is not in the file, and which also lacks its dateFormat, was refused
 * for the missing dateFormat alone (the mapping is checked before any file is read): the admin
 * added it, tried again, and only then heard that the column does not exist. The column is now
 * said first, naming the field, the column and the file's header, with the mapping's own problems
 * in the same refusal; a mapping naming several absent columns names them all at once.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/cli/commands/import.ts';
import { inputRefusal } from './support/refusals.ts';
import { importFile } from '../src/import/importer.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
const CSV = 'Datum,Schlüssel,Betrag\n01.10.2026,k1,1.50\n';
const NO_DATE_FORMAT = { time: 'When', type: { value: 'api' }, subject: 'Schlüssel', cost: 'Betrag' };


describe('a mapping naming a column the file lacks, and missing its dateFormat', () => {
  it('is refused on the command line for the column first, then the dateFormat, before any ledger is made', async () => {
    const file = scope.tmp.write('usage.csv', CSV);
    const mapping = scope.tmp.write('map.json', JSON.stringify(NO_DATE_FORMAT));
    const db = scope.tmp.path('l.sqlite');
    const err = await inputRefusal(runImport([file], { db, mapping }));
    const [first, second] = err.message.split('\n');
    expect(first).toBe(`${file}:1: missing column "When" (mapping.time); the file's header: Datum,Schlüssel,Betrag`);
    expect(second).toMatch(/^.*map\.json: invalid column mapping: mapping\.dateFormat is missing/);
    expect(err.details.map((d) => d.column)).toEqual(['mapping.time', 'mapping.dateFormat']);
    expect(existsSync(db)).toBe(false);
  });

  it('is refused by the importer (the app) with both at once, the column first', async () => {
    const file = scope.tmp.write('usage.csv', CSV);
    const err = await inputRefusal(importFile(scope.open('l.sqlite'), file, { mapping: NO_DATE_FORMAT, mappingName: 'the mapping' }));
    expect(err.message).toMatch(/^usage\.csv:1: missing column "When" \(mapping\.time\); the file's header: Datum,Schlüssel,Betrag; and the mapping: invalid column mapping: mapping\.dateFormat is missing/);
  });

  it('names every absent column of a valid mapping at once, and a mapping whose columns are there is refused for its own fields only', async () => {
    const file = scope.tmp.write('usage.csv', CSV);
    const valid = await inputRefusal(importFile(scope.open('l.sqlite'), file, { mapping: { ...NO_DATE_FORMAT, dateFormat: 'dmy', subject: 'Key' } }));
    expect(valid.message).toBe(`usage.csv:1: missing column "When" (mapping.time), missing column "Key" (mapping.subject); the file's header: Datum,Schlüssel,Betrag`);
    const mapping = scope.tmp.write('map.json', JSON.stringify({ ...NO_DATE_FORMAT, time: 'Datum' }));
    const own = await inputRefusal(runImport([file], { db: scope.tmp.path('m.sqlite'), mapping }));
    expect(own.message).toMatch(/^.*map\.json: invalid column mapping: mapping\.dateFormat is missing/);
    expect(own.message).not.toContain('missing column');
  });
});
