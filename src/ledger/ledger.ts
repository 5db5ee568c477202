import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { EVENT_TYPE_NAMES } from '../engine/events.ts';
import type { EventColumns, EventTypeName } from '../engine/events.ts';
import { InputError } from '../errors.ts';
import { LATEST_VERSION, MIGRATIONS } from './schema.ts';
import type { ImportOptions, ImportResult, PreviewResult } from '../import/importer.ts';
import { importFile, previewImport } from '../import/importer.ts';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** refuse a path that holds no ledger instead of creating one (read-only commands, undo) */
  mustExist?: boolean;
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
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new InputError(`${path}: cannot open the ledger: ${(err as Error).message}`, [{ file: path, message: 'cannot open the ledger' }]);
  }
  try {
    checkIsLedger(db, path);
    const version = db.pragma('user_version', { simple: true }) as number;
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
    throw err;
  }
}

function checkIsLedger(db: Db, path: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
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
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
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
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Events in [from, to) in (time, insertion) order, as the engine's columns; `ids` hold each
   * event's ledger identity (null with `withIds: false`). Subjects are numbered in order of first appearance, as the CSV
   * reader numbers them, so the engine sees the same input either way.
   */
  readEvents(range: { from?: number; to?: number; withIds?: boolean } = {}): EventColumns {
    const withIds = range.withIds !== false;
    // the whole range of JS dates by default
    const from = range.from ?? -8.64e15;
    const to = range.to ?? 8.64e15 + 1;
    // capacity: the whole ledger from the batch counts (no extra pass over the events); a time
    // range from a count over the primary key's range
    let capacity =
      range.from === undefined && range.to === undefined
        ? (this.db.prepare('SELECT coalesce(sum(events), 0) FROM batches WHERE undone_at IS NULL').pluck().get() as number) + 16
        : (this.db.prepare('SELECT count(*) FROM events WHERE time >= ? AND time < ?').pluck().get(from, to) as number) + 16;
    let time = new Float64Array(capacity);
    let type = new Uint8Array(capacity);
    let subject = new Uint32Array(capacity);
    let cost = new Float64Array(capacity);
    const ids: string[] = [];
    // subject ids are small dense integers: arrays, not maps, on the per-event path
    const maxId = (this.db.prepare('SELECT coalesce(max(id), 0) FROM subjects').pluck().get() as number) + 1;
    const names: string[] = new Array<string>(maxId);
    for (const row of this.db.prepare('SELECT id, name FROM subjects').raw().iterate() as IterableIterator<[number, string]>) {
      names[row[0]] = row[1];
    }
    const dense = new Int32Array(maxId).fill(-1);
    const subjects: string[] = [];
    // Pages of rows through .all() (keyset on the primary key): a third faster than one
    // iterator step per row. Without ids (only decisions need them) no string per event.
    const PAGE = 32768;
    const page = this.db
      .prepare(
        `SELECT time, type, subject, cost, seq${withIds ? ', ident' : ''} FROM events
         WHERE (time, seq) > (?, ?) AND time < ? ORDER BY time, seq LIMIT ${PAGE}`,
      )
      .raw();
    let i = 0;
    // (time, seq) > (from - 1, max) is time >= from, and as the only lower bound it lets SQLite
    // start each page where the last one ended (with time >= ? beside it, every page would
    // scan from `from` again)
    let lastTime = Math.ceil(from) - 1;
    let lastSeq = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = page.all(lastTime, lastSeq, to) as [number, number, number, number, number, string][];
      if (rows.length === 0) break;
      if (i + rows.length > capacity) {
        // only when batch counts were off (a ledger edited by hand): grow
        capacity = Math.max(capacity * 2, i + rows.length);
        const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
          const b = make(capacity);
          b.set(a);
          return b;
        };
        time = grow(time, (n) => new Float64Array(n));
        type = grow(type, (n) => new Uint8Array(n));
        subject = grow(subject, (n) => new Uint32Array(n));
        cost = grow(cost, (n) => new Float64Array(n));
      }
      for (const row of rows) {
        time[i] = row[0];
        type[i] = row[1];
        const sid = row[2];
        let s = sid < maxId ? dense[sid]! : -1;
        if (s === -1) {
          s = subjects.length;
          subjects.push(names[sid] ?? `#${sid}`);
          if (sid < maxId) dense[sid] = s;
        }
        subject[i] = s;
        cost[i] = row[3];
        if (withIds) ids.push(row[5]);
        i++;
      }
      const last = rows[rows.length - 1]!;
      lastTime = last[0];
      lastSeq = last[4];
      if (rows.length < PAGE) break;
    }
    return {
      count: i,
      time: time.subarray(0, i),
      type: type.subarray(0, i),
      subject: subject.subarray(0, i),
      subjects,
      cost: cost.subarray(0, i),
      ids: withIds ? ids : null,
    };
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
        }
        this.db.prepare('UPDATE batches SET undone_at = ? WHERE id = ?').run(Date.now(), id);
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
