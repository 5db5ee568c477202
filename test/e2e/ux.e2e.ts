/**
 * What a new admin sees (issue 18): the first run on an empty ledger, every page at 1024×700 and
 * 1440×900 without horizontal overflow, an axe-core scan in light and dark, a key's detail with
 * its reasoning, the projection's warm-up and axis end, and one status for a key on every page.
 * Screenshots of every page in both themes go to test-results/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const PAGES = [
  { nav: /^Overview/, id: 'overview', heading: 'Overview' },
  { nav: /^Import/, id: 'import', heading: 'Import' },
  { nav: /^Projection/, id: 'projection', heading: 'Projection' },
  { nav: /^Workspace/, id: 'workspace', heading: 'Workspace' },
  { nav: /^API keys/, id: 'keys', heading: 'API keys' },
  { nav: /^Triggers/, id: 'triggers', heading: 'Triggers' },
  { nav: /^Scenarios/, id: 'scenarios', heading: 'Scenarios' },
  { nav: /^Forecast/, id: 'forecast', heading: 'Forecast' },
  { nav: /^Export/, id: 'export', heading: 'Export' },
] as const;

async function textOf(loc: Locator): Promise<string> {
  return ((await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
}
async function hasText(loc: Locator, text: string | RegExp): Promise<void> {
  await expect.poll(() => textOf(loc), { timeout: 30_000, interval: 200 }).toMatch(text);
}

/** Elements wider than the window, or clipped inside a scrolling table: none may exist. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push('page ' + doc.scrollWidth + ' > ' + doc.clientWidth);
    for (const el of document.querySelectorAll('.table-wrap, .page, .panel, .chart, table')) {
      if (el.scrollWidth > el.clientWidth + 1) out.push((el.getAttribute('data-testid') || el.className || el.tagName) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
    return out;
  })()`);
}

/** axe-core, injected through the debugger (the page's CSP allows no inline script); serious and critical only. */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(`(async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.any[0]?.message ?? '')).join(' | '));
  })()`);
}

/** Opens a page from the navigation and waits until it has settled (no progress bar, no "…" loading text). */
async function visit(page: Page, p: (typeof PAGES)[number]): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: p.nav }).click();
  await hasText(page.locator('main h1').first(), p.heading);
  await expect.poll(() => page.locator('[role=progressbar]').count(), { timeout: 60_000, interval: 250 }).toBe(0);
  if (p.id === 'export') await page.getByTestId('plan-diff').waitFor({ timeout: 90_000 });
  // charts below the fold draw when scrolled to: scroll through so the screenshot holds them all
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  for (let y = 0; y < height; y += 600) await page.evaluate(`window.scrollTo(0, ${y})`);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.waitForTimeout(200);
}

describe('first run on an empty ledger (1024×700)', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openSession({ empty: true, width: 1024, height: 700 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('names the two exports, says where to get them, and every page links to the import', async () => {
    const { page } = s;
    await page.goto(s.headroom.host.url);
    const guide = page.getByTestId('first-run');
    await hasText(guide, /programmatic cost export/);
    await hasText(guide, /consumption export/);
    await hasText(guide, /Analytics/);
    expect(await page.locator('.card, [data-testid=keys-table]').count()).toBe(0);
    await s.shot('first-run-light');
    for (const p of PAGES.filter((x) => !['overview', 'import', 'scenarios', 'forecast'].includes(x.id))) {
      await page.getByRole('navigation').getByRole('button', { name: p.nav }).click();
      await hasText(page.getByTestId('no-data'), /no usage yet|Nothing to project/);
      expect(await overflow(page)).toEqual([]);
    }
    await page.getByTestId('no-data').getByRole('button', { name: 'Import your exports' }).click();
    await page.getByTestId('import').waitFor();
  });

  it('opens the demo workspace from the guidance', async () => {
    const { page } = s;
    await page.getByRole('navigation').getByRole('button', { name: /^Overview/ }).click();
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    await page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('first-run').count()).toBe(0);
  });
});

describe('every page on the demo workspace', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openSession({ width: 1440, height: 900 });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('fits 1440×900 and 1024×700, passes axe in light and dark, with screenshots', async () => {
    const { page } = s;
    const problems: string[] = [];
    for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
      await page.setViewportSize(size);
      for (const p of PAGES) {
        await visit(page, p);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          for (const o of await overflow(page)) problems.push(`${p.id} ${size.width} ${scheme}: overflow ${o}`);
          // axe once per page and theme, at the wide size (the narrow one differs only in layout)
          if (size.width === 1440) for (const v of await axe(page)) problems.push(`${p.id} ${scheme}: ${v}`);
          await s.shot(`page-${p.id}-${size.width}-${scheme}`);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
    }
    expect(problems).toEqual([]);
  }, 400_000);

  it('opens a key’s detail on a row click: chart with both caps, percentiles, reasoning', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 1440, height: 900 });
    await visit(page, PAGES[4]);
    await page.locator('[data-testid=model-keys-table] tbody tr[data-key="k_data_pipeline"] td').nth(2).click();
    const detail = page.getByTestId('key-detail');
    await hasText(detail.locator('h2'), /k_data_pipeline|pipeline/i);
    await hasText(detail.getByTestId('key-reasoning'), /Recommended cap \$[\d,]+.*(p99|P90)/);
    await hasText(detail, /p50 · p90 · p99/);
    await hasText(detail.getByTestId('blocked-current'), /\d+ requests/);
    await hasText(detail.getByTestId('blocked-recommended'), /\d+ requests/);
    const chart = detail.getByTestId('key-history-chart');
    await chart.locator('svg').waitFor();
    expect(await chart.locator('svg text', { hasText: /^cap \$/ }).count()).toBe(1);
    expect(await chart.locator('svg text', { hasText: /^recommended \$/ }).count()).toBe(1);
    expect(await chart.locator('svg rect.warmup').count()).toBe(1);
    expect(await chart.locator('svg rect.band').count()).toBe(1);
    // runaway days left out of the cap are listed
    await hasText(detail, /Runaway days left out/);
    await s.shot('key-detail-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axe(page)).toEqual([]);
    await s.shot('key-detail-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // the same detail from a row on the Overview
    await visit(page, PAGES[0]);
    await page.locator('[data-testid=keys-table] tbody tr[data-key="k_support_bot"] th button').click();
    await hasText(page.getByTestId('key-detail').locator('h2'), /support/i);
  });

  it('shades the projection’s warm-up and ends its axis at the data (plus the drain)', async () => {
    const { page } = s;
    await visit(page, PAGES[2]);
    const chart = page.getByTestId('key-chart-k_data_pipeline');
    await chart.locator('svg.recharts-surface').waitFor();
    await hasText(chart.getByTestId('warmup'), 'window filling');
    const info = await s.headroom.service.handlers['ledger-info']({}, { signal: new AbortController().signal, progress: () => {} });
    const attr = async (name: string) => Number(await chart.getAttribute(name));
    const axisEnd = await attr('data-axis-end');
    const drainEnd = (await chart.getAttribute('data-drain-end')) === null ? null : await attr('data-drain-end');
    expect(await attr('data-data-end')).toBe(info.lastEvent);
    // the axis stops at the data's end (its last bucket drawn whole) or the queue's drain, not 30 days later
    expect(axisEnd).toBeGreaterThanOrEqual(info.lastEvent ?? 0);
    expect(axisEnd).toBeLessThanOrEqual(Math.max((info.lastEvent ?? 0) + 86_400_000, drainEnd ?? 0));
    // day ticks read "Sep 4" (a month's name, never the ambiguous "09-04")
    const ticks = (await chart.locator('svg text').allTextContents()).filter((t) => /^[A-Z][a-z]{2} \d{1,2}$/.test(t.trim()));
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks.some((t) => t.startsWith('Dec '))).toBe(false);
    const queue = page.getByTestId('queue-chart');
    await queue.scrollIntoViewIfNeeded();
    await queue.locator('svg.recharts-surface').waitFor();
    await s.shot('projection-axis');
  });

  it('shows the recommended plan’s changes, the report as a document with charts, and says what Save all saved', async () => {
    const { page } = s;
    await visit(page, PAGES[8]);
    const diff = page.getByTestId('plan-diff');
    expect(await diff.locator('tr[data-changed]').count()).toBeGreaterThan(0);
    await hasText(diff.locator('tr', { hasText: 'Cap of Data pipeline (ETL)' }), /\$240.*\$\d/);
    // the report with charts, rendered as a document in the page, not Markdown text
    await page.getByRole('tab', { name: 'Report with charts' }).click();
    const doc = page.getByTestId('export-document');
    await expect.poll(() => doc.locator('svg').count()).toBeGreaterThanOrEqual(7);
    await hasText(doc.locator('h1').first(), /\w/);
    await page.getByRole('tab', { name: 'Report (Markdown)' }).click();
    expect(await page.getByTestId('export-file').count()).toBe(0);
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByRole('button', { name: /^Save all \d+ files/ }).click();
    const note = page.getByTestId('saved-note');
    await hasText(note, /downloads folder/);
    await hasText(note, /support-t_pr_review\.txt/);
    await hasText(note, /report-with-charts\.html/);
    await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(8);
    await s.shot('export-saved');
  }, 180_000);

  it('shows the same status for every key on Overview, Projection and API keys, after a cap edit too', async () => {
    const { page } = s;
    const statuses = async (rows: Locator, idOf: (r: Locator) => Promise<string>) => {
      const out: Record<string, string> = {};
      for (const r of await rows.all()) out[await idOf(r)] = await textOf(r.locator('.chip').first());
      return out;
    };
    const read = async () => {
      await visit(page, PAGES[0]);
      const overview = await statuses(page.locator('[data-testid=keys-table] tbody tr[data-key]'), async (r) => (await r.getAttribute('data-key')) ?? '');
      await visit(page, PAGES[2]);
      const more = page.getByRole('button', { name: /^Show all [\d,]+ keys$/ });
      if (await more.count()) await more.click();
      await expect.poll(() => page.locator('[data-testid^=key-chart-]').count()).toBeGreaterThanOrEqual(7);
      const projection = await statuses(page.locator('[data-testid^=key-chart-]'), async (r) => ((await r.getAttribute('data-testid')) ?? '').replace('key-chart-', ''));
      await visit(page, PAGES[4]);
      const keys = await statuses(page.locator('[data-testid=model-keys-table] tbody tr[data-key]'), async (r) => (await r.getAttribute('data-key')) ?? '');
      return { overview, projection, keys };
    };
    const before = await read();
    expect(Object.keys(before.keys).length).toBeGreaterThanOrEqual(7);
    expect(before.overview).toEqual(before.keys);
    expect(before.projection).toEqual(before.keys);

    // A cap under k_marketing's use makes it rate limited, on every page, once saved.
    const cap = page.locator('[data-testid=model-keys-table] tbody tr[data-key="k_marketing"]').getByLabel(/^Cap of/);
    await cap.fill('5');
    await cap.press('Enter');
    await hasText(page.locator('[data-testid=model-keys-table] tbody tr[data-key="k_marketing"] .chip'), 'Rate limited');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    const after = await read();
    expect(after.keys.k_marketing).toBe('Rate limited');
    expect(after.overview).toEqual(after.keys);
    expect(after.projection).toEqual(after.keys);
  }, 180_000);
});
