import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { dispatch } from '../src/api/handlers.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import type { Settled } from '../src/api/errors.ts';
import type { BatchInfo, ProgressEvent } from '../src/api/types.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type { Plan } from '../src/engine/plan.ts';

/**
 * Every write of the service (the plan, an entity's name, a trigger's kind, an undo) goes through
 * the open ledger's one writer queue, as scenario saves do: issued while an import writes on its
 * own thread, it lands after the import's commit, never blocks the service meanwhile (a read
 * still answers), and both the import and the write survive.
 */

const PLAN = validatePlan({ workspace: { name: 'Before', seats: 2 }, apiKeys: [{ id: 'k_a', capUsd: 2 }] });
const EDITED = validatePlan({ workspace: { name: 'Edited during import', seats: 2 }, apiKeys: [{ id: 'k_a', capUsd: 7 }] });

/** A canonical CSV of `rows` API requests from `first` on: big enough that its import is still writing when the test acts. */
function csv(rows: number, first = 0): string {
  const lines = ['timestamp,type,subject,cost_usd,id'];
  const start = Date.parse('2026-09-01T00:00:00Z');
  for (let i = first; i < first + rows; i++) lines.push(`${new Date(start + i * 1000).toISOString()},api,k_${i % 40},0.001,r${i}`);
  return lines.join('\n');
}

describe('writes during an import take their turn on the one writer', () => {
  let dir: string;
  let service: Service;
  const settle = (channel: string, input: unknown, emit?: (e: ProgressEvent) => void) => dispatch(service.handlers, service.jobs, channel, input, emit);
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = (await settle(channel, input)) as Settled<T>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };

  /** Starts importing `rows` rows; resolves once the import's write transaction is open, with the call's answer to come. */
  async function importing(name: string, rows: number, first: number): Promise<{ done: Promise<Settled<unknown>>; order: string[] }> {
    const file = join(dir, name);
    writeFileSync(file, csv(rows, first));
    const order: string[] = [];
    let writing!: () => void;
    const started = new Promise<void>((resolve) => (writing = resolve));
    const done = settle('import-run', { source: { path: file }, jobId: name }, (e) => {
      // the importer reports bytes once its write transaction is open
      if (e.done > 0) writing();
    }).then((r) => {
      order.push('import answered');
      return r;
    });
    await started;
    return { done, order };
  }

  /** The batches the ledger holds, read on the service's connection. */
  const batches = (): Promise<BatchInfo[]> => call<BatchInfo[]>('import-history', {});

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-writes-'));
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
      ledgerPath: join(dir, 'ws.sqlite'),
    });
    await call('plan-save', { plan: PLAN });
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a plan saved during a long import lands after its commit, the service answering meanwhile; both survive', async () => {
    const { done, order } = await importing('first.csv', 150_000, 0);
    let batchesAtSave = -1;
    const saving = call<{ plan: Plan }>('plan-save', { plan: EDITED }).then(async (value) => {
      order.push('save answered');
      batchesAtSave = (await batches()).length;
      return value;
    });
    // reads sent after the save answer while the import still writes: the save waits without holding the service
    const reading = Promise.all([call<{ plan: Plan }>('plan-get', {}), batches()]).then((v) => {
      order.push('read answered');
      return v;
    });
    const [imported, saved, [read, batchesAtRead]] = await Promise.all([done, saving, reading]);
    expect(imported).toMatchObject({ ok: true, value: { imported: 150_000 } });
    // the UI's call settles with the plan as saved
    expect(saved.plan).toEqual(EDITED);
    expect(order[0]).toBe('read answered');
    expect(batchesAtRead).toEqual([]);
    // the read saw the plan of before: the save had not landed yet
    expect(read.plan.workspace.name).toBe('Before');
    // when the save answered, the import had committed its batch
    expect(batchesAtSave).toBe(1);
    const after = await call<{ plan: Plan }>('plan-get', {});
    expect(after.plan.workspace.name).toBe('Edited during import');
    expect(after.plan.apiKeys.find((k) => k.id === 'k_a')?.capUsd).toBe(7);
    expect((await call<{ events: number }>('ledger-info', {})).events).toBe(150_000);
  });

  it('a rename and an undo issued during an import land after it; every change survives', async () => {
    const { done } = await importing('second.csv', 150_000, 150_000);
    const renaming = call<{ plan: Plan }>('entity-rename', { type: 'api', subject: 'k_3', name: 'Support bot' });
    const undoing = call<{ removed: number }>('import-undo', { batch: 1 });
    // neither holds the service while it waits: a read sent after them answers before the import commits
    const read = batches();
    const [imported, renamed, undone, batchesAtRead] = await Promise.all([done, renaming, undoing, read]);
    expect(batchesAtRead.map((b) => b.undone)).toEqual([false]);
    expect(imported).toMatchObject({ ok: true, value: { imported: 150_000 } });
    expect(renamed.plan.apiKeys.find((k) => k.id === 'k_3')?.name).toBe('Support bot');
    // the plan saved during the first import is still there under the rename
    expect(renamed.plan.workspace.name).toBe('Edited during import');
    expect(undone.removed).toBe(150_000);
    const history = await batches();
    expect(history.map((b) => b.undone)).toEqual([true, false]);
    expect((await call<{ events: number }>('ledger-info', {})).events).toBe(150_000);
    expect((await call<{ plan: Plan }>('plan-get', {})).plan.apiKeys.find((k) => k.id === 'k_3')?.name).toBe('Support bot');
  });
});

describe('closing the store', () => {
  it('lets the writes already queued land, then refuses new ones with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-close-'));
    try {
      const path = join(dir, 'ws.sqlite');
      const file = join(dir, 'big.csv');
      writeFileSync(file, csv(100_000));
      const store = ledgerStoreOpener(importWorkerUrl())(path);
      const importing = store.importFile({ path: file }, { format: 'events', skipBadRows: false, onProgress: () => {}, signal: new AbortController().signal });
      const saving = store.savePlan(EDITED);
      // closed while the import writes and the save waits behind it: neither is lost
      store.close();
      await expect(store.savePlan(PLAN)).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('is closed') });
      expect((await importing).imported).toBe(100_000);
      await saving;
      const again = ledgerStoreOpener(null)(path);
      try {
        expect(again.loadPlan()).toEqual(EDITED);
        expect(again.eventCount()).toBe(100_000);
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
