import Database from 'better-sqlite3';
import { existsSync, rmSync, statSync } from 'node:fs';
import { DiskFullError, isDiskFull } from '../fs/disk-full.ts';
import { EVENT_TYPE_NAMES, PackedIds, resized } from '../engine/events.ts';
import type { EventColumns, EventIds, EventTypeName } from '../engine/events.ts';
import { InputError } from '../errors.ts';
import { LATEST_VERSION, MIGRATIONS } from './schema.ts';
import { contentIdentity, writeContentIdentity } from '../import/canonical.ts';
import type { ImportOptions, ImportResult, PreviewResult } from '../import/importer.ts';
import { importFile, previewImport } from '../import/importer.ts';
import { forgetBatchSpend, reconcileSpend } from './overlap.ts';
import { readEntities } from './entities.ts';
import type { LedgerEntity } from './entities.ts';

export type Db = Database.Database;

/** the whole range of JS dates: Ledger#readEvents without from or to */
const ALL_FROM = -8.64e15;
const ALL_TO = 8.64e15 + 1;

/**
 * An event's identity in SQL over `events`: its id, or for a row without one the identity its
 * content and occurrence show (a subject missing from `subjects`, a hand edit, is named `#id`,
 * as readColumns names it).
 */
const IDENT_SQL = `coalesce(ident, headroom_content_ident(time, type, coalesce((SELECT name FROM subjects WHERE subjects.id = subject), '#' || subject), cost, occ))`;

export interface OpenOptions {
  readonly?: boolean;
  /** refuse a path that holds no ledger instead of creating one (read-only commands, undo) */
  mustExist?: boolean;
  /** how long to wait for another process writing to the file (default 5 s) */
  busyTimeoutMs?: number;
}

export interface BatchInfo {
  id: number;
  fileName: string;
  fileSize: number;
  sha256: string;
  format: string;
  mapping: unknown;
  importedAt: number;
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  events: number;
  /** null while the batch's events are in the ledger */
  undoneAt: number | null;
}

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

export interface SavedItem {
  id: number;
  name: string;
  savedAt: number;
}

/** Opens (creating and migrating if needed) the ledger at `path`. */
export function openLedger(path: string, options: OpenOptions = {}): Ledger {
  const readonly = options.readonly === true;
  if (readonly && !existsSync(path)) throw new InputError(`${path}: no such ledger`, [{ file: path, message: 'no such ledger' }]);
  if (options.mustExist === true && !existsSync(path)) {
    throw new InputError(`no ledger at ${path} (create one with headroom import FILE --db ${path})`, [{ file: path, message: 'no ledger at this path' }]);
  }
  const existed = existsSync(path);
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw new InputError(`${path}: cannot open the ledger: ${(err as Error).message}`, [{ file: path, message: 'cannot open the ledger' }]);
  }
  try {
    checkIsLedger(db, path);
    const version = db.pragma('user_version', { simple: true }) as number;
    // Another program's database (tables, but no Headroom version) is never turned into a
    // ledger in place: migrating would add tables to it.
    if (version === 0) {
      const foreign = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1`).pluck().get() as string | undefined;
      if (foreign !== undefined) {
        throw new InputError(`${path} is not a Headroom ledger (a database of another program: table "${foreign}"); it was left as it was`, [
          { file: path, message: 'not a Headroom ledger (another program’s database)' },
        ]);
      }
    }
    if (version > LATEST_VERSION) {
      throw new InputError(
        `${path} was written by a newer version of Headroom (ledger version ${version}; this app reads up to ${LATEST_VERSION}). Update Headroom to open it.`,
        [{ file: path, message: `ledger version ${version} is newer than this app (${LATEST_VERSION})` }],
      );
    }
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, version);
    } else if (version < LATEST_VERSION) {
      throw new InputError(`${path}: the ledger needs an upgrade; open it once without read-only`, [{ file: path, message: 'ledger needs an upgrade' }]);
    }
    // 64 MB of page cache; temporary B-trees (index builds) stay on disk, so memory stays flat
    db.pragma('cache_size = -65536');
    return new Ledger(db, path);
  } catch (err) {
    db.close();
    // a ledger this call created and could not set up holds nothing: it does not stay behind
    if (!existed) removeIfEmpty(path);
    if (isBusy(err)) throw busyError(path);
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw err;
  }
}

/** Removes `path` and its -wal and -shm when the file is empty (another process may have filled it since). */
function removeIfEmpty(path: string): void {
  try {
    if (statSync(path).size !== 0) return;
    for (const p of [`${path}-wal`, `${path}-shm`, path]) rmSync(p, { force: true });
  } catch {
    // already gone
  }
}

/**
 * Another process holding the file (creating or upgrading it) longer than the busy timeout, or a
 * lock SQLite refuses to wait for: the remedy is to try again, not a bug report.
 */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function busyError(path: string): InputError {
  return new InputError(`${path}: the ledger is busy (another process is writing to it); try again when it has finished`, [
    { file: path, message: 'the ledger is busy with another process' },
  ]);
}

function checkIsLedger(db: Db, path: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    if (isBusy(err)) throw busyError(path);
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw new InputError(`${path} is not a Headroom ledger (${(err as Error).message})`, [{ file: path, message: 'not a ledger (SQLite) file' }]);
  }
}

/**
 * Brings `db` from `from` to the latest version, one transaction per migration. `from` may be
 * stale: another process (a second import creating the same new ledger) may have migrated since
 * it was read, so each step re-reads the version under the write lock (BEGIN IMMEDIATE) and
 * skips what is already done.
 */
export function migrate(db: Db, from: number, to: number = LATEST_VERSION): void {
  for (const m of MIGRATIONS) {
    if (m.version <= from || m.version > to) continue;
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      m.prepare?.(db);
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    if (m.vacuum === true && !db.inTransaction && (db.pragma('freelist_count', { simple: true }) as number) * 4 > (db.pragma('page_count', { simple: true }) as number)) {
      try {
        db.exec('VACUUM');
      } catch {
        // only space: another connection busy with the file, or no room for the copy
      }
    }
  }
}

export class Ledger {
  readonly db: Db;
  readonly path: string;
  private subjectIds: Map<string, number> | null = null;
  private insertSubject: Database.Statement | null = null;

  constructor(db: Db, path: string) {
    this.db = db;
    this.path = path;
    // the identity of a row without an id, for SQL that shows identities (readIdents)
    db.function('headroom_content_ident', { deterministic: true }, (time, type, subject, cost, occ) =>
      contentIdentity(Number(time), Number(type), String(subject), Number(cost), Number(occ)),
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Events in [from, to) in (time, insertion) order, as the engine's columns; `ids` hold each
   * event's ledger identity (null with `withIds: false`). Subjects are numbered in order of first
   * appearance, as the CSV reader numbers them, so the engine sees the same input either way.
   */
  readEvents(range: { from?: number; to?: number; withIds?: boolean; /** false: through SQL only (tests compare both readers) */ pages?: boolean } = {}): EventColumns {
    const withIds = range.withIds !== false;
    const pages = range.pages !== false;
    // integer times: time >= from is time >= ceil(from)
    const from = range.from === undefined ? ALL_FROM : Math.ceil(range.from);
    const to = range.to ?? ALL_TO;
    // One read transaction (a savepoint inside the caller's): an import running meanwhile cannot
    // slip rows in between the column reads.
    return this.db.transaction(() => this.readColumns(from, to, withIds, pages))();
  }

  /**
   * The columns from the pages (readEventPages, 1M events in some 150 ms), or else through SQL
   * in a few whole-column reads, one value per event (`pluck().all()`): an array per row, as
   * `.raw()` gives, costs more than SQLite's own work (1M events: 4 columns as rows 390 ms, one
   * column plucked 80 ms). There type, subject and cost travel packed in one integer when they
   * fit in 53 bits, as they do unless a cost exceeds 2^53 / (4 × subjects) µUSD.
   */
  private readColumns(from: number, to: number, withIds: boolean, pages: boolean): EventColumns {
    // subject ids are small dense integers: arrays, not maps, on the per-event path
    const maxId = (this.db.prepare('SELECT coalesce(max(id), 0) FROM subjects').pluck().get() as number) + 1;
    const names: string[] = new Array<string>(maxId);
    for (const row of this.db.prepare('SELECT id, name FROM subjects').raw().iterate() as IterableIterator<[number, string]>) {
      names[row[0]] = row[1];
    }
    if (pages) {
      // room for the whole ledger from the batch counts (no pass over the events to count them)
      const capacity = (this.db.prepare('SELECT coalesce(sum(events), 0) FROM batches WHERE undone_at IS NULL').pluck().get() as number) + 16;
      const read = readEventPages(this.db, from, to, withIds, capacity, names);
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
    const times = this.db.prepare(`SELECT time ${ordered}`).pluck().all(from, to) as number[];
    const n = times.length;
    // subject * 4 + type in the low bits, cost above; 2^subjectBits bounds the subject ids
    let subjectBits = 1;
    while (2 ** subjectBits < maxId) subjectBits++;
    const low = 2 ** (subjectBits + 2);
    const costLimit = 2 ** 53 / low;
    let packed = this.db
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
      costs = this.db.prepare(`SELECT cost ${ordered}`).pluck().all(from, to) as number[];
      subjectsOf = this.db.prepare(`SELECT subject ${ordered}`).pluck().all(from, to) as number[];
      typesOf = this.db.prepare(`SELECT type ${ordered}`).pluck().all(from, to) as number[];
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
    return { count: n, time, type, subject, subjects, cost, ids: withIds ? this.readIdents(ordered, from, to, n) : null };
  }

  /**
   * The identities of the `n` events in [from, to), in order, packed: SQLite joins them into one
   * blob, newline between two, instead of a million strings (a quarter of a second and a heap
   * the GC must mark, for 1M events). Exactly n - 1 newlines prove no identity holds one. Plain
   * strings otherwise (or when an identity is empty, which packed ids would read as none).
   */
  private readIdents(ordered: string, from: number, to: number, n: number): EventIds {
    if (n === 0) return new PackedIds();
    let blob: Uint8Array | null = null;
    try {
      // The subquery's order holds: SQLite does not flatten an ordered subquery into an
      // aggregate. (An ORDER BY inside group_concat sorts again: three times slower.)
      blob = this.db.prepare(`SELECT CAST(group_concat(ident, char(10)) AS BLOB) FROM (SELECT ${IDENT_SQL} AS ident ${ordered})`).pluck().get(from, to) as Uint8Array | null;
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
    return this.db.prepare(`SELECT ${IDENT_SQL} ${ordered}`).pluck().all(from, to) as string[];
  }

  summary(): HistorySummary {
    // min and max walk the primary key's ends; the counts are one pass
    const span = this.db.prepare('SELECT (SELECT min(time) FROM events) AS lo, (SELECT max(time) FROM events) AS hi').get() as { lo: number | null; hi: number | null };
    const perType: Record<EventTypeName, number> = { api: 0, trigger: 0, message: 0 };
    const subjects: Record<EventTypeName, number> = { api: 0, trigger: 0, message: 0 };
    let events = 0;
    for (const r of this.db.prepare('SELECT type, count(*) AS n, count(DISTINCT subject) AS s FROM events GROUP BY type').all() as { type: number; n: number; s: number }[]) {
      const name = EVENT_TYPE_NAMES[r.type];
      events += r.n;
      if (name) {
        perType[name] = r.n;
        subjects[name] = r.s;
      }
    }
    const batches = this.db.prepare('SELECT count(*) FROM batches WHERE undone_at IS NULL').pluck().get() as number;
    return { events, from: span.lo, to: span.hi, perType, subjects, batches };
  }

  /** API keys, triggers and people seen in the events, with their totals. */
  seen(): SeenSubject[] {
    const rows = this.db
      .prepare(
        `SELECT e.type AS type, s.name AS name, count(*) AS n, sum(e.cost) AS c, min(e.time) AS lo, max(e.time) AS hi
         FROM events e JOIN subjects s ON s.id = e.subject GROUP BY e.type, e.subject ORDER BY e.type, s.name`,
      )
      .all() as { type: number; name: string; n: number; c: number; lo: number; hi: number }[];
    return rows.map((r) => ({ type: EVENT_TYPE_NAMES[r.type] ?? 'api', name: r.name, events: r.n, costMicros: r.c, first: r.lo, last: r.hi }));
  }

  /** What the exports said about keys, triggers and people (names, modes, kinds). */
  entities(): LedgerEntity[] {
    return readEntities(this.db);
  }

  listBatches(): BatchInfo[] {
    const rows = this.db.prepare('SELECT * FROM batches ORDER BY id').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      fileName: r.file_name as string,
      fileSize: r.file_size as number,
      sha256: r.sha256 as string,
      format: r.format as string,
      mapping: r.mapping === null ? null : (JSON.parse(r.mapping as string) as unknown),
      importedAt: r.imported_at as number,
      rows: r.rows as number,
      imported: r.imported as number,
      duplicates: r.duplicates as number,
      rejected: r.rejected as number,
      events: r.events as number,
      undoneAt: (r.undone_at as number | null) ?? null,
    }));
  }

  /**
   * Removes a batch's events; the batch stays in the history, marked undone. Returns events
   * removed. An unknown or already undone batch is an input error (a second undo is a mistake
   * worth saying, not a silent "0 removed").
   */
  undoBatch(id: number): number {
    return this.db
      .transaction(() => {
        const b = this.db.prepare('SELECT first_seq, last_seq, undone_at FROM batches WHERE id = ?').get(id) as
          | { first_seq: number | null; last_seq: number | null; undone_at: number | null }
          | undefined;
        if (!b) throw new InputError(`no import batch ${id}`, [{ message: `no import batch ${id}` }]);
        if (b.undone_at !== null) {
          const when = new Date(b.undone_at).toISOString();
          throw new InputError(`import batch ${id} was already undone at ${when}: nothing to remove`, [{ message: `batch ${id} was already undone at ${when}` }]);
        }
        let removed = 0;
        // one scan of the table: no per-event batch index slows every import down for a rare undo
        if (b.first_seq !== null && b.last_seq !== null) {
          removed = this.db.prepare('DELETE FROM events WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
          removed += this.db.prepare('DELETE FROM events_held WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
        }
        this.db.prepare('UPDATE batches SET undone_at = ? WHERE id = ?').run(Date.now(), id);
        // the other export's events this batch held back count again
        forgetBatchSpend(this.db, id);
        reconcileSpend(this.db);
        return removed;
      })
      .immediate();
  }

  importFile(file: string, options: ImportOptions = {}): Promise<ImportResult> {
    return importFile(this, file, options);
  }

  previewImport(file: string, options: ImportOptions = {}): Promise<PreviewResult> {
    return previewImport(this, file, options);
  }

  /** Subject id for a name, creating it; the cache lives as long as the connection. */
  subjectId(name: string): number {
    if (this.subjectIds === null) {
      this.subjectIds = new Map();
      for (const [id, n] of this.db.prepare('SELECT id, name FROM subjects').raw().iterate() as IterableIterator<[number, string]>) {
        this.subjectIds.set(n, id);
      }
    }
    let id = this.subjectIds.get(name);
    if (id === undefined) {
      // another connection (the app's import worker) may have added it since the cache was filled
      this.insertSubject ??= this.db.prepare('INSERT INTO subjects(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id').pluck();
      id = this.insertSubject.get(name) as number;
      this.subjectIds.set(name, id);
    }
    return id;
  }

  /** Forget cached subject ids (after a rollback they may no longer exist). */
  resetSubjectCache(): void {
    this.subjectIds = null;
  }

  getMapping(shape: string): unknown {
    const row = this.db.prepare('SELECT mapping FROM mappings WHERE shape = ?').pluck().get(shape) as string | undefined;
    return row === undefined ? null : (JSON.parse(row) as unknown);
  }

  saveMapping(shape: string, header: string[], mapping: unknown): void {
    this.db
      .prepare('INSERT INTO mappings(shape, header, mapping, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(shape) DO UPDATE SET mapping = excluded.mapping, header = excluded.header, saved_at = excluded.saved_at')
      .run(shape, JSON.stringify(header), JSON.stringify(mapping), Date.now());
  }

  savePlan(name: string, plan: unknown): number {
    return saveNamed(this.db, 'plans', name, plan);
  }

  listPlans(): SavedItem[] {
    return listNamed(this.db, 'plans');
  }

  loadPlan(nameOrId: string | number): unknown {
    return loadNamed(this.db, 'plans', nameOrId);
  }

  deletePlan(nameOrId: string | number): boolean {
    return deleteNamed(this.db, 'plans', nameOrId);
  }

  saveScenario(name: string, scenario: unknown, planId: number | null = null): number {
    const id = saveNamed(this.db, 'scenarios', name, scenario);
    this.db.prepare('UPDATE scenarios SET plan_id = ? WHERE id = ?').run(planId, id);
    return id;
  }

  listScenarios(): SavedItem[] {
    return listNamed(this.db, 'scenarios');
  }

  loadScenario(nameOrId: string | number): unknown {
    return loadNamed(this.db, 'scenarios', nameOrId);
  }

  deleteScenario(nameOrId: string | number): boolean {
    return deleteNamed(this.db, 'scenarios', nameOrId);
  }
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

/** Deeper than this the tree is not one SQLite wrote (a billion rows need some 5 levels): SQL reads it. */
const MAX_TREE_DEPTH = 20;

/** Beyond this the ledger is read through SQL: the page reader holds a copy of the whole file. */
const PAGE_READ_LIMIT = 1 << 30;

/** Something in the pages the page reader leaves to SQL (a long record, an odd value, a new format). */
class NotPlain extends Error {}

/** Pages that cannot be SQLite's own tree (a page reached twice, a cell outside its page): checked before SQL reads them. */
class Misshapen extends NotPlain {}

interface PageColumns {
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
function readEventPages(db: Db, from: number, to: number, withIds: boolean, capacity: number, names: readonly string[]): PageColumns | null {
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
  const serials = new Int32Array(7);
  let lastTime = Number.NEGATIVE_INFINITY;
  /** the record at `at`: false to go on, true once past `to` */
  const row = (at: number): boolean => {
    p = at;
    const payload = varint();
    if (payload > maxLocal) throw new NotPlain();
    const start = p;
    const headerEnd = start + varint();
    for (let c = 0; c < 7; c++) serials[c] = varint();
    if (p !== headerEnd) throw new NotPlain();
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
      if (end + size(occType) !== start + payload) throw new NotPlain();
    } else {
      // an identity is non-empty text (an empty one would read back as none)
      if (identType < 15 || (identType & 1) === 0 || occType !== 0) throw new NotPlain();
      end = q + ((identType - 13) >> 1);
      if (end !== start + payload) throw new NotPlain();
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
function refuseIfDamaged(db: Db): void {
  const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const text = problems.map((p) => p.quick_check);
  if (text.length === 1 && text[0] === 'ok') return;
  const path = db.name;
  const message = `the ledger is damaged (${text.join('; ')}); restore it from a backup or import the exports into a new ledger`;
  throw new InputError(`${path}: ${message}`, [{ file: path, message }]);
}

type NamedTable = 'plans' | 'scenarios';

function saveNamed(db: Db, table: NamedTable, name: string, body: unknown): number {
  const row = db
    .prepare(`INSERT INTO ${table}(name, body, saved_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at RETURNING id`)
    .get(name, JSON.stringify(body), Date.now()) as { id: number };
  return row.id;
}

function listNamed(db: Db, table: NamedTable): SavedItem[] {
  return (db.prepare(`SELECT id, name, saved_at FROM ${table} ORDER BY name`).all() as { id: number; name: string; saved_at: number }[]).map((r) => ({
    id: r.id,
    name: r.name,
    savedAt: r.saved_at,
  }));
}

function loadNamed(db: Db, table: NamedTable, nameOrId: string | number): unknown {
  const col = typeof nameOrId === 'number' ? 'id' : 'name';
  const body = db.prepare(`SELECT body FROM ${table} WHERE ${col} = ?`).pluck().get(nameOrId) as string | undefined;
  return body === undefined ? null : (JSON.parse(body) as unknown);
}

function deleteNamed(db: Db, table: NamedTable, nameOrId: string | number): boolean {
  const col = typeof nameOrId === 'number' ? 'id' : 'name';
  return db.prepare(`DELETE FROM ${table} WHERE ${col} = ?`).run(nameOrId).changes > 0;
}
