/**
 * The app's import preview (the import's dry run, on the import worker) of the cost export with
 * its columns renamed, and of a sheet only partly like it: the same reading and the same words as
 * the command line's (test/import-renamed-export.test.ts), through the handler map as the window
 * calls it. Before, the renamed export asked for its columns in the mapping step, and mapped as
 * guessed it counted every dollar twice beside the consumption export.
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

const RENAMED = 'Date,Agent,API Key,Source,Spend (USD)\n9/1/2026,Support,key-a,api,1.75\n9/1/2026,Lead bot,N/A,trigger,2.00\n9/13/2026,Support,key-a,api,3.50\n';
/** the same, its Source column deleted: only partly like the export */
const CUT = 'Date,Agent,API Key,Spend (USD)\n9/1/2026,Support,key-a,1.75\n9/1/2026,Lead bot,N/A,2.00\n9/13/2026,Support,key-a,3.50\n';

describe('the cost export with its columns renamed, previewed and imported in the app', () => {
  let dir: string;
  let service: Service;

  async function call<K extends ApiChannel>(channel: K, input: unknown): Promise<ApiOutputs[K]> {
    const r = await dispatch(service.handlers, service.jobs, channel, input);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value as ApiOutputs[K];
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-renamed-app-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
      ledgerPath: join(dir, 'ledger.sqlite'),
    });
  });
  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is recognised as the cost export, says which column is which, and imports N/A as spend without a key', async () => {
    const source = { name: 'cost_us.csv', text: RENAMED };
    const preview = await call('import-preview', { source });
    expect(preview.format).toBe('dust-cost');
    expect(preview.missing).toEqual([]);
    expect(preview.facts.findings.recognised).toContain('"API Key" as api_key, "Source" as source, "Spend (USD)" as total_spend_usd');
    expect(preview.facts.findings.exportLike).toBeNull();
    // its day order is the export's to give: "Dates are" refuses the one its 9/13 contradicts
    const refused = await dispatch(service.handlers, service.jobs, 'import-preview', { source, dates: 'dmy' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('"9/13/2026" has 13 where “Dates are: day first” puts the month');
    const r = await call('import-run', { source });
    expect(r).toMatchObject({ format: 'dust-cost', imported: 3 });
    expect(r.facts?.findings.recognised).toContain('"Spend (USD)" as total_spend_usd');
    expect(r.facts?.keys).toBe(1);
  });

  it('a sheet only partly like it is still mapped, with the warning the command line gives, before its columns are mapped', async () => {
    const preview = await call('import-preview', { source: { name: 'cost_cut.csv', text: CUT } });
    expect(preview.format).toBe('mapping');
    expect(preview.facts.findings.exportLike).toMatch(/^cost_cut\.csv looks like the platform's cost export with its columns renamed .*its spend counts twice, and "N\/A" in "API Key" is read as a key named "N\/A"/);
    expect(preview.facts.findings.exportLike).toContain('before importing it');
  });
});
