import { EVENT_TYPE_NAMES, PackedIds } from '../engine/events.ts';
import type { EventColumns, EventIds, EventTypeName } from '../engine/events.ts';
import { DAY, HOUR } from '../engine/units.ts';
import type { ReadableLedger } from './db.ts';
import { readEventPages } from './event-pages.ts';

/**
 * The events table, read: the engine's columns (from the pages or through SQL), the history's
 * summary, the subjects seen, what the events cache is keyed on, the API spend per hour of day.
 * The import's writes are in event-writer.ts.
 */

/** the whole range of JS dates: Ledger#readEvents without from or to */
const ALL_FROM = -8.64e15;
const ALL_TO = 8.64e15 + 1;

/**
 * An event's identity in SQL over `events`: its id, or for a row without one the identity its
 * content and occurrence show (a subject missing from `subjects`, a hand edit, is named `#id`,
 * as readColumns names it).
 */
const IDENT_SQL = `coalesce(ident, headroom_content_ident(time, type, coalesce((SELECT name FROM subjects WHERE subjects.id = subject), '#' || subject), cost, occ))`;


export interface HistorySummary {
  events: number;
  /** epoch ms of the first and last event, null when empty */
  from: number | null;
  to: number | null;
  perType: Record<EventTypeName, number>;
  /** distinct subjects per type: API keys, triggers, people */
  subjects: Record<EventTypeName, number>;
  batches: number;
}

export interface SeenSubject {
  type: EventTypeName;
  name: string;
  events: number;
  costMicros: number;
  first: number;
  last: number;
}


/**
 * Events in [from, to) in (time, insertion) order, as the engine's columns; `ids` hold each
 * event's ledger identity (null with `withIds: false`). Subjects are numbered in order of first
 * appearance, as the CSV reader numbers them, so the engine sees the same input either way.
 */
export function readEvents(db: ReadableLedger, range: { from?: number; to?: number; withIds?: boolean; /** false: through SQL only (tests compare both readers) */ pages?: boolean } = {}): EventColumns {
  const withIds = range.withIds !== false;
  const pages = range.pages !== false;
  // integer times: time >= from is time >= ceil(from)
  const from = range.from === undefined ? ALL_FROM : Math.ceil(range.from);
  const to = range.to ?? ALL_TO;
  // One read transaction (a savepoint inside the caller's): an import running meanwhile cannot
  // slip rows in between the column reads.
  return db.transaction(() => readColumns(db, from, to, withIds, pages))();
}

/**
 * The columns from the pages (readEventPages, 1M events in some 150 ms), or else through SQL
 * in a few whole-column reads, one value per event (`pluck().all()`): an array per row, as
 * `.raw()` gives, costs more than SQLite's own work (1M events: 4 columns as rows 390 ms, one
 * column plucked 80 ms). There type, subject and cost travel packed in one integer when they
 * fit in 53 bits, as they do unless a cost exceeds 2^53 / (4 × subjects) µUSD.
 */
function readColumns(db: ReadableLedger, from: number, to: number, withIds: boolean, pages: boolean): EventColumns {
  // subject ids are small dense integers: arrays, not maps, on the per-event path
  const maxId = (db.prepare('SELECT coalesce(max(id), 0) FROM subjects').pluck().get() as number) + 1;
  const names: string[] = new Array<string>(maxId);
  for (const row of db.prepare('SELECT id, name FROM subjects').raw().iterate() as IterableIterator<[number, string]>) {
    names[row[0]] = row[1];
  }
  if (pages) {
    // room for the whole ledger from the batch counts (no pass over the events to count them)
    const capacity = (db.prepare('SELECT coalesce(sum(events), 0) FROM batches WHERE undone_at IS NULL').pluck().get() as number) + 16;
    const read = readEventPages(db, from, to, withIds, capacity, names);
    if (read !== null) {
      const n = read.count;
      // a range keeps only its own events, not the room for the whole ledger
      const cut = <T extends Float64Array | Uint8Array | Uint32Array>(a: T): T => (a.length > n * 1.25 + 1024 ? (a.slice(0, n) as T) : (a.subarray(0, n) as T));
      const subject = cut(read.subject);
      const subjects = renumberSubjects(subject, n, maxId, names);
      return { count: n, time: cut(read.time), type: cut(read.type), subject, subjects, cost: cut(read.cost), ids: read.ids };
    }
  }
  const ordered = `FROM events WHERE time >= ? AND time < ? ORDER BY time, seq`;
  const times = db.prepare(`SELECT time ${ordered}`).pluck().all(from, to) as number[];
  const n = times.length;
  // subject * 4 + type in the low bits, cost above; 2^subjectBits bounds the subject ids
  let subjectBits = 1;
  while (2 ** subjectBits < maxId) subjectBits++;
  const low = 2 ** (subjectBits + 2);
  const costLimit = 2 ** 53 / low;
  let packed = db
    .prepare(
      `SELECT CASE WHEN cost >= 0 AND cost < ${costLimit} AND subject >= 0 AND subject < ${2 ** subjectBits} AND type >= 0 AND type < 4
              THEN cost * ${low} + subject * 4 + type ELSE -1 END ${ordered}`,
    )
    .pluck()
    .all(from, to) as number[];
  let costs: number[] | null = null;
  let subjectsOf: number[] | null = null;
  let typesOf: number[] | null = null;
  if (packed.length !== n || packed.includes(-1)) {
    // a value out of the packed range (a ledger edited by hand): one column at a time
    packed = [];
    costs = db.prepare(`SELECT cost ${ordered}`).pluck().all(from, to) as number[];
    subjectsOf = db.prepare(`SELECT subject ${ordered}`).pluck().all(from, to) as number[];
    typesOf = db.prepare(`SELECT type ${ordered}`).pluck().all(from, to) as number[];
  }
  const time = new Float64Array(times);
  const type = new Uint8Array(n);
  const subject = new Uint32Array(n);
  const cost = new Float64Array(n);
  const dense = new Int32Array(maxId).fill(-1);
  // ids missing from the subjects table (a hand edit): one subject each all the same
  const other = new Map<number, number>();
  const subjects: string[] = [];
  for (let i = 0; i < n; i++) {
    let sid: number;
    if (costs === null) {
      const v = packed[i]!;
      const c = Math.floor(v / low);
      const rest = v - c * low;
      cost[i] = c;
      type[i] = rest & 3;
      sid = rest >>> 2;
    } else {
      cost[i] = costs[i]!;
      type[i] = typesOf![i]!;
      sid = subjectsOf![i]!;
    }
    let s = sid >= 0 && sid < maxId ? dense[sid]! : (other.get(sid) ?? -1);
    if (s === -1) {
      s = subjects.length;
      subjects.push(names[sid] ?? `#${sid}`);
      if (sid >= 0 && sid < maxId) dense[sid] = s;
      else other.set(sid, s);
    }
    subject[i] = s;
  }
  return { count: n, time, type, subject, subjects, cost, ids: withIds ? readIdents(db, ordered, from, to, n) : null };
}

/**
 * The identities of the `n` events in [from, to), in order, packed: SQLite joins them into one
 * blob, newline between two, instead of a million strings (a quarter of a second and a heap
 * the GC must mark, for 1M events). Exactly n - 1 newlines prove no identity holds one. Plain
 * strings otherwise (or when an identity is empty, which packed ids would read as none).
 */
function readIdents(db: ReadableLedger, ordered: string, from: number, to: number, n: number): EventIds {
  if (n === 0) return new PackedIds();
  let blob: Uint8Array | null = null;
  try {
    // The subquery's order holds: SQLite does not flatten an ordered subquery into an
    // aggregate. (An ORDER BY inside group_concat sorts again: three times slower.)
    blob = db.prepare(`SELECT CAST(group_concat(ident, char(10)) AS BLOB) FROM (SELECT ${IDENT_SQL} AS ident ${ordered})`).pluck().get(from, to) as Uint8Array | null;
  } catch {
    // larger than SQLite's longest value: strings below
  }
  if (blob !== null) {
    const ids = new PackedIds();
    ids.reserve(n, blob.length);
    let start = 0;
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const next = blob.indexOf(10, start);
      const end = k < n - 1 ? next : blob.length;
      if ((k < n - 1) === (next === -1) || end === start) ok = false;
      else {
        ids.pushBytes(blob, start, end);
        start = end + 1;
      }
    }
    if (ok) {
      ids.trim();
      return ids;
    }
  }
  return db.prepare(`SELECT ${IDENT_SQL} ${ordered}`).pluck().all(from, to) as string[];
}

export function summary(db: ReadableLedger): HistorySummary {
  // min and max walk the primary key's ends; the counts are one pass
  const span = db.prepare('SELECT (SELECT min(time) FROM events) AS lo, (SELECT max(time) FROM events) AS hi').get() as { lo: number | null; hi: number | null };
  const perType: Record<EventTypeName, number> = { api: 0, trigger: 0, message: 0 };
  const subjects: Record<EventTypeName, number> = { api: 0, trigger: 0, message: 0 };
  let events = 0;
  for (const r of db.prepare('SELECT type, count(*) AS n, count(DISTINCT subject) AS s FROM events GROUP BY type').all() as { type: number; n: number; s: number }[]) {
    const name = EVENT_TYPE_NAMES[r.type];
    events += r.n;
    if (name) {
      perType[name] = r.n;
      subjects[name] = r.s;
    }
  }
  const batches = db.prepare('SELECT count(*) FROM batches WHERE undone_at IS NULL').pluck().get() as number;
  return { events, from: span.lo, to: span.hi, perType, subjects, batches };
}

/** API keys, triggers and people seen in the events, with their totals. */
export function seen(db: ReadableLedger): SeenSubject[] {
  const rows = db
    .prepare(
      `SELECT e.type AS type, s.name AS name, count(*) AS n, sum(e.cost) AS c, min(e.time) AS lo, max(e.time) AS hi
       FROM events e JOIN subjects s ON s.id = e.subject GROUP BY e.type, e.subject ORDER BY e.type, s.name`,
    )
    .all() as { type: number; name: string; n: number; c: number; lo: number; hi: number }[];
  return rows.map((r) => ({ type: EVENT_TYPE_NAMES[r.type] ?? 'api', name: r.name, events: r.n, costMicros: r.c, first: r.lo, last: r.hi }));
}

/**
 * Numbers the subjects ledger ids in `subject` (in place) by first appearance, as the CSV reader
 * does; returns their names (`#id` for an id missing from the subjects table).
 */
function renumberSubjects(subject: Uint32Array, n: number, maxId: number, names: string[]): string[] {
  const dense = new Int32Array(maxId).fill(-1);
  const subjects: string[] = [];
  const other = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const sid = subject[i]!;
    let s = sid < maxId ? dense[sid]! : (other.get(sid) ?? -1);
    if (s === -1) {
      s = subjects.length;
      subjects.push(names[sid] ?? `#${sid}`);
      if (sid < maxId) dense[sid] = s;
      else other.set(sid, s);
    }
    subject[i] = s;
  }
  return subjects;
}

/** How many events, and the first and last time (null when empty). */
export function span(db: ReadableLedger): { events: number; from: number | null; to: number | null } {
  const r = db.prepare('SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM events').get() as { n: number; lo: number | null; hi: number | null };
  return { events: r.n, from: r.lo, to: r.hi };
}

/**
 * What an import or an undo always changes: the key of the events cache and of the overview
 * snapshot beside the ledger. Read from the batches alone, because a count over the events is a
 * scan of every row (50–250 ms at 1M events, on every launch). Every change to the events happens
 * inside an import's or an undo's transaction, which also writes its batch's row (a new id, then
 * its seqs and time as it completes; an undo time); `user_version` covers a migration that
 * rewrites the events. The first and last event (the primary key's two ends) are read as well, so
 * an events table that cannot be read fails here.
 */
export function eventsVersionKey(db: ReadableLedger): string {
  const r = db
    .prepare(
      `SELECT (SELECT count(*) FROM batches) AS n, (SELECT max(id) FROM batches) AS b,
              (SELECT coalesce(max(last_seq), 0) FROM batches) AS s,
              (SELECT coalesce(sum(imported_at), 0) FROM batches) AS i,
              (SELECT coalesce(sum(undone_at), 0) FROM batches) AS u,
              (SELECT min(time) FROM events) AS lo, (SELECT max(time) FROM events) AS hi`,
    )
    .get() as { n: number; b: number | null; s: number; i: number; u: number; lo: number | null; hi: number | null };
  const version = db.pragma('user_version', { simple: true }) as number;
  return `v2:${version}:${r.n}:${r.b}:${r.s}:${r.i}:${r.u}:${r.lo}:${r.hi}`;
}

export interface HourSpend {
  /** UTC hour of day, 0..23 */
  hour: number;
  requests: number;
  micros: number;
}

/**
 * API requests and spend per UTC hour of day in the event-level data (daily cost exports
 * excluded: they were spread by a profile themselves). Rows without an id have a NULL ident,
 * which NOT LIKE alone would leave out.
 */
export function apiSpendByHour(db: ReadableLedger): HourSpend[] {
  const rows = db
    .prepare(`SELECT (time % ${DAY} + ${DAY}) % ${DAY} / ${HOUR} AS h, count(*) AS n, sum(cost) AS c FROM events WHERE type = 0 AND (ident IS NULL OR ident NOT LIKE 'dust-cost:%') GROUP BY h`)
    .all() as { h: number; n: number; c: number }[];
  return rows.map((r) => ({ hour: Math.floor(r.h), requests: r.n, micros: r.c }));
}
