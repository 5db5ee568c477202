/**
 * The "read as" line says where a day order came from: a mapping's order (given, or saved for the
 * file's shape) was no guess, and "guessed from the rows" sent an admin looking for a row that told.
 */
import { describe, expect, it } from 'vitest';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
const mapping = { time: 'Date', dateFormat: 'dmy', type: { value: 'api' }, subject: 'Key', cost: 'Cost' };

describe('the day order in the "read as" line', () => {
  it('given by the mapping, then by the mapping saved for this shape: never "guessed from the rows"', async () => {
    const ledger = scope.open('l.sqlite');
    const file = scope.tmp.write('amb.csv', 'Date,Key,Cost\n3/10/2026,k1,1.50\n3/11/2026,k1,2.00\n');
    const given = await previewImport(ledger, file, { mapping });
    expect(importFindings(given).readAs).toBe('UTF-8, comma-separated, decimal point (12.34), dates day first (dd/mm/yyyy, as the mapping says)');
    await importFile(ledger, file, { mapping });
    const saved = await importFile(ledger, file);
    expect(saved).toMatchObject({ imported: 0, duplicates: 2 });
    expect(importFindings(saved).readAs).toBe('UTF-8, comma-separated, decimal point (12.34), dates day first (dd/mm/yyyy, as the mapping saved for this shape of file says)');
  });

  it('a guess saved from an earlier file that told, applied to a file that tells nothing, says so; the rows that tell are still a guess', async () => {
    const ledger = scope.open('l.sqlite');
    const told = await importFile(ledger, scope.tmp.write('a.csv', 'Date,Key,Cost\n13/10/2026,k1,1\n'));
    expect(importFindings(told).readAs).toContain('dates day first (dd/mm/yyyy, guessed from the rows)');
    const next = await importFile(ledger, scope.tmp.write('b.csv', 'Date,Key,Cost\n3/10/2026,k1,1\n'));
    expect(importFindings(next).readAs).toContain('dates day first (dd/mm/yyyy, as the mapping saved for this shape of file says)');
  });
});
