/**
 * The long tables of the modeling screens (issue 13, "Speed"): a workspace of 500 API keys keeps
 * only the rows on screen in the DOM, scrolls to its last key, moves between rows by keyboard, and
 * an edited cap keeps its focus and row while the projection shows the key's new status.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { allRowIds, openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { writeWorkspace } from '../../src/demo/write.ts';
import { LedgerStore, importWorkerUrl } from '../../src/api/ledger-store.ts';
import { validatePlan } from '../../src/engine/plan.ts';

const KEYS = 500;

async function textOf(loc: Locator): Promise<string> {
  return ((await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
}

describe('virtual rows: a 500-key workspace on Overview and API keys', () => {
  let s: Session;
  let data: string;
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'headroom-e2e-500-'));
    // 500 keys over 30 days, few events each: the table is long, the projection quick
    const w = writeWorkspace(join(data, 'ws'), { seed: 7, days: 30, keys: KEYS, triggers: 20, people: 40, seats: 40, scale: 0.05 }, {}, { durable: false });
    const ledgerPath = join(data, 'ledger.sqlite');
    const store = new LedgerStore(ledgerPath, importWorkerUrl());
    try {
      await store.importFile({ path: w.eventsPath }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      await store.savePlan(validatePlan(JSON.parse(readFileSync(w.planPath, 'utf8')) as unknown, 'plan'));
    } finally {
      store.close();
    }
    s = await openSession({ ledgerPath });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  it('Overview: keeps under 60 key rows in the DOM, with a scrollbar for all 500, and shows the last key scrolled to', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Overview/ }).click();
    const table = page.getByTestId('keys-table');
    const rows = table.locator('tbody tr[data-key]');
    await rows.first().waitFor({ timeout: 60_000 });
    const count = await rows.count();
    expect(count).toBeGreaterThanOrEqual(5);
    expect(count).toBeLessThan(60);
    // rows have one height, and the scroll box is as tall as all 500 of them
    const heights = await rows.evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
    expect(new Set(heights).size).toBe(1);
    const box = table.locator('xpath=..');
    expect(await box.evaluate((el) => el.classList.contains('vtable'))).toBe(true);
    expect(await box.evaluate((el) => el.scrollHeight)).toBeGreaterThanOrEqual(KEYS * (heights[0] ?? 0));
    // the page's order (most limited first) is the rows' order
    const order = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-index'))));
    expect(order).toEqual(order.map((_, i) => i));

    // the last key: at the end of the scroll box, on screen, under the sticky head
    await box.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => rows.last().getAttribute('data-index')).toBe(String(KEYS - 1));
    expect(await rows.count()).toBeLessThan(60);
    const inside = await rows.last().evaluate((tr) => {
      const r = tr.getBoundingClientRect();
      const b = tr.closest('.vtable')?.getBoundingClientRect();
      return b !== undefined && r.top >= b.top && r.bottom <= b.bottom + 1;
    });
    expect(inside).toBe(true);
    const head = await table.locator('thead th').first().evaluate((th) => th.getBoundingClientRect().top - (th.closest('.vtable')?.getBoundingClientRect().top ?? Number.NaN));
    expect(Math.abs(head)).toBeLessThanOrEqual(2);
    const lastId = (await rows.last().getAttribute('data-key')) ?? '';
    expect(lastId).not.toBe('');

    // scrolling through shows every key once
    expect(await allRowIds(page, 'keys-table', 'data-key')).toHaveLength(KEYS);
    // and every trigger, in their own box
    expect((await allRowIds(page, 'triggers-table', 'data-trigger')).length).toBeGreaterThan(0);

    // the last key's row, scrolled to again, opens its details on API keys
    await box.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await rows.and(page.locator(`[data-key="${lastId}"]`)).locator('th button').click();
    await expect.poll(() => textOf(page.getByTestId('key-detail').locator('p').first()), { timeout: 60_000 }).toContain(lastId);
  });

  it('keeps under 60 rows in the DOM, with a scrollbar for all 500, and scrolls to the last key', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^API keys/ }).click();
    const table = page.getByTestId('model-keys-table');
    const rows = table.locator('tbody tr[data-key]');
    await rows.first().waitFor({ timeout: 60_000 });
    const count = await rows.count();
    expect(count).toBeGreaterThanOrEqual(5);
    expect(count).toBeLessThan(60);
    // rows have one height, and the scroll box is as tall as all 500 of them
    const heights = await rows.evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
    expect(new Set(heights).size).toBe(1);
    const box = table.locator('xpath=..');
    const scrollHeight = await box.evaluate((el) => el.scrollHeight);
    expect(scrollHeight).toBeGreaterThanOrEqual(KEYS * (heights[0] ?? 0));

    // the last key: at the end of the scroll box, and on screen
    await box.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => rows.last().getAttribute('data-index')).toBe(String(KEYS - 1));
    expect(await rows.count()).toBeLessThan(60);
    const last = await rows.last().evaluate((tr) => {
      const r = tr.getBoundingClientRect();
      const b = tr.closest('.vtable')?.getBoundingClientRect();
      return { inside: b !== undefined && r.top >= b.top && r.bottom <= b.bottom + 1 };
    });
    expect(last.inside).toBe(true);
    // the sticky head stays on top of the scrolled rows
    const head = await table.locator('thead th').first().evaluate((th) => th.getBoundingClientRect().top - (th.closest('.vtable')?.getBoundingClientRect().top ?? Number.NaN));
    expect(Math.abs(head)).toBeLessThanOrEqual(2);

    // scrolling through shows every key once
    expect(await allRowIds(page, 'model-keys-table', 'data-key')).toHaveLength(KEYS);

    // every key is reachable by its name through the filter too
    const lastId = (await rows.last().getAttribute('data-key')) ?? '';
    await box.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByLabel('Filter keys').fill(lastId);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-key')).toBe(lastId);
    await page.getByLabel('Filter keys').fill('');
    await expect.poll(() => rows.first().getAttribute('data-index')).toBe('0');
  });

  it('moves between cap fields with the arrow keys, rendering the rows it reaches', async () => {
    const { page } = s;
    const rows = page.locator('[data-testid=model-keys-table] tbody tr[data-key]');
    const first = rows.first().getByLabel(/^Cap of/);
    await first.focus();
    const focusedIndex = () => page.evaluate<string | null>(`document.activeElement?.closest('tr')?.getAttribute('data-index') ?? null`);
    // past the rows first drawn: each Arrow down renders the next row before focusing it
    const steps = 30;
    for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(focusedIndex).toBe(String(steps));
    expect(await page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`)).toMatch(/^Cap of /);
    expect(await rows.count()).toBeLessThan(60);
    await page.keyboard.press('ArrowUp');
    await expect.poll(focusedIndex).toBe(String(steps - 1));
    await page.evaluate('document.activeElement?.blur()');
  });

  it('edits a cap: the field keeps the focus and its row its place while the key turns rate limited', async () => {
    const { page } = s;
    const rows = page.locator('[data-testid=model-keys-table] tbody tr[data-key]');
    await page.locator('.vtable').first().evaluate((el) => el.scrollTo({ top: 0 }));
    // the least limited keys first: once rate limited, the key's place by status is at the far end
    const statusHead = page.locator('[data-testid=model-keys-table] thead th', { has: page.getByRole('button', { name: 'Sort by Status' }) });
    for (let i = 0; i < 3 && (await statusHead.getAttribute('aria-sort')) !== 'ascending'; i++) await page.getByRole('button', { name: 'Sort by Status' }).click();
    expect(await statusHead.getAttribute('aria-sort')).toBe('ascending');
    // a key within its limit that has spent: a cap of one cent blocks it
    const candidates = await rows.evaluateAll((trs) =>
      trs
        .filter((tr) => tr.querySelector('.chip')?.textContent === 'Within limit' || tr.querySelector('.chip')?.textContent === 'No limit')
        .filter((tr) => !/^\$0(\.00)? now$/.test(tr.querySelector('.spark-cell .num')?.textContent?.trim() ?? ''))
        .map((tr) => tr.getAttribute('data-key') ?? ''),
    );
    const id = candidates[0];
    expect(id).toBeTruthy();
    const row = rows.and(page.locator(`[data-key="${id}"]`));
    const indexBefore = await row.getAttribute('data-index');
    const cap = row.getByLabel(/^Cap of/);
    const label = (await cap.getAttribute('aria-label')) ?? '';
    await cap.fill('0.01');
    await cap.press('Enter');
    await expect.poll(() => textOf(page.getByTestId('plan-status')), { timeout: 30_000 }).toBe('Unsaved changes');
    await expect.poll(() => textOf(row.locator('.chip')), { timeout: 60_000 }).toBe('Rate limited');
    // the same field still has the focus, with what was typed, and the row did not move
    expect(await page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`)).toBe(label);
    expect(await cap.inputValue()).toBe('0.01');
    expect(await row.getAttribute('data-index')).toBe(indexBefore);
    expect(await rows.count()).toBeLessThan(60);

    // once the focus leaves, the table sorts again (by status): the key goes to the rate limited
    // ones at the end, and its row is still in the DOM there
    await page.getByLabel('Filter keys').focus();
    await expect.poll(async () => Number(await row.getAttribute('data-index'))).toBeGreaterThan(Number(indexBefore));
    await row.scrollIntoViewIfNeeded();
    expect(await textOf(row.locator('.chip'))).toBe('Rate limited');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => textOf(page.getByTestId('plan-status')), { timeout: 30_000 }).toBe('Saved plan');
  });
});
