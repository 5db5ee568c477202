import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allRowIds, openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { dustWorkspace } from '../support/dust-exports.ts';
import type { DustWorkspace } from '../support/dust-exports.ts';

/**
 * Issue 16: a 75 MB consumption export imported through the page (chunked upload to the web host,
 * preview and import on the import worker) while the page keeps answering: a click on a nav button
 * shows its effect within 200 ms, again and again during the upload, the preview and the import.
 */
const CLICK_MS = 200;
const en = (n: number): string => n.toLocaleString('en-US');

/**
 * Clicks a nav button and returns the time from the click event to the first frame after the
 * button became the current page, measured in the page (Playwright's own round trips excluded).
 * The click is a raw mouse click at the button's place: Playwright's checks before a locator's
 * click run in the page and would send it only once the page is idle.
 */
async function clickLatency(page: Page, label: string): Promise<number> {
  const button = page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: new RegExp(`^${label}`) });
  const box = await button.boundingBox();
  if (box === null) throw new Error(`the ${label} button is not on screen`);
  await page.evaluate(`(() => {
    window.__clickLatency = null;
    let clickedAt = null;
    document.addEventListener('click', (e) => { clickedAt = e.timeStamp; }, { capture: true, once: true });
    const current = () => document.querySelector('nav [aria-current="page"] span')?.textContent === ${JSON.stringify(label)};
    const obs = new MutationObserver(() => {
      if (clickedAt === null || !current()) return;
      obs.disconnect();
      requestAnimationFrame(() => { window.__clickLatency = performance.now() - clickedAt; });
    });
    obs.observe(document.body, { subtree: true, attributes: true, childList: true });
  })()`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  let ms: number | null = null;
  await expect.poll(async () => (ms = (await page.evaluate('window.__clickLatency')) as number | null), { timeout: 10_000, interval: 50 }).not.toBeNull();
  return ms!;
}

/** Away to the API keys page and back to Import: both clicks answered in time. */
async function clicksAnswered(page: Page, latencies: number[]): Promise<void> {
  latencies.push(await clickLatency(page, 'API keys'));
  latencies.push(await clickLatency(page, 'Import'));
}

describe('a 75 MB consumption export through the page', () => {
  let s: Session;
  let ws: DustWorkspace;
  let path: string;

  beforeAll(async () => {
    s = await openSession({ empty: true });
    // the bench's workspace (bench/import-dust.ts): 250 people, 20 keys, 210 days
    ws = dustWorkspace({ seed: 16, days: 210, people: 250, keys: 20, labels: true });
    path = join(s.dir, 'consumption-75mb.csv');
    writeFileSync(path, ws.consumption);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
  });

  const events = async (): Promise<number> => (await s.headroom.service.handlers['ledger-info']({}, { signal: new AbortController().signal, progress: () => {} })).events;
  const batches = async (): Promise<number> => (await s.headroom.service.handlers['import-history']({}, { signal: new AbortController().signal, progress: () => {} })).length;

  it('uploads, previews and imports it while the page answers clicks; Cancel leaves the ledger as it was', async () => {
    const { page } = s;
    expect(statSync(path).size).toBeGreaterThan(70 * 2 ** 20);
    const latencies: number[] = [];
    await page.goto(s.headroom.host.url);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Import/ }).click();
    await page.getByLabel('Choose CSV files to import').setInputFiles(path);

    // progress from the start: the upload, then the preview reading the file on the worker
    const reading = page.getByTestId('reading').getByRole('progressbar');
    await reading.waitFor();
    await clicksAnswered(page, latencies);
    await page.getByRole('progressbar', { name: /^Reading consumption-75mb\.csv/ }).waitFor({ timeout: 120_000 });
    await clicksAnswered(page, latencies);

    // the preview's facts: every line read, folded into one event per agent message
    const preview = page.getByTestId('preview');
    await expect.poll(async () => (await preview.getByTestId('facts-events').textContent({ timeout: 1000 }).catch(() => null)) ?? '', { timeout: 180_000, interval: 500 }).toBe(
      `${en(ws.lines)} lines make ${en(ws.messages)} new events`,
    );
    expect(await events()).toBe(0);

    // the import: progress shown, then Cancel half way leaves the ledger empty and the file ready
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    await importButton.click();
    const running = page.getByTestId('import-running');
    const bar = running.getByRole('progressbar', { name: /^Importing consumption-75mb\.csv/ });
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => '0')), { timeout: 120_000, interval: 100 }).toBeGreaterThan(0);
    await clicksAnswered(page, latencies);
    await running.getByRole('button', { name: 'Cancel' }).click();
    await running.waitFor({ state: 'detached', timeout: 60_000 });
    expect(await events()).toBe(0);
    expect(await batches()).toBe(0);
    await expect.poll(() => importButton.isEnabled(), { timeout: 20_000 }).toBe(true);

    // again, to the end, with clicks answered all along
    await importButton.click();
    await running.waitFor();
    const result = page.getByTestId('import-result');
    for (let i = 0; i < 3 && !(await result.isVisible()); i++) await clicksAnswered(page, latencies);
    await result.getByTestId('imported-count').waitFor({ timeout: 240_000 });
    expect((await result.getByTestId('imported-count').textContent())?.trim()).toBe(en(ws.lines));
    expect(await events()).toBe(ws.messages);

    // every click during upload, preview and import showed its effect in time
    console.info(`click to effect during the 75 MB import (ms): ${latencies.map((ms) => ms.toFixed(0)).join(', ')}`);
    expect(latencies.length).toBeGreaterThanOrEqual(6);
    for (const ms of latencies) expect(ms).toBeLessThan(CLICK_MS);

    // the API keys page shows the export's keys
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^API keys/ }).click();
    const table = page.getByTestId('model-keys-table');
    await table.waitFor({ timeout: 60_000 });
    // all of them, scrolling through the table's virtual rows
    await expect.poll(() => allRowIds(page, 'model-keys-table', 'data-key'), { timeout: 60_000, interval: 500 }).toEqual(
      expect.arrayContaining([...ws.keys].sort()),
    );
  }, 600_000);
});
