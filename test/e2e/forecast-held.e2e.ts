/**
 * The Forecast page on a history its limits held on every day (issue 17): a webhook whose runs the
 * 42-a-day limit cut on all 45 days. The page must say, at the trigger, that demand is at least the
 * limit and that the band above it is an assumption; before, only the key table carried such a
 * note, and a trigger's or the messages' held history showed only in the report's fine print.
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
import { EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import { simulate } from '../../src/engine/simulate.ts';
import { Outcome } from '../../src/engine/result.ts';
import { DAY, HOUR } from '../../src/engine/units.ts';
import { makeRng, poisson } from '../../src/forecast/rng.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 45;
const plan = validatePlan({
  workspace: { seats: 50, messagesPerSeatPerDay: 100 },
  apiKeys: [{ id: 'k_ops', capUsd: 500 }],
  triggers: [{ id: 't_hook', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 }],
  enforcement: { webhookWhenLimited: 'drop' },
});

/** What the platform's export shows: 60 webhook calls a day wanted, only those its limit ran, and a key's steady spend. */
function heldExportCsv(): string {
  const rng = makeRng(5);
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    for (let i = poisson(rng, 60); i > 0; i--) b.push(T0 + d * DAY + 7 * HOUR + Math.floor(rng() * 14 * HOUR), EventType.trigger, 't_hook', 0);
    for (let h = 0; h < 24; h += 2) b.push(T0 + d * DAY + h * HOUR + 1000, EventType.api, 'k_ops', 300_000);
  }
  const demand = b.build();
  const r = simulate(plan, demand, { until: T0 + DAYS * DAY - 1 });
  const lines: [number, string][] = [];
  for (let i = 0; i < demand.count; i++) {
    if (r.outcome[i] !== Outcome.admitted) continue;
    const api = demand.type[i] === EventType.api;
    lines.push([r.admittedAt[i], `${new Date(r.admittedAt[i]).toISOString()},${api ? 'api' : 'trigger'},${demand.subjects[demand.subject[i]]},${api ? (demand.cost[i] / 1e6).toFixed(2) : ''}`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  return `timestamp,type,subject,cost_usd\n${lines.map((l) => l[1]).join('\n')}\n`;
}

describe('Forecast on a trigger its limit held every day', () => {
  let s: Session | null = null;
  let data = '';
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'headroom-held-'));
    const eventsPath = join(data, 'events.csv');
    writeFileSync(eventsPath, heldExportCsv());
    const ledgerPath = join(data, 'ledger.sqlite');
    const store = new LedgerStore(ledgerPath, importWorkerUrl());
    try {
      await store.importFile({ path: eventsPath }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      await store.savePlan(plan);
    } finally {
      store.close();
    }
    s = await openSession({ ledgerPath, width: 1024, height: 640 });
    await s.page.goto(s.headroom.host.url);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  it('says at the trigger that demand is at least the limit and the band above it is assumed', async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    await nav(page, /^Forecast/);
    const held = page.getByTestId('forecast-held');
    await hasText(held, /Trigger t_hook: held at its limit on every day of its history \(45 days\): demand is at least about 4\d runs a day/);
    await hasText(held, /the band above it is an assumption/);
    // the key was never held: its note stays in its own table, not in this list
    expect(await held.textContent()).not.toMatch(/k_ops/);
    // the odds table's trigger, named by its id alone, stays on one line at 1024 px (it read "t_hoo" over "k")
    // the lines its text takes (the cell is as tall as its row, whose causes wrap)
    const lines = await page.evaluate<number>(`(() => {
      const r = document.createRange();
      r.selectNodeContents(document.querySelector('[data-testid=forecast-trigger-odds] tbody tr[data-trigger=t_hook] th'));
      return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
    })()`);
    expect(lines).toBeLessThanOrEqual(1);
    await s.shot('forecast-held-1024');
  }, 240_000);

  it("shows the same futures under the platform's code beside the plan's docs reading", async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    const other = page.getByTestId('forecast-other-profile');
    await hasText(other, /Under the platform's code instead/);
    await hasText(other, /The first 50 of the same simulated futures, decided as the platform's code decides them rather than as the docs/);
    // the plan drops limited webhooks under either reading (its explicit field), and its key never
    // caps out: the two readings agree, and the page says so rather than showing an empty table
    await hasText(other, /The same: no trigger's runs and no key's blocking by its cap fare differently under the platform's code/);
  }, 120_000);
});
