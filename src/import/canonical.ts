import { readHeader } from '../engine/csv.ts';
import type { ColumnMap } from '../engine/csv.ts';
import { InputError, formatDetail } from '../errors.ts';

/**
 * What the canonical events format (SPEC §6) needs beyond the engine's CSV scanner: the header
 * check and the identity of a row without an id. Apart from formats.ts so that the import's
 * parse worker (pipeline.ts) loads only this, not every format and its schema library.
 */

/** The columns of a canonical events header, or the InputError naming what is missing. */
export function canonicalColumns(header: string[], file: string): ColumnMap {
  const cols = readHeader(header);
  if (Array.isArray(cols)) {
    const details = cols.map((e) => ({ file, line: 1, ...e }));
    // the messages name their columns already ("missing columns timestamp, ..."): no column prefix
    throw new InputError(details.map(({ column: _c, ...d }) => formatDetail(d)).join('\n'), details);
  }
  return cols;
}

/** 64 symbols in ascending ASCII order, so that encoded times sort as the times do. */
const SORTED64 = Array.from('-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));
const TIME_OFFSET = 2 ** 47;
const TWO32 = 2 ** 32;

/**
 * 128 bits of cyrb128 (a public-domain mixing hash on MurmurHash3's multipliers) over the row's
 * normalized content, fed as numbers: time and cost as two 32-bit words each, the type, then the
 * subject's UTF-16 units. Stable across versions and platforms, and far cheaper per row than a
 * crypto digest (or building a content string), which matters at a million rows. Identity, not
 * security: nobody gains by forging a collision in their own usage export.
 */
function contentHash(time: number, type: number, subject: string, cost: number, out: Int32Array): void {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  const tHi = Math.floor(time / TWO32);
  const cHi = Math.floor(cost / TWO32);
  const n = subject.length + 5;
  for (let i = 0; i < n; i++) {
    const k = i === 0 ? time - tHi * TWO32 : i === 1 ? tHi : i === 2 ? type : i === 3 ? cost - cHi * TWO32 : i === 4 ? cHi : subject.charCodeAt(i - 5);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  out[0] = h1;
  out[1] = h2 ^ h1;
  out[2] = h3 ^ h1;
  out[3] = h4 ^ h1;
}

/**
 * Identity of a row without an id: `~` + its time (8 characters that sort like the time) + 48
 * bits of the hash of its normalized content (8 characters), then `.n` for the n-th identical
 * row of the file (n >= 2). Two rows collide only with the same millisecond and the same 48-bit
 * hash (odds ~1e-9 even at a thousand distinct rows per millisecond). The time leads so that a
 * file in time order adds to the end of the identity index instead of all over it; 17
 * characters keep the table and its index small.
 */
export class ContentIdentity {
  // An open-addressing table of the 64-bit hashes seen, with their counts, in one typed array,
  // 3 words a slot (hash high, hash low, count): a probe touches one cache line, not three.
  // (A Set of 53-bit numbers cost 5 µs an insert here: V8 hashes heap numbers badly.)
  private slots = new Int32Array(3 << 12);
  private size = 1 << 12;
  private used = 0;

  private readonly h = new Int32Array(4);
  private readonly codes = new Array<number>(17).fill(0);

  of(time: number, type: number, subject: string, cost: number): string {
    const h = this.h;
    contentHash(time, type, subject, cost, h);
    const occurrence = this.bump(h[0]!, h[3]!);
    // `~`, 8 characters of time (they sort like the time), 8 of 48 hash bits
    const c = this.codes;
    c[0] = 126;
    let v = time + TIME_OFFSET;
    for (let k = 8; k >= 1; k--) {
      const q = Math.floor(v / 64);
      c[k] = SORTED64[v - q * 64]!;
      v = q;
    }
    const a = h[0]!;
    const b = h[1]!;
    c[9] = SORTED64[a >>> 26]!;
    c[10] = SORTED64[(a >>> 20) & 63]!;
    c[11] = SORTED64[(a >>> 14) & 63]!;
    c[12] = SORTED64[(a >>> 8) & 63]!;
    c[13] = SORTED64[(a >>> 2) & 63]!;
    c[14] = SORTED64[((a & 3) << 4) | ((b >>> 28) & 15)]!;
    c[15] = SORTED64[(b >>> 22) & 63]!;
    c[16] = SORTED64[(b >>> 16) & 63]!;
    const id = String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!);
    return occurrence === 1 ? id : `${id}.${occurrence}`;
  }

  private bump(a: number, b: number): number {
    if (this.used * 2 >= this.size) this.grow();
    const slots = this.slots;
    const mask = this.size - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const at = i * 3;
      const n = slots[at + 2]!;
      if (n === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = 1;
        this.used++;
        return 1;
      }
      if (slots[at] === a && slots[at + 1] === b) {
        slots[at + 2] = n + 1;
        return n + 1;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldSize = this.size;
    const size = oldSize * 2;
    const slots = new Int32Array(size * 3);
    const mask = size - 1;
    for (let k = 0; k < oldSize; k++) {
      const n = old[k * 3 + 2]!;
      if (n === 0) continue;
      const a = old[k * 3]!;
      const b = old[k * 3 + 1]!;
      let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
      while (slots[i * 3 + 2] !== 0) i = (i + 1) & mask;
      slots[i * 3] = a;
      slots[i * 3 + 1] = b;
      slots[i * 3 + 2] = n;
    }
    this.slots = slots;
    this.size = size;
  }
}
