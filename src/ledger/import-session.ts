import { activeSeats, inferTriggerKinds } from './entities.ts';
import type { EntityFacts } from './entities.ts';
import { beginWrite, commitWrite, rollbackWrite, withCacheSize } from './db.ts';
import type { WritableLedger } from './db.ts';
import { closeBatch, liveMappedBatches, openBatch } from './batches.ts';
import type { BatchRecord } from './batches.ts';
import { buildIdentIndex, canDropIdentIndex, dropIdentIndex, EventWriter, latestEventTime, summarizeSeqRange } from './event-writer.ts';
import type { SeqRangeSummary } from './event-writer.ts';
import { apiSpendByHour } from './events.ts';
import type { HourSpend } from './events.ts';
import { getSavedMapping, saveMapping } from './mappings.ts';
import type { SavedMapping } from './mappings.ts';
import { reconcileSpend, recordBatchSpend } from './overlap.ts';
import type { BatchOverlap, OverlapSummary, SpendSource } from './overlap.ts';
import type { SubjectIds } from './subjects.ts';

/**
 * One import's write transaction: the importer hands it rows and facts, and it holds every
 * statement they need. Begun with the write lock (BEGIN IMMEDIATE) and a batch row; ends in
 * commit or rollback, nothing half-written in between.
 */
export class ImportSession {
  private readonly db: WritableLedger;
  private readonly subjects: SubjectIds;
  readonly batchId: number;
  /** the first seq this import gives; seqs from here on are this import's events */
  readonly firstSeq: number;
  /** the ledger's latest counted event before this import (-Infinity when empty) */
  readonly latestBefore: number;
  readonly events: EventWriter;
  /** a savepoint inside a transaction already open (Ledger.previewSet), not a transaction of its own */
  readonly inSet: boolean;

  constructor(db: WritableLedger, path: string, subjects: SubjectIds) {
    this.db = db;
    this.subjects = subjects;
    this.inSet = beginWrite(db, path);
    try {
      const batch = openBatch(db);
      this.batchId = batch.id;
      this.firstSeq = batch.firstSeq;
      this.latestBefore = latestEventTime(db) ?? Number.NEGATIVE_INFINITY;
      this.events = new EventWriter(db);
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  subjectId(name: string): number {
    return this.subjects.idOf(name);
  }

  /** True when the ledger holds no counted event and its identity index may be dropped (the bulk path). */
  canDropIdentIndex(): boolean {
    return canDropIdentIndex(this.db);
  }

  /** Drops the identity index for the bulk path (a rollback restores it). */
  dropIdentIndex(): void {
    dropIdentIndex(this.db);
  }

  /** Writes the queued bulk rows and builds the identity index; 'conflict' when two rows share an identity. */
  finishBulk(): 'built' | 'conflict' {
    this.events.flushBulk();
    return buildIdentIndex(this.db);
  }

  /** The page cache at `kib` KiB until the returned function puts it back. */
  cacheKib(kib: number): () => void {
    return withCacheSize(this.db, -kib);
  }

  getMapping(shape: string): SavedMapping | null {
    return getSavedMapping(this.db, shape);
  }

  /** `fromGuess`: the importer guessed it, so a later file decides its own decimal mark and dates (mappings.ts) */
  saveMapping(shape: string, header: readonly string[], mapping: unknown, fromGuess: boolean): void {
    saveMapping(this.db, shape, header, mapping, fromGuess);
  }

  /** The mapped files' batches not undone that added events, with their mappings (batches.ts). */
  liveMappedBatches(): { id: number; mapping: unknown; events: number }[] {
    return liveMappedBatches(this.db);
  }

  /** API requests and spend per hour of day in the ledger's event-level data (the dust-cost hour profile). */
  apiSpendByHour(): HourSpend[] {
    return apiSpendByHour(this.db);
  }

  closeBatch(record: BatchRecord): void {
    closeBatch(this.db, this.batchId, record);
  }

  /** What this import's counted events (seqs first..last) hold. */
  summarize(firstSeq: number, lastSeq: number): SeqRangeSummary {
    return summarizeSeqRange(this.db, firstSeq, lastSeq);
  }

  /**
   * Records this batch's spend per scope (the subjects, by name, each scope's spend went to) and
   * day (`elsewhere`: with the consumption lines it added to other batches' events), then settles which export counts where both cover a scope-day (overlap.ts).
   */
  recordSpend(
    source: SpendSource,
    firstSeq: number,
    lastSeq: number,
    scopes: ReadonlyMap<string, ReadonlySet<string>>,
    rows: ReadonlyMap<string, number> | null,
    elsewhere: readonly { subject: string; day: number; micros: number }[] = [],
  ): { ledger: OverlapSummary; batch: BatchOverlap } {
    const ids = new Map<string, Set<number>>();
    for (const [scope, names] of scopes) ids.set(scope, new Set([...names].map((n) => this.subjects.idOf(n))));
    const more = elsewhere.map((e) => ({ subject: this.subjects.idOf(e.subject), day: e.day, micros: e.micros }));
    const touched = recordBatchSpend(this.db, this.batchId, source, firstSeq, lastSeq, ids, rows, more);
    const { ledger, batch } = reconcileSpend(this.db, touched, this.batchId);
    return { ledger, batch: batch! };
  }

  /** Saves what the file said about entities, then tells scheduled triggers by their rhythm. */
  saveFacts(facts: EntityFacts): void {
    facts.save(this.db);
    inferTriggerKinds(this.db);
  }

  activeSeats(): number | null {
    return activeSeats(this.db);
  }

  commit(): void {
    commitWrite(this.db, this.inSet);
  }

  /** Rolls back (if still open) and forgets subject ids the rollback took away. */
  rollback(): void {
    try {
      rollbackWrite(this.db, this.inSet);
    } finally {
      this.subjects.reset();
    }
  }
}
