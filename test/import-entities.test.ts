import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { dispatch } from '../src/api/handlers.ts';
import type { CallContext } from '../src/api/handlers.ts';
import { dustWorkspace } from './support/dust-exports.ts';

/**
 * Issue 16: an admin renames a key or a trigger and corrects a trigger's kind from the app; the
 * names and kinds land in the saved plan, which every page reads, and survive the next import.
 */
const ctx = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });

describe('entity-rename and trigger-kind', () => {
  let dir: string;
  let service: Service;
  let consumption: string;
  let cost: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-entities-'));
    const ws = dustWorkspace({ seed: 7, days: 20, people: 6, keys: 3 });
    consumption = join(dir, 'consumption.csv');
    writeFileSync(consumption, ws.consumption);
    cost = join(dir, 'cost.csv');
    writeFileSync(cost, ws.cost[0]!);
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(null),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
      ledgerPath: join(dir, 'ledger.sqlite'),
    });
    await service.handlers['import-run']({ source: { path: consumption }, format: 'auto', skipBadRows: false }, ctx());
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renames a key and a trigger in the saved plan, and the names stay after another import', async () => {
    const before = (await service.handlers['plan-get']({}, ctx())).plan;
    expect(before.triggers.find((t) => t.id === 'trg_digest')?.name).toBe('Release notes');
    await service.handlers['entity-rename']({ type: 'api', subject: 'key-data', name: 'Data team' }, ctx());
    const { plan } = await service.handlers['entity-rename']({ type: 'trigger', subject: 'trg_digest', name: 'Weekly digest' }, ctx());
    expect(plan.apiKeys.find((k) => k.id === 'key-data')?.name).toBe('Data team');
    expect(plan.triggers.find((t) => t.id === 'trg_digest')?.name).toBe('Weekly digest');
    expect((await service.handlers['plan-get']({}, ctx())).plan).toEqual(plan);
    // the cost export names the same entities: the admin's names win
    await service.handlers['import-run']({ source: { path: cost }, format: 'auto', skipBadRows: false }, ctx());
    const after = (await service.handlers['plan-get']({}, ctx())).plan;
    expect(after.apiKeys.find((k) => k.id === 'key-data')?.name).toBe('Data team');
    expect(after.triggers.find((t) => t.id === 'trg_digest')?.name).toBe('Weekly digest');
  });

  it('corrects a trigger’s kind, and refuses a schedule the plan cannot hold', async () => {
    const planned = (await service.handlers['plan-get']({}, ctx())).plan;
    expect(planned.triggers.find((t) => t.id === 'trg_digest')?.kind).toBe('scheduled');
    const { plan } = await service.handlers['trigger-kind']({ subject: 'trg_digest', kind: 'webhook' }, ctx());
    expect(plan.triggers.find((t) => t.id === 'trg_digest')?.kind).toBe('webhook');
    // trg_prrev runs in programmatic mode: a plan under the docs schedules fair-use triggers only
    await expect(service.handlers['trigger-kind']({ subject: 'trg_prrev', kind: 'scheduled' }, ctx())).rejects.toThrow(/programmatic mode/);
    expect((await service.handlers['plan-get']({}, ctx())).plan.triggers.find((t) => t.id === 'trg_prrev')?.kind).toBe('webhook');
  });

  it('refuses an empty name with the field named, changing nothing', async () => {
    const before = (await service.handlers['plan-get']({}, ctx())).plan;
    const r = await dispatch(service.handlers, service.jobs, 'entity-rename', { type: 'api', subject: 'key-data', name: '   ' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(JSON.stringify(r.error)).toContain('name');
    expect((await service.handlers['plan-get']({}, ctx())).plan).toEqual(before);
  });
});
