/**
 * The service in its own process (issue 13 item 4): main only validates and relays. These run the
 * real service entry (the one electron.vite.config.ts builds, found through src/worker-files.ts)
 * in a Node child process, as Electron's utilityProcess runs it in the app.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Settled } from '../src/api/errors.ts';
import { nodeForkService, ServiceRelay } from '../src/api/service-relay.ts';
import type { ForkService, RelayOptions } from '../src/api/service-relay.ts';
import type { ToService } from '../src/api/service-protocol.ts';
import type { ImportResult, LedgerInfo, ProgressEvent } from '../src/api/types.ts';
import { workerFile } from '../src/worker-files.ts';

const PLAN = { workspace: { name: 'Relay WS', seats: 2 }, apiKeys: [{ id: 'k_small', capUsd: 2 }] };
const SMALL = ['timestamp,type,subject,cost_usd,id', '2026-10-01T10:00:00Z,api,k_small,1.00,a1', '2026-10-01T10:01:00Z,api,k_small,1.00,a2'].join('\n');

function bulkCsv(rows: number): string {
  const lines = ['timestamp,type,subject,cost_usd,id'];
  for (let i = 0; i < rows; i++) lines.push(`${1_790_000_000_000 + i * 1000},api,k_bulk,0.01,bulk-${i}`);
  return lines.join('\n');
}

/** Node's fork, recording what main posts to the service. */
function recordingFork(posted: ToService[]): ForkService {
  return (entry) => {
    const child = nodeForkService(entry);
    return { ...child, postMessage: (m) => (posted.push(m), child.postMessage(m)) };
  };
}

function value<T>(s: Settled<unknown>): T {
  if (!s.ok) throw new Error(`${s.error.code}: ${s.error.message}`);
  return s.value as T;
}

describe('service relay (a forked service process)', () => {
  let dir: string;
  let bulk: string;
  const relays: ServiceRelay[] = [];
  const relay = (extra: Partial<RelayOptions> = {}, posted: ToService[] = []): ServiceRelay => {
    const r = new ServiceRelay({
      fork: recordingFork(posted),
      entry: workerFile('service-process'),
      init: { userDataDir: join(dir, 'user-data'), ledgerPath: join(dir, 'a.sqlite'), demo: false },
      ...extra,
    });
    relays.push(r);
    return r;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-relay-'));
    bulk = join(dir, 'bulk.csv');
    writeFileSync(bulk, bulkCsv(300_000));
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips calls: the service process opens the ledger, saves the plan, imports and simulates', async () => {
    const r = relay();
    expect(value(await r.call('plan-save', { plan: PLAN }))).toMatchObject({ plan: { workspace: { name: 'Relay WS' } } });
    expect(value<{ imported: number }>(await r.call('import-run', { source: { name: 'small.csv', text: SMALL } }))).toMatchObject({ imported: 2 });
    const overview = value<{ keys: { id: string; status: string }[]; ledger: LedgerInfo }>(await r.call('workspace-overview', {}));
    expect(overview.ledger).toMatchObject({ path: join(dir, 'a.sqlite'), events: 2, workspaceName: 'Relay WS' });
    expect(overview.keys.find((k) => k.id === 'k_small')).toBeDefined();
    // the service's own errors come back typed, with their paths
    expect(await r.call('plan-save', { plan: { triggers: [{ id: 't', kind: 'scheduled', mode: 'programmatic' }] } })).toMatchObject({
      ok: false,
      error: { code: 'plan_error', details: [{ path: 'triggers[0].mode' }] },
    });
    // the recent list reaches main with the answer
    expect(r.recent()).toContain(join(dir, 'a.sqlite'));
  });

  it('refuses invalid input in the relaying process: nothing reaches the service', async () => {
    const posted: ToService[] = [];
    const r = relay({}, posted);
    for (const [channel, input] of [
      ['projection-get', { width: 'wide' }],
      ['import-undo', { batch: -1 }],
      ['workspace-overview', { extra: true }],
      ['no-such-call', {}],
    ] as const) {
      const settled = await r.call(channel, input);
      expect(settled, channel).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(posted.filter((m) => m.type === 'call')).toEqual([]);
    // a valid call goes through, with its defaults filled in on this side
    expect((await r.call('projection-get', { width: 64 })).ok).toBe(true);
    expect(posted.filter((m) => m.type === 'call')).toMatchObject([{ channel: 'projection-get', input: { width: 64, maxKeys: 12 } }]);
  });

  it('resolves the window’s file handles to paths in main; a path from the window is refused', async () => {
    const posted: ToService[] = [];
    const removed: string[] = [];
    const csv = join(dir, 'handed.csv');
    writeFileSync(csv, SMALL.replace(/,a(\d)$/gm, ',h$1'));
    const files = {
      resolve: (h: string) => {
        if (h !== 'handle-1') throw new Error('no such file was chosen in this window');
        return { path: csv, name: 'handed.csv' };
      },
      remove: (h: string) => void removed.push(h),
    };
    const r = relay({ files, init: { userDataDir: join(dir, 'user-data'), ledgerPath: join(dir, 'files.sqlite'), demo: false } }, posted);
    expect(await r.call('import-preview', { source: { path: '/etc/passwd' } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await r.call('import-preview', { source: { upload: 'forged' } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(posted.filter((m) => m.type === 'call')).toEqual([]);
    expect(value(await r.call('import-preview', { source: { upload: 'handle-1' } }))).toMatchObject({ name: 'handed.csv', totalRows: 2 });
    expect(removed).toEqual([]);
    expect(value(await r.call('import-run', { source: { upload: 'handle-1' } }))).toMatchObject({ imported: 2 });
    expect(removed).toEqual(['handle-1']);
    expect(posted.find((m) => m.type === 'call' && m.channel === 'import-run')).toMatchObject({ input: { source: { path: csv, name: 'handed.csv' } } });
  });

  it('relays progress and cancel: a cancelled import leaves the ledger as it was', async () => {
    const r = relay({ init: { userDataDir: join(dir, 'user-data'), ledgerPath: join(dir, 'cancel.sqlite'), demo: false } });
    const before = value<LedgerInfo>(await r.call('ledger-info', {}));
    const events: ProgressEvent[] = [];
    let cancel: Promise<Settled<unknown>> | null = null;
    const running = r.call('import-run', { source: { path: bulk }, jobId: 'bulk' }, (e) => {
      events.push(e);
      cancel ??= r.call('job-cancel', { jobId: 'bulk' });
    });
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(events[0]).toMatchObject({ jobId: 'bulk', phase: 'import' });
    expect(await cancel).toEqual({ ok: true, value: { cancelled: true } });
    expect(value(await r.call('ledger-info', {}))).toEqual(before);
  });

  it('a service process that dies mid-call settles the call with service_down and is started again on the open ledger', async () => {
    const logs: string[] = [];
    const r = relay({ log: (m) => logs.push(m) });
    const b = join(dir, 'b.sqlite');
    value(await r.call('ledger-new', { path: b }));
    expect(r.startCount).toBe(1);
    const running = r.call('import-run', { source: { path: bulk }, jobId: 'doomed' }, () => r.kill());
    const settled = (await running) as Settled<ImportResult>;
    expect(settled).toMatchObject({ ok: false, error: { code: 'service_down' } });
    expect(logs.join('\n')).toMatch(/stopped/);
    // the next call is answered by a new service process, on the ledger that was open
    const info = value<LedgerInfo>(await r.call('ledger-info', {}));
    expect(r.startCount).toBe(2);
    expect(info.path).toBe(b);
    expect(info.events).toBe(0);
  });
});
