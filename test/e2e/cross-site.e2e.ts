import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openSession } from './harness.ts';
import type { Session } from './harness.ts';

/**
 * A page of another origin in the same browser (issue 15, finding 6): even knowing the token and
 * after the app was opened (the cookie is set; another port of 127.0.0.1 is the same *site*, so
 * SameSite alone would still send it), its `no-cors` text/plain POSTs and its JSON fetch reach no
 * handler (Content-Type and Origin checks, no CORS), and no file is created.
 */
describe('another site cannot call the web host', () => {
  let s: Session;
  let evil: Server;
  let evilOrigin = '';

  beforeAll(async () => {
    s = await openSession();
    evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title>'));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    // another origin: same address, other port
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await s?.close();
    evil.closeAllConnections();
    await new Promise<void>((r) => evil.close(() => r()));
  });

  it('refuses its requests, with or without the leaked token', async () => {
    const { page } = s;
    await page.goto(s.headroom.host.url);
    await page.getByTestId('keys-table').waitFor();
    // the token left the address once the cookie was set
    expect(page.url()).not.toContain('token=');
    const target = join(s.dir, 'pwned.sqlite');
    const other = await s.context.newPage();
    await other.goto(evilOrigin);
    const results = await other.evaluate(
      async ({ host, token, path }) => {
        const out: string[] = [];
        const body = JSON.stringify({ path });
        // the audit's probe: a simple request, no preflight, the leaked token in the query
        await fetch(`${host}/api/ledger-new?token=${token}`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }).then(
          () => out.push('no-cors sent'),
          (e: unknown) => out.push(`no-cors failed ${String(e)}`),
        );
        await fetch(`${host}/api/ledger-new`, { method: 'POST', mode: 'no-cors', credentials: 'include', body }).then(
          () => out.push('cookie no-cors sent'),
          (e: unknown) => out.push(`cookie no-cors failed ${String(e)}`),
        );
        await fetch(`${host}/api/ledger-new`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }).then(
          (r) => out.push(`cors ${r.status}`),
          () => out.push('cors blocked'),
        );
        return out;
      },
      { host: s.headroom.host.origin, token: s.headroom.host.token, path: target },
    );
    expect(results.length).toBe(3);
    expect(existsSync(target)).toBe(false);
    await other.close();
  });
});
