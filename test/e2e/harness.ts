import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureRenderer } from '../../src/host/build.ts';
import { startHeadroomHost } from '../../src/host/start.ts';
import type { HeadroomHost } from '../../src/host/start.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Session {
  headroom: HeadroomHost;
  context: BrowserContext;
  page: Page;
  dir: string;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh user-data folder (so the first run seeds the demo), the web host, and one page. */
export async function openSession(opts: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; empty?: boolean; ledgerPath?: string } = {}): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  const staticDir = await ensureRenderer();
  // `empty`: a ledger of its own, never seeded, as a new admin's first run with no demo;
  // `ledgerPath`: a ledger the test filled itself
  const ledgerPath = opts.ledgerPath ?? (opts.empty ? join(dir, 'empty.sqlite') : undefined);
  const headroom = await startHeadroomHost({ userDataDir: join(dir, 'user-data'), staticDir, ...(ledgerPath ? { ledgerPath } : {}) });
  let context: BrowserContext | null = null;
  try {
    // A persistent context is how Playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      viewport: { width: opts.width ?? 1360, height: opts.height ?? 900 },
      colorScheme: opts.colorScheme ?? 'light',
    });
    context.setDefaultTimeout(20_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const b = context;
    return {
      headroom,
      context,
      page,
      dir,
      shot: async (name) => {
        await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      },
      close: async () => {
        await b.close().catch(() => {});
        await headroom.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close().catch(() => {});
    await headroom.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A session with the app loaded and the element of `testId` on screen; closed again if it never shows. */
async function openShowing(opts: Parameters<typeof openSession>[0], testId: string): Promise<Session> {
  const s = await openSession(opts);
  try {
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId(testId).waitFor();
    return s;
  } catch (err) {
    await s.close();
    throw err;
  }
}

/** A session on an empty ledger (a new admin's first run, no demo) with its first-run screen shown. */
export function openFirstRun(size: { width: number; height: number }): Promise<Session> {
  return openShowing({ empty: true, ...size }, 'first-run');
}

/** A session on the demo workspace with the app loaded and Overview's keys on screen. */
export function openOnOverview(): Promise<Session> {
  return openShowing({}, 'keys-table');
}

/**
 * Every row id of a table with virtual rows (only the rows on screen are in the DOM): scrolls its
 * box from top to bottom a screen at a time and collects `attr` of each row it saw, sorted.
 */
export async function allRowIds(page: Page, testId: string, attr: string): Promise<string[]> {
  return page.evaluate<string[]>(`(async () => {
    const table = document.querySelector('[data-testid=${JSON.stringify(testId)}]');
    const box = table.closest('.vtable') || table.parentElement;
    const ids = new Set();
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    box.scrollTop = 0;
    for (let i = 0; i < 10000; i++) {
      await frame();
      for (const r of table.querySelectorAll('tr[${attr}]')) ids.add(r.getAttribute(${JSON.stringify(attr)}));
      if (box.scrollTop + box.clientHeight >= box.scrollHeight - 1) break;
      box.scrollTop += Math.max(1, box.clientHeight - 40);
    }
    box.scrollTop = 0;
    return [...ids].sort();
  })()`);
}
