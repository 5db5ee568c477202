/**
 * The cost export rounds each row to the cent (`costUsd.toFixed(2)`), so an agent or key that
 * spent under half a cent on a day has a row of 0.00. Such a row makes no event; importing the
 * same export again must still count it as a duplicate, not as a new row each time (SPEC §8).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { ledgerScope, snapshot } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});

const COST = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,2.50\n2026-09-01,Idle bot,key-b,api,0.00\n2026-09-02,Bot,key-a,api,1.00\n';

describe('a cost row of $0.00', () => {
  it('is imported once and a duplicate when the same export comes again', async () => {
    const file = scope.tmp.write('cost.csv', COST);
    expect(await importFile(ledger, file)).toMatchObject({ rows: 3, imported: 3, duplicates: 0 });
    const before = snapshot(ledger).events;
    expect(await importFile(ledger, file)).toMatchObject({ rows: 3, imported: 0, duplicates: 3 });
    expect(snapshot(ledger).events).toBe(before);
  });

  it('is new again once the batch that covered its day is undone', async () => {
    const file = scope.tmp.write('cost.csv', COST);
    const first = await importFile(ledger, file);
    ledger.undoBatch(first.batch!);
    expect(await importFile(ledger, file)).toMatchObject({ rows: 3, imported: 3, duplicates: 0 });
  });
});
