/**
 * The platform's cost export with its header renamed in a spreadsheet (`Date,Agent,API Key,Source,
 * Spend (USD)`), and `--dates` on a sheet to map. Found by a review (round 5, F4): such a file was
 * read as a sheet to map, so
 * - each day's spend landed at midnight under a sheet's identities, and beside the consumption
 *   export of the same days every dollar counted twice (a key's peak $464 read $928);
 * - `N/A` (spend without a key) became an API key named "N/A";
 * - `--dates dmy` was silently ignored, although the file wrote 9/13/2026, which an export
 *   imported with `--dates dmy` is refused for; on a sheet of one's own too.
 */
import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import type { ImportResult } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';
import { countedSpend, sortedSpend } from './support/counted-spend.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const RENAMED = 'Date,Agent,API Key,Source,Spend (USD)';

/** 1 to 15 September 2026: the consumption export and the cost export of the same spend */
const ws = dustWorkspace({ seed: 41, days: 15, start: Date.UTC(2026, 8, 1) });

/** The cost export as a US spreadsheet re-saves it with its headers renamed: m/d/yyyy days. */
function usResave(cost: string, header = RENAMED): string {
  const [, ...rows] = cost.trimEnd().split('\n');
  const us = rows.map((r) => r.replace(/^(\d{4})-(\d{2})-(\d{2})/, (_m, y: string, mo: string, d: string) => `${Number(mo)}/${Number(d)}/${y}`));
  return `${header}\n${us.join('\n')}\n`;
}

const subjects = (l: Ledger): Set<string> => new Set(eventsOf(l).map((e) => e.subject));

describe('the cost export with its columns renamed is read as the cost export', () => {
  it('counts each dollar once beside the consumption export of the same days, in either order', async () => {
    expect(ws.cost).toHaveLength(1);
    const consumption = scope.tmp.write('consumption.csv', ws.consumption);
    const renamed = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    await importFile(ledger, consumption);
    const r = await importFile(ledger, renamed);
    expect(r).toMatchObject({ format: 'dust-cost', rejected: 0 });
    expect(sortedSpend(countedSpend(ledger, ws))).toEqual(sortedSpend(ws.truth));
    // every key-day the file holds is in the consumption export: its lines count, the file's rows are a cross-check
    expect(r.fileOverlap).toMatchObject({ countedCost: 0 });
    expect(r.fileOverlap!.countedConsumption).toBe(r.fileOverlap!.ownScopeDays);

    const other = scope.open('other.sqlite');
    await importFile(other, renamed);
    await importFile(other, consumption);
    expect(sortedSpend(countedSpend(other, ws))).toEqual(sortedSpend(ws.truth));
  });

  it('is the export as downloaded: importing either after the other adds nothing', async () => {
    const original = scope.tmp.write('cost.csv', ws.cost[0]!);
    const renamed = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    const first = await importFile(ledger, original);
    expect(await importFile(ledger, renamed)).toMatchObject({ format: 'dust-cost', imported: 0, duplicates: first.rows });
    const other = scope.open('other.sqlite');
    const again = await importFile(other, renamed);
    expect(await importFile(other, original)).toMatchObject({ imported: 0, duplicates: again.rows });
  });

  it('reads N/A as spend without a key, never as a key, and spreads each day over its hours', async () => {
    expect(ws.cost[0]).toMatch(/,N\/A,trigger,/);
    const r = await importFile(ledger, scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!)));
    expect(r.format).toBe('dust-cost');
    const seen = subjects(ledger);
    expect(seen.has('N/A')).toBe(false);
    expect([...seen].some((s) => s.startsWith('no-key:'))).toBe(true);
    // mid-hour pieces of each day, as the export's rows are spread: none at midnight
    const times = eventsOf(ledger).map((e) => e.time.slice(11));
    expect(times.every((t) => t.endsWith(':30:00.000Z'))).toBe(true);
  });

  it('says which column was read as which, in the import and its preview, on the command line and in the app', async () => {
    const file = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    const said =
      'cost_us.csv: read as the platform\'s cost export, its columns renamed: "Date" as date, "Agent" as agent_name, "API Key" as api_key, "Source" as source, "Spend (USD)" as total_spend_usd.';
    const preview = await previewImport(ledger, file);
    expect(preview.format).toBe('dust-cost');
    expect(importFindings(preview, 'cli-preview').recognised).toContain(said);
    expect(importFindings(preview, 'app-preview').recognised).toContain(said);
    expect(importFindings(preview, 'cli-preview').exportLike).toBeNull();
    const out = await runImport([file], { db: scope.tmp.path('cli.sqlite') });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/cost_us\.csv: dust-cost, batch 1: /);
    expect(out.stdout).toContain('"Spend (USD)" as total_spend_usd');
  });

  it('refuses --dates dmy that its own 9/13/2026 contradicts, as for the export, writing nothing', async () => {
    const file = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    const line = usResave(ws.cost[0]!).split('\n').findIndex((l) => l.startsWith('9/13/2026')) + 1;
    const message = `cost_us.csv:${line}: "9/13/2026" has 13 where --dates dmy puts the month: this file writes its dates month first; drop --dates or give --dates mdy`;
    const before = snapshot(ledger);
    await expect(importFile(ledger, file, { dates: 'dmy' })).rejects.toThrow(message);
    await expect(importFile(ledger, file, { dates: 'dmy', skipBadRows: true })).rejects.toThrow(message);
    await expect(previewImport(ledger, file, { dates: 'dmy' })).rejects.toThrow(message);
    expect(snapshot(ledger)).toEqual(before);
    const db = scope.tmp.path('new.sqlite');
    const out = await runImport([file], { db, dates: 'dmy' });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain(message.slice('cost_us.csv'.length));
    expect(existsSync(db)).toBe(false);
    // the order it writes, given, is taken
    expect(await importFile(ledger, file, { dates: 'mdy' })).toMatchObject({ format: 'dust-cost', rejected: 0, guessed: { dayOrder: 'mdy', dayOrderBy: 'given' } });
  });

  it('also renamed otherwise: a European re-save naming its source column "Type" and its amount "Cost (USD)"', async () => {
    const header = 'Day;Agent name;Key;Type;Cost (USD)';
    const [, ...rows] = ws.cost[0]!.trimEnd().split('\n');
    const eu = rows.map((r) => {
      const [date, agent, key, source, spend] = r.split(',') as [string, string, string, string, string];
      const [y, m, d] = date.split('-');
      return [`${d}/${m}/${y}`, agent, key, source, spend.replace('.', ',')].join(';');
    });
    const r = await importFile(ledger, scope.tmp.write('cost_eu.csv', `${header}\n${eu.join('\n')}\n`));
    expect(r).toMatchObject({ format: 'dust-cost', rejected: 0, guessed: { decimal: ',', dayOrder: 'dmy' } });
    expect(r.recognised?.columns).toContainEqual({ field: 'source', column: 'Type', byValues: true });
    expect(importFindings(r).recognised).toContain('"Type" as source (its cells are the export’s sources)');
    expect(await importFile(ledger, scope.tmp.write('cost.csv', ws.cost[0]!))).toMatchObject({ imported: 0 });
  });

  it('one column renamed among the export\'s own names (`Spend (USD)`) is read too, not refused as missing', async () => {
    const file = scope.tmp.write('cost.csv', ws.cost[0]!.replace('total_spend_usd', 'Spend (USD)'));
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'dust-cost', rejected: 0 });
    expect(r.recognised?.columns.find((c) => c.field === 'total_spend_usd')).toEqual({ field: 'total_spend_usd', column: 'Spend (USD)' });
  });

  it('--format mapping without a mapping is refused naming the export, as for the export as downloaded', async () => {
    const file = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    await expect(importFile(ledger, file, { format: 'mapping' })).rejects.toThrow(/this is the platform's cost export, not the CSV to map/);
  });
});

describe('a sheet that looks like the cost export, but not surely, is read as a sheet and said', () => {
  /** the export renamed, its `Source` column deleted */
  function withoutSource(): string {
    const [, ...rows] = usResave(ws.cost[0]!).trimEnd().split('\n');
    return `Date,Agent,API Key,Spend (USD)\n${rows.map((r) => r.split(',').filter((_c, k) => k !== 3).join(',')).join('\n')}\n`;
  }

  it('names the columns matched, what is missing, and that its spend counts twice beside the exports, N/A as a key', async () => {
    const file = scope.tmp.write('cost_cut.csv', withoutSource());
    const r = await importFile(ledger, file);
    expect(r.format).toBe('mapping');
    const said = importFindings(r, 'cli').exportLike!;
    expect(said).toContain(
      'cost_cut.csv looks like the platform\'s cost export with its columns renamed ("Date" as date, "Agent" as agent_name, "API Key" as api_key, "Spend (USD)" as total_spend_usd), but not surely: no column reads as its source.',
    );
    expect(said).toContain("beside the cost or the consumption export of the same days its spend counts twice");
    expect(said).toContain('"N/A" in "API Key" is read as a key named "N/A"');
    expect(said).toContain('If it is the export, undo this import, name its columns as the export does (date,agent_name,api_key,source,total_spend_usd), and import it again');
    // the preview says it before anything is written
    const preview = await previewImport(scope.open('p.sqlite'), file);
    expect(importFindings(preview, 'cli-preview').exportLike).toContain('before importing it');
    const out = await runImport([file], { db: scope.tmp.path('cli.sqlite'), preview: true });
    expect(out.stdout).toContain('looks like the platform\'s cost export');
  });

  it('a column none of the export\'s makes it a sheet, said', async () => {
    const [, ...rows] = usResave(ws.cost[0]!).trimEnd().split('\n');
    const file = scope.tmp.write('noted.csv', `${RENAMED},Notes\n${rows.map((r) => `${r},checked`).join('\n')}\n`);
    const r = await importFile(ledger, file);
    expect(r.format).toBe('mapping');
    expect(importFindings(r).exportLike).toContain('but not surely: the column "Notes" is none of the export\'s');
  });

  it('a sheet of one\'s own (a date, a key, an amount, no mark of the export) says nothing', async () => {
    const r = await importFile(ledger, scope.tmp.write('own.csv', 'Date,API key,Amount USD\n2026-08-01,k1,3.50\n2026-08-02,k2,2.50\n'));
    expect(r.format).toBe('mapping');
    expect(r.exportLike).toBeUndefined();
  });

  it('the renamed export read through a mapping given is said to count twice, and how to read it as the export', async () => {
    const file = scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!));
    const mapping = { time: 'Date', dateFormat: 'mdy', type: { value: 'api' }, subject: 'API Key', cost: 'Spend (USD)' };
    const r = await importFile(ledger, file, { mapping });
    expect(r.format).toBe('mapping');
    const said = importFindings(r).exportLike!;
    expect(said).toMatch(/^cost_us\.csv has the platform's cost export's columns, renamed \(.*\), and is read through the mapping given, as a sheet to map, not as the export/);
    expect(said).toContain('undo this import, import it without --mapping, and import it again');
    // the mapping is now saved for the file's shape: the next file of it is read so, and said so
    const again = await previewImport(ledger, scope.tmp.write('cost_us2.csv', usResave(ws.cost[0]!)));
    expect(again.format).toBe('mapping');
    expect(again.exportLike?.read).toBe('saved');
  });

  it('a renamed export imported once as a sheet (before this reading) is named when the export is read: its batch counts beside it', async () => {
    // a sheet of these columns, mapped: its rows are at midnight, under a sheet's identities
    const sheet = scope.tmp.write('sheet.csv', 'Date,API Key,Spend (USD)\n9/1/2026,key-marketing,1.00\n');
    await importFile(ledger, sheet, { mapping: { time: 'Date', dateFormat: 'mdy', type: { value: 'api' }, subject: 'API Key', cost: 'Spend (USD)' } });
    const r = await importFile(ledger, scope.tmp.write('cost_us.csv', usResave(ws.cost[0]!)));
    expect(r.format).toBe('dust-cost');
    expect(r.recognised?.sheetsBefore).toEqual({ batches: [1], events: 1 });
    expect(importFindings(r).sheetsBefore).toMatch(/^The ledger holds 1 event of files of cost_us\.csv's columns read as a sheet to map \(batch 1\).*undo batch 1 to count each once\.$/);
  });
});

describe('--dates on a sheet to map is honoured, or refused, never ignored', () => {
  /** a daily sheet of one's own, every date up to the 12th: 1 to 12 August written day first */
  const SHEET = `Date,API key,Amount USD\n${Array.from({ length: 12 }, (_, i) => `${String(i + 1).padStart(2, '0')}/08/2026,k1,1.00`).join('\n')}\n`;
  const days = (r: ImportResult, l: Ledger): string[] => {
    expect(r.rejected).toBe(0);
    return [...new Set(eventsOf(l).map((e) => e.time.slice(0, 10)))].sort();
  };

  it('orders the slash dates its rows cannot order, and says so', async () => {
    const file = scope.tmp.write('sheet.csv', SHEET);
    // without it, refused row by row, saying how to give the order
    await expect(importFile(ledger, file)).rejects.toThrow(/could be day or month first, and no row of the file tells \(no day above 12\): give the date format \(dmy or mdy\) in the mapping, or their order with --dates dmy or mdy/);
    const r = await importFile(ledger, file, { dates: 'dmy' });
    expect(r.format).toBe('mapping');
    expect(days(r, ledger)).toEqual(Array.from({ length: 12 }, (_, i) => `2026-08-${String(i + 1).padStart(2, '0')}`));
    expect(importFindings(r).readAs).toContain('dates day first (dd/mm/yyyy, as --dates says)');
    const other = scope.open('other.sqlite');
    const m = await importFile(other, file, { dates: 'mdy', now: Date.UTC(2027, 0, 1) });
    expect(days(m, other)[0]).toBe('2026-01-08');
    expect(importFindings(m).readAs).toContain('dates month first (mm/dd/yyyy, as --dates says)');
    // read month first, one day a month: the doubt is said, as for an export
    expect(importFindings(m).givenOrderDoubt).toMatch(/read month first, as --dates says, the rows' dates fall on 12 days over 11 months/);
  });

  it('refuses the whole file when a date contradicts it, as for an export', async () => {
    const file = scope.tmp.write('sheet.csv', `${SHEET}13/08/2026,k1,1.00\n`);
    const before = snapshot(ledger);
    await expect(importFile(ledger, file, { dates: 'mdy', skipBadRows: true })).rejects.toThrow(
      'sheet.csv:14: "13/08/2026" has 13 where --dates mdy puts the month: this file writes its dates day first; drop --dates or give --dates dmy',
    );
    expect(snapshot(ledger)).toEqual(before);
  });

  it('beside a mapping given: taken when they agree, refused naming both when they do not, before any ledger is made', async () => {
    const file = scope.tmp.write('sheet.csv', SHEET);
    const map = scope.tmp.write('map.json', JSON.stringify({ time: 'Date', dateFormat: 'dmy', type: { value: 'api' }, subject: 'API key', cost: 'Amount USD' }));
    const db = scope.tmp.path('new.sqlite');
    const refused = await runImport([file], { db, mapping: map, dates: 'mdy' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toBe(`${map}: --dates mdy and the mapping's "dateFormat": "dmy" order the dates differently: give the order once (drop --dates, or make the mapping's "dateFormat" "mdy")`);
    expect(existsSync(db)).toBe(false);
    const agreed = await runImport([file], { db, mapping: map, dates: 'dmy' });
    expect(agreed.exitCode).toBe(0);
    expect(agreed.stdout).toMatch(/12 rows, 12 imported/);
    // the importer refuses it too (the app's calls)
    const mapping = { time: 'Date', dateFormat: 'dmy', type: { value: 'api' }, subject: 'API key', cost: 'Amount USD' };
    await expect(importFile(ledger, file, { mapping, dates: 'mdy', audience: 'app' })).rejects.toThrow(
      "“Dates are: month first” and the mapping's date format (day first (dd/mm/yyyy)) order the dates differently",
    );
  });
});
