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

/** The `~` + 16 characters of a content identity, as ASCII codes, into `out` (17 entries). */
function writeContentCodes(time: number, type: number, subject: string, cost: number, out: Uint8Array, h: Int32Array): void {
  contentHash(time, type, subject, cost, h);
  out[0] = 126;
  let v = time + TIME_OFFSET;
  for (let k = 8; k >= 1; k--) {
    const q = Math.floor(v / 64);
    out[k] = SORTED64[v - q * 64]!;
    v = q;
  }
  const a = h[0]!;
  const b = h[1]!;
  out[9] = SORTED64[a >>> 26]!;
  out[10] = SORTED64[(a >>> 20) & 63]!;
  out[11] = SORTED64[(a >>> 14) & 63]!;
  out[12] = SORTED64[(a >>> 8) & 63]!;
  out[13] = SORTED64[(a >>> 2) & 63]!;
  out[14] = SORTED64[((a & 3) << 4) | ((b >>> 28) & 15)]!;
  out[15] = SORTED64[(b >>> 22) & 63]!;
  out[16] = SORTED64[(b >>> 16) & 63]!;
}

const scratchHash = new Int32Array(4);
/** distinct rows at one millisecond compared one by one before ContentOccurrences turns to its table */
const GROUP_MAX = 16;
const scratchCodes = new Uint8Array(17);

/**
 * The identity shown for a row without an id (the ledger stores only its occurrence number):
 * `~` + its time (8 characters that sort like the time) + 48 bits of the hash of its normalized
 * content (8 characters), then `.n` for the n-th identical row of its file (n >= 2). Two rows
 * show the same identity only with the same millisecond and the same 48-bit hash (odds ~1e-9
 * even at a thousand distinct rows per millisecond). These are the identities ledgers before
 * version 4 stored (migration 4 turns them back into occurrence numbers): keep them
 * byte-identical, decisions and exports name events by them.
 */
export function contentIdentity(time: number, type: number, subject: string, cost: number, occurrence: number): string {
  const c = scratchCodes;
  writeContentCodes(time, type, subject, cost, c, scratchHash);
  const id = String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!);
  return occurrence === 1 ? id : `${id}.${occurrence}`;
}

/**
 * contentIdentity's UTF-8 bytes written into `out` from `at` (room for 34 bytes: 17, a dot and up
 * to 16 digits); returns where they end. The ledger's page reader packs a million of them without
 * making a string.
 */
export function writeContentIdentity(time: number, type: number, subject: string, cost: number, occurrence: number, out: Uint8Array, at: number): number {
  const c = scratchCodes;
  writeContentCodes(time, type, subject, cost, c, scratchHash);
  out.set(c, at);
  let end = at + 17;
  if (occurrence !== 1) {
    out[end++] = 46;
    const digits = String(occurrence);
    for (let k = 0; k < digits.length; k++) out[end++] = digits.charCodeAt(k);
  }
  return end;
}

/**
 * The occurrence number of `stored` as the identity of this row without an id (the inverse of
 * contentIdentity), or null when `stored` is not this row's content identity (an id of its own).
 */
export function occurrenceOf(stored: string, time: number, type: number, subject: string, cost: number): number | null {
  if (stored.length < 17 || stored.charCodeAt(0) !== 126) return null;
  let occurrence = 1;
  if (stored.length > 17) {
    const suffix = /^\.([1-9][0-9]{0,8})$/.exec(stored.slice(17));
    if (suffix === null) return null;
    occurrence = Number(suffix[1]);
    if (occurrence < 2) return null;
  }
  return contentIdentity(time, type, subject, cost, occurrence) === stored ? occurrence : null;
}

/**
 * Counts identical rows within one file: the n-th row with the same time, type, subject and
 * cost is occurrence n. With the content, that is the identity of a row without an id (SPEC §8).
 */
export class ContentOccurrences {
  // Rows equal only at the same millisecond. While the file comes in time order (exports do),
  // a row later than all before it is a first occurrence, and only the rows of the latest
  // millisecond need comparing: the hashes are just logged, in order, at 8 bytes a row. The
  // first row out of order (or a crowd of distinct rows at one millisecond) turns the log into
  // the table below, which then counts every row: a random probe into tens of MB a row, which
  // at a million rows cost the parse worker more than its scan.
  private ordered = true;
  private latest = Number.NEGATIVE_INFINITY;
  private log = new Int32Array(1 << 13);
  private logged = 0;
  /** the distinct hashes at `latest` with their counts, 3 words each */
  private readonly group = new Int32Array(3 * GROUP_MAX);
  private grouped = 0;

  // An open-addressing table of the 64-bit hashes seen, with their counts, in one typed array,
  // 3 words a slot (hash high, hash low, count): a probe touches one cache line, not three.
  // (A Set of 53-bit numbers cost 5 µs an insert here: V8 hashes heap numbers badly.)
  private slots = new Int32Array(0);
  private size = 0;
  private used = 0;

  private readonly h = new Int32Array(4);

  next(time: number, type: number, subject: string, cost: number): number {
    const h = this.h;
    contentHash(time, type, subject, cost, h);
    const a = h[0]!;
    const b = h[3]!;
    if (!this.ordered) return this.bump(a, b);
    if (this.logged + 2 > this.log.length) {
      const log = new Int32Array(this.log.length * 2);
      log.set(this.log);
      this.log = log;
    }
    this.log[this.logged++] = a;
    this.log[this.logged++] = b;
    if (time > this.latest) {
      this.latest = time;
      this.group[0] = a;
      this.group[1] = b;
      this.group[2] = 1;
      this.grouped = 1;
      return 1;
    }
    if (time === this.latest) {
      const g = this.group;
      for (let k = 0; k < this.grouped; k++) {
        if (g[k * 3] === a && g[k * 3 + 1] === b) {
          const count = g[k * 3 + 2]! + 1;
          g[k * 3 + 2] = count;
          return count;
        }
      }
      if (this.grouped < GROUP_MAX) {
        const at = this.grouped++ * 3;
        g[at] = a;
        g[at + 1] = b;
        g[at + 2] = 1;
        return 1;
      }
    }
    // out of order: count everything logged (this row last) in the table from now on
    this.ordered = false;
    this.size = 1 << 12;
    while (this.size < this.logged) this.size *= 2;
    this.slots = new Int32Array(this.size * 3);
    const log = this.log;
    const n = this.logged;
    this.log = new Int32Array(0);
    let count = 1;
    for (let k = 0; k < n; k += 2) count = this.bump(log[k]!, log[k + 1]!);
    return count;
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
