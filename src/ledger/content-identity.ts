/**
 * The identity of an event without an id, as the ledger shows it: the ledger stores only an
 * occurrence number for such a row, and makes this string again when it is shown (decisions and
 * exports name events by it). Here, below the importers, because the ledger's readers need it
 * and the importers count occurrences with the same hash.
 */

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
export function contentHash(time: number, type: number, subject: string, cost: number, out: Int32Array): void {
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
