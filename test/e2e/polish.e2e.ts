/**
 * The second screenshot review (1280×800 and a small 1024×640 window), held in place: an empty
 * ledger's pages all show the same empty state, offer the demo and no plan toolbar; a short window
 * still reaches every page; Overview says how many rows its scrolling tables hold and its span in
 * UTC; a file with bad rows says what to do about them and a disabled Import what it waits for; the
 * focus follows an import to its result and a Clear back to the file picker; a spreadsheet's
 * mapping step lays its controls out apart; a key chart's red shade is named, in words that do not
 * change with the window's width; saving, renaming or deleting a scenario keeps the focus in its
 * list, a support request takes it and gives it back, and a removed spend limit leaves it on its
 * section; spend limits say their unit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFirstRun, openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { focused, hasText, nav, textOf } from './page-helpers.ts';

describe('an empty ledger at 1024×640', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openFirstRun({ width: 1024, height: 640 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a short window scrolls the navigation to its last page', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 1024, height: 520 });
    // the sidebar stays put while the page scrolls: its own scroll must reach Export
    const bottom = await page.evaluate<number>(`(() => {
      const side = document.querySelector('nav.sidebar');
      side.scrollTop = side.scrollHeight;
      const buttons = side.querySelectorAll('button.nav');
      return buttons[buttons.length - 1].getBoundingClientRect().bottom;
    })()`);
    expect(bottom).toBeLessThanOrEqual(520);
    await page.setViewportSize({ width: 1024, height: 640 });
  });

  it('every page shows the same empty state, with the demo one click away and no plan toolbar', async () => {
    const { page } = s;
    // Projection first: its empty state is drawn before the modeling screens' styles ever load
    await nav(page, /^Projection/);
    const empty = page.getByTestId('no-data');
    await hasText(empty, /Nothing to project yet/);
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid=no-data]')).borderTopStyle`)).toBe('dashed');
    expect(await empty.getByRole('button', { name: 'Open the demo workspace' }).count()).toBe(1);
    await nav(page, /^API keys/);
    await hasText(empty, /no usage yet.*look around the demo workspace/);
    // nothing to undo, discard or save while there is no history to model
    expect(await page.getByRole('toolbar', { name: 'Plan edits' }).count()).toBe(0);
    await s.shot('polish-empty-keys-1024');
    await empty.getByRole('button', { name: 'Open the demo workspace' }).click();
    await page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('first-run').count()).toBe(0);
  }, 120_000);
});

describe('the demo workspace at 1024×640', () => {
  let s: Session;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-polish-'));
    s = await openSession({ width: 1024, height: 640 });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("Overview says how many keys and triggers its scrolling tables hold, and its history's span in UTC", async () => {
    const { page } = s;
    await hasText(page.locator('[data-testid=overview] .page-head p').first(), /· Sep 3, 2026, 00:00 → Nov 1, 2026, \d\d:\d\d UTC ·/);
    await hasText(page.locator('#keys-h'), /^API keys 7 keys, the most limited first$/);
    await hasText(page.locator('#trig-h'), /^Triggers 12 triggers, the most limited first$/);
    // the triggers table shows only some of its rows: the count is what says more follow
    const shown = await page.locator('[data-testid=triggers-table] tbody tr[data-trigger]').count();
    expect(shown).toBeLessThan(12);
  });

  it('Import: bad rows say what to do; the focus follows the import to its result, and Clear back to the picker', async () => {
    const { page } = s;
    await nav(page, /^Import/);
    const file = join(dir, 'two-bad.csv');
    writeFileSync(file, 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k_new,1.5\n2026-01-05T11:00:00Z,api,k_new,abc\n2026-13-05T11:00:00Z,api,k_new,2\n');
    await page.getByLabel('Choose CSV files to import').setInputFiles(file);
    const preview = page.getByTestId('preview');
    await hasText(preview.getByTestId('row-errors-next'), /^Fix these lines in the file and choose it again, or import the good rows and leave them out\.$/);
    await page.getByTestId('import-good-rows').click();
    const result = page.getByTestId('import-result');
    await hasText(result.getByTestId('row-errors-next'), /import it again: the rows already imported count as duplicates/);
    // the button that had the focus is gone: the result's heading has it, not the page
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('h2:Imported two-bad.csv');
    await s.shot('polish-import-result-1024');

    // a spreadsheet no export matches: its mapping, with no empty table of rows under it
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'hello world\nthis is not,an export\n');
    await page.getByLabel('Choose CSV files to import').setInputFiles(other);
    await page.getByTestId('mapping-step').waitFor();
    expect(await preview.getByRole('table').count()).toBe(0);
    // the disabled Import says what it waits for
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await hasText(page.getByTestId('import-waiting'), /^Say above which column holds what first\.$/);
    // every control apart from its neighbours: none touching or overlapping on a row
    const gaps = await page.evaluate<number[]>(`(() => {
      const boxes = [...document.querySelectorAll('.mapping-grid > .field')].map((el) => el.getBoundingClientRect());
      const out = [];
      for (let i = 1; i < boxes.length; i++) {
        const a = boxes[i - 1], b = boxes[i];
        if (Math.abs(a.top - b.top) < 4) out.push(b.left - a.right);
      }
      return out;
    })()`);
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(12);
    await s.shot('polish-import-mapping-1024');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('input:Choose CSV files to import');
  }, 120_000);

  it('Projection: a key chart names its red shade and says the same at 1024 and 1280 px wide', async () => {
    const { page } = s;
    await nav(page, /^Projection/);
    const chart = page.getByTestId('key-chart-k_support_bot');
    const note = chart.getByTestId('capped-note');
    await hasText(note, /^· capped out, first [A-Z][a-z]{2} \d+, \d\d:\d\d$/);
    const narrow = await textOf(note);
    const svgWidth = () => chart.locator('svg.recharts-surface').first().evaluate((el) => el.getBoundingClientRect().width);
    await expect.poll(svgWidth, { timeout: 30_000 }).toBeGreaterThan(0);
    const before = await svgWidth();
    // a wider window pools the history into more points: the caption must not change with it
    await page.setViewportSize({ width: 1280, height: 640 });
    await expect.poll(svgWidth, { timeout: 60_000, interval: 250 }).toBeGreaterThan(before + 100);
    expect(await textOf(note)).toBe(narrow);
    await page.setViewportSize({ width: 1024, height: 640 });
  }, 120_000);

  it('Scenarios: the focus stays in the list through save, rename and delete; times on the 24-hour clock', async () => {
    const { page } = s;
    await nav(page, /^Scenarios/);
    const field = page.getByLabel('Scenario name');
    await field.fill('Baseline');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    const item = page.locator('.scenario-item[data-scenario="Baseline"]');
    // the times every other screen uses: "Dec 2, 2026, 19:55 UTC", not "07:55 PM UTC"
    await hasText(item.locator('.name .muted'), /^saved [A-Z][a-z]{2} \d+, \d{4}, \d\d:\d\d UTC$/);
    // the Save button is disabled once the name is cleared: the name field has the focus, ready for the next
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('input:Scenario name');
    await item.getByRole('button', { name: 'Rename Baseline' }).click();
    await page.getByLabel('New name for Baseline').fill('Today');
    await page.getByLabel('New name for Baseline').press('Enter');
    const renamed = page.locator('.scenario-item[data-scenario="Today"]');
    await renamed.waitFor();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('button:Rename Today');
    await renamed.getByRole('button', { name: 'Delete Today' }).click();
    await renamed.getByRole('button', { name: 'Confirm deleting Today' }).click();
    await renamed.waitFor({ state: 'detached' });
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('h2:Scenarios');
  });

  it('Triggers: a support request takes the focus when it opens and gives it back to its button when closed', async () => {
    const { page } = s;
    await nav(page, /^Triggers/);
    const open = page.getByRole('button', { name: 'Draft a support request for PR review' });
    await open.click();
    const draft = page.getByTestId('support-draft');
    await draft.waitFor();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('h2:Support request for “PR review”');
    // one Tab further: into the draft, not back into the table's rows
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('textarea:Support request text');
    await draft.getByRole('button', { name: 'Close' }).click();
    await draft.waitFor({ state: 'detached' });
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('button:Draft a support request for PR review');
  });

  it('Workspace: the spend limits say their amounts are in dollars; removing one keeps the focus in the section', async () => {
    const { page } = s;
    await nav(page, /^Workspace/);
    const heads = page.getByTestId('spend-limits').locator('thead th');
    await expect.poll(() => heads.allTextContents(), { timeout: 60_000 }).toEqual(['Limit', 'Window', 'Amount ($)', 'Peak spend', 'Remove']);
    // removing a limit takes its row and the button with it: the section keeps the focus
    await page.getByRole('button', { name: 'Remove the monthly limit' }).click();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('h2:Workspace spend limits');
    await page.getByRole('button', { name: /^Undo/ }).click();
  });
});
