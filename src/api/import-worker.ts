import { openLedger } from '../ledger/ledger.ts';
import { serve } from '../workers/serve.ts';
import type { CallContext } from '../workers/serve.ts';
import type { Method } from '../workers/protocol.ts';
import { toApiError } from './errors.ts';
import type { ImportFormat } from './types.ts';
import type { ImportOptions, ImportResult, PreviewResult } from '../import/importer.ts';
import { importFile, previewImport } from '../import/importer.ts';

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
}

/** The import worker's methods: an import, or a preview (the import rolled back, with the first events it would write). */
export type ImportMethods = {
  import: Method<ImportJob, ImportResult>;
  preview: Method<ImportJob, PreviewResult>;
};

function optionsOf(job: ImportJob, ctx: CallContext): ImportOptions {
  return {
    format: job.format,
    skipBadRows: job.skipBadRows,
    displayName: job.displayName,
    audience: 'app' as const,
    ...(job.mapping !== undefined && job.mapping !== null ? { mapping: job.mapping } : {}),
    // the importer reads the flag between rows: it runs synchronously for long stretches
    signal: ctx.cancel,
    onProgress: (p) => ctx.progress(p.bytes, p.totalBytes),
  };
}

/** Runs `fn` on the job's ledger, closed afterwards whatever happens. */
async function withLedger<T>(job: ImportJob, fn: (ledger: ReturnType<typeof openLedger>) => Promise<T>): Promise<T> {
  const ledger = openLedger(job.ledgerPath);
  try {
    return await fn(ledger);
  } finally {
    ledger.close();
  }
}

serve<ImportMethods>(
  {
    import: (job, ctx) => withLedger(job, (ledger) => importFile(ledger, job.file, optionsOf(job, ctx))),
    preview: (job, ctx) => withLedger(job, (ledger) => previewImport(ledger, job.file, optionsOf(job, ctx))),
  },
  { describeError: toApiError },
);
