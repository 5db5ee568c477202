import { CallError } from '../api/client.ts';
import type { ImportSource } from '../../../src/api/schemas.ts';

/** Bytes per request: the host buffers one chunk at a time (src/host/uploads.ts allows 8 MiB). */
const CHUNK_BYTES = 4 << 20;

interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: { message: string };
}

async function post<T>(url: string, token: string, body: BodyInit, type: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body, ...(signal ? { signal } : {}) });
  const out = (await res.json()) as Settled<T>;
  if (!out.ok || out.value === undefined) throw new Error(out.error?.message ?? `upload failed (HTTP ${res.status})`);
  return out.value;
}

/**
 * The file as an import source, never its text. In the desktop app the preload hands main the
 * file's path and the page gets a handle (electron/main/file-grant.ts). In the browser host it is
 * streamed to the host in chunks and named by the id the host gives it: the page never names a
 * path. `signal` stops an upload; the host then drops what it received.
 */
export async function sourceOfFile(file: File, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ImportSource> {
  const desktop = window.headroom;
  if (desktop !== undefined) {
    if (desktop.grantFile === undefined) throw new Error('this build of the app cannot take dropped files; use File > Import CSV');
    const granted = await desktop.grantFile(file);
    if (!granted.ok) throw new CallError(granted.error);
    return { upload: granted.value.handle };
  }
  const token = sessionStorage.getItem('headroom-token') ?? '';
  const { id } = await post<{ id: string }>('/api/upload-begin', token, JSON.stringify({ name: file.name, size: file.size }), 'application/json', signal);
  try {
    onProgress?.(0, file.size);
    for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
      await post<{ received: number }>(`/api/upload-chunk?id=${encodeURIComponent(id)}&offset=${offset}`, token, file.slice(offset, offset + CHUNK_BYTES), 'application/octet-stream', signal);
      onProgress?.(Math.min(offset + CHUNK_BYTES, file.size), file.size);
    }
  } catch (err) {
    // stopped or failed half way: the host's partial copy goes
    void post('/api/upload-cancel?id=' + encodeURIComponent(id), token, '', 'application/octet-stream').catch(() => {});
    throw err;
  }
  return { upload: id };
}
