import type { EventColumns } from '../engine/events.ts';
import type { SavedScenario } from '../modeling/types.ts';
import type { Plan } from '../engine/plan.ts';
import type { ImportSource } from './schemas.ts';
import type { BatchInfo, ImportFormat, ImportPreview, ImportResult, ImportSetEntry } from './types.ts';
import type { GivenDayOrder } from '../import/day-order.ts';

/**
 * What the admin told of one file before it is read, the same for its preview and its import: the
 * mapping step's columns (any other CSV), a platform export's day order (the preview's "Dates are").
 */
export interface FileGiven {
  mapping?: unknown;
  dates?: GivenDayOrder;
}

/**
 * What the handlers need from a ledger. The SQLite ledger and the importers implement it (see
 * ledger-store.ts); the handlers never see SQL.
 */
/**
 * What an admin tells the ledger about an entity: its name (null: the exports' name again) or a
 * trigger's kind (null: the kind inferred from the history).
 */
export type LedgerFact =
  | { kind: 'rename'; type: 'api' | 'trigger' | 'message'; subject: string; name: string | null }
  | { kind: 'trigger-kind'; subject: string; triggerKind: 'webhook' | 'scheduled' | null };

export interface WorkspaceStore {
  readonly path: string;
  eventCount(): number;
  /** how many events and their time range, without reading them */
  span(): { events: number; from: number | null; to: number | null };
  /** the span as stored for the ledger's current content version: span() need not count the events */
  knowSpan(span: { events: number; from: number | null; to: number | null }): void;
  /** changes with every import and undo (what stored answers about the events are keyed on); cheap */
  eventsVersionKey(): string;
  loadPlan(): Plan | null;
  /*
   * Writes go through the ledger's one writer queue, after any import or preview under way (which
   * holds the ledger's write lock on its own thread): they wait their turn without blocking, and
   * settle once written. The scenario writes below do too.
   */
  savePlan(plan: Plan): Promise<void>;
  /**
   * Read, change and write the saved plan (the default plan when none is saved) in one turn of the
   * writer queue: a change made after an import sees the plan as any write queued before it left it.
   * `changed` false: `change` returned the plan it was given, and nothing was written.
   */
  updatePlan(change: (saved: Plan) => Plan): Promise<{ plan: Plan; changed: boolean }>;
  /**
   * Records `fact` (a rename, a trigger's kind) and adopts what it changes into the saved plan
   * (`adopt`), in one turn of the writer queue: no other write lands between the fact and the plan
   * that follows from it, and the call settles once both are written.
   */
  recordFact(fact: LedgerFact, adopt: (saved: Plan) => Plan): Promise<{ plan: Plan; changed: boolean }>;
  /** stores generated events as one batch, for the demo workspace */
  seed(plan: Plan, events: EventColumns, label: string): Promise<void>;
  /** the import, rolled back; `run` reports its progress and cancels it */
  preview(
    source: ImportSource,
    format: ImportFormat,
    given?: FileGiven,
    run?: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal },
  ): Promise<ImportPreview>;
  /**
   * Several files previewed in order as the set their import is: each sees the ones before it,
   * all of it rolled back. `run.onProgress` names the file being read (its index) and how far in.
   */
  previewSet(
    files: readonly ({ source: ImportSource } & FileGiven)[],
    format: ImportFormat,
    run?: { onProgress?: (done: number, total: number, file: number) => void; signal?: AbortSignal },
  ): Promise<ImportSetEntry[]>;
  importFile(
    source: ImportSource,
    opts: { format: ImportFormat; skipBadRows: boolean; onProgress: (done: number, total: number) => void; signal: AbortSignal } & FileGiven,
  ): Promise<ImportResult>;
  /**
   * `plan` with what the imports said about entities it does not name (trigger modes, kinds and
   * names, spend without a key) and, while its seats are the default, the active seats seen;
   * `plan` itself when there is nothing to add.
   */
  planWithLedgerFacts(plan: Plan): Plan;
  /** saved scenarios, by name, with their plans */
  listScenarios(): SavedScenario[];
  /**
   * Scenario writes go through this store's one connection and its writer queue, as every write.
   * `save` replaces a scenario of the same name; `rename` to a name another scenario has is an
   * invalid_input failure, an unknown id not_found.
   */
  saveScenario(name: string, plan: Plan): Promise<SavedScenario>;
  renameScenario(id: number, name: string): Promise<SavedScenario>;
  deleteScenario(id: number): Promise<boolean>;
  listBatches(): BatchInfo[];
  undoBatch(batch: number): Promise<{ removed: number }>;
  /** closes the connection: at once, or once the writes already queued have landed */
  close(): void;
}

export type OpenStore = (path: string) => WorkspaceStore;
export type DemoFactory = () => { plan: Plan; events: EventColumns };
