import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadroomHost } from '../src/host/start.ts';
import type { HeadroomHost } from '../src/host/start.ts';

const CSV = ['timestamp,type,subject,cost_usd,id', '2026-10-01T10:00:00Z,api,k_up,1.00,up1', '2026-10-01T10:01:00Z,api,k_up,2.00,up2', '2026-10-01T10:02:00Z,message,u_up,,up3', ''].join('\n');

let dir: string;
let h: HeadroomHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-uploads-'));
  h = await startHeadroomHost({ userDataDir: join(dir, 'data'), staticDir: dir, ledgerPath: join(dir, 'ledger.sqlite'), token: 'test-token' });
});

afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: string | Uint8Array, type = 'application/json'): Promise<{ status: number; json: { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } } }> {
  const res = await fetch(new URL(path, h.host.origin), { method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': type }, body });
  return { status: res.status, json: (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } } };
}

describe('the web host takes files only as uploads, in chunks, into its own folder (issue 15, finding 2)', () => {
  it('streams a file in chunks, previews and imports it by its id, then removes it', async () => {
    const bytes = Buffer.from(CSV);
    const begin = await post('/api/upload-begin', JSON.stringify({ name: '../../etc/e2e.csv', size: bytes.length }));
    expect(begin.status).toBe(200);
    const id = String(begin.json.value!.id);
    const half = 40;
    expect((await post(`/api/upload-chunk?id=${id}&offset=0`, bytes.subarray(0, half), 'application/octet-stream')).json.value).toEqual({ received: half });
    // a chunk out of order, and bytes past the announced size, are refused
    expect((await post(`/api/upload-chunk?id=${id}&offset=0`, bytes.subarray(0, half), 'application/octet-stream')).status).toBe(409);
    expect((await post(`/api/upload-chunk?id=${id}&offset=${half}`, Buffer.concat([bytes.subarray(half), Buffer.from('x')]), 'application/octet-stream')).status).toBe(413);
    // an incomplete upload cannot be imported
    expect((await post('/api/import-preview', JSON.stringify({ source: { upload: id } }))).json.error?.message).toMatch(/incomplete/);
    await post(`/api/upload-chunk?id=${id}&offset=${half}`, bytes.subarray(half), 'application/octet-stream');
    const preview = await post('/api/import-preview', JSON.stringify({ source: { upload: id } }));
    expect(preview.json.value).toMatchObject({ name: 'e2e.csv', format: 'events', totalRows: 3 });
    const run = await post('/api/import-run', JSON.stringify({ source: { upload: id } }));
    expect(run.json.value).toMatchObject({ imported: 3 });
    expect(readdirSync(join(dir, 'data', 'uploads'))).toEqual([]);
  });

  it('refuses a source naming a path, and an unknown upload id', async () => {
    const byPath = await post('/api/import-preview', JSON.stringify({ source: { path: '/etc/passwd' } }));
    expect(byPath.json.error).toMatchObject({ code: 'invalid_input' });
    expect(byPath.json.error!.message).toMatch(/never by a path the page names/);
    expect(byPath.json.error!.message).not.toMatch(/root/);
    expect((await post('/api/upload-chunk?id=AAAAAAAAAAAAAAAAAAAAAAAAAAAA&offset=0', Buffer.from('x'), 'application/octet-stream')).status).toBe(404);
    expect((await post('/api/upload-chunk?id=../../ledger&offset=0', Buffer.from('x'), 'application/octet-stream')).status).toBe(404);
    expect(existsSync(join(dir, 'ledger'))).toBe(false);
  });
});
