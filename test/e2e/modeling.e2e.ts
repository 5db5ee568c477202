import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOnOverview } from './harness.ts';
import type { Session } from './harness.ts';
import type { Locator, Page } from 'playwright-core';
import type { ModelProjectAnswer } from '../../src/modeling/types.ts';
import { isDelta } from '../../src/modeling/view-delta.ts';

async function textOf(loc: Locator): Promise<string> {
  return ((await loc.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
}
async function hasText(loc: Locator, text: string | RegExp): Promise<void> {
  await expect.poll(() => textOf(loc), { timeout: 30_000, interval: 200 }).toMatch(text);
}

describe('the modeling screens in Chromium, through the web host', () => {
  let s: Session;

  beforeAll(async () => {
    s = await openOnOverview();
  });
  afterAll(async () => {
    await s?.close();
  });

  const keyRow = (id: string) => s.page.locator(`[data-testid=model-keys-table] tbody tr[data-key="${id}"]`);

  it('edits a key’s cap, sees the projection change, and undoes it', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^API keys/ }).click();
    await page.getByTestId('model-keys-table').waitFor();
    const row = keyRow('k_data_pipeline');
    // The runaway pipeline caps out under the demo plan.
    await hasText(row.locator('.chip'), 'Rate limited');
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    // Recommended caps arrive with their percentiles.
    await hasText(row.locator('.reco'), /p50 .* p90 .* p99 /);
    await s.shot('modeling-keys-light');

    const blocked = row.getByTestId('blocked-count');
    const blockedBefore = await textOf(blocked);
    const cap = row.getByLabel(/^Cap of .* in dollars/);
    await cap.fill('100000');
    await cap.press('Enter');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    // Without its cap the key is only held back by the workspace's daily limit: fewer blocked,
    // and still "Rate limited" (the same word the Overview uses for a spend limit's blocks).
    await hasText(row.locator('.chip'), 'Rate limited');
    await expect.poll(() => textOf(blocked)).not.toBe(blockedBefore);
    expect(Number((await textOf(blocked)).split(' ')[0]?.replace(/\D/g, ''))).toBeLessThan(Number(blockedBefore.split(' ')[0]?.replace(/\D/g, '')));

    const blockedAfter = await textOf(blocked);
    await page.getByRole('button', { name: /^Undo cap of/ }).click();
    await hasText(blocked, blockedBefore);
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    await page.getByRole('button', { name: /^Redo cap of/ }).click();
    await hasText(blocked, blockedAfter);
    // The keyboard shortcuts do the same outside text fields.
    await page.keyboard.press('Control+z');
    await hasText(blocked, blockedBefore);
    await page.keyboard.press('Control+Shift+z');
    await hasText(blocked, blockedAfter);
    await page.emulateMedia({ colorScheme: 'dark' });
    await s.shot('modeling-keys-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await hasText(blocked, blockedBefore);
  });

  it('filters and sorts the keys, and sets one cap on the selected keys', async () => {
    const { page } = s;
    const table = page.getByTestId('model-keys-table');
    await page.getByLabel('Filter keys').fill('sandbox');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(1);
    await page.getByLabel('Filter keys').fill('');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBeGreaterThanOrEqual(7);
    await page.getByRole('button', { name: 'Sort by Key' }).click();
    const names = await table.locator('tbody tr[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? ''));
    await page.getByRole('button', { name: 'Sort by Key' }).click();
    const reversed = await table.locator('tbody tr[data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? ''));
    expect(reversed).toEqual([...names].reverse());

    await keyRow('k_marketing').getByRole('checkbox').check();
    await keyRow('k_support_bot').getByRole('checkbox').check();
    await page.getByLabel(/^Cap to set on the selected keys/).fill('1234');
    await page.getByRole('button', { name: 'Set cap on 2 selected' }).click();
    await expect.poll(() => keyRow('k_marketing').getByLabel(/^Cap of/).inputValue()).toBe('1234');
    expect(await keyRow('k_support_bot').getByLabel(/^Cap of/).inputValue()).toBe('1234');
    await page.getByRole('button', { name: /^Apply recommended caps/ }).click();
    await expect.poll(() => keyRow('k_marketing').getByLabel(/^Cap of/).inputValue()).not.toBe('1234');
    await s.shot('modeling-keys-bulk');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('changes seats on the workspace and the allowance and pool follow', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Workspace/ }).click();
    await page.getByTestId('workspace-page').waitFor();
    // The demo: 25 seats × 100 messages, half of it for fair use.
    await hasText(page.getByTestId('allowance-figure').locator('.card-value'), '2,500');
    await hasText(page.getByTestId('pool-figure').locator('.card-value'), '1,250');
    await page.getByLabel('Active seats').fill('40');
    await hasText(page.getByTestId('allowance-figure').locator('.card-value'), '4,000');
    await hasText(page.getByTestId('pool-figure').locator('.card-value'), '2,000');
    await page.getByLabel('Fair-use share (%)').fill('25');
    await hasText(page.getByTestId('pool-figure').locator('.card-value'), '1,000');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    await s.shot('modeling-workspace');
    // Typing in one field is one undo step.
    await page.getByRole('button', { name: 'Undo fair-use share' }).click();
    await hasText(page.getByTestId('pool-figure').locator('.card-value'), '2,000');
    await page.getByRole('button', { name: 'Undo seats' }).click();
    await hasText(page.getByTestId('allowance-figure').locator('.card-value'), '2,500');
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('projects each keystroke of a typed number at once, but shows only the last once the typing pauses', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Workspace/ }).click();
    await page.getByTestId('workspace-page').waitFor();
    const hint = page.getByTestId('allowance-figure').locator('.hint');
    const seats = page.getByLabel('Active seats');
    // from a count where the allowance refuses people's messages, so that each count reads differently
    await seats.fill('3');
    await seats.press('Tab');
    await hasText(hint, /[1-9][\d,]* of people’s messages blocked/);
    const before = await textOf(hint);
    // every text the figure shows from here on, and every projection asked for
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid=allowance-figure] .hint');
      const seen = (window.__seen = []);
      new MutationObserver(() => seen.push((el.textContent ?? '').trim())).observe(el, { subtree: true, childList: true, characterData: true });
    })()`);
    const asked: number[] = [];
    const onRequest = (r: { url(): string; postData(): string | null }) => {
      if (!r.url().endsWith('/api/model-project')) return;
      const body = JSON.parse(r.postData() ?? '{}') as { patch?: { workspace?: { seats?: number } }; plan?: { workspace?: { seats?: number } } };
      asked.push(body.patch?.workspace?.seats ?? body.plan?.workspace?.seats ?? Number.NaN);
    };
    page.on('request', onRequest);
    try {
      // "3" becomes "35", then "350": two keystrokes, well within the typing pause
      await seats.press('End');
      await seats.pressSequentially('50', { delay: 60 });
      // both asked for as they were typed, before the field is left or the pause is over
      await expect.poll(() => asked, { timeout: 10_000 }).toEqual([35, 350]);
      // 350 seats refuse nothing: shown once the pause is over, the field still focused
      await hasText(hint, /peak [\d,]+ · 0 of people’s messages blocked/);
      const seen = (await page.evaluate('window.__seen')) as string[];
      // 35 seats' figures (some messages refused, fewer than at 3) were never shown
      expect(seen.filter((t) => t !== before && !/ · 0 of people’s messages blocked/.test(t))).toEqual([]);
    } finally {
      page.off('request', onRequest);
    }
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('saves the edited plan, which the overview then uses', async () => {
    const { page } = s;
    await page.getByLabel('Active seats').fill('30');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    const saved = await s.headroom.service.handlers['plan-get']({}, { signal: new AbortController().signal, progress: () => {} });
    expect(saved.plan.workspace.seats).toBe(30);
  });

  it('saves two scenarios, compares them side by side, then renames, duplicates and deletes', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Scenarios/ }).click();
    await page.getByTestId('scenarios-page').waitFor();
    await page.getByLabel('Scenario name').fill('Baseline');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.locator('[data-scenario="Baseline"]').waitFor();

    await page.getByRole('button', { name: /^API keys/ }).click();
    const cap = keyRow('k_data_pipeline').getByLabel(/^Cap of/);
    await cap.fill('5000');
    await cap.press('Enter');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    await page.getByRole('button', { name: /^Scenarios/ }).click();
    await page.getByLabel('Scenario name').fill('Pipeline at $5,000');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.locator('[data-scenario="Pipeline at $5,000"]').waitFor();

    await page.getByRole('button', { name: 'Compare 2 side by side' }).click();
    const table = page.getByTestId('comparison');
    await table.waitFor();
    const heads = await table.locator('thead th').allTextContents();
    expect(heads.slice(1).map((h) => h.replace('baseline', ''))).toEqual(['Baseline', 'Pipeline at $5,000']);
    const blocked = table.locator('tr[data-metric=blockedRequests] td');
    // A higher cap blocks fewer requests: the second column differs and is the best.
    await expect.poll(() => blocked.nth(1).getAttribute('class')).toContain('differs');
    expect(await blocked.nth(1).getAttribute('class')).toContain('best');
    expect(await textOf(blocked.nth(1).locator('.delta-down'))).toMatch(/^−/);
    // in the words of API keys, the plan's field on hover
    await hasText(page.locator('.changes').first(), /Cap of Data pipeline \(ETL\): \$240\.00 → \$5,000\.00/);
    expect(await page.locator('.changes li').first().getAttribute('title')).toBe('apiKeys.k_data_pipeline.capUsd');
    await s.shot('modeling-scenarios-compare');

    await page.getByRole('button', { name: 'Rename Baseline' }).click();
    await page.getByLabel('New name for Baseline').fill('Demo plan');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.locator('[data-scenario="Demo plan"]').waitFor();
    await page.getByRole('button', { name: 'Duplicate Demo plan' }).click();
    await page.locator('[data-scenario="Demo plan (copy)"]').waitFor();
    await page.getByRole('button', { name: 'Delete Demo plan (copy)' }).click();
    await page.getByRole('button', { name: 'Confirm deleting Demo plan (copy)' }).click();
    await expect.poll(() => page.locator('[data-scenario="Demo plan (copy)"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('switches a webhook trigger to programmatic, refuses it for a scheduled one, and drafts a support request', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Triggers/ }).click();
    await page.getByTestId('model-triggers-table').waitFor();
    const pr = page.locator('[data-testid=model-triggers-table] tbody tr[data-trigger=t_pr_review]');
    await hasText(pr.locator('.chip'), 'Rate limited');
    const delayed = pr.locator('td').nth(3);
    const before = Number((await textOf(delayed)).replace(/\D/g, ''));
    expect(before).toBeGreaterThan(0);
    expect(await textOf(pr.locator('td').nth(2))).toMatch(/^\d+ · \d+ · \d+$/);

    // Scheduled triggers cannot be programmatic, and say why.
    const digest = page.locator('[data-testid=model-triggers-table] tbody tr[data-trigger=t_digest_engineering]');
    expect(await digest.locator('option[value=programmatic]').isDisabled()).toBe(true);
    await hasText(digest.locator('.why'), /only webhook triggers/);

    await pr.getByRole('button', { name: /^Draft a support request/ }).click();
    const draft = page.getByTestId('support-draft');
    await expect.poll(() => draft.getByLabel('Support request text').inputValue()).toContain('t_pr_review');
    await s.shot('modeling-triggers');

    await pr.getByLabel('Mode of PR review').selectOption('programmatic');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    await expect.poll(async () => Number((await textOf(delayed)).replace(/\D/g, ''))).toBeLessThan(before);
    await page.getByRole('button', { name: 'Undo mode of PR review' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('exports the recommended plan to a file and loads it back', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByTestId('export-page').waitFor();
    await expect.poll(() => textOf(page.getByTestId('export-file')), { timeout: 30_000 }).toContain('"version": 1');
    for (const tab of ['Plan (YAML)', 'Keys (CSV)', 'Report']) expect(await page.getByRole('tab', { name: tab, exact: true }).count()).toBe(1);
    expect(await page.getByRole('tab', { name: /^Support: / }).count()).toBeGreaterThanOrEqual(1);
    await page.getByRole('tab', { name: 'Keys (CSV)' }).click();
    await hasText(page.getByTestId('export-file'), /^key_id,|^id,|k_data_pipeline/);
    await s.shot('modeling-export');
    await page.getByRole('tab', { name: 'Plan (JSON)' }).click();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Save Plan \(JSON\) to a file/ }).click()]);
    expect(download.suggestedFilename()).toBe('plan.json');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path, 'utf8');
    const exported = JSON.parse(text) as { apiKeys: { id: string; capUsd: number | null }[] };
    const pipelineCap = exported.apiKeys.find((k) => k.id === 'k_data_pipeline')?.capUsd;
    // The file carries the recommendation (ordinary use, runaway day left out), not the current $240.
    expect(pipelineCap).toBeGreaterThan(0);
    expect(pipelineCap).not.toBe(240);

    await page.getByLabel('Choose a plan file to load').setInputFiles({ name: 'plan.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await hasText(page.getByTestId('plan-loaded'), 'Loaded plan.json');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    await page.getByRole('button', { name: /^API keys/ }).click();
    await expect.poll(() => keyRow('k_data_pipeline').getByLabel(/^Cap of/).inputValue()).toBe(String(pipelineCap));

    // A broken file is refused with the field's path, and the plan stays as it was.
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.getByLabel('Choose a plan file to load').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"workspace": {"seats": -3}}') });
    await hasText(page.locator('.error-box', { hasText: 'cannot be used' }).locator('li').first(), /workspace\.seats/);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('forecasts bands and each key’s likely capped-out date, and follows the what-if knobs', async () => {
    const { page } = s;
    await page.getByRole('button', { name: /^Forecast/ }).click();
    const table = page.getByTestId('forecast-keys');
    await table.waitFor({ timeout: 60_000 });
    // The support bot's rolling spend sits at its cap at the end of the history: it caps out.
    const support = table.locator('tr[data-key=k_support_bot]');
    await hasText(support.getByTestId('capped-date'), /\d.* · .*\d/);
    await page.getByTestId('band-k_support_bot').locator('.recharts-area-area').waitFor();
    expect(await page.getByTestId('band-messages').locator('.recharts-line-curve').count()).toBe(1);
    await s.shot('modeling-forecast');
    // every key has a band, the model chosen for it and whether its history was censored
    const bands = page.getByTestId('forecast-key-bands');
    expect(await bands.locator('tbody tr').count()).toBe(7);
    // in words, the statistician's name of the model on hover
    await hasText(bands.locator('tr[data-key=k_support_bot]').getByTestId('model'), /^(steady level|straight-line trend|growth by a share)$/);
    expect(await bands.locator('tr[data-key=k_support_bot]').getByTestId('model').locator('[title]').getAttribute('title')).toMatch(/^(local level|linear trend|compounding growth):/);
    await hasText(bands.locator('tr[data-key=k_support_bot]').getByTestId('censored'), /held at its cap on \d+ days?: read as at least that|demand seen in full/);
    await hasText(page.getByTestId('forecast-models'), /How each series is forecast: .*\d/);
    // the admin's risk moves the cap: a 25 % risk never asks for more than a 1 % risk
    const capAt = async () => Number((await textOf(bands.locator('tr[data-key=k_marketing]').getByTestId('risk-cap'))).replace(/[^0-9.]/g, ''));
    // the risk is continuous: typed, or moved with the keyboard on the slider, and the cap follows
    // at once (read off the kept paths, no new forecast)
    await page.getByLabel('Cap risk (%)').fill('1');
    const strict = await capAt();
    await page.getByLabel('Cap risk (%)').fill('40');
    const loose = await capAt();
    expect(strict).toBeGreaterThan(0);
    expect(loose).toBeLessThan(strict);
    await hasText(page.getByTestId('forecast-status'), 'Up to date with the plan and the knobs');
    const slider = page.getByLabel('Cap risk', { exact: true });
    await slider.focus();
    await page.keyboard.press('Home');
    expect(await page.getByLabel('Cap risk (%)').inputValue()).toBe('0.5');
    const strictest = await capAt();
    expect(strictest).toBeGreaterThanOrEqual(strict);
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
    expect(await page.getByLabel('Cap risk (%)').inputValue()).toBe('5');
    // a long forecast can be cancelled from its progress bar
    await page.getByLabel('Simulated futures').selectOption('200');
    await page.getByTestId('forecast-cancel').click({ timeout: 30_000 });
    await hasText(page.getByTestId('forecast-status'), /Cancelled/);
    await page.getByLabel('Simulated futures').selectOption('50');
    await hasText(page.getByTestId('forecast-status'), 'Up to date with the plan and the knobs');
    await page.getByLabel('Horizon', { exact: true }).selectOption('14');
    await expect.poll(() => textOf(page.locator('[data-testid=forecast-page] p.muted').nth(1)), { timeout: 60_000 }).toMatch(/^14 days/);
    await hasText(page.getByTestId('forecast-status'), 'Up to date with the plan and the knobs');
  });

  it('gives every control on every modeling screen an accessible name', async () => {
    const { page } = s;
    const unnamed = `(() => {
      const bad = [];
      for (const el of document.querySelectorAll('main button, main input, main select, main textarea, main [role=tab]')) {
        const byLabel = el.labels ? [...el.labels].map((l) => l.textContent).join('').trim() : '';
        const byRef = (el.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.textContent || '').join('').trim();
        const own = el.tagName === 'BUTTON' || el.getAttribute('role') === 'tab' ? el.textContent.trim() : '';
        if (!(el.getAttribute('aria-label') || byRef || byLabel || own || el.getAttribute('title'))) bad.push(el.outerHTML.slice(0, 140));
      }
      return bad;
    })()`;
    for (const [nav, testId] of [
      [/^Workspace/, 'workspace-page'],
      [/^API keys/, 'model-keys-table'],
      [/^Triggers/, 'model-triggers-table'],
      [/^Scenarios/, 'scenarios-page'],
      [/^Forecast/, 'forecast-keys'],
      [/^Export/, 'export-file'],
    ] as const) {
      await page.getByRole('button', { name: nav }).click();
      await page.getByTestId(testId).waitFor({ timeout: 60_000 });
      expect(await page.evaluate<string[]>(unnamed), `${testId}`).toEqual([]);
    }
  });

  it('answers an edit with only what changed, and the patched screen reads as a freshly opened one', async () => {
    const { page } = s;
    const answer = (p: Page) =>
      p
        .waitForResponse((r) => r.url().endsWith('/api/model-project'), { timeout: 60_000 })
        .then(async (r) => ({ bytes: (await r.body()).length, value: ((await r.json()) as { value: ModelProjectAnswer }).value }));
    /** per key: its status, blocked count and rolling spend now, as the API keys table shows them */
    const rows = (p: Page) =>
      p.locator('[data-testid=model-keys-table] tbody tr[data-key]').evaluateAll((trs) =>
        Object.fromEntries(
          trs.map((tr) => [
            tr.getAttribute('data-key') ?? '',
            ['.chip', '[data-testid=blocked-count]', '.spark-cell .num'].map((sel) => tr.querySelector(sel)?.textContent?.trim() ?? '').join(' | '),
          ]),
        ),
      );
    await page.getByRole('button', { name: /^API keys/ }).click();
    await page.getByTestId('model-keys-table').waitFor();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    const cap = keyRow('k_marketing').getByLabel(/^Cap of .* in dollars/);
    const capBefore = await cap.inputValue();
    const edited = answer(page);
    await cap.fill('5');
    await cap.press('Enter');
    const delta = await edited;
    // a delta against the view the page held: the edited key among the few sent
    if (!isDelta(delta.value)) throw new Error('the edit got the whole view, not a delta');
    expect(delta.value.keys.length).toBeLessThan(delta.value.keyCount);
    expect(delta.value.triggers.length).toBeLessThan(delta.value.triggerCount);
    expect(delta.bytes).toBeLessThan(40_000);
    await hasText(keyRow('k_marketing').locator('.chip'), 'Rate limited');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
    const patched = await rows(page);
    expect(Object.keys(patched).length).toBeGreaterThanOrEqual(7);

    // A second window projects the saved plan afresh: the whole view, read the same.
    const fresh = await s.context.newPage();
    try {
      await fresh.goto(s.headroom.host.url);
      const first = answer(fresh);
      await fresh.getByRole('button', { name: /^API keys/ }).click();
      expect(isDelta((await first).value)).toBe(false);
      await hasText(fresh.locator('[data-testid=model-keys-table] tbody tr[data-key="k_marketing"] .chip'), 'Rate limited');
      await expect.poll(() => rows(fresh), { timeout: 30_000 }).toEqual(patched);
    } finally {
      await fresh.close();
    }
    await cap.fill(capBefore);
    await cap.press('Enter');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await hasText(page.getByTestId('plan-status'), 'Saved plan');
  });

  it('asks before closing the window with unsaved changes', async () => {
    const page = await s.context.newPage();
    await page.goto(s.headroom.host.url);
    await page.getByRole('button', { name: /^Workspace/ }).click();
    await page.getByLabel('Active seats').fill('41');
    await hasText(page.getByTestId('plan-status'), 'Unsaved changes');
    const dialog = new Promise<string>((resolve) => {
      page.once('dialog', (d) => {
        resolve(d.type());
        void d.accept();
      });
    });
    await page.close({ runBeforeUnload: true });
    expect(await dialog).toBe('beforeunload');
  });

  it('shows an empty state on a ledger without events', async () => {
    const { page } = s;
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    await s.headroom.service.handlers['ledger-new']({ path: `${s.dir}/empty.sqlite` }, ctx);
    await page.reload();
    await page.getByRole('button', { name: /^API keys/ }).click();
    await hasText(page.getByTestId('no-data'), /This ledger holds no usage yet/);
    await s.shot('modeling-empty');
  });
});
