/**
 * A mapping that says `"dateFormat": "mdy"` for dates written with dots (`01.10.2026`): every
 * locale that writes dotted dates writes them day first, yet the import took the mapping as given
 * without a word, and a sheet of October went into the ledger as ten months of January to October.
 * The admin's explicit choice is still honoured, but the import now says, naming the file and the
 * column, that dotted dates are day first, with what in the rows makes the reading doubtful.
 */
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/cli/commands/import.ts';
import { importFacts } from '../src/api/import-facts.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
const HEADER = 'Datum,Schlüssel,Betrag\n';
const MDY = { time: 'Datum', dateFormat: 'mdy', type: { value: 'api' }, subject: 'Schlüssel', cost: 'Betrag' };

function write(name: string, rows: string[], mapping: object = MDY): { file: string; mapping: string } {
  return { file: scope.tmp.write(name, HEADER + rows.map((r) => `${r}\n`).join('')), mapping: scope.tmp.write(`${name}.json`, JSON.stringify(mapping)) };
}

describe('dotted dates read month first because the mapping says so', () => {
  it('are read as the mapping says, and said: file, column, and that they lie closer read day first', async () => {
    const { file, mapping } = write('dotted.csv', ['01.10.2026,k1,1.50', '02.10.2026,k1,2.00', '03.10.2026,k2,0.75', '04.10.2026,k1,1.00']);
    const out = await runImport([file], { db: scope.tmp.path('l.sqlite'), mapping, json: true });
    expect(out.exitCode).toBe(0);
    // honoured: the first row is the 10th of January
    const ledger = scope.open('l.sqlite');
    expect(eventsOf(ledger).map((e) => e.time.slice(0, 10))).toEqual(['2026-01-10', '2026-02-10', '2026-03-10', '2026-04-10']);
    // said on stderr, beside --json's objects
    expect(out.stderr).toContain(`${file}: column "Datum": its dates are written with dots (01.10.2026, line 2), which are day first wherever they are written, but the mapping says "dateFormat": "mdy"`);
    expect(out.stderr).toContain('(01.10.2026 as 2026-01-10)');
    expect(out.stderr).toContain('Read day first the rows lie within 4 days (2026-10-01 to 2026-10-04); read month first they spread over 3 months (2026-01-10 to 2026-04-10).');
    expect(out.stderr).toContain('If they are day first, give "dateFormat": "dmy" in the mapping.');
  });

  it('names a value that is no date month first, in its row and in the warning', async () => {
    const { file, mapping } = write('mixed.csv', ['01.10.2026,k1,1.50', '02.10.2026,k1,2.00', '13.10.2026,k2,0.75']);
    const refused = await runImport([file], { db: scope.tmp.path('a.sqlite'), mapping });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`${file}:4: Datum "13.10.2026" is not a time in the mapped format (mdy): 13 is no month. Dates written with dots are day first, and read so it is 2026-10-13: is the mapping's "dateFormat" "dmy"?`);
    const skipped = await runImport([file], { db: scope.tmp.path('b.sqlite'), mapping, skipBadRows: true });
    expect(skipped.stderr).toContain(`1 row (${file}:4: 13.10.2026, day first 2026-10-13) is no date month first but is one day first: refused as a bad row.`);
  });

  it('is said in the app too, and not when the mapping says day first or the dates themselves are month first', async () => {
    const l = scope.open('app.sqlite');
    const dotted = write('app.csv', ['01.10.2026,k1,1.50', '02.10.2026,k1,2.00']);
    const r = await importFile(l, dotted.file, { mapping: MDY, displayName: 'app.csv' });
    expect(importFacts(r, 'imported').findings.dottedMonthFirst).toMatch(/^app\.csv: column "Datum": its dates are written with dots/);

    const dmy = write('dmy.csv', ['05.10.2026,k1,1.50', '06.10.2026,k1,2.00']);
    expect((await importFile(l, dmy.file, { mapping: { ...MDY, dateFormat: 'dmy' } })).dottedMonthFirst).toBeUndefined();
    // 10.13.2026 is no date day first: the rows confirm the mapping
    const us = write('us.csv', ['10.12.2026,k1,1.50', '10.13.2026,k1,2.00']);
    const ru = await importFile(l, us.file, { mapping: MDY });
    expect(ru.dottedMonthFirst).toBeUndefined();
    expect(importFacts(ru, 'imported').findings.dottedMonthFirst).toBeNull();
    // slash dates are written month first in some places: nothing to say
    const slash = write('slash.csv', ['01/10/2026,k1,1.50']);
    expect((await importFile(l, slash.file, { mapping: MDY })).dottedMonthFirst).toBeUndefined();
  });
});
