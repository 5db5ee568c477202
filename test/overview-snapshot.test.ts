import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeClient } from '../src/api/compute.ts';
import type { AskOptions } from '../src/api/compute.ts';
import type { ComputeKind, ComputeOutputs, ComputeRequest } from '../src/api/compute-protocol.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { dispatch } from '../src/api/handlers.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import type { Settled } from '../src/api/errors.ts';
import type { Overview } from '../src/api/types.ts';
import { planHash, readSnapshot, readStoredSpan, snapshotPath, writeSnapshot } from '../src/ledger/overview-snapshot-file.ts';
import type { SnapshotKey } from '../src/ledger/overview-snapshot-file.ts';
import type { OverviewBody } from '../src/projection/overview.ts';
import { validatePlan } from '../src/engine/plan.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { importFile } from '../src/import/importer.ts';
import { runImport } from '../src/cli/commands/import.ts';
import { refreshStoredOverview } from '../src/cli/stored-overview.ts';
import { refreshEventsCache } from '../src/ledger/events-cache-file.ts';

const WORKER = new URL('../src/entries/compute-worker.ts', import.meta.url);

// k_small: a $2 cap; its third $1 request is blocked
const CSV = [
  'timestamp,type,subject,cost_usd,id',
  '2026-10-01T10:00:00Z,api,k_small,1.00,a1',
  '2026-10-01T10:01:00Z,api,k_small,1.00,a2',
  '2026-10-01T10:02:00Z,api,k_small,1.00,a3',
  '2026-10-01T10:03:00Z,message,u_1,,a4',
  '2026-10-01T10:04:00Z,trigger,t_hook,,a5',
].join('\n');
const MORE = ['timestamp,type,subject,cost_usd,id', '2026-10-03T10:00:00Z,api,k_small,0.50,b1'].join('\n');
const PLAN = validatePlan({ workspace: { name: 'Snapshot WS', seats: 2 }, apiKeys: [{ id: 'k_small', capUsd: 2 }] });

/** Counts the overviews the compute worker is asked for. */
class CountingCompute extends ComputeClient {
  overviews = 0;
  override ask<K extends Exclude<ComputeKind, 'warm'>>(request: Extract<ComputeRequest, { kind: K }>, opts?: AskOptions): Promise<ComputeOutputs[K]> {
    if ((request as ComputeRequest).kind === 'overview') this.overviews++;
    return super.ask(request, opts);
  }
}

/** The compute worker of another build: the same worker, another code version. */
class OtherBuild extends ComputeClient {
  override codeVersion(): string {
    return 'another build';
  }
}

/** A call as the window makes it, its value or its error thrown. */
async function call<T>(service: Service, channel: string, input: unknown): Promise<T> {
  const r = (await dispatch(service.handlers, service.jobs, channel, input)) as Settled<T>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** An overview's figures, without the ledger's facts (read live) and the stored mark. */
const bodyOf = ({ ledger: _ledger, stored: _stored, ...body }: Overview) => body;

describe('the stored overview file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-snapshot-'));
  const ledger = join(dir, 'l.sqlite');
  const key: SnapshotKey = { events: 'v2:7:1:1:5:9:0:1:2', plan: planHash(PLAN), code: 'c1' };
  const body = { planName: 'x', horizon: 1, events: 5, keys: [], triggers: [], capacity: [], held: { profile: 'documented', limits: [], explained: { notRun: 0, late: 0 } }, headline: { keysCapped: 0, keysThrottled: 0, keysLimited: 0, keysNear: 0, triggersLimited: 0, blockedMessages: 0 } } satisfies OverviewBody;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read back only for the same events, plan and code', () => {
    writeSnapshot(ledger, key, body, { events: 5, from: 1, to: 2 }, 1234);
    expect(readSnapshot(ledger, key)).toEqual({ body, savedAt: 1234, by: 'app' });
    expect(readSnapshot(ledger, { ...key, events: 'v2:7:2:2:9:19:0:1:3' })).toBeNull();
    expect(readSnapshot(ledger, { ...key, plan: planHash({ ...PLAN, workspace: { ...PLAN.workspace, seats: 3 } }) })).toBeNull();
    expect(readSnapshot(ledger, { ...key, code: 'c2' })).toBeNull();
    expect(readSnapshot(join(dir, 'other.sqlite'), key)).toBeNull();
  });

  it('keeps the events’ count and range for the same events, whatever the plan or code', () => {
    writeSnapshot(ledger, key, body, { events: 5, from: 1, to: 2 }, 1234);
    expect(readStoredSpan(ledger, key.events)).toEqual({ events: 5, from: 1, to: 2 });
    expect(readStoredSpan(ledger, 'v2:7:2:2:9:19:0:1:3')).toBeNull();
  });

  it('a torn or foreign file is a miss, not an error', () => {
    writeFileSync(snapshotPath(ledger), '{"format":1,"key":');
    expect(readSnapshot(ledger, key)).toBeNull();
    writeFileSync(snapshotPath(ledger), JSON.stringify({ format: 0, key, savedAt: 1, span: { events: 5, from: 1, to: 2 }, body }));
    expect(readSnapshot(ledger, key)).toBeNull();
  });
});

describe('the overview at launch: stored first, then live', () => {
  let dir: string;
  let ledgerPath: string;
  const services: Service[] = [];
  const start = (compute = new ComputeClient(WORKER)): Service => {
    const s = createService({ userDataDir: join(dir, 'user-data'), openStore: ledgerStoreOpener(importWorkerUrl()), compute, demo: null, ledgerPath });
    services.push(s);
    return s;
  };
  const stop = async (s: Service) => {
    await s.close();
    services.splice(services.indexOf(s), 1);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-snapshot-svc-'));
    ledgerPath = join(dir, 'ws.sqlite');
    const first = start();
    await call(first, 'import-run', { source: { name: 'usage.csv', text: CSV } });
    await call(first, 'plan-save', { plan: PLAN });
    await stop(first);
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the last live answer marked stored, equal to the live one, for the same ledger, plan and code', async () => {
    const a = start();
    const live = await call<Overview>(a, 'workspace-overview', { fresh: true });
    expect(live.stored).toBeUndefined();
    expect(live.keys.find((k) => k.id === 'k_small')).toMatchObject({ blocked: 1, status: 'limited' });
    await stop(a);

    const b = start();
    const stored = await call<Overview>(b, 'workspace-overview', {});
    expect(stored.stored?.savedAt).toEqual(expect.any(Number));
    expect(bodyOf(stored)).toEqual(bodyOf(live));
    // the ledger's own facts are read live, never from the file
    expect(stored.ledger).toMatchObject({ path: ledgerPath, events: 5 });
    const again = await call<Overview>(b, 'workspace-overview', { fresh: true });
    expect(again.stored).toBeUndefined();
    expect(bodyOf(again)).toEqual(bodyOf(live));
    await stop(b);
  });

  it('is never served for another plan, other events or another build', async () => {
    let a = start();
    await call(a, 'workspace-overview', { fresh: true });
    // another plan: the live answer, with the new cap
    await call(a, 'plan-save', { plan: { ...PLAN, apiKeys: [{ id: 'k_small', capUsd: 5 }] } });
    const otherPlan = await call<Overview>(a, 'workspace-overview', {});
    expect(otherPlan.stored).toBeUndefined();
    expect(otherPlan.keys.find((k) => k.id === 'k_small')).toMatchObject({ capUsd: 5, blocked: 0 });
    await call(a, 'plan-save', { plan: PLAN });
    await call(a, 'workspace-overview', { fresh: true });
    expect((await call<Overview>(a, 'workspace-overview', {})).stored).toBeDefined();

    // other events: an import
    await call(a, 'import-run', { source: { name: 'more.csv', text: MORE } });
    await stop(a);
    // a launch after the import counts the events again: the stored count is for the others
    a = start();
    expect((await call<{ events: number }>(a, 'ledger-info', {})).events).toBe(6);
    const otherEvents = await call<Overview>(a, 'workspace-overview', {});
    expect(otherEvents.stored).toBeUndefined();
    expect(otherEvents.events).toBe(6);
    expect(otherEvents.ledger.events).toBe(6);
    // and an undo of it
    const batches = await call<{ id: number; undone: boolean }[]>(a, 'import-history', {});
    await call(a, 'workspace-overview', { fresh: true });
    await call(a, 'import-undo', { batch: Math.max(...batches.map((x) => x.id)) });
    const undone = await call<Overview>(a, 'workspace-overview', {});
    expect(undone.stored).toBeUndefined();
    expect(undone.events).toBe(5);
    expect(undone.ledger.events).toBe(5);
    await stop(a);

    // another build of the compute code
    const b = start(new OtherBuild(WORKER));
    const otherBuild = await call<Overview>(b, 'workspace-overview', {});
    expect(otherBuild.stored).toBeUndefined();
    await stop(b);
  });

  it('calls asking for the live overview share one computation, stopped only when every one of them is cancelled', async () => {
    const compute = new CountingCompute(WORKER);
    const a = start(compute);
    const settle = (input: unknown) => dispatch(a.handlers, a.jobs, 'workspace-overview', input);
    const first = settle({ fresh: true, jobId: 'one' });
    const second = settle({ fresh: true, jobId: 'two' });
    await call(a, 'job-cancel', { jobId: 'one' });
    const [one, two] = await Promise.all([first, second]);
    expect(one).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(two.ok).toBe(true);
    // asked again once it is done: the same answer, nothing computed again
    const third = await call<Overview>(a, 'workspace-overview', { fresh: true });
    expect(bodyOf(third)).toEqual(bodyOf((two as { value: Overview }).value));
    expect(compute.overviews).toBe(1);

    // another plan: computed again; cancelled by its only caller, it is not kept
    await call(a, 'plan-save', { plan: { ...PLAN, apiKeys: [{ id: 'k_small', capUsd: 7 }] } });
    // cancelled in the same turn it was made (not after a promise order that may change): the
    // call never joins, and nothing is kept for the next one
    const lone = settle({ fresh: true, jobId: 'lone' });
    a.jobs.cancel('lone');
    expect(await lone).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const after = await call<Overview>(a, 'workspace-overview', { fresh: true });
    expect(after.keys.find((k) => k.id === 'k_small')).toMatchObject({ capUsd: 7 });
    expect(compute.overviews).toBe(2);
    await call(a, 'plan-save', { plan: PLAN });
    await stop(a);
  });

  it('a call cancelled before it joins the live overview starts nothing, whatever order the calls resume in', async () => {
    const compute = new CountingCompute(WORKER);
    const a = start(compute);
    const early = dispatch(a.handlers, a.jobs, 'workspace-overview', { fresh: true, jobId: 'early' });
    // cancelled at once, while the call still waits for the ledger to open
    a.jobs.cancel('early');
    expect(await early).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(compute.overviews).toBe(0);
    const later = await call<Overview>(a, 'workspace-overview', { fresh: true });
    expect(later.keys.length).toBeGreaterThan(0);
    expect(compute.overviews).toBe(1);
    await stop(a);
  });

  it('the ledger content version moves with every import and undo, not with a refused import', async () => {
    const l = openLedger(ledgerPath);
    try {
      const before = l.eventsVersionKey();
      const file = join(dir, 'c.csv');
      // inside the history's span: its undo leaves the first and last event where they were
      writeFileSync(file, ['timestamp,type,subject,cost_usd,id', '2026-10-01T10:00:30Z,api,k_small,0.25,c1'].join('\n'));
      await importFile(l, file, { format: 'events' });
      const imported = l.eventsVersionKey();
      expect(imported).not.toBe(before);
      writeFileSync(file, ['timestamp,type,subject,cost_usd,id', '2026-10-05T10:00:00Z,api,k_small,abc,c2'].join('\n'));
      await expect(importFile(l, file, { format: 'events' })).rejects.toThrow(/abc/);
      expect(l.eventsVersionKey()).toBe(imported);
      l.undoBatch(l.listBatches().at(-1)?.id ?? -1);
      const undone = l.eventsVersionKey();
      expect(undone).not.toBe(imported);
      expect(undone).not.toBe(before);
    } finally {
      l.close();
    }
  });
});

describe('a command-line import stores the overview the app opens with', () => {
  let dir: string;
  const services: Service[] = [];
  const start = (ledgerPath: string): Service => {
    const s = createService({ userDataDir: join(dir, 'user-data'), openStore: ledgerStoreOpener(importWorkerUrl()), compute: new ComputeClient(WORKER), demo: null, ledgerPath });
    services.push(s);
    return s;
  };
  const stopAll = async () => {
    for (const s of services.splice(0)) await s.close();
  };
  /** A ledger with the first events and PLAN saved, as the app leaves it: shown (an overview stored beside it) or not. */
  const ledgerWith = async (name: string, shown: boolean): Promise<string> => {
    const path = join(dir, name);
    const a = start(path);
    await call(a, 'import-run', { source: { name: 'usage.csv', text: CSV } });
    await call(a, 'plan-save', { plan: PLAN });
    if (shown) await call(a, 'workspace-overview', { fresh: true });
    await stopAll();
    return path;
  };
  const cliImport = async (ledgerPath: string, text: string): Promise<void> => {
    const file = join(dir, `more-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, text);
    const r = await runImport([file], { db: ledgerPath, format: 'events' });
    expect(r.exitCode).toBe(0);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-snapshot-cli-'));
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('for a ledger the app has shown: the next open serves it at once, marked as the import’s, and it equals the live answer', async () => {
    const ledgerPath = await ledgerWith('shown.sqlite', true);
    // $1.50 more on k_small two days later: refused too, as its $2 cap is spent (three refused)
    await cliImport(ledgerPath, [MORE, '2026-10-03T11:00:00Z,api,k_small,1.00,b2'].join('\n'));
    const l = openLedger(ledgerPath, { readonly: true });
    const key: SnapshotKey = { events: l.eventsVersionKey(), plan: planHash(PLAN), code: new ComputeClient(WORKER).codeVersion() };
    l.close();
    expect(readSnapshot(ledgerPath, key)).toMatchObject({ by: 'import', body: { events: 7 } });

    const a = start(ledgerPath);
    const first = await call<Overview>(a, 'workspace-overview', {});
    expect(first.stored).toEqual({ savedAt: expect.any(Number), by: 'import' });
    expect(first.events).toBe(7);
    expect(first.ledger.events).toBe(7);
    const live = await call<Overview>(a, 'workspace-overview', { fresh: true });
    expect(live.stored).toBeUndefined();
    expect(bodyOf(first)).toEqual(bodyOf(live));
    expect(live.keys.find((k) => k.id === 'k_small')).toMatchObject({ blocked: 3 });
    await stopAll();
    // the live answer is the stored one: the file is left as the import wrote it
    expect(readSnapshot(ledgerPath, key)).toMatchObject({ by: 'import' });

    // an undo from the terminal stores the overview of what is left
    const undo = await runImport([], { db: ledgerPath, undo: String(2) });
    expect(undo.exitCode).toBe(0);
    const b = start(ledgerPath);
    const afterUndo = await call<Overview>(b, 'workspace-overview', {});
    expect(afterUndo.stored?.by).toBe('import');
    expect(afterUndo.events).toBe(5);
    expect(bodyOf(afterUndo)).toEqual(bodyOf(await call<Overview>(b, 'workspace-overview', { fresh: true })));
    await stopAll();
  });

  it('past the events it simulates for (STORED_OVERVIEW_MAX_EVENTS), the stored overview is left as it was', async () => {
    const ledgerPath = await ledgerWith('big.sqlite', true);
    const before = readFileSync(snapshotPath(ledgerPath), 'utf8');
    const l = openLedger(ledgerPath);
    try {
      const refreshed = refreshEventsCache(l);
      expect(refreshed.events?.count).toBe(5);
      expect(refreshStoredOverview(l, refreshed.events!, refreshed.key!, 4)).toBe(false);
      expect(readFileSync(snapshotPath(ledgerPath), 'utf8')).toBe(before);
      // at the limit it is stored
      expect(refreshStoredOverview(l, refreshed.events!, refreshed.key!, 5)).toBe(true);
      expect(readFileSync(snapshotPath(ledgerPath), 'utf8')).not.toBe(before);
    } finally {
      l.close();
    }
  });

  it('for a ledger the app never showed: nothing is simulated or stored', async () => {
    const ledgerPath = await ledgerWith('unshown.sqlite', false);
    await cliImport(ledgerPath, MORE);
    expect(existsSync(snapshotPath(ledgerPath))).toBe(false);
    const a = start(ledgerPath);
    const first = await call<Overview>(a, 'workspace-overview', {});
    expect(first.stored).toBeUndefined();
    expect(first.events).toBe(6);
    await stopAll();
  });
});
