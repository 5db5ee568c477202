import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { DiskFullError, isDiskFull } from '../fs/disk-full.ts';
import { InputError } from '../errors.ts';
import { LATEST_VERSION, MIGRATIONS } from './schema.ts';
import { contentIdentity } from './content-identity.ts';

// Brands a plain better-sqlite3 Database does not carry: only this module makes them, so a table
// module's function that takes a WritableLedger cannot be handed a read-only connection, nor a
// database some other code opened. Types only (nothing at run time).
declare const readableBrand: unique symbol;
declare const writableBrand: unique symbol;

/** A connection to a migrated ledger: every table module reads through one. */
export type ReadableLedger = Database.Database & { readonly [readableBrand]: true };
/** The one connection of an open ledger that may write (not opened read-only). */
export type WritableLedger = ReadableLedger & { readonly [writableBrand]: true };

export interface OpenOptions {
  readonly?: boolean;
  /** refuse a path that holds no ledger instead of creating one (read-only commands, undo) */
  mustExist?: boolean;
  /** how long to wait for another process writing to the file (default 5 s) */
  busyTimeoutMs?: number;
}

/** `created`: this open made the file (a new ledger), so that a refused first import may remove it (`withWriteLockFree`). */
export type OpenedLedger = { readonly: true; db: ReadableLedger; created: false } | { readonly: false; db: WritableLedger; created: boolean };

/**
 * Opens the ledger at `path`: creates and migrates it when writable; refuses another program's
 * database, a ledger written by a newer Headroom, and (read-only) a ledger not yet migrated.
 */
export function openLedgerDb(path: string, options: OpenOptions = {}): OpenedLedger {
  const readonly = options.readonly === true;
  if (readonly && !existsSync(path)) throw new InputError(`${path}: no such ledger`, [{ file: path, message: 'no such ledger' }]);
  if (options.mustExist === true && !existsSync(path)) {
    throw new InputError(`no ledger at ${path} (create one with headroom import FILE --db ${path})`, [{ file: path, message: 'no ledger at this path' }]);
  }
  // made here, empty, before SQLite opens it: only then is it this call's to remove on a failure
  // (another process creating the same new ledger at once owns it otherwise)
  const created = !readonly && path !== ':memory:' && path !== '' && createEmpty(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (err) {
    if (created) removeIfEmpty(path);
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw new InputError(`${path}: cannot open the ledger: ${(err as Error).message}`, [{ file: path, message: 'cannot open the ledger' }]);
  }
  try {
    checkIsLedger(db, path);
    const { version, foreign } = versionAndTables(db);
    // Another program's database (tables, but no Headroom version) is never turned into a
    // ledger in place: migrating would add tables to it.
    if (version === 0) {
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
    // the identity of a row without an id, for SQL that shows identities (events.ts)
    db.function('headroom_content_ident', { deterministic: true }, (time, type, subject, cost, occ) =>
      contentIdentity(Number(time), Number(type), String(subject), Number(cost), Number(occ)),
    );
    return readonly ? { readonly: true, db: db as ReadableLedger, created: false } : { readonly: false, db: db as WritableLedger, created };
  } catch (err) {
    db.close();
    // A ledger this call created and could not set up holds nothing: it does not stay behind. Not
    // when busy: another process is writing to it, and removing it lost that process's import
    // (its next write failed with "disk I/O error").
    if (isBusy(err)) throw busyError(path);
    if (created) removeIfEmpty(path);
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw err;
  }
}

/**
 * A read-only connection for a reader (simulate --db, forecast, the compute worker). A ledger an
 * older Headroom wrote is migrated first, through a writable connection closed at once, so that
 * reading an old ledger works as it always did.
 */
export function openReadableDb(path: string, options: Omit<OpenOptions, 'readonly'> = {}): ReadableLedger {
  if (!existsSync(path)) throw new InputError(`${path}: no such ledger`, [{ file: path, message: 'no such ledger' }]);
  if (needsMigration(path, options.busyTimeoutMs)) openLedgerDb(path, { ...options, mustExist: true }).db.close();
  return openLedgerDb(path, { ...options, readonly: true }).db;
}

/** True when the file is a ledger (or empty) below the latest version; anything odd is left to openLedgerDb to say. */
function needsMigration(path: string, busyTimeoutMs: number | undefined): boolean {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs ?? 5000 });
    return (db.pragma('user_version', { simple: true }) as number) < LATEST_VERSION;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/** True when this call made the file at `path` (empty); false when it was there already, or cannot be made (SQLite says why). */
function createEmpty(path: string): boolean {
  try {
    closeSync(openSync(path, 'wx'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes `path` and its -wal and -shm when nothing was written to it: the file and its write-ahead
 * log or journal are empty (another process may have written since).
 */
function removeIfEmpty(path: string): void {
  const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
  try {
    if (size(path) !== 0 || size(`${path}-wal`) !== 0 || size(`${path}-journal`) !== 0) return;
    for (const p of [`${path}-wal`, `${path}-shm`, path]) rmSync(p, { force: true });
  } catch {
    // already gone
  }
}

/**
 * Another process holding the file (creating or upgrading it) longer than the busy timeout, or a
 * lock SQLite refuses to wait for: the remedy is to try again, not a bug report.
 */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export function busyError(path: string): InputError {
  return new InputError(`${path}: the ledger is busy (another process is writing to it); try again when it has finished`, [
    { file: path, message: 'the ledger is busy with another process' },
  ]);
}

/**
 * The ledger version and, at version 0, a table in the file, read in one transaction: read apart,
 * a second import creating the same new ledger read version 0, then the first one's committed
 * tables, and refused the file as another program's (1 run in 40 of two imports at once).
 */
function versionAndTables(db: Database.Database): { version: number; foreign: string | undefined } {
  return db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    const foreign = version !== 0 ? undefined : (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1`).pluck().get() as string | undefined);
    return { version, foreign };
  })();
}

function checkIsLedger(db: Database.Database, path: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    if (isBusy(err)) throw busyError(path);
    if (isDiskFull(err, path)) throw new DiskFullError(path);
    throw new InputError(`${path} is not a Headroom ledger (${(err as Error).message})`, [{ file: path, message: 'not a ledger (SQLite) file' }]);
  }
}

/**
 * Brings `db` from `from` to `to` (default the latest version), one transaction per migration.
 * `from` may be stale: another process (a second import creating the same new ledger) may have
 * migrated since it was read, so each step re-reads the version under the write lock (BEGIN
 * IMMEDIATE) and skips what is already done.
 */
export function migrate(db: Database.Database, from: number, to: number = LATEST_VERSION): void {
  for (const m of MIGRATIONS) {
    if (m.version <= from || m.version > to) continue;
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      m.prepare?.(db);
      db.exec(m.sql);
      m.finish?.(db);
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

export function userVersion(db: ReadableLedger): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Begins an import's write: its own transaction (BEGIN IMMEDIATE: the write lock now, so that the
 * long read of a file never ends in SQLITE_BUSY at its first write; busy → the InputError), or a
 * savepoint inside one already open (a preview of several files, each seeing the ones before it,
 * rolled back at the end: Ledger.previewSet). Returns true for a savepoint.
 */
export function beginWrite(db: WritableLedger, path: string): boolean {
  if (db.inTransaction) {
    db.exec('SAVEPOINT import_file');
    return true;
  }
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new InputError(`${path}: the ledger is busy (another import is writing to it); try again when it has finished`, [
      { file: path, message: 'the ledger is busy with another import' },
    ]);
  }
  return false;
}

/** `savepoint`: what beginWrite returned; a savepoint is released into the transaction around it. */
export function commitWrite(db: WritableLedger, savepoint = false): void {
  db.exec(savepoint ? 'RELEASE import_file' : 'COMMIT');
}

/**
 * `read` under the write lock when no other connection holds it now (never waiting for it), then
 * the lock let go; null when another process is writing. What a refused first import checks
 * before removing the ledger it created: another import may be filling it.
 */
export function withWriteLockFree<T>(db: WritableLedger, read: () => T): T | null {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if (isBusy(err)) return null;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
  try {
    return read();
  } finally {
    db.exec('ROLLBACK');
  }
}

/** Rolls back the open write transaction or savepoint, if any (a failed statement may have ended it already). */
export function rollbackWrite(db: WritableLedger, savepoint = false): void {
  if (!db.inTransaction) return;
  if (!savepoint) {
    db.exec('ROLLBACK');
    return;
  }
  db.exec('ROLLBACK TO import_file');
  db.exec('RELEASE import_file');
}

/** The page cache size (negative: KiB) until the returned function puts the previous one back. */
export function withCacheSize(db: WritableLedger, size: number): () => void {
  const before = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${size}`);
  return () => {
    db.pragma(`cache_size = ${before}`);
  };
}

/**
 * Checkpoints the -wal into the ledger and cuts it to nothing, never waiting: with a reader in
 * the way the space comes back at the next checkpoint.
 */
export function reclaimWal(db: WritableLedger): void {
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
