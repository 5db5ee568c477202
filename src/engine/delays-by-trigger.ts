/**
 * A pass's delays log (each run admitted after waiting: its trigger, its delay) grouped by
 * trigger, ascending within each group: what placing each trigger's delays together and sorting
 * each group gives, bit for bit, in a few linear passes. A seats edit logs ~90k delays over
 * hundreds of triggers; sorting the groups one by one took 4-7 ms of the edit.
 *
 * A least-significant-digit radix sort on the delays' IEEE bits, a byte at a time (a positive
 * double's bits order as its value does), then a stable placement by trigger. A byte every delay
 * shares (the low bytes of whole milliseconds are all zero) costs its count and no placement.
 * Bytes, not wider digits: 256 places to write to stay in the cache, 65,536 did not.
 *
 * Each loop runs in blocks, one call a block: called once an edit, a loop is only compiled on the
 * stack of its running call (on-stack replacement), each of the ten loops again at every edit,
 * which made this 10-35 ms; a block's function called hundreds of times is compiled once, whole.
 */

/**
 * Delays per trigger from which each group is sorted on its own (`placeThenSort`) rather than the
 * whole log by radix: a seats edit logs ~100k over ~400 triggers, ~250 a group, and spans up to
 * 2^33 ms, five or six byte passes of the radix sort (8 ms) where placing them and sorting each
 * group natively took 4-5 ms. Wider digits missed the cache (2,048 places: 11 ms).
 */
const FEW_PER_GROUP = 32;
const DIGIT = 256;
const DIGITS = 8;
const BLOCK = 4096;
const counts = new Int32Array(DIGITS * DIGIT);
let a = new Float64Array(0);
let b = new Float64Array(0);
let ag = new Int32Array(0);
let bg = new Int32Array(0);

/**
 * Writes the `n` logged delays (`delay[i]` of trigger `trigger[i]`, every one > 0) into `into`,
 * trigger g's from `starts[g]` on, ascending. `starts` is left at each group's end.
 */
export function placeDelaysByTrigger(delay: Float64Array, trigger: Int32Array, n: number, into: Float64Array, starts: Int32Array): void {
  if (n === 0) return;
  if (n >= FEW_PER_GROUP * starts.length) {
    placeThenSort(delay, trigger, n, into, starts);
    return;
  }
  if (a.length < n) {
    const size = Math.max(n, 2 * a.length);
    a = new Float64Array(size);
    b = new Float64Array(size);
    ag = new Int32Array(size);
    bg = new Int32Array(size);
  }
  let src = a;
  let srcG = ag;
  let dst = b;
  let dstG = bg;
  src.set(delay.subarray(0, n));
  srcG.set(trigger.subarray(0, n));
  counts.fill(0);
  let bits = new Uint32Array(src.buffer, 0, 2 * n);
  for (let i = 0; i < n; i += BLOCK) countBytes(bits, i, Math.min(n, i + BLOCK));
  for (let d = 0; d < DIGITS; d++) {
    const base = d * DIGIT;
    const word = d >> 2;
    const shift = (d & 3) * 8;
    if (counts[base + ((bits[word] >>> shift) & 0xff)] === n) continue;
    // each digit's first place
    let at = 0;
    for (let k = base; k < base + DIGIT; k++) {
      const c = counts[k];
      counts[k] = at;
      at += c;
    }
    for (let i = 0; i < n; i += BLOCK) placeByByte(bits, src, srcG, dst, dstG, i, Math.min(n, i + BLOCK), base, word, shift);
    const t = src;
    src = dst;
    dst = t;
    const tg = srcG;
    srcG = dstG;
    dstG = tg;
    bits = new Uint32Array(src.buffer, 0, 2 * n);
  }
  for (let i = 0; i < n; i += BLOCK) placeByTrigger(src, srcG, into, starts, i, Math.min(n, i + BLOCK));
}

/**
 * `placeDelaysByTrigger` by placing the delays by trigger as logged, then sorting each group: the
 * engine's own sort of a Float64Array orders numbers ascending, and delays (all > 0, none NaN)
 * equal in value are equal in bits, so the groups are those the radix sort gives, bit for bit.
 */
function placeThenSort(delay: Float64Array, trigger: Int32Array, n: number, into: Float64Array, starts: Int32Array): void {
  const first = starts.slice();
  for (let i = 0; i < n; i += BLOCK) placeByTrigger(delay, trigger, into, starts, i, Math.min(n, i + BLOCK));
  for (let g = 0; g < starts.length; g++) {
    if (starts[g] - first[g] > 1) into.subarray(first[g], starts[g]).sort();
  }
}

/** Counts each of the eight bytes of the delays from `from` to `to` (their bits as two words each). */
function countBytes(bits: Uint32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const lo = bits[2 * i];
    const hi = bits[2 * i + 1];
    counts[lo & 0xff]++;
    counts[DIGIT + ((lo >>> 8) & 0xff)]++;
    counts[2 * DIGIT + ((lo >>> 16) & 0xff)]++;
    counts[3 * DIGIT + (lo >>> 24)]++;
    counts[4 * DIGIT + (hi & 0xff)]++;
    counts[5 * DIGIT + ((hi >>> 8) & 0xff)]++;
    counts[6 * DIGIT + ((hi >>> 16) & 0xff)]++;
    counts[7 * DIGIT + (hi >>> 24)]++;
  }
}

/** Moves the delays from `from` to `to` to their places by one byte (`counts` from `base`: each byte's next place). */
function placeByByte(bits: Uint32Array, src: Float64Array, srcG: Int32Array, dst: Float64Array, dstG: Int32Array, from: number, to: number, base: number, word: number, shift: number): void {
  for (let i = from; i < to; i++) {
    const k = base + ((bits[2 * i + word] >>> shift) & 0xff);
    const at = counts[k]++;
    dst[at] = src[i];
    dstG[at] = srcG[i];
  }
}

function placeByTrigger(src: Float64Array, srcG: Int32Array, into: Float64Array, starts: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) into[starts[srcG[i]]++] = src[i];
}
