/**
 * What the screenshot review of every screen fixed, held in place: at 1280×800 nothing is clipped
 * off a table, a wait reads "1d 13h" everywhere, the docs-vs-code sentences use words not engine
 * names, the projection's charts title their value axes, the forecast shows its progress and can
 * run again after a cancel, names (not ids) head Forecast's and Export's rows, and a history too
 * short to forecast says what to do instead of failing in red.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav, textOf } from './page-helpers.ts';
import { LedgerStore, importWorkerUrl } from '../../src/api/ledger-store.ts';

/** Tables whose content is wider than their box (clipped or scrolled sideways), by test id. */
async function clippedTables(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const t of document.querySelectorAll('main table')) {
      const box = t.closest('.table-wrap') || t.parentElement;
      if (box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1) out.push((t.getAttribute('data-testid') || 'table') + ' ' + box.scrollWidth + ' > ' + box.clientWidth);
    }
    return out;
  })()`);
}

/** The ids under the trigger names of the Forecast's odds table that wrap onto a second line. */
async function brokenIds(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('[data-testid=forecast-trigger-odds] tbody th .id-line')) {
      if (el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight)) out.push(el.textContent);
    }
    return out;
  })()`);
}

/** How much of its card a band chart's drawing fills across (1: all of it). */
async function bandFill(page: Page, testId: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    const fig = document.querySelector('[data-testid="${testId}"]');
    const svg = fig && fig.querySelector('svg.recharts-surface');
    if (!svg) return 0;
    const style = getComputedStyle(fig);
    const inner = fig.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return svg.getBoundingClientRect().width / inner;
  })()`);
}

describe('the screens on the demo workspace at 1280×800', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openSession({ width: 1280, height: 800 });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('Overview: no table clipped, waits in days and hours, reasons and windows in words', async () => {
    const { page } = s;
    const review = page.locator('[data-testid=triggers-table] tr[data-trigger="t_pr_review"]');
    // the Status column is on screen, not scrolled off the right edge
    await review.getByText('Rate limited').waitFor();
    expect(await clippedTables(page)).toEqual([]);
    // "21h · 1d 13h" (p95 · max, as Triggers orders them), as the docs-vs-code sentence says it; never "37.0 h"
    expect(await textOf(review.locator('td').nth(5))).toMatch(/^\d+[dhm]( \d+[hm])? · \d+d( \d+h)?queue peak/);
    const sentences = page.getByTestId('profile-difference');
    await hasText(sentences.first(), /the platform's code/);
    const all = (await sentences.allTextContents()).join('\n');
    expect(all).not.toMatch(/trigger_limit|key_cap|spend_limit:/);
    expect(all).toMatch(/by its 24 h run limit/);
    // the engine's code is kept beside the words, on hover
    expect(await sentences.locator('[data-reason=trigger_limit]').first().getAttribute('title')).toMatch(/"trigger_limit"/);
    expect(await textOf(page.getByTestId('capacity-spend:daily'))).toMatch(/Spend limit "daily" \(per UTC day\)/);
    await s.shot('ui-overview-1280');
  });

  it('Projection: every chart titles its value axis with what it counts', async () => {
    const { page } = s;
    await nav(page, /^Projection/);
    const key = page.getByTestId('key-chart-k_support_bot');
    await hasText(key.locator('.axis-title'), /^30-day spend \(\$\)$/);
    const queue = page.getByTestId('queue-chart');
    await queue.scrollIntoViewIfNeeded();
    await expect.poll(() => queue.locator('.axis-title').allTextContents(), { timeout: 30_000 }).toEqual(['runs waiting', 'longest wait (min)']);
    // the longest wait in days and hours, not thousands of minutes
    expect(await textOf(queue.getByTestId('queue-caption'))).toMatch(/max \d+d( \d+h)?\)$/);
    const pool = page.getByTestId('pool-chart');
    await pool.scrollIntoViewIfNeeded();
    await hasText(pool.locator('.axis-title'), /^runs$/);
  });

  it('Forecast: the progress shows, a cancel offers to forecast again, and triggers go by their names', async () => {
    const { page } = s;
    await nav(page, /^Forecast/);
    await page.getByTestId('plan-profile').getByTestId('profile-switch').waitFor();
    const bar = page.getByRole('progressbar', { name: /Forecasting|Preparing the forecast/ });
    await bar.waitFor({ timeout: 30_000 });
    expect((await bar.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    await page.getByTestId('forecast-cancel').click();
    await hasText(page.getByTestId('forecast-status'), /^Forecast cancelled$/);
    const again = page.getByTestId('forecast-again');
    await again.click();
    await expect.poll(() => again.count()).toBe(0);
    await hasText(page.getByTestId('forecast-status'), /^Up to date with the plan and the knobs$/);
    const review = page.locator('[data-testid=forecast-trigger-odds] tr[data-trigger="t_pr_review"] th');
    await hasText(review, /^PR reviewt_pr_review$/);
    expect(await clippedTables(page)).toEqual([]);
    // "t_lead_enrichment" whole, not "t_lead_enrichmen" over "t"
    expect(await brokenIds(page)).toEqual([]);
    // the band charts are as wide as their cards, at 1280 and at 960 wide
    await page.getByTestId('band-k_support_bot').scrollIntoViewIfNeeded();
    await expect.poll(() => bandFill(page, 'band-k_support_bot'), { timeout: 10_000 }).toBeGreaterThan(0.95);
    expect(await bandFill(page, 'band-messages')).toBeGreaterThan(0.95);
    // value axes on round steps ($10, $20, …), as the projection's charts: not $9, $18, $27
    const ticks = (await page.getByTestId('band-k_support_bot').locator('[class*=yAxis] .recharts-cartesian-axis-tick-value').allTextContents()).map((t) => Number(t.replace(/[$,]/g, '')));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
    expect([1, 2, 2.5, 5]).toContain(step / 10 ** Math.floor(Math.log10(step)));
    ticks.forEach((t, i) => expect(t).toBeCloseTo(i * step, 6));
    await page.setViewportSize({ width: 960, height: 800 });
    await expect.poll(() => bandFill(page, 'band-k_support_bot'), { timeout: 10_000 }).toBeGreaterThan(0.95);
    expect(await clippedTables(page)).toEqual([]);
    expect(await brokenIds(page)).toEqual([]);
    await s.shot('ui-forecast-960');
    await page.setViewportSize({ width: 1280, height: 800 });
    // models and held-down history in words, not "local level" or "censored"
    const bands = page.getByTestId('forecast-key-bands');
    const words = `${await textOf(bands)} ${await textOf(page.getByTestId('forecast-models'))}`;
    expect(words).not.toMatch(/local level|linear trend|censored/i);
    await s.shot('ui-forecast-1280');
  }, 240_000);

  it('Triggers: waits read as on Overview ("1d 13h"), not "1.5 d" or "37 h"', async () => {
    const { page } = s;
    await nav(page, /^Triggers/);
    const review = page.locator('[data-testid=model-triggers-table] tr[data-trigger="t_pr_review"]');
    const waits = review.locator('td.wide-only').nth(1);
    await hasText(waits, /^\d+[dhm]( \d+[hm])? · \d+d( \d+h)?$/);
    expect(await textOf(waits)).not.toMatch(/\d\.\d| h\b| d\b| min\b/);
  });

  it('Import: a one-row file reads "1 line makes 1 new event", its format and time in words, no seats sentence', async () => {
    const { page } = s;
    await nav(page, /^Import/);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-ui-import-'));
    try {
      const file = join(dir, 'one.csv');
      writeFileSync(file, 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k_new,1.5\n');
      await page.getByLabel('Choose CSV files to import').setInputFiles(file);
      const preview = page.getByTestId('preview');
      await hasText(preview.getByTestId('detected-format'), /^Headroom events CSV$/);
      await hasText(preview.getByTestId('facts-events'), /^1 line makes 1 new event$/);
      await hasText(preview.getByTestId('facts-range'), /^Jan 5, 2026$/);
      const all = await textOf(preview);
      expect(all).toContain('1 API key, 0 triggers, 0 people');
      expect(all).toContain('Jan 5, 2026, 10:00 UTC');
      expect(all).not.toMatch(/\b1 (events|lines|API keys)\b|\d{4}-\d\d-\d\dT|Detected format/);
      // the demo's 25 people are the history's, not this API-only file's
      expect(await preview.getByTestId('facts-seats').count()).toBe(0);
      await s.shot('ui-import-1280');
      await page.getByRole('button', { name: 'Clear' }).click();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Export: the recommended plan names keys and triggers as the admin does', async () => {
    const { page } = s;
    await nav(page, /^Export/);
    const diff = page.getByTestId('plan-diff');
    await hasText(diff.locator('tr', { hasText: 'k_data_pipeline' }).locator('th'), /^Cap of Data pipeline \(ETL\) changedk_data_pipeline$/);
    // a trigger's limit as a number of runs, never "default limit"
    await hasText(diff.locator('tr', { hasText: 't_pr_review' }), /fair use, 42 runs \/ 24 h \(default\)/);
    expect(await textOf(diff)).not.toMatch(/default limit/);
  }, 120_000);
});

describe('a workspace of one key over two days', () => {
  let s: Session;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-ui-tiny-'));
    const rows = ['timestamp,type,subject,cost_usd'];
    for (let h = 0; h < 40; h++) rows.push(`${new Date(Date.UTC(2026, 10, 1, 8 + h)).toISOString()},api,k_only,1.25`);
    writeFileSync(join(dir, 'tiny.csv'), rows.join('\n') + '\n');
    const ledgerPath = join(dir, 'tiny.sqlite');
    const store = new LedgerStore(ledgerPath, importWorkerUrl());
    try {
      await store.importFile({ path: join(dir, 'tiny.csv') }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
    } finally {
      store.close();
    }
    s = await openSession({ width: 960, height: 700, ledgerPath });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Overview says there is no trigger rather than showing an empty table', async () => {
    await hasText(s.page.getByTestId('triggers-none'), /^No trigger .* appears in this history/);
    expect(await s.page.getByTestId('triggers-table').isVisible()).toBe(false);
  });

  it('Forecast and Export say two days are too few and lead to Import, with no error', async () => {
    const { page } = s;
    await nav(page, /^Forecast/);
    const why = page.getByTestId('no-data');
    await hasText(why, /needs at least 14 days of history.*holds 2 days/);
    expect(await page.getByRole('alert').count()).toBe(0);
    await nav(page, /^Export/);
    await hasText(page.getByTestId('no-data'), /needs at least 14 days of history; this ledger holds 2 days/);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Import more history' }).click();
    await page.getByTestId('import').getByRole('heading', { name: 'Import' }).waitFor();
    await s.shot('ui-tiny-export-960');
  }, 120_000);
});
