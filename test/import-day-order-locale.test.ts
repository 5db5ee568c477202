/**
 * A re-saved export whose dates all read both ways (every day part up to 12) is read in its
 * locale's order when the file shows its locale: a decimal comma (no month-first locale writes
 * one), or, more weakly, `;` between fields. Found by a review: a cost export saved in a European
 * locale, `02/10/2026` … `03/11/2026` with `1,75`, was read month first because its days lay
 * closer that way (10 Feb to 11 Mar), and the export as downloaded then added its three days again.
 */
import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFindings } from '../src/import/findings.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COST = 'date,agent_name,api_key,source,total_spend_usd';
/** the reviewer's file: the cost export saved by a spreadsheet in a European locale */
const RESAVED = `${COST.replaceAll(',', ';')}\r\n02/10/2026;Support;key-mkt;api;1,75\r\n02/11/2026;Support;key-mkt;api;3,50\r\n03/11/2026;Support;key-mkt;api;2,25\r\n`;
/** the same export as downloaded */
const ORIGINAL = `${COST}\n2026-10-02,Support,key-mkt,api,1.75\n2026-11-02,Support,key-mkt,api,3.50\n2026-11-03,Support,key-mkt,api,2.25\n`;

/** The ledger's spend per UTC day, in µUSD. */
function spendByDay(l: Ledger): Record<string, number> {
  const days: Record<string, number> = {};
  for (const e of eventsOf(l)) days[e.time.slice(0, 10)] = (days[e.time.slice(0, 10)] ?? 0) + e.cost;
  return days;
}

const EACH_DAY_ONCE = { '2026-10-02': 1_750_000, '2026-11-02': 3_500_000, '2026-11-03': 2_250_000 };

describe('a re-saved cost export whose dates all read both ways', () => {
  it('with a decimal comma: read day first (2 Oct, 2 Nov, 3 Nov), and the "read as" line says why', async () => {
    const r = await importFile(ledger, scope.tmp.write('cost_close.csv', RESAVED));
    expect(r).toMatchObject({ format: 'dust-cost', imported: 3, rejected: 0 });
    expect(spendByDay(ledger)).toEqual(EACH_DAY_ONCE);
    expect(importFindings(r).readAs).toBe(
      "UTF-8, semicolon-separated, decimal comma (12,34 is 12.34), dates day first (dd/mm/yyyy: the file's decimal comma is a day-first locale's)",
    );
  });

  it('the export as downloaded adds nothing after it, nor it after the export: each day’s spend counts once', async () => {
    const resaved = scope.tmp.write('cost_close.csv', RESAVED);
    const original = scope.tmp.write('cost_close_orig.csv', ORIGINAL);
    await importFile(ledger, resaved);
    expect(await importFile(ledger, original)).toMatchObject({ imported: 0, duplicates: 3 });
    expect(spendByDay(ledger)).toEqual(EACH_DAY_ONCE);

    const other = scope.open('other.sqlite');
    await importFile(other, original);
    expect(await importFile(other, resaved)).toMatchObject({ imported: 0, duplicates: 3 });
    expect(spendByDay(other)).toEqual(EACH_DAY_ONCE);
  });

  it('the command line, both files in one command: the second adds nothing', async () => {
    const out = await runImport([scope.tmp.write('cost_close.csv', RESAVED), scope.tmp.write('cost_close_orig.csv', ORIGINAL)], { db: scope.tmp.path('cli.sqlite') });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("dates day first (dd/mm/yyyy: the file's decimal comma is a day-first locale's)\n");
    expect(out.stdout).toMatch(/cost_close_orig\.csv: dust-cost, batch 2: 3 rows, 0 imported, 3 duplicates, 0 rejected/);
  });

  it('with whole amounts, `;` between fields alone reads them day first, and says so', async () => {
    const file = scope.tmp.write('whole.csv', `${COST.replaceAll(',', ';')}\n02/10/2026;Support;key-mkt;api;2\n02/11/2026;Support;key-mkt;api;3\n03/11/2026;Support;key-mkt;api;2\n`);
    const r = await previewImport(ledger, file);
    expect(r.guessed).toMatchObject({ dayOrder: 'dmy', dayOrderBy: 'semicolon' });
    expect(importFindings(r).readAs).toContain("dates day first (dd/mm/yyyy: the file's semicolons between fields are a day-first locale's)");
  });

  it('a US-style file (`,` between fields, decimal points) keeps month first, said to be a guess with the way to another reading', async () => {
    const file = scope.tmp.write('us.csv', `${COST}\n02/10/2026,Support,key-mkt,api,1.75\n02/11/2026,Support,key-mkt,api,3.50\n03/11/2026,Support,key-mkt,api,2.25\n`);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 3, guessed: { dayOrder: 'mdy', dayOrderBy: 'nearness' } });
    expect(Object.keys(spendByDay(ledger))).toEqual(['2026-02-10', '2026-02-11', '2026-03-11']);
    expect(importFindings(r).readAs).toBe(
      'UTF-8, comma-separated, decimal point (12.34), dates month first (mm/dd/yyyy, guessed from how close together the rows\' dates lie: ' +
        'no day above 12 nor decimal comma tells; if they are day first, undo this import and import it again telling the order (--dates dmy on the command line), or import the export as downloaded)',
    );
  });

  it('a day above 12 still decides over the decimal comma, on the last row of a file whose first rows all read both ways', async () => {
    // guards the rule the locale comes after: the whole file is read for such a day before the locale is taken
    const rows = Array.from({ length: 60 }, (_, i) => `0${1 + (i % 9)}/0${1 + Math.floor(i / 9)}/2026;Support;key-${i};api;1,50`);
    const file = scope.tmp.write('late.csv', `${COST.replaceAll(',', ';')}\n${rows.join('\n')}\n09/13/2026;Support;key-x;api;2,50\n`);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 61, rejected: 0, guessed: { dayOrder: 'mdy', dayOrderBy: 'rows' } });
    expect(importFindings(r).readAs).toContain('dates month first (mm/dd/yyyy, guessed from the rows)');
  });
});

describe('a re-saved consumption export whose times all fall on one day up to the 12th', () => {
  const header = 'completedAt;agentMessageId;contextOrigin;apiKeyName;userId;agentName;usageType;stepIndex;totalCredits';
  const line = (time: string, msg: string, credits: string): string => [time, msg, 'API', 'key-a', '', 'Bot', 'programmatic', '0', credits].join(';');

  it('with decimal-comma credits: read day first (1 September), not refused as telling nothing', async () => {
    const file = scope.tmp.write('c.csv', `${header}\r\n${line('01/09/2026 10:00', 'm1', '1,50')}\r\n${line('01/09/2026 11:00', 'm2', '0,25')}\r\n`);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 2, rejected: 0, guessed: { dayOrder: 'dmy', dayOrderBy: 'decimal-comma' } });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-09-01T10:00:00.000Z', '2026-09-01T11:00:00.000Z']);
    expect(importFindings(r).readAs).toContain("dates day first (dd/mm/yyyy: the file's decimal comma is a day-first locale's)");
  });
});

describe('--dates: the admin says the day order of an export whose file cannot tell it', () => {
  /** a cost export saved with `,` and `.` whose dates all read both ways: nothing tells, nearness says month first */
  const US_LOOKING = `${COST}\n02/10/2026,Support,key-mkt,api,1.75\n02/11/2026,Support,key-mkt,api,3.50\n03/11/2026,Support,key-mkt,api,2.25\n`;

  it('reads the dates in the order given, says so, and the export as downloaded then adds nothing', async () => {
    const file = scope.tmp.write('eu_dates.csv', US_LOOKING);
    const r = await importFile(ledger, file, { dates: 'dmy' });
    expect(importFindings(r).readAs).toContain('dates day first (dd/mm/yyyy, as --dates says)');
    expect(spendByDay(ledger)).toEqual(EACH_DAY_ONCE);
    const again = await importFile(ledger, scope.tmp.write('orig.csv', ORIGINAL));
    expect(again).toMatchObject({ imported: 0, duplicates: 3 });
  });

  it('on the command line, and refuses any other value before a ledger is made', async () => {
    const file = scope.tmp.write('eu_dates.csv', US_LOOKING);
    const out = await runImport([file], { db: scope.tmp.path('dates.sqlite'), dates: 'dmy' });
    expect(out.stdout).toContain('as --dates says');
    await expect(runImport([file], { db: scope.tmp.path('never.sqlite'), dates: 'ddmm' })).rejects.toThrow('--dates "ddmm" must be dmy (day first) or mdy (month first)');
    expect(existsSync(scope.tmp.path('never.sqlite'))).toBe(false);
  });

  it('a one-day export nothing tells is refused naming the option, and read in the order it gives', async () => {
    // 1 September or 9 January: both readings lie as close together
    const file = scope.tmp.write('one-day.csv', `${COST}\n01/09/2026,Support,key-a,api,1.00\n01/09/2026,Support,key-b,api,1.00\n`);
    await expect(importFile(ledger, file)).rejects.toThrow('one-day.csv:2: date "01/09/2026" could be day or month first, and no row of the file tells (no day above 12): give their order (--dates dmy or mdy), or save the dates as YYYY-MM-DD');
    expect(await importFile(ledger, file, { dates: 'mdy' })).toMatchObject({ imported: 2, rejected: 0 });
    expect(Object.keys(spendByDay(ledger))).toEqual(['2026-01-09']);
  });

  it('without it, the guess from nearness says how to give the order', async () => {
    const r = await importFile(ledger, scope.tmp.write('us.csv', US_LOOKING));
    expect(importFindings(r).readAs).toContain('if they are day first, undo this import and import it again telling the order (--dates dmy on the command line)');
  });
});
