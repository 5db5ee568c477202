import { InputError } from '../errors.ts';
import type { ReadableLedger, WritableLedger } from './db.ts';
import { DAY } from '../engine/units.ts';
import { forgetBatchSpend, reconcileSpend } from './overlap.ts';

/**
 * The import batches: one row per imported file, with the seq range its events were given (seqs
 * are never reused, so the range is exactly the batch's events), and undo.
 */

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

export function listBatches(db: ReadableLedger): BatchInfo[] {
  const rows = db.prepare('SELECT * FROM batches ORDER BY id').all() as Record<string, unknown>[];
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
 * The batches of mapped files not undone that added events, with the mapping each was read with:
 * what a later file of their columns must be read as, for its rows to find theirs (importer.ts).
 */
export function liveMappedBatches(db: ReadableLedger): { id: number; mapping: unknown; events: number }[] {
  const rows = db.prepare("SELECT id, mapping, events FROM batches WHERE undone_at IS NULL AND format = 'mapping' AND events > 0 AND mapping IS NOT NULL ORDER BY id").all() as {
    id: number;
    mapping: string;
    events: number;
  }[];
  return rows.map((r) => ({ id: r.id, mapping: JSON.parse(r.mapping) as unknown, events: r.events }));
}

/** The formats of the platform's own exports (import/formats.ts `FORMATS`), as batches.format stores them. */
export const EXPORT_FORMATS = ['dust-cost', 'dust-consumption'] as const;

/**
 * The API keys the platform's exports gave events of, by name, in the batches not undone: what
 * the platform itself recorded as let through, where an events CSV or a mapped sheet holds demand
 * (forecast/implied-cap.ts reads a stated cap as contradicted only by the former). An import of the
 * cost or consumption export lists the subjects of each scope's spend (overlap.ts; `key:<name>` for
 * an API key), and migration 9 listed those of the exports imported before version 5: a read of
 * that small table (a row per batch, scope and subject), never of the events.
 */
export function exportedKeys(db: ReadableLedger): string[] {
  return db
    .prepare(
      `SELECT DISTINCT s.name FROM batches b JOIN spend_subjects ss ON ss.batch = b.id JOIN subjects s ON s.id = ss.subject
       WHERE b.undone_at IS NULL AND b.format IN (${EXPORT_FORMATS.map((f) => `'${f}'`).join(', ')}) AND ss.scope >= 'key:' AND ss.scope < 'key;'
       ORDER BY s.name`,
    )
    .pluck()
    .all() as string[];
}

/** Events the batches not undone hold (room for the whole ledger, without a pass over the events). */
export function batchedEventCount(db: ReadableLedger): number {
  return db.prepare('SELECT coalesce(sum(events), 0) FROM batches WHERE undone_at IS NULL').pluck().get() as number;
}

/** Batches ever imported, undone ones too. */
export function batchCount(db: ReadableLedger): number {
  return db.prepare('SELECT count(*) FROM batches').pluck().get() as number;
}

export function liveBatchCount(db: ReadableLedger): number {
  return db.prepare('SELECT count(*) FROM batches WHERE undone_at IS NULL').pluck().get() as number;
}

/**
 * Starts a batch inside the import's transaction: its id, and the first seq its events take
 * (seqs continue after every batch ever imported, undone ones too: never reused).
 */
export function openBatch(db: WritableLedger): { id: number; firstSeq: number } {
  const id = db
    .prepare(
      `INSERT INTO batches(file_name, file_size, sha256, format, mapping, imported_at, rows, imported, duplicates, rejected, events)
       VALUES ('', 0, '', '', NULL, 0, 0, 0, 0, 0, 0) RETURNING id`,
    )
    .pluck()
    .get() as number;
  const firstSeq = ((db.prepare('SELECT max(last_seq) FROM batches').pluck().get() as number | null) ?? 0) + 1;
  return { id, firstSeq };
}

export interface BatchRecord {
  fileName: string;
  fileSize: number;
  sha256: string;
  format: string;
  mapping: unknown;
  rows: number;
  imported: number;
  duplicates: number;
  rejected: number;
  events: number;
  /** the seqs given, null when the batch added no event */
  seqs: { first: number; last: number } | null;
}

/** Completes the batch openBatch started, once its file is read. */
export function closeBatch(db: WritableLedger, id: number, r: BatchRecord): void {
  db.prepare(
    `UPDATE batches SET file_name = ?, file_size = ?, sha256 = ?, format = ?, mapping = ?, imported_at = ?, rows = ?, imported = ?,
     duplicates = ?, rejected = ?, events = ?, first_seq = ?, last_seq = ? WHERE id = ?`,
  ).run(
    r.fileName,
    r.fileSize,
    r.sha256,
    r.format,
    r.mapping === null ? null : JSON.stringify(r.mapping),
    Date.now(),
    r.rows,
    r.imported,
    r.duplicates,
    r.rejected,
    r.events,
    r.seqs?.first ?? null,
    r.seqs?.last ?? null,
    id,
  );
}

/**
 * Removes the consumption lines a batch added (seqs first..last), and the message events of
 * other batches that hold some of them; returns how many such events it removed. The messages
 * are listed in the temporary table `undo_messages` (the seq, ident, type and subject of their
 * event) for rebuildMessages, once the batch's own events are gone too.
 */
function removeBatchLines(db: WritableLedger, first: number, last: number): number {
  db.exec('CREATE TEMP TABLE undo_messages (eseq INTEGER PRIMARY KEY, ident TEXT, type INTEGER, subject INTEGER)');
  db.prepare('INSERT OR IGNORE INTO undo_messages(eseq) SELECT eseq FROM event_lines WHERE seq BETWEEN ? AND ?').run(first, last);
  if (db.prepare('SELECT 1 FROM undo_messages LIMIT 1').get() === undefined) return 0;
  // events are keyed by time first: found by seq in one pass over each table
  for (const table of ['events', 'events_held']) {
    db.exec(`INSERT OR REPLACE INTO undo_messages(eseq, ident, type, subject) SELECT seq, ident, type, subject FROM ${table} WHERE seq IN (SELECT eseq FROM undo_messages)`);
  }
  db.prepare('DELETE FROM event_lines WHERE seq BETWEEN ? AND ?').run(first, last);
  let removed = 0;
  for (const table of ['events', 'events_held']) {
    removed += db.prepare(`DELETE FROM ${table} WHERE ident IN (SELECT ident FROM undo_messages) AND NOT (seq BETWEEN ? AND ?)`).run(first, last).changes;
  }
  return removed;
}

/**
 * Makes again, from the lines other batches added, the message events removeBatchLines listed:
 * the earliest line's time, their summed cost, the least seq among them (the batch that gave it
 * holds the event now: its lines move under that seq), held back when that batch's spend of the
 * day is (overlap.ts). It counts its own cost: the reconcile after the undo gives it its share of
 * a cost row's spend again where it carries one. Returns how many it made.
 */
function rebuildMessages(db: WritableLedger): number {
  if (db.prepare("SELECT 1 FROM temp.sqlite_schema WHERE name = 'undo_messages'").get() === undefined) return 0;
  db.exec(`CREATE TEMP TABLE undo_moves AS
    SELECT l.eseq AS old, min(l.seq) AS new, min(l.time) AS time, sum(l.cost) AS cost
    FROM event_lines l WHERE l.eseq IN (SELECT eseq FROM undo_messages WHERE ident IS NOT NULL) GROUP BY l.eseq`);
  const made = db
    .prepare(
      `INSERT INTO events(time, seq, type, subject, cost, ident, occ)
       SELECT m.time, m.new, u.type, u.subject, m.cost, u.ident, NULL FROM undo_moves m JOIN undo_messages u ON u.eseq = m.old`,
    )
    .run().changes;
  db.exec('UPDATE event_lines SET eseq = (SELECT new FROM undo_moves WHERE old = event_lines.eseq) WHERE eseq IN (SELECT old FROM undo_moves)');
  const held = `ident IN (SELECT ident FROM undo_messages) AND EXISTS (
      SELECT 1 FROM batches b JOIN spend_subjects ss ON ss.batch = b.id AND ss.subject = events.subject
      JOIN spend_days d ON d.batch = b.id AND d.scope = ss.scope AND d.day = events.time - events.time % ${DAY}
      WHERE b.undone_at IS NULL AND events.seq BETWEEN b.first_seq AND b.last_seq AND d.held = 1)`;
  db.exec(`INSERT INTO events_held SELECT * FROM events WHERE ${held}`);
  db.exec(`DELETE FROM events WHERE ${held}`);
  db.exec('DROP TABLE undo_moves');
  db.exec('DROP TABLE undo_messages');
  return made;
}

/**
 * Removes a batch's events; the batch stays in the history, marked undone. Returns events
 * removed. An unknown or already undone batch is an input error (a second undo is a mistake
 * worth saying, not a silent "0 removed").
 */
export function undoBatch(db: WritableLedger, id: number): number {
  return db
    .transaction(() => {
      const b = db.prepare('SELECT first_seq, last_seq, undone_at FROM batches WHERE id = ?').get(id) as
        | { first_seq: number | null; last_seq: number | null; undone_at: number | null }
        | undefined;
      if (!b) throw new InputError(`no import batch ${id}`, [{ message: `no import batch ${id}` }]);
      if (b.undone_at !== null) {
        const when = new Date(b.undone_at).toISOString();
        throw new InputError(`import batch ${id} was already undone at ${when}: nothing to remove`, [{ message: `batch ${id} was already undone at ${when}` }]);
      }
      let removed = 0;
      db.prepare('UPDATE batches SET undone_at = ? WHERE id = ?').run(Date.now(), id);
      // one scan of the table: no per-event batch index slows every import down for a rare undo
      if (b.first_seq !== null && b.last_seq !== null) {
        removed = removeBatchLines(db, b.first_seq, b.last_seq);
        removed += db.prepare('DELETE FROM events WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
        removed += db.prepare('DELETE FROM events_held WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
        removed -= rebuildMessages(db);
      }
      // the other export's events this batch held back count again, and the spend the
      // consumption events carried for this batch's cost rows goes back to their own
      reconcileSpend(db, forgetBatchSpend(db, id));
      return removed;
    })
    .immediate();
}
