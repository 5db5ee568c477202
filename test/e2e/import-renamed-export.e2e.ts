/**
 * The platform's cost export with its columns renamed in a spreadsheet: the preview recognises it
 * as the cost export (it asked for its columns in the mapping step before, and mapped as guessed
 * counted every dollar twice beside the consumption export), says which column it read as which,
 * and the imported result says the same. A sheet only partly like it is still mapped, with a
 * warning above the mapping step. The readings themselves: test/import-renamed-export*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav, overflowX } from './page-helpers.ts';
import { tempDir } from '../fixtures/ledger-helpers.ts';
import type { TempDir } from '../fixtures/ledger-helpers.ts';

const RENAMED = 'Date,Agent,API Key,Source,Spend (USD)\n9/1/2026,Support,key-a,api,1.75\n9/1/2026,Lead bot,N/A,trigger,2.00\n9/13/2026,Support,key-a,api,3.50\n';
/** its Source column deleted, and a column of notes: only partly like the export */
const PARTLY = 'Date,Agent,API Key,Spend (USD),Notes\n9/1/2026,Support,key-a,1.75,ok\n9/1/2026,Lead bot,N/A,2.00,ok\n9/13/2026,Support,key-a,3.50,ok\n';

const RECOGNISED = /^cost_us\.csv: read as the platform's cost export, its columns renamed: "Date" as date, "Agent" as agent_name, "API Key" as api_key, "Source" as source, "Spend \(USD\)" as total_spend_usd\./;

describe('a cost export whose columns a spreadsheet renamed, imported in the app', () => {
  let s: Session;
  let tmp: TempDir;
  beforeAll(async () => {
    s = await openSession({ empty: true });
    tmp = tempDir('headroom-e2e-renamed-');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    tmp?.remove();
  });

  it('is recognised as the cost export, column by column, in the preview and the result', async () => {
    const file = tmp.write('cost_us.csv', RENAMED);
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles([file]);

    const preview = page.getByRole('region', { name: 'Preview of cost_us.csv' });
    const format = preview.getByTestId('detected-format');
    await hasText(format, /cost export/i);
    expect(await format.getAttribute('data-format')).toBe('dust-cost');
    await hasText(preview.getByTestId('facts-recognised'), RECOGNISED);
    expect(await preview.getByTestId('facts-export-like').count()).toBe(0);
    expect(await overflowX(page)).toBe(0);
    await s.shot('import-renamed-export-preview');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.getByRole('region', { name: 'Imported cost_us.csv' });
    await hasText(result.getByTestId('imported-count'), /^3$/);
    await hasText(result.getByTestId('facts-recognised'), RECOGNISED);
  }, 180_000);

  it('a sheet only partly like it is mapped, with the warning above its columns', async () => {
    const file = tmp.write('cost_notes.csv', PARTLY);
    const { page } = s;
    await page.getByLabel('Choose CSV files to import').setInputFiles([file]);
    const preview = page.getByRole('region', { name: 'Preview of cost_notes.csv' });
    expect(await preview.getByTestId('detected-format').getAttribute('data-format', { timeout: 60_000 })).toBe('mapping');
    const warning = preview.getByTestId('facts-export-like').first();
    await hasText(warning, /^cost_notes\.csv looks like the platform's cost export with its columns renamed .*its spend counts twice/);
    expect(await warning.getAttribute('role')).toBe('status');
    expect(await overflowX(page)).toBe(0);
    await s.shot('import-renamed-export-partly');
  }, 180_000);
});
