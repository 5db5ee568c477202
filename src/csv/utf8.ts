/**
 * UTF-8: finding the first byte that is not UTF-8 and naming its line (and, for the importer, its
 * offset and column), and bytes to text without a BOM.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { InputError, formatDetail } from '../errors.ts';
import type { InputErrorDetail } from '../errors.ts';
import type { CanonicalRowSink } from './canonical-row.ts';

const NOT_UTF8 = 'is not valid UTF-8';

/** Whether a reported problem is the file's encoding (the read stopped there), not a row's values. */
export function isEncodingProblem(detail: InputErrorDetail): boolean {
  return detail.message.startsWith(NOT_UTF8);
}

/**
 * Physical line (1-based) and offset of the first byte that is not valid UTF-8, as the decoders
 * judge it (overlong forms and surrogates included); the offset is `bytes.length` when there is none.
 */
export function firstBadUtf8Line(bytes: Uint8Array): { line: number; offset: number } {
  let line = 1;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 10) line++;
    let need: number;
    let min = 0;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return { line, offset: i };
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return { line, offset: i };
      cp = (cp << 6) | (c & 0x3f);
    }
    if (need > 0 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return { line, offset: i };
    i += need + 1;
  }
  return { line, offset: i };
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstNonUtf8Byte(bytes: Uint8Array): number {
  const { offset } = firstBadUtf8Line(bytes);
  return offset < bytes.length ? offset : -1;
}

/** Reports invalid UTF-8 in `bytes`, whose first byte is on physical line `line`. */
export function badUtf8(bytes: Uint8Array, line: number, file: string, sink: CanonicalRowSink): void {
  const at = firstBadUtf8Line(bytes);
  sink.error({ file, line: line + at.line - 1, message: `${NOT_UTF8} (byte 0x${bytes[at.offset]?.toString(16).padStart(2, '0')}); save the file as UTF-8` });
}

/** Bytes → text: checks UTF-8 and drops a BOM. Throws InputError naming the line. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (!isUtf8(bytes)) {
    const { line, offset } = firstBadUtf8Line(bytes);
    const detail = { file, line, message: `${NOT_UTF8} (byte 0x${bytes[offset]?.toString(16).padStart(2, '0')} at offset ${offset}); save the file as UTF-8` };
    throw new InputError(formatDetail(detail), [detail]);
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The refusal of a file whose first byte that is not UTF-8 lies after `chunkStart` (within its next MiB). */
export async function encodingError(path: string, name: string, chunkStart: number): Promise<InputError> {
  // only on failure: read back from the start of the failing chunk's line to point at the byte
  const fh = await open(path, 'r');
  try {
    const lookBack = Math.min(chunkStart, 1 << 16);
    const from = chunkStart - lookBack;
    const len = Math.min((1 << 20) + lookBack + 8, (await fh.stat()).size - from);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, from);
    // none found (the decoder's verdict on a cut sequence): the chunk's first byte is named
    const at = lookBack + Math.max(0, firstNonUtf8Byte(buf.subarray(lookBack)));
    let lineStart = buf.lastIndexOf(10, at - 1) + 1;
    if (lineStart < 0) lineStart = 0;
    let line = 1;
    const head = Buffer.alloc(from + lineStart);
    await fh.read(head, 0, head.length, 0);
    for (let i = 0; i < head.length; i++) if (head[i] === 10) line++;
    const header = await firstLine(fh);
    const prefix = buf.subarray(lineStart, at).toString('latin1');
    let col = 0;
    let inQuote = false;
    for (const ch of prefix) {
      if (ch === '"') inQuote = !inQuote;
      else if (ch === ',' && !inQuote) col++;
    }
    const column = line === 1 ? undefined : header[col];
    const value = `\\x${buf[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
    const message = `byte ${value} at offset ${from + at} is not UTF-8; export or save the file as UTF-8`;
    return new InputError(`${name}:${line}: ${message}`, [{ file: name, line, ...(column !== undefined ? { column } : {}), value, message }]);
  } finally {
    await fh.close();
  }
}

async function firstLine(fh: FileHandle): Promise<string[]> {
  const b = Buffer.alloc(4096);
  const { bytesRead } = await fh.read(b, 0, 4096, 0);
  return b.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.split(',');
}
