/**
 * A sheet with its time of day in a column of its own (`Date,Time`), as the reviewer met it:
 * - a ledger imported before such columns were read holds its rows at midnight, under a mapping
 *   saved from the guess without `timeOfDay`: the same file again must add nothing (SPEC §8), so
 *   that saved reading stands while the ledger holds rows read with it, and the admin is told;
 * - a column named as a time of day whose cells do not read is said to be left out, never
 *   dropped silently.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { shapeOf } from '../src/import/formats.ts';
import { importFindings } from '../src/import/findings.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { runCli } from './support/run-cli.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const header = ['Date', 'Time', 'Key', 'Cost'];
const T1 = 'Date,Time,Key,Cost\n2026-10-01,14:35,k1,1.50\n2026-10-01,2:35 PM,k1,2.00\n2026-10-02,09:05:10,k2,0.25\n';
/** the mapping an admin wrote before `timeOfDay` existed */
const OLD = { time: 'Date', dateFormat: 'ymd', type: { value: 'api' }, subject: 'Key', cost: 'Cost' };
const spend = (l: Ledger): number => eventsOf(l).reduce((s, e) => s + e.cost, 0);
const times = (l: Ledger): string[] => eventsOf(l).map((e) => e.time);

/** t1.csv imported as before today: every row at midnight, its mapping saved as a guess without timeOfDay */
async function importedBeforeTimesOfDay(): Promise<string> {
  const file = scope.tmp.write('t1.csv', T1);
  expect(await importFile(ledger, file, { mapping: OLD })).toMatchObject({ imported: 3 });
  // as ledger/mappings.ts stored a guessed mapping before time-of-day columns were read
  ledger.saveMapping(shapeOf(header), header, { fromGuess: true, mapping: OLD });
  return file;
}

describe('a mapping saved from a guess before time-of-day columns were read, with its rows in the ledger', () => {
  it('the same file again adds nothing: the saved reading stands, and the admin is told why and what to do', async () => {
    const file = await importedBeforeTimesOfDay();
    const before = spend(ledger);
    const p = await previewImport(ledger, file);
    expect(p).toMatchObject({ imported: 0, duplicates: 3, timeOfDay: { kind: 'kept', column: 'Time', batches: [1], events: 3 } });
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ rows: 3, imported: 0, duplicates: 3 });
    expect(spend(ledger)).toBe(before);
    const text = importFindings(r).timeOfDay;
    expect(text).toContain('The column "Time" holds times of day, but the mapping saved for this shape of file (guessed before such columns were read) leaves it out');
    expect(text).toContain('the ledger holds 3 events of such files read so, at midnight (batch 1)');
    expect(text).toContain('To read the times of day: undo batch 1 (and this import, if it adds rows), then import the files again');
    expect(text).toContain('each of its rows would count again, at its time, beside its copy at midnight');
  });

  it('an overlapping file adds only its new rows; once the earlier import is undone, the file is read at its times of day', async () => {
    const file = await importedBeforeTimesOfDay();
    const more = scope.tmp.write('t2.csv', `${T1}2026-10-03,10:00,k1,4.00\n`);
    expect(await importFile(ledger, more)).toMatchObject({ rows: 4, imported: 1, duplicates: 3 });
    expect(spend(ledger)).toBe(7_750_000);
    ledger.undoBatch(1);
    ledger.undoBatch(2);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 3, mapping: { timeOfDay: 'Time' } });
    expect(r.timeOfDay).toBeUndefined();
    expect(times(ledger)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-01T14:35:00.000Z', '2026-10-02T09:05:10.000Z']);
  });

  it('a mapping given with timeOfDay while such rows are in the ledger says they count again; one given without says what it leaves out', async () => {
    const file = await importedBeforeTimesOfDay();
    const again = await previewImport(ledger, file, { mapping: { ...OLD, timeOfDay: 'Time' } });
    expect(again).toMatchObject({ imported: 3, timeOfDay: { kind: 'again', column: 'Time', batches: [1] } });
    expect(importFindings(again).timeOfDay).toContain('so its rows among them do not find them and count again, at their time. To count each row once, undo batch 1');
    const left = await previewImport(ledger, file, { mapping: OLD });
    expect(left).toMatchObject({ imported: 0, duplicates: 3 });
    expect(importFindings(left).timeOfDay).toBe(
      'The column "Time" holds times of day, and the mapping leaves it out: every row is read at midnight of its "Date". To read them at their time, name it in the mapping ("timeOfDay": "Time"), after undoing batch 1 (3 events of such files read at midnight), whose rows would otherwise count again, at their time.',
    );
  });

  it('on the command line: the re-import says 0 imported and prints the finding', async () => {
    const db = scope.tmp.path('cli.sqlite');
    const file = scope.tmp.write('t1.csv', T1);
    const map = scope.tmp.write('old.json', JSON.stringify(OLD));
    expect((await runCli('import', file, '--db', db, '--mapping', map)).code).toBe(0);
    const l = scope.open('cli.sqlite');
    l.saveMapping(shapeOf(header), header, { fromGuess: true, mapping: OLD });
    l.close();
    const out = await runCli('import', file, '--db', db);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('3 rows, 0 imported, 3 duplicates, 0 rejected');
    expect(out.stdout).toContain('  The column "Time" holds times of day, but the mapping saved for this shape of file');
  });
});

describe('a column named as a time of day that is left out', () => {
  it('a column named as a time of day whose cells do not read is said to be left out, and why; a mapping naming it reads them', async () => {
    // under `Time`, 14.35 may be seconds: not taken unasked, but never silently
    const file = scope.tmp.write('dots.csv', 'Date,Time,Key,Cost\n2026-10-01,14.35,k1,1.50\n2026-10-02,09.05,k1,2.50\n');
    const p = await previewImport(ledger, file);
    expect(p).toMatchObject({ mapping: { timeOfDay: null }, timeOfDay: { kind: 'unread', column: 'Time', cell: '14.35' } });
    expect(importFindings(p).timeOfDay).toBe(
      'The column "Time" is named as a time of day, but its cells are not written as one ("14.35"): left out, every row is read at midnight of its "Date". If it holds times of day, write them as hh:mm (14:35) or name it in the mapping ("timeOfDay": "Time"); a cell that is then no time of day is its row\'s error.',
    );
    await importFile(ledger, file, { mapping: { ...OLD, timeOfDay: 'Time' } });
    expect(times(ledger)).toEqual(['2026-10-01T14:35:00.000Z', '2026-10-02T09:05:00.000Z']);
    // a column of durations is left out too, and said
    const dur = await previewImport(scope.open('dur.sqlite'), scope.tmp.write('dur.csv', 'Date,Time,Key,Cost\n2026-10-01,1250,k1,1.00\n'));
    expect(dur.timeOfDay).toMatchObject({ kind: 'unread', column: 'Time', cell: '1250' });
  });
});
