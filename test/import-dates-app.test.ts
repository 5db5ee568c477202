/**
 * The app's "Dates are" (the import preview's choice of a re-saved export's day order, as
 * `headroom import --dates` gives it): the calls take an optional `dates` per file, the preview
 * reads the file in that order, Import imports it so, and any other value is refused naming its
 * field. Through the handler map, as the window and the web host call it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { dispatch } from '../src/api/handlers.ts';
import type { ApiChannel, ApiOutputs } from '../src/api/handlers.ts';

const COST = 'date,agent_name,api_key,source,total_spend_usd';
/** a cost export saved with `,` and `.` whose dates all read both ways: nothing in the file tells, nearness says month first */
const resaved = (key: string): string => `${COST}\n02/10/2026,Support,${key},api,1.75\n02/11/2026,Support,${key},api,3.50\n03/11/2026,Support,${key},api,2.25\n`;
/** the same export as downloaded: 2 October, 2 and 3 November */
const ORIGINAL = `${COST}\n2026-10-02,Support,key-mkt,api,1.75\n2026-11-02,Support,key-mkt,api,3.50\n2026-11-03,Support,key-mkt,api,2.25\n`;

const day = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));

// the app imports on its import worker; a store without one (importWorkerUrl null) on its own thread
describe.each([
  ['on the import worker', importWorkerUrl()],
  ['on the service’s thread', null],
])('the day order of an export, given with the app’s import calls (%s)', (_where, workerUrl) => {
  let dir: string;
  let service: Service;

  /** The call's value; the test fails on a refusal, with its message. */
  async function ok<K extends ApiChannel>(channel: K, input: unknown): Promise<ApiOutputs[K]> {
    const r = await dispatch(service.handlers, service.jobs, channel, input);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value as ApiOutputs[K];
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-dates-app-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(workerUrl),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
      ledgerPath: join(dir, 'ledger.sqlite'),
    });
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('previews the same file month first or day first as asked, and says the choice is the admin’s', async () => {
    const source = { name: 'cost.csv', text: resaved('key-mkt') };
    const guessed = await ok('import-preview', { source });
    expect(guessed.facts.dayOrder).toEqual({ order: 'mdy', by: 'nearness' });
    expect([day(guessed.facts.from), day(guessed.facts.to)]).toEqual(['2026-02-10', '2026-03-11']);
    // the window has no command line: the guess points to the preview's own choice
    expect(guessed.facts.findings.readAs).toContain('if they are day first, choose “Dates are: day first” in this preview, or import the export as downloaded');
    expect(guessed.facts.findings.readAs).not.toContain('--dates');

    const mdy = await ok('import-preview', { source, dates: 'mdy' });
    const dmy = await ok('import-preview', { source, dates: 'dmy' });
    expect([day(mdy.facts.from), day(mdy.facts.to)]).toEqual(['2026-02-10', '2026-03-11']);
    expect([day(dmy.facts.from), day(dmy.facts.to)]).toEqual(['2026-10-02', '2026-11-03']);
    expect(dmy.rows[0]?.[1]).toMatch(/^2026-10-02T/);
    expect(dmy.facts.dayOrder).toEqual({ order: 'dmy', by: 'given' });
    expect(dmy.facts.findings.readAs).toContain('dates day first (dd/mm/yyyy, as chosen under “Dates are” in the preview)');
    expect(mdy.facts.findings.readAs).toContain('dates month first (mm/dd/yyyy, as chosen under “Dates are” in the preview)');
    // a preview writes nothing
    expect(await ok('ledger-info', {})).toMatchObject({ events: 0 });
  });

  it('keeps each file’s order in a set previewed together', async () => {
    const set = await ok('import-preview-set', {
      files: [
        { source: { name: 'eu.csv', text: resaved('key-eu') }, dates: 'dmy' },
        { source: { name: 'us.csv', text: resaved('key-us') } },
      ],
    });
    const [eu, us] = set.map((e) => e.preview);
    expect(day(eu?.facts.from ?? null)).toBe('2026-10-02');
    expect(eu?.facts.dayOrder).toEqual({ order: 'dmy', by: 'given' });
    expect(day(us?.facts.from ?? null)).toBe('2026-02-10');
    expect(us?.facts.dayOrder).toEqual({ order: 'mdy', by: 'nearness' });
  });

  it('imports in the order given: the export as downloaded then adds nothing', async () => {
    const result = await ok('import-run', { source: { name: 'cost.csv', text: resaved('key-mkt') }, dates: 'dmy' });
    expect(result).toMatchObject({ imported: 3, rejected: 0 });
    expect([day(result.facts?.from ?? null), day(result.facts?.to ?? null)]).toEqual(['2026-10-02', '2026-11-03']);
    expect(result.facts?.findings.readAs).toContain('as chosen under “Dates are” in the preview');
    expect(await ok('import-run', { source: { name: 'original.csv', text: ORIGINAL } })).toMatchObject({ imported: 0, duplicates: 3 });
  });

  it('after an import read by nearness, the way to another reading starts with an undo', async () => {
    const result = await ok('import-run', { source: { name: 'us.csv', text: resaved('key-us') } });
    expect(result.facts?.findings.readAs).toContain('if they are day first, undo this import and import the file again choosing “Dates are: day first” in its preview');
  });

  it('refuses any other order, naming the field, and reads nothing', async () => {
    const before = await ok('ledger-info', {});
    const source = { name: 'cost.csv', text: resaved('key-bad') };
    const cases: [ApiChannel, unknown, string][] = [
      ['import-preview', { source, dates: 'ddmm' }, 'dates'],
      ['import-run', { source, dates: 'ymd' }, 'dates'],
      ['import-preview-set', { files: [{ source }, { source, dates: 'DMY' }] }, 'files[1].dates'],
    ];
    for (const [channel, input, path] of cases) {
      const r = await dispatch(service.handlers, service.jobs, channel, input);
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [{ path }] } });
    }
    expect(await ok('ledger-info', {})).toEqual(before);
  });

  it('a choice the file’s own dates contradict refuses the file in the preview and the import, naming the choice to make', async () => {
    const before = await ok('ledger-info', {});
    // day first: 13 October on line 3
    const source = { name: 'eu.csv', text: `${COST}\n02/10/2026,Support,key-eu2,api,1.75\n13/10/2026,Support,key-eu2,api,3.50\n` };
    const message = 'eu.csv:3: "13/10/2026" has 13 where “Dates are: month first” puts the month: this file writes its dates day first; choose “Dates are: day first” (or automatic)';
    for (const [channel, input] of [
      ['import-preview', { source, dates: 'mdy' }],
      ['import-run', { source, dates: 'mdy', skipBadRows: true }],
    ] as [ApiChannel, unknown][]) {
      const r = await dispatch(service.handlers, service.jobs, channel, input);
      expect(r).toMatchObject({ ok: false, error: { code: 'input_error' } });
      expect(r.ok ? '' : r.error.message).toContain(message);
    }
    const set = await ok('import-preview-set', { files: [{ source, dates: 'mdy' }] });
    expect(set[0]).toMatchObject({ preview: null, error: { code: 'input_error' } });
    expect(set[0]?.error?.message).toContain(message);
    expect(await ok('ledger-info', {})).toEqual(before);
  });

  it('a choice that scatters the dates the other order keeps together is said in the preview', async () => {
    // 1 to 3 October read day first; chosen month first: 10 January, February and March
    const text = `${COST}\n01/10/2026,Support,key-doubt,api,1.75\n02/10/2026,Support,key-doubt,api,3.50\n03/10/2026,Support,key-doubt,api,2.25\n`;
    const preview = await ok('import-preview', { source: { name: 'cost.csv', text }, dates: 'mdy' });
    expect(preview.facts.findings.givenOrderDoubt).toContain(
      'read month first, as chosen under “Dates are” in the preview, the rows\' dates fall on 3 days over 2 months (2026-01-10 to 2026-03-10). Read day first they fall on 3 consecutive days (2026-10-01 to 2026-10-03), the tighter span.',
    );
    expect(preview.facts.findings.givenOrderDoubt).toContain('if they are day first, choose “Dates are: day first” in this preview.');
  });
});
