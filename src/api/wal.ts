import type Database from 'better-sqlite3';

/**
 * Checkpoints the ledger's -wal and cuts it to nothing. After a failed or previewed import it
 * still holds rolled-back pages (tens of MB, for as long as the connection stays open); after a
 * committed one, the pages still to copy. Done by the import worker around each import, so that
 * neither the file I/O nor a later small write's automatic checkpoint falls on the thread that
 * answers the window. Never waits: with a reader in the way the space comes back at the next
 * checkpoint.
 */
export function reclaimWal(db: Database.Database): void {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // busy or no room: SQLite keeps the -wal consistent either way
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}
