/**
 * Spreadsheet saves of the platform's exports that a held-out pass left unread: a decimal comma
 * that shows only after the first rows, old Mac line ends (CR alone), accounting formats in an
 * amount column, and Excel's date serials and 2-digit years.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile, previewImport } from '../src/import/importer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

function spend(l: Ledger): number {
  return eventsOf(l).reduce((s, e) => s + e.cost, 0);
}

const COST_HEADER = 'date;agent_name;api_key;source;total_spend_usd';

/** `n` cost rows of whole dollars ($3 each), one agent each, on 2026-09-01. */
function wholeRows(n: number, sep = ';'): string[] {
  return Array.from({ length: n }, (_, i) => ['2026-09-01', `Agent ${i}`, 'key-a', 'api', '3'].join(sep));
}

describe('the decimal mark, told by the whole file', () => {
  it('reads a later 0,5 with a decimal comma when the first 50 amounts are whole', async () => {
    const text = `${COST_HEADER}\r\n${wholeRows(60).join('\r\n')}\r\n2026-09-02;Late;key-a;api;0,5\r\n2026-09-02;Later;key-a;api;1.234\r\n`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 62, imported: 62, rejected: 0 });
    expect(r.guessed).toMatchObject({ decimal: ',' });
    // 60 × $3 + $0.50 + $1,234 (1.234 is grouped thousands with a decimal comma)
    expect(spend(ledger)).toBe(180_000_000 + 500_000 + 1_234_000_000);
  });

  it('reads 1,234 after whole amounts in a ";" file as 1.234 only when an amount tells; else the separator decides', async () => {
    // nothing but whole amounts and 1,234: a ";" file is a decimal-comma locale's
    const text = `${COST_HEADER}\r\n${wholeRows(55).join('\r\n')}\r\n2026-09-02;Late;key-a;api;1,234\r\n`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ imported: 56, rejected: 0 });
    expect(spend(ledger)).toBe(165_000_000 + 1_234_000);
  });

  it('refuses an amount that reads two ways in a tab-separated file where nothing tells, naming its line', async () => {
    const header = COST_HEADER.replaceAll(';', '\t');
    const text = `${header}\n${wholeRows(55, '\t').join('\n')}\n2026-09-02\tLate\tkey-a\tapi\t1,234\n`;
    const before = snapshot(ledger);
    await expect(importFile(ledger, scope.tmp.write('cost.csv', text))).rejects.toThrow(/cost\.csv:57: total_spend_usd "1,234" reads two ways/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('still refuses a file that contradicts itself (0,5 then 12.34), at the contradicting line', async () => {
    const text = `${COST_HEADER}\r\n${wholeRows(55).join('\r\n')}\r\n2026-09-02;Late;key-a;api;0,5\r\n2026-09-02;Later;key-a;api;12.34\r\n`;
    await expect(importFile(ledger, scope.tmp.write('cost.csv', text))).rejects.toThrow(/cost\.csv:58: total_spend_usd "12\.34" is not an amount/);
  });

  it('reads credits of the consumption export the same way, in the preview too', async () => {
    const cols = CONSUMPTION_HEADER.split(',');
    const line = (i: number, credits: string): string => {
      const v: Record<string, string> = {
        completedAt: `2026-09-01T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
        agentMessageId: `m${i}`,
        agentName: 'Bot',
        contextOrigin: 'API',
        apiKeyName: 'key-a',
        usageType: 'programmatic',
        totalCredits: credits,
      };
      return cols.map((c) => v[c] ?? '').join(';');
    };
    const lines = Array.from({ length: 55 }, (_, i) => line(i, '2'));
    const text = `${cols.join(';')}\n${lines.join('\n')}\n${line(56, '2,5')}\n`;
    const path = scope.tmp.write('consumption.csv', text);
    const p = await previewImport(ledger, path);
    expect(p).toMatchObject({ format: 'dust-consumption', rejected: 0, imported: 56 });
    const r = await importFile(ledger, path);
    expect(r).toMatchObject({ imported: 56, rejected: 0 });
    // 55 × 2 + 2.5 credits at $0.01
    expect(spend(ledger)).toBe(1_125_000);
  });
});

describe('old Mac line ends (CR alone)', () => {
  it('reads a cost export saved as "CSV (Macintosh)" line by line, naming lines as in any file', async () => {
    const text = `date,agent_name,api_key,source,total_spend_usd\r2026-09-01,Bot,key-a,api,1.25\r2026-09-02,Bot,key-a,api,2.50\r`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text));
    expect(r).toMatchObject({ format: 'dust-cost', rows: 2, imported: 2, rejected: 0 });
    expect(spend(ledger)).toBe(3_750_000);
    const bad = `date,agent_name,api_key,source,total_spend_usd\r2026-09-01,Bot,key-a,api,1.25\r2026-09-02,Bot,key-a,api,lots\r`;
    await expect(importFile(ledger, scope.tmp.write('bad.csv', bad))).rejects.toThrow(/bad\.csv:3: total_spend_usd "lots"/);
  });

  it('tells CR alone from CR LF when a chunk ends on the first CR', async () => {
    const head = 'date,agent_name,api_key,source,total_spend_usd';
    const text = `${head}\r\n2026-09-01,Bot,key-a,api,1.25\r\n`;
    // the first chunk ends right after the header's CR: its LF comes in the next chunk
    const r = await importFile(ledger, scope.tmp.write('cost.csv', text), { chunkBytes: head.length + 1 });
    expect(r).toMatchObject({ rows: 1, imported: 1, rejected: 0 });
    // read as CR alone, CR LF would be two line ends: the bad row would be named on line 5
    const bad = `${head}\r\n2026-09-01,Bot,key-a,api,1.25\r\n2026-09-01,Bot,key-b,api,lots\r\n`;
    await expect(importFile(ledger, scope.tmp.write('bad.csv', bad), { chunkBytes: head.length + 1 })).rejects.toThrow(/bad\.csv:3: total_spend_usd "lots"/);
    const mac = `${head}\r2026-09-02,Bot,key-a,api,2.50\r`;
    const m = await importFile(ledger, scope.tmp.write('mac.csv', mac), { chunkBytes: head.length + 1 });
    expect(m).toMatchObject({ rows: 1, imported: 1, rejected: 0 });
    expect(spend(ledger)).toBe(3_750_000);
  });

  it('still refuses them in the canonical events CSV, as simulate does', async () => {
    const text = `timestamp,type,subject,cost_usd,id\r2026-01-05T10:00:00Z,api,k1,1,a\r`;
    await expect(importFile(ledger, scope.tmp.write('events.csv', text))).rejects.toThrow(/events\.csv:1: has lines that end in CR alone/);
  });
});

describe("Excel's Accounting format in an amount column", () => {
  it('reads "$ -" and "-" as a zero spend, and refuses "(1.00)" naming line, column, value and why', async () => {
    const ok = `date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,1.25\n2026-09-02,Bot,key-a,api, $ -   \n2026-09-03,Bot,key-a,api,-\n`;
    const r = await importFile(ledger, scope.tmp.write('cost.csv', ok));
    expect(r).toMatchObject({ rows: 3, imported: 3, rejected: 0 });
    expect(spend(ledger)).toBe(1_250_000);
    const before = snapshot(ledger);
    const neg = `date,agent_name,api_key,source,total_spend_usd\n2026-09-04,Bot,key-a,api,1.25\n2026-09-05,Bot,key-a,api,"($1.00)"\n`;
    await expect(importFile(ledger, scope.tmp.write('neg.csv', neg))).rejects.toThrow(/neg\.csv:3: total_spend_usd "\(\$1\.00\)" is negative, in the Accounting format/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('reads a credits dash as the export\'s 0: the re-saved line is the same line, so it adds nothing', async () => {
    const cols = CONSUMPTION_HEADER.split(',');
    const line = (credits: string): string => {
      const v: Record<string, string> = { completedAt: '2026-09-01T10:00:00.000Z', agentMessageId: 'm1', agentName: 'Bot', contextOrigin: 'API', apiKeyName: 'key-a', usageType: 'programmatic', totalCredits: credits };
      return cols.map((c) => v[c] ?? '').join(',');
    };
    await importFile(ledger, scope.tmp.write('clean.csv', `${cols.join(',')}\n${line('0')}\n`));
    const again = await importFile(ledger, scope.tmp.write('resaved.csv', `${cols.join(',')}\n${line(' - ')}\n`));
    expect(again).toMatchObject({ rows: 1, imported: 0, duplicates: 1, rejected: 0 });
    await expect(importFile(ledger, scope.tmp.write('neg.csv', `${cols.join(',')}\n${line('(2.50)')}\n`))).rejects.toThrow(/neg\.csv:2: totalCredits "\(2\.50\)" is negative, in the Accounting format/);
  });
});

describe('Excel date serials and 2-digit years', () => {
  const COST = 'date,agent_name,api_key,source,total_spend_usd';

  it("reads a cost export's day as an Excel serial (46266 is 2026-09-01): the same row as the export's", async () => {
    await importFile(ledger, scope.tmp.write('clean.csv', `${COST}\n2026-09-01,Bot,key-a,api,1.25\n`));
    const again = await importFile(ledger, scope.tmp.write('serial.csv', `${COST}\n46266,Bot,key-a,api,1.25\n46267,Bot,key-a,api,2.00\n`));
    expect(again).toMatchObject({ rows: 2, imported: 1, duplicates: 1, rejected: 0 });
    expect(eventsOf(ledger).filter((e) => e.time >= '2026-09-02').reduce((s, e) => s + e.cost, 0)).toBe(2_000_000);
  });

  it('reads a consumption time as a serial with its fraction (46266.4375 is 10:30 UTC)', async () => {
    const cols = CONSUMPTION_HEADER.split(',');
    const v: Record<string, string> = { completedAt: '46266.4375', agentMessageId: 'm1', agentName: 'Bot', contextOrigin: 'API', apiKeyName: 'key-a', usageType: 'programmatic', totalCredits: '2' };
    const r = await importFile(ledger, scope.tmp.write('c.csv', `${cols.join(',')}\n${cols.map((c) => v[c] ?? '').join(',')}\n`));
    expect(r).toMatchObject({ imported: 1, rejected: 0 });
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-09-01T10:30:00.000Z']);
  });

  it('refuses a serial with a time of day as a cost day, one outside 2000-2099, and a 2-digit year, each with its line', async () => {
    const text = `${COST}\n46266.5,Bot,key-a,api,1\n12345,Bot,key-a,api,1\n01/09/26,Bot,key-a,api,1\n`;
    const before = snapshot(ledger);
    const err = await importFile(ledger, scope.tmp.write('cost.csv', text)).then(
      () => null,
      (e: unknown) => String(e),
    );
    expect(err).toMatch(/cost\.csv:2: date "46266\.5" is an Excel date serial with a time of day/);
    expect(err).toMatch(/cost\.csv:3: date "12345" is a number: read as an Excel date serial/);
    expect(err).toMatch(/cost\.csv:4: date "01\/09\/26" has a 2-digit year/);
    expect(snapshot(ledger)).toEqual(before);
  });
});
