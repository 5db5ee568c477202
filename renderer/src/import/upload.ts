import type { ImportSource } from '../../../src/api/schemas.ts';

/** Bytes per request: the host buffers one chunk at a time (src/host/uploads.ts allows 8 MiB). */
const CHUNK_BYTES = 4 << 20;

interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: { message: string };
}

async function post<T>(url: string, token: string, body: BodyInit, type: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const out = (await res.json()) as Settled<T>;
  if (!out.ok || out.value === undefined) throw new Error(out.error?.message ?? `upload failed (HTTP ${res.status})`);
  return out.value;
}

/**
 * The file as an import source. In the browser host it is streamed to the host in chunks (never
 * read whole into a JSON body) and named by the id the host gives it: the page never names a
 * path. In the desktop app the preload hands the file's text to the main process.
 */
export async function sourceOfFile(file: File, onProgress?: (done: number, total: number) => void): Promise<ImportSource> {
  if (window.headroom !== undefined) return { name: file.name, text: await file.text() };
  const token = sessionStorage.getItem('headroom-token') ?? '';
  const { id } = await post<{ id: string }>('/api/upload-begin', token, JSON.stringify({ name: file.name, size: file.size }), 'application/json');
  for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
    await post<{ received: number }>(`/api/upload-chunk?id=${encodeURIComponent(id)}&offset=${offset}`, token, file.slice(offset, offset + CHUNK_BYTES), 'application/octet-stream');
    onProgress?.(Math.min(offset + CHUNK_BYTES, file.size), file.size);
  }
  return { upload: id };
}
