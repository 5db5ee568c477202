/**
 * The platform's exports escape a cell starting with `=`, `+`, `-` or `@` with a leading `'`
 * (sanitizeCsvCell in its cost export: `/^[=+\-@]/`). A key named `-staging` is written
 * `'-staging`: it is the key `-staging` in both exports, and a spreadsheet's copy that lost the
 * `'` is the same row.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});


function request(msg: string, key: string, agent: string): string {
  const cells = { completedAt: '2026-09-01T10:00:00.000Z', agentMessageId: msg, contextOrigin: 'api', apiKeyName: key, agentName: agent, usageType: 'programmatic', totalCredits: '250.00', stepIndex: '0' };
  return consumptionLine(cells);
}

const COST = 'date,agent_name,api_key,source,total_spend_usd\n';

describe("the platform's '- escape", () => {
  it("reads '-staging as the key -staging in both exports, its spend counted once", async () => {
    await importFile(ledger, scope.tmp.write('consumption.csv', `${CONSUMPTION_HEADER}\n${request('m1', "'-staging", "'-Ops bot")}\n`));
    const r = await importFile(ledger, scope.tmp.write('cost.csv', `${COST}2026-09-01,'-Ops bot,'-staging,api,2.50\n`));
    expect(eventsOf(ledger).map((e) => [e.subject, e.cost])).toEqual([['-staging', 2_500_000]]);
    expect(r.overlap).toMatchObject({ scopeDays: 1, countedConsumption: 1, disagreementCount: 0 });
  });

  it("reads a spreadsheet's copy of the cost export that lost the ' as the rows already imported", async () => {
    await importFile(ledger, scope.tmp.write('cost.csv', `${COST}2026-09-01,'-Ops bot,'-staging,api,2.50\n`));
    const before = snapshot(ledger).events;
    const again = await importFile(ledger, scope.tmp.write('cost-resaved.csv', `${COST}2026-09-01,-Ops bot,-staging,api,2.50\n`));
    expect(again).toMatchObject({ imported: 0, duplicates: 1 });
    expect(snapshot(ledger).events).toBe(before);
    expect(new Set(eventsOf(ledger).map((e) => e.subject))).toEqual(new Set(['-staging']));
  });
});
