/**
 * The platform's cost export gives a key's spend per day, not its requests; the importer spreads
 * each row over the day's 24 hours. A key seen only there had its thin-history evidence say "96
 * requests on 4 days" from 4 rows: the spread's pieces counted as requests, beside "5 requests"
 * for the same key once the consumption export was imported too. The admin relies on the count
 * being requests, and on days the cost export alone gives being said as days with spend.
 */
import { describe, expect, it } from 'vitest';
import { importFile } from '../src/import/importer.ts';
import { recommend } from '../src/recommend/index.ts';
import { forecast } from '../src/forecast/index.ts';
import { describeRecommend } from '../src/cli/commands/recommend.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../src/engine/events.ts';
import type { EventColumns } from '../src/engine/events.ts';
import { costRowDays, costRowPieceTime } from '../src/engine/cost-rows.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';

const scope = ledgerScope();
const HEADER = 'date,agent_name,api_key,source,total_spend_usd\n';
const plan = validatePlan({ apiKeys: [] });

/** 30 days of k_reg at $10, and new-key on 4 of its last 9 days; the 11th also under a second agent (two rows that day). */
function costCsv(): string {
  const rows: string[] = [];
  for (let d = 1; d <= 30; d++) rows.push(`2026-09-${String(d).padStart(2, '0')},Reporter,k_reg,api,10.00`);
  rows.push('2026-09-22,Pilot,new-key,api,40.00', '2026-09-24,Pilot,new-key,api,5.00', '2026-09-27,Pilot,new-key,api,120.00', '2026-09-27,Scout,new-key,api,0.01', '2026-09-29,Pilot,new-key,api,15.00');
  return HEADER + rows.join('\n') + '\n';
}

async function ledgerEvents(files: [string, string][], withIds: boolean): Promise<EventColumns> {
  const ledger = scope.open('ledger.sqlite');
  for (const [name, text] of files) await importFile(ledger, scope.tmp.write(name, text));
  return ledger.readEvents({ withIds });
}

describe("a key whose spend comes only from the cost export's daily rows", () => {
  it('counts its days with spend, not the 24 pieces a day the importer spread them into', async () => {
    // the app reads the events without ids (its events cache holds none): the same count either way
    for (const withIds of [false, true]) {
      const events = await ledgerEvents([['cost.csv', costCsv()]], withIds);
      const r = recommend(events, plan, { paths: 20 });
      const k = r.keys.find((x) => x.id === 'new-key')!;
      expect(k.evidence, `withIds ${withIds}`).toMatchObject({ requests: 0, costRowDays: 4, activeDays: 4, days: 9, thin: true });
      expect(k.warning).toMatch(/^thin history \(spend on 4 days from the cost export's daily totals, which count no requests, over 9 days since its first on 2026-09-22\)/);
      expect(r.notes.join('\n')).toContain("new-key (spend on 4 days from the cost export's daily totals, which count no requests, over 9 days");
      expect(r.notes.join('\n')).not.toMatch(/\d+ requests on 4 days/);
      expect(describeRecommend(r)).toContain('new-key: set cap $400, PROVISIONAL: spend on 4 days (cost export totals, no requests), too thin a history to forecast');
      scope.closeAll();
    }
  });

  it('says so on the Forecast page beside the provisional cap', async () => {
    const events = await ledgerEvents([['cost.csv', costCsv()]], false);
    const f = await forecast(events, plan, { paths: 0, workers: 0 });
    expect(f.keyCaps.find((x) => x.id === 'new-key')?.provisional?.warning).toMatch(/^thin history \(spend on 4 days from the cost export's daily totals/);
  });
});

describe('a key with requests on some days and only cost export rows on others', () => {
  it('counts its requests and says which days only the cost export gives', async () => {
    // 3 requests on 2 days the cost export does not cover (at times no spread piece falls on)
    const eventsCsv = 'timestamp,type,subject,cost_usd\n2026-09-23T10:12:07.125Z,api,new-key,5.00\n2026-09-23T16:40:00.000Z,api,new-key,5.00\n2026-09-28T09:30:00.000Z,api,new-key,7.50\n';
    const events = await ledgerEvents(
      [
        ['cost.csv', costCsv()],
        ['events.csv', eventsCsv],
      ],
      false,
    );
    const k = recommend(events, plan, { paths: 20 }).keys.find((x) => x.id === 'new-key')!;
    // a request at half past an hour is a request: a day holds a cost row only when such events fill its 24 hours
    expect(k.evidence).toMatchObject({ requests: 3, costRowDays: 4, activeDays: 6, thin: true });
    expect(k.warning).toMatch(/^thin history \(3 requests on 6 days with spend, 4 of them known only from the cost export's daily totals, which count no requests, over 9 days/);
  });
});

describe('the pieces of a cost row told from requests (engine/cost-rows.ts)', () => {
  const day = Date.UTC(2026, 8, 22);
  it('takes a day whose events at half past fill all 24 hours as rows, 24 pieces each, and a request there as a request', () => {
    const b = new EventColumnsBuilder();
    for (let h = 0; h < 24; h++) b.push(costRowPieceTime(day, h), EventType.api, 'k', 1000);
    // a request that fell at half past 10 that day, and a key with a request at half past each of only 23 hours
    b.push(costRowPieceTime(day, 10), EventType.api, 'k', 5_000_000);
    for (let h = 0; h < 23; h++) b.push(costRowPieceTime(day, h), EventType.api, 'other', 1000);
    const rows = costRowDays(b.build());
    expect([...(rows.get('k') ?? [])]).toEqual([[day, 24]]);
    expect(rows.has('other')).toBe(false);
  });
});
