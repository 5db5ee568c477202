/**
 * What an import guessed and found, said to the admin (CLI and the app's preview and result), and
 * the consumption export's times as a spreadsheet re-saves them (`dd/mm/yyyy hh:mm`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { importFacts } from '../src/api/import-facts.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COST = 'date,agent_name,api_key,source,total_spend_usd';
const CONSUMPTION = 'completedAt;agentMessageId;contextOrigin;apiKeyName;userId;agentName;usageType;stepIndex;totalCredits';

/** A re-saved consumption line: API message `msg` of key-a at `time`. */
function saved(time: string, msg: string, step = 0, credits = '1,50'): string {
  return [time, msg, 'API', 'key-a', '', 'Bot', 'programmatic', String(step), credits].join(';');
}

describe('the summary says what was guessed', () => {
  it('CLI: encoding, separator, decimal mark and day order, for the export as downloaded and as a spreadsheet saved it', async () => {
    const db = scope.tmp.path('cli.sqlite');
    const plain = scope.tmp.write('plain.csv', `${COST}\n2026-09-01,Bot,key-a,api,1.50\n`);
    const resaved = scope.tmp.write('resaved.csv', `${COST.replaceAll(',', ';')}\r\n13/09/2026;Bot;key-a;api;1,50\r\n`);
    const out = await runImport([plain, resaved], { db });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('  read as UTF-8, comma-separated, decimal point (12.34), dates as YYYY-MM-DD\n');
    expect(out.stdout).toContain('  read as UTF-8, semicolon-separated, decimal comma (12,34 is 12.34), dates day first (dd/mm/yyyy, guessed from the rows)\n');
  });

  it('dates written with month names are said as such, not as YYYY-MM-DD (what was really read)', async () => {
    const words = scope.tmp.write('words.csv', `${COST}\n2-Dec-2026,Bot,key-a,api,1.50\n3-Dec-2026,Bot,key-a,api,2.00\n`);
    const out = await runImport([words], { db: scope.tmp.path('words.sqlite') });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('  read as UTF-8, comma-separated, decimal point (12.34), dates with month names (2-Dec-2026)\n');
    const consumption = scope.tmp.write('serials.csv', `${CONSUMPTION}\r\n${saved('46266.4375', 'm1')}\r\n${saved('2026-09-02 10:00', 'm2')}\r\n`);
    const facts = importFacts(await previewImport(ledger, consumption), 'preview');
    expect(facts.findings.readAs).toBe('UTF-8, semicolon-separated, decimal comma (12,34 is 12.34), dates as Excel date serials (days since 1899-12-30) and as YYYY-MM-DD');
    const mapped = scope.tmp.write('mapped.csv', 'when,user\n"Dec 2, 2026 3:04 PM",ann\n');
    expect(importFacts(await previewImport(ledger, mapped), 'preview').findings.readAs).toBe('UTF-8, comma-separated, dates with month names (2-Dec-2026)');
  });

  it('a file with only its header claims no decimal mark or date form (nothing was read to tell), and a summary row is one row', async () => {
    const empty = scope.tmp.write('empty.csv', `${COST}\r\n`);
    const totals = scope.tmp.write('totals.csv', `${COST}\n2026-09-01,Bot,key-a,api,1.50\nTotal,,,,1.50\n`);
    const out = await runImport([empty, totals], { db: scope.tmp.path('header.sqlite') });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('empty.csv: dust-cost, batch 1: 0 rows, 0 imported, 0 duplicates, 0 rejected');
    expect(out.stdout).toContain('  read as UTF-8, comma-separated\n');
    expect(out.stdout).toContain('  1 summary row (TOTAL, Sum) left out: not data\n');
  });

  it('the app’s preview says it too', async () => {
    const file = scope.tmp.write('us.csv', `${COST}\n9/13/2026,Bot,key-a,api,"1,500.00"\n`);
    const facts = importFacts(await previewImport(ledger, file), 'preview');
    expect(facts.findings.readAs).toBe('UTF-8, comma-separated, decimal point (12.34), dates month first (mm/dd/yyyy, guessed from the rows)');
  });
});

describe('what the CLI printed only on stderr, the app shows with file:line', () => {
  it('header rows repeated inside the file (monthly exports joined)', async () => {
    const file = scope.tmp.write('joined.csv', `${COST}\n2026-09-01,Bot,key-a,api,1.00\n${COST}\n2026-10-01,Bot,key-a,api,2.00\n${COST}\n2026-11-01,Bot,key-a,api,3.00\n`);
    const preview = importFacts(await previewImport(ledger, file), 'preview');
    expect(preview.findings.repeatedHeaders).toBe(`2 header rows repeated inside the file were left out, not data (${file}:3, ${file}:5): files joined one after the other?`.replaceAll(file, 'joined.csv'));
    const r = await importFile(ledger, file);
    expect(importFacts(r, 'imported').findings.repeatedHeaders).toContain('(joined.csv:3, joined.csv:5)');
  });

  it('a day already in the ledger with another amount (exported before it ended): in the preview and the result', async () => {
    await importFile(ledger, scope.tmp.write('early.csv', `${COST}\n2026-09-01,Bot,key-a,api,3.10\n2026-09-02,Bot,key-a,api,1.00\n`));
    const late = scope.tmp.write('late.csv', `${COST}\n2026-09-01,Bot,key-a,api,4.25\n2026-09-02,Bot,key-a,api,1.00\n2026-09-03,Bot,key-a,api,2.00\n`);
    const preview = importFacts(await previewImport(ledger, late), 'preview').findings.differing;
    expect(preview?.summary).toMatch(/^1 row of this file is already in the ledger with another amount: the ledger keeps its own/);
    expect(preview?.rows).toEqual(['late.csv:2: already in the ledger with $3.10, this export says $4.25 (a day exported before it ended?) — kept $3.10']);
    const r = await importFile(ledger, late);
    expect(importFacts(r, 'imported').findings.differing?.rows).toEqual(preview?.rows);
    expect(importFacts(r, 'imported').findings.differing?.rows[0]).toMatch(/^late\.csv:2: /);
  });
});

describe('consumption times as a spreadsheet re-saves them', () => {
  const header = `${CONSUMPTION}\r\n`;

  it('reads dd/mm/yyyy hh:mm when a day above 12 tells, and yyyy-mm-dd hh:mm, as UTC', async () => {
    const file = scope.tmp.write('c.csv', header + [saved('13/09/2026 10:05', 'm1'), saved('14/09/2026 23:59:30', 'm2'), saved('2026-09-15 08:00', 'm3')].join('\r\n') + '\r\n');
    expect(await importFile(ledger, file)).toMatchObject({ imported: 3, rejected: 0, guessed: { dayOrder: 'dmy', decimal: ',' } });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-09-13T10:05:00.000Z', '2026-09-14T23:59:30.000Z', '2026-09-15T08:00:00.000Z']);
  });

  it('when the first rows all fall on days up to 12, a later row tells (the whole file is asked)', async () => {
    const first = Array.from({ length: 60 }, (_, i) => saved(`01/09/2026 10:${String(i % 60).padStart(2, '0')}`, `a${i}`));
    const file = scope.tmp.write('c.csv', header + [...first, saved('13/09/2026 09:00', 'b')].join('\r\n') + '\r\n');
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ imported: 61, rejected: 0, guessed: { dayOrder: 'dmy' } });
    // 1 September, not 9 January
    expect(eventsOf(ledger)[0]!.time).toBe('2026-09-01T10:00:00.000Z');
    expect((await previewImport(scope.open('p.sqlite'), file)).guessed?.dayOrder).toBe('dmy');
  });

  it('refuses with the line when no row tells, and leaves the ledger unchanged', async () => {
    const before = snapshot(ledger);
    // `,` between fields and a decimal point: nothing of the file's locale tells either (a decimal
    // comma or `;` would read these day first, import-day-order-locale.test.ts)
    const us = (time: string, msg: string): string => saved(time, msg, 0, '1.50').replaceAll(';', ',');
    const file = scope.tmp.write('c.csv', `${CONSUMPTION.replaceAll(';', ',')}\r\n` + [us('01/09/2026 10:00', 'm1'), us('01/09/2026 11:00', 'm2')].join('\r\n') + '\r\n');
    await expect(importFile(ledger, file)).rejects.toThrow(/c\.csv:2: completedAt "01\/09\/2026 10:00" could be day or month first, and no row of the file tells/);
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('rows already in the ledger, counted apart in the preview and the result', () => {
  it('an overlapping re-export: the preview and the import both say how many of its lines the ledger holds', async () => {
    await importFile(ledger, scope.tmp.write('sep.csv', `${COST}\n2026-09-01,Bot,key-a,api,3.10\n2026-09-02,Bot,key-a,api,1.00\n`));
    const consumption = `${CONSUMPTION}\n${saved('2026-09-03 10:00', 'm1')}\n${saved('2026-09-03 10:00', 'm1', 1)}\n`;
    await importFile(ledger, scope.tmp.write('c1.csv', consumption));
    const cost = scope.tmp.write('octo.csv', `${COST}\n2026-09-01,Bot,key-a,api,3.10\n2026-09-02,Bot,key-a,api,1.00\n2026-09-03,Bot,key-a,api,2.00\n`);
    const again = scope.tmp.write('c2.csv', `${consumption}${saved('2026-09-04 10:00', 'm2')}\n`);
    for (const [file, duplicates] of [[cost, 2], [again, 2]] as const) {
      const preview = importFacts(await previewImport(ledger, file), 'preview');
      expect(preview.duplicates).toBe(duplicates);
      const r = await importFile(ledger, file);
      expect(importFacts(r, 'imported').duplicates).toBe(preview.duplicates);
      expect(r.imported + r.duplicates + r.rejected).toBe(r.rows);
    }
    // a file imported whole again is all duplicates
    expect(importFacts(await previewImport(ledger, again), 'preview').duplicates).toBe(3);
  });
});
