import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { ensureRenderer } from '../../src/host/build.ts';
import { startHeadroomHost } from '../../src/host/start.ts';
import type { HeadroomHost } from '../../src/host/start.ts';
import { snapshotPath } from '../../src/ledger/overview-snapshot-file.ts';
import { runImport } from '../../src/cli/commands/import.ts';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS } from './harness.ts';

/**
 * Issue 13: on a reopen the Overview first shows the overview stored at the last session's end
 * ("From the last session", src/ledger/overview-snapshot-file.ts), then the live one replaces it. Two
 * launches of the web host on one user-data folder, as an admin closing and reopening the app.
 */

interface Launch {
  host: HeadroomHost;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

describe('reopening shows the last session’s overview, then the live one', () => {
  let dir: string;
  let staticDir: string;
  const launches: Launch[] = [];

  async function launch(name: string): Promise<Launch> {
    const host = await startHeadroomHost({ userDataDir: join(dir, 'user-data'), staticDir });
    const context = await chromium.launchPersistentContext(join(dir, `chromium-${name}`), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      viewport: { width: 1360, height: 900 },
    });
    context.setDefaultTimeout(30_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const l: Launch = {
      host,
      context,
      page,
      close: async () => {
        await context.close().catch(() => {});
        await host.close();
        launches.splice(launches.indexOf(l), 1);
      },
    };
    launches.push(l);
    return l;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-e2e-reopen-'));
    mkdirSync(SHOTS, { recursive: true });
    staticDir = await ensureRenderer();
  });
  afterAll(async () => {
    for (const l of [...launches]) await l.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** the ledger the first test opened, closed and reopened */
  let shownLedger = '';
  const glance = (page: Page) => page.getByRole('region', { name: 'At a glance' });
  const note = (page: Page) => page.getByTestId('overview-stored');

  it('opens the ledger, closes, reopens: the stored overview with its note, then the live figures in its place', async () => {
    // the first launch: the demo workspace, simulated live (nothing stored yet)
    const first = await launch('first');
    await first.page.goto(first.host.host.url);
    await first.page.getByTestId('keys-table').waitFor();
    await expect.poll(() => note(first.page).count()).toBe(0);
    const figures = (await glance(first.page).innerText()).trim();
    expect(figures).toMatch(/Keys capped out/);
    const ledgerPath = first.host.service.ledgerPath();
    expect(ledgerPath).not.toBeNull();
    // the live answer is stored beside the ledger for the next launch
    await expect.poll(() => existsSync(snapshotPath(ledgerPath ?? '')), { timeout: 30_000 }).toBe(true);
    await first.close();

    // the second launch on the same folder: the page's live request is held until the test has
    // seen the stored overview, so that what shows first is the stored one however fast the live one is
    const second = await launch('second');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let liveAsked = false;
    await second.page.route('**/api/workspace-overview', async (route: Route) => {
      const body = route.request().postDataJSON() as { fresh?: boolean } | null;
      if (body?.fresh === true) {
        liveAsked = true;
        await released;
      }
      await route.continue();
    });
    await second.page.goto(second.host.host.url);
    await note(second.page).waitFor();
    expect(await note(second.page).innerText()).toMatch(/From the last session/);
    // the stored figures are the ones the last session showed, there before any live answer
    expect((await glance(second.page).innerText()).trim()).toBe(figures);
    await second.page.getByTestId('keys-table').waitFor();
    await expect.poll(() => liveAsked).toBe(true);
    await second.page.screenshot({ path: join(SHOTS, 'reopen-stored.png'), fullPage: true });

    // the live answer arrives: the note goes, the figures are the live ones (the same events and plan)
    release();
    await expect.poll(() => note(second.page).count(), { timeout: 60_000 }).toBe(0);
    expect((await glance(second.page).innerText()).trim()).toBe(figures);
    await expect.poll(() => second.page.getByText('Updating…').count()).toBe(0);
    await second.close();
    shownLedger = ledgerPath ?? '';
  });

  it('after a command-line import into that ledger, opens on the overview the import stored, then the live one', async () => {
    expect(shownLedger).not.toBe('');
    const csv = join(dir, 'more.csv');
    writeFileSync(csv, ['timestamp,type,subject,cost_usd', '2026-10-01T09:00:00Z,api,k_from_terminal,0.25', '2026-10-01T10:00:00Z,api,k_from_terminal,0.5'].join('\n'));
    const before = readFileSync(snapshotPath(shownLedger), 'utf8');
    expect((await runImport([csv], { db: shownLedger })).exitCode).toBe(0);
    expect(readFileSync(snapshotPath(shownLedger), 'utf8')).not.toBe(before);

    const third = await launch('third');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await third.page.route('**/api/workspace-overview', async (route: Route) => {
      const body = route.request().postDataJSON() as { fresh?: boolean } | null;
      if (body?.fresh === true) await released;
      await route.continue();
    });
    await third.page.goto(third.host.host.url);
    await note(third.page).waitFor();
    expect(await note(third.page).innerText()).toMatch(/As of the last command-line import/);
    // the key the import brought is there before any live answer
    await expect(third.page.getByTestId('keys-table').getByText('k_from_terminal').count()).resolves.toBeGreaterThan(0);
    const stored = (await glance(third.page).innerText()).trim();
    await third.page.screenshot({ path: join(SHOTS, 'reopen-after-cli-import.png') });
    release();
    await expect.poll(() => note(third.page).count(), { timeout: 60_000 }).toBe(0);
    expect((await glance(third.page).innerText()).trim()).toBe(stored);
    await third.close();
  });
});
