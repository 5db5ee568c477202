/**
 * A history the platform's own limits cut, imported through the app: the Overview must say what
 * `headroom simulate` says under its summary. The export holds only what the platform admitted (a
 * key's spend stops at its cap, a webhook runs exactly 42 times in 24 h, people's messages fill
 * the allowance), so its replay refuses nothing and every status alone would read as room. The
 * page names each held limit in a note and marks the rows, at 1360 px and at 900 px.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav, overflowX, textOf } from './page-helpers.ts';
import { LedgerStore, importWorkerUrl } from '../../src/api/ledger-store.ts';
import { validatePlan } from '../../src/engine/plan.ts';
import { EventColumnsBuilder, EventType } from '../../src/engine/events.ts';
import { simulate } from '../../src/engine/simulate.ts';
import { Outcome } from '../../src/engine/result.ts';
import { DAY, HOUR } from '../../src/engine/units.ts';

const T0 = Date.UTC(2026, 8, 1);
const DAYS = 20;
const MIN = 60_000;
const plan = validatePlan({
  workspace: { name: 'Cut by the platform', seats: 1, messagesPerSeatPerDay: 30, fairUseShare: 0.5 },
  apiKeys: [
    { id: 'k_pipe', name: 'Pipeline', capUsd: 40 },
    { id: 'k_web', name: 'Website', capUsd: 1000 },
  ],
  triggers: [
    { id: 't_hook', name: 'PR review', kind: 'webhook', mode: 'programmatic', limitPer24h: 42 },
    { id: 't_quiet', name: 'Digest', kind: 'webhook', mode: 'fair_use', limitPer24h: 42 },
  ],
  enforcement: { profile: 'platform' },
});

/** The platform's export of a workspace that wanted more than its limits: only what they admitted. */
function cutHistoryCsv(): string {
  const b = new EventColumnsBuilder();
  for (let d = 0; d < DAYS; d++) {
    const day = T0 + d * DAY;
    for (let i = 0; i < 60; i++) b.push(day + 6 * HOUR + i * 11 * MIN, EventType.trigger, 't_hook', 0);
    for (let i = 0; i < 2; i++) b.push(day + 9 * HOUR + i * HOUR, EventType.trigger, 't_quiet', 0);
    for (let h = 0; h < 10; h++) b.push(day + h * 2 * HOUR + 1000, EventType.api, 'k_pipe', 500_000);
    for (let h = 0; h < 4; h++) b.push(day + h * 5 * HOUR + 2000, EventType.api, 'k_web', 1_000_000);
    for (let i = 0; i < 45; i++) b.push(day + 30_000 + i * 29 * MIN, EventType.message, `u${i % 7}`, 0);
  }
  const demand = b.build();
  const r = simulate(plan, demand, { until: T0 + DAYS * DAY });
  const lines: [number, string][] = [];
  // a script trying a request every 150 ms for 3 minutes on 3 days: the platform admits one when
  // fewer than 100 of the key's requests started in the last minute, and the export times each
  // when it completed, 1 to 8 s later (its per-minute throttle, SPEC section 9 rule 7)
  for (let d = 0; d < 3; d++) {
    const admitted: number[] = [];
    for (let k = 0; k < 1200; k++) {
      const start = T0 + d * DAY + 14 * HOUR + 150 * k;
      if (admitted.filter((a) => a >= start - MIN && a <= start).length >= 100) continue;
      admitted.push(start);
      const done = start + 1000 + ((k * 13) % 7001);
      lines.push([done, `${new Date(done).toISOString()},api,k_bulk,0.01`]);
    }
  }
  for (let i = 0; i < demand.count; i++) {
    if (r.outcome[i] !== Outcome.admitted) continue;
    const ty = demand.type[i];
    const kind = ty === EventType.api ? 'api' : ty === EventType.trigger ? 'trigger' : 'message';
    lines.push([r.admittedAt[i]!, `${new Date(r.admittedAt[i]!).toISOString()},${kind},${demand.subjects[demand.subject[i]!]},${ty === EventType.api ? (demand.cost[i]! / 1e6).toFixed(2) : ''}`]);
  }
  lines.sort((a, c) => a[0] - c[0]);
  return `timestamp,type,subject,cost_usd\n${lines.map((l) => l[1]).join('\n')}\n`;
}

describe('Overview on a history the platform’s limits cut', () => {
  let s: Session | null = null;
  let data = '';
  let csvPath = '';
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'headroom-held-limits-'));
    csvPath = join(data, 'cut-export.csv');
    writeFileSync(csvPath, cutHistoryCsv());
    // the admin's plan (caps and limits as the workspace has them), before any event
    const ledgerPath = join(data, 'ledger.sqlite');
    const store = new LedgerStore(ledgerPath, importWorkerUrl());
    try {
      await store.savePlan(plan);
    } finally {
      store.close();
    }
    s = await openSession({ ledgerPath, width: 1360, height: 900 });
    await s.page.goto(s.headroom.host.url);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  const row = (page: Page, table: string, attr: string, id: string) => page.locator(`[data-testid=${table}] tr[${attr}="${id}"]`);

  it('imports the export, then names each held limit in a note and marks its row beside the status', async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles(csvPath);
    await page.getByTestId('preview').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
    await nav(page, /^Overview/);
    await page.getByTestId('keys-table').waitFor({ timeout: 60_000 });

    const note = page.getByRole('note', { name: /Held by the platform’s own limits/ });
    await hasText(note, /4 limits/);
    const text = await textOf(note);
    expect(text).toMatch(/The exports hold only what the platform admitted\. These limits were full in this history and the replay \(as the platform’s code enforces the limits\) found no demand beyond them/);
    expect(text).toMatch(/API key Pipeline's spend reached \$4\d\.\d\d of its \$40\.00 cap \(30 days counted from 00:00 UTC\): the platform held it at its cap; real demand was higher than this history shows\./);
    expect(text).toMatch(/Trigger PR review ran exactly 42 times in 24 h on (19|20) days: the platform held it; real demand was higher than this history shows\./);
    expect(text).toMatch(/The message allowance was full: 30 of 30 messages and fair-use runs in 24 h\./);
    expect(text).toMatch(/API key k_bulk was held at 100 requests a minute by its per-minute throttle/);
    // the limits with room are not in it
    expect(text).not.toMatch(/Website|Digest|fair-use pool/);
    // the headline counts the key as throttled, and says its refusals are the export's, as the note does
    await hasText(page.locator('.cards'), /Keys throttled/);
    await hasText(page.getByTestId('headline-explained'), /^[\d,]+ of the replay’s refusals are in the export, so the platform let them through \(see “Held by the platform’s own limits” below\)\.$/);

    // the rows: the status word is not read alone
    const mark = /held by the platform/;
    await hasText(row(page, 'keys-table', 'data-key', 'k_pipe').getByTestId('held-tag'), mark);
    expect(await row(page, 'keys-table', 'data-key', 'k_web').getByTestId('held-tag').count()).toBe(0);
    await hasText(row(page, 'triggers-table', 'data-trigger', 't_hook').getByTestId('held-tag'), mark);
    expect(await row(page, 'triggers-table', 'data-trigger', 't_quiet').getByTestId('held-tag').count()).toBe(0);
    // the replay refused nothing: the statuses alone would say there is room
    expect(await textOf(row(page, 'triggers-table', 'data-trigger', 't_hook').locator('.chip'))).not.toBe('Rate limited');
    await hasText(page.getByTestId('capacity-allowance').getByTestId('held-tag'), mark);
    expect(await page.getByTestId('capacity-pool').getByTestId('held-tag').count()).toBe(0);
    // the mark carries its sentence on hover, and says it to a screen reader
    const tag = row(page, 'triggers-table', 'data-trigger', 't_hook').getByTestId('held-tag');
    expect(await tag.getAttribute('title')).toMatch(/^Trigger PR review ran exactly 42 times in 24 h/);
    expect(await textOf(tag)).toMatch(/real demand was higher than this history shows/);

    expect(await overflowX(page)).toBe(0);
    await note.scrollIntoViewIfNeeded();
    await s.shot('held-limits-1360');
  }, 240_000);

  it('keeps its layout at 900 px: no sideways scroll, the mark inside the status cell', async () => {
    if (!s) throw new Error('no session');
    const { page } = s;
    await page.setViewportSize({ width: 900, height: 900 });
    const note = page.getByRole('note', { name: /Held by the platform’s own limits/ });
    await note.waitFor();
    expect(await overflowX(page)).toBe(0);
    const within = await page.evaluate<boolean>(`(() => {
      const tag = document.querySelector('[data-testid=triggers-table] tr[data-trigger="t_hook"] [data-testid=held-tag]');
      const cell = tag.closest('td').getBoundingClientRect();
      const r = tag.getBoundingClientRect();
      return r.left >= cell.left - 0.5 && r.right <= cell.right + 0.5;
    })()`);
    expect(within).toBe(true);
    await s.shot('held-limits-900');
  }, 120_000);
});
