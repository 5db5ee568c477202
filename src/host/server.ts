import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../api/handlers.ts';
import type { ApiHandlers, JobRegistry } from '../api/handlers.ts';
import type { ProgressEvent } from '../api/types.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import type { Uploads } from './uploads.ts';

export interface WebHostOptions {
  handlers: ApiHandlers;
  jobs: JobRegistry;
  /** the built renderer (index.html and assets) */
  staticDir: string;
  /** 0 = any free port */
  port?: number;
  /** fixed token for tests; a random one per run otherwise */
  token?: string;
  /** the files the page uploads in chunks (src/host/uploads.ts) */
  uploads?: Uploads;
}

export interface WebHost {
  /** open this in a browser: the token travels in the fragment, never in a request line */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_BODY = 600 * 1024 * 1024;

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Serves the renderer and the same handler map over HTTP, on 127.0.0.1 only. Every API request
 * needs the run's token, and requests naming another host are refused (DNS rebinding).
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const listeners = new Set<ServerResponse>();
  const root = normalize(opts.staticDir + sep);
  let origin = '';

  const emit = (event: ProgressEvent): void => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(line);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== origin.slice('http://'.length)) {
        send(res, 421, { ok: false, error: { code: 'invalid_input', message: 'wrong host', details: [] } });
        return;
      }
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname.startsWith('/api/')) {
        const auth = req.headers.authorization ?? '';
        const given = auth.startsWith('Bearer ') ? auth.slice(7) : (url.searchParams.get('token') ?? '');
        if (!sameToken(given, token)) {
          send(res, 401, { ok: false, error: { code: 'invalid_input', message: 'missing or wrong token', details: [] } });
          return;
        }
        if (opts.uploads !== undefined && (await opts.uploads.handle(req, res, url))) return;
        if (url.pathname === '/api/events' && req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': progress\n\n');
          listeners.add(res);
          req.on('close', () => listeners.delete(res));
          return;
        }
        if (req.method !== 'POST') {
          send(res, 405, { ok: false, error: { code: 'invalid_input', message: 'use POST', details: [] } });
          return;
        }
        let raw: unknown;
        try {
          const text = await readBody(req);
          raw = text ? (JSON.parse(text) as unknown) : {};
        } catch (err) {
          send(res, 400, { ok: false, error: { code: 'invalid_input', message: `bad request body: ${(err as Error).message}`, details: [] } });
          return;
        }
        const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
        send(res, 200, await dispatch(opts.handlers, opts.jobs, channel, raw, emit));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = normalize(join(root, rel));
      if (!file.startsWith(root)) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'internal', message: String(err), details: [] } });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of listeners) res.end();
        listeners.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
