import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';

/**
 * Files the browser hands the web host: streamed in chunks into one folder the host owns, never
 * posted as one JSON body (a 75 MB export as a string in a JSON body took the host to 846 MB) and
 * never named by a path the page chose. The page begins an upload (name and size), sends the
 * bytes in order, chunk by chunk, and then imports `{ upload: id }`; the host maps the id to its
 * own file. Ids are random; a file outside the folder can never be named.
 */

/** Largest chunk the page may send in one request (the host buffers one chunk at a time). */
export const MAX_CHUNK_BYTES = 8 << 20;
/** Largest file: well past the platform's biggest exports. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
const ID = /^[A-Za-z0-9_-]{22,64}$/;

interface Upload {
  name: string;
  size: number;
  received: number;
  path: string;
}

export class UploadError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class Uploads {
  readonly dir: string;
  private readonly open = new Map<string, Upload>();

  /** `dir` is the host's own folder; what an earlier run left there is removed. */
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const f of readdirSync(dir)) if (f.endsWith('.upload')) rmSync(join(dir, f), { force: true });
  }

  begin(name: string, size: number): string {
    if (typeof name !== 'string' || name.length === 0 || name.length > 512) throw new UploadError(400, 'an upload needs a file name of 1 to 512 characters');
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_UPLOAD_BYTES) throw new UploadError(413, `a file may hold at most ${MAX_UPLOAD_BYTES} bytes`);
    const id = randomBytes(24).toString('base64url');
    const path = join(this.dir, `${id}.upload`);
    writeFileSync(path, new Uint8Array(0), { mode: 0o600 });
    // the name is shown, never used as a path
    this.open.set(id, { name: basename(name.replace(/\\/g, '/')), size, received: 0, path });
    return id;
  }

  /** Appends the next chunk; `offset` must be where the last one ended (no holes, no overwrite). */
  append(id: string, offset: number, chunk: Uint8Array): number {
    const u = this.get(id);
    if (offset !== u.received) throw new UploadError(409, `expected the chunk at offset ${u.received}, got ${offset}`);
    if (u.received + chunk.length > u.size) throw new UploadError(413, `more bytes than the ${u.size} announced`);
    appendFileSync(u.path, chunk);
    u.received += chunk.length;
    return u.received;
  }

  /** The host's own file for a complete upload, with the name to show. */
  resolve(id: string): { path: string; name: string } {
    const u = this.get(id);
    if (u.received !== u.size) throw new UploadError(409, `the upload is incomplete (${u.received} of ${u.size} bytes)`);
    if (statSync(u.path).size !== u.size) throw new UploadError(409, 'the upload changed on disk');
    return { path: u.path, name: u.name };
  }

  remove(id: string): void {
    const u = this.open.get(id);
    if (u === undefined) return;
    this.open.delete(id);
    rmSync(u.path, { force: true });
  }

  close(): void {
    for (const id of [...this.open.keys()]) this.remove(id);
  }

  private get(id: string): Upload {
    const u = ID.test(id) ? this.open.get(id) : undefined;
    if (u === undefined) throw new UploadError(404, 'no such upload');
    return u;
  }

  /**
   * `POST /api/upload-begin` (JSON `{name, size}` → `{id}`) and `POST /api/upload-chunk?id=&offset=`
   * (raw bytes, at most MAX_CHUNK_BYTES); `POST /api/upload-cancel?id=` drops an upload the page
   * stopped (its Cancel). The caller has checked the token. False: not an upload path.
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/api/upload-begin' && url.pathname !== '/api/upload-chunk' && url.pathname !== '/api/upload-cancel') return false;
    try {
      if (req.method !== 'POST') throw new UploadError(405, 'use POST');
      if (url.pathname === '/api/upload-cancel') {
        await readLimited(req, 0);
        const id = url.searchParams.get('id') ?? '';
        this.get(id);
        this.remove(id);
        reply(res, 200, { ok: true, value: { removed: true } });
        return true;
      }
      const body = await readLimited(req, url.pathname === '/api/upload-begin' ? 4096 : MAX_CHUNK_BYTES);
      if (url.pathname === '/api/upload-begin') {
        let input: { name?: unknown; size?: unknown };
        try {
          input = JSON.parse(body.toString('utf8')) as { name?: unknown; size?: unknown };
        } catch {
          throw new UploadError(400, 'the upload request is not JSON');
        }
        reply(res, 200, { ok: true, value: { id: this.begin(String(input.name ?? ''), Number(input.size)) } });
      } else {
        const offset = Number(url.searchParams.get('offset'));
        if (!Number.isSafeInteger(offset) || offset < 0) throw new UploadError(400, 'offset must be a byte count');
        reply(res, 200, { ok: true, value: { received: this.append(url.searchParams.get('id') ?? '', offset, body) } });
      }
    } catch (err) {
      const status = err instanceof UploadError ? err.status : 500;
      reply(res, status, { ok: false, error: { code: status === 500 ? 'internal' : 'invalid_input', message: (err as Error).message, details: [] } });
    }
    return true;
  }
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new UploadError(413, `a chunk may hold at most ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
