import { parentPort, workerData } from 'node:worker_threads';
import { openLedger } from '../ledger/ledger.ts';
import { toApiError } from './errors.ts';
import type { ImportFormat } from './types.ts';
import type { ImportResult } from '../import/importer.ts';

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
  cancel: SharedArrayBuffer;
}

export type ImportWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; ok: true; value: ImportResult }
  | { type: 'result'; ok: false; error: ReturnType<typeof toApiError> };

async function main(job: ImportJob): Promise<void> {
  const flag = new Int32Array(job.cancel);
  const ledger = openLedger(job.ledgerPath);
  let last = 0;
  try {
    const value = await ledger.importFile(job.file, {
      format: job.format,
      skipBadRows: job.skipBadRows,
      displayName: job.displayName,
      signal: { get aborted() { return Atomics.load(flag, 0) === 1; } },
      onProgress: (p) => {
        const now = performance.now();
        if (now - last > 50) {
          last = now;
          parentPort?.postMessage({ type: 'progress', done: p.bytes, total: p.totalBytes } satisfies ImportWorkerMessage);
        }
      },
    });
    parentPort?.postMessage({ type: 'result', ok: true, value } satisfies ImportWorkerMessage);
  } catch (err) {
    parentPort?.postMessage({ type: 'result', ok: false, error: toApiError(err) } satisfies ImportWorkerMessage);
  } finally {
    ledger.close();
  }
}

void main(workerData as ImportJob);
