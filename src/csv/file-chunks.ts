/** A file's bytes in chunks for the importer's reader: as they are, or gunzipped as they stream. */
import { createGunzip } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.ts';

/** gzip's magic bytes: a `.csv.gz` is read through a streaming gunzip, never whole. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The file's bytes in chunks: as they are, or gunzipped as they stream. */
export async function* fileChunks(fh: FileHandle, size: number, chunkBytes: number, gzip: boolean, onRaw: (rawBytes: Uint8Array, offset: number) => void): AsyncGenerator<Uint8Array> {
  if (!gzip) {
    let offset = 0;
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(chunkBytes, size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return;
      const bytes = buf.subarray(0, bytesRead);
      offset += bytesRead;
      onRaw(bytes, offset);
      yield bytes;
    }
    return;
  }
  let offset = 0;
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  const raw = fh.createReadStream({ start: 0, highWaterMark: chunkBytes, autoClose: false });
  raw.on('data', (b: Buffer | string) => {
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    offset += bytes.length;
    onRaw(bytes, offset);
  });
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    throw new InputError(`the file is not a readable gzip archive (${(err as Error).message})`, [{ message: `not a readable gzip archive (${(err as Error).message})` }]);
  } finally {
    raw.unpipe(gunzip);
    raw.destroy();
  }
}
