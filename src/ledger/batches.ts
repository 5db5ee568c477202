import { InputError } from '../errors.ts';
import type { ReadableLedger, WritableLedger } from './db.ts';
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

/** Events the batches not undone hold (room for the whole ledger, without a pass over the events). */
export function batchedEventCount(db: ReadableLedger): number {
  return db.prepare('SELECT coalesce(sum(events), 0) FROM batches WHERE undone_at IS NULL').pluck().get() as number;
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
      // one scan of the table: no per-event batch index slows every import down for a rare undo
      if (b.first_seq !== null && b.last_seq !== null) {
        removed = db.prepare('DELETE FROM events WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
        removed += db.prepare('DELETE FROM events_held WHERE seq BETWEEN ? AND ?').run(b.first_seq, b.last_seq).changes;
      }
      db.prepare('UPDATE batches SET undone_at = ? WHERE id = ?').run(Date.now(), id);
      // the other export's events this batch held back count again
      forgetBatchSpend(db, id);
      reconcileSpend(db);
      return removed;
    })
    .immediate();
}
