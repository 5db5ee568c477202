import type { Method } from '../workers/protocol.ts';
import type { ImportFormat } from './types.ts';
import type { ImportResult, PreviewResult } from '../import/importer.ts';
import type { SetFile, SetFilePreview } from '../import/preview-set.ts';
import type { GivenDayOrder } from '../import/day-order.ts';

// The import worker's calls (src/entries/import-worker.ts), typed for the service that makes them.

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
  /** a platform export's day order, as the preview's "Dates are" gives it */
  dates?: GivenDayOrder;
  /** checkpoint and cut the -wal before and after: its file I/O stays on this thread */
  reclaimWal?: boolean;
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

/** Several files previewed in order as the set their import is (import/preview-set.ts). */
export interface PreviewSetJob {
  ledgerPath: string;
  files: SetFile[];
  format: ImportFormat;
  skipBadRows: boolean;
  reclaimWal?: boolean;
}

export type ImportWorkerResult = ImportResult & { ledgerAfter?: LedgerAfterImport };

/** The import worker's methods: an import, or a preview (the import rolled back, with the first events it would write). */
export type ImportMethods = {
  import: Method<ImportJob, ImportWorkerResult>;
  preview: Method<ImportJob, PreviewResult>;
  /** each file's preview given the ones before it; progress is the set's bytes, end to end */
  previewSet: Method<PreviewSetJob, SetFilePreview[]>;
};
