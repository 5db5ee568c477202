import { PackedIds, resized } from '../engine/events.ts';
import { InputError } from '../errors.ts';
import { writeContentIdentity } from './content-identity.ts';
import type { ReadableLedger } from './db.ts';

/** Deeper than this the tree is not one SQLite wrote (a billion rows need some 5 levels): SQL reads it. */
const MAX_TREE_DEPTH = 20;

/** Beyond this the ledger is read through SQL: the page reader holds a copy of the whole file. */
const PAGE_READ_LIMIT = 1 << 30;

/** Something in the pages the page reader leaves to SQL (a long record, an odd value, a new format). */
class NotPlain extends Error {}

/** Pages that cannot be SQLite's own tree (a page reached twice, a cell outside its page): checked before SQL reads them. */
class Misshapen extends NotPlain {}

export interface PageColumns {
  count: number;
  time: Float64Array;
  type: Uint8Array;
  subject: Uint32Array;
  cost: Float64Array;
  ids: PackedIds | null;
}

/**
 * The events table read straight from a copy of the database's pages (`serialize()`, taken in
 * the caller's read transaction, WAL included): a WITHOUT ROWID table is one B-tree in (time,
 * seq) order whose records are the rows, so an in-order walk yields the events, and the
 * identities' bytes go into packed ids without a string. SQLite hands a value to JS at some 50
 * ns and walks a row at some 50 more, per column and per pass; this walk costs a tenth of that.
 * Null, for SQL to read, on anything but the plain format the importer writes.
 */
export function readEventPages(db: ReadableLedger, from: number, to: number, withIds: boolean, capacity: number, names: readonly string[]): PageColumns | null {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  if (pageSize * pageCount > PAGE_READ_LIMIT) return null;
  const root = db.prepare(`SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'events' AND sql LIKE '%WITHOUT ROWID%'`).pluck().get() as number | undefined;
  if (root === undefined) return null;
  let buf: Uint8Array;
  try {
    buf = db.serialize();
  } catch {
    return null;
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // the file header: page size as stored, reserved bytes per page, text encoding 1 = UTF-8
  if (buf.length < 100 || dv.getUint32(56) !== 1 || buf.length % pageSize !== 0) return null;
  const usable = pageSize - buf[20]!;
  // an index B-tree cell's payload longer than this spills to overflow pages
  const maxLocal = Math.floor(((usable - 12) * 64) / 255) - 23;
  const pages = buf.length / pageSize;

  let n = 0;
  let time = new Float64Array(capacity);
  let type = new Uint8Array(capacity);
  let subject = new Uint32Array(capacity);
  let cost = new Float64Array(capacity);
  const ids = withIds ? new PackedIds() : null;
  if (ids !== null) ids.reserve(capacity, capacity * 8);
  // a row without an id: its identity made from its content, straight into the packed ids
  const made = new Uint8Array(64);

  let p = 0;
  const varint = (): number => {
    let v = 0;
    for (let k = 0; k < 8; k++) {
      const b = buf[p++]!;
      v = v * 128 + (b & 0x7f);
      if (b < 0x80) return v;
    }
    return v * 256 + buf[p++]!;
  };
  const int = (serial: number, at: number): number => {
    switch (serial) {
      case 1:
        return dv.getInt8(at);
      case 2:
        return dv.getInt16(at);
      case 3:
        return (dv.getInt8(at) << 16) | dv.getUint16(at + 1);
      case 4:
        return dv.getInt32(at);
      case 5:
        return dv.getInt16(at) * 4294967296 + dv.getUint32(at + 2);
      case 6:
        return dv.getInt32(at) * 4294967296 + dv.getUint32(at + 4);
      case 7:
        return dv.getFloat64(at);
      case 8:
        return 0;
      case 9:
        return 1;
      default:
        throw new NotPlain();
    }
  };
  const size = (serial: number): number => (serial >= 12 ? (serial - 12) >> 1 : serial === 7 || serial === 6 ? 8 : serial === 5 ? 6 : serial < 5 ? serial : 0);
  const serials = new Int32Array(8);
  let lastTime = Number.NEGATIVE_INFINITY;
  /** the record at `at`: false to go on, true once past `to` */
  const row = (at: number): boolean => {
    p = at;
    const payload = varint();
    if (payload > maxLocal) throw new NotPlain();
    const start = p;
    const headerEnd = start + varint();
    for (let c = 0; c < 7; c++) serials[c] = varint();
    // `share` (ledger version 8, overlap.ts): rows written since carry it, older rows end before
    // it (SQLite reads its default there); `cost` already counts it, so only its size matters
    serials[7] = p < headerEnd ? varint() : 0;
    if (p !== headerEnd) throw new NotPlain();
    const shareType = serials[7]!;
    if (shareType > 9 || shareType === 7) throw new NotPlain();
    const shareSize = size(shareType);
    let q = headerEnd;
    const t = int(serials[0]!, q);
    // the table is in time order: a time going back means the pages are not what they seem
    if (!(t >= lastTime) || !Number.isSafeInteger(t)) throw new NotPlain();
    lastTime = t;
    if (t >= to) return true;
    if (t < from) return false;
    q += size(serials[0]!);
    q += size(serials[1]!);
    const ty = int(serials[2]!, q);
    if (!(ty >= 0 && ty < 4 && Number.isInteger(ty))) throw new NotPlain();
    q += size(serials[2]!);
    const su = int(serials[3]!, q);
    if (!(su >= 0 && su <= 0xffffffff && Number.isInteger(su))) throw new NotPlain();
    q += size(serials[3]!);
    const co = int(serials[4]!, q);
    if (!(co >= 0 && Number.isSafeInteger(co))) throw new NotPlain();
    q += size(serials[4]!);
    const identType = serials[5]!;
    const occType = serials[6]!;
    let end: number;
    let occ = 0;
    if (identType === 0) {
      // no id: the occurrence number among identical rows, an integer >= 1
      end = q;
      occ = int(occType, q);
      if (!(occ >= 1 && Number.isSafeInteger(occ))) throw new NotPlain();
      if (end + size(occType) + shareSize !== start + payload) throw new NotPlain();
    } else {
      // an identity is non-empty text (an empty one would read back as none)
      if (identType < 15 || (identType & 1) === 0 || occType !== 0) throw new NotPlain();
      end = q + ((identType - 13) >> 1);
      if (end + shareSize !== start + payload) throw new NotPlain();
    }
    if (n === time.length) {
      const grow = Math.max(1024, n * 2);
      time = resized(time, grow);
      type = resized(type, grow);
      subject = resized(subject, grow);
      cost = resized(cost, grow);
    }
    time[n] = t;
    type[n] = ty;
    subject[n] = su;
    cost[n] = co;
    n++;
    if (ids !== null) {
      if (identType !== 0) ids.pushBytes(buf, q, end);
      else {
        const name = names[su];
        if (name === undefined) throw new NotPlain();
        ids.pushBytes(made, 0, writeContentIdentity(t, ty, name, co, occ, made, 0));
      }
    }
    return false;
  };
  const u16 = (at: number): number => (buf[at]! << 8) | buf[at + 1]!;
  // A crafted file must not steer the walk: each page is read at most once (shared pages would
  // repeat events, a cycle would never end), the depth is bounded (SQLite's own trees stay far
  // below it), and every cell lies inside its page. Any doubt hands the read to SQL.
  const seen = new Uint8Array(pages + 1);
  const cellAt = (base: number, header: number, c: number, cells: number): number => {
    const off = u16(base + header + 2 * c);
    if (off < header + 2 * cells || off >= pageSize) throw new Misshapen();
    return base + off;
  };
  const walk = (page: number, depth: number): boolean => {
    if (!(page >= 2 && page <= pages) || depth > MAX_TREE_DEPTH || seen[page] === 1) throw new Misshapen();
    seen[page] = 1;
    const base = (page - 1) * pageSize;
    const kind = buf[base]!;
    const cells = u16(base + 3);
    if (kind === 10) {
      if (8 + 2 * cells > pageSize) throw new Misshapen();
      for (let c = 0; c < cells; c++) if (row(cellAt(base, 8, c, cells))) return true;
      return false;
    }
    if (kind !== 2 || 12 + 2 * cells > pageSize) throw new Misshapen();
    // interior cells of an index B-tree are rows too, between their left child and the next
    for (let c = 0; c < cells; c++) {
      const at = cellAt(base, 12, c, cells);
      if (walk(dv.getUint32(at), depth + 1)) return true;
      if (row(at + 4)) return true;
    }
    return walk(dv.getUint32(base + 8), depth + 1);
  };
  try {
    walk(root, 0);
  } catch (err) {
    if (err instanceof Misshapen) refuseIfDamaged(db);
    if (err instanceof NotPlain || err instanceof RangeError) return null;
    throw err;
  }
  // the walk's count must be SQL's count: a page the walk skipped or a row it misread shows here
  if (n !== (db.prepare('SELECT count(*) FROM events WHERE time >= ? AND time < ?').pluck().get(from, to) as number)) {
    refuseIfDamaged(db);
    return null;
  }
  ids?.trim();
  return { count: n, time, type, subject, cost, ids };
}

/**
 * After the page reader met a tree SQLite would not write: SQLite's own check of the file (some
 * seconds for a big ledger, only on this path). A damaged ledger is refused, never read with
 * events missing or repeated; a sound one is left to SQL.
 */
function refuseIfDamaged(db: ReadableLedger): void {
  const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const text = problems.map((p) => p.quick_check);
  if (text.length === 1 && text[0] === 'ok') return;
  const path = db.name;
  const message = `the ledger is damaged (${text.join('; ')}); restore it from a backup or import the exports into a new ledger`;
  throw new InputError(`${path}: ${message}`, [{ file: path, message }]);
}
