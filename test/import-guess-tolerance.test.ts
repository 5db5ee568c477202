/**
 * A column's form (the dates' order, the amounts' decimal mark) is guessed from the first rows of
 * a spreadsheet (src/import/formats.ts guessMapping, src/import/parse.ts guessDateFormat): one
 * cell among them that reads as nothing ("n/a", a typo) is its row's error, named by its line,
 * not a reason to refuse the file as unmappable. A column that mostly does not read stays undecided.
 */
import { describe, expect, it } from 'vitest';
import { importFile, previewImport } from '../src/import/importer.ts';
import { guessDateFormat } from '../src/import/parse.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();

describe('a bad cell among the rows a column is guessed from', () => {
  it('an amount or a date that reads as nothing: the file is mapped, that row refused with its line', async () => {
    const ledger = scope.open('l.sqlite');
    const file = scope.tmp.write(
      'sheet.csv',
      'When;Key;Kind;Amount\n03/11/2026 10:00;key-a;api;1,50\n25/11/2026 11:00;key-b;api;n/a\nunknown;key-b;api;2,00\n26/11/2026 09:00;key-a;api;0,75\n',
    );
    const p = await previewImport(ledger, file, { skipBadRows: true });
    expect(p).toMatchObject({ format: 'mapping', rows: 4, imported: 2, rejected: 2 });
    expect(p.errors.map((e) => [e.line, e.value])).toEqual([
      [3, 'n/a'],
      [4, 'unknown'],
    ]);
    // the good rows as guessed: day first (25/11), decimal comma
    expect(p.guessed).toMatchObject({ decimal: ',', dayOrder: 'dmy' });
    await expect(importFile(ledger, file)).rejects.toThrow(/sheet\.csv: refused, 2 bad rows.*\n.*sheet\.csv:3: .*"n\/a"/);
  });

  it('a column that mostly reads as nothing stays undecided', () => {
    expect(guessDateFormat(['2026-11-03', 'n/a', 'unknown'])).toBeNull();
    expect(guessDateFormat(['2026-11-03', '2026-11-04', 'unknown'])).toBe('ymd');
    expect(guessDateFormat(['25/11/2026', 'x', '03/11/2026'])).toBe('dmy');
  });
});
