/**
 * The third review: tasks an admin does end to end, at 1024×640, held in place. Importing both
 * platform exports at once leads on to the Overview; Overview and Triggers say a wait and "no
 * wait" alike; a key without a cap has no share of one; the forecast shows one progress and moves
 * the focus between its Cancel and "Forecast again"; applying the recommended caps says what it
 * did; a trigger's row says its run limit under the other reading of the limits, where the mode
 * and the limit are decided; comparing two seat counts names the baseline, says the plans'
 * changes in words and brings the result into view.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFirstRun, openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { focused, hasText, nav, overflowX } from './page-helpers.ts';

const CONSUMPTION_COLUMNS =
  'completedAt,conversationId,spaceId,agentMessageId,consumptionType,agentId,agentName,agentVersion,agentTagIds,agentRootId,agentParentId,agentDepth,modelProviderId,modelId,modelName,modelReasoningEffort,modelResolutionMethod,userId,userName,userGroupIds,userGroupNames,triggerId,contextOrigin,apiKeyName,toolName,toolServerName,toolDisplayName,toolParentServerName,toolActionId,attributedSkillIds,attributedSkillNames,creditsSystem,creditsInput,creditsOutput,creditsReasoning,creditsAction,totalCredits,usageType,status,stepIndex,executionTimeMs'.split(',');

/** The two platform exports of 21 days: a cost export of two keys and a consumption export of people and a webhook. */
function writeExports(dir: string): [string, string] {
  const cost = ['date,agent_name,api_key,source,total_spend_usd'];
  const consumption = [CONSUMPTION_COLUMNS.join(',')];
  const line = (cells: Record<string, string>) => CONSUMPTION_COLUMNS.map((c) => cells[c] ?? '').join(',');
  let m = 0;
  for (let d = 0; d < 21; d++) {
    const day = new Date(Date.UTC(2026, 9, 1 + d)).toISOString().slice(0, 10);
    cost.push(`${day},Lead bot,Marketing,API,${(40 + d).toFixed(2)}`, `${day},Sync agent,Ops,API,${(15 + (d % 7)).toFixed(2)}`);
    for (let h = 9; h < 17; h++) {
      const at = `${day}T${String(h).padStart(2, '0')}`;
      for (const u of ['u1', 'u2']) consumption.push(line({ completedAt: `${at}:1${u.slice(1)}:00.000Z`, agentMessageId: `m${m++}`, consumptionType: 'model', contextOrigin: 'web', userId: u, totalCredits: '12' }));
      consumption.push(line({ completedAt: `${at}:30:00.000Z`, agentMessageId: `m${m++}`, consumptionType: 'model', contextOrigin: 'triggered', triggerId: 't_pr', totalCredits: '30' }));
    }
  }
  const a = join(dir, 'dust-cost.csv');
  const b = join(dir, 'consumption.csv');
  writeFileSync(a, `${cost.join('\n')}\n`);
  writeFileSync(b, `${consumption.join('\n')}\n`);
  return [a, b];
}

describe('first run at 1024×640: both exports at once, then the Overview', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openFirstRun({ width: 1024, height: 640 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the result names its counts as rows and offers the next step, which opens the Overview with the new keys', async () => {
    const { page } = s;
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles(writeExports(s.dir));
    await page.getByTestId('preview').first().waitFor({ timeout: 60_000 });
    const importBoth = page.getByRole('button', { name: 'Import 2 files' });
    await expect.poll(() => importBoth.isEnabled(), { timeout: 60_000 }).toBe(true);
    await importBoth.click();
    await expect.poll(() => page.getByTestId('import-result').count(), { timeout: 60_000 }).toBe(2);
    // the history counts the rows each file brought (a cost row becomes 24 hourly events)
    await expect.poll(() => page.getByTestId('history-table').locator('thead th').allTextContents(), { timeout: 30_000 }).toContain('Rows imported');
    expect(await overflowX(page)).toBe(0);
    await s.shot('tasks-import-both-1024');
    const next = page.getByTestId('import-next').getByRole('button', { name: 'See what the plan throttles now (Overview)' });
    await next.focus();
    await page.keyboard.press('Enter');
    const overview = page.getByTestId('overview');
    await hasText(overview.locator('h1'), /^Overview$/);
    await hasText(overview.locator('#keys-h'), /^API keys 2 keys/);
    // uncapped keys: the Cap column says "no cap", their share of a cap is nothing, not "no limit —"
    const row = page.locator('[data-testid=keys-table] tr[data-key]').first();
    await hasText(row.locator('td').nth(2), /^—$/);
    // a trigger that never waited: the same dash as on Triggers, and no "queue peak 0"
    await hasText(page.locator('[data-testid=triggers-table] tr[data-trigger="t_pr"] td').nth(5), /^—$/);
    expect(await overflowX(page)).toBe(0);
  }, 150_000);
});

describe('the demo workspace at 1024×640, task by task', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openSession({ width: 1024, height: 640 });
    await s.page.goto(s.headroom.host.url);
    await s.page.getByTestId('keys-table').waitFor();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('Overview: its five figures on one row; waits as Triggers says them, p95 then max, a dash for none', async () => {
    const { page } = s;
    // the five headline figures on one row at 1024 px, not four and one left alone beneath
    const tops = await page.locator('[data-testid=overview] .cards > *').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(tops.length).toBe(5);
    expect(new Set(tops).size).toBe(1);
    const head = page.locator('[data-testid=triggers-table] thead th').nth(6);
    await hasText(head, /^Wait \(p95 · max\)$/);
    const cells = page.locator('[data-testid=triggers-table] tbody tr[data-trigger] td:nth-child(7)');
    await expect.poll(() => cells.count(), { timeout: 30_000 }).toBeGreaterThan(3);
    const texts = await cells.allTextContents();
    // "none" was a second word for nothing beside the dash of every other table
    expect(texts.filter((t) => /none/.test(t))).toEqual([]);
    await hasText(page.locator('[data-testid=triggers-table] tr[data-trigger="t_alert_enricher"] td').nth(5), /^— · 2h 15mqueue peak 7$/);
  });

  it('Forecast: one progress with its Cancel; the focus goes to "Forecast again" and back to Cancel', async () => {
    const { page } = s;
    await nav(page, /^Forecast/);
    const bar = page.getByRole('progressbar', { name: /^(Preparing the forecast of|Forecasting) the next 30 days$/ });
    await bar.waitFor({ timeout: 60_000 });
    // said once: no status line or empty state repeating "Forecasting" under the bar
    const said = await page.evaluate<number>(`(() => {
      const main = document.querySelector('[data-testid=forecast-page]');
      const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      let n = 0;
      for (let t = walker.nextNode(); t; t = walker.nextNode()) if (/forecasting/i.test(t.textContent) && t.parentElement.closest('[role=progressbar]') === null) n++;
      return n;
    })()`);
    expect(said).toBe(0);
    await s.shot('tasks-forecast-running-1024');
    await page.getByTestId('forecast-cancel').click();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('button:Forecast again');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('button:Cancel');
    await page.getByTestId('forecast-cancel').click();
  }, 120_000);

  it('API keys: applying the recommended caps says what it did and what keeps it', async () => {
    const { page } = s;
    await nav(page, /^API keys/);
    const apply = page.getByRole('button', { name: 'Apply recommended caps (all keys)' });
    await expect.poll(() => apply.isEnabled(), { timeout: 90_000 }).toBe(true);
    await apply.click();
    await hasText(page.getByTestId('keys-applied'), /^Recommended caps set on \d+ keys: Save plan keeps them, Undo takes them back\.$/);
    // undone, the sentence goes with the edit it described
    await page.getByRole('button', { name: /^Undo/ }).click();
    await hasText(page.getByTestId('keys-applied'), /^$/);
  }, 120_000);

  it("Triggers: a programmatic webhook's row says its run limit under the other reading, under both", async () => {
    const { page } = s;
    await nav(page, /^Triggers/);
    const row = page.locator('tr[data-trigger="t_lead_enrichment"]');
    await hasText(row.getByTestId('other-reading'), /^the platform’s code: 42 runs \(rule 2\)/);
    await page.getByTestId('profile-switch').first().selectOption('platform');
    await hasText(row.getByTestId('other-reading'), /^the docs: no limit \(rule 2\)/);
    // its limit field's default is the one applied under this reading, not "no limit" beside "42 applied"
    await expect.poll(() => row.locator('input[data-nav=limit]').getAttribute('placeholder'), { timeout: 60_000 }).toBe('default 42');
    await s.shot('tasks-triggers-platform-1024');
    await page.getByRole('button', { name: /^Undo/ }).click();
    await hasText(row.getByTestId('other-reading'), /^the platform’s code/);
  }, 120_000);

  it('Export: each changed setting says so in words, not by its shade alone', async () => {
    const { page } = s;
    await nav(page, /^Export/);
    const changed = page.getByTestId('plan-diff').locator('tr[data-changed]');
    await expect.poll(() => changed.count(), { timeout: 90_000 }).toBeGreaterThan(0);
    const heads = await changed.locator('th').allTextContents();
    expect(heads.filter((t) => !/changed/.test(t))).toEqual([]);
    await hasText(page.getByTestId('plan-diff').locator('p').first(), /^\d+ changes? from the current plan, highlighted and marked “changed”\.$/);
  }, 120_000);

  it('Scenarios: 40 seats against 25, the baseline named, the changes in words, the result in view', async () => {
    const { page } = s;
    await nav(page, /^Workspace/);
    const seats = page.getByLabel('Active seats');
    await seats.fill('40');
    await seats.press('Tab');
    await nav(page, /^Scenarios/);
    await page.getByLabel('Scenario name').fill('40 seats');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.locator('.scenario-item[data-scenario="40 seats"]').waitFor();
    await nav(page, /^Workspace/);
    await seats.fill('25');
    await seats.press('Tab');
    await nav(page, /^Scenarios/);
    await page.getByLabel('Scenario name').fill('25 seats');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.locator('.scenario-item[data-scenario="25 seats"]').waitFor();
    // a save picks what it saved: both are picked, the newest first in the list
    await hasText(page.getByTestId('baseline-note'), /^Baseline: 25 seats, the first picked in the list\.$/);
    await page.getByRole('button', { name: /^Compare 2 side by side$/ }).click();
    await expect.poll(() => focused(page), { timeout: 90_000 }).toBe('h2:Side by side');
    const inView = await page.evaluate<boolean>(`(() => { const r = document.getElementById('sc-cmp').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`);
    expect(inView).toBe(true);
    await hasText(page.locator('li[data-path="workspace.seats"]'), /^Seats: 25 → 40$/);
    // every figure equal: said in words, so the table does not read as nothing computed
    await hasText(page.getByTestId('comparison-same'), /block, delay and drop exactly as much/);
    // ...and what does differ with the seats: how near each plan runs to the allowance
    const shares = await page.locator('[data-testid="comparison"] tr', { hasText: 'share of the allowance' }).locator('td').allInnerTexts();
    expect(shares.length).toBe(2);
    expect(shares[0]).not.toBe(shares[1]);
    expect(await overflowX(page)).toBe(0);
    await s.shot('tasks-scenarios-compare-1024');
  }, 180_000);

  it('Projection says it shows the saved plan while Workspace holds unsaved seats, and saves them from there', async () => {
    const { page } = s;
    await nav(page, /^Workspace/);
    const seats = page.getByLabel('Active seats');
    await seats.fill('30');
    await seats.press('Tab');
    await nav(page, /^Projection/);
    const note = page.getByTestId('unsaved-note');
    await hasText(note, /^This screen shows the saved plan\. The plan being edited .* has changes not saved yet/);
    // the saved plan's seats, which the note explains
    await expect.poll(() => page.getByTestId('projection').locator('.plan-controls input').first().inputValue(), { timeout: 30_000 }).toBe('25');
    await note.getByRole('button', { name: 'Save the edits and show them here' }).click();
    await note.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.getByTestId('projection').locator('.plan-controls input').first().inputValue(), { timeout: 30_000 }).toBe('30');
  }, 120_000);
});
