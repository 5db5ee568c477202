/**
 * The day order an admin gives a platform export's slash dates (`headroom import --dates`, the
 * app's "Dates are"), against what the file's own rows say. Found by a review:
 * - a day-first file imported with `--dates mdy` was refused row by row, each date above the 12th
 *   "not month first, as the file's other rows are" (the file's other rows said nothing: only the
 *   option did), and with --skip-bad-rows its dates up to the 12th landed one a month over the year;
 * - a month-first file whose dates all read both ways, imported with `--dates dmy`, landed on one
 *   day a month, some after the import itself, without a word, and the amounts its rows then
 *   clashed with were blamed on "a day exported before it ended";
 * - an ISO file previewed with `--dates dmy` was said to be read "day first (dd/mm/yyyy, as
 *   --dates says)", an order it never used;
 * - the command line's preview said to "undo this import", where nothing was imported.
 */
import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COST = 'date,agent_name,api_key,source,total_spend_usd';
const pad = (n: number): string => String(n).padStart(2, '0');

/** A cost export re-saved day first: one row a day, 1 to `days` August 2026. */
function dayFirst(days: number): string {
  const rows = Array.from({ length: days }, (_, i) => `${pad(i + 1)}/08/2026,Support,key-a,api,1.00`);
  return `${COST}\n${rows.join('\n')}\n`;
}

/** A cost export re-saved month first, every date up to the 12th: 1 to 12 October 2026 (`10/1/2026` … `10/12/2026`). */
const MONTH_FIRST_AMBIGUOUS = `${COST}\n${Array.from({ length: 12 }, (_, i) => `10/${i + 1}/2026,Support,key-a,api,1.00`).join('\n')}\n`;

const days = (l: Ledger): string[] => [...new Set(eventsOf(l).map((e) => e.time.slice(0, 10)))].sort();

describe('--dates contradicted by the file’s own rows: the whole file is refused, the option named', () => {
  const MESSAGE = 'eu.csv:14: "13/08/2026" has 13 where --dates mdy puts the month: this file writes its dates day first; drop --dates or give --dates dmy';

  it('refuses the file at its first date above the 12th, writing nothing, with or without --skip-bad-rows', async () => {
    const file = scope.tmp.write('eu.csv', dayFirst(20));
    const before = snapshot(ledger);
    await expect(importFile(ledger, file, { dates: 'mdy' })).rejects.toThrow(MESSAGE);
    await expect(importFile(ledger, file, { dates: 'mdy', skipBadRows: true })).rejects.toThrow(MESSAGE);
    await expect(previewImport(ledger, file, { dates: 'mdy' })).rejects.toThrow(MESSAGE);
    expect(snapshot(ledger)).toEqual(before);
    // the way out it names reads the file as it is
    expect(await importFile(ledger, file, { dates: 'dmy' })).toMatchObject({ imported: 20, rejected: 0 });
    expect(days(ledger)[0]).toBe('2026-08-01');
    expect(days(ledger).at(-1)).toBe('2026-08-20');
  });

  it('the command line: exit code 2, the one message, and no ledger left behind', async () => {
    const file = scope.tmp.write('eu.csv', dayFirst(20));
    const db = scope.tmp.path('new.sqlite');
    for (const skip of [false, true]) {
      const out = await runImport([file], { db, dates: 'mdy', skipBadRows: skip });
      expect(out.exitCode).toBe(2);
      expect(out.stderr).toBe(`${file}${MESSAGE.slice('eu.csv'.length)}\n`);
      expect(out.stdout).toBe('');
      expect(existsSync(db)).toBe(false);
    }
  });

  it('in the app, the words name “Dates are”', async () => {
    const file = scope.tmp.write('eu.csv', dayFirst(20));
    await expect(importFile(ledger, file, { dates: 'mdy', audience: 'app' })).rejects.toThrow(
      'eu.csv:14: "13/08/2026" has 13 where “Dates are: month first” puts the month: this file writes its dates day first; choose “Dates are: day first” (or automatic)',
    );
  });

  it('a consumption export’s times too', async () => {
    const header = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,agentName,usageType,stepIndex,totalCredits';
    const line = (time: string, msg: string): string => [time, msg, 'API', 'key-a', '', 'Bot', 'programmatic', '0', '1.00'].join(',');
    const file = scope.tmp.write('c.csv', `${header}\n${line('09/01/2026 10:00', 'm1')}\n${line('09/13/2026 10:00', 'm2')}\n`);
    await expect(importFile(ledger, file, { dates: 'dmy', skipBadRows: true })).rejects.toThrow(
      'c.csv:3: "09/13/2026 10:00" has 13 where --dates dmy puts the month: this file writes its dates month first; drop --dates or give --dates mdy',
    );
    expect(eventsOf(ledger)).toEqual([]);
  });

  it('a file whose rows say both orders is no wrong option: the row the order given cannot read is a bad row', async () => {
    // 13 August month first on line 2 says the order given; 13/08 on line 3 is then the row's mistake
    const file = scope.tmp.write('mixed.csv', `${COST}\n08/13/2026,Support,key-a,api,1.00\n13/08/2026,Support,key-b,api,1.00\n`);
    const r = await importFile(ledger, file, { dates: 'mdy', skipBadRows: true });
    expect(r).toMatchObject({ imported: 1, rejected: 1 });
    expect(r.errors[0]).toMatchObject({ line: 3, message: "is not month first (mm/dd/yyyy), as the file's other rows are" });
  });
});

describe('--dates the file cannot contradict, scattering its rows: said, with the tighter reading', () => {
  const NOW = Date.UTC(2026, 9, 20, 12);

  it('dates after the import and one a month, where the other order gives consecutive days', async () => {
    const r = await importFile(ledger, scope.tmp.write('us.csv', MONTH_FIRST_AMBIGUOUS), { dates: 'dmy', now: NOW });
    expect(r).toMatchObject({ imported: 12, rejected: 0 });
    expect(importFindings(r).givenOrderDoubt).toBe(
      'us.csv: column "date": read day first, as --dates says, the rows\' dates fall on 12 days over 11 months (2026-01-10 to 2026-12-10); ' +
        '2 of them fall after the day of this import (2026-10-20), which no export holds: the first us.csv:12, 10/11/2026 as 2026-11-10. ' +
        'Read month first they fall on 12 consecutive days (2026-10-01 to 2026-10-12), the tighter span. ' +
        'Every date reads both ways (none has a day above 12), so the file cannot tell: if they are month first, undo this import and import it again telling the order (--dates mdy on the command line).',
    );
  });

  it('said in each reader’s words: the preview’s ways import with the order, or choose it', async () => {
    const file = scope.tmp.write('us.csv', MONTH_FIRST_AMBIGUOUS);
    const r = await previewImport(ledger, file, { dates: 'dmy', now: Date.UTC(2027, 5, 1) });
    expect(importFindings(r, 'cli-preview').givenOrderDoubt).toBe(
      'us.csv: column "date": read day first, as --dates says, the rows\' dates fall on 12 days over 11 months (2026-01-10 to 2026-12-10). ' +
        'Read month first they fall on 12 consecutive days (2026-10-01 to 2026-10-12), the tighter span. ' +
        'Every date reads both ways (none has a day above 12), so the file cannot tell: if they are month first, import it with --dates mdy.',
    );
    expect(importFindings(r, 'app-preview').givenOrderDoubt).toContain('read day first, as chosen under “Dates are” in the preview,');
    expect(importFindings(r, 'app-preview').givenOrderDoubt).toContain('if they are month first, choose “Dates are: month first” in this preview.');
    expect(importFindings(r, 'app-imported').givenOrderDoubt).toContain('undo this import and import the file again choosing “Dates are: month first” in its preview.');
  });

  it('not said for the order that gives the tighter span, nor for a file whose rows tell the order', async () => {
    const right = await previewImport(ledger, scope.tmp.write('us.csv', MONTH_FIRST_AMBIGUOUS), { dates: 'mdy', now: NOW });
    expect(right.givenOrderDoubt).toBeUndefined();
    expect(importFindings(right).givenOrderDoubt).toBeNull();
    const told = await previewImport(ledger, scope.tmp.write('eu.csv', dayFirst(20)), { dates: 'dmy', now: NOW });
    expect(told.givenOrderDoubt).toBeUndefined();
  });

  it('nor for a span only somewhat wider than the other order’s: the European export --dates is for', async () => {
    // 2 October, 2 and 3 November day first (33 days); month first 10 February to 11 March (30 days)
    const file = scope.tmp.write('eu.csv', `${COST}\n02/10/2026,Support,key-a,api,1.75\n02/11/2026,Support,key-a,api,3.50\n03/11/2026,Support,key-a,api,2.25\n`);
    expect((await previewImport(ledger, file, { dates: 'dmy', now: Date.UTC(2026, 11, 1) })).givenOrderDoubt).toBeUndefined();
  });

  it('the command line prints it under the file; the amounts its rows clash with name the dates as a cause', async () => {
    const db = scope.tmp.path('cli.sqlite');
    // the ledger holds 10 May (what "10/5/2026" is read day first) with another amount
    await runImport([scope.tmp.write('may.csv', `${COST}\n2026-05-10,Support,key-a,api,3.00\n`)], { db });
    const out = await runImport([scope.tmp.write('us.csv', MONTH_FIRST_AMBIGUOUS)], { db, dates: 'dmy' });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/\n {2}\S*us\.csv: column "date": read day first, as --dates says, the rows' dates fall on 12 days over 11 months \(2026-01-10 to 2026-12-10\)/);
    expect(out.stderr).toContain('us.csv:6: already in the ledger with $3.00, this export says $1.00 (its dates read in the wrong order, as said above? or a day exported before it ended?) — kept $3.00');
    const json = await runImport([scope.tmp.write('us2.csv', MONTH_FIRST_AMBIGUOUS.replaceAll('key-a', 'key-b'))], { db, dates: 'dmy', json: true });
    expect(json.stderr).toMatch(/us2\.csv: column "date": read day first, as --dates says/);
    expect(Object.keys(JSON.parse(json.stdout.trim()) as object)).toHaveLength(8);
  });
});

describe('the "read as" line names the order given only for a file with slash dates', () => {
  const ISO = `${COST}\n2026-08-01,Support,key-a,api,1.00\n2026-08-02,Support,key-a,api,1.00\n`;

  it('an ISO file previewed with --dates dmy is read as YYYY-MM-DD, and said so', async () => {
    const out = await runImport([scope.tmp.write('iso.csv', ISO)], { db: scope.tmp.path('iso.sqlite'), dates: 'dmy', preview: true });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('  read as UTF-8, comma-separated, decimal point (12.34), dates as YYYY-MM-DD\n');
    expect(out.stdout).not.toContain('day first');
  });

  it('slash dates after the first rows still name it', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `2026-08-${pad(1 + (i % 28))},Support,key-${i},api,1.00`);
    const file = scope.tmp.write('late.csv', `${COST}\n${rows.join('\n')}\n13/08/2026,Support,key-x,api,1.00\n`);
    const r = await previewImport(ledger, file, { dates: 'dmy' });
    expect(importFindings(r).readAs).toContain('dates as YYYY-MM-DD and day first (dd/mm/yyyy, as --dates says)');
  });
});

describe('the command line’s preview: nothing was imported, so nothing is to be undone', () => {
  it('a guess from nearness says to import with --dates, not to undo', async () => {
    const file = scope.tmp.write('uk.csv', `${COST}\n01/10/2026,Support,key-a,api,1.00\n02/10/2026,Support,key-a,api,1.00\n03/10/2026,Support,key-a,api,1.00\n`);
    const out = await runImport([file], { db: scope.tmp.path('uk.sqlite'), preview: true });
    expect(out.stdout).toContain("dates day first (dd/mm/yyyy, guessed from how close together the rows' dates lie: no day above 12 nor decimal comma tells; if they are month first, import it with --dates mdy, or import the export as downloaded)");
    expect(out.stdout).not.toContain('undo');
    const imported = await runImport([file], { db: scope.tmp.path('uk.sqlite') });
    expect(imported.stdout).toContain('if they are month first, undo this import and import it again telling the order (--dates mdy on the command line)');
  });
});
