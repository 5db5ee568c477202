/**
 * The platform's two exports after a spreadsheet has saved them again: a European locale's `;`
 * and decimal comma, the empty rows a spreadsheet leaves at the end (`;;;;`), and monthly exports
 * joined into one file (the header again mid-file). Each must import to the same dollars as the
 * clean export, never `5,65` as $565, and a re-import adds nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

function spendOf(l: Ledger): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of eventsOf(l)) out.set(e.subject, (out.get(e.subject) ?? 0) + e.cost);
  return out;
}

const COST_HEADER = 'date;agent_name;api_key;source;total_spend_usd';

describe('the cost export saved by a spreadsheet', () => {
  it('reads a European save (BOM, CRLF, ";", decimal comma, empty rows at the end) to the exact dollars', async () => {
    const text = `\uFEFF${COST_HEADER}\r\n2026-09-01;Support bot;key-a;api;5,65\r\n2026-09-01;Data sync;N/A;trigger;0,5\r\n2026-09-02;Support bot;key-a;api;1.234,56\r\n;;;;\r\n;;;;\r\n`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 3, imported: 3, rejected: 0, form: { delimiter: ';' } });
    const spend = spendOf(ledger);
    expect(spend.get('key-a')).toBe(1_240_210_000);
    expect(spend.get('no-key:Data sync')).toBe(500_000);
  });

  it('names a point-decimal amount in a decimal-comma file as a bad row rather than reading it another way', async () => {
    // the first rows (what the separator is told from) all have a decimal comma; line 62 has a point
    const rows = Array.from({ length: 60 }, (_, i) => `2026-09-01;Agent ${i};key-a;api;5,65`);
    const text = `${COST_HEADER}\r\n${rows.join('\r\n')}\r\n2026-09-02;Support bot;key-a;api;12.34\r\n`;
    const before = snapshot(ledger);
    await expect(importFile(ledger, scope.tmp.write('cost.csv', text))).rejects.toThrow(/refused, 1 bad row.*\ncost\.csv:62: total_spend_usd "12\.34" is not an amount: expected USD like 12,34/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('imports monthly exports joined into one file, the repeated header counted and left out; the same file again adds nothing', async () => {
    const text = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-30,Support bot,key-a,api,2.00\nDate,Agent_Name,API_Key,Source,Total_Spend_USD\n2026-10-01,Support bot,key-a,api,3.00\n';
    const file = scope.tmp.write('cost-sep-oct.csv', text);
    const r = await importFile(ledger, file);
    expect(r).toMatchObject({ format: 'dust-cost', rows: 2, imported: 2, rejected: 0, repeatedHeaders: 1 });
    expect(spendOf(ledger).get('key-a')).toBe(5_000_000);
    const before = snapshot(ledger).events;
    const again = await importFile(ledger, file);
    expect(again).toMatchObject({ imported: 0, duplicates: 2, rejected: 0 });
    expect(snapshot(ledger).events).toBe(before);
  });
});

describe("the cost export's days as a spreadsheet re-saves them", () => {
  it("reads dd/mm/yyyy from the first rows (01/09 and 02/09 are a day apart that way, a month the other), and the re-saved rows are the clean export's rows", async () => {
    const clean = scope.tmp.write('clean.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,1.00\n2026-09-02,Bot,key-a,api,2.00\n');
    const saved = scope.tmp.write('saved.csv', `${COST_HEADER}\r\n01/09/2026;Bot;key-a;api;1,00\r\n02/09/2026;Bot;key-a;api;2,00\r\n`);
    expect(await importFile(ledger, saved)).toMatchObject({ imported: 2, rejected: 0 });
    expect(eventsOf(ledger).map((e) => e.time.slice(0, 10))).toContain('2026-09-02');
    expect(eventsOf(ledger).every((e) => e.time.startsWith('2026-09-0'))).toBe(true);
    const before = snapshot(ledger).events;
    expect(await importFile(ledger, clean)).toMatchObject({ imported: 0, duplicates: 2 });
    expect(snapshot(ledger).events).toBe(before);
  });

  it('reads m/d/yyyy when a day above 12 shows it', async () => {
    const file = scope.tmp.write('us.csv', 'date,agent_name,api_key,source,total_spend_usd\n9/13/2026,Bot,key-a,api,1.00\n9/1/2026,Bot,key-a,api,"$1,000.00"\n');
    expect(await importFile(ledger, file)).toMatchObject({ imported: 2, rejected: 0 });
    const days = new Set(eventsOf(ledger).map((e) => e.time.slice(0, 10)));
    expect([...days].sort()).toEqual(['2026-09-01', '2026-09-13']);
    expect(spendOf(ledger).get('key-a')).toBe(1_001_000_000);
  });

  it('refuses a day that could be read either way, naming its line, rather than guess', async () => {
    const before = snapshot(ledger);
    const file = scope.tmp.write('one-day.csv', 'date,agent_name,api_key,source,total_spend_usd\n01/09/2026,Bot,key-a,api,1.00\n01/09/2026,Bot,key-b,api,1.00\n');
    await expect(importFile(ledger, file)).rejects.toThrow(/one-day\.csv:2: date "01\/09\/2026" could be day or month first/);
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('the consumption export saved by a spreadsheet', () => {
  it('reads credits with a decimal comma and skips the empty rows at the end', async () => {
    const header = 'completedAt;agentMessageId;contextOrigin;apiKeyName;triggerId;userId;agentName;usageType;totalCredits';
    const text = [
      header,
      '2026-09-01T10:00:00.000Z;m1;api;key-a;;;Support bot;programmatic;3,50',
      '2026-09-01T10:00:01.500Z;m1;api;key-a;;;Support bot;programmatic;1,25',
      '2026-09-01 11:00:00;m2;web;;;u1;Support bot;user;2,00',
      ';;;;;;;;',
      '',
    ].join('\r\n');
    const r = await importFile(ledger, scope.tmp.write('consumption.csv', text));
    expect(r).toMatchObject({ format: 'dust-consumption', rows: 3, imported: 3, rejected: 0 });
    // 4.75 credits at $0.01
    expect(eventsOf(ledger).map((e) => [e.type, e.subject, e.cost])).toEqual([
      ['api', 'key-a', 47_500],
      ['message', 'u1', 0],
    ]);
  });

  it('still refuses an empty row in the canonical events CSV, as simulate does', async () => {
    const before = snapshot(ledger);
    const file = scope.tmp.write('events.csv', 'timestamp,type,subject,cost_usd\n2026-09-01T00:00:00Z,api,k1,1\n,,,\n');
    await expect(importFile(ledger, file)).rejects.toThrow(/events\.csv:3: timestamp "" is empty/);
    expect(snapshot(ledger)).toEqual(before);
  });
});

describe('a sum a spreadsheet added without a label (AutoSum under the amounts)', () => {
  it('is a summary row, left out and counted, in both exports; a row that only lost its date is still refused', async () => {
    const cost = scope.tmp.write('autosum.csv', `date,agent_name,api_key,source,total_spend_usd\r\n2026-09-01,Bot,key-a,api,1.00\r\n2026-09-02,Bot,key-a,api,"1,234.50"\r\n,,,,"$1,235.50"\r\n`);
    expect(await importFile(ledger, cost)).toMatchObject({ rows: 2, imported: 2, rejected: 0, summaryRows: 1 });
    const header = 'completedAt,agentMessageId,contextOrigin,apiKeyName,userId,totalCredits';
    const consumption = scope.tmp.write('c.csv', `${header}\n2026-09-03T10:00:00Z,m1,api,key-a,,150.00\n,,,,,150.00\n`);
    expect(await importFile(ledger, consumption)).toMatchObject({ rows: 1, imported: 1, rejected: 0, summaryRows: 1 });
    expect([...spendOf(ledger).values()].reduce((a, b) => a + b, 0)).toBe(1_235_500_000 + 1_500_000);
    // a data row without its date names its text cells: refused, not taken for a sum
    const before = snapshot(ledger);
    await expect(importFile(ledger, scope.tmp.write('nodate.csv', `date,agent_name,api_key,source,total_spend_usd\n,Bot,key-b,api,2.00\n`))).rejects.toThrow(/nodate\.csv:2: date "" is not a date/);
    expect(snapshot(ledger)).toEqual(before);
  });
});
