/**
 * Events in columns: one typed array per field, so that millions of them cost a few bytes each
 * and the engine reads them in one pass without allocating.
 */
export const EventType = { api: 0, trigger: 1, message: 2 } as const;
export type EventTypeCode = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPE_NAMES = ['api', 'trigger', 'message'] as const;
export type EventTypeName = (typeof EVENT_TYPE_NAMES)[number];

/**
 * The ids of the events: `at(i)` is the i-th event's id, or null/undefined for "use the row
 * number". A plain array qualifies (the ledger hands one over); the CSV reader keeps them packed
 * (PackedIds), since ten million id strings would cost some 400 MB of heap and long full GCs.
 */
export interface EventIds {
  readonly length: number;
  at(i: number): string | null | undefined;
  [Symbol.iterator](): Iterator<string | null | undefined>;
}

export interface EventColumns {
  count: number;
  /** epoch ms, integers */
  time: Float64Array;
  /** EventTypeCode */
  type: Uint8Array;
  /** index into `subjects` */
  subject: Uint32Array;
  /** subject names; one table for all types (key "x" and trigger "x" stay distinct entities) */
  subjects: string[];
  /** integer micro-USD; 0 when the row gave none */
  cost: Float64Array;
  /** each event's id as given (`id` column, or ledger identity); null = use the row number */
  ids: EventIds | null;
}

/** The ids as a plain array (null where a row has none), for tests and small tables. */
export function idList(ids: EventIds | null): (string | null)[] | null {
  if (ids === null) return null;
  return Array.from({ length: ids.length }, (_, i) => ids.at(i) ?? null);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Ids as UTF-8 bytes end to end in one buffer (about 12 bytes an id instead of a 40-byte string)
 * and, while every id so far is `e<row>` or `<row>` (generated files, exports of this app),
 * nothing at all. An empty id means none: the CSV reader never gives one.
 */
export class PackedIds implements EventIds {
  length = 0;
  /** the prefix of `<prefix><row>` ids while every id follows it; null once packed as bytes */
  private pattern: string | null = null;
  private patternByte = -1;
  /** ids' UTF-8 bytes, end to end */
  bytes = new Uint8Array(0);
  /** ends[i]: where id i ends in `bytes` (it starts at ends[i - 1], or 0) */
  ends: Uint32Array | Float64Array = new Uint32Array(0);
  private used = 0;

  /** Shape of the i-th id for writers that copy bytes: the pattern prefix, or null when packed. */
  get rowPattern(): string | null {
    return this.pattern;
  }

  at(i: number): string | null {
    if (i < 0 || i >= this.length) return null;
    if (this.pattern !== null) return `${this.pattern}${i + 1}`;
    const start = i === 0 ? 0 : this.ends[i - 1];
    const end = this.ends[i];
    return start === end ? null : decoder.decode(this.bytes.subarray(start, end));
  }

  *[Symbol.iterator](): Iterator<string | null> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  reserve(ids: number, bytes: number): void {
    if (this.pattern !== null || this.length > 0) return;
    this.ends = new Uint32Array(ids);
    this.bytes = new Uint8Array(bytes);
  }

  /** Appends the id in `src[start, end)` (UTF-8 bytes; empty: none). */
  pushBytes(src: Uint8Array, start: number, end: number): void {
    const i = this.length;
    if (this.pattern !== null || i === 0) {
      if (this.matchesPattern(src, start, end, i + 1)) {
        this.length++;
        return;
      }
      if (i > 0) this.unpattern();
    }
    const n = end - start;
    if (this.used + n > this.bytes.length) this.growBytes(this.used + n);
    if (i === this.ends.length) this.growEnds();
    const b = this.bytes;
    let u = this.used;
    for (let k = start; k < end; k++) b[u++] = src[k];
    this.used = u;
    this.ends[i] = u;
    this.length++;
  }

  pushText(id: string | null): void {
    const bytes = id === null ? new Uint8Array(0) : encoder.encode(id);
    this.pushBytes(bytes, 0, bytes.length);
  }

  /** Whether `src[start, end)` reads `<pattern><row>` (deciding the pattern on the first id). */
  private matchesPattern(src: Uint8Array, start: number, end: number, row: number): boolean {
    if (start === end) return false;
    let p = start;
    if (row === 1) {
      if (end - start === 2 && src[start] === 101 && src[start + 1] === 49) this.setPattern('e');
      else if (end - start === 1 && src[start] === 49) this.setPattern('');
      else return false;
      return true;
    }
    if (this.patternByte !== -1) {
      if (src[p] !== this.patternByte) return false;
      p++;
    }
    let v = 0;
    if (p >= end || src[p] === 48 || end - p > 15) return false;
    for (; p < end; p++) {
      const d = src[p] - 48;
      if (d < 0 || d > 9) return false;
      v = v * 10 + d;
    }
    return v === row;
  }

  private setPattern(prefix: string): void {
    this.pattern = prefix;
    this.patternByte = prefix === '' ? -1 : prefix.charCodeAt(0);
  }

  /** Writes out the ids the pattern stood for: the next one does not follow it. */
  private unpattern(): void {
    const prefix = this.pattern ?? '';
    const n = this.length;
    this.pattern = null;
    this.patternByte = -1;
    this.length = 0;
    const ends = this.ends;
    const bytes = this.bytes;
    this.ends = new Uint32Array(0);
    this.bytes = new Uint8Array(0);
    this.used = 0;
    if (ends.length > n) {
      this.ends = ends;
      this.bytes = bytes;
    }
    for (let r = 1; r <= n; r++) {
      const id = encoder.encode(`${prefix}${r}`);
      const i = this.length;
      if (this.used + id.length > this.bytes.length) this.growBytes(this.used + id.length);
      if (i === this.ends.length) this.growEnds();
      this.bytes.set(id, this.used);
      this.used += id.length;
      this.ends[i] = this.used;
      this.length++;
    }
  }

  private growBytes(need: number): void {
    const b = new Uint8Array(Math.max(need, this.bytes.length * 2, 1024));
    b.set(this.bytes.subarray(0, this.used));
    this.bytes = b;
    if (this.ends instanceof Uint32Array && b.length > 0xffffffff) this.ends = Float64Array.from(this.ends);
  }

  private growEnds(): void {
    const n = Math.max(this.ends.length * 2, 1024);
    const e = this.ends instanceof Uint32Array && this.bytes.length <= 0xffffffff ? new Uint32Array(n) : new Float64Array(n);
    e.set(this.ends);
    this.ends = e;
  }

  /**
   * Every id as a string (null: none), decoded at once: one decode of the whole buffer, sliced
   * by byte offsets when every character took one byte, far cheaper than a decode per id.
   */
  strings(): (string | null)[] {
    const out = new Array<string | null>(this.length);
    const p = this.pattern;
    if (p !== null) {
      for (let i = 0; i < this.length; i++) out[i] = `${p}${i + 1}`;
      return out;
    }
    const joined = decoder.decode(this.bytes.subarray(0, this.used));
    if (joined.length !== this.used) {
      for (let i = 0; i < this.length; i++) out[i] = this.at(i);
      return out;
    }
    let start = 0;
    for (let i = 0; i < this.length; i++) {
      const end = this.ends[i]!;
      out[i] = start === end ? null : joined.slice(start, end);
      start = end;
    }
    return out;
  }

  /** Drops spare room once complete. */
  trim(): void {
    if (this.pattern !== null) {
      this.ends = new Uint32Array(0);
      this.bytes = new Uint8Array(0);
      return;
    }
    if (this.ends.length > this.length * 1.25) this.ends = this.ends.slice(0, this.length);
    if (this.bytes.length > this.used * 1.25) this.bytes = this.bytes.slice(0, this.used);
  }
}

type Column = Float64Array | Uint8Array | Uint32Array;

/** A copy of a column's first `keep` values in a new array of `size`. */
export function resized<T extends Column>(column: T, size: number, keep = Math.min(column.length, size)): T {
  const next = new (column.constructor as new (n: number) => T)(size);
  next.set(column.subarray(0, keep));
  return next;
}

function hashChars(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Names numbered in order of first appearance. `idAt` finds a name by a hash of its characters
 * in place, so a string is made only for a name not seen before: a few thousand keys, triggers
 * and people recur over millions of rows.
 */
export class NameTable {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** open addressing over `names`, for idAt */
  private slots: Int32Array;
  private slotted = 0;

  constructor(slots = 1024) {
    this.slots = new Int32Array(slots).fill(-1);
  }

  id(name: string): number {
    let idx = this.index.get(name);
    if (idx === undefined) {
      idx = this.names.length;
      this.names.push(name);
      this.index.set(name, idx);
    }
    return idx;
  }

  /** id of the name in `text[start, end)`; `codes` holds the same characters. */
  idAt(text: string, codes: Uint8Array | Uint16Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ codes[i], 0x01000193);
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const idx = slots[slot];
      if (idx === -1) {
        const id = this.id(text.slice(start, end));
        slots[slot] = id;
        if (++this.slotted * 2 > slots.length) this.rehash();
        return id;
      }
      const name = this.names[idx];
      if (name.length === len) {
        let i = 0;
        while (i < len && name.charCodeAt(i) === codes[start + i]) i++;
        if (i === len) return idx;
      }
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (const idx of this.slots) {
      if (idx === -1) continue;
      let slot = hashChars(this.names[idx]) & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = idx;
    }
    this.slots = slots;
  }
}

/** Grows column arrays while rows stream in, then hands out exact-length views. */
export class EventColumnsBuilder {
  count = 0;
  private time = new Float64Array(1024);
  private type = new Uint8Array(1024);
  private subject = new Uint32Array(1024);
  private cost = new Float64Array(1024);
  private ids: PackedIds | null = null;
  /** room for a few thousand subjects before its hash slots grow */
  private readonly subjectNames = new NameTable(8192);
  readonly subjects: string[] = this.subjectNames.names;

  /** Makes room for `rows` rows up front (e.g. from the file size), saving the copies of growing. */
  reserve(rows: number): void {
    if (rows <= this.time.length) return;
    this.resize(rows);
  }

  subjectId(name: string): number {
    return this.subjectNames.id(name);
  }

  /**
   * subjectId of the name in `text[start, end)` (`codes` holds the same characters): found by a
   * hash of the characters, so a string is made only for a new subject. A few thousand subjects
   * recur over millions of rows.
   */
  subjectIdAt(text: string, codes: Uint8Array | Uint16Array, start: number, end: number): number {
    return this.subjectNames.idAt(text, codes, start, end);
  }

  push(time: number, type: EventTypeCode, subject: string, costMicros: number, id: string | null = null): void {
    const i = this.count;
    this.pushIndexed(time, type, this.subjectId(subject), costMicros);
    if (id !== null) {
      this.idsUpTo(i).pushText(id);
    } else if (this.ids !== null) {
      this.ids.pushText(null);
    }
  }

  /** One row whose subject is already an index (subjectId / subjectIdAt); its id, if any, next. */
  pushIndexed(time: number, type: EventTypeCode, subjectIdx: number, costMicros: number): void {
    if (this.count === this.time.length) this.resize(this.time.length * 2);
    const i = this.count++;
    this.time[i] = time;
    this.type[i] = type;
    this.subject[i] = subjectIdx;
    this.cost[i] = costMicros;
  }

  /** The id of the row just pushed with pushIndexed, as UTF-8 bytes `src[start, end)`; empty: none. */
  pushIdBytes(src: Uint8Array, start: number, end: number): void {
    if (start === end && this.ids === null) return;
    this.idsUpTo(this.count - 1).pushBytes(src, start, end);
  }

  /** The id of the row just pushed with pushIndexed (null: none). */
  pushIdText(id: string | null): void {
    if (id === null && this.ids === null) return;
    this.idsUpTo(this.count - 1).pushText(id);
  }

  /** The ids, created when the first one arrives at row `i` (rows before it have none). */
  private idsUpTo(i: number): PackedIds {
    let ids = this.ids;
    if (ids === null) {
      ids = this.ids = new PackedIds();
      ids.reserve(this.time.length, 0);
      for (let k = 0; k < i; k++) ids.pushText(null);
    }
    return ids;
  }

  private resize(n: number): void {
    this.time = resized(this.time, n, this.count);
    this.type = resized(this.type, n, this.count);
    this.subject = resized(this.subject, n, this.count);
    this.cost = resized(this.cost, n, this.count);
  }

  build(): EventColumns {
    const n = this.count;
    // A generous reservation (estimated from a file size) is given back.
    if (this.time.length > n * 1.25 + 1024) this.resize(n);
    this.ids?.trim();
    return {
      count: n,
      time: this.time.subarray(0, n),
      type: this.type.subarray(0, n),
      subject: this.subject.subarray(0, n),
      subjects: this.subjects,
      cost: this.cost.subarray(0, n),
      ids: this.ids,
    };
  }
}
