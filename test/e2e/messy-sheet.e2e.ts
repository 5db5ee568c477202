/**
 * A spreadsheet as an admin saves one (a title and a blank line above the header, semicolons,
 * decimal commas, day-first dates, a TOTAL row, an "n/a" amount among the first rows) chosen on
 * the Import page: the preview says which lines are not data and names the bad row by its line,
 * and the good rows import.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav } from './page-helpers.ts';
import { tempDir } from '../fixtures/ledger-helpers.ts';
import type { TempDir } from '../fixtures/ledger-helpers.ts';

describe('a messy spreadsheet on the Import page', () => {
  let s: Session;
  let tmp: TempDir;
  beforeAll(async () => {
    s = await openSession({ empty: true });
    tmp = tempDir('headroom-e2e-sheet-');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    tmp?.remove();
  });

  it('finds the header under its title, names the bad row by its line, and imports the good rows', async () => {
    const file = tmp.write(
      'usage-november.csv',
      'Usage report, November\n\nDate;Key;Kind;Cost\n03/11/2026 14:05;key-a;api;1,50\n25/11/2026 08:00;key-b;api;n/a\n26/11/2026 09:00;key-b;api;2,00\nTOTAL;;;3,50\n',
    );
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles([file]);
    await hasText(page.getByTestId('facts-preamble'), /^Line 1 above the header \(line 3\) is not data \(“Usage report, November”\): left out\.$/);
    await hasText(page.getByTestId('facts-read-as'), /semicolon-separated, decimal comma .*day first/);
    await hasText(page.getByTestId('preview'), /usage-november\.csv:5|line 5/i);
    await s.shot('messy-sheet-preview');
    await page.getByTestId('import-good-rows').click();
    await hasText(page.getByTestId('imported-count'), /^2$/);
  }, 120_000);
});
