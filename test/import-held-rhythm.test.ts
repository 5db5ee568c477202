/**
 * A webhook fed at a steady pace that the platform's default 42 runs per 24 h held: the export
 * holds only the admitted runs, 42 at that pace, a pause, 42 more. That is a limited trigger, not
 * a schedule: read as one it would never meet its limit under the platform profile (SPEC §9 rule 3).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../src/ledger/ledger.ts';
import { looksScheduled } from '../src/ledger/entities.ts';
import { importFile } from '../src/import/importer.ts';
import { ledgerScope } from './fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER } from './support/dust-exports.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const START = Date.UTC(2026, 8, 1);

/** Deliveries every `every` ms for `days`, each admitted while fewer than `limit` runs are in the 24 h before it (the platform's edge). */
function admitted(every: number, days: number, limit: number): number[] {
  const out: number[] = [];
  for (let t = START; t < START + days * DAY; t += every) {
    if (out.filter((s) => s >= t - DAY).length < limit) out.push(t);
  }
  return out;
}

describe('a trigger held at its default limit is not a schedule', () => {
  const scope = ledgerScope();
  let ledger: Ledger;
  beforeEach(() => {
    ledger = scope.open('ledger.sqlite');
  });

  it('imports a webhook fed every 15 minutes and held at 42 a day as a webhook', async () => {
    const columns = CONSUMPTION_HEADER.split(',');
    const lines = admitted(15 * MIN, 10, 42).map((t, i) => {
      // completion a few seconds after the run started, as the export writes it
      const cells: Record<string, string> = { completedAt: new Date(t + 2000 + (i % 7) * 500).toISOString(), agentMessageId: `m${i}`, agentName: 'CI bot', triggerId: 'trg_ci', contextOrigin: 'Trigger', usageType: 'user', totalCredits: '2.00' };
      return columns.map((c) => cells[c] ?? '').join(',');
    });
    await importFile(ledger, scope.tmp.write('consumption.csv', `${CONSUMPTION_HEADER}\n${lines.join('\n')}\n`));
    expect(ledger.entities().find((e) => e.subject === 'trg_ci')).toMatchObject({ type: 'trigger', kind: 'webhook', mode: 'fair_use' });
  });

  it('also when the history was cut on the docs’ window edge (a run exactly 24 h before no longer counts), or completion times move a run across it', () => {
    // the docs' edge: admitted while fewer than 42 runs are in (t - 24 h, t]
    const docsEdge: number[] = [];
    for (let t = START; t < START + 10 * DAY; t += 15 * MIN) if (docsEdge.filter((s) => s > t - DAY).length < 42) docsEdge.push(t);
    expect(looksScheduled(docsEdge)).toBe(false);
    // a business-hours schedule every 15 minutes still reads as a schedule when it stops well before 42
    const business = admitted(15 * MIN, 10, Infinity).filter((t) => { const h = new Date(t).getUTCHours(); return h >= 9 && h < 17; });
    expect(looksScheduled(business)).toBe(true);
  });

  it('still reads steady schedules as schedules', () => {
    expect(looksScheduled(admitted(30 * MIN, 10, Infinity))).toBe(true);
    expect(looksScheduled(admitted(60 * MIN, 10, Infinity))).toBe(true);
    // every 35 minutes: some 24 h windows hold 42 runs, but the runs never pause
    expect(looksScheduled(admitted(35 * MIN, 10, Infinity))).toBe(true);
    // hourly on weekdays: the weekend pauses follow 24 runs, not 42
    const weekdays = admitted(60 * MIN, 21, Infinity).filter((t) => new Date(t).getUTCDay() % 6 !== 0);
    expect(looksScheduled(weekdays)).toBe(true);
  });

  it('a trigger held at another number still reads by its rhythm (the export cannot tell an override)', () => {
    expect(looksScheduled(admitted(15 * MIN, 10, 42))).toBe(false);
    expect(looksScheduled(admitted(15 * MIN, 10, 30))).toBe(true);
  });
});
