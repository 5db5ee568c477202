import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import type { CallContext } from '../src/api/handlers.ts';

/**
 * Switching ledgers is all or nothing (issue 15, finding 4): a ledger that fails to open leaves
 * the service on the ledger, plan and events it had, so the next save goes where it went before.
 */

const ctx = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });

describe('ledger-open, all or nothing', () => {
  let dir: string;
  let service: Service;
  const setLedger: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-switch-'));
    const compute = new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url));
    const realSet = compute.setLedger.bind(compute);
    compute.setLedger = (path: string) => {
      setLedger.push(path);
      realSet(path);
    };
    service = createService({ userDataDir: join(dir, 'user-data'), openStore: ledgerStoreOpener(null), compute, demo: null, ledgerPath: join(dir, 'a.sqlite') });
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a ledger whose saved plan is broken is refused and changes nothing', async () => {
    const a = join(dir, 'a.sqlite');
    const planA = { workspace: { name: 'Ledger A', seats: 3 } };
    await service.handlers['plan-save']({ plan: planA }, ctx());
    expect((await service.handlers['ledger-info']({}, ctx())).path).toBe(a);

    // ledger B: a real ledger whose current plan no longer validates
    const b = join(dir, 'b.sqlite');
    openLedger(b).close();
    const db = new Database(b);
    db.prepare(`INSERT INTO plans(name, body, saved_at) VALUES ('current', ?, 0)`).run(JSON.stringify({ workspace: { seats: -5 } }));
    db.close();
    const bBefore = new Database(b, { readonly: true });
    const plansBefore = bBefore.prepare('SELECT name, body FROM plans ORDER BY name').all();
    bBefore.close();

    await expect(service.handlers['ledger-open']({ path: b }, ctx())).rejects.toThrow();

    const info = await service.handlers['ledger-info']({}, ctx());
    expect(info.path).toBe(a);
    expect(info.workspaceName).toBe('Ledger A');
    expect((await service.handlers['plan-get']({}, ctx())).plan.workspace.seats).toBe(3);
    expect(setLedger.every((p) => p === a)).toBe(true);

    // the next save goes into A, and B is untouched
    await service.handlers['plan-save']({ plan: { workspace: { name: 'Ledger A', seats: 4 } } }, ctx());
    const bAfter = new Database(b, { readonly: true });
    expect(bAfter.prepare('SELECT name, body FROM plans ORDER BY name').all()).toEqual(plansBefore);
    bAfter.close();
    const aAfter = openLedger(a);
    expect((aAfter.loadPlan('current') as { workspace: { seats: number } }).workspace.seats).toBe(4);
    aAfter.close();
  });
});
