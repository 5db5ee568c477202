import { readHeader } from '../csv/header.ts';
import type { ColumnMap } from '../csv/header.ts';
import { InputError, formatDetail } from '../errors.ts';
import { contentHash } from '../ledger/content-identity.ts';

// the identity of a row without an id is the ledger's (it makes it again when shown)
export { contentIdentity, writeContentIdentity } from '../ledger/content-identity.ts';

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

/** distinct rows at one millisecond compared one by one before ContentOccurrences turns to its table */
const GROUP_MAX = 16;

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
