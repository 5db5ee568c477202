/**
 * A time-of-day column (`Date,Time`) as sheets really write it: one date cell with a time of its
 * own is its row's error, not a reason to read every other row at midnight; `14h35`, `14h`,
 * `14.35` and `14.35 Uhr` (French and German sheets) are times of day.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile } from '../src/import/importer.ts';
import { parseTimeOfDay } from '../src/import/parse.ts';
import { importFindings } from '../src/import/findings.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const times = (l: Ledger): string[] => eventsOf(l).map((e) => e.time);

describe('a time-of-day column with a messy cell, or written the way a French or German sheet writes it', () => {
  it('one date cell with its own time is its row\'s error (both cells named); the other rows keep their times', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => `2026-10-0${i + 1},14:3${i},k1,1.50`);
    const file = scope.tmp.write('mix.csv', ['Date,Time,Key,Cost', ...rows, '2026-10-10 08:00,14:35,k1,1'].join('\n') + '\n');
    const err = await importFile(ledger, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect((err as ImportRefusedError).message).toContain('mix.csv:11: Date "2026-10-10 08:00" has a time of day of its own, and the mapping takes it from Time "14:35"');
    const r = await importFile(ledger, file, { skipBadRows: true });
    expect(r).toMatchObject({ imported: 9, rejected: 1, mapping: { timeOfDay: 'Time' } });
    expect(importFindings(r).readAs).toContain('times of day from the column "Time"');
    expect(times(ledger)[0]).toBe('2026-10-01T14:30:00.000Z');
    expect(times(ledger).every((t) => !t.endsWith('T00:00:00.000Z'))).toBe(true);
  });

  it('reads 14h35, 14h, 14.35 and 14.35 Uhr as times of day, guessed under Heure and Uhrzeit', async () => {
    expect(['14h35', '14h', '14 h 35', '14.35', '14.35 Uhr', '14 Uhr'].map((v) => parseTimeOfDay(v))).toEqual(
      [[14, 35], [14, 0], [14, 35], [14, 35], [14, 35], [14, 0]].map(([h, mi]) => ({ h, mi, s: 0, ms: 0, offset: null })),
    );
    expect(parseTimeOfDay('24h')).toBeNull();
    expect(parseTimeOfDay('14.3')).toBeNull();
    const fr = await importFile(ledger, scope.tmp.write('fr.csv', 'Date;Heure;Clé API;Coût\n01/10/2026;14h35;k1;1,50\n13/10/2026;14h;k1;2,50\n'));
    expect(fr).toMatchObject({ imported: 2, mapping: { timeOfDay: 'Heure' } });
    const de = scope.open('de.sqlite');
    const r = await importFile(de, scope.tmp.write('de.csv', 'Datum;Uhrzeit;Schlüssel;Betrag\n01.10.2026;14.35 Uhr;k1;1,50\n02.10.2026;14.35;k1;2,50\n'));
    expect(r).toMatchObject({ imported: 2, mapping: { timeOfDay: 'Uhrzeit' } });
    expect(times(ledger)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-13T14:00:00.000Z']);
    expect(times(de)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-02T14:35:00.000Z']);
  });

});
