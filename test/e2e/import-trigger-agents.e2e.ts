/**
 * A consumption export whose trigger id runs under two agents (an agent renamed within the export,
 * or a mislabelled export): its runs are read as one trigger's, against one limit, and the preview
 * and the imported result say so at the line that first gives the id a second agent, as the
 * command line does (test/import-trigger-agents.test.ts). Only the consumption export names a
 * trigger's agent; an events CSV has no agent column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav, overflowX } from './page-helpers.ts';
import { tempDir } from '../fixtures/ledger-helpers.ts';
import type { TempDir } from '../fixtures/ledger-helpers.ts';
import { CONSUMPTION_HEADER, consumptionLine } from '../support/dust-exports.ts';

const MINUTE = 60_000;
const DAY0 = Date.UTC(2026, 9, 1);

/** A fair-use run of `trigger` by `agent`, `i` × 10 minutes into 2026-10-01. */
const run = (i: number, trigger: string, agent: string): string =>
  consumptionLine({
    completedAt: new Date(DAY0 + i * 10 * MINUTE).toISOString(),
    agentMessageId: `m${i}`,
    agentName: agent,
    userId: 'u1',
    triggerId: trigger,
    contextOrigin: 'triggered',
    totalCredits: '1.00',
    stepIndex: '0',
  });

/** t_shared by Triage on lines 2-4, by Support from line 5; t_own by Reviewer alone */
const CONSUMPTION = [CONSUMPTION_HEADER, run(0, 't_shared', 'Triage'), run(1, 't_shared', 'Triage'), run(2, 't_own', 'Reviewer'), run(3, 't_shared', 'Support'), run(4, 't_shared', 'Support')].join('\n') + '\n';

const WARNING = /consumption\.csv:5: trigger "t_shared" runs under agent "Support" here, but under agent "Triage" at line 2: a trigger id names one trigger, so both agents' runs are read as that trigger's, against one limit of runs per 24 h.*if these are two, the export is mislabelled\.$/;

describe('a trigger id under two agents in a consumption export, imported in the app', () => {
  let s: Session;
  let tmp: TempDir;
  beforeAll(async () => {
    s = await openSession({ empty: true });
    tmp = tempDir('headroom-e2e-trigger-agents-');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    tmp?.remove();
  });

  it('is said in the preview and in the imported result, naming the line', async () => {
    const file = tmp.write('consumption.csv', CONSUMPTION);
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles([file]);

    const preview = page.getByRole('region', { name: 'Preview of consumption.csv' });
    const warning = preview.getByTestId('facts-trigger-agents');
    await hasText(warning, WARNING);
    expect(await warning.getAttribute('role')).toBe('status');
    await hasText(preview.getByTestId('facts-found'), /2 triggers/);
    expect(await overflowX(page)).toBe(0);
    await s.shot('import-trigger-agents-preview');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByRole('region', { name: 'Imported consumption.csv' });
    await hasText(result.getByTestId('imported-count'), /^5$/);
    await hasText(result.getByTestId('facts-trigger-agents'), WARNING);
    expect(await overflowX(page)).toBe(0);
    await s.shot('import-trigger-agents-imported');
  }, 180_000);
});
