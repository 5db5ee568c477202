/**
 * What the browser tests read off a page: an element's text, waiting for it to match, a click in
 * the sidebar, the focused element, sideways overflow. One copy for every file that asks.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/** The element's text, trimmed; '' when it is not on the page (yet). */
export async function textOf(loc: Locator): Promise<string> {
  return ((await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
}

/** Waits up to a minute for the element's text to match. */
export async function hasText(loc: Locator, text: RegExp): Promise<void> {
  await expect.poll(() => textOf(loc), { timeout: 60_000, interval: 250 }).toMatch(text);
}

/** Clicks the sidebar's page button whose name matches. */
export const nav = (page: Page, name: RegExp) => page.getByRole('navigation').getByRole('button', { name }).click();

/** The focused element, as "tag:text" (the text cut short), or "body" when nothing has it. */
export async function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 60);
  })()`);
}

/** How far the page is wider than the window (0: no horizontal scroll). */
export const overflowX = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
