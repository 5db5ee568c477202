import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { dispatch } from '../src/api/handlers.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import type { Settled } from '../src/api/errors.ts';
import type { SavedScenario } from '../src/modeling/types.ts';
import type { ProgressEvent } from '../src/api/types.ts';
import { validatePlan } from '../src/engine/plan.ts';
import type * as LedgerModule from '../src/ledger/ledger.ts';

// Every connection this thread opens to a ledger, counted (the import and compute workers open
// their own, on their own threads, and are not counted here).
const opened = vi.hoisted(() => ({ paths: [] as string[] }));
vi.mock('../src/ledger/ledger.ts', async (importOriginal) => {
  const real = await importOriginal<typeof LedgerModule>();
  return {
    ...real,
    openLedger: (path: string, options?: Parameters<typeof real.openLedger>[1]) => {
      opened.paths.push(path);
      return real.openLedger(path, options);
    },
  };
});

const PLAN = validatePlan({ workspace: { name: 'Scenarios WS', seats: 2 }, apiKeys: [{ id: 'k_a', capUsd: 2 }] });

/** A canonical CSV of `rows` API requests: big enough that its import is still writing when the test acts. */
function bigCsv(rows: number): string {
  const lines = ['timestamp,type,subject,cost_usd,id'];
  const start = Date.parse('2026-09-01T00:00:00Z');
  for (let i = 0; i < rows; i++) lines.push(`${new Date(start + i * 1000).toISOString()},api,k_${i % 40},0.001,r${i}`);
  return lines.join('\n');
}

/** Open descriptors of this process on the ledger file itself (not its -wal or -shm). */
function handlesOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

describe('scenarios go through the open ledger’s one writing connection', () => {
  let dir: string;
  let ledgerPath: string;
  let service: Service;
  const settle = (channel: string, input: unknown, emit?: (e: ProgressEvent) => void) => dispatch(service.handlers, service.jobs, channel, input, emit);
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const r = (await settle(channel, input)) as Settled<T>;
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-scenarios-'));
    ledgerPath = join(dir, 'ws.sqlite');
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
      ledgerPath,
    });
    await call('plan-save', { plan: PLAN });
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves, renames and deletes without opening another connection; the ledger file has one handle', async () => {
    opened.paths.length = 0;
    const a = await call<SavedScenario>('scenario-save', { name: 'Tight', plan: PLAN });
    const renamed = await call<SavedScenario>('scenario-rename', { id: a.id, name: 'Tighter' });
    expect(renamed).toMatchObject({ id: a.id, name: 'Tighter', plan: PLAN });
    expect((await call<SavedScenario[]>('scenario-list', {})).map((s) => s.name)).toEqual(['Tighter']);
    expect(await call('scenario-delete', { id: a.id })).toEqual({ deleted: true });
    expect(opened.paths).toEqual([]);
    expect(handlesOn(ledgerPath)).toBe(1);
  });

  it('a scenario saved while an import writes waits for it, without holding the service: other calls answer meanwhile', async () => {
    const file = join(dir, 'big.csv');
    writeFileSync(file, bigCsv(150_000));
    const order: string[] = [];
    let writing!: () => void;
    const started = new Promise<void>((resolve) => (writing = resolve));
    const importing = settle('import-run', { source: { path: file }, jobId: 'big' }, (e) => {
      // the importer reports bytes once its write transaction is open
      if (e.done > 0) writing();
    }).then((r) => {
      order.push('import');
      return r;
    });
    await started;
    opened.paths.length = 0;
    const saving = settle('scenario-save', { name: 'During import', plan: PLAN }).then((r) => {
      order.push('save');
      return r;
    });
    const listing = settle('scenario-list', {}).then((r) => {
      order.push('list');
      return r;
    });
    const [imported, saved, listed] = await Promise.all([importing, saving, listing]);
    expect(imported.ok).toBe(true);
    expect(saved).toMatchObject({ ok: true, value: { name: 'During import' } });
    expect(listed.ok).toBe(true);
    // the list (a read) answered while the import ran; the save took its turn after the import's
    // commit, and the import's answer follows its own next turn (the plan's facts), after the save
    expect(order).toEqual(['list', 'save', 'import']);
    expect(opened.paths).toEqual([]);
    expect((await call<SavedScenario[]>('scenario-list', {})).map((s) => s.name)).toEqual(['During import']);
    expect((await call<{ events: number }>('ledger-info', {})).events).toBe(150_000);
  });
});
