/**
 * A second export imported into a ledger that holds one: the import's summary said "counted once:
 * 2026-09-10 to 2026-10-24, 259 key-days …" for a cost file of October alone, the span and
 * counts of the whole ledger, which an admin read as describing the file they had just imported.
 * The summary now says what the file brought (its own key-days and span, and how those the other
 * export covers were counted) and, labelled apart, what the ledger holds now; the app says the same.
 */
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/cli/commands/import.ts';
import { importFacts } from '../src/api/import-facts.ts';
import { importFile } from '../src/import/importer.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';

const scope = ledgerScope();
const ws = dustWorkspace({ seed: 7, days: 40, start: Date.UTC(2026, 8, 10) });

function files(): { consumption: string; september: string; october: string } {
  expect(ws.cost.length).toBe(2);
  return {
    consumption: scope.tmp.write('consumption.csv', ws.consumption),
    september: scope.tmp.write('cost-september.csv', ws.cost[0]!),
    october: scope.tmp.write('cost-october.csv', ws.cost[1]!),
  };
}

const lineOf = (stdout: string, label: string): string => stdout.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';

describe("a second cost export's import summary", () => {
  it("says the file's own span and key-days, and the ledger's whole span on its own labelled line", async () => {
    const f = files();
    const db = scope.tmp.path('l.sqlite');
    await runImport([f.consumption], { db });
    const september = await runImport([f.september], { db });
    expect(lineOf(september.stdout, 'this file:')).toContain('2026-09-10 to 2026-09-30');
    const october = await runImport([f.october], { db });
    expect(october.exitCode).toBe(0);
    const file = lineOf(october.stdout, 'this file:');
    const ledger = lineOf(october.stdout, 'the ledger now:');
    // the file: October only, never the ledger's September days
    expect(file).toMatch(/^ {2}this file: \d+ key-days of \d+ keys and agents, 2026-10-01 to 2026-10-19; all of them are in the consumption export too: \d+ count the consumption lines/);
    expect(file).not.toContain('2026-09');
    // the ledger: both files' days, said as the ledger's
    expect(ledger).toMatch(/^ {2}the ledger now: \d+ key-days of \d+ keys and agents, 2026-09-10 to 2026-10-19, are in both the consumption and the cost export, counted once/);
    const fileDays = Number(/this file: (\d+) key-days/.exec(file)![1]);
    const ledgerDays = Number(/the ledger now: (\d+) key-days/.exec(ledger)![1]);
    expect(ledgerDays).toBeGreaterThan(fileDays);
    expect(october.stdout).not.toContain('counted once: 2026-09-10');
  });

  it('says the same in the app: this file first, then the ledger', async () => {
    const f = files();
    const ledger = scope.open('app.sqlite');
    await importFile(ledger, f.consumption);
    await importFile(ledger, f.september);
    const r = await importFile(ledger, f.october);
    expect(r.fileOverlap).toMatchObject({ ownFrom: Date.UTC(2026, 9, 1), ownTo: Date.UTC(2026, 9, 19), from: Date.UTC(2026, 9, 1) });
    expect(r.overlap).toMatchObject({ from: Date.UTC(2026, 8, 10), to: Date.UTC(2026, 9, 19) });
    const text = importFacts(r, 'imported').overlap!;
    expect(text).toMatch(/^This file: \d+ key-days of \d+ keys and agents, 2026-10-01 to 2026-10-19; .*\. The ledger now: \d+ key-days of \d+ keys and agents, 2026-09-10 to 2026-10-19, are in both/);
  });

  it('says a file none of whose days the other export covers as such, beside the ledger that has some', async () => {
    const f = files();
    const db = scope.tmp.path('l.sqlite');
    // the consumption export's September only: October's cost rows meet nothing
    const september = ws.consumption
      .split('\n')
      .filter((l, i) => i === 0 || l.startsWith('2026-09'))
      .join('\n');
    await runImport([scope.tmp.write('consumption-september.csv', `${september}\n`)], { db });
    await runImport([f.september], { db });
    const october = await runImport([f.october], { db });
    expect(lineOf(october.stdout, 'this file:')).toMatch(/2026-10-01 to 2026-10-19; none of them is in the consumption export: they count as this file has them$/);
    expect(lineOf(october.stdout, 'the ledger now:')).toContain('2026-09-10 to 2026-09-30, are in both');
  });
});
