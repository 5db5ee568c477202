import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openLedger } from '../ledger/ledger.ts';
import { withLedgerFacts } from '../ledger/entities.ts';
import { CURRENT_PLAN, loadCurrentPlan } from '../ledger/current-plan.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { ImportResult as LedgerImportResult, PreviewResult } from '../import/importer.ts';
import { validatePlan } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { EventColumns } from '../engine/events.ts';
import { eventsToCsv } from '../demo/csv-writer.ts';
import { generateWorkspace } from '../demo/generator.ts';
import { formatUsd } from '../engine/units.ts';
import type { ImportSource } from './schemas.ts';
import { ApiFailure } from './errors.ts';
import type { ImportMethods, LedgerAfterImport } from './import-protocol.ts';
import { WorkerClient, workerLimits } from '../workers/client.ts';
import type { InputOf, OutputOf } from '../workers/protocol.ts';
import { apiFailureOf } from './worker-failure.ts';
import type { DemoFactory, FileGiven, LedgerFact, WorkspaceStore } from './store.ts';
import type { SavedScenario } from '../modeling/types.ts';
import type { BatchInfo, ImportFormat, ImportPreview, ImportResult, ImportRowError, ImportSetEntry } from './types.ts';
import { workerFile } from '../worker-files.ts';
import { importFacts } from './import-facts.ts';
import type { ColumnMappingView } from './types.ts';
import { importFile, previewImport } from '../import/importer.ts';
import { previewSet, setProgressOf } from '../import/preview-set.ts';
import type { SetFile } from '../import/preview-set.ts';

/** A preview's progress and its Cancel. */
export interface PreviewRun {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const PREVIEW_ROWS = 12;

/** What was given of a file, as the importer's options: a mapping or an order not given is no option. */
function givenOptions(g: FileGiven): FileGiven {
  return { ...(g.mapping !== undefined && g.mapping !== null ? { mapping: g.mapping } : {}), ...(g.dates !== undefined ? { dates: g.dates } : {}) };
}

/** Browsers hand over a file's text, not a path: it goes through a private temporary copy. */
async function withFile<T>(source: ImportSource, fn: (path: string, displayName: string) => Promise<T>): Promise<T> {
  if ('upload' in source) throw new ApiFailure('invalid_input', 'an upload reaches the ledger only through the web host');
  if ('path' in source) return fn(source.path, source.name ?? basename(source.path));
  const dir = mkdtempSync(join(tmpdir(), 'headroom-import-'));
  const name = basename(source.name).replace(/[^\w.\- ]/g, '_') || 'import.csv';
  const path = join(dir, name);
  try {
    writeFileSync(path, source.text);
    return await fn(path, source.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every source as a file to read, in order (withFile for each, nested). */
async function withFiles<T>(sources: readonly ImportSource[], fn: (files: { path: string; displayName: string }[]) => Promise<T>): Promise<T> {
  const open = async (i: number, got: { path: string; displayName: string }[]): Promise<T> =>
    i === sources.length ? fn(got) : withFile(sources[i]!, (path, displayName) => open(i + 1, [...got, { path, displayName }]));
  return open(0, []);
}

/** 0 when it cannot be read: the importer then names the missing file. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const rowErrors = (r: LedgerImportResult): ImportRowError[] =>
  r.errors.map((e) => ({ line: e.line, message: e.message, ...(e.column !== null ? { column: e.column } : {}), ...(e.value !== null ? { value: e.value } : {}) }));

const CANONICAL_FIELDS: Record<string, string> = { timestamp: 'time', type: 'type', subject: 'subject', cost_usd: 'cost (USD)', id: 'id' };

function mappingOf(p: PreviewResult): { column: string; field: string }[] {
  const m = p.mapping;
  if (m !== null) {
    const out = [
      { column: m.time, field: `time (${m.dateFormat}, ${m.timeZone})` },
      ...(m.timeOfDay !== null ? [{ column: m.timeOfDay, field: 'time of day' }] : []),
      'column' in m.type ? { column: m.type.column, field: 'type' } : { column: '(every row)', field: `type = ${m.type.value}` },
      { column: m.subject, field: 'subject' },
    ];
    if (m.cost !== null) out.push({ column: m.cost, field: `cost (${m.costUnit})` });
    if (m.id !== null) out.push({ column: m.id, field: 'id' });
    return out;
  }
  if (p.format === 'events') return p.header.filter((h) => CANONICAL_FIELDS[h.trim().toLowerCase()]).map((h) => ({ column: h, field: CANONICAL_FIELDS[h.trim().toLowerCase()] ?? h }));
  return [];
}

/** What the page shows of a preview. */
function previewView(p: PreviewResult, displayName: string): ImportPreview {
  return {
    name: displayName,
    format: p.format,
    mapping: mappingOf(p),
    header: ['line', 'time', 'type', 'subject', 'cost', 'state'],
    rows: p.firstEvents.slice(0, PREVIEW_ROWS).map((e) => [String(e.line), e.time, e.type, e.subject, formatUsd(e.costMicros), e.duplicate ? 'duplicate' : 'new']),
    totalRows: p.readWhole ? p.rows : null,
    errors: rowErrors(p),
    columnMapping: p.mapping as ColumnMappingView | null,
    missing: p.missing,
    fileHeader: p.header,
    sampleRows: p.sampleRows.slice(0, PREVIEW_ROWS),
    facts: importFacts(p, 'preview'),
    counts: { rows: p.rows, imported: p.imported, duplicates: p.duplicates, rejected: p.rejected },
  };
}

function toResult(r: LedgerImportResult): ImportResult {
  return {
    facts: importFacts(r, 'imported'),
    file: r.file,
    format: r.format,
    batch: r.batch,
    rows: r.rows,
    imported: r.imported,
    duplicates: r.duplicates,
    rejected: r.rejected,
    errors: rowErrors(r),
  };
}

/**
 * Runs one import (or preview) on a worker thread of its own, closed when it is done; cancelling
 * flips the call's flag, which the importer reads between rows, and the call settles once the
 * import has rolled back.
 */
async function importInWorker<K extends keyof ImportMethods>(
  workerUrl: URL,
  method: K,
  job: InputOf<ImportMethods, K>,
  size: number,
  onProgress: (done: number, total: number) => void,
  signal: AbortSignal,
): Promise<OutputOf<ImportMethods, K>> {
  // progress from the start: the worker's first report comes after it has loaded and read a chunk
  onProgress(0, Math.max(size, 1));
  const worker = new WorkerClient<ImportMethods>(workerUrl, { name: 'the import worker', resourceLimits: workerLimits() });
  try {
    return await worker.call(method, job, { onProgress, signal });
  } catch (err) {
    throw apiFailureOf(err);
  } finally {
    await worker.close();
  }
}

export class LedgerStore implements WorkspaceStore {
  readonly path: string;
  private readonly ledger: Ledger;
  /** the events' count and range: read once, then told by the import worker after each import */
  private spanNow: { events: number; from: number | null; to: number | null } | null = null;
  /** the active seats the import worker read after the last import (undefined: not known here) */
  private seatsNow: number | null | undefined = undefined;
  private readonly importWorkerUrl: URL | null;
  /**
   * The ledger's one writer queue. Previews (a rolled-back import) and imports take turns: one
   * must not see the other's rows. Every write of this store (the plan, names, trigger kinds,
   * undo, scenarios) queues here too: it lands after the import under way (which holds the
   * ledger's write lock on its own thread) instead of racing it or blocking this thread on the lock.
   */
  private queue: Promise<unknown> = Promise.resolve();
  /** turns queued and not yet settled: close() waits for them, so a queued write is never lost */
  private pending = 0;
  private closing = false;

  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.closing) return Promise.reject(new ApiFailure('internal', `${this.path} is closed: nothing more is written to it`));
    this.pending++;
    const turn = async (): Promise<T> => fn();
    const next = this.queue.then(turn, turn);
    this.queue = next
      .catch(() => {})
      .finally(() => {
        this.pending--;
        if (this.closing && this.pending === 0) this.ledger.close();
      });
    return next;
  }

  /** With `importWorkerUrl`, imports run on a worker thread; without, in this thread. */
  constructor(path: string, importWorkerUrl: URL | null = null) {
    this.path = path;
    this.ledger = openLedger(path);
    this.importWorkerUrl = importWorkerUrl;
  }

  eventCount(): number {
    return this.ledger.summary().events;
  }

  span(): { events: number; from: number | null; to: number | null } {
    if (this.spanNow === null) {
      this.spanNow = this.ledger.span();
    }
    return this.spanNow;
  }

  /** read each time (a few small reads): another process's import changes it too */
  eventsVersionKey(): string {
    return this.ledger.eventsVersionKey();
  }

  knowSpan(span: { events: number; from: number | null; to: number | null }): void {
    this.spanNow = span;
  }

  /** After the ledger changed: what this thread knows of it is stale. */
  private changed(after: LedgerAfterImport | null = null): void {
    this.spanNow = after === null ? null : { events: after.events, from: after.from, to: after.to };
    this.seatsNow = after === null ? undefined : after.activeSeats;
  }

  loadPlan(): Plan | null {
    return loadCurrentPlan(this.ledger);
  }

  savePlan(plan: Plan): Promise<void> {
    return this.serial(() => {
      this.ledger.savePlan(CURRENT_PLAN, plan);
    });
  }

  updatePlan(change: (saved: Plan) => Plan): Promise<{ plan: Plan; changed: boolean }> {
    return this.serial(() => this.updatePlanNow(change));
  }

  recordFact(fact: LedgerFact, adopt: (saved: Plan) => Plan): Promise<{ plan: Plan; changed: boolean }> {
    return this.serial(() => {
      if (fact.kind === 'rename') this.ledger.renameEntity(fact.type, fact.subject, fact.name);
      else this.ledger.correctTriggerKind(fact.subject, fact.triggerKind);
      return this.updatePlanNow(adopt);
    });
  }

  private updatePlanNow(change: (saved: Plan) => Plan): { plan: Plan; changed: boolean } {
    const saved = this.loadPlan() ?? validatePlan({});
    const next = change(saved);
    if (next === saved) return { plan: saved, changed: false };
    this.ledger.savePlan(CURRENT_PLAN, next);
    return { plan: next, changed: true };
  }

  seed(plan: Plan, events: EventColumns, label: string): Promise<void> {
    return this.serial(() => this.seedNow(plan, events, label));
  }

  private async seedNow(plan: Plan, events: EventColumns, label: string): Promise<void> {
    this.ledger.savePlan(CURRENT_PLAN, plan);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-demo-'));
    try {
      const path = join(dir, 'demo-workspace.csv');
      writeFileSync(path, eventsToCsv(events));
      await importFile(this.ledger, path, { format: 'events', displayName: label });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      this.changed();
    }
  }

  async preview(source: ImportSource, format: ImportFormat, given: FileGiven = {}, run: PreviewRun = {}): Promise<ImportPreview> {
    return this.serial(() => this.previewNow(source, format, givenOptions(given), run));
  }

  private async previewNow(source: ImportSource, format: ImportFormat, given: FileGiven, run: PreviewRun): Promise<ImportPreview> {
    return withFile(source, async (path, displayName) => {
      // off this thread when there is a worker: a 75 MB file is read without stalling the window's answers
      const p = this.importWorkerUrl
        ? await importInWorker(
            this.importWorkerUrl,
            'preview',
            { ledgerPath: this.path, file: path, displayName, format, skipBadRows: true, reclaimWal: true, ...given },
            sizeOf(path),
            run.onProgress ?? (() => {}),
            run.signal ?? new AbortController().signal,
          )
        : await previewImport(this.ledger, path, {
            format,
            displayName,
            skipBadRows: true,
            audience: 'app',
            ...given,
            ...(run.signal !== undefined ? { signal: run.signal } : {}),
            ...(run.onProgress !== undefined ? { onProgress: (p: { bytes: number; totalBytes: number }) => run.onProgress?.(p.bytes, p.totalBytes) } : {}),
          });
      return previewView(p, displayName);
    });
  }

  /**
   * The files previewed in order as one dry run, as the page imports them: good rows kept for the
   * next file (its Import leaves bad rows out whenever a file has some), all of it rolled back.
   */
  async previewSet(
    files: readonly ({ source: ImportSource } & FileGiven)[],
    format: ImportFormat,
    run: { onProgress?: (done: number, total: number, file: number) => void; signal?: AbortSignal } = {},
  ): Promise<ImportSetEntry[]> {
    return this.serial(() =>
      withFiles(
        files.map((f) => f.source),
        async (paths) => {
          const set: SetFile[] = paths.map((p, i) => ({ path: p.path, displayName: p.displayName, size: sizeOf(p.path), ...givenOptions(files[i]!) }));
          const sizes = set.map((f) => f.size);
          const onProgress = (done: number): void => {
            const at = setProgressOf(sizes, done);
            run.onProgress?.(at.done, at.total, at.file);
          };
          const signal = run.signal ?? new AbortController().signal;
          // on the import worker when there is one: the set is read without stalling the window's answers
          const out = this.importWorkerUrl
            ? await importInWorker(this.importWorkerUrl, 'previewSet', { ledgerPath: this.path, files: set, format, skipBadRows: true, reclaimWal: true }, 0, onProgress, signal)
            : await previewSet(this.ledger, set, { format, skipBadRows: true, audience: 'app', signal, onProgress });
          return out.map((r, i): ImportSetEntry => {
            const name = set[i]!.displayName;
            return 'preview' in r
              ? { name, preview: previewView(r.preview, name), error: null }
              : { name, preview: null, error: { code: 'input_error', message: r.refused.message, details: r.refused.details.map((d) => ({ ...d })) } };
          });
        },
      ),
    );
  }

  async importFile(
    source: ImportSource,
    opts: { format: ImportFormat; skipBadRows: boolean; onProgress: (done: number, total: number) => void; signal: AbortSignal } & FileGiven,
  ): Promise<ImportResult> {
    return this.serial(() => this.importNow(source, opts));
  }

  private async importNow(
    source: ImportSource,
    opts: { format: ImportFormat; skipBadRows: boolean; onProgress: (done: number, total: number) => void; signal: AbortSignal } & FileGiven,
  ): Promise<ImportResult> {
    return withFile(source, async (path, displayName) => {
      // What is committed goes into the ledger file first: should this import fail for room, its
      // pages are all that is left in the -wal, and they can be dropped (wal.ts). With a worker,
      // the worker does it (the I/O of a -wal of tens of MB stalled this thread for a second).
      if (!this.importWorkerUrl) this.reclaimWal();
      const given = givenOptions(opts);
      let after: LedgerAfterImport | null = null;
      try {
        const r = this.importWorkerUrl
          ? await importInWorker(
              this.importWorkerUrl,
              'import',
              { ledgerPath: this.path, file: path, displayName, format: opts.format, skipBadRows: opts.skipBadRows, reclaimWal: true, ...given },
              sizeOf(path),
              opts.onProgress,
              opts.signal,
            ).then((v) => {
              if (v.ledgerAfter !== undefined) after = v.ledgerAfter;
              return v;
            })
          : await importFile(this.ledger, path, {
              format: opts.format,
              skipBadRows: opts.skipBadRows,
              displayName,
              audience: 'app',
              ...given,
              signal: opts.signal,
              onProgress: (p) => opts.onProgress(p.bytes, p.totalBytes),
            });
        return toResult(r);
      } catch (err) {
        if (!this.importWorkerUrl) this.reclaimWal();
        throw err;
      } finally {
        // Another connection may have added subjects and events.
        this.ledger.resetSubjectCache();
        this.changed(after);
      }
    });
  }

  planWithLedgerFacts(plan: Plan): Plan {
    const merged = withLedgerFacts(plan, this.ledger.entities());
    const seats = this.seatsNow !== undefined ? this.seatsNow : this.ledger.activeSeats();
    const defaultSeats = validatePlan({}).workspace.seats;
    const withSeats = seats !== null && seats > 0 && plan.workspace.seats === defaultSeats ? { ...merged, workspace: { ...merged.workspace, seats } } : merged;
    return JSON.stringify(withSeats) === JSON.stringify(plan) ? plan : validatePlan(withSeats, 'plan with the ledger’s entities');
  }

  /**
   * After a failed import the -wal still holds the rolled-back pages (tens of MB on a full disk,
   * for as long as this connection stays open): checkpoint and cut it to nothing. Done before an
   * import too, so that afterwards nothing committed waits in the -wal to be copied into a file
   * with no room to grow. Never waits: with a reader in the way the space comes back at the next
   * checkpoint.
   */
  private reclaimWal(): void {
    this.ledger.reclaimWal();
  }

  listScenarios(): SavedScenario[] {
    return this.ledger.listScenarios().map((s) => ({ ...s, plan: this.ledger.loadScenario(s.id) }));
  }

  private scenario(id: number): SavedScenario {
    const item = this.ledger.listScenarios().find((s) => s.id === id);
    if (!item) throw new ApiFailure('not_found', `No scenario ${id}`);
    return { ...item, plan: this.ledger.loadScenario(id) };
  }

  saveScenario(name: string, plan: Plan): Promise<SavedScenario> {
    return this.serial(() => this.scenario(this.ledger.saveScenario(name, plan)));
  }

  renameScenario(id: number, name: string): Promise<SavedScenario> {
    return this.serial(() => {
      const current = this.scenario(id);
      if (current.name === name) return current;
      if (this.ledger.listScenarios().some((s) => s.name === name)) {
        throw new ApiFailure('invalid_input', `A scenario named "${name}" already exists`, [{ path: 'name', message: 'choose another name' }]);
      }
      this.ledger.renameScenario(id, name);
      return this.scenario(id);
    });
  }

  deleteScenario(id: number): Promise<boolean> {
    return this.serial(() => this.ledger.deleteScenario(id));
  }

  listBatches(): BatchInfo[] {
    return this.ledger.listBatches().map((b) => ({
      id: b.id,
      file: b.fileName,
      format: b.format,
      importedAt: b.importedAt,
      imported: b.imported,
      duplicates: b.duplicates,
      rejected: b.rejected,
      undone: b.undoneAt !== null,
    }));
  }

  undoBatch(batch: number): Promise<{ removed: number }> {
    return this.serial(() => {
      const removed = this.ledger.undoBatch(batch);
      this.changed();
      return { removed };
    });
  }

  /** Closes the connection now, or once the writes already queued have landed. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    if (this.pending === 0) this.ledger.close();
  }
}

export const openLedgerStore = (path: string): LedgerStore => new LedgerStore(path);

/** The import worker's script: src/entries/import-worker.ts, or the app bundle's entry. */
export const importWorkerUrl = (): URL => workerFile('import-worker');

export const ledgerStoreOpener =
  (importWorkerUrl: URL | null) =>
  (path: string): LedgerStore =>
    new LedgerStore(path, importWorkerUrl);

/** The demo workspace, from the seeded generator: the same every first run. */
export const demoWorkspace: DemoFactory = () => {
  const w = generateWorkspace({ seed: 42 });
  return { plan: w.plan, events: w.events };
};
