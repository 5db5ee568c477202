import { openLedger } from '../ledger/ledger.ts';
import { refreshEventsCache } from '../ledger/events-cache-file.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { serve } from '../workers/serve.ts';
import type { CallContext } from '../workers/serve.ts';
import { toApiError } from '../api/errors.ts';
import type { ImportOptions, ImportResult } from '../import/importer.ts';
import type { ImportJob, ImportMethods } from '../api/import-protocol.ts';
import { importFile, previewImport } from '../import/importer.ts';
import { previewSet } from '../import/preview-set.ts';

function optionsOf(job: ImportJob, ctx: CallContext): ImportOptions {
  return {
    format: job.format,
    skipBadRows: job.skipBadRows,
    displayName: job.displayName,
    audience: 'app' as const,
    ...(job.mapping !== undefined && job.mapping !== null ? { mapping: job.mapping } : {}),
    ...(job.dates !== undefined ? { dates: job.dates } : {}),
    // the importer reads the flag between rows: it runs synchronously for long stretches
    signal: ctx.cancel,
    onProgress: (p) => ctx.progress(p.bytes, p.totalBytes),
  };
}

/**
 * Runs `fn` on the job's ledger, closed afterwards whatever happens. What is committed goes into
 * the ledger file first (should this import fail for room, its pages are all that is left in the
 * -wal, and they can be dropped), and the -wal is cut again before answering, so the service's
 * next write never waits for this checkpoint.
 */
async function withLedger<T>(job: { ledgerPath: string; reclaimWal?: boolean }, fn: (ledger: Ledger) => Promise<T>): Promise<T> {
  const ledger = openLedger(job.ledgerPath);
  try {
    if (job.reclaimWal === true) ledger.reclaimWal();
    return await fn(ledger);
  } finally {
    if (job.reclaimWal === true) ledger.reclaimWal();
    ledger.close();
  }
}

/**
 * The ledger's span after a committed import, from the events cache this thread writes for the
 * compute worker (which then reads it rather than every row): the columns give the count and
 * both ends, so the cache costs this import only its write, not the span's scan over every event.
 */
function spanAfter(ledger: Ledger, r: ImportResult): { events: number; from: number | null; to: number | null } {
  const events = r.batch !== null ? refreshEventsCache(ledger).events : null;
  if (events === null) return ledger.span();
  const n = events.count;
  return { events: n, from: n > 0 ? events.time[0]! : null, to: n > 0 ? events.time[n - 1]! : null };
}

serve<ImportMethods>(
  {
    import: (job, ctx) =>
      withLedger(job, async (ledger) => {
        const r = await importFile(ledger, job.file, optionsOf(job, ctx));
        return { ...r, ledgerAfter: { ...spanAfter(ledger, r), activeSeats: ledger.activeSeats() } };
      }),
    preview: (job, ctx) => withLedger(job, (ledger) => previewImport(ledger, job.file, optionsOf(job, ctx))),
    previewSet: (job, ctx) =>
      withLedger(job, (ledger) =>
        previewSet(ledger, job.files, {
          format: job.format,
          skipBadRows: job.skipBadRows,
          audience: 'app',
          signal: ctx.cancel,
          onProgress: (done, total) => ctx.progress(done, total),
        }),
      ),
  },
  { describeError: toApiError },
);
