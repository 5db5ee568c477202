/**
 * The platform's exports after a spreadsheet grouped their numbers' thousands (`1,200` in a US
 * locale, `1.200` in a European one), and the accounting of rows that are not data (a TOTAL row,
 * the header again): found by a held-out pass over re-saved exports (.tmp/heldout).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFindings } from '../src/import/findings.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COLUMNS = CONSUMPTION_HEADER.split(',');

/** One consumption line as the platform writes it: API message `msg` of key-a, step `s`. */
function cells(msg: string, s: number, credits: string, ms: string): Record<string, string> {
  return {
    completedAt: `2026-09-01T10:00:0${s}.000Z`,
    agentMessageId: msg,
    agentName: 'Bot',
    agentVersion: '3',
    agentDepth: '0',
    contextOrigin: 'API',
    apiKeyName: 'key-a',
    usageType: 'programmatic',
    creditsInput: credits,
    totalCredits: credits,
    stepIndex: String(s),
    executionTimeMs: ms,
  };
}

/** The lines joined with `sep`, a field quoted when it holds the separator (as a spreadsheet saves it). */
function csv(lines: Record<string, string>[], sep: ',' | ';'): string {
  const q = (v: string) => (v.includes(sep) ? `"${v}"` : v);
  return [COLUMNS.join(sep), ...lines.map((l) => COLUMNS.map((c) => q(l[c] ?? '')).join(sep))].join('\r\n') + '\r\n';
}

function spend(l: Ledger): number {
  return eventsOf(l).reduce((s, e) => s + e.cost, 0);
}

describe('numbers a spreadsheet grouped in the consumption export', () => {
  it('reads credits written with a thousands separator (US locale) as the same credits', async () => {
    const text = csv([cells('m1', 0, '123,456.00', '1200'), cells('m2', 1, '2.50', '900')], ',');
    const r = await importFile(ledger, scope.tmp.write('consumption.csv', text));
    expect(r).toMatchObject({ format: 'dust-consumption', rows: 2, imported: 2, rejected: 0 });
    // 123,458.50 credits at $0.01
    expect(spend(ledger)).toBe(1_234_585_000);
  });

  it('adds nothing when the same export comes again re-saved by a US spreadsheet (1,200 ms is 1200 ms)', async () => {
    const clean = [cells('m1', 0, '3.00', '1200'), cells('m1', 1, '1450.00', '15300'), cells('m2', 0, '2.00', '800')];
    await importFile(ledger, scope.tmp.write('clean.csv', csv(clean, ',')));
    const before = snapshot(ledger);
    const us = clean.map((l) => ({ ...l, executionTimeMs: Number(l.executionTimeMs).toLocaleString('en-US'), totalCredits: Number(l.totalCredits).toLocaleString('en-US', { minimumFractionDigits: 2 }) }));
    expect(us[1]!.executionTimeMs).toBe('15,300');
    const r = await importFile(ledger, scope.tmp.write('us.csv', csv(us, ',')));
    expect(r).toMatchObject({ rows: 3, imported: 0, duplicates: 3, rejected: 0 });
    expect(snapshot(ledger).events).toBe(before.events);
    expect(spend(ledger)).toBe(14_550_000);
  });

  it('adds nothing when it comes again re-saved in a European locale (";", decimal comma, 1.200 ms)', async () => {
    const clean = [cells('m1', 0, '3.00', '1200'), cells('m1', 1, '1450.50', '15300'), cells('m2', 0, '2.00', '800')];
    await importFile(ledger, scope.tmp.write('clean.csv', csv(clean, ',')));
    const eu = clean.map((l) => ({ ...l, executionTimeMs: Number(l.executionTimeMs).toLocaleString('de-DE'), totalCredits: Number(l.totalCredits).toLocaleString('de-DE', { minimumFractionDigits: 2 }), creditsInput: l.creditsInput!.replace('.', ',') }));
    expect(eu[1]!.executionTimeMs).toBe('15.300');
    const r = await importFile(ledger, scope.tmp.write('eu.csv', csv(eu, ';')));
    expect(r).toMatchObject({ rows: 3, imported: 0, duplicates: 3, rejected: 0, guessed: { decimal: ',' } });
    expect(spend(ledger)).toBe(14_555_000);
  });

  it('still tells two lines apart whose numbers differ', async () => {
    await importFile(ledger, scope.tmp.write('a.csv', csv([cells('m1', 0, '3.00', '1200')], ',')));
    const r = await importFile(ledger, scope.tmp.write('b.csv', csv([cells('m1', 0, '3.00', '1,201')], ',')));
    expect(r).toMatchObject({ imported: 1, duplicates: 0 });
  });
});

describe('rows that are not data are not counted as rows', () => {
  it('leaves a TOTAL row and a repeated header out of rows, so imported + duplicates + rejected = rows', async () => {
    const text = [
      'date;agent_name;api_key;source;total_spend_usd',
      '2026-09-01;Bot;key-a;api;5,65',
      'date;agent_name;api_key;source;total_spend_usd',
      '2026-09-02;Bot;key-a;api;1.234,56',
      'TOTAL;;;;1.240,21',
      ';;;;',
    ].join('\r\n');
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 2, imported: 2, duplicates: 0, rejected: 0, repeatedHeaders: 1, summaryRows: 1 });
    const again = await importFile(ledger, scope.tmp.write('cost2.csv', text));
    expect(again).toMatchObject({ rows: 2, imported: 0, duplicates: 2, rejected: 0 });
  });

  it('counts a bad row among the rows with --skip-bad-rows', async () => {
    const text = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,5.65\n2026-09-02,Bot,key-a,api,lots\nTotal,,,,5.65\n';
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text), { skipBadRows: true });
    expect(r).toMatchObject({ rows: 2, imported: 1, duplicates: 0, rejected: 1, summaryRows: 1 });
  });
});

describe("the platform's '@ escape dropped by a spreadsheet", () => {
  const header = 'date,agent_name,api_key,source,total_spend_usd';
  it('a cost row re-saved without the leading quote is the same row, in either order', async () => {
    const exported = `${header}\n2026-09-01,'@Ops watcher,N/A,trigger,6.58\n2026-09-01,'@Ops watcher,key-a,api,0.68\n2026-09-01,Bot,key-a,api,1.00\n`;
    const resaved = exported.replaceAll("'@", '@');
    await importFile(ledger, scope.tmp.write('exported.csv', exported));
    const r = await importFile(ledger, scope.tmp.write('resaved.csv', resaved));
    expect(r).toMatchObject({ rows: 3, imported: 0, duplicates: 3 });
    expect(spend(ledger)).toBe(8_260_000);

    const other = scope.open('other.sqlite');
    await importFile(other, scope.tmp.write('resaved2.csv', resaved));
    const back = await importFile(other, scope.tmp.write('exported2.csv', exported));
    expect(back).toMatchObject({ rows: 3, imported: 0, duplicates: 3 });
    expect(spend(other)).toBe(8_260_000);
  });
});

describe('what a spreadsheet writes that is no value', () => {
  const header = 'date,agent_name,api_key,source,total_spend_usd';
  it("reads #N/A in the cost export's api_key as spend without a key, never as a key named #N/A", async () => {
    await importFile(ledger, scope.tmp.write('cost.csv', `${header}\n2026-09-01,Bot,#N/A,trigger,1.00\n`));
    expect(eventsOf(ledger).map((e) => e.subject)).toEqual(Array(eventsOf(ledger).length).fill('no-key:Bot'));
  });

  it('names an amount in exponent notation as such, with its line, and leaves the ledger unchanged', async () => {
    const before = snapshot(ledger);
    await expect(importFile(ledger, scope.tmp.write('cost.csv', `${header}\n2026-09-01,Bot,key-a,api,1.00\n2026-09-02,Bot,key-a,api,1.23E+03\n`))).rejects.toThrow(
      /cost\.csv:3: total_spend_usd "1\.23E\+03" is in exponent notation/,
    );
    const line = cells('m1', 0, '1.23E+05', '1200');
    await expect(importFile(ledger, scope.tmp.write('consumption.csv', csv([cells('m0', 0, '2.00', '10'), line], ',')))).rejects.toThrow(
      /consumption\.csv:3: totalCredits "1\.23E\+05" is in exponent notation/,
    );
    expect(snapshot(ledger)).toEqual(before);
  });

  it("leaves Excel's sep= line above the header out, and says so; alone, it is named", async () => {
    const r = await importFile(ledger, scope.tmp.write('cost.csv', `sep=;\n${header.replaceAll(',', ';')}\n2026-09-01;Bot;key-a;api;1,00\n`));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 1, imported: 1, rejected: 0, preamble: { lines: [1], header: 2 } });
    expect(importFindings(r).preamble).toBe("Line 1 is Excel's separator hint (“sep=”), not data: left out; the header is line 2.");
    await expect(importFile(ledger, scope.tmp.write('hint.csv', 'sep=;\n'))).rejects.toThrow(/hint\.csv:1: the first line is Excel's separator hint \("sep="\)/);
  });
});

describe('a separator at the end of every line', () => {
  it('reads the exports with an unnamed last column (a spreadsheet whose used range ran a column too far)', async () => {
    const cost = 'date;agent_name;api_key;source;total_spend_usd;\r\n2026-09-01;Bot;key-b;api;1,50;\r\n';
    expect(await importFile(ledger, scope.tmp.write('cost.csv', cost))).toMatchObject({ format: 'dust-cost', rows: 1, imported: 1, rejected: 0 });
    const consumption = csv([cells('m1', 0, '3.00', '1200')], ',').replace(/\r\n/g, ',\r\n');
    expect(await importFile(ledger, scope.tmp.write('consumption.csv', consumption))).toMatchObject({ format: 'dust-consumption', rows: 1, imported: 1, rejected: 0 });
    expect(spend(ledger)).toBe(1_530_000);
  });

  it('still refuses a column without a name between named ones, naming it', async () => {
    await expect(importFile(ledger, scope.tmp.write('cost.csv', 'date,,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,1.00\n'))).rejects.toThrow(/cost\.csv:1: header: column 2 has no name/);
  });
});

describe('files exported differently, joined into one', () => {
  it('refuses a repeated header whose columns are in another order, naming its line, rather than read a source as an agent', async () => {
    const text = [
      'date,agent_name,api_key,source,total_spend_usd',
      '2026-09-01,Bot,key-a,api,1.00',
      'date,source,api_key,agent_name,total_spend_usd',
      '2026-09-02,api,key-a,Bot,2.00',
    ].join('\n');
    const before = snapshot(ledger);
    await expect(importFile(ledger, scope.tmp.write('joined.csv', text), { skipBadRows: true })).rejects.toThrow(/joined\.csv:3: the header again, with other columns or in another order than line 1's/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('still counts the same header repeated, and reads a row whose first cell is an agent called "date" as data', async () => {
    const text = ['agent_name,date,api_key,source,total_spend_usd', 'Bot,2026-09-01,key-a,api,1.00', 'Agent_Name,Date,API_Key,Source,Total_Spend_USD', 'date,2026-09-02,key-a,api,2.00'].join('\n');
    const r = await importFile(ledger, scope.tmp.write('joined.csv', text));
    expect(r).toMatchObject({ rows: 2, imported: 2, repeatedHeaders: 1 });
  });
});
