import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { API_CHANNELS } from '../src/api/handlers.ts';
import type { Settled } from '../src/api/errors.ts';
import type { Overview } from '../src/api/types.ts';
import { ComputeClient } from '../src/api/compute.ts';
import { createService } from '../src/api/service.ts';
import type { Service } from '../src/api/service.ts';
import { importWorkerUrl, ledgerStoreOpener } from '../src/api/ledger-store.ts';
import { apiInputSchemas } from '../src/api/schemas.ts';
import { startWebHost } from '../src/host/server.ts';
import type { WebHost } from '../src/host/server.ts';
import { downsampleMax } from '../src/projection/series.ts';

// Key k_small has a $2 cap: its third $1 request finds $2 spent and is blocked.
const csv = (idPrefix: string): string =>
  [
    'timestamp,type,subject,cost_usd,id',
    `2026-10-01T10:00:00Z,api,k_small,1.00,${idPrefix}1`,
    `2026-10-01T10:01:00Z,api,k_small,1.00,${idPrefix}2`,
    `2026-10-01T10:02:00Z,api,k_small,1.00,${idPrefix}3`,
    `2026-10-01T10:03:00Z,message,u_1,,${idPrefix}4`,
    `2026-10-01T10:04:00Z,trigger,t_hook,,${idPrefix}5`,
  ].join('\n');
const CSV = csv('a');
const BAD = ['timestamp,type,subject,cost_usd', '2026-10-02T10:00:00Z,api,k_small,1.00', '2026-10-02T10:01:00Z,api,k_small,not-money'].join('\n');
const PLAN = { workspace: { name: 'Test WS', seats: 2 }, apiKeys: [{ id: 'k_small', capUsd: 2 }] };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(host: WebHost, path: string, opts: { method?: string; token?: string | null; body?: unknown; hostHeader?: string } = {}): Promise<Reply> {
  const url = new URL(path, host.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'POST',
        headers: {
          host: opts.hostHeader ?? url.host,
          'content-type': 'application/json',
          ...(opts.token !== null ? { authorization: `Bearer ${opts.token ?? host.token}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(JSON.stringify(opts.body));
    req.end();
  });
}

async function call<T>(host: WebHost, channel: string, input: unknown): Promise<Settled<T>> {
  const r = await http(host, `/api/${channel}`, { body: input });
  return JSON.parse(r.body) as Settled<T>;
}

describe('handler map, service and web host', () => {
  let dir: string;
  let service: Service;
  let host: WebHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-api-'));
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    service = createService({
      userDataDir: join(dir, 'user-data'),
      openStore: ledgerStoreOpener(importWorkerUrl()),
      compute: new ComputeClient(new URL('../src/entries/compute-worker.ts', import.meta.url)),
      demo: null,
    });
    host = await startWebHost({ handlers: service.handlers, jobs: service.jobs, staticDir });
  });
  afterAll(async () => {
    await host?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has one schema per channel', () => {
    expect(Object.keys(apiInputSchemas).sort()).toEqual([...API_CHANNELS].sort());
  });

  it('listens on 127.0.0.1 and refuses calls without the run token or for another host', async () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await http(host, '/api/ledger-info', { token: null, body: {} })).status).toBe(401);
    expect((await http(host, '/api/ledger-info', { token: 'guess', body: {} })).status).toBe(401);
    expect((await http(host, '/api/ledger-info', { body: {}, hostHeader: 'evil.example:80' })).status).toBe(421);
    expect((await http(host, '/api/ledger-info', { body: {} })).status).toBe(200);
  });

  it('serves the renderer with the CSP and nothing outside it', async () => {
    const page = await http(host, '/', { method: 'GET', token: null });
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await http(host, '/../../etc/passwd', { method: 'GET', token: null })).status).toBe(404);
    expect((await http(host, '/%2e%2e/%2e%2e/etc/passwd', { method: 'GET', token: null })).status).toBe(404);
  });

  it('settles bad input and unknown calls with typed errors', async () => {
    const bad = await call(host, 'projection-get', { width: 3 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [{ path: 'width' }] } });
    expect(await call(host, 'no-such-call', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const plan = await call(host, 'plan-save', { plan: { triggers: [{ id: 't', kind: 'scheduled', mode: 'programmatic' }] } });
    expect(plan).toMatchObject({ ok: false, error: { code: 'plan_error', details: [{ path: 'triggers[0].mode' }] } });
  });

  it('imports, simulates, refuses a bad row with its line, and undoes', async () => {
    expect(await call(host, 'plan-save', { plan: PLAN })).toMatchObject({ ok: true });
    const preview = await call<{ format: string; totalRows: number }>(host, 'import-preview', { source: { name: 'usage.csv', text: CSV } });
    expect(preview).toMatchObject({ ok: true, value: { format: 'events', totalRows: 5 } });
    const run = await call<{ imported: number; batch: number }>(host, 'import-run', { source: { name: 'usage.csv', text: CSV }, jobId: 'j1' });
    expect(run).toMatchObject({ ok: true, value: { imported: 5, file: 'usage.csv' } });

    const again = await call(host, 'import-run', { source: { name: 'usage.csv', text: CSV } });
    expect(again).toMatchObject({ ok: true, value: { imported: 0, duplicates: 5 } });

    const o = await call<Overview>(host, 'workspace-overview', {});
    if (!o.ok) throw new Error(o.error.message);
    const key = o.value.keys.find((k) => k.id === 'k_small')!;
    expect(key).toMatchObject({ capUsd: 2, requests: 3, blocked: 1, blockedByCap: 1, status: 'limited', peakUsd: 2 });
    expect(o.value.triggers.find((t) => t.id === 't_hook')).toMatchObject({ inferred: true, arrivals: 1, admitted: 1, status: 'ok' });
    expect(o.value.headline.keysCapped).toBe(1);
    expect(o.value.ledger.events).toBe(5);

    const refused = await call(host, 'import-run', { source: { name: 'bad.csv', text: BAD } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'input_error', details: [{ line: 3, column: 'cost_usd', value: 'not-money' }] } });

    const history = await call<{ id: number; file: string }[]>(host, 'import-history', {});
    if (!history.ok) throw new Error(history.error.message);
    const batch = history.value.find((b) => b.file === 'usage.csv')!;
    expect(await call(host, 'import-undo', { batch: batch.id })).toMatchObject({ ok: true, value: { removed: 5 } });
    expect(await call(host, 'ledger-info', {})).toMatchObject({ ok: true, value: { events: 0 } });
  });

  it('projects: series pooled to the width asked, capped spans from the engine', async () => {
    expect(await call(host, 'import-run', { source: { name: 'usage2.csv', text: csv('b') } })).toMatchObject({ ok: true, value: { imported: 5 } });
    const p = await call<{ keys: { id: string; spend: number[]; cappedSpans: unknown[] }[]; queue: { queued: number[]; maxDelayMin: number[] } }>(host, 'projection-get', { width: 100 });
    if (!p.ok) throw new Error(p.error.message);
    const key = p.value.keys.find((k) => k.id === 'k_small')!;
    expect(key.spend.length).toBeLessThanOrEqual(100);
    expect(key.spend.length).toBeGreaterThan(0);
    expect(key.cappedSpans.length).toBe(1);
    expect(p.value.queue.queued.length).toBe(key.spend.length);
    expect(p.value.queue.maxDelayMin.length).toBe(key.spend.length);
  });

  it('cancels a job by id', async () => {
    expect(await call(host, 'job-cancel', { jobId: 'nothing-running' })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('cancels a running import: it settles as cancelled and the ledger keeps what it had', async () => {
    const before = await call<{ events: number }>(host, 'ledger-info', {});
    const rows = ['timestamp,type,subject,cost_usd,id'];
    for (let i = 0; i < 100_000; i++) rows.push(`${1_790_000_000_000 + i * 1000},api,k_bulk,0.01,bulk-${i}`);
    const running = call(host, 'import-run', { source: { name: 'bulk.csv', text: rows.join('\n') }, jobId: 'bulk' });
    // The job is registered once the request is in; keep asking until the cancel finds it.
    let cancelled = false;
    for (let i = 0; i < 200 && !cancelled; i++) {
      const r = await call<{ cancelled: boolean }>(host, 'job-cancel', { jobId: 'bulk' });
      cancelled = r.ok && r.value.cancelled;
      if (!cancelled) await new Promise((res) => setTimeout(res, 5));
    }
    expect(cancelled).toBe(true);
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await call(host, 'ledger-info', {})).toEqual(before);
  });
});

describe('downsampleMax', () => {
  it('keeps every peak when pooling to fewer points', () => {
    const values = new Float64Array(1000);
    values[137] = 9;
    values[999] = 4;
    const out = downsampleMax(values, 10);
    expect(out.length).toBe(10);
    expect(out[1]).toBe(9);
    expect(out[9]).toBe(4);
    expect(Math.max(...out)).toBe(9);
    expect([...downsampleMax([1, 2, 3], 10)]).toEqual([1, 2, 3]);
  });
});

describe('events cache', () => {
  it('gives back exactly the columns it stored, and nothing for another key', async () => {
    const { readCache, writeCache } = await import('../src/api/events-cache.ts');
    const dir = mkdtempSync(join(tmpdir(), 'headroom-cache-'));
    try {
      const path = join(dir, 'l.sqlite');
      const events = {
        count: 3,
        time: Float64Array.from([1, 2, 1.5e12]),
        type: Uint8Array.from([0, 1, 2]),
        subject: Uint32Array.from([0, 1, 1]),
        subjects: ['k_a', 't_b'],
        cost: Float64Array.from([10, 0, 2_500_000]),
        ids: null,
      };
      writeCache(path, 'k1', events);
      const back = readCache(path, 'k1');
      expect(back && { ...back, time: [...back.time], type: [...back.type], subject: [...back.subject], cost: [...back.cost] }).toEqual({
        ...events,
        time: [...events.time],
        type: [...events.type],
        subject: [...events.subject],
        cost: [...events.cost],
      });
      expect(readCache(path, 'k2')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
