/**
 * An agent message that runs across 00:00 UTC: the cost export may put its spend on the day it
 * started while its consumption lines complete on the next. Per day the consumption export then
 * looks short on one day and long on the next; the two days together agree, and the message must
 * be counted once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { eventsOf, ledgerScope } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine } from './support/dust-exports.ts';

const scope = ledgerScope();
let ledger: Ledger;

beforeEach(() => {
  ledger = scope.open('ledger.sqlite');
});


function request(time: string, msg: string, credits: string): string {
  const cells = { completedAt: time, agentMessageId: msg, contextOrigin: 'api', apiKeyName: 'key-a', agentName: 'Bot', usageType: 'programmatic', totalCredits: credits, stepIndex: '0' };
  return consumptionLine(cells);
}

const CONSUMPTION = `${CONSUMPTION_HEADER}\n${[
  request('2026-09-01T10:00:00.000Z', 'm1', '500.00'),
  // started before midnight (the cost export's 2026-09-01), completed after it
  request('2026-09-02T00:00:00.400Z', 'm2', '200.00'),
  request('2026-09-02T10:00:00.000Z', 'm3', '300.00'),
  request('2026-09-03T10:00:00.000Z', 'm4', '100.00'),
].join('\n')}\n`;
const COST = 'date,agent_name,api_key,source,total_spend_usd\n2026-09-01,Bot,key-a,api,7.00\n2026-09-02,Bot,key-a,api,3.00\n2026-09-03,Bot,key-a,api,1.00\n';

function spendByDay(l: Ledger): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of eventsOf(l)) out[e.time.slice(0, 10)] = (out[e.time.slice(0, 10)] ?? 0) + e.cost;
  return out;
}

describe('a message across midnight in the two exports', () => {
  it.each([
    ['consumption first', ['consumption.csv', 'cost.csv']],
    ['cost first', ['cost.csv', 'consumption.csv']],
  ])('is counted once, from the consumption lines on both days (%s)', async (_, order) => {
    const files: Record<string, string> = { 'consumption.csv': CONSUMPTION, 'cost.csv': COST };
    let last = null;
    for (const name of order) last = await importFile(ledger, scope.tmp.write(name, files[name]!));
    // $11 in all, not $13 (the cost export's $7 on the 1st and the consumption's $5 on the 2nd)
    expect(spendByDay(ledger)).toEqual({ '2026-09-01': 5_000_000, '2026-09-02': 5_000_000, '2026-09-03': 1_000_000 });
    // the real times of the four requests, none of the cost export's hourly spread
    expect(eventsOf(ledger).map((e) => e.time)).toEqual(['2026-09-01T10:00:00.000Z', '2026-09-02T00:00:00.400Z', '2026-09-02T10:00:00.000Z', '2026-09-03T10:00:00.000Z']);
    expect(last!.overlap).toMatchObject({ scopeDays: 3, countedConsumption: 3, countedCost: 0 });
  });

  it('still counts the cost export for a day the consumption export has only in part (its neighbours hold no excess)', async () => {
    const cut = CONSUMPTION.split('\n').filter((l) => !l.includes(',m4,')).join('\n') + request('2026-09-03T10:00:00.000Z', 'm4', '40.00') + '\n';
    await importFile(ledger, scope.tmp.write('consumption.csv', cut));
    const r = await importFile(ledger, scope.tmp.write('cost.csv', COST));
    expect(spendByDay(ledger)['2026-09-03']).toBe(1_000_000);
    expect(r.overlap).toMatchObject({ countedConsumption: 2, countedCost: 1 });
  });
});
