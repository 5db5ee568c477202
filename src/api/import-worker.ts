import { parentPort, workerData } from 'node:worker_threads';
import { openLedger } from '../ledger/ledger.ts';
import { activeSeats } from '../ledger/entities.ts';
import { toApiError } from './errors.ts';
import { reclaimWal } from './wal.ts';
import type { ImportFormat } from './types.ts';
import type { ImportOptions, ImportProgress, ImportResult, PreviewResult } from '../import/importer.ts';

/**
 * One import, on its own thread with its own connection to the ledger, so that parsing and
 * writing a large file never stalls the process that answers the window.
 */
export interface ImportJob {
  ledgerPath: string;
  file: string;
  displayName: string;
  format: ImportFormat;
  skipBadRows: boolean;
  /** a column mapping from the page's mapping step (any other CSV) */
  mapping?: unknown;
  /** a preview: the import rolled back, with the first events it would write */
  preview?: boolean;
  /** checkpoint and cut the -wal before and after (wal.ts): its file I/O stays on this thread */
  reclaimWal?: boolean;
  cancel: SharedArrayBuffer;
}

/**
 * The ledger after a committed import, read here so that the thread answering the window never
 * scans the events table for it (a count over 1M events takes ~0.5 s).
 */
export interface LedgerAfterImport {
  events: number;
  from: number | null;
  to: number | null;
  activeSeats: number | null;
}

export type ImportWorkerValue = (ImportResult & { ledgerAfter?: LedgerAfterImport }) | PreviewResult;

export type ImportWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; ok: true; value: ImportWorkerValue }
  | { type: 'result'; ok: false; error: ReturnType<typeof toApiError> };

async function main(job: ImportJob): Promise<void> {
  const flag = new Int32Array(job.cancel);
  const ledger = openLedger(job.ledgerPath);
  let last = 0;
  try {
    const options: ImportOptions = {
      format: job.format,
      skipBadRows: job.skipBadRows,
      displayName: job.displayName,
      audience: 'app' as const,
      ...(job.mapping !== undefined && job.mapping !== null ? { mapping: job.mapping } : {}),
      signal: { get aborted() { return Atomics.load(flag, 0) === 1; } },
      onProgress: (p: ImportProgress) => {
        const now = performance.now();
        if (now - last > 50) {
          last = now;
          parentPort?.postMessage({ type: 'progress', done: p.bytes, total: p.totalBytes } satisfies ImportWorkerMessage);
        }
      },
    };
    let value: ImportWorkerValue;
    // what is committed goes into the ledger file first: should this import fail for room, its
    // pages are all that is left in the -wal, and they can be dropped
    if (job.reclaimWal === true) reclaimWal(ledger.db);
    if (job.preview === true) value = await ledger.previewImport(job.file, options);
    else {
      const r = await ledger.importFile(job.file, options);
      const span = ledger.db.prepare('SELECT count(*) AS n, min(time) AS lo, max(time) AS hi FROM events').get() as { n: number; lo: number | null; hi: number | null };
      value = { ...r, ledgerAfter: { events: span.n, from: span.lo, to: span.hi, activeSeats: activeSeats(ledger.db) } };
    }
    // before answering: the service's next write must not wait for this checkpoint
    if (job.reclaimWal === true) reclaimWal(ledger.db);
    parentPort?.postMessage({ type: 'result', ok: true, value } satisfies ImportWorkerMessage);
  } catch (err) {
    if (job.reclaimWal === true) reclaimWal(ledger.db);
    parentPort?.postMessage({ type: 'result', ok: false, error: toApiError(err) } satisfies ImportWorkerMessage);
  } finally {
    ledger.close();
  }
}

void main(workerData as ImportJob);
