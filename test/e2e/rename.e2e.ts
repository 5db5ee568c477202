import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';

/**
 * Issue 16: an admin renames a key and a trigger and corrects a trigger's kind from the pages;
 * after a reload the new names and the kind show on every page that names them.
 */
async function text(loc: Locator, want: string): Promise<void> {
  await expect.poll(async () => (await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '', { timeout: 30_000, interval: 200 }).toContain(want);
}

describe('rename an entity and correct a trigger’s kind', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  const nav = (name: RegExp) => s.page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name });

  it('renames from the API keys and Triggers pages, and the names show everywhere after a reload', async () => {
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await page.getByTestId('keys-table').waitFor();

    await nav(/^API keys/).click();
    const keyRow = page.locator('[data-testid=model-keys-table] tr[data-key="k_data_pipeline"]');
    await keyRow.getByRole('button', { name: /^Rename key/ }).click();
    const input = keyRow.getByRole('textbox', { name: /^New name of key/ });
    await input.fill('Nightly pipeline');
    await input.press('Enter');
    await text(keyRow.locator('strong'), 'Nightly pipeline');

    await nav(/^Triggers/).click();
    const triggerRow = page.locator('[data-testid=model-triggers-table] tr[data-trigger="t_inbox_router"]');
    await triggerRow.getByRole('button', { name: /^Rename trigger/ }).click();
    await triggerRow.getByRole('textbox', { name: /^New name of trigger/ }).fill('Mailbox router');
    await triggerRow.getByRole('button', { name: 'Save name' }).click();
    await text(triggerRow.getByRole('button', { name: /^Details of/ }), 'Mailbox router');
    await triggerRow.getByRole('combobox', { name: 'Kind of Mailbox router' }).selectOption('scheduled');
    await expect.poll(() => triggerRow.getByRole('combobox', { name: 'Kind of Mailbox router' }).inputValue(), { timeout: 30_000 }).toBe('scheduled');

    // a reload reads everything from the host again
    await page.reload();
    await page.getByTestId('keys-table').waitFor();
    await text(page.getByTestId('keys-table'), 'Nightly pipeline');
    await text(page.getByTestId('triggers-table'), 'Mailbox router');
    await nav(/^API keys/).click();
    await text(page.locator('[data-testid=model-keys-table] tr[data-key="k_data_pipeline"] strong'), 'Nightly pipeline');
    await nav(/^Triggers/).click();
    const after = page.locator('[data-testid=model-triggers-table] tr[data-trigger="t_inbox_router"]');
    await text(after, 'Mailbox router');
    expect(await after.getByRole('combobox', { name: /^Kind of/ }).inputValue()).toBe('scheduled');
  });
});
