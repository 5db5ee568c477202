import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { JobRegistry } from '../src/api/handlers.ts';
import type { ApiHandlers } from '../src/api/handlers.ts';
import { TOKEN_COOKIE, startWebHost } from '../src/host/server.ts';
import type { WebHost } from '../src/host/server.ts';

/** The web host's probes from the hardening audit (issue 15, finding 6), each as a request. */

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Probe {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** write the body in pieces of this size (a body with no declared length) */
  chunked?: number;
}

/** The status of a request whose answer never ends (the progress stream), then hang up. */
function statusOf(host: WebHost, path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(host.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { host: url.host, ...headers } }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

function http(host: WebHost, path: string, probe: Probe = {}): Promise<Reply> {
  const url = new URL(host.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: probe.method ?? 'POST', headers: { host: url.host, ...probe.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    // the host may close an oversized upload early: the reply still arrives
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
    const body = probe.body;
    if (body !== undefined && probe.chunked !== undefined) {
      const buf = Buffer.from(body);
      for (let at = 0; at < buf.length; at += probe.chunked) req.write(buf.subarray(at, at + probe.chunked));
    } else if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('web host probes', () => {
  let dir: string;
  let host: WebHost;
  const calls: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-host-'));
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    // handlers that only record: a probe that gets through shows up here
    const handlers = {
      'ledger-info': async () => {
        calls.push('ledger-info');
        return { path: 'x' };
      },
      'ledger-new': async ({ path }: { path: string }) => {
        calls.push(`ledger-new ${path}`);
        return { path };
      },
      // a call that takes a while, as one waiting for the compute worker does
      'import-history': async () => {
        await new Promise((r) => setTimeout(r, 40));
        return [];
      },
      'model-load-plan': async ({ text }: { text: string }) => {
        calls.push(`model-load-plan ${text.length}`);
        return { plan: {} };
      },
    } as unknown as ApiHandlers;
    host = await startWebHost({ handlers, jobs: new JobRegistry(), staticDir, maxJsonBody: 64 * 1024 });
  });
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const json = { 'content-type': 'application/json' };
  const bearer = (): Record<string, string> => ({ authorization: `Bearer ${host.token}` });
  const cookie = (): Record<string, string> => ({ cookie: `${TOKEN_COOKIE}=${host.token}` });

  it('trades the first page load\'s query token for an HttpOnly SameSite=Strict cookie, and takes it from there', async () => {
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
    const first = await http(host, `/?token=${host.token}`, { method: 'GET' });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toContain(`${TOKEN_COOKIE}=${host.token}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect((await http(host, '/?token=guess', { method: 'GET' })).status).toBe(401);

    calls.length = 0;
    const viaCookie = await http(host, '/api/ledger-info', { headers: { ...json, ...cookie(), origin: host.origin }, body: '{}' });
    expect(viaCookie.status).toBe(200);
    expect(JSON.parse(viaCookie.body)).toMatchObject({ ok: true });
    expect(calls).toEqual(['ledger-info']);
    // the progress stream rides on the cookie too (an EventSource sends no header)
    expect(await statusOf(host, '/api/events', { ...cookie(), origin: host.origin })).toBe(200);
  });

  it('refuses the token in the query string of an API call', async () => {
    calls.length = 0;
    const r = await http(host, `/api/ledger-info?token=${host.token}`, { headers: json, body: '{}' });
    expect(r.status).toBe(401);
    expect(r.body).toContain('only for the first page load');
    expect((await http(host, `/api/events?token=${host.token}`, { method: 'GET' })).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('refuses a call from another Origin, even with the token', async () => {
    calls.length = 0;
    const r = await http(host, '/api/ledger-new', { headers: { ...json, ...cookie(), origin: 'https://evil.example' }, body: JSON.stringify({ path: '/tmp/pwned.sqlite' }) });
    expect(r.status).toBe(403);
    expect((await http(host, '/api/ledger-new', { headers: { ...json, ...bearer(), origin: 'null' }, body: '{"path":"/tmp/x"}' })).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('refuses the cross-site no-cors text/plain POST that created a file', async () => {
    calls.length = 0;
    // what `fetch(url, {mode: 'no-cors', method: 'POST', body})` sends: a simple request, no preflight
    const r = await http(host, '/api/ledger-new', { headers: { 'content-type': 'text/plain;charset=UTF-8', ...bearer() }, body: JSON.stringify({ path: '/tmp/pwned.sqlite' }) });
    expect(r.status).toBe(415);
    expect((await http(host, '/api/ledger-new', { headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookie() }, body: 'path=/tmp/x' })).status).toBe(415);
    expect(calls).toEqual([]);
  });

  it('caps a JSON body, declared or streamed, before reading it all', async () => {
    calls.length = 0;
    const big = JSON.stringify({ name: 'p.json', text: 'x'.repeat(100 * 1024) });
    const declared = await http(host, '/api/model-load-plan', { headers: { ...json, ...bearer() }, body: big });
    expect(declared.status).toBe(413);
    const streamed = await http(host, '/api/model-load-plan', { headers: { ...json, ...bearer(), 'transfer-encoding': 'chunked' }, body: big, chunked: 8192 });
    expect(streamed.status).toBe(413);
    expect(calls).toEqual([]);
    // under the cap the same call goes through
    const small = await http(host, '/api/model-load-plan', { headers: { ...json, ...bearer() }, body: JSON.stringify({ name: 'p.json', text: 'x'.repeat(1000) }) });
    expect(small.status).toBe(200);
    expect(calls).toEqual(['model-load-plan 1000']);
  });

  it('answers malformed %-encoding with 400, not 500', async () => {
    expect((await http(host, '/api/%E0%A4%A', { headers: { ...json, ...bearer() }, body: '{}' })).status).toBe(400);
    expect((await http(host, '/%E0%A4%A', { method: 'GET' })).status).toBe(400);
    expect((await http(host, '/assets/%ff.js', { method: 'GET' })).status).toBe(400);
  });

  it('still refuses a wrong Host and a missing token', async () => {
    expect((await http(host, '/api/ledger-info', { headers: { ...json, ...bearer(), host: 'evil.example' }, body: '{}' })).status).toBe(421);
    expect((await http(host, '/api/ledger-info', { headers: json, body: '{}' })).status).toBe(401);
    expect((await http(host, '/api/ledger-info', { headers: { ...json, cookie: `${TOKEN_COOKIE}=guess` }, body: '{}' })).status).toBe(401);
  });

  it('says how long a call took in the host (Server-Timing), so the page can tell the transit from the work', async () => {
    const r = await http(host, '/api/import-history', { headers: { ...json, ...bearer() }, body: '{}' });
    expect(r.status).toBe(200);
    const timing = String(r.headers['server-timing']);
    const dur = (name: string): number => Number(new RegExp(`(?:^|, )${name};dur=([0-9.]+)`).exec(timing)?.[1] ?? NaN);
    // the handler waited 40 ms: the call's time covers it (a lower bound only, never a speed)
    expect(dur('call')).toBeGreaterThanOrEqual(30);
    expect(dur('encode')).toBeGreaterThanOrEqual(0);
    // durations only: no name of the call, its input or its answer
    expect(timing).toMatch(/^call;dur=[0-9.]+, encode;dur=[0-9.]+$/);
  });
});
