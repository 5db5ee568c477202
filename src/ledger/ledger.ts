import type { EventColumns, EventTypeName } from '../engine/events.ts';
import { InputError } from '../errors.ts';
import { beginWrite, openLedgerDb, openReadableDb, reclaimWal, rollbackWrite, userVersion, withWriteLockFree } from './db.ts';
import type { OpenOptions, ReadableLedger, WritableLedger } from './db.ts';
import { activeSeats, correctTriggerKind, readEntities, renameEntity } from './entities.ts';
import type { TriggerKindFact } from './entities.ts';
import type { LedgerEntity } from './entities.ts';
import { batchCount, exportedKeys, listBatches, undoBatch } from './batches.ts';
import type { BatchInfo } from './batches.ts';
import { eventsVersionKey, readEvents, seen, span, summary } from './events.ts';
import type { HistorySummary, SeenSubject } from './events.ts';
import { ImportSession } from './import-session.ts';
import { getMapping, saveMapping } from './mappings.ts';
import { deleteNamed, listNamed, loadNamed, renameNamed, saveNamed, saveScenario } from './named.ts';
import type { SavedItem } from './named.ts';
import { SubjectIds } from './subjects.ts';

export { migrate } from './db.ts';
export type { OpenOptions, ReadableLedger, WritableLedger } from './db.ts';
export type { BatchInfo } from './batches.ts';
export type { HistorySummary, SeenSubject } from './events.ts';
export type { SavedItem } from './named.ts';

/** Opens (creating and migrating if needed) the ledger at `path`; read-only with `readonly: true`. */
export function openLedger(path: string, options: OpenOptions = {}): Ledger {
  const opened = openLedgerDb(path, options);
  return new Ledger(opened.db, opened.readonly ? null : opened.db, path, opened.created);
}

/**
 * Opens the ledger at `path` for reading only (a reader never holds a writable connection). A
 * ledger an older Headroom wrote is upgraded first, as a writable open would.
 */
export function openLedgerForReading(path: string, options: Omit<OpenOptions, 'readonly'> = {}): Ledger {
  return new Ledger(openReadableDb(path, options), null, path);
}

/**
 * An open ledger: one connection, read-only or the one that writes. Every call goes to the
 * module of its table (events, batches, named plans and scenarios, mappings, identity); the
 * SQL lives there, nowhere above src/ledger/.
 */
export class Ledger {
  /** the connection, for the ledger's own modules and tests; code above src/ledger/ calls the methods */
  readonly db: ReadableLedger;
  readonly path: string;
  private readonly writer: WritableLedger | null;
  private readonly subjects: SubjectIds | null;

  /** this open made the file: a new ledger */
  private readonly created: boolean;

  constructor(db: ReadableLedger, writer: WritableLedger | null, path: string, created = false) {
    this.db = db;
    this.writer = writer;
    this.path = path;
    this.created = created;
    this.subjects = writer === null ? null : new SubjectIds(writer);
  }

  private writable(): WritableLedger {
    if (this.writer === null) throw new InputError(`${this.path}: the ledger was opened read-only`, [{ file: this.path, message: 'opened read-only' }]);
    return this.writer;
  }

  /**
   * True when this open made the file, no import ever wrote to it, and no other process is writing
   * to it now: what a refused first import leaves, to remove. Two imports creating the same new
   * ledger at once: the one refused must not remove the file the other is filling.
   */
  unusedNewFile(): boolean {
    const writer = this.writer;
    if (!this.created || writer === null) return false;
    return withWriteLockFree(writer, () => batchCount(writer) === 0) ?? false;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get version(): number {
    return userVersion(this.db);
  }

  get readonly(): boolean {
    return this.writer === null;
  }

  /**
   * Events in [from, to) in (time, insertion) order, as the engine's columns; `ids` hold each
   * event's ledger identity (null with `withIds: false`). Subjects are numbered in order of first
   * appearance, as the CSV reader numbers them, so the engine sees the same input either way.
   */
  readEvents(range: { from?: number; to?: number; withIds?: boolean; /** false: through SQL only (tests compare both readers) */ pages?: boolean } = {}): EventColumns {
    return readEvents(this.db, range);
  }

  /**
   * `readEvents`, and the API keys whose events the platform's exports gave (`exportedKeys`), read
   * in one transaction: what `recommend` and `forecast` judge a stated cap by.
   */
  readHistory(range: { from?: number; to?: number; withIds?: boolean } = {}): { events: EventColumns; exportedKeys: Set<string> } {
    return this.db.transaction(() => ({ events: readEvents(this.db, range), exportedKeys: new Set(exportedKeys(this.db)) }))();
  }

  /** The API keys whose events the platform's exports gave, by name (batches.ts `exportedKeys`). */
  exportedKeys(): string[] {
    return exportedKeys(this.db);
  }

  summary(): HistorySummary {
    return summary(this.db);
  }

  /** How many events, and the first and last time (null when empty). */
  span(): { events: number; from: number | null; to: number | null } {
    return span(this.db);
  }

  /** Changes with every import and undo: what the events cache beside the ledger is keyed on. */
  eventsVersionKey(): string {
    return eventsVersionKey(this.db);
  }

  /** API keys, triggers and people seen in the events, with their totals. */
  seen(): SeenSubject[] {
    return seen(this.db);
  }

  /** What the exports said about keys, triggers and people (names, modes, kinds). */
  entities(): LedgerEntity[] {
    return readEntities(this.db);
  }

  /** An admin's name for a key, trigger or person (null: back to the name the exports carry). */
  renameEntity(type: EventTypeName, subject: string, name: string | null): void {
    renameEntity(this.writable(), type, subject, name);
  }

  /** An admin's kind for a trigger (null: back to the kind inferred from the history). */
  correctTriggerKind(subject: string, kind: TriggerKindFact | null): void {
    correctTriggerKind(this.writable(), subject, kind);
  }

  /** People active in the last 30 days of the history (null when no messages). */
  activeSeats(): number | null {
    return activeSeats(this.db);
  }

  listBatches(): BatchInfo[] {
    return listBatches(this.db);
  }

  /**
   * Removes a batch's events; the batch stays in the history, marked undone. Returns events
   * removed. An unknown or already undone batch is an input error.
   */
  undoBatch(id: number): number {
    return undoBatch(this.writable(), id);
  }

  /** Begins an import: its write transaction and batch (importers hand it their rows). */
  beginImport(): ImportSession {
    return new ImportSession(this.writable(), this.path, this.subjects!);
  }

  /**
   * Previews several files as one set: `run` previews them in order inside one write transaction,
   * each file's preview kept for the next (a savepoint released into the set's transaction), and all of it rolled back
   * at the end, so a file that overlaps an earlier one of the set counts its lines as duplicates
   * in the preview as the import will. The ledger is unchanged.
   */
  async previewSet<T>(run: () => Promise<T>): Promise<T> {
    const db = this.writable();
    beginWrite(db, this.path);
    try {
      return await run();
    } finally {
      rollbackWrite(db);
      this.subjects?.reset();
    }
  }

  /** Forget cached subject ids (after a rollback, or another connection's import). */
  resetSubjectCache(): void {
    this.subjects?.reset();
  }

  /**
   * Checkpoints the -wal into the ledger file and cuts it to nothing, never waiting (after a
   * failed import the -wal still holds the rolled-back pages).
   */
  reclaimWal(): void {
    reclaimWal(this.writable());
  }

  getMapping(shape: string): unknown {
    return getMapping(this.db, shape);
  }

  saveMapping(shape: string, header: string[], mapping: unknown): void {
    saveMapping(this.writable(), shape, header, mapping);
  }

  savePlan(name: string, plan: unknown): number {
    return saveNamed(this.writable(), 'plans', name, plan);
  }

  listPlans(): SavedItem[] {
    return listNamed(this.db, 'plans');
  }

  loadPlan(nameOrId: string | number): unknown {
    return loadNamed(this.db, 'plans', nameOrId);
  }

  deletePlan(nameOrId: string | number): boolean {
    return deleteNamed(this.writable(), 'plans', nameOrId);
  }

  saveScenario(name: string, scenario: unknown, planId: number | null = null): number {
    return saveScenario(this.writable(), name, scenario, planId);
  }

  listScenarios(): SavedItem[] {
    return listNamed(this.db, 'scenarios');
  }

  loadScenario(nameOrId: string | number): unknown {
    return loadNamed(this.db, 'scenarios', nameOrId);
  }

  /** false when there is no scenario `id`; another scenario of that name is a constraint error */
  renameScenario(id: number, name: string): boolean {
    return renameNamed(this.writable(), 'scenarios', id, name);
  }

  deleteScenario(nameOrId: string | number): boolean {
    return deleteNamed(this.writable(), 'scenarios', nameOrId);
  }
}
