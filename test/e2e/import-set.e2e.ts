/**
 * Two overlapping consumption exports (and the cost export of the same days) dropped on the Import
 * page together: the previews are those of the set (the second counts the lines the first holds
 * as duplicates), and Import then reports exactly the counts the previews showed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav } from './page-helpers.ts';
import { tempDir } from '../fixtures/ledger-helpers.ts';
import type { TempDir } from '../fixtures/ledger-helpers.ts';
import { dustWorkspace } from '../support/dust-exports.ts';

interface Counts {
  rows: string;
  imported: string;
  duplicates: string;
  rejected: string;
}

/** The four counts in each panel `panel` names, in the page's order, read from the test ids `ids` (rows, new, duplicates, bad). */
async function countsIn(page: Page, panel: string, ids: [string, string, string, string]): Promise<Counts[]> {
  const out: Counts[] = [];
  for (const c of await page.getByTestId(panel).all()) {
    const [rows, imported, duplicates, rejected] = await Promise.all(ids.map((id) => c.getByTestId(id).innerText()));
    out.push({ rows: rows!, imported: imported!, duplicates: duplicates!, rejected: rejected! });
  }
  return out;
}

/** What each file's preview says its import will count, in the page's order. */
const previewCounts = (page: Page) => countsIn(page, 'preview-counts', ['count-rows', 'count-imported', 'count-duplicates', 'count-rejected']);

/** What each file's import counted, in the order imported. */
const resultCounts = (page: Page) => countsIn(page, 'import-result', ['result-rows', 'imported-count', 'result-duplicates', 'result-rejected']);

describe('several files on the Import page', () => {
  let s: Session;
  let tmp: TempDir;
  const ws = dustWorkspace({ seed: 8, days: 12 });
  const [header, ...lines] = ws.consumption.trim().split('\n');
  const half = Math.floor(lines.length / 2);
  const overlap = Math.floor(half / 2);

  beforeAll(async () => {
    s = await openSession({ empty: true });
    tmp = tempDir('headroom-e2e-set-');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    tmp?.remove();
  });

  it('previews them as the set they are imported as, and imports what the previews said', async () => {
    const a = tmp.write('consumption-a.csv', `${header}\n${lines.slice(0, half + overlap).join('\n')}\n`);
    const b = tmp.write('consumption-b.csv', `${header}\n${lines.slice(half).join('\n')}\n`);
    const cost = tmp.write('cost.csv', ws.cost[0]!);
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles([a, b, cost]);
    const importAll = page.getByRole('button', { name: 'Import 3 files' });
    await expect.poll(() => importAll.isEnabled(), { timeout: 120_000 }).toBe(true);
    await hasText(page.getByTestId('import-set-note'), /in the order they will be imported/);

    const previewed = await previewCounts(page);
    expect(previewed).toHaveLength(3);
    // the second export's lines that the first holds: duplicates already in the preview
    expect(previewed[1]).toMatchObject({ duplicates: overlap.toLocaleString('en-US'), imported: (lines.length - half - overlap).toLocaleString('en-US') });
    await hasText(page.getByTestId('preview').nth(1).getByTestId('facts-duplicates'), /already in the ledger or in a file above/);
    // a duplicate's row shows what its lines cost (it adds nothing: "New spend" says so), not $0.00
    const duplicateRows = page.getByTestId('preview').nth(1).locator('tbody tr').filter({ hasText: 'duplicate' });
    expect(await duplicateRows.count()).toBeGreaterThan(0);
    for (const row of await duplicateRows.all()) expect(await row.locator('td').nth(4).innerText()).toMatch(/^\$\d+\.\d\d$/);
    expect(await duplicateRows.locator('td:nth-child(5)', { hasText: /^\$0\.00$/ }).count()).toBe(0);
    await s.shot('import-set-preview');

    await importAll.click();
    await expect.poll(() => page.getByTestId('import-result').count(), { timeout: 120_000 }).toBe(3);
    expect(await resultCounts(page)).toEqual(previewed);
    await s.shot('import-set-imported');
  }, 300_000);

  it('previews the set again without a removed file: the re-export then adds all its lines', async () => {
    const other = dustWorkspace({ seed: 9, days: 5 });
    const [head2, ...lines2] = other.consumption.trim().split('\n');
    const text = `${head2}\n${lines2.join('\n')}\n`;
    const first = tmp.write('export.csv', text);
    const again = tmp.write('export (1).csv', text);
    const events = tmp.write('other.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k0,1\n');
    const { page } = s;
    await page.getByLabel('Choose CSV files to import').setInputFiles([first, again, events]);
    const importAll = page.getByRole('button', { name: 'Import 3 files' });
    await expect.poll(() => importAll.isEnabled(), { timeout: 120_000 }).toBe(true);
    const n = lines2.length.toLocaleString('en-US');
    // the re-export of the same file: every line a duplicate of the file above it
    expect((await previewCounts(page))[1]).toMatchObject({ rows: n, imported: '0', duplicates: n });
    // its spend and names are those of the new events it adds: none (the file above adds them)
    const facts = (i: number, id: string) => page.getByTestId('preview').nth(i).getByTestId(id).innerText();
    expect(await facts(1, 'facts-spend')).toBe('$0.00');
    expect(await facts(1, 'facts-found')).toBe('0 API keys, 0 triggers, 0 people');
    expect(await facts(0, 'facts-spend')).not.toBe('$0.00');
    await hasText(page.getByTestId('preview').nth(1).getByText('New spend'), /^New spend$/);
    await page.getByRole('button', { name: 'Remove export.csv from the files to import' }).click();
    const importTwo = page.getByRole('button', { name: 'Import 2 files' });
    await expect.poll(() => importTwo.isEnabled(), { timeout: 120_000 }).toBe(true);
    await expect.poll(async () => (await previewCounts(page))[0], { timeout: 60_000 }).toMatchObject({ imported: n, duplicates: '0' });
    const previewed = await previewCounts(page);
    expect(previewed).toHaveLength(2);
    await importTwo.click();
    await expect.poll(() => page.getByTestId('import-result').count(), { timeout: 120_000 }).toBe(2);
    expect(await resultCounts(page)).toEqual(previewed);
  }, 300_000);
});
