import type { Statement } from 'better-sqlite3';
import type { ReadableLedger, WritableLedger } from './db.ts';

/**
 * The identity index as of version 4: rows without an id have no identity string (NULL), so a
 * file without ids adds nothing to it; SQLite still uses it for `ident = ?`. The first import
 * into an empty ledger drops it and builds it again with this statement (a sort, several times
 * faster than a million index inserts).
 */
const EVENTS_IDENT_INDEX = 'CREATE UNIQUE INDEX events_ident ON events(ident) WHERE ident IS NOT NULL';

/** Rows per bulk INSERT: one statement and one array of values for 32 rows costs a third less per row than one call each. */
const BULK_ROWS = 32;
const COLUMNS = 7;
/** event_lines: eseq, line, occ, seq, time, cost, amount, amount_occ, cells */
const LINE_COLUMNS = 9;
const LINE_INSERT = 'INSERT OR IGNORE INTO event_lines(eseq, line, occ, seq, time, cost, amount, amount_occ, cells) VALUES';
const LINE_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** An event as a row: time, seq, type, subject id, cost, ident (null: none), occ (null with an ident). */
export type EventRow = [number, number, number, number, number, string | null, number | null];

/**
 * The events table, written by an import inside its write transaction: row-by-row inserts that
 * skip what the ledger already holds, the bulk path into an empty ledger (no identity index, so
 * every row is added), and the lookups that tell a duplicate from a new event.
 */
/** `type,subject,cost,occ` keys remembered across times (about 60 MB at most) */
const CONTENT_KEYS = 1 << 20;

export class EventWriter {
  private readonly db: WritableLedger;
  private readonly insertOne: Statement;
  private insertBulk: Statement | null = null;
  private readonly bulkValues: (number | string | null)[] = new Array<number | string | null>(COLUMNS * BULK_ROWS);
  private bulkFill = 0;
  private readonly contentAt: Statement;
  /** the events without an id at each time asked, as `type,subject,cost,occ` (see the constructor) */
  private contentKeys = new Map<number, Set<string>>();
  private contentCount = 0;
  private readonly identAt: Statement;
  private readonly heldIdent: Statement;
  private readonly heldIdentAt: Statement;
  private readonly addCostAt: Statement;
  private readonly addHeldCostAt: Statement;
  private readonly linesOfEvent: Statement;
  private readonly insertLineOne: Statement;
  private readonly amountTaken: Statement;
  private readonly deleteLine: Statement;
  private insertLines: Statement | null = null;
  private readonly lineValues: number[] = new Array<number>(LINE_COLUMNS * BULK_ROWS);
  private lineFill = 0;
  private readonly identsFrom: Statement;
  private identsBefore: Statement | null = null;
  private readonly costOf: Statement;
  private costDay: Statement | null = null;
  /** events the other export's overlap holds back (overlap.ts) are in the ledger all the same */
  private readonly anyHeld: boolean;

  constructor(db: WritableLedger) {
    this.db = db;
    this.insertOne = db.prepare('INSERT OR IGNORE INTO events(time, seq, type, subject, cost, ident, occ) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // The events without an id at one time, read once per time and remembered for the times the
    // file comes back to: a file of rows that repeat at one millisecond would otherwise scan that
    // millisecond's events once per row (quadratic: 20k such rows took 14 s), and so would a file
    // not sorted by time whose rows share their times with many others (300k spreadsheet rows on
    // 1,440 minutes, sorted by key: 63 s to re-import, 5 s remembered). Rows this import adds never match a later row of its file (its content and
    // occurrence pairs are distinct), but may match a row of a file joined after it (the header
    // again, numbered afresh): insert adds them to the times remembered.
    this.contentAt = db.prepare('SELECT type, subject, cost, occ FROM events WHERE time = ? AND ident IS NULL').raw();
    this.identAt = db.prepare('SELECT time, seq FROM events WHERE ident = ?');
    this.anyHeld = db.prepare('SELECT 1 FROM events_held LIMIT 1').get() !== undefined;
    this.heldIdent = db.prepare('SELECT 1 FROM events_held WHERE ident = ?').pluck();
    this.heldIdentAt = db.prepare('SELECT time, seq FROM events_held WHERE ident = ?');
    // the share of a cost row's spend the event carried goes (overlap.ts): the lines may move it
    // to the day before, whose cost rows it has no share of, and the import's reconcile shares
    // its day out again from the events' own cost
    this.addCostAt = db.prepare('UPDATE events SET cost = cost - share + ?, share = 0, time = min(time, ?) WHERE time = ? AND seq = ?');
    this.addHeldCostAt = db.prepare('UPDATE events_held SET cost = cost + ?, time = min(time, ?) WHERE time = ? AND seq = ?');
    this.linesOfEvent = db.prepare('SELECT line, seq FROM event_lines WHERE eseq = ?').raw();
    this.insertLineOne = db.prepare(`${LINE_INSERT} ${LINE_VALUES}`);
    // the message's other lines, found by the primary key's first column: a message has a few
    this.amountTaken = db
      .prepare('SELECT 1 FROM event_lines WHERE eseq = @eseq AND amount = @amount AND amount_occ = @occ AND cells != @cells AND ((cells & @cells) = cells OR (cells & @cells) = @cells) AND NOT (line = @line AND occ = @lineOcc) LIMIT 1')
      .pluck();
    this.deleteLine = db.prepare('DELETE FROM event_lines WHERE eseq = ? AND line = ? AND occ = ?');
    this.costOf = db.prepare(
      `SELECT count(*) AS n, sum(cost) AS c FROM (
         SELECT cost FROM events WHERE ident IN (SELECT value FROM json_each(@ids))
         UNION ALL SELECT cost FROM events_held WHERE ident IN (SELECT value FROM json_each(@ids)))`,
    );
    this.identsFrom = db.prepare('SELECT ident, time, type, subject, cost FROM events WHERE ident IN (SELECT value FROM json_each(?)) AND seq >= ?').raw();
  }

  /** Adds the event unless its primary key or identity is taken; true when added. */
  insert(time: number, seq: number, type: number, subject: number, cost: number, ident: string | null, occ: number | null): boolean {
    const added = this.insertOne.run(time, seq, type, subject, cost, ident, occ).changes > 0;
    // a file joined to another (the header again) numbers its rows afresh, so a later row may
    // stand for one this import added: the time's remembered events must hold it too
    const keys = added && ident === null ? this.contentKeys.get(time) : undefined;
    if (keys !== undefined) {
      keys.add(`${type},${subject},${cost},${occ}`);
      this.contentCount++;
    }
    return added;
  }

  /** Queues the event for the bulk path (every row is added): written BULK_ROWS at a time, the rest at flushBulk. */
  bulk(time: number, seq: number, type: number, subject: number, cost: number, ident: string | null, occ: number | null): void {
    const v = this.bulkValues;
    let f = this.bulkFill;
    v[f++] = time;
    v[f++] = seq;
    v[f++] = type;
    v[f++] = subject;
    v[f++] = cost;
    v[f++] = ident;
    v[f++] = occ;
    this.bulkFill = f;
    if (f === v.length) this.flushBulk();
  }

  flushBulk(): void {
    const n = this.bulkFill;
    if (n === 0) return;
    if (n === this.bulkValues.length) {
      this.insertBulk ??= this.db.prepare(`INSERT INTO events(time, seq, type, subject, cost, ident, occ) VALUES ${Array(BULK_ROWS).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
      this.insertBulk.run(this.bulkValues);
    } else {
      for (let k = 0; k < n; k += COLUMNS) this.insertOne.run(this.bulkValues.slice(k, k + COLUMNS));
    }
    this.bulkFill = 0;
  }

  /**
   * True when an event without an id of this content and occurrence is in the ledger: found
   * through the primary key, which time leads. (A lookup and then an insert cost a third of one
   * INSERT ... WHERE NOT EXISTS, measured.)
   */
  hasContent(time: number, type: number, subject: number, cost: number, occurrence: number): boolean {
    let keys = this.contentKeys.get(time);
    if (keys === undefined) {
      // forgotten all at once when full: a time forgotten is read again, never misread
      if (this.contentCount >= CONTENT_KEYS) {
        this.contentKeys.clear();
        this.contentCount = 0;
      }
      keys = this.readContentAt(time);
      this.contentKeys.set(time, keys);
      this.contentCount += keys.size + 1;
    }
    return keys.has(`${type},${subject},${cost},${occurrence}`);
  }

  /** The events without an id at `time`, as `type,subject,cost,occ`: one query (hasContent remembers it). */
  private readContentAt(time: number): Set<string> {
    const keys = new Set<string>();
    for (const r of this.contentAt.iterate(time) as IterableIterator<[number, number, number, number]>) keys.add(`${r[0]},${r[1]},${r[2]},${r[3]}`);
    return keys;
  }

  /** Where the counted event with this identity is, if any. */
  findIdent(ident: string): { time: number; seq: number } | undefined {
    return this.identAt.get(ident) as { time: number; seq: number } | undefined;
  }

  /** True when an event with this identity is held back by the overlap (in the ledger, not counted). */
  isHeld(ident: string): boolean {
    return this.anyHeld && this.heldIdent.get(ident) !== undefined;
  }

  /** Where the event with this identity that the overlap holds back is, if any. */
  findHeldIdent(ident: string): { time: number; seq: number } | undefined {
    return this.anyHeld ? (this.heldIdentAt.get(ident) as { time: number; seq: number } | undefined) : undefined;
  }

  /**
   * Folds lines' cost into the event at (time, seq), counted or held back; the event keeps the
   * earliest time.
   */
  addCost(cost: number, time: number, atTime: number, atSeq: number, held = false): void {
    (held ? this.addHeldCostAt : this.addCostAt).run(cost, time, atTime, atSeq);
  }

  /** The lines recorded for the message event of seq `eseq`: [line hash (-1: folded before version 6), seq of the batch that added it]. */
  linesOf(eseq: number): [number, number][] {
    this.flushLines();
    return this.linesOfEvent.all(eseq) as [number, number][];
  }

  /**
   * Records a line of the message event of seq `eseq`; false when it is recorded already (a
   * duplicate line): its content and occurrence, or its amount and that amount's occurrence on a
   * line whose documented cells (`cells`, one bit a column) are a strict superset or subset of
   * this one's (a copy with columns deleted, either way round).
   */
  insertLine(eseq: number, line: number, occ: number, seq: number, time: number, cost: number, amount: number, amountOcc: number, cells: number): boolean {
    this.flushLines();
    // the insert first: a line seen again (a re-import) is then one statement, and only a line
    // new by content is looked up by amount, and taken back when found
    if (this.insertLineOne.run(eseq, line, occ, seq, time, cost, amount, amountOcc, cells).changes === 0) return false;
    if (this.amountTaken.get({ eseq, amount, occ: amountOcc, cells, line, lineOcc: occ }) === undefined) return true;
    this.deleteLine.run(eseq, line, occ);
    return false;
  }

  /**
   * Queues a line of a message new to the ledger (none of its lines can be there: it is
   * added), written BULK_ROWS at a time; linesOf, insertLine and flushLines write the rest.
   */
  queueLine(eseq: number, line: number, occ: number, seq: number, time: number, cost: number, amount: number, amountOcc: number, cells: number): void {
    const v = this.lineValues;
    let f = this.lineFill;
    v[f++] = eseq;
    v[f++] = line;
    v[f++] = occ;
    v[f++] = seq;
    v[f++] = time;
    v[f++] = cost;
    v[f++] = amount;
    v[f++] = amountOcc;
    v[f++] = cells;
    this.lineFill = f;
    if (f === v.length) {
      // OR IGNORE: two lines of one message sharing a 48-bit hash (odds ~1e-13) must not fail the import
      this.insertLines ??= this.db.prepare(`${LINE_INSERT} ${Array(BULK_ROWS).fill(LINE_VALUES).join(', ')}`);
      this.insertLines.run(v);
      this.lineFill = 0;
    }
  }

  flushLines(): void {
    const n = this.lineFill;
    if (n === 0) return;
    this.lineFill = 0;
    for (let k = 0; k < n; k += LINE_COLUMNS) this.insertLineOne.run(this.lineValues.slice(k, k + LINE_COLUMNS));
  }

  /** The cost of the events (counted or held back) with these identities; null when there is none. */
  storedCost(idents: readonly string[]): number | null {
    const r = this.costOf.get({ ids: JSON.stringify(idents) }) as { n: number; c: number | null };
    return r.n === 0 ? null : (r.c ?? 0);
  }

  /**
   * Whether a cost export already in the ledger (a live batch) covers the UTC day `day`: a row of
   * $0.00 there (spend under half a cent, which the export rounds to 0.00) makes no event to find
   * it by, so a file imported again would count it new each time.
   */
  costCoversDay(day: number): boolean {
    this.costDay ??= this.db
      .prepare("SELECT 1 FROM spend_days d JOIN batches b ON b.id = d.batch WHERE d.source = 'cost' AND d.day = ? AND b.undone_at IS NULL LIMIT 1")
      .pluck();
    return this.costDay.get(day) !== undefined;
  }

  /**
   * Counted events with these identities given before `firstSeq` (by earlier imports): ident,
   * time, type, subject name, cost. Read only for ids the import found in the ledger already.
   */
  eventsBefore(idents: readonly string[], firstSeq: number): [string, number, number, string, number][] {
    this.identsBefore ??= this.db
      .prepare('SELECT e.ident, e.time, e.type, s.name, e.cost FROM events e JOIN subjects s ON s.id = e.subject WHERE e.ident IN (SELECT value FROM json_each(?)) AND e.seq < ?')
      .raw();
    return this.identsBefore.all(JSON.stringify(idents), firstSeq) as [string, number, number, string, number][];
  }

  /** Events with these identities given from `firstSeq` on (by this import): ident, time, type, subject, cost. */
  eventsSince(idents: readonly string[], firstSeq: number): [string, number, number, number, number][] {
    return this.identsFrom.all(JSON.stringify(idents), firstSeq) as [string, number, number, number, number][];
  }
}

/** True when the ledger holds no counted event and still has its identity index: the bulk path may drop it. */
export function canDropIdentIndex(db: ReadableLedger): boolean {
  return db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined && db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_ident'").get() !== undefined;
}

/** Drops the identity index, inside the caller's transaction (a rollback restores it). */
export function dropIdentIndex(db: WritableLedger): void {
  db.exec('DROP INDEX events_ident');
}

/**
 * Builds the identity index again, with a small page cache (the build's sorter takes as much
 * memory as the cache may). 'conflict' when two events share an identity (the bulk path then
 * starts over row by row).
 */
export function buildIdentIndex(db: WritableLedger): 'built' | 'conflict' {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -16384');
  try {
    db.exec(EVENTS_IDENT_INDEX);
    return 'built';
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'conflict';
    throw err;
  } finally {
    db.pragma(`cache_size = ${cache}`);
  }
}

/** The time of the latest counted event, null when there is none. */
export function latestEventTime(db: ReadableLedger): number | null {
  return db.prepare('SELECT max(time) FROM events').pluck().get() as number | null;
}

export interface SeqRangeSummary {
  from: number | null;
  to: number | null;
  events: number;
  spendMicros: number;
  keys: number;
  triggers: number;
  people: number;
}

/** What the counted events with seqs in [firstSeq, lastSeq] hold: span, count, spend, distinct keys, triggers, people. */
export function summarizeSeqRange(db: ReadableLedger, firstSeq: number, lastSeq: number): SeqRangeSummary {
  const f = db
    .prepare(
      `SELECT min(time) AS lo, max(time) AS hi, count(*) AS n, coalesce(sum(cost), 0) AS c,
              count(DISTINCT CASE WHEN type = 0 THEN subject END) AS k, count(DISTINCT CASE WHEN type = 1 THEN subject END) AS t,
              count(DISTINCT CASE WHEN type = 2 THEN subject END) AS p
       FROM events WHERE seq BETWEEN ? AND ?`,
    )
    .get(firstSeq, lastSeq) as { lo: number | null; hi: number | null; n: number; c: number; k: number; t: number; p: number };
  return { from: f.lo, to: f.hi, events: f.n, spendMicros: f.c, keys: f.k, triggers: f.t, people: f.p };
}
