import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { API_CHANNELS, dispatch, unknownCall } from '../api/handlers.ts';
import type { ApiChannel, ApiHandlers, JobRegistry } from '../api/handlers.ts';
import type { ServiceLink } from '../api/service-link.ts';
import type { ProgressEvent } from '../api/types.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import type { Uploads } from './uploads.ts';


/** Where calls go: a link (the service in this process or a relay to the service process), or a handler map run here. */
export type WebHostCalls = { link: ServiceLink } | { handlers: ApiHandlers; jobs: JobRegistry };

export type WebHostOptions = WebHostCalls & WebHostSettings;

export interface WebHostSettings {
  /** the built renderer (index.html and assets) */
  staticDir: string;
  /** 0 = any free port */
  port?: number;
  /** fixed token for tests; a random one per run otherwise */
  token?: string;
  /** the files the page uploads in chunks (src/host/uploads.ts); reached after the token and Origin checks */
  uploads?: Uploads;
  /** the largest JSON call body, bytes (default MAX_JSON_BODY) */
  maxJsonBody?: number;
}

export interface WebHost {
  /** open this in a browser: its `?token=` is traded for a cookie on that first load */
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

/**
 * A JSON call's body: a plan with tens of thousands of entities or a 16 MiB plan file's text
 * (model-load-plan) with its escapes fits; a big CSV goes through the streamed upload route.
 */
export const MAX_JSON_BODY = 48 * 1024 * 1024;

/** The cookie the first page load sets: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export const TOKEN_COOKIE = 'headroom-token';

/** `POST /api/<channel>` for every call of the domain modules (src/api/domains/), and no other. */
export function webHostRoutes(): Map<string, ApiChannel> {
  return new Map(API_CHANNELS.map((c) => [`/api/${c}`, c]));
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

class HttpRefusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads at most `limit` bytes; past it the request is refused before the rest is read. */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new HttpRefusal(413, `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpRefusal(413, `request body over ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A call's answer with the host's own share of its time (the W3C Server-Timing header, which the
 * page reads in its resource timing): `call`, from its body read to its answer settled (the
 * service, the compute worker and back); `encode`, the answer's JSON. What is left of the page's
 * request-to-response time is the HTTP transit on both sides. Durations only: nothing here says
 * what the call was about.
 */
function sendTimed(res: ServerResponse, body: unknown, callMs: number): void {
  const started = performance.now();
  const text = JSON.stringify(body);
  const encodeMs = performance.now() - started;
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'server-timing': `call;dur=${callMs.toFixed(1)}, encode;dur=${encodeMs.toFixed(1)}`,
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, { ok: false, error: { code: 'invalid_input', message, details: [] } });
}

/** The run token the request carries in its cookie, if any. */
function cookieToken(req: IncomingMessage): string {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) return part.slice(eq + 1).trim();
  }
  return '';
}

/** `decodeURIComponent`, or null for malformed %-encoding (a 400, not a 500). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * Serves the renderer and the same handler map over HTTP, on 127.0.0.1 only. Every API request
 * needs the run's token (the HttpOnly cookie the first page load traded `?token=` for, or an
 * `Authorization: Bearer` header, never the query string), comes from this origin when a browser
 * says where it comes from, and is JSON; requests naming another host are refused (DNS
 * rebinding). So a page on another site cannot call it even with the token: its requests carry
 * neither the cookie nor an accepted Origin, and a `no-cors` text/plain POST is refused by type.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxJsonBody = opts.maxJsonBody ?? MAX_JSON_BODY;
  const listeners = new Set<ServerResponse>();
  const root = normalize(opts.staticDir + sep);
  const routes = webHostRoutes();
  const run = (channel: ApiChannel, raw: unknown, emit: (e: ProgressEvent) => void): Promise<unknown> =>
    'link' in opts ? opts.link.call(channel, raw, emit) : dispatch(opts.handlers, opts.jobs, channel, raw, emit);
  let origin = '';

  const emit = (event: ProgressEvent): void => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(line);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.searchParams.has('token')) {
      refuse(res, 401, 'the token is accepted in the address only for the first page load; send the cookie or an Authorization header');
      return;
    }
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : cookieToken(req);
    if (!sameToken(given, token)) {
      refuse(res, 401, 'missing or wrong token');
      return;
    }
    // A browser names the page a request comes from; only this host's own pages may call.
    const from = req.headers.origin;
    if (from !== undefined && from !== origin) {
      refuse(res, 403, `requests from ${from} are not accepted`);
      return;
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': progress\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (req.method !== 'POST') {
      refuse(res, 405, 'use POST');
      return;
    }
    // uploads read their own bodies (chunks of raw bytes, streamed): src/host/uploads.ts
    if (opts.uploads !== undefined && (await opts.uploads.handle(req, res, url))) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      refuse(res, 415, 'calls must be sent as application/json');
      return;
    }
    const route = decoded(url.pathname);
    if (route === null) {
      refuse(res, 400, 'malformed %-encoding in the address');
      return;
    }
    const channel = routes.get(route);
    if (channel === undefined) {
      send(res, 404, unknownCall(route.slice('/api/'.length)));
      return;
    }
    let raw: unknown;
    try {
      const text = await readBody(req, maxJsonBody);
      raw = text ? (JSON.parse(text) as unknown) : {};
    } catch (err) {
      const status = err instanceof HttpRefusal ? err.status : 400;
      // the rest of an oversized body is not read: the connection closes after the answer
      send(res, status, { ok: false, error: { code: 'invalid_input', message: `bad request body: ${(err as Error).message}`, details: [] } }, status === 413 ? { connection: 'close' } : {});
      if (status === 413) res.once('finish', () => req.destroy());
      return;
    }
    const called = performance.now();
    const answer = await run(channel, raw, emit);
    sendTimed(res, answer, performance.now() - called);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== origin.slice('http://'.length)) {
        refuse(res, 421, 'wrong host');
        return;
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', origin);
      } catch {
        refuse(res, 400, 'malformed address');
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        await api(req, res, url);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const first = url.searchParams.get('token');
      if (first !== null) {
        // The first page load: the token moves into the cookie and out of the address (history, logs).
        if (!sameToken(first, token)) {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('wrong token: open the address Headroom printed');
          return;
        }
        url.searchParams.delete('token');
        res.writeHead(303, {
          location: url.pathname + url.search,
          'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        res.end();
        return;
      }
      const path = decoded(url.pathname.slice(1));
      if (path === null) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('malformed %-encoding in the address');
        return;
      }
      const rel = url.pathname === '/' ? 'index.html' : path;
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
    url: `${origin}/?token=${token}`,
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
