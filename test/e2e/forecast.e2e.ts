import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOnOverview } from './harness.ts';
import type { Session } from './harness.ts';
import type { Locator } from 'playwright-core';

async function textOf(loc: Locator): Promise<string> {
  return ((await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
}

// The Forecast page names the limit that holds each trigger's runs back, on the demo workspace:
// the programmatic lead enrichment waits behind the $380 daily spend limit (never its own limit),
// the PR review webhook behind its own 42 runs per 24 h.
describe('the Forecast page: which limit made a trigger wait', () => {
  let s: Session;

  beforeAll(async () => {
    s = await openOnOverview();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows per trigger the chance and the limit that delayed its runs', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Forecast/ }).click();
    const odds = page.getByTestId('forecast-trigger-odds');
    await odds.waitFor({ timeout: 90_000 });
    const lead = odds.locator('tr[data-trigger=t_lead_enrichment]');
    await expect.poll(() => textOf(lead.getByTestId('trigger-causes')), { timeout: 30_000 }).toMatch(/^delayed in \d+ ?% of futures by the \$380 daily spend limit "daily"/);
    const leadCauses = await textOf(lead.getByTestId('trigger-causes'));
    expect(leadCauses).not.toMatch(/its own limit/);
    // the spend limit's chance is the trigger's whole delay chance: it is the only thing it waits on
    const chance = await textOf(lead.getByTestId('delay-chance'));
    expect(leadCauses.startsWith(`delayed in ${chance} of futures`)).toBe(true);
    const review = odds.locator('tr[data-trigger=t_pr_review]');
    expect(await textOf(review.getByTestId('trigger-causes'))).toMatch(/delayed in \d+ ?% of futures by its own limit of 42 runs per 24 h/);
    await s.shot('forecast-trigger-causes');
  });

  it("sets the same futures under the platform's code beside the docs': the review webhook's waits become drops", async () => {
    const { page } = s;
    const table = page.getByTestId('forecast-other-profile-table');
    await table.waitFor({ timeout: 90_000 });
    const cells = (await table.locator('tr[data-trigger=t_pr_review] td').allTextContents()).map((c) => c.trim());
    // delayed under the docs, not under the code; dropped under the code, not under the docs
    const p50 = (c: string | undefined) => Number((c ?? '').split('·')[0]!.replace(/,/g, '').trim());
    expect(cells).toHaveLength(4);
    expect(p50(cells[0])).toBeGreaterThan(0);
    expect(p50(cells[1])).toBe(0);
    expect(p50(cells[2])).toBe(0);
    expect(p50(cells[3])).toBeGreaterThan(0);
    await page.getByTestId('forecast-other-profile').scrollIntoViewIfNeeded();
    await s.shot('forecast-other-profile');
  });
});
