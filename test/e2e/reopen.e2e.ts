import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { ensureRenderer } from '../../src/host/build.ts';
import { startHeadroomHost } from '../../src/host/start.ts';
import type { HeadroomHost } from '../../src/host/start.ts';
import { snapshotPath } from '../../src/api/overview-snapshot.ts';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS } from './harness.ts';

/**
 * Issue 13: on a reopen the Overview first shows the overview stored at the last session's end
 * ("From the last session", src/api/overview-snapshot.ts), then the live one replaces it. Two
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
  });
});
