/**
 * The Forecast page on a key too thin to forecast (spend on 5 of its 9 days): its cap is
 * provisional, and the chance the page gives of its capping out rests on those few days. Before,
 * its paths read the days as a daily rate and the page said "96 %" beside the cap with nothing to
 * say it rested on thin history; the admin relies on the page saying so beside the chance and the
 * band. On API keys, its rolling 30-day spend is what it spent over its 9 days, not that scaled to
 * 30 days as if spent in a window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav } from './page-helpers.ts';
import { LedgerStore, importWorkerUrl } from '../../src/api/ledger-store.ts';
import { validatePlan } from '../../src/engine/plan.ts';
import { DAY, HOUR } from '../../src/engine/units.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 45;
const plan = validatePlan({
  workspace: { seats: 5, messagesPerSeatPerDay: 100 },
  apiKeys: [
    { id: 'k_main', capUsd: 1000 },
    { id: 'k_thin', capUsd: 2500 },
  ],
});

/** $10 a day on k_main; k_thin $250 on 5 of its last 9 days. */
function exportCsv(): string {
  const rows: [number, string][] = [];
  const row = (t: number, key: string, usd: number) => rows.push([t, `${new Date(t).toISOString()},api,${key},${usd.toFixed(2)}`]);
  for (let d = 0; d < DAYS; d++) for (let i = 0; i < 10; i++) row(T0 + d * DAY + (8 + i) * HOUR, 'k_main', 1);
  for (const d of [DAYS - 9, DAYS - 7, DAYS - 5, DAYS - 3, DAYS - 1]) for (let i = 0; i < 5; i++) row(T0 + d * DAY + (9 + i) * HOUR, 'k_thin', 50);
  rows.sort((a, b) => a[0] - b[0]);
  return `timestamp,type,subject,cost_usd\n${rows.map((r) => r[1]).join('\n')}\n`;
}

describe('Forecast on a key too thin to forecast', () => {
  let s: Session | null = null;
  let data = '';
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'headroom-thin-'));
    const eventsPath = join(data, 'events.csv');
    writeFileSync(eventsPath, exportCsv());
    const ledgerPath = join(data, 'ledger.sqlite');
    const store = new LedgerStore(ledgerPath, importWorkerUrl());
    try {
      await store.importFile({ path: eventsPath }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      await store.savePlan(plan);
    } finally {
      store.close();
    }
    s = await openSession({ ledgerPath, width: 1280, height: 800 });
    await s.page.goto(s.headroom.host.url);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  it('says beside its capping-out chance and its band that they rest on thin history', async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    await nav(page, /^Forecast/);
    const band = page.locator('[data-testid=forecast-key-bands] tr[data-key=k_thin] [data-testid=censored]');
    await hasText(band, /^thin history \(25 requests on 5 days with spend/);
    await hasText(band, /its band takes the spend of its busiest 30 days \(\$1,250\.00\) as its spend per 30 days, no trend/);
    // not the mean level of a short history, which it is not drawn at
    expect(await band.textContent()).not.toMatch(/short history/);
    const chance = page.locator('[data-testid=forecast-keys] tr[data-key=k_thin] [data-testid=thin-chance]');
    await hasText(chance, /^thin history: spend on 5 days$/);
    await s.shot('forecast-thin-1280');
  }, 240_000);

  it('gives on API keys what the key spent over its 9 days, not that scaled to 30 days as its rolling spend', async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    await nav(page, /^API keys/);
    const row = page.locator('[data-testid=model-keys-table] tbody tr[data-key=k_thin]');
    await hasText(row.getByTestId('advice-history-spend'), /^spent \$1,250 \(9 days of history\)/);
    // $1,250 over 9 days scaled to 30 days is $4,167: never shown as its p50 / p90 / p99
    expect(await row.locator('.reco').textContent()).not.toMatch(/p50|4,167/);
    // a key with 30-day windows keeps its percentiles
    await hasText(page.locator('[data-testid=model-keys-table] tbody tr[data-key=k_main] .reco'), /p50 .* p90 .* p99 /);
    await row.getByRole('button', { name: /^Details of k_thin/ }).click();
    await hasText(page.getByTestId('key-history-spend'), /Spent over its history\s*\$1,250 \(9 days of history\)/);
  }, 240_000);
});
