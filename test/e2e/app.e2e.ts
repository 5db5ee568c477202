import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, SHOTS } from './harness.ts';
import type { Session } from './harness.ts';
import type { FileChooser, Locator } from 'playwright-core';

const GOOD_CSV = [
  'timestamp,type,subject,cost_usd,id',
  '2026-11-01T09:00:00Z,api,k_e2e_new,1.25,e2e-1',
  '2026-11-01T09:05:00Z,api,k_e2e_new,2.50,e2e-2',
  '2026-11-01T09:10:00Z,message,u_e2e,,e2e-3',
].join('\n');

// Line 3 (the header is line 1) has a cost that is not a number.
const BAD_CSV = ['timestamp,type,subject,cost_usd', '2026-11-01T10:00:00Z,api,k_bad,1.00', '2026-11-01T10:01:00Z,api,k_bad,abc', '2026-11-01T10:02:00Z,api,k_bad,2.00'].join('\n');

/** Playwright's web-first assertions, for vitest: poll the text until it matches or time runs out. */
async function hasText(loc: Locator, text: string): Promise<void> {
  await expect.poll(async () => (await loc.textContent({ timeout: 1000 }).catch(() => null))?.trim(), { timeout: 20_000, interval: 200 }).toBe(text);
}
async function containsText(loc: Locator, text: string): Promise<void> {
  await expect.poll(async () => (await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '', { timeout: 20_000, interval: 200 }).toContain(text);
}

const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

describe('Headroom in Chromium, through the web host', () => {
  let s: Session;

  beforeAll(async () => {
    s = await openSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  async function eventCount(): Promise<number> {
    return (await s.headroom.service.handlers['ledger-info']({}, { signal: new AbortController().signal, progress: () => {} })).events;
  }

  it('opens on the demo workspace and says what the plan throttles', async () => {
    const { page } = s;
    // the first overview on screen warms the edit paths, before any modeling screen (a lazy chunk) is opened
    const warmed = page.waitForRequest((r) => r.url().endsWith('/api/model-warm'), { timeout: 20_000 });
    await page.goto(s.headroom.host.url);
    await page.getByTestId('keys-table').waitFor();
    await warmed;
    await hasText(page.locator('h1'), 'Overview');
    await containsText(page.getByTestId('overview').locator('.page-head p'), 'Acme Robotics');
    const keyRows = await page.locator('[data-testid=keys-table] tbody tr[data-key]').count();
    expect(keyRows).toBeGreaterThanOrEqual(5);
    // The runaway pipeline key caps out in the demo: its row carries the engine's chip.
    const pipeline = page.locator('[data-testid=keys-table] tbody tr', { hasText: 'k_data_pipeline' });
    await hasText(pipeline.locator('.chip'), 'Rate limited');
    const triggers = page.locator('[data-testid=triggers-table] tbody tr', { hasText: 't_pr_review' });
    await hasText(triggers.locator('.chip'), 'Rate limited');
    await containsText(page.getByTestId('capacity-pool'), 'of 1,250');
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=');
    // The built page carries its CSP itself, for the packaged app that loads it from a file.
    expect(await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content')).toContain("script-src 'self'");
    await s.shot('overview-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await s.shot('overview-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows a bad row with its line before anything is written, then imports the good rows and lists the bad one', async () => {
    const { page } = s;
    const before = await eventCount();
    await page.getByRole('button', { name: /^Import/ }).click();
    await page.getByLabel('Choose CSV files to import').setInputFiles(file('bad-row.csv', BAD_CSV));
    await page.getByTestId('preview').waitFor();
    await hasText(page.getByTestId('detected-format'), 'Headroom events CSV');
    await containsText(page.getByTestId('row-errors'), 'line 3');
    await containsText(page.getByTestId('row-errors'), 'abc');
    expect(await eventCount()).toBe(before);
    // no command-line flag in the window: a button says what it does
    expect(await page.locator('body').textContent()).not.toContain('--skip-bad-rows');
    await s.shot('import-bad-row');
    await page.getByRole('button', { name: 'Import the good rows, list the bad ones' }).click();
    const result = page.getByTestId('import-result');
    await hasText(result.getByTestId('imported-count'), '2');
    await containsText(result.getByTestId('row-errors'), 'line 3');
    expect(await eventCount()).toBe(before + 2);
    const row = page.locator('[data-testid=history-table] tbody tr', { hasText: 'bad-row.csv' });
    await row.getByRole('button', { name: /Undo import/ }).click();
    await hasText(row.locator('.chip'), 'Undone');
  });

  it('starts an import when a CSV is dropped on the window', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Overview/ }).click();
    await page.getByTestId('keys-table').waitFor();
    // What a file dropped from the desktop delivers: a drop event carrying the file.
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['timestamp,type,subject,cost_usd\\n2026-11-01T11:00:00Z,api,k_drop,0.50\\n'], 'dropped.csv', { type: 'text/csv' }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.getByTestId('import').waitFor();
    await containsText(page.getByTestId('preview'), 'dropped.csv');
    await hasText(page.getByTestId('detected-format'), 'Headroom events CSV');
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('imports a file, lists it in the history, and undoes it', async () => {
    const { page } = s;
    const before = await eventCount();
    // A preview left open by the test before is closed first.
    const clear = page.getByRole('button', { name: 'Clear' });
    if (await clear.isVisible()) await clear.click();
    await page.getByLabel('Choose CSV files to import').setInputFiles(file('e2e-good.csv', GOOD_CSV));
    await page.getByTestId('preview').waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('import-result').waitFor();
    await hasText(page.getByTestId('imported-count'), '3');
    expect(await eventCount()).toBe(before + 3);
    const row = page.locator('[data-testid=history-table] tbody tr', { hasText: 'e2e-good.csv' });
    await s.shot('import-done');
    await row.getByRole('button', { name: /Undo import/ }).click();
    await hasText(row.locator('.chip'), 'Undone');
    expect(await eventCount()).toBe(before);
  });

  it('draws the projection charts', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Projection/ }).click();
    // Charts are drawn as they come into view.
    for (const id of ['pool-chart', 'allowance-chart', 'queue-chart']) await page.getByTestId(id).scrollIntoViewIfNeeded();
    await page.getByTestId('queue-chart').locator('svg.recharts-surface').waitFor();
    await page.getByTestId('pool-chart').locator('.recharts-area-area').waitFor({ state: 'attached' });
    await page.getByTestId('allowance-chart').locator('.recharts-reference-line').waitFor({ state: 'attached' });
    const pipeline = page.getByTestId('key-chart-k_data_pipeline');
    await pipeline.locator('.recharts-area-area').waitFor();
    // The spend area, the cap line, and at least one shaded capped-out span.
    expect(await pipeline.locator('.recharts-area-area').count()).toBe(1);
    expect(await pipeline.locator('.recharts-reference-line').count()).toBe(1);
    expect(await pipeline.locator('rect.capped-band').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid^=key-chart-]').count()).toBeGreaterThanOrEqual(5);
    for (const fig of await page.locator('figure.chart').all()) await fig.scrollIntoViewIfNeeded();
    expect(await page.locator('figure.chart svg.recharts-surface').count()).toBe(await page.locator('figure.chart').count());
    expect(await page.getByTestId('pool-chart').locator('.recharts-area-area').count()).toBe(1);
    expect(await page.getByTestId('allowance-chart').locator('.recharts-reference-line').count()).toBe(1);
    expect(await page.getByTestId('queue-chart').locator('.recharts-area-area, .recharts-line-curve').count()).toBe(2);
    // Downsampled to the pixels: a path never has more points than the chart is wide.
    const d = (await pipeline.locator('.recharts-area-curve').getAttribute('d')) ?? '';
    const width = (await pipeline.locator('svg.recharts-surface').boundingBox())?.width ?? 0;
    expect(d.split(/[LM]/).length - 1).toBeLessThanOrEqual(Math.ceil(width) * 2 + 4);
    await s.shot('projection');
  });

  it('walks the main path with the keyboard alone', async () => {
    const page = await s.context.newPage();
    try {
      await page.goto(s.headroom.host.url);
      await page.bringToFront();
      await page.getByTestId('keys-table').waitFor();
      // Expressions run in the page (the test itself has no DOM types).
      const focused = (expr: string) => page.evaluate<string | boolean>(`(() => { const el = document.activeElement; return ${expr}; })()`);
      const focusName = async () => String(await focused("el?.textContent?.trim() || el?.getAttribute('aria-label') || ''"));
      // Tab to the Import section and open it.
      for (let i = 0; i < 5 && !(await focusName()).startsWith('Import'); i++) await page.keyboard.press('Tab');
      expect(await focusName()).toMatch(/^Import/);
      await page.keyboard.press('Enter');
      await page.getByTestId('import').waitFor();
      // Tab to the file chooser and open it from the keyboard.
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        if ((await focused("el?.id ?? ''")) === 'file-input') break;
      }
      expect(await focused("el?.id ?? ''")).toBe('file-input');
      // Chromium opens file choosers on Space and on Enter; a busy machine sometimes drops a key
      // press while the page is still warming up, so the keys are tried in turn, focus kept.
      let opened: FileChooser | null = null;
      for (const key of ['Space', 'Enter', 'Space', 'Enter']) {
        const chooser = page.waitForEvent('filechooser', { timeout: 8_000 });
        await page.keyboard.press(key);
        opened = await chooser.catch(() => null);
        if (opened !== null) break;
        expect(await focused("el?.id ?? ''")).toBe('file-input');
      }
      if (opened === null) throw new Error('the file chooser never opened from the keyboard');
      await opened.setFiles(file('keyboard.csv', GOOD_CSV.replaceAll('e2e-', 'kb-')));
      await page.getByTestId('preview').waitFor();
      // the Import button is enabled once the preview (on the import worker) has answered
      await page.getByTestId('detected-format').waitFor();
      // Tab to the Import button and press it.
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        if ((await focusName()) === 'Import' && (await focused("el?.tagName ?? ''")) === 'BUTTON') {
          const inPreview = await focused("el?.closest('.actions') != null");
          if (inPreview) break;
        }
      }
      await page.keyboard.press('Enter');
      await hasText(page.getByTestId('imported-count'), '3');
      // Back to the top and over to the projection.
      await page.keyboard.press('Shift+Tab');
      for (let i = 0; i < 60 && !(await focusName()).startsWith('Projection'); i++) await page.keyboard.press('Shift+Tab');
      expect(await focusName()).toMatch(/^Projection/);
      await page.keyboard.press('Enter');
      await page.getByTestId('key-chart-k_data_pipeline').locator('svg.recharts-surface').waitFor();
      await page.screenshot({ path: `${SHOTS}/keyboard-path.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
