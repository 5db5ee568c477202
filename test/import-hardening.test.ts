import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { ImportRefusedError, importFile } from '../src/import/importer.ts';
import type { ImportOptions } from '../src/import/importer.ts';
import { parseMoneyToMicros } from '../src/import/parse.ts';
import { ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

async function refusal(file: string, options: ImportOptions = {}): Promise<ImportRefusedError> {
  const err = await importFile(ledger, file, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportRefusedError);
  return err as ImportRefusedError;
}

describe('issue 15, finding 3: every parser linear, with limits that fail clearly', () => {
  it('reads a money cell of 200k spaces in one pass (the currency pattern no longer backtracks)', async () => {
    // the old pattern took 22 s for 100k spaces (quadratic): this test's time-out catches a relapse
    expect(parseMoneyToMicros(`${' '.repeat(200_000)}x`)).toBeNull();
    expect(parseMoneyToMicros(`${' '.repeat(200_000)}12.50`)).toBe(12_500_000);
    expect(parseMoneyToMicros(' $1,234.50 ')).toBe(1_234_500_000);
    expect(parseMoneyToMicros('1.234,50', ',')).toBe(1_234_500_000);
  });

  it('refuses a field longer than 65,536 characters naming its line and column', async () => {
    const file = scope.tmp.write('cost.csv', `date,agent_name,api_key,source,total_spend_usd\n2026-01-05,a,k,api,1\n2026-01-05,b,k,api,${' '.repeat(70_000)}1\n`);
    const err = await refusal(file);
    expect(err.result.errors[0]).toMatchObject({ line: 3, column: 'total_spend_usd' });
    expect(err.result.errors[0]!.message).toMatch(/at most 65,536/);
  });

  it('refuses a record that never ends (an unclosed quote over megabytes) with the line it starts on', async () => {
    const before = snapshot(ledger);
    const file = scope.tmp.write('bad.csv', `timestamp,type,subject,cost_usd\n2026-01-05T00:00:00Z,api,k,1\n"${'x'.repeat(3_000_000)}\n`);
    const err = await refusal(file, { parseInWorker: false });
    expect(err.message).toMatch(/bad\.csv:3: a record longer than/);
    expect(snapshot(ledger)).toEqual(before);
  });

  it('imports 20k identical rows without ids into a non-empty ledger in linear time, then finds them all again', async () => {
    const rows = Array.from({ length: 20_000 }, () => '2026-01-05T10:00:00Z,api,k1,0.01').join('\n');
    await importFile(ledger, scope.tmp.write('seed.csv', 'timestamp,type,subject,cost_usd\n2026-01-04T00:00:00Z,api,k0,1\n'));
    const file = scope.tmp.write('repeat.csv', `timestamp,type,subject,cost_usd\n${rows}\n`);
    // 14 s before (each row scanned every earlier row of its millisecond)
    const first = await importFile(ledger, file, { parseInWorker: false });
    expect(first).toMatchObject({ imported: 20_000, duplicates: 0 });
    const again = await importFile(ledger, file, { parseInWorker: false });
    expect(again).toMatchObject({ imported: 0, duplicates: 20_000 });
  });
});

describe('times of the platform exports stay in the supported range', () => {
  it('refuses a cost export date and a consumption completedAt outside 1970..2199 with line, column and value', async () => {
    const cost = scope.tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,a,k,api,1\n2508-01-05,a,k,api,1\n');
    const e1 = await refusal(cost);
    expect(e1.result.errors).toEqual([{ line: 3, column: 'date', value: '2508-01-05', message: expect.stringMatching(/between 1970-01-01 and 2199-12-31/) }]);
    const mapped = scope.tmp.write('mapped.csv', 'when,who,usd\n1969-12-31,k,1\n');
    const e2 = await refusal(mapped, { mapping: { time: 'when', dateFormat: 'ymd', type: { value: 'api' }, subject: 'who', cost: 'usd' } });
    expect(e2.result.errors[0]).toMatchObject({ line: 2, column: 'when', value: '1969-12-31' });
  });
});

describe('a currency other than USD is never taken as USD', () => {
  it('refuses a EUR cost column without a rate naming the column, and converts it with one', async () => {
    const file = scope.tmp.write('eur.csv', 'Date,Key,Amount (EUR)\n2026-01-05,k1,"10,00 €"\n2026-01-06,k1,"2,50 €"\n');
    const before = snapshot(ledger);
    const err = await refusal(file);
    expect(err.message).toMatch(/"Amount \(EUR\)" is in EUR/);
    expect(snapshot(ledger)).toEqual(before);
    const mapping = { time: 'Date', dateFormat: 'ymd', type: { value: 'api' }, subject: 'Key', cost: 'Amount (EUR)', decimal: ',', currency: 'EUR' };
    await expect(importFile(ledger, file, { mapping })).rejects.toThrow(/never taken as USD/);
    const r = await importFile(ledger, file, { mapping: { ...mapping, usdPerUnit: 1.1 } });
    expect(r.imported).toBe(2);
    const costs = ledger.db.prepare('SELECT cost FROM events ORDER BY time').pluck().all();
    expect(costs).toEqual([11_000_000, 2_750_000]);
  });

  it('refuses a cost export amount in euros', async () => {
    const file = scope.tmp.write('cost.csv', 'date,agent_name,api_key,source,total_spend_usd\n2026-01-05,a,k,api,12.00 €\n');
    const err = await refusal(file);
    expect(err.result.errors[0]!.message).toMatch(/is in EUR/);
  });
});

describe('issue 15, finding 2: opening a file that is not a Headroom ledger never modifies it', () => {
  it('refuses another program’s SQLite database and leaves its bytes as they were', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { readFileSync } = await import('node:fs');
    const { openLedger } = await import('../src/ledger/ledger.ts');
    const path = scope.tmp.path('other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES (\'keep me\')');
    db.close();
    const before = readFileSync(path);
    expect(() => openLedger(path)).toThrow(/not a Headroom ledger.*table "notes"/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
