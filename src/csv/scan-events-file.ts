/**
 * The canonical scanner over a file read in 16 MB blocks of whole lines, so that neither the file
 * nor one string of it is ever held whole (a 10M-row file is larger than V8's longest string).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { codesOf } from './chars.ts';
import type { CanonicalRowSink } from './canonical-row.ts';
import { headerOf, headerStart } from './header.ts';
import { EMPTY_MESSAGE, cannotRead } from './messages.ts';
import { scanWithPapa } from './papa-records.ts';
import { scanLines } from './plain-lines.ts';
import { refuseNul } from './scan-events.ts';
import { stateFor } from './scan-state.ts';
import type { ScanState } from './scan-state.ts';
import { badUtf8 } from './utf8.ts';

/** Bytes read per block by scanEventsCsvFile: large enough to amortise, small enough to not matter. */
const BLOCK_BYTES = 16 << 20;

/** V8's longest string: a quoted file past this cannot be handed to papaparse whole. */
const MAX_STRING = 0x1fffffe8;

/**
 * `scanEventsCsv` over a file read in blocks of whole lines, so that neither the file nor one
 * string of it is ever held whole (a 10M-row file is larger than V8's longest string). Throws
 * InputError when the file cannot be opened.
 */
export function scanEventsCsvFile(path: string, file: string, sink: CanonicalRowSink, blockBytes = BLOCK_BYTES): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    let buf = Buffer.allocUnsafe(Math.max(4, blockBytes));
    let have = 0;
    let eof = false;
    let st: ScanState | null = null;
    // bytes of the file behind the current block (the BOM included)
    let consumed = 0;
    const readRest = (): Buffer[] => {
      const parts: Buffer[] = [];
      for (;;) {
        const chunk = Buffer.allocUnsafe(BLOCK_BYTES);
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) return parts;
        sink.onRead?.(chunk.subarray(0, n));
        parts.push(chunk.subarray(0, n));
      }
    };
    for (;;) {
      while (!eof && have < buf.length) {
        let n: number;
        try {
          n = readSync(fd, buf, have, buf.length - have, null);
        } catch (err) {
          throw cannotRead(path, err);
        }
        if (n === 0) eof = true;
        else {
          sink.onRead?.(buf.subarray(have, have + n));
          have += n;
        }
      }
      if (st === null && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        buf.copy(buf, 0, 3, have);
        have -= 3;
        consumed += 3;
      }
      const data = buf.subarray(0, have);
      const complete = eof ? have : data.lastIndexOf(10) + 1;
      if (complete === 0 && !eof) {
        // One line longer than the buffer: make room for it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
        continue;
      }
      const block = data.subarray(0, complete);
      const line = st === null ? 1 : st.line;
      if (refuseNul(block, line, consumed, file, sink)) return;
      if (!isUtf8(block)) {
        badUtf8(block, line, file, sink);
        return;
      }
      const ascii = isAscii(block);
      const text = ascii ? block.toString('latin1') : block.toString('utf8');
      const codes = ascii ? block : codesOf(text);
      let pos = 0;
      if (st === null) {
        if (eof && text.trim() === '') {
          sink.error({ file, line: 1, message: EMPTY_MESSAGE });
          return;
        }
        const head = headerStart(text);
        const headerNl = text.indexOf('\n', head.at);
        const headerEnd = headerNl === -1 ? text.length : headerNl;
        const quote = text.indexOf('"');
        if (quote !== -1 && quote < headerEnd) pos = -1;
        else {
          const cols = headerOf(text, headerEnd, file, sink, head.at, head.line);
          if (cols === null) return;
          st = stateFor(cols, head.line + 1);
          pos = headerEnd + 1;
        }
      }
      let stop = -1;
      if (pos >= 0 && st !== null) {
        const quote = text.indexOf('"', pos);
        stop = scanLines(text, codes, Math.min(pos, text.length), text.length, quote === -1 ? Number.POSITIVE_INFINITY : quote, st, file, sink);
        if (stop < 0) return;
      } else {
        stop = 0;
      }
      if (stop < text.length) {
        // A quote: papaparse reads everything from this line on, as one string.
        const from = ascii ? stop : Buffer.byteLength(text.slice(0, stop), 'utf8');
        const restBytes = Buffer.concat([block.subarray(from), data.subarray(complete), ...(eof ? [] : readRest())]);
        const restLine = st === null ? 1 : st.line;
        if (restBytes.length > MAX_STRING) {
          sink.error({ file, line: restLine, message: 'has quoted fields and is too large to read with them; remove the quotes or split the file' });
          return;
        }
        if (refuseNul(restBytes, restLine, consumed + from, file, sink)) return;
        if (!isUtf8(restBytes)) {
          badUtf8(restBytes, restLine, file, sink);
          return;
        }
        scanWithPapa(restBytes.toString('utf8'), 0, restLine, st === null ? null : st.cols, file, sink, consumed + from);
        return;
      }
      consumed += complete;
      sink.afterBlock?.(consumed);
      if (eof) return;
      buf.copy(buf, 0, complete, have);
      have -= complete;
    }
  } finally {
    closeSync(fd);
  }
}
