/**
 * A cost export re-saved by a spreadsheet whose dates all read both ways (every day part up to 12,
 * a decimal point, commas between fields): the preview reads it by how close its dates lie, month
 * first, and offers "Dates are" beside its "read as" line. Choosing day first reads it again so,
 * and Import imports those days; a file beside it whose dates leave no choice offers none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';
import { hasText, nav, overflowX } from './page-helpers.ts';
import { tempDir } from '../fixtures/ledger-helpers.ts';
import type { TempDir } from '../fixtures/ledger-helpers.ts';

/** 2 October, 2 and 3 November read day first; 10 and 11 February, 11 March read month first */
const RESAVED_COST = 'date,agent_name,api_key,source,total_spend_usd\n02/10/2026,Support,key-mkt,api,1.75\n02/11/2026,Support,key-mkt,api,3.50\n03/11/2026,Support,key-mkt,api,2.25\n';
const EVENTS = 'timestamp,type,subject,cost_usd\n2026-10-05T10:00:00Z,api,key-ops,0.50\n';

describe('the day order of a re-saved export, chosen in the preview', () => {
  let s: Session;
  let tmp: TempDir;
  beforeAll(async () => {
    s = await openSession({ empty: true });
    tmp = tempDir('headroom-e2e-dates-');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    tmp?.remove();
  });

  it('reads and imports the dates in the order chosen, for that file alone', async () => {
    const cost = tmp.write('cost-resaved.csv', RESAVED_COST);
    const events = tmp.write('events.csv', EVENTS);
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await nav(page, /^Import/);
    await page.getByLabel('Choose CSV files to import').setInputFiles([cost, events]);

    const costPreview = page.getByRole('region', { name: 'Preview of cost-resaved.csv' });
    const eventsPreview = page.getByRole('region', { name: 'Preview of events.csv' });
    const readAs = costPreview.getByTestId('facts-read-as');
    await hasText(readAs, /dates month first \(mm\/dd\/yyyy, guessed from how close together the rows' dates lie: .*if they are day first, choose “Dates are: day first” in this preview/);
    await hasText(costPreview.getByTestId('facts-range'), /^Feb 10, 2026 – Mar 11, 2026$/);
    const choice = costPreview.getByLabel('Dates are');
    expect(await choice.inputValue()).toBe('auto');
    // the events CSV's ISO times leave nothing to choose
    await hasText(eventsPreview.getByTestId('facts-events'), /^1 line makes 1 new event$/);
    expect(await eventsPreview.getByLabel('Dates are').count()).toBe(0);
    await s.shot('import-dates-guessed');

    await choice.selectOption({ label: 'day first (dd/mm/yyyy)' });
    await hasText(readAs, /dates day first \(dd\/mm\/yyyy, as chosen under “Dates are” in the preview\)/);
    await hasText(costPreview.getByTestId('facts-range'), /^Oct 2, 2026 – Nov 3, 2026$/);
    expect(await costPreview.getByLabel('Dates are').inputValue()).toBe('dmy');
    expect(await overflowX(page)).toBe(0);
    await s.shot('import-dates-day-first');

    const importButton = page.getByRole('button', { name: 'Import 2 files' });
    await expect.poll(() => importButton.isEnabled(), { timeout: 60_000, interval: 250 }).toBe(true);
    await importButton.click();
    const result = page.getByRole('region', { name: 'Imported cost-resaved.csv' });
    await hasText(result.getByTestId('facts-range'), /^Oct 2, 2026 – Nov 3, 2026$/);
    await hasText(result.getByTestId('facts-read-as'), /dates day first \(dd\/mm\/yyyy, as chosen under “Dates are” in the preview\)/);
    await hasText(page.getByRole('region', { name: 'Imported events.csv' }).getByTestId('imported-count'), /^1$/);
    await s.shot('import-dates-imported');
  }, 180_000);

  it('a one-day export no reading tells: its rows say to choose, and the order chosen reads them', async () => {
    // one day, 1 September or 9 January: both readings lie as close together, so nothing tells
    const oneDay = tmp.write('one-day.csv', 'date,agent_name,api_key,source,total_spend_usd\n01/09/2026,Support,key-one,api,4.00\n01/09/2026,Support,key-two,api,1.00\n');
    const { page } = s;
    await page.getByLabel('Choose CSV files to import').setInputFiles([oneDay]);
    const preview = page.getByRole('region', { name: 'Preview of one-day.csv' });
    await hasText(preview.getByTestId('facts-read-as'), /dates that could be day or month first \(refused\)/);
    await hasText(preview.getByTestId('row-errors'), /could be day or month first, and no row of the file tells \(no day above 12\): choose “Dates are” in the import preview/);
    await s.shot('import-dates-one-day');
    await preview.getByLabel('Dates are').selectOption('mdy');
    await hasText(preview.getByTestId('facts-range'), /^Jan 9, 2026$/);
    expect(await preview.getByTestId('row-errors').count()).toBe(0);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await hasText(page.getByRole('region', { name: 'Imported one-day.csv' }).getByTestId('imported-count'), /^2$/);
  }, 180_000);

  it('an order chosen that scatters the days the other order keeps together is said beside the choice', async () => {
    // 1 to 3 October day first (how close they lie says so); month first: 10 January, February and March
    const days = tmp.write('three-days.csv', 'date,agent_name,api_key,source,total_spend_usd\n01/10/2026,Support,key-3,api,1.00\n02/10/2026,Support,key-3,api,1.00\n03/10/2026,Support,key-3,api,1.00\n');
    const { page } = s;
    await page.getByLabel('Choose CSV files to import').setInputFiles([days]);
    const preview = page.getByRole('region', { name: 'Preview of three-days.csv' });
    await hasText(preview.getByTestId('facts-range'), /^Oct 1, 2026 – Oct 3, 2026$/);
    expect(await preview.getByTestId('facts-given-order-doubt').count()).toBe(0);
    await preview.getByLabel('Dates are').selectOption('mdy');
    const doubt = preview.getByTestId('facts-given-order-doubt');
    await hasText(
      doubt,
      /read month first, as chosen under “Dates are” in the preview, the rows' dates fall on 3 days over 2 months \(2026-01-10 to 2026-03-10\)\. Read day first they fall on 3 consecutive days \(2026-10-01 to 2026-10-03\), the tighter span\..*if they are day first, choose “Dates are: day first” in this preview\.$/,
    );
    expect(await doubt.getAttribute('role')).toBe('status');
    await s.shot('import-dates-given-doubt');
  }, 180_000);
});
